"""The Compare page on the three-outlet world (testkit/story_world.py), through Streamlit's AppTest: every disputed
point is one shared claim naming each outlet's figure (issue 27)."""
from __future__ import annotations

from streamlit.testing.v1 import AppTest

from testkit import story_world as world
from testkit.apptest import APP, TIMEOUT, store, texts
from testkit.factories import make_analysis


def test_compare_shows_each_disputed_point_once_with_every_outlets_figure():
    store(*(make_analysis(id=article.key, title=article.title, outlet=article.outlet, url=article.url,
                          claims=list(dict.fromkeys(f.sentence for f in world.FIGURES if f.article == article.key)))
            for article in world.ARTICLES))
    test = AppTest.from_file(APP, default_timeout=TIMEOUT)
    test.run()
    test.query_params["ids"] = "courier,ledger,metro"
    test.switch_page("pages/compare.py").run()
    assert not test.exception, test.exception
    body = texts(test)
    for line in ("vote: 31 votes to 14 (Arlenburg Courier), 31-14 (Westmark Ledger) vs 27 votes to 18 (Metro Post)",
                 "cost: €412 million (Arlenburg Courier), 412 million euros (Westmark Ledger) vs €385m (Metro Post)",
                 "start date: March 2027 (Arlenburg Courier), March 2027 (Westmark Ledger) vs September 2026 (Metro Post)",
                 "share of the cost: 60 per cent (Arlenburg Courier), 60% (Westmark Ledger) vs 40 per cent (Metro Post)"):
        assert body.count(line) == 1, line
    assert ">cost: 60 per cent" not in body and "pay: 60%" not in body
    headings = [m.value for m in test.markdown if m.value.startswith("**Shared claim")]
    assert sum("3 articles · ⚠ figures differ" in h for h in headings) == 4
