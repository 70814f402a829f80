"""Reports: PDF, JSON, CSV and Markdown exports of one analysis or a comparison of several, and the atomic writer
the commands write every export and report with (:func:`write_output`)."""
from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from pathlib import Path

from ..errors import CrosscheckError

# The export formats, in the order the CLI and the pages offer them.
FORMATS = ("pdf", "json", "csv", "md")


class ReportError(CrosscheckError):
    """A report could not be written or read."""

    hint = "Try another format, or check the file."


def write_output(output: str, payload: bytes) -> None:
    """Write an export to the file ``output`` atomically, so a failed export never leaves half a file where a good one
    was; ``-`` writes it to standard output."""
    if output == "-":
        sys.stdout.buffer.write(payload)
        sys.stdout.flush()
        return
    target = Path(output)
    temporary: str | None = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
        with os.fdopen(handle, "wb") as stream:
            stream.write(payload)
        # mkstemp makes the file private (0600); an export gets the usual mode for new files (0666 less the umask).
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, target)
    except OSError as exc:
        if temporary is not None:  # a full disk, a quota: the half-written file goes too, not only the target is spared
            with contextlib.suppress(OSError):
                Path(temporary).unlink(missing_ok=True)
        raise ReportError(f"Cannot write {target}: {exc.strerror}.", hint="Choose another output path.") from None
