"""End-to-end, in Debian's chromium: a claim checked against web, Wikipedia and a published fact-check, and a story's
other coverage analysed as a batch and compared. The services are loopback fakes the settings point at.

Screenshots at 1440 px land in ``out/screenshots/`` (evidence-claim.png, coverage-compare.png) for a person to look at.
"""
from __future__ import annotations

import re

import pytest

from testkit.articles import PARAGRAPHS, TITLE
from testkit.fake_search import FakeDdgs
from testkit.fake_services import FakeFactCheck, FakeGdelt, FakeSite, FakeWikipedia, running
from testkit.dashboard import running_dashboard
from tests.test_e2e import CHROMIUM, SHOTS, expect, find_and_tick, settle, wait_for_app

pytestmark = pytest.mark.e2e

OTHERS = {"Riverside Courier": ["The city council voted 7 to 2 on Monday to close the Eastside public library by the end of "
                                "the year, officials confirmed.",
                                "Officials said the closure would save about 1.2 million dollars annually.",
                                "Parents gathered outside the building on Tuesday to protest against the decision."],
          "Harbour Times": ["Councillors voted 7 to 2 to shut the Eastside public library by the end of the year.",
                            "The budget office said the closure would save about 1.2 million dollars annually.",
                            "The library has served the district since 1961 and lends 40,000 books a year."]}


@pytest.fixture(scope="module")
def services():
    sites = [FakeSite("Morning Post", host="127.0.0.2")] + [FakeSite(o, host=f"127.0.0.{3 + i}") for i, o in enumerate(OTHERS)]
    with running(FakeWikipedia(), FakeDdgs(), FakeFactCheck(), FakeGdelt(min_interval=1.0), *sites) as started:
        wikipedia, ddgs, factcheck, gdelt, post, *others = started
        story = post.add_article("/eastside", TITLE, PARAGRAPHS)
        for site in others:
            url = site.add_article("/eastside-library", f"{TITLE}: {site.outlet}", OTHERS[site.outlet])
            ddgs.add_result(url, f"{TITLE} - {site.outlet}", OTHERS[site.outlet][0])
            gdelt.add_article(url, f"{TITLE}: {site.outlet}", domain=site.host)
        wikipedia.add_page("Eastside Library", "The Eastside Library is a public library of the city, opened in 1961. "
                           "In March the city council voted 7 to 2 to close the Eastside public library by the end of the "
                           "year. Officials said the closure would save about 1.2 million dollars annually.")
        factcheck.add_review("The closure of the Eastside library would save about 1.2 million dollars annually",
                             publisher="PolitiFact",
                             site="politifact.example", url="https://www.politifact.example/factchecks/eastside-library/",
                             rating="False", claimant="City budget office", title="No, closing the library saves far less")
        yield {"story": story, "wikipedia": wikipedia, "ddgs": ddgs, "factcheck": factcheck, "gdelt": gdelt}


@pytest.fixture(scope="module")
def dashboard(services, tmp_path_factory):
    home = tmp_path_factory.mktemp("e2e-evidence-home")
    settings = {
        "CROSSCHECK_ALLOW_PRIVATE_URLS": "true",
        "CROSSCHECK_WIKIPEDIA_API_URL": services["wikipedia"].api_url, "CROSSCHECK_DDGS_GATEWAY_URL": services["ddgs"].base_url,
        "CROSSCHECK_FACTCHECK_API_URL": services["factcheck"].api_url, "GOOGLE_FACTCHECK_API_KEY": services["factcheck"].api_key,
        "CROSSCHECK_GDELT_API_URL": services["gdelt"].api_url, "CROSSCHECK_GDELT_MIN_INTERVAL": "1",
    }
    with running_dashboard(home, settings) as base:
        yield base


@pytest.fixture
def page():
    from playwright.sync_api import sync_playwright

    from tests.test_e2e import CHROMIUM_ARGS

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1440, "height": 1800})
        page = context.new_page()
        page.set_default_timeout(60_000)
        yield page
        browser.close()


def test_a_claim_with_web_wikipedia_and_fact_check_evidence(dashboard, services, page):
    page.goto(f"{dashboard}/")
    wait_for_app(page)
    page.get_by_label("Article URL").fill(services["story"])
    page.get_by_label("Article URL").press("Enter")
    page.get_by_role("button", name="Analyze").click()
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible(timeout=180_000)
    expander = page.locator("[data-testid='stExpander']").filter(
        has=page.locator("summary", has_text="1.2 million")).first
    expander.locator("summary").click()
    cards = expander.locator(".evidence-cards")
    expect(cards).to_be_visible()
    text = cards.inner_text()
    assert "PolitiFact rates it “False”" in text and "Wikipedia" in text and "Web" in text, text
    settle(page)
    expander.scroll_into_view_if_needed()
    box = expander.bounding_box()
    page.screenshot(path=str(SHOTS / "evidence-claim.png"),
                    clip={"x": box["x"] - 16, "y": box["y"] - 16, "width": box["width"] + 32, "height": box["height"] + 32})


def test_other_coverage_analysed_as_a_batch_opens_in_compare(dashboard, services, page):
    page.goto(f"{dashboard}/library")
    wait_for_app(page)
    find_and_tick(page, TITLE)
    page.get_by_role("button", name="Find other coverage").click()
    expect(page.get_by_text(re.compile(r"2 other outlets"))).to_be_visible(timeout=60_000)
    page.get_by_role("button", name=re.compile(r"Analyse 2 as a batch")).click()
    expect(page.get_by_text(re.compile(r"2 analysed"))).to_be_visible(timeout=240_000)
    page.get_by_role("button", name="Open side by side in Compare").click()
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Compare articles")).to_be_visible()
    expect(page.get_by_text("Shared claims")).to_be_visible(timeout=120_000)
    settle(page)
    page.screenshot(path=str(SHOTS / "coverage-compare.png"), full_page=True)
