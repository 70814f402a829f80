"""Full-page screenshots of the three-outlet story (testkit/story_world.py) in the real dashboard, for a person to look at.

The Arlenburg Courier's, Westmark Ledger's and Metro Post's articles are analysed into a temporary library
(first each alone, then each again with the library source, so that every article is checked against the
other two, as issue 27 asks). Then the Eastside Weekly's light rewrite of the Ledger's report (``REPRINT``) is
stored and the Metro Post checked once more, so that the claims the Ledger and its copy bear on read
"3 outlets, 2 independent origins" and say which copy was merged. The dashboard (testkit/dashboard.py, as
the browser tests start it) is then opened on that library in Debian's chromium and photographed at 1024
and 1440 px wide:

- ``metro-<width>.png`` and ``courier-<width>.png``: the analysis, every claim card with evidence opened;
- ``metro-copy-<width>.png``: the Metro Post checked with the copy in the library;
- ``compare-<width>.png``: the three articles side by side (``/compare?ids=…``);
- ``evidence-<width>.png``: the Evidence explorer over the library (its passages under their claims);
- ``evidence-table-<width>.png``: its Table tab; ``evidence-leaning-<width>.png``: only what did not count.

The exports are written beside them, as the Library's download buttons make them: ``story.pdf`` (the three
articles' comparison report), ``story.csv`` and ``story.md``, and ``metro-copy.pdf``, ``.csv`` and ``.md`` (the
Metro Post's report with the copy in the library). Look at a PDF's pages with ``pdftoppm -png -r 70 story.pdf story-page``.

Run from the repository root (takes a few minutes on a slow machine)::

    PYTHONPATH=$PWD .venv/bin/python scripts/screenshots_story.py [--out /tmp/shots]

Needs /usr/bin/chromium (Debian's package) and the ``playwright`` package; never ``playwright install``.
"""
from __future__ import annotations

import argparse
import logging
import tempfile
from pathlib import Path

from playwright.sync_api import Page, expect, sync_playwright

from core import pipeline
from core.records import Article
from core.reports.exports import export_bytes
from core.storage import Storage
from testkit import crosscheck_eval as ev
from testkit import story_world as world
from testkit.dashboard import running_dashboard

CHROMIUM = "/usr/bin/chromium"
# The flags the browser tests use (tests/test_e2e.py).
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
WIDTHS = (1024, 1440)
# The Metro Post: its figures contradicted; the Courier: disputed, leaning passages; the Metro Post with the copy.
PHOTOGRAPHED = ("metro", "courier", "metro-copy")

log = logging.getLogger(__name__)


def store_story(home: Path) -> dict[str, str]:
    """The three articles in a library under ``home``, each re-analysed against the other two; their stored ids."""
    settings = ev.eval_settings(home)
    storage = Storage(settings.database)
    articles = ev.world_articles()
    for article in articles.values():  # each alone first, so that each check finds the other two in the library
        pipeline.analyze(pipeline.ArticleInput(article), engine=ev.ENGINE, sources=(), settings=settings, storage=storage)
    ids = {}
    for key, article in articles.items():
        log.info("checking %s against the library", key)
        ids[key] = pipeline.analyze(pipeline.ArticleInput(article), engine=ev.ENGINE, sources=ev.SOURCES,
                                    settings=settings, storage=storage).id
    reprint = world.REPRINT
    copy = Article(text=reprint.text, url=reprint.url, title=reprint.title, outlet=reprint.outlet, language="en",
                   published=reprint.published.isoformat())
    pipeline.analyze(pipeline.ArticleInput(copy), engine=ev.ENGINE, sources=(), settings=settings, storage=storage)
    log.info("checking metro against the library with the Ledger's copy in it")
    ids["metro-copy"] = pipeline.analyze(pipeline.ArticleInput(articles["metro"]), engine=ev.ENGINE, sources=ev.SOURCES,
                                         settings=settings, storage=storage).id
    return ids


def wait_for_app(page: Page) -> None:
    """Until the page's script has drawn its title and stopped running, and its tables and charts have drawn."""
    page.wait_for_selector("[data-testid='stMain'] h1", timeout=90_000)
    page.wait_for_function("!document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=90_000)
    page.wait_for_function("!document.querySelector('[data-testid=\"stSkeleton\"]')", timeout=30_000)


# Streamlit scrolls its main area inside the page, so a "full page" screenshot is one screen high: the window
# is made as tall as that area's content instead.
CONTENT_HEIGHT_JS = """() => Math.max(document.documentElement.scrollHeight,
    ...[...document.querySelectorAll('[data-testid="stMain"], [data-testid="stAppViewContainer"]')]
        .map(e => e.scrollHeight))"""


def shoot(page: Page, path: Path) -> None:
    width, height = page.viewport_size["width"], 0
    for _ in range(5):  # a taller window may draw more (charts, lazy parts): grow it until the content fits
        needed = page.evaluate(CONTENT_HEIGHT_JS)
        if needed <= height:
            break
        height = needed
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(1000)
    page.mouse.move(0, 0)
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size({"width": width, "height": 1000})
    log.info("wrote %s", path)


# The claim cards still closed: expanders whose own <details> is not open and whose label is a claim's,
# "<verdict> · <claim>" (not the article text's or the "Analyze another article" form's).
CLOSED_CARDS_JS = """() => [...document.querySelectorAll('[data-testid="stExpander"]')]
    .map((e, i) => [i, e.querySelector('details')])
    .filter(([i, d]) => d && !d.open && d.querySelector('summary').innerText.includes(' · '))
    .map(([i]) => i)"""
OPEN_JS = """i => document.querySelectorAll('[data-testid="stExpander"]')[i].querySelector('details').open"""
ALL_CARDS_SHOWN_JS = """() => document.querySelectorAll('.evidence-cards').length > 0
    && [...document.querySelectorAll('.evidence-cards')].every(e => e.offsetParent !== null)"""


def open_claims_with_evidence(page: Page) -> None:
    """Show all claims, then open every claim card and its "+ N more" cards (a card without evidence says so in one line)."""
    toggle = page.get_by_text("Show all", exact=False).filter(has_text="claims")
    if toggle.count():
        toggle.first.click()
        wait_for_app(page)
    expanders = page.locator("[data-testid='stExpander']")
    for _ in range(20):  # a rerun may redraw the cards while they are opened: look again until none is closed
        closed = page.evaluate(CLOSED_CARDS_JS)
        if not closed:
            break
        expanders.nth(closed[0]).locator("summary").first.click()
        # An expander is marked open only after it has slid open: looking again earlier would click it shut.
        page.wait_for_function(OPEN_JS, arg=closed[0], timeout=10_000)
        wait_for_app(page)
    more = page.locator(".evidence-cards details:not([open]) > summary")
    while more.count():
        more.first.click()
    page.wait_for_function(ALL_CARDS_SHOWN_JS, timeout=30_000)


def photograph(base: str, ids: dict[str, str], out: Path) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for width in WIDTHS:
            context = browser.new_context(viewport={"width": width, "height": 1000})
            page = context.new_page()
            page.set_default_timeout(60_000)
            for key in PHOTOGRAPHED:
                page.goto(f"{base}/?analysis={ids[key]}")
                wait_for_app(page)
                open_claims_with_evidence(page)
                shoot(page, out / f"{key}-{width}.png")
            page.goto(f"{base}/compare?ids={','.join(ids[k] for k in ('courier', 'ledger', 'metro'))}")
            wait_for_app(page)
            # The last heading: the claims are matched under a spinner after "Shared claims" is drawn.
            expect(page.get_by_text("Claims only one article makes").first).to_be_visible(timeout=120_000)
            wait_for_app(page)
            shoot(page, out / f"compare-{width}.png")
            page.goto(f"{base}/evidence")
            wait_for_app(page)
            shoot(page, out / f"evidence-{width}.png")
            page.get_by_role("tab", name="Table").click()
            shoot(page, out / f"evidence-table-{width}.png")
            page.goto(f"{base}/evidence?counted=no&stance=supports&stance=refutes")
            wait_for_app(page)
            shoot(page, out / f"evidence-leaning-{width}.png")
            context.close()
        browser.close()


def write_exports(storage: Storage, ids: dict[str, str], out: Path) -> None:
    """The story's comparison report, CSV and Markdown, and the Metro Post's with the copy in the library."""
    story = [storage.get(ids[key]) for key in ("courier", "ledger", "metro")]
    files = {"story.pdf": (story, "pdf"), "story.csv": (story, "csv"), "story.md": (story, "md"),
             **{f"metro-copy.{fmt}": ([storage.get(ids["metro-copy"])], fmt) for fmt in ("pdf", "csv", "md")}}
    for name, (analyses, fmt) in files.items():
        (out / name).write_bytes(export_bytes(analyses, fmt, reviews=storage.reviews.get_many([a.id for a in analyses])))
        log.info("wrote %s", out / name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("/tmp/shots"), help="folder for the PNGs (default /tmp/shots)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="crosscheck-shots-") as folder:
        home = Path(folder)
        ids = store_story(home)
        log.info("stored %s", ids)
        write_exports(Storage(ev.eval_settings(home).database), ids, args.out)
        with running_dashboard(home, {"CROSSCHECK_SOURCES": "library", "CROSSCHECK_OFFLINE": "true"},
                               worker=False) as base:
            photograph(base, ids, args.out)


if __name__ == "__main__":
    main()
