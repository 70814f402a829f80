"""End-to-end: the Story and Outlet pages (issue 31) in the real dashboard (Debian's chromium, Playwright) at 1024
and 1440 px, on the three-outlet story of testkit/story_world.py and the Eastside Weekly's copy of the Ledger's
report. Full-page screenshots land in ``out/screenshots/story-*.png`` and ``outlet-*.png`` for a person to look at;
``story-coverage-*.png`` and ``story-coverage-failed-*.png`` show the Story page's "Find other coverage" panel after
a search of the fake GDELT and web search (loopback, testkit/fake_services.py) found articles, and after both failed."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest

from core.engine_usage import EngineInfo
from core.records import Analysis, Article
from core.settings import Settings
from core.sources import library
from core.storage import Storage
from testkit import story_world as world
from testkit.dashboard import running_dashboard
from testkit.fake_search import FakeDdgs
from testkit.fake_services import FakeGdelt, running
from testkit.stories import store_world_story
from tests.test_e2e import SHOTS, browser, expect, settle, wait_for_app  # noqa: F401 (browser: a fixture)

pytestmark = pytest.mark.e2e

# Streamlit scrolls its main area inside the page: the window is made as tall as that area's content instead.
CONTENT_HEIGHT_JS = """() => Math.max(document.documentElement.scrollHeight,
    ...[...document.querySelectorAll('[data-testid="stMain"], [data-testid="stAppViewContainer"]')]
        .map(e => e.scrollHeight))"""
# Anything wider than the main area (a table or line running off the right edge) scrolls it sideways.
OVERFLOW_JS = """() => { const main = document.querySelector('[data-testid="stMain"]');
    return main.scrollWidth - main.clientWidth; }"""
# A story of its own, searched while every search fails.
LIBRARY_URL = "https://www.eastsidegazette.example/library"
LIBRARY_TITLE = "Council votes to close Eastside library"
LIBRARY_STORY = ("The city council voted 7 to 2 on Monday to close the Eastside public library by the end of the year. "
                 "Officials said the closure would save about 1.2 million dollars annually, according to the budget "
                 "office. Parents gathered outside the building on Tuesday to protest against the decision.")
# The panel's table of what was found: the first table after its caption (a dataframe draws its cells on a canvas).
COVERAGE_TABLE = ("[data-testid='stElementContainer']:has-text('not in this story') ~ "
                  "[data-testid='stElementContainer'] [data-testid='stDataFrame']")
# Other outlets' articles on the tram story that the fake GDELT and web search return: long titles and addresses,
# and one title that looks like Markdown and HTML (it must show as text).
FOUND = [
    (("https://www.northern-herald.example/news/2026/06/10/arlenburg-council-approves-eastern-tram-extension-to-"
      "kessel-and-marwitz-after-three-hour-debate"),
     ("Arlenburg approves eastern tram extension to Kessel and Marwitz after a three-hour debate in the city "
      "council"), "gdelt"),
    ("https://gazette.example/a/tram", "**Tram** <b>extension</b> [approved](https://evil.example) in Arlenburg",
     "gdelt"),
    ("https://www.valleyvoice.example/region/arlenburg-tram-line-4-extension-budget-412-million-euros",
     "Tram line 4: Arlenburg's €412 million extension explained", "web"),
]


@pytest.fixture(scope="module")
def story_dashboard(tmp_path_factory):
    home = tmp_path_factory.mktemp("e2e-stories-home")
    storage = Storage(Settings(home=home).db_path)
    ids = store_world_story(storage)
    storage.feeds.add("https://courier.example/feed.xml")  # followed and covering the story
    storage.feeds.add("https://www.gazette.example/rss")  # followed, a blindspot
    storage.followed.add("Northern Herald")  # followed in Settings, a blindspot
    storage.followed.add("Metro Post")  # followed in Settings, covering the story
    library_article = Article(text=LIBRARY_TITLE + "\n\n" + LIBRARY_STORY, url=LIBRARY_URL, title=LIBRARY_TITLE,
                              outlet="Eastside Gazette", language="en", published="2026-06-12")
    storage.save(Analysis(id="e2elibrary01", created_at="2026-06-12T09:00:00+00:00", article=library_article,
                          engine=EngineInfo("local")), index=library.index_sentences(library_article))
    story_id = storage.stories.story_of(world.COURIER.url)
    with running(FakeGdelt(), FakeDdgs()) as (gdelt, ddgs):
        for url, title, found_by in FOUND:
            if found_by == "gdelt":
                gdelt.add_article(url, title, domain=url.split("/")[2])
            else:
                ddgs.add_result(url, title, "Arlenburg's council voted 31 to 14 for the eastern tram extension.")
        services = {"CROSSCHECK_SOURCES": "library", "CROSSCHECK_ALLOW_PRIVATE_URLS": "true",
                    "CROSSCHECK_GDELT_API_URL": gdelt.api_url, "CROSSCHECK_GDELT_MIN_INTERVAL": "0.2",
                    "CROSSCHECK_DDGS_GATEWAY_URL": ddgs.base_url, "CROSSCHECK_DDGS_BACKENDS": "duckduckgo,mojeek,brave"}
        with running_dashboard(home, services, worker=False) as base:
            yield base, storage, story_id, ids, gdelt, ddgs


def full_page(page, path: Path) -> None:
    width, height = page.viewport_size["width"], 0
    for _ in range(5):  # a taller window may draw more (tables): grow it until the content fits
        needed = page.evaluate(CONTENT_HEIGHT_JS)
        if needed <= height:
            break
        height = needed
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(800)
    settle(page)
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size({"width": width, "height": 1000})


@pytest.mark.parametrize("width", [1024, 1440])
def test_story_and_outlet_pages_in_the_browser(story_dashboard, browser, width):  # noqa: F811
    base, storage, story_id, ids, _, _ = story_dashboard
    context = browser.new_context(viewport={"width": width, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        page.goto(f"{base}/story")
        wait_for_app(page)
        expect(page.get_by_text("Each story gathers the articles")).to_be_visible()
        full_page(page, SHOTS / f"story-list-{width}.png")

        page.goto(f"{base}/story?id={story_id}")
        wait_for_app(page)
        expect(page.get_by_role("heading", name=world.COURIER.title)).to_be_visible()
        expect(page.get_by_text("Claims across outlets")).to_be_visible()
        expect(page.get_by_text("Figures differ").first).to_be_visible(timeout=120_000)
        wait_for_app(page)
        main = page.locator("[data-testid='stMain']")
        for outlet in ("Arlenburg Courier", "Westmark Ledger", "Metro Post", "Eastside Weekly"):
            expect(main.locator("strong", has_text=outlet).first).to_be_visible()  # the Outlets line, in bold
            expect(main.get_by_role("link", name=outlet)).to_be_visible()  # its profile, under its techniques
        expect(page.get_by_text("with no article in this story: Northern Herald, gazette.example")).to_be_visible()
        expect(page.get_by_text("Figures differ")).to_have_count(4)  # cost, start, state share, vote
        expect(page.get_by_text("€385m").first).to_be_visible()
        page.get_by_text("Correct this story").click()
        expect(page.get_by_label("Your name")).to_be_visible()
        assert page.evaluate(OVERFLOW_JS) <= 0, "the Story page runs off the right edge"
        full_page(page, SHOTS / f"story-{width}.png")

        page.goto(f"{base}/outlet?name={quote(world.METRO.outlet)}")
        wait_for_app(page)
        expect(page.get_by_role("heading", name=world.METRO.outlet)).to_be_visible()
        expect(page.get_by_text("rests on 1 article")).to_be_visible()
        page.get_by_role("button", name="Compare its claims with other outlets").click()
        expect(page.get_by_text("On 1 story:")).to_be_visible(timeout=120_000)
        wait_for_app(page)
        assert page.evaluate(OVERFLOW_JS) <= 0, "the Outlet page runs off the right edge"
        full_page(page, SHOTS / f"outlet-{width}.png")
        page.goto(f"{base}/settings")
        wait_for_app(page)
        expect(page.get_by_role("button", name="Unfollow")).to_have_count(2)
        page.get_by_role("heading", name="Followed outlets").scroll_into_view_if_needed()
        settle(page)
        page.screenshot(path=str(SHOTS / f"settings-followed-{width}.png"))
    finally:
        context.close()


@pytest.mark.parametrize("width", [1024, 1440])
def test_find_other_coverage_on_the_story_page(story_dashboard, browser, width):  # noqa: F811
    base, storage, story_id, _, gdelt, ddgs = story_dashboard
    other_story = storage.stories.story_of(LIBRARY_URL)
    gdelt.heal()
    ddgs.heal()
    context = browser.new_context(viewport={"width": width, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        page.goto(f"{base}/story?id={story_id}")
        wait_for_app(page)
        expect(page.get_by_text("Figures differ").first).to_be_visible(timeout=120_000)
        page.get_by_role("button", name="Find other coverage").click()
        expect(page.get_by_text("3 articles not in this story")).to_be_visible(timeout=120_000)
        wait_for_app(page)
        table = page.locator(COVERAGE_TABLE).first
        table.scroll_into_view_if_needed()
        expect(table).to_be_visible()
        box, main = table.bounding_box(), page.locator("[data-testid='stMain']").bounding_box()
        assert box and main and box["x"] + box["width"] <= main["x"] + main["width"] + 1, "the table runs off the right"
        # Every column shows: the grid does not scroll sideways (columns cut at its right edge).
        assert table.locator(".dvn-scroller").evaluate("e => e.scrollWidth - e.clientWidth") <= 1, "columns are cut"
        expect(page.get_by_text("Articles to analyse and add")).to_be_visible()
        assert page.evaluate(OVERFLOW_JS) <= 0, "the coverage panel runs off the right edge"
        full_page(page, SHOTS / f"story-coverage-{width}.png")

        # Another story, so that the tram story's answers (cached) are not simply found again.
        gdelt.fail(503)
        for backend in ("duckduckgo", "mojeek", "brave"):
            ddgs.throttle(backend, 503)
        page.goto(f"{base}/story?id={other_story}")
        wait_for_app(page)
        expect(page.get_by_role("heading", name=LIBRARY_TITLE)).to_be_visible()
        page.get_by_role("button", name="Find other coverage").click()
        failed = page.get_by_test_id("stAlertContentError").filter(has_text="Every search for other coverage failed")
        expect(failed).to_be_visible(timeout=120_000)
        wait_for_app(page)
        assert "GDELT" in failed.inner_text() and ".;" not in failed.inner_text()
        expect(page.locator(COVERAGE_TABLE)).to_have_count(0)
        assert page.evaluate(OVERFLOW_JS) <= 0, "the failed search's message runs off the right edge"
        full_page(page, SHOTS / f"story-coverage-failed-{width}.png")
    finally:
        context.close()
