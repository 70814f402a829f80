"""Reports: PDF, JSON, CSV and Markdown exports of one analysis or a comparison of several."""
from __future__ import annotations

from ..errors import CrosscheckError

# The export formats, in the order the CLI and the pages offer them.
FORMATS = ("pdf", "json", "csv", "md")


class ReportError(CrosscheckError):
    """A report could not be written or read."""

    hint = "Try another format, or check the file."
