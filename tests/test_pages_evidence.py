"""The dashboard's evidence cards, the passage a library card opens, new evidence, and Find other coverage."""
from __future__ import annotations

from dataclasses import replace

from streamlit.testing.v1 import AppTest

from core.records import Evidence, SourceType, Stance
from core.settings import get_settings
from core.sources import library
from core.storage import Storage
from testkit.apptest import APP, TIMEOUT, select_rows, texts
from testkit.factories import make_analysis
from testkit.fake_search import FakeDdgs
from testkit.fake_services import FakeGdelt, FakeSite, running, use_services

STORY = ["The city council voted 7 to 2 on Monday to close the Eastside public library by the end of the year.",
         "Officials said the closure would save about 1.2 million dollars annually, according to the budget office.",
         "Parents gathered outside the building on Tuesday to protest against the decision of the council."]


def evidence_of_every_kind(cited_id: str) -> tuple[Evidence, ...]:
    return (
        Evidence(SourceType.WEB, "Council shuts library", "https://courier.example/a", "Riverside Courier",
                 "The council voted 7 to 2 to close the library.", Stance.SUPPORTS, 0.82, published="2024-03-05"),
        Evidence(SourceType.FACTCHECK, "Did the council close the library?", "https://politifact.example/x", "PolitiFact",
                 "The council voted to close the Eastside library", Stance.SUPPORTS, 0.9, published="2024-03-06",
                 relevance=0.88, rating="True"),
        Evidence(SourceType.WIKIPEDIA, "Eastside Library", "https://en.wikipedia.org/wiki/Eastside_Library", "Wikipedia",
                 "The Eastside Library opened in 1961.", Stance.NEUTRAL, 0.7),
        Evidence(SourceType.LIBRARY, "Library to close", None, "Eastside Gazette",
                 "Officials said the closure would save about 1.2 million dollars annually", Stance.SUPPORTS, 0.61,
                 analysis_id=cited_id),
        Evidence(SourceType.WEB, "Other page", "https://other.example/b", "other.example", "Unrelated words.", Stance.NEUTRAL, 0.5),
    )


def test_cards_show_the_strongest_three_then_the_rest_and_a_library_card_opens_the_passage():
    storage = Storage(get_settings().db_path)
    cited = make_analysis(id="cited", title="Library to close", url="https://gazette.example/library", n_claims=1)
    cited = replace(cited, article=replace(cited.article, text=" ".join(STORY)))
    storage.save(cited)
    analysis = make_analysis(id="withcards", n_claims=1)
    claim = replace(analysis.claims[0], evidence=evidence_of_every_kind("cited"))
    storage.save(replace(analysis, claims=(claim,)))

    test = AppTest.from_file(APP, default_timeout=TIMEOUT)
    test.query_params["analysis"] = "withcards"
    test.run()
    assert not test.exception
    cards = next(str(e.proto.body) for e in test.get("html") if "evidence-cards" in str(e.proto.body))
    shown, folded = cards.split("<details>", 1)
    assert "PolitiFact rates it “True”" in shown and "Riverside Courier" in shown and "Eastside Gazette" in shown
    assert "+ 2 more" in folded and "Wikipedia" in folded and "other.example" in folded
    assert "2024-03-06" in shown and "open source ↗" in shown
    assert "/?analysis=cited&amp;passage=Officials+said+the+closure" in shown

    focus = AppTest.from_file(APP, default_timeout=TIMEOUT)
    focus.query_params["analysis"] = "cited"
    focus.query_params["passage"] = "Officials said the closure would save about 1.2 million dollars annually"
    focus.run()
    assert not focus.exception
    body = texts(focus)
    assert "Passage cited as evidence" in body
    assert '<mark style="background:#FFE08A">Officials said the closure would save about 1.2 million dollars annually' in body


def test_find_other_coverage_then_analyse_a_batch_and_open_compare(monkeypatch):
    sites = [FakeSite(outlet, host=f"127.0.0.{2 + i}") for i, outlet in enumerate(["Riverside Courier", "Harbour Times"])]
    with running(FakeGdelt(), FakeDdgs(), *sites) as (gdelt, ddgs, *started):
        for site in started:
            url = site.add_article("/library", f"Council votes to close Eastside library: {site.outlet}", STORY)
            gdelt.add_article(url, f"Council votes to close Eastside library: {site.outlet}", domain=site.host)
        use_services(monkeypatch, gdelt=gdelt, ddgs=ddgs)
        original = make_analysis(id="orig", title="Council votes to close Eastside library", outlet="Eastside Gazette",
                                 url="https://eastsidegazette.example/library", n_claims=1)
        original = replace(original, article=replace(original.article, text=" ".join(STORY)))
        Storage(get_settings().db_path).save(original, index=library.index_sentences(original.article))

        test = AppTest.from_file(APP, default_timeout=TIMEOUT)
        test.run()
        test.switch_page("pages/library.py")
        test.run()
        select_rows(test, 0)
        test.button(key="library-coverage-find").click().run()
        assert not test.exception, test.exception
        table = test.dataframe[-1].value  # the coverage list, below the library table
        assert list(table["Outlet"]) == ["127.0.0.2", "127.0.0.3"] and set(table["Found by"]) == {"gdelt"}
        assert list(table["Language"]) == ["English", "English"]
        test.selectbox(key="library-coverage-engine").set_value("local")
        test.button(key="library-coverage-analyse").click().run()
        assert not test.exception, test.exception
        assert "2 analysed, 0 already in the library" in texts(test)
        test.button(key="library-coverage-compare").click().run()
        assert not test.exception, test.exception
        storage = Storage(get_settings().db_path)
        compare = test.query_params["ids"].split(",")
        # The story's own article by its latest analysis: the newcomers re-checked it, if it used the library.
        assert storage.get(compare[0]).article.url == original.article.url and len(compare) == 3
        assert test.title[0].value == "Compare articles"
