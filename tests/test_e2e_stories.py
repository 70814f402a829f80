"""End-to-end: the Story and Outlet pages (issue 31) in the real dashboard (Debian's chromium, Playwright) at 1024
and 1440 px, on the three-outlet story of testkit/story_world.py and the Eastside Weekly's copy of the Ledger's
report. Full-page screenshots land in ``out/screenshots/story-*.png`` and ``outlet-*.png`` for a person to look at."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest

from core.settings import Settings
from core.storage import Storage
from testkit import story_world as world
from testkit.dashboard import running_dashboard
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


@pytest.fixture(scope="module")
def story_dashboard(tmp_path_factory):
    home = tmp_path_factory.mktemp("e2e-stories-home")
    storage = Storage(Settings(home=home).db_path)
    ids = store_world_story(storage)
    storage.feeds.add("https://courier.example/feed.xml")  # followed and covering the story
    storage.feeds.add("https://www.gazette.example/rss")  # followed, a blindspot
    storage.followed.add("Northern Herald")  # followed in Settings, a blindspot
    storage.followed.add("Metro Post")  # followed in Settings, covering the story
    story_id = storage.stories.story_of(world.COURIER.url)
    with running_dashboard(home, {"CROSSCHECK_SOURCES": "library"}, worker=False) as base:
        yield base, storage, story_id, ids


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
    base, storage, story_id, ids = story_dashboard
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
