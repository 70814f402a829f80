"""``python -m core stories`` and ``python -m core story ID``: the library's stories, one story, corrections."""
from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from ..terminal import print_progress

if TYPE_CHECKING:
    from ..storage import Storage


def register(subparsers: Any) -> None:
    listing = subparsers.add_parser(
        "stories", help="the library's stories (articles of several outlets on one event)",
        description="List the stories of the library, most recent first: id, articles, outlets, dates, title. "
                    "Each stored article joins a story as it is saved (docs/stories.md). --recluster forms "
                    "them again for the whole library, in publication order, keeping analysts' corrections.",
    )
    listing.add_argument("--json", action="store_true", help="print one JSON document")
    listing.add_argument("--limit", type=int, default=50, help="how many stories (default: 50)")
    listing.add_argument("--min-size", type=int, default=1, metavar="N", help="only stories of N articles or more")
    listing.add_argument("--recluster", action="store_true", help="cluster the whole library again first")
    listing.add_argument("--db", help="database file or URL")
    listing.set_defaults(func=_stories)

    one = subparsers.add_parser(
        "story", help="one story: its articles, shared claims, conflicts, origins; merge, split or move",
        description="Show story ID: its articles in publication order, each claim once with every outlet's "
                    "wording and verdict (conflicts first), which copies share one origin, and the techniques per "
                    "outlet. --merge, --split and --move correct it (kept in the review log; --by names you).",
    )
    one.add_argument("id", type=int, help="a story id (see `python -m core stories`)")
    one.add_argument("--json", action="store_true", help="print one JSON document")
    one.add_argument("--format", "-f", choices=("pdf", "csv"),
                     help="write the story as a PDF report or a CSV (each outlet's wording and verdict, then the articles)")
    one.add_argument("-o", "--output", metavar="PATH", help="the file --format writes")
    one.add_argument("--merge", type=int, metavar="OTHER", help="move every article of story OTHER into this one")
    one.add_argument("--split", nargs="+", metavar="KEY", help="take these articles (keys) out into a new story")
    one.add_argument("--move", nargs="+", metavar="KEY", help="move these articles (keys) into this story")
    one.add_argument("--find-coverage", action="store_true",
                     help="list other outlets' articles on the story that it does not hold yet (the library, GDELT and "
                          "web search, as `python -m core coverage` searches for its first analysed article); "
                          "analyse the ones you want with `python -m core analyze URL`, and they join the story they fit")
    one.add_argument("--fresh", action="store_true", help="with --find-coverage: ask GDELT and web search again, not the cache")
    one.add_argument("--by", default="", metavar="NAME", help="who makes the correction (required with one)")
    one.add_argument("--why", default="", help="why (kept in the review log)")
    one.add_argument("--db", help="database file or URL")
    one.set_defaults(func=_story)


def _stories(args: argparse.Namespace) -> int:
    from ..errors import InputError
    from ..storage import open_storage
    from .view import day_text

    if args.limit < 1:  # SQLite reads a negative LIMIT as none: every story
        raise InputError("--limit must be at least 1.", hint="Give how many stories to list, e.g. --limit 20.")
    storage = open_storage(args.db, read_only=not args.recluster)
    if args.recluster:
        placed = storage.stories.recluster(
            on_progress=lambda done, total: print_progress(done, total, label="re-clustering "))
        print(f"placed {placed} articles in {storage.stories.count()} stories", file=sys.stderr)
    found = storage.stories.list(limit=args.limit, min_size=args.min_size)
    if args.json:
        print(json.dumps({"total": storage.stories.count(), "stories": [
            {"id": s.id, "title": s.title, "articles": s.size, "outlets": s.outlets, "first_day": day_text(s.first_day),
             "last_day": day_text(s.last_day)} for s in found]}, indent=2, ensure_ascii=False))
        return 0
    if not found:
        print("No stories yet: analyse and store articles, or run `python -m core stories --recluster`.")
        return 0
    print(f"{'id':>6}  {'articles':>8}  {'outlets':>7}  {'dates':<23}  title")
    for s in found:
        dates = day_text(s.first_day) + (f"..{day_text(s.last_day)}" if s.last_day != s.first_day else "")
        print(f"{s.id:>6}  {s.size:>8}  {s.outlets:>7}  {dates or 'undated':<23}  {s.title}")
    return 0


def _story(args: argparse.Namespace) -> int:
    from ..errors import InputError
    from ..storage import open_storage
    from .view import story_view

    corrections = [c for c in (args.merge, args.split, args.move) if c]
    if len(corrections) > 1:
        raise InputError("Make one correction at a time: --merge, --split or --move.")
    if bool(args.format) != bool(args.output):
        raise InputError("--format and -o go together.", hint="e.g. `python -m core story 12 --format pdf -o story-12.pdf`")
    if args.find_coverage and (corrections or args.format):
        raise InputError("--find-coverage only lists: give it without a correction or --format.")
    if args.fresh and not args.find_coverage:
        raise InputError("--fresh goes with --find-coverage.")
    storage = open_storage(args.db, read_only=not corrections)
    if args.find_coverage:
        return _find_coverage(storage, args.id, as_json=args.json, fresh=args.fresh)
    story_id = args.id
    if args.merge is not None:
        storage.stories.merge(story_id, args.merge, who=args.by, why=args.why)
    elif args.split:
        story_id = storage.stories.split(story_id, args.split, who=args.by, why=args.why)
        print(f"split into story {story_id}", file=sys.stderr)
    elif args.move:
        for key in args.move:
            storage.stories.move(key, story_id, who=args.by, why=args.why)
    view = story_view(storage, story_id)
    if args.format:
        from ..reports import write_output
        from .pdf import story_pdf
        from .view import story_csv

        payload = story_pdf(view) if args.format == "pdf" else story_csv(view)
        write_output(args.output, payload)
        print(f"wrote {args.output} ({len(payload):,} bytes, story {view.story.id}, {args.format})")
        return 0
    if args.json:
        print(json.dumps(view.to_dict(), indent=2, ensure_ascii=False))
        return 0
    print(f"Story {view.story.id}: {view.story.title}")
    print(f"{view.story.size} articles, {view.origins.summary}")
    for m in view.members:
        print(f"  {m.published[:10] or 'undated':<10}  {m.outlet or '-':<24}  {m.title}")
    if view.conflicts:
        print("Conflicts between outlets:")
        for shared in view.conflicts:
            print(f"  - {shared.text}: {shared.agreement}")
    return 0


def _find_coverage(storage: Storage, story_id: int, *, as_json: bool, fresh: bool) -> int:
    from ..settings import get_settings
    from .coverage import find_story_coverage

    found = find_story_coverage(storage, story_id, settings=get_settings(), fresh=fresh)
    for note in found.coverage.notes:
        print(f"note: {note} (the list may be incomplete)", file=sys.stderr)
    failed = found.coverage.searches_failed and not found.candidates
    if failed:  # nothing found because nothing could be asked: no finding, and a script must not read it as one
        print("error: every search for other coverage failed; try again later", file=sys.stderr)
    if as_json:
        print(json.dumps(found.to_dict(), indent=2, ensure_ascii=False))
        return 1 if failed else 0
    print(f"other coverage of story {story_id} (searched from analysis {found.searched_from}: {found.coverage.query}); "
          f"{found.left_out} found already in the story")
    if not found.candidates and not failed:
        print("no other outlet's article found that the story does not hold")
    for number, item in enumerate(found.candidates, start=1):
        story = found.story_of(item)
        where = f"  [in library: {item.stored_id}{f', story {story}' if story else ''}]" if item.stored_id else ""
        print(f"{number:>3}. {item.outlet:<28} {item.published or 'date unknown':<12} {item.title[:70]}{where}\n"
              f"     {item.url or 'no address'}  ({item.found_by})")
    return 1 if failed else 0
