"""``python -m core``: analyse articles and manage models and reports from the command line."""
from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from .coverage import cli as coverage_cli
from .errors import CrosscheckError, InputError
from .jobs import cli as jobs_cli
from .ml import cli as ml_cli
from .reports import cli as reports_cli
from .stories import cli as stories_cli
from .terminal import print_progress, safe_output
from .text import count_noun

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from .pipeline import StageEvent
    from .records import Analysis
    from .settings import Settings
    from .storage import Storage

# The engines shipped, for --help; the registry imports each only when it runs, so that
# python -m core starts in well under a second, and says which names it knows.
ENGINE_NAMES = ("local", "claude")

logger = logging.getLogger("core.cli")


def _sources_argument(value: str) -> tuple[str, ...]:
    names = tuple(s.strip() for s in value.split(",") if s.strip() and s.strip() != "none")
    return names


def _add_analyze(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "analyze",
        help="analyse one or more articles",
        description=(
            "Analyse articles: propaganda techniques, check-worthy claims and, with --sources, evidence and verdicts. "
            "With one SOURCE and --json, prints one crosscheck.analysis/2 JSON document; with several, one JSON "
            "document per line (a source that fails prints {\"source\", \"error\"} and the rest go on)."
        ),
    )
    parser.add_argument("source", nargs="+", metavar="SOURCE", help="http(s) URL, .html/.htm or .txt file, or - for text on stdin")
    parser.add_argument("--engine", default="local", metavar="ENGINE",
                        help=f"analysis engine: {' or '.join(ENGINE_NAMES)} (default: local)")
    parser.add_argument(
        "--sources",
        type=_sources_argument,
        default=None,
        help="comma-separated evidence sources (library, wikipedia, web, factcheck, claude_web), or 'none' "
             "(default: CROSSCHECK_SOURCES, which defaults to 'auto': every source that is set up)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a readable summary")
    parser.add_argument("--db", help="database file or URL (default: CROSSCHECK_DATABASE_URL, else CROSSCHECK_DB)")
    parser.add_argument("--no-store", action="store_true",
                        help="do not save the analysis (the library source still reads --db, opened read-only)")
    parser.add_argument("--fresh", action="store_true", help="ignore cached pages and engine answers")
    parser.add_argument("--outlet", metavar="NAME",
                        help="outlet that published a text or file SOURCE: its evidence then never counts as independent")
    parser.add_argument("--url", metavar="URL",
                        help="address a text or file SOURCE was published at (its site is the outlet unless --outlet)")
    parser.set_defaults(func=_run_analyze)


def _run_analyze(args: argparse.Namespace) -> int:
    from .extract import is_url
    from .pipeline import analyze, input_from_argument, provenance
    from .reports.summary import format_summary
    from .settings import get_settings
    from .sources import default_sources
    from .storage import open_storage

    settings = get_settings()
    sources = args.sources if args.sources is not None else default_sources(settings, args.engine)
    stated = provenance(args.outlet, args.url)
    if (stated.outlet or stated.url) and all(is_url(s) for s in args.source):
        raise InputError("--outlet and --url describe text and file sources; a URL source states its own.",
                         hint="Drop --outlet/--url, or give a .txt/.html file or - for stdin.")
    storage = _library_storage(args.db, settings, sources) if args.no_store else open_storage(args.db)
    batch = len(args.source) > 1
    failures, bugs = 0, 0
    for argument in args.source:
        try:
            analysis = analyze(
                input_from_argument(argument, settings, stated), engine=args.engine, sources=sources, settings=settings,
                storage=storage, save=not args.no_store, fresh=args.fresh, on_stage=_log_stage,
            )
        except Exception as exc:  # in a batch, one source's failure must not stop the others
            if not batch:
                raise
            if isinstance(exc, CrosscheckError):
                failures, message = failures + 1, exc.user_message()
            else:
                bugs, message = bugs + 1, _unexpected(exc)
            print(f"error: {_plain(argument)}: {_plain(message)}", file=sys.stderr, flush=True)
            if args.json:
                print(json.dumps({"source": argument, "error": message}, ensure_ascii=False), flush=True)
            continue
        if args.json:
            print(json.dumps(analysis.to_dict(), ensure_ascii=False, indent=None if batch else 2), flush=True)
        else:
            print(format_summary(analysis), flush=True)
        if not args.no_store:  # an analysis that is not stored has nothing for the library to re-check against
            _queue_rechecks(analysis, storage, settings)
    return 2 if bugs else 1 if failures else 0


def _queue_rechecks(analysis: Analysis, storage: Storage, settings: Settings) -> None:
    """Queue re-checks of stored articles that share claims with this one; the analysis is stored and printed by now."""
    from .crossrefs import after_store
    from .jobs.queue import get_queue

    try:
        queue = get_queue(settings, storage)
    except CrosscheckError as exc:  # a queue that cannot be opened (a read-only home) costs the re-checks only
        logger.warning("the library's re-checks after %s were not queued: %s", analysis.id, exc.user_message())
        return
    after_store(analysis, storage, queue.enqueue)


def _library_storage(db: str | None, settings: Settings, sources: Sequence[str]) -> Storage | None:
    """The library an unsaved analysis is checked against (--db, else the configured database), opened read-only."""
    from .sources.library import LIBRARY
    from .storage import open_storage

    if LIBRARY not in sources:
        return None
    if db is not None:
        return open_storage(db, read_only=True)  # a --db that does not exist is worth saying
    if settings.database_url or settings.db_path.is_file():
        return open_storage(settings.database, read_only=True)
    return None


def _plain(message: str) -> str:
    """One printable line: line breaks and control characters (a URL or file name given may hold them) escaped."""
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in message)


def _unexpected(exc: Exception) -> str:
    logger.info("unexpected failure", exc_info=True)
    return f"unexpected {exc.__class__.__name__}: {exc} (run with -v for details)"


def _log_stage(event: StageEvent) -> None:
    if event.state in ("running", "done", "failed", "skipped"):
        logger.info("%s: %s %s", event.stage, event.state, event.message)


def _add_config(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "config",
        help="show the settings in effect (keys only as set / not set)",
        description="Print every setting's environment variable and the value in effect; keys print only as 'set' or "
                    "'not set'. With --markdown, print the configuration table of the README instead.",
    )
    parser.add_argument("--markdown", action="store_true", help="print the README's configuration table")
    parser.set_defaults(func=_run_config)


def _run_config(args: argparse.Namespace) -> int:
    from pydantic import SecretStr

    from .settings import Settings, configuration_table, env_name, get_settings, redact_url

    if args.markdown:
        print(configuration_table(), end="")
        return 0
    settings = get_settings()
    for name in Settings.model_fields:
        value = getattr(settings, name)
        if isinstance(value, SecretStr):
            shown = "set"
        elif value is None:
            shown = "not set" if "key" in name else "(default)"
        else:
            shown = redact_url(str(value))
        print(f"{env_name(name)}={shown}")
    return 0


def _add_review(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "review",
        help="analysts' reviews: export reviewed items as JSON lines for training",
        description="Analysts confirm or override verdicts, stances and technique passages on the Analyze page. "
                    "'review export' writes every current decision as one crosscheck.review/1 JSON line: the "
                    "analyst's label, the machine's, and the text labelled (docs/reports.md). "
                    "'python -m core train stance|techniques --reviewed FILE' adds them to the training data.",
    )
    actions = parser.add_subparsers(dest="review_command", required=True, metavar="ACTION")
    export = actions.add_parser("export", help="write reviewed items as JSON lines",
                                description="Write every analyst decision as one JSON line (crosscheck.review/1).")
    export.add_argument("--out", "-o", default="-", metavar="FILE", help="file to write (default: - for standard output)")
    export.add_argument("--db", help="database file or URL (default: CROSSCHECK_DATABASE_URL, else CROSSCHECK_DB)")
    export.set_defaults(func=_run_review_export)


def _run_review_export(args: argparse.Namespace) -> int:
    from .reports import write_output
    from .storage import open_storage

    lines = [json.dumps(line, ensure_ascii=False) + "\n" for line in open_storage(args.db, read_only=True).reviews.training_lines()]
    write_output(args.out, "".join(lines).encode("utf-8"))
    if args.out != "-":
        print(f"wrote {args.out} ({len(lines)} reviewed items)")
    return 0


def _add_import(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "import",
        help="import analyses from a JSON export",
        description=(
            "Import analyses from a crosscheck.analysis/2 (or older /1) JSON file (one document, an array, or one per line). "
            "Ids are kept; if one is already stored nothing is imported, unless --new-ids is given."
        ),
    )
    parser.add_argument("path", type=Path, metavar="PATH", help="JSON file, or - for standard input")
    parser.add_argument("--new-ids", action="store_true", help="store under fresh ids instead of the ones in the file")
    parser.add_argument("--index", action="store_true",
                        help="then add every stored article not yet in the library index to it (as 'library index')")
    parser.add_argument("--db", help="database file or URL (default: CROSSCHECK_DATABASE_URL, else CROSSCHECK_DB)")
    parser.set_defaults(func=_run_import)


def _run_import(args: argparse.Namespace) -> int:
    from .ml.loading import assess_techniques
    from .settings import get_settings
    from .storage import open_storage
    from .storage.imports import read_export, read_import_file, store_imported

    settings = get_settings()
    # A crosscheck.analysis/1 document is measured against ordinary news here, the one place that loads the reference.
    analyses = read_export(read_import_file(args.path, settings.max_import_bytes), settings, assess_techniques)
    storage = open_storage(args.db)
    for analysis in store_imported(storage, analyses, new_ids=args.new_ids):
        print(f"imported {analysis.id}  {analysis.article.title or '(untitled)'}")
    if args.index:
        _index_library(storage)
    return 0


def _add_library(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "library",
        help="list the stored articles, or index them for the library source",
        description="List the latest analysis of each stored article, newest first, as the Library page does "
                    "(--search looks in title, outlet and URL). 'library index' adds every stored article that is "
                    "not yet in the library index (imported ones, or ones stored before the index existed) to it, "
                    "with a progress bar: the library source then finds passages in them.",
    )
    parser.add_argument("action", nargs="?", choices=("index",), metavar="index",
                        help="index the stored articles not yet indexed, instead of listing")
    parser.add_argument("--search", default="", metavar="Q", help="only articles whose title, outlet or URL holds Q")
    parser.add_argument("--limit", type=int, default=50, metavar="N", help="list at most N articles (default: 50)")
    parser.add_argument("--json", action="store_true",
                        help='print one JSON document: {"total": matching articles, "articles": [...]}')
    parser.add_argument("--db", help="database file or URL (default: CROSSCHECK_DATABASE_URL, else CROSSCHECK_DB)")
    parser.set_defaults(func=_run_library)


def _run_library(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from .storage import LibraryQuery, open_storage

    if args.action == "index":
        _index_library(open_storage(args.db))
        return 0
    if args.limit < 1:
        raise InputError("--limit must be at least 1.", hint="Give the number of articles to list, e.g. --limit 20.")
    page = open_storage(args.db, read_only=True).library_page(LibraryQuery(search=args.search.strip(), limit=args.limit))
    if args.json:
        print(json.dumps({"total": page.total, "articles": [asdict(s) for s in page.rows]}, ensure_ascii=False, indent=2))
        return 0
    for s in page.rows:
        print(f"{s.id}  {s.created_at[:10]}  {_plain(s.outlet or '-')}  {_plain(s.title or '(untitled)')}  "
              f"({s.claims} claims, {s.techniques_found} techniques)")
    print(f"{len(page.rows)} of {page.total} articles" + (f" matching {args.search.strip()!r}" if args.search.strip() else ""),
          file=sys.stderr)
    return 0


# Articles read from the database at a time when indexing.
INDEX_BATCH = 20


def _index_library(storage: Storage) -> None:
    """Index every stored article not yet in the library index, with a progress bar on stderr."""
    from .sources.library import index_sentences

    total, done = storage.count_unindexed(), 0
    while batch := storage.unindexed_articles(limit=INDEX_BATCH):
        for analysis_id, analysis in batch:
            storage.add_to_index(analysis_id, index_sentences(analysis.article))
            done += 1
            print_progress(done, max(total, done), unit=" articles")
    ended = "" if done >= total else "\n"  # the bar ends its line when it reaches the total
    print(f"{ended}indexed {count_noun(done, 'article')}" if done else "every stored article is already indexed", file=sys.stderr)


def build_parser(register_training: Callable[[argparse._SubParsersAction], None] | None = None) -> argparse.ArgumentParser:
    """The command-line parser; ``register_training`` adds the train and eval commands.

    The product never imports the training code: the composition root (core/__main__.py) passes its
    ``register``, so ``python -m core --help`` lists train and eval in their place.
    """
    parser = argparse.ArgumentParser(
        prog="python -m core",
        description="Crosscheck: read news articles critically (techniques, claims, evidence, verdicts).",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_analyze(subparsers)
    _add_config(subparsers)
    _add_review(subparsers)
    jobs_cli.register(subparsers)
    coverage_cli.register(subparsers)
    stories_cli.register(subparsers)
    if register_training is not None:
        register_training(subparsers)
    ml_cli.register(subparsers)
    reports_cli.register(subparsers)
    _add_import(subparsers)
    _add_library(subparsers)
    return parser


class _OneLinePerRecord(logging.Filter):
    """Without -v, stderr carries Crosscheck's own warnings as single lines: no third-party log lines
    (trafilatura's extraction notes, for one) and no tracebacks, which -v shows."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.exc_info, record.exc_text, record.stack_info = None, None, None
        return record.name == "core" or record.name.startswith("core.")


def _configure_logging(verbose: bool) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    if not verbose:
        handler.addFilter(_OneLinePerRecord())
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, handlers=[handler])


def main(argv: list[str] | None = None, *, register_training: Callable[[argparse._SubParsersAction], None] | None = None) -> int:
    """Run one command; exits 0, 1 for a user error (one line: what and what to do), 2 for a usage error or a bug."""
    with safe_output():  # titles, feed names, labels and notes reach the terminal without control sequences
        parser = build_parser(register_training)
        args = parser.parse_args(argv)
        _configure_logging(args.verbose)
        try:
            return args.func(args)
        except CrosscheckError as exc:
            print(f"error: {_plain(exc.user_message())}", file=sys.stderr)
            return 1
        except KeyboardInterrupt:
            print("error: interrupted", file=sys.stderr)
            return 130
        except Exception as exc:  # a bug: one line for the user, the traceback in the log with -v
            print(f"error: {_plain(_unexpected(exc))}", file=sys.stderr)
            return 2
