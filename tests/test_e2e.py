"""End-to-end: the real dashboard in Debian's chromium, driven by Playwright.

Screenshots of every page land in ``out/screenshots/`` for a person to look at.
"""
from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from core.settings import Settings
from core.storage import Storage
from testkit.factories import make_analysis
from testkit.articles import GERMAN_TEXT, PARAGRAPHS, TITLE, WIRE_TEXT, WIRE_TITLE
from testkit.dashboard import running_dashboard
from testkit.local_server import LocalServer, Reply, article_html

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
SHOTS = ROOT / "out" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]

if not Path(CHROMIUM).exists():
    if os.environ.get("CI") == "true":
        raise RuntimeError(f"{CHROMIUM} is missing under CI=true: run `make test` as root so it installs chromium")
    pytest.skip(f"{CHROMIUM} is not installed (Debian package chromium); run `make test` as root", allow_module_level=True)

from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError  # noqa: E402

# Playwright's default of 5 s per expectation fails on a loaded 2-core machine (a rerun of
# the script takes longer than that); every expectation waits this long unless it says otherwise.
EXPECT_TIMEOUT_MS = 30_000
expect.set_options(timeout=EXPECT_TIMEOUT_MS)



@pytest.fixture(scope="module")
def dashboard(tmp_path_factory):
    home = tmp_path_factory.mktemp("e2e-home")
    with running_dashboard(home, {"CROSSCHECK_ALLOW_PRIVATE_URLS": "true", "CROSSCHECK_SOURCES": "library"}) as base:
        yield base, Storage(Settings(home=home).db_path)


@pytest.fixture(scope="module")
def browser():
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser) -> Page:
    context = browser.new_context(viewport={"width": 1400, "height": 2200})
    page = context.new_page()
    page.set_default_timeout(60_000)
    yield page
    context.close()


def wait_for_app(page: Page) -> None:
    """Wait until the page's script has rendered its title and finished running."""
    page.wait_for_selector("[data-testid='stMain'] h1", timeout=90_000)
    page.wait_for_function("!document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=90_000)


def settle(page: Page) -> None:
    """Let tables and charts finish drawing before a screenshot."""
    page.wait_for_function("!document.querySelector('[data-testid=\"stSkeleton\"]')", timeout=30_000)
    page.mouse.move(0, 0)
    page.wait_for_timeout(800)


def choose_option(page: Page, select, name: re.Pattern) -> None:
    """Open a select box and pick an option, until the box shows it: a rerun that lands while it is open closes it,
    and one that lands just after the pick can put the box back (seen once in CI: the review saved the machine's
    verdict)."""
    for attempt in range(3):
        select.click()
        try:
            page.get_by_role("option", name=name).click(timeout=10_000)
        except PlaywrightTimeoutError:
            if attempt == 2:
                raise
            page.keyboard.press("Escape")
            wait_for_app(page)
            continue
        wait_for_app(page)
        if name.search(select.input_value()):
            return
    raise AssertionError(f"the select box did not keep the option {name.pattern!r}")


def find_and_tick(page: Page, title: str) -> None:
    """Search the Library for ``title`` and tick the one row found."""
    search = page.get_by_label("Search title, outlet or URL")
    search.fill(title)
    search.press("Enter")
    wait_for_app(page)
    expect(page.get_by_text(re.compile(r"^1 of \d+ articles?"))).to_be_visible()
    tick_row(page, 0)


def tick_row(page: Page, row: int) -> None:
    """Click the checkbox of a row of the Library table (a canvas: rows are 35 px high under a 35 px header)."""
    table = page.get_by_test_id("stDataFrame").first
    box = table.bounding_box()
    page.mouse.click(box["x"] + 20, box["y"] + 35 + 35 * row + 17)
    wait_for_app(page)


def test_first_visit_to_a_sub_page_uses_the_router(dashboard, page):
    base, _storage = dashboard
    page.goto(f"{base}/settings")
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Settings", exact=True)).to_be_visible()
    navigation = page.get_by_test_id("stSidebarNav")
    expect(navigation.get_by_text("Analyze")).to_be_visible()
    expect(navigation.get_by_text("Evidence")).to_be_visible()
    assert navigation.get_by_text("app", exact=True).count() == 0


def test_analyze_a_local_url_and_open_a_claim_card(dashboard, page):
    base, _storage = dashboard
    with LocalServer() as server:
        server.routes["/story"] = Reply(body=article_html(TITLE, PARAGRAPHS))
        page.goto(f"{base}/")
        wait_for_app(page)
        page.get_by_label("Article URL").fill(server.url("/story"))
        page.get_by_label("Article URL").press("Enter")
        page.get_by_role("button", name="Analyze").click()
        expect(page.get_by_role("heading", name=TITLE)).to_be_visible(timeout=120_000)
    assert "analysis=" in page.url  # the address names the result, for a bookmark
    expect(page.get_by_text("verify before you rely on it").first).to_be_visible()
    cards = page.locator("[data-testid='stExpander'] summary").filter(has_text=re.compile("Unverified|Corroborated|Single source|Disputed|Contradicted"))
    expect(cards.first).to_be_visible()
    cards.first.click()
    expect(page.get_by_text("Why:").first).to_be_visible()
    settle(page)
    page.screenshot(path=str(SHOTS / "analyze.png"), full_page=True)


def _paste_and_analyze(page: Page, base: str, text: str) -> None:
    page.goto(f"{base}/")
    wait_for_app(page)
    page.get_by_text("Paste text", exact=True).click()
    page.get_by_label("Article text (first line is the title)").fill(text)
    page.get_by_label("Article text (first line is the title)").press("Control+Enter")
    page.get_by_role("button", name="Analyze").click()
    # The worker runs the job; the page follows it and shows the result under the address of the analysis.
    page.wait_for_url(re.compile(r"analysis="), timeout=120_000)
    expect(page.get_by_text("verify before you rely on it").first).to_be_visible(timeout=60_000)


def test_an_ordinary_wire_report_headlines_no_technique(dashboard, page):
    base, _storage = dashboard
    _paste_and_analyze(page, base, WIRE_TEXT)
    expect(page.get_by_role("heading", name=WIRE_TITLE)).to_be_visible(timeout=60_000)
    expect(page.get_by_text("No technique stands out against ordinary news")).to_be_visible(timeout=60_000)
    settle(page)
    page.screenshot(path=str(SHOTS / "analyze-ordinary-news.png"), full_page=True)


def test_a_german_article_gets_no_english_model_numbers(dashboard, page):
    base, _storage = dashboard
    _paste_and_analyze(page, base, GERMAN_TEXT)
    expect(page.get_by_text("This article is in German").first).to_be_visible(timeout=60_000)
    expect(page.get_by_text("This analysis has no technique figures")).to_be_visible(timeout=60_000)
    expect(page.get_by_text("the engine did not read the article")).to_be_visible(timeout=60_000)
    settle(page)
    page.screenshot(path=str(SHOTS / "analyze-german.png"), full_page=True)


def test_library_filter_and_compare_two_articles(dashboard, page):
    base, storage = dashboard
    storage.save(make_analysis(id="e2e1", title="Council closes library", outlet="Gazette", url="https://g.example/1"))
    storage.save(make_analysis(id="e2e2", title="Library closure approved", outlet="Herald", url="https://h.example/2", n_claims=2))
    page.goto(f"{base}/library")
    wait_for_app(page)
    expect(page.get_by_text(re.compile(r"\d+ of \d+ articles?"))).to_be_visible()
    settle(page)
    page.screenshot(path=str(SHOTS / "library.png"), full_page=True)
    page.goto(f"{base}/compare")
    wait_for_app(page)
    select = page.get_by_label(re.compile("Articles to compare"))
    for title in ("Council closes library", "Library closure approved"):
        select.click()
        page.get_by_role("option", name=re.compile(title)).click()
        page.keyboard.press("Escape")
        wait_for_app(page)
    expect(page.get_by_text("Shared claims")).to_be_visible(timeout=60_000)  # matching claims embeds them: slow on a loaded machine
    expect(page.get_by_text("Claims only one article makes")).to_be_visible(timeout=60_000)
    settle(page)
    page.screenshot(path=str(SHOTS / "compare.png"), full_page=True)


def test_filter_evidence(dashboard, page):
    base, storage = dashboard
    storage.save(make_analysis(id="e2e3", title="Budget story", outlet="Tribune", url="https://t.example/3"))
    page.goto(f"{base}/evidence")
    wait_for_app(page)
    caption = page.get_by_text(re.compile(r"\d+ of \d+ pieces? of evidence"))
    total = caption.inner_text()
    page.get_by_label("Stance", exact=True).click()
    page.get_by_role("option", name=re.compile("Refutes")).click()
    page.keyboard.press("Escape")
    wait_for_app(page)
    expect(caption).not_to_have_text(total)
    shown, everything = map(int, re.findall(r"\d+", caption.inner_text())[:2])
    assert 0 < shown < everything
    settle(page)
    page.screenshot(path=str(SHOTS / "evidence.png"), full_page=True)
    page.goto(f"{base}/?analysis=e2e3&claim=c2")
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Budget story")).to_be_visible()
    expect(page.get_by_text("Claim number 2:").first).to_be_visible()
    assert page.get_by_text("Page not found").count() == 0


def test_settings_page(dashboard, page):
    base, _storage = dashboard
    page.goto(f"{base}/settings")
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Engines")).to_be_visible()
    expect(page.get_by_role("heading", name="Claude engine cost")).to_be_visible()
    settle(page)
    page.screenshot(path=str(SHOTS / "settings.png"), full_page=True)


def test_no_uncaught_errors_in_the_browser_console(dashboard, page):
    base, _storage = dashboard
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    for path in ("", "library", "compare", "evidence", "settings"):
        page.goto(f"{base}/{path}")
        wait_for_app(page)
        assert not page.locator("[data-testid='stException']").count(), path
    assert not errors, errors


def test_a_hostile_title_is_plain_text_and_the_browser_fetches_nothing_it_names(dashboard, page):
    """Audit item 1: a pasted title made the browser fetch a tracking pixel and draw red text, KaTeX and a link."""
    base, storage = dashboard
    with LocalServer() as tracker:
        tracker.routes["/track.png"] = Reply(body=b"\x89PNG", content_type="image/png")
        pixel = tracker.url("/track.png")
        title = f"![pixel]({pixel}) :red[ALERT] $\\sqrt{{2}}$ [click](javascript:alert(1)) :material/warning:"
        storage.save(make_analysis(id="e2ehostile", title=title, outlet=title, url=f"https://news.example/a b)![x]({pixel})"))
        requested: list[str] = []
        page.on("request", lambda request: requested.append(request.url))
        page.goto(f"{base}/?analysis=e2ehostile")
        wait_for_app(page)
        main = page.get_by_test_id("stMain")
        heading = main.locator("h3").first
        expect(heading).to_contain_text(":material/warning:")
        # Reads as typed; a word joiner (U+2060) after "://" keeps the renderer from making it a link (md_escape).
        assert heading.inner_text().strip().replace("\u2060", "") == title
        settle(page)
        page.screenshot(path=str(SHOTS / "hostile-title.png"))
        assert tracker.hits["/track.png"] == 0
        assert main.locator("img[src*='track.png']").count() == 0 and main.locator(".katex").count() == 0
        assert main.locator("a[href^='javascript']").count() == 0
        assert main.get_by_text("ALERT", exact=True).count() == 0  # no coloured span of its own
    assert not [url for url in requested if "track.png" in url]


def test_pages_ask_no_other_host_for_anything(dashboard, page):
    """Fonts and icons are served by the dashboard itself: an offline install and a privacy-minded newsroom
    want no request to fonts.gstatic.com (the ':material/…:' favicon made one on every page)."""
    base, _storage = dashboard
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    for path in ("", "library", "compare", "evidence", "settings"):
        page.goto(f"{base}/{path}")
        wait_for_app(page)
    settle(page)
    foreign = [url for url in requested if url.startswith("http") and urlsplit(url).hostname != "127.0.0.1"]
    assert foreign == []


def test_the_jobs_page_follows_a_running_batch(dashboard, page):
    base, _storage = dashboard
    with LocalServer() as server:
        # Each page takes a while to arrive, so that the batch is still running when it is looked at.
        for number in range(4):
            server.routes[f"/batch/{number}"] = Reply(body=article_html(f"{TITLE} ({number + 1})", PARAGRAPHS), delay=6.0)
        page.goto(f"{base}/jobs")
        wait_for_app(page)
        page.get_by_label("Article URLs, one per line").fill("\n".join(server.url(f"/batch/{n}") for n in range(4)))
        page.get_by_role("button", name="Queue the batch").click()
        expect(page.get_by_text("Queued 4 analyses")).to_be_visible()
        expect(page.get_by_role("heading", name="Running")).to_be_visible(timeout=60_000)
        expect(page.get_by_role("heading", name="Queued")).to_be_visible()
        settle(page)
        page.screenshot(path=str(SHOTS / "jobs-running-batch.png"), full_page=True)
        expect(page.get_by_role("heading", name="Finished")).to_be_visible(timeout=240_000)
