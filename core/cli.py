"""``python -m core``: analyse articles and manage models and reports from the command line."""
from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from .engines import ENGINES
from .ml import cli as ml_cli
from .ml.training import cli as training_cli
from .reports import cli as reports_cli
from .errors import CrosscheckError
from .models import FOUND_RULE, Analysis, against_ordinary_news
from .pipeline import StageEvent, analyze, input_from_argument
from .settings import get_settings
from .text import count_noun
from .storage import open_storage

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
    parser.add_argument("--engine", default="local", choices=ENGINES.names(), help="analysis engine (default: local)")
    parser.add_argument(
        "--sources",
        type=_sources_argument,
        default=None,
        help="comma-separated evidence sources, or 'none' (default: CROSSCHECK_SOURCES, which defaults to 'library')",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a readable summary")
    parser.add_argument("--db", type=Path, help="database file (default: CROSSCHECK_DB)")
    parser.add_argument("--no-store", action="store_true", help="do not save the analysis")
    parser.add_argument("--fresh", action="store_true", help="ignore cached pages and engine answers")
    parser.set_defaults(func=_run_analyze)


def _run_analyze(args: argparse.Namespace) -> int:
    settings = get_settings()
    sources = args.sources if args.sources is not None else settings.source_names()
    storage = None if args.no_store else open_storage(args.db)
    batch = len(args.source) > 1
    failures = 0
    for argument in args.source:
        try:
            analysis = analyze(
                input_from_argument(argument), engine=args.engine, sources=sources, settings=settings,
                storage=storage, fresh=args.fresh, on_stage=_log_stage,
            )
        except CrosscheckError as exc:
            if not batch:
                raise
            failures += 1
            print(f"error: {argument}: {exc.user_message()}", file=sys.stderr)
            if args.json:
                print(json.dumps({"source": argument, "error": exc.user_message()}, ensure_ascii=False), flush=True)
            continue
        if args.json:
            print(json.dumps(analysis.to_dict(), ensure_ascii=False, indent=None if batch else 2), flush=True)
        else:
            print(format_summary(analysis), flush=True)
    return 1 if failures else 0


def _log_stage(event: StageEvent) -> None:
    if event.state in ("running", "done", "failed", "skipped"):
        logger.info("%s: %s %s", event.stage, event.state, event.message)


def format_summary(analysis: Analysis) -> str:
    article = analysis.article
    lines = [
        f"{article.title or '(untitled)'}",
        f"  {article.outlet or 'unknown outlet'} · {article.published or 'undated'} · {article.url or 'no URL'}",
        f"  analysis {analysis.id} · engine {analysis.engine.name} · sources {', '.join(analysis.sources) or 'none'}"
        + (" · PARTIAL" if analysis.partial else ""),
        "",
    ]
    if analysis.persuasion is not None:
        persuasion = analysis.persuasion
        lines.append(f"Persuasive language: {persuasion.score:.1f} weighted technique passages per 1,000 words"
                     + (f", {against_ordinary_news(persuasion.percentile)}" if persuasion.percentile is not None else ""))
    lines.append(f"Techniques found ({FOUND_RULE}):")
    if analysis.techniques:
        lines += [f"  {t.label}: {t.strength:.1f} per 1,000 words, {against_ordinary_news(t.percentile)} "
                  f"(occurs {t.confidence:.0%}, {count_noun(len(t.spans), 'passage')})" for t in analysis.found_techniques()] or ["  none"]
    else:
        lines.append("  no technique figures (see the warnings)")
    lines += ["", "Claims:"]
    lines += [f"  [{c.verdict.value}] {c.text}" for c in analysis.claims] or ["  no check-worthy claims found"]
    lines += [f"warning: {w}" for w in analysis.warnings]
    lines += ["", "AI-generated analysis: verify before you rely on it."]
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m core",
        description="Crosscheck: read news articles critically (techniques, claims, evidence, verdicts).",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_analyze(subparsers)
    training_cli.register(subparsers)
    ml_cli.register(subparsers)
    reports_cli.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        return args.func(args)
    except CrosscheckError as exc:
        print(f"error: {exc.user_message()}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug: one line for the user, the traceback in the log with -v
        logger.info("unexpected failure", exc_info=True)
        print(f"error: unexpected {exc.__class__.__name__}: {exc} (run with -v for details)", file=sys.stderr)
        return 2
