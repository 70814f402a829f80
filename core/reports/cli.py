"""``python -m core export``.

export: ANALYSIS_ID... to pdf, json, csv (a zip of claims.csv and
evidence.csv) or md. One id gives an analysis report; with pdf, 2-6 ids give a
comparison report; json, csv and md hold every analysis given (md adds the
shared claims for 2-6). Analysts' reviews are exported beside the machine's
output (docs/reports.md). ``-o -`` writes json and md to standard output.
``python -m core import`` reads an export back (core.storage.imports).
"""
from __future__ import annotations

import argparse

from ..errors import InputError
from . import FORMATS, write_output


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


def run_export(args: argparse.Namespace) -> int:
    if args.output == "-" and args.format in ("pdf", "csv"):
        raise InputError(f"{args.format} is a binary format.", hint="Give a file name with -o.")
    if len(set(args.ids)) != len(args.ids):
        raise InputError("An analysis id was given twice.")
    from ..storage import open_storage
    from .exports import export_bytes

    storage = open_storage(args.db, read_only=True)
    analyses = storage.get_many(args.ids)
    payload = export_bytes(analyses, args.format, charts=not args.no_charts, reviews=storage.reviews.get_many(args.ids),
                           storage=storage)
    write_output(args.output, payload)
    if args.output != "-":
        noun = "analysis" if len(analyses) == 1 else "analyses"
        print(f"wrote {args.output} ({len(payload):,} bytes, {len(analyses)} {noun}, {args.format})")
    return 0
