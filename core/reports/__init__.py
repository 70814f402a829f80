"""Reports: PDF, JSON, CSV and Markdown exports of one analysis or a comparison of several."""
from __future__ import annotations

from ..errors import CrosscheckError


class ReportError(CrosscheckError):
    """A report could not be written or read."""

    hint = "Try another format, or check the file."
