"""End-to-end review: an analyst overrides a verdict in the real dashboard (Debian's chromium, Playwright),
at 1024 and 1440 px; screenshots land in ``out/screenshots/review-*.png`` for a person to look at."""
from __future__ import annotations

import re

import pytest

from core.settings import Settings
from core.storage import Storage
from testkit.factories import make_analysis
from testkit.dashboard import running_dashboard
from tests.test_e2e import SHOTS, browser, choose_option, expect, settle, wait_for_app  # noqa: F401 (browser: a fixture)

pytestmark = pytest.mark.e2e

ANALYST = "E2E Analyst"


@pytest.fixture(scope="module")
def review_dashboard(tmp_path_factory):
    """The dashboard with an analyst's name set (CROSSCHECK_ANALYST_NAME): no sign-in is configured."""
    home = tmp_path_factory.mktemp("e2e-review-home")
    with running_dashboard(home, {"CROSSCHECK_SOURCES": "library", "CROSSCHECK_ANALYST_NAME": ANALYST}, worker=False) as base:
        yield base, Storage(Settings(home=home).db_path)


@pytest.mark.parametrize("width", [1024, 1440])
def test_review_an_analyst_overrides_a_verdict_in_the_browser(review_dashboard, browser, width):  # noqa: F811
    base, storage = review_dashboard
    analysis_id = f"e2ereview{width}"
    storage.save(make_analysis(id=analysis_id, title="Council budget under review"))  # claim c2: single source
    context = browser.new_context(viewport={"width": width, "height": 1400})
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        page.goto(f"{base}/?analysis={analysis_id}")
        wait_for_app(page)
        expect(page.get_by_text(f"Reviewing as {ANALYST}")).to_be_visible()
        card = page.locator("[data-testid='stExpander']").filter(has=page.locator("summary", has_text="Claim number 2:"))
        card.locator("summary").click()
        card.get_by_text("Review this claim").click()
        wait_for_app(page)
        expect(card.get_by_label("Analyst verdict")).to_be_visible()
        choose_option(page, card.get_by_label("Analyst verdict"), re.compile("Contradicted"))
        card.get_by_label("Reason (needed to override)").first.fill("The ministry denied the figure on 2 May.")
        card.get_by_role("button", name="Save verdict review").click()
        wait_for_app(page)
        marked = card.get_by_text(re.compile(r"Analyst: contradicted \(machine: single source\) — The ministry denied"))
        expect(marked).to_be_visible()
        expect(card.locator("summary")).to_contain_text("Analyst: Contradicted")
        page.get_by_role("button", name="Mark reviewed").click()
        wait_for_app(page)
        expect(page.get_by_text(f"Reviewed by {ANALYST}").first).to_be_visible()
        (decision,) = storage.reviews.get(analysis_id).decisions
        assert (decision.machine_value, decision.analyst_value, decision.reviewer) == ("single_source", "contradicted", ANALYST)
        settle(page)
        card.scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / f"review-claim-{width}.png"))
        page.get_by_text(f"Reviewed by {ANALYST}").first.scroll_into_view_if_needed()
        settle(page)
        page.screenshot(path=str(SHOTS / f"review-panel-{width}.png"))
        page.goto(f"{base}/settings")
        wait_for_app(page)
        expect(page.get_by_role("heading", name="Analyst review")).to_be_visible()
        page.get_by_role("button", name=re.compile("Reviewed items")).scroll_into_view_if_needed()
        settle(page)
        page.screenshot(path=str(SHOTS / f"review-settings-{width}.png"))
    finally:
        context.close()
