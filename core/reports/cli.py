"""``python -m core export`` and ``python -m core import``.

export: ANALYSIS_ID... to pdf, json, csv (a zip of claims.csv and
evidence.csv) or md. One id gives an analysis report; with pdf, 2-6 ids give a
comparison report; json, csv and md hold every analysis given (md adds the
shared claims for 2-6). Analysts' reviews are exported beside the machine's
output (docs/reports.md). ``-o -`` writes json and md to standard output.

import: reads a JSON export (a document, an array, or JSON Lines) into the
database. Imported analyses keep their ids, so links and exports stay valid;
if an id is already stored nothing is imported and the command fails, unless
``--new-ids`` gives every imported analysis a fresh id.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import uuid
from pathlib import Path

from ..errors import InputError, NotFoundError, StorageError
from . import FORMATS, ReportError


def register(subparsers: argparse._SubParsersAction) -> None:
    export = subparsers.add_parser(
        "export",
        help="export stored analyses as PDF, JSON, CSV or Markdown",
        description=(
            "Export stored analyses. pdf: one id gives an analysis report, 2-6 ids a comparison report. "
            "json: one crosscheck.analysis/2 document, or an array for several. csv: a zip with techniques.csv, claims.csv and "
            "evidence.csv (and review.csv when reviewed). md: a Markdown report (with the shared claims for 2-6 ids). "
            "Analysts' reviews appear beside the machine's output, marked 'Analyst'."
        ),
    )
    export.add_argument("ids", nargs="+", metavar="ANALYSIS_ID", help="ids of stored analyses (see the Library page)")
    export.add_argument("--format", "-f", choices=FORMATS, required=True, help="output format")
    export.add_argument("-o", "--output", required=True, metavar="PATH", help="file to write; - for standard output (json, md)")
    export.add_argument("--no-charts", action="store_true", help="pdf: leave the charts out (no Chromium needed)")
    export.add_argument("--db", help="database file or URL (default: CROSSCHECK_DATABASE_URL, else CROSSCHECK_DB)")
    export.set_defaults(func=run_export)

    imp = subparsers.add_parser(
        "import",
        help="import analyses from a JSON export",
        description=(
            "Import analyses from a crosscheck.analysis/2 (or older /1) JSON file (one document, an array, or one per line). "
            "Ids are kept; if one is already stored nothing is imported, unless --new-ids is given."
        ),
    )
    imp.add_argument("path", type=Path, metavar="PATH", help="JSON file, or - for standard input")
    imp.add_argument("--new-ids", action="store_true", help="store under fresh ids instead of the ones in the file")
    imp.add_argument("--db", help="database file or URL (default: CROSSCHECK_DATABASE_URL, else CROSSCHECK_DB)")
    imp.set_defaults(func=run_import)


def _write(output: str, payload: bytes) -> None:
    """Write atomically, so a failed export never leaves half a file where a good one was."""
    if output == "-":
        sys.stdout.buffer.write(payload)
        sys.stdout.flush()
        return
    target = Path(output)
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
        raise ReportError(f"Cannot write {target}: {exc.strerror}.", hint="Choose another output path.") from None


def run_export(args: argparse.Namespace) -> int:
    if args.output == "-" and args.format in ("pdf", "csv"):
        raise InputError(f"{args.format} is a binary format.", hint="Give a file name with -o.")
    if len(set(args.ids)) != len(args.ids):
        raise InputError("An analysis id was given twice.")
    from ..storage import open_storage
    from .exports import export_bytes

    storage = open_storage(args.db, read_only=True)
    analyses = storage.get_many(args.ids)
    payload = export_bytes(analyses, args.format, charts=not args.no_charts, reviews=storage.reviews.get_many(args.ids))
    _write(args.output, payload)
    if args.output != "-":
        noun = "analysis" if len(analyses) == 1 else "analyses"
        print(f"wrote {args.output} ({len(payload):,} bytes, {len(analyses)} {noun}, {args.format})")
    return 0


def _read_import(path: Path, limit: int) -> str:
    """The file's text, its size checked before it is read (standard input: at most one byte past the limit)."""
    too_large = ReportError(f"{path} is larger than the {limit:,}-byte import limit.",
                            hint="Split the export into smaller files, or raise CROSSCHECK_MAX_IMPORT_BYTES.")
    try:
        if str(path) == "-":
            data = sys.stdin.buffer.read(limit + 1) if sys.stdin is not None else b""
        else:
            if path.stat().st_size > limit:
                raise too_large
            with path.open("rb") as handle:
                data = handle.read(limit + 1)
    except OSError as exc:
        raise ReportError(f"Cannot read {path}: {exc.strerror}.") from None
    if len(data) > limit:
        raise too_large
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ReportError(f"{path} is not UTF-8 text (byte {exc.start:,} is not valid).",
                          hint="Import a JSON file exported by Crosscheck.") from None


def run_import(args: argparse.Namespace) -> int:
    from ..ml.loading import assess_techniques
    from ..settings import get_settings
    from ..storage import open_storage
    from .exports import from_json

    settings = get_settings()
    # A crosscheck.analysis/1 document is measured against ordinary news here, the one place that loads the reference.
    analyses = from_json(_read_import(args.path, settings.max_import_bytes), settings, assess_techniques)
    storage = open_storage(args.db)
    if args.new_ids:
        analyses = [a.with_id(uuid.uuid4().hex[:12]) for a in analyses]
    else:
        ids = [a.id for a in analyses]
        if len(set(ids)) != len(ids):
            raise ReportError("The file holds the same analysis id twice.", hint="Import it with --new-ids.")
        taken = []
        for analysis_id in ids:
            try:
                storage.get(analysis_id)
                taken.append(analysis_id)
            except NotFoundError:
                pass
        if taken:
            raise StorageError(f"Already stored: {', '.join(taken)}. Nothing was imported.",
                               hint="Import with --new-ids to keep both copies.")
    storage.save_all(analyses)  # one transaction: the whole file or nothing
    for analysis in analyses:
        print(f"imported {analysis.id}  {analysis.article.title or '(untitled)'}")
    return 0
