"""``python -m core coverage ID``: other outlets' articles on a stored article's story, and analysing them as a batch."""
from __future__ import annotations

import argparse
import json
import sys
from typing import Any


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "coverage", help="find other outlets' coverage of a stored article's story (GDELT and web search)",
        description="List other outlets' articles on the story of the stored analysis ID (outlet, date, language, "
                    "title, address), from the GDELT DOC 2.0 API (keyless, one request per 5 s) and the web-search "
                    "providers. With --analyse N, analyse the first N as a batch of jobs (articles already in the "
                    "library are reused), wait for them, and print the ids to compare side by side.",
    )
    parser.add_argument("id", help="a stored analysis id (see the Library page or `python -m core jobs`)")
    parser.add_argument("--analyse", type=int, default=0, metavar="N", help="analyse the first N articles found")
    parser.add_argument("--engine", default="local", help="engine for --analyse (default: local)")
    parser.add_argument("--sources", default=None, help="evidence sources for --analyse (default: CROSSCHECK_SOURCES)")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.add_argument("--fresh", action="store_true", help="ask GDELT and the search engines again, not the cache")
    parser.add_argument("--db", help="database file or URL")
    parser.set_defaults(func=_coverage)


def _coverage(args: argparse.Namespace) -> int:
    from ..compare import MAX_ANALYSES
    from ..errors import InputError
    from ..job_status import DONE, FAILED
    from ..jobs.cli import source_names, wait_for
    from ..jobs.queue import get_queue
    from ..settings import get_settings
    from ..storage import open_storage
    from .finder import analyse_coverage, find_coverage

    if args.analyse < 0:
        raise InputError("--analyse takes a number of articles, 0 or more.")
    settings = get_settings()
    storage = open_storage(args.db)
    analysis = storage.get(args.id)
    coverage = find_coverage(analysis, settings=settings, storage=storage, fresh=args.fresh)
    document: dict[str, Any] = coverage.to_dict()
    if not args.json:
        _print_list(coverage)
    for note in coverage.notes:
        print(f"note: {note} (the list may be incomplete)", file=sys.stderr)
    if coverage.searches_failed and not coverage.items:
        # Nothing found because nothing could be asked: no finding, and a script must not read it as one.
        print("error: every search for other coverage failed, and the library has no other outlet's article on "
              "this story; try again later", file=sys.stderr)
        _emit(document, args.json)
        return 1
    if args.analyse and coverage.items:
        queue = get_queue(settings, storage)
        batch = analyse_coverage(coverage.items[:args.analyse], queue=queue, engine=args.engine,
                                 sources=source_names(args.sources, args.engine))
        finished = {job.id: job for job in wait_for(storage, [job.id for job in batch.jobs])}
        jobs = [finished[job.id] for job in batch.jobs]
        done = [job.analysis_id for job in jobs if job.status == DONE and job.analysis_id]
        failed = [job for job in jobs if job.status == FAILED]
        compare = [analysis.id, *batch.stored_ids, *done][:MAX_ANALYSES]
        document.update(batch={"id": batch.batch_id, "jobs": [
            {"url": job.label, "job": job.id, "status": job.status, "analysis_id": job.analysis_id,
             "error": f"{job.error} {job.hint}".strip() or None} for job in jobs]}, compare_ids=compare)
        if not args.json:
            print(f"\nbatch {batch.batch_id}: {len(done)} analysed, {len(batch.stored_ids)} already in the library, "
                  f"{len(failed)} failed")
            for job in failed:
                print(f"  failed: {job.label}: {job.error} {job.hint}".rstrip())
            print(f"compare side by side: python -m core export {' '.join(compare)} --format md -o comparison.md")
        if failed:
            _emit(document, args.json)
            return 1
    _emit(document, args.json)
    return 0


def _emit(document: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print(json.dumps(document, ensure_ascii=False, indent=2))


def _print_list(coverage) -> None:  # noqa: ANN001 (a Coverage)
    print(f"other coverage of analysis {coverage.analysis_id} (query: {coverage.query})")
    if not coverage.items and not coverage.searches_failed:
        print("no other outlet's article found")
    for number, item in enumerate(coverage.items, start=1):
        stored = f"  [in library: {item.stored_id}]" if item.stored_id else ""
        print(f"{number:>3}. {item.outlet:<28} {item.published or 'date unknown':<12} {(item.language or '?'):<10} "
              f"{item.title[:70]}{stored}\n     {item.url or 'no address'}  ({item.found_by})")
