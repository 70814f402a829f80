"""Link-looking text in titles, outlets, authors, notes and names stays text in the real browser (issue 30 item 10).

Streamlit's renderer links 'www.', 'http(s)://' and e-mail addresses it finds in the parsed text, after
Markdown escapes are resolved; components.escape.md_escape breaks those patterns. This test asks
Debian's chromium what the page really holds: no link to any address that only appeared in untrusted text.
"""
from __future__ import annotations

from dataclasses import replace

import pytest

from core.settings import Settings
from core.storage import Storage
from testkit.dashboard import running_dashboard
from testkit.factories import make_analysis
from tests.test_e2e import browser, expect, wait_for_app  # noqa: F401 (browser: a fixture)

pytestmark = pytest.mark.e2e

TITLE = "Council visit www.x-title.example, write to press@x-title.example"


def test_link_looking_text_is_not_linked_in_the_browser(browser, tmp_path):  # noqa: F811
    home = tmp_path / "home"
    home.mkdir()
    storage = Storage(Settings(home=home).db_path)
    analysis = make_analysis(2, id="autolink1", title=TITLE, outlet="desk@x-outlet.example")
    analysis = replace(analysis, article=replace(analysis.article, author="www.x-author.example"))
    storage.save(analysis)
    storage.reviews.add_note("autolink1", "Checked with www.x-note.example and tips@x-note.example",
                             author="editor@x-name.example")
    with running_dashboard(home, {"CROSSCHECK_SOURCES": "library"}, worker=False) as base:
        context = browser.new_context(viewport={"width": 1440, "height": 2200})
        page = context.new_page()
        page.set_default_timeout(60_000)
        try:
            page.goto(f"{base}/?analysis=autolink1")
            wait_for_app(page)
            main = page.locator("[data-testid='stMain']")
            expect(main.get_by_text("Checked with www").first).to_be_visible()
            expect(main.get_by_text("Council visit www").first).to_be_visible()
            hrefs = main.locator("a").evaluate_all("links => links.map(link => link.href)")
            assert not [href for href in hrefs if "x-" in href or href.startswith("mailto:")], hrefs
        finally:
            context.close()
