"""End-to-end, at 1024 and 1440 px wide: the Evidence page's passages are on screen and read in full (issue 30: the
snippet column was off-screen at both widths), counted apart from leaning (issue 27).

Screenshots ``evidence-explorer-<width>.png`` land in ``out/screenshots/`` for a person to look at.
"""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.test_e2e import SHOTS, browser, dashboard, settle, wait_for_app  # noqa: F401 (fixtures)
from tests.test_e2e_workspace import sized_page  # noqa: F401 (fixture)
from tests.test_pages_evidence_explorer import LEANING, story

pytestmark = pytest.mark.e2e

PASSAGE = "The extension will cost €412 million, according to the final budget."


def test_the_passages_read_in_full_on_screen(dashboard, sized_page):  # noqa: F811
    base, storage = dashboard
    page, width = sized_page
    if not storage.exists("metro"):
        storage.save(story())
    page.goto(f"{base}/evidence?article=metro")
    wait_for_app(page)
    passage = page.get_by_text(PASSAGE, exact=False).first
    expect(passage).to_be_visible()
    box = passage.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width  # wraps inside the window
    expect(page.get_by_text(LEANING).first).to_be_visible()
    expect(page.locator(".evidence.counted")).to_have_count(1)
    settle(page)
    page.screenshot(path=str(SHOTS / f"evidence-explorer-{width}.png"), full_page=True)
