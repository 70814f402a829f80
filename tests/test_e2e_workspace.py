"""End-to-end, at 1024 and 1440 px wide: the analyst's workspace (issue 22).

Every path saves a screenshot named with its width in ``out/screenshots/`` for a person to look at.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from testkit.factories import make_analysis
from tests.test_e2e import SHOTS, browser, dashboard, find_and_tick, settle, wait_for_app  # noqa: F401 (fixtures)

pytestmark = pytest.mark.e2e

WIDTHS = (1024, 1440)


@pytest.fixture(params=WIDTHS, ids=[f"{w}px" for w in WIDTHS])
def sized_page(browser, request):  # noqa: F811
    context = browser.new_context(viewport={"width": request.param, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(60_000)
    yield page, request.param
    context.close()


def shoot(page: Page, name: str, width: int) -> None:
    """The whole page: the app scrolls inside its main area, so the window grows to its height for the picture."""
    settle(page)
    height = page.evaluate("Math.max(...[...document.querySelectorAll('[data-testid=stMain] *')].slice(0, 50)"
                           ".map(e => e.scrollHeight), window.innerHeight)")
    size = page.viewport_size
    page.set_viewport_size({"width": width, "height": min(int(height) + 100, 8000)})
    settle(page)
    page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size(size)


def no_exception(page: Page) -> None:
    assert page.locator("[data-testid='stException']").count() == 0


def test_example_article_to_result(dashboard, sized_page):
    base, _storage = dashboard
    page, width = sized_page
    page.goto(f"{base}/")
    wait_for_app(page)
    expect(page.get_by_text("persuasion techniques")).to_be_visible()
    shoot(page, "analyze-empty", width)
    page.get_by_role("button", name="Try the example article").click()
    expect(page.get_by_role("heading", name="Riverside council approves bus fare rise despite protests")).to_be_visible(timeout=180_000)
    assert "analysis=" in page.url
    expect(page.get_by_text("Analyze another article")).to_be_visible()
    # The example is ordinary local news: no technique is found, so nothing is marked until all are shown.
    page.get_by_text("Article text with highlighted passages").click()
    expect(page.get_by_text("No passage of a found technique to mark.")).to_be_visible()
    page.get_by_text("Show all techniques", exact=True).click()
    wait_for_app(page)
    expect(page.locator(".technique-legend")).to_be_visible()
    no_exception(page)
    shoot(page, "analyze-example", width)


def test_library_select_open_history_diff_delete(dashboard, sized_page):
    base, storage = dashboard
    page, width = sized_page
    key = f"https://lib{width}.example/story"
    storage.save(make_analysis(id=f"old{width}", title=f"Library story at {width}", url=key, claims=[
        "The council spent 3 million dollars on roads in 2024.", "Bus ridership fell by 12 percent."],
        created_at="2030-01-01T09:00:00+00:00"))
    storage.save(make_analysis(id=f"new{width}", title=f"Library story at {width}", url=key, claims=[
        "Bus ridership fell by 12 percent.", "A petition against the fare rise has 8,000 signatures."],
        created_at="2030-01-02T09:00:00+00:00", seed=3))
    page.goto(f"{base}/library")
    wait_for_app(page)
    find_and_tick(page, f"Library story at {width}")
    expect(page.get_by_text(re.compile(r"Run history \(2 runs\)"))).to_be_visible()
    expect(page.get_by_text("Claims added")).to_be_visible()
    shoot(page, "library-history", width)
    page.get_by_role("button", name="Delete…").click()
    expect(page.get_by_text(re.compile(f"“Library story at {width}”.*all 2 runs"))).to_be_visible()
    shoot(page, "library-delete", width)
    page.get_by_test_id("stBaseButton-secondary").filter(has_text="Open").click()
    expect(page.get_by_role("heading", name=f"Library story at {width}")).to_be_visible()
    assert f"analysis=new{width}" in page.url
    page.goto(f"{base}/?analysis=old{width}")
    wait_for_app(page)
    expect(page.get_by_text("This is an older run of this article")).to_be_visible()
    shoot(page, "older-run", width)
    page.goto(f"{base}/library")
    wait_for_app(page)
    find_and_tick(page, f"Library story at {width}")
    page.get_by_role("button", name="Delete…").click()
    # The deletion is recorded with who made it (issue 30): the analyst gives a name in the confirmation.
    page.get_by_label("Your name").fill("E2E Analyst")
    page.get_by_label("Your name").press("Enter")
    wait_for_app(page)
    expect(page.get_by_role("button", name="Yes, delete")).to_be_enabled()
    page.get_by_role("button", name="Yes, delete").click()
    wait_for_app(page)
    expect(page.get_by_text(f"Library story at {width}")).to_have_count(0)
    assert storage.summaries(latest_only=False, article_key=key) == []


def test_compare_from_the_address(dashboard, sized_page):
    base, storage = dashboard
    page, width = sized_page
    for index, outlet in enumerate(("Gazette", "Herald", "Tribune")):
        if not storage.exists(f"cmp{index}"):
            storage.save(make_analysis(id=f"cmp{index}", title=f"Council budget story told by the {outlet}", outlet=outlet,
                                       url=f"https://{outlet.lower()}.example/budget", n_claims=3 + index, seed=index))
    page.goto(f"{base}/compare?ids=cmp0,cmp1,cmp2")
    wait_for_app(page)
    expect(page.get_by_text("Shared claim 1", exact=False).first).to_be_visible()
    assert page.get_by_text("None", exact=True).count() == 0
    no_exception(page)
    shoot(page, "compare", width)


def test_claim_deep_link_and_evidence_filters_from_the_address(dashboard, sized_page):
    base, storage = dashboard
    page, width = sized_page
    if not storage.exists("deep"):
        storage.save(make_analysis(id="deep", title="Budget story with many claims", url="https://deep.example/1", n_claims=12,
                                   claims=None))
    page.goto(f"{base}/?analysis=deep&claim=c9")
    wait_for_app(page)
    expect(page.get_by_text("Linked claim")).to_be_visible()
    expect(page.get_by_text("Claim number 9:").first).to_be_in_viewport()
    shoot(page, "claim-link", width)
    page.goto(f"{base}/evidence?stance=refutes")
    wait_for_app(page)
    expect(page.get_by_text(re.compile(r"\d+ of \d+ pieces? of evidence"))).to_be_visible()
    expect(page.get_by_test_id("stMultiSelect").filter(has_text="Stance").get_by_text("Refutes")).to_be_visible()
    no_exception(page)
    shoot(page, "evidence-filtered", width)
