"""The analyst's workspace (issue 22): addresses for everything, Library selection/history/diff/delete,
readable comparisons, the example article."""
from __future__ import annotations

import json

from streamlit.testing.v1 import AppTest

from core.settings import get_settings
from core.storage import Storage
from testkit.apptest import APP, TIMEOUT, app, select_rows, store, texts
from testkit.factories import make_analysis


def open_at(**params: str) -> AppTest:
    test = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for name, value in params.items():
        test.query_params[name] = value
    test.run()
    assert not test.exception, test.exception
    return test


def test_library_rows_are_chosen_in_the_table_and_open_names_the_analysis_in_the_address():
    store(make_analysis(id="a1", title="Council closes library", url="https://g.example/1"),
          make_analysis(id="a2", title="Library closure approved", url="https://h.example/2",
                        created_at="2026-11-25T09:00:00+00:00"))
    test = app("pages/library.py")
    assert test.button(key="library_open").disabled
    assert list(test.dataframe[0].value["Title"]) == ["Library closure approved", "Council closes library"]
    select_rows(test, 1)
    assert "Council closes library" in texts(test)
    assert not test.button(key="library_open").disabled and test.button(key="library_compare").disabled
    test.button(key="library_open").click().run()
    assert not test.exception, test.exception
    assert test.query_params.get("analysis") in ("a1", ["a1"])
    assert test.subheader[0].value == "Council closes library"


def test_library_keeps_the_table_narrow_until_more_columns_are_asked_for():
    store(make_analysis(id="a1", url="https://g.example/1"))
    test = app("pages/library.py")
    narrow = list(test.dataframe[0].value.columns)
    assert narrow == ["Title", "Outlet", "Techniques found", "Persuasion", "Claims"]
    # Issue 30: titles were cut to about 22 characters at 1024 px; the title now has 250 of the table's 560 px.
    assert json.loads(test.dataframe[0].proto.columns)["Title"]["width"] == 250
    test.toggle(key="library_more_columns").set_value(True).run()
    wide = list(test.dataframe[0].value.columns)
    assert "✔ Corroborated" in wide and "Engine" in wide and "Top technique" in wide and "Runs" in wide
    assert "Analysed" in wide


def test_library_delete_names_the_article_and_removes_all_its_runs():
    storage = store(make_analysis(id="old", title="Bus fares rise", url="https://g.example/1"),
                    make_analysis(id="new", title="Bus fares rise", url="https://g.example/1",
                                  created_at="2026-11-25T09:00:00+00:00"),
                    make_analysis(id="other", title="Other story", url="https://h.example/2",
                                  created_at="2026-11-20T09:00:00+00:00"))
    test = app("pages/library.py")
    select_rows(test, 0)
    test.button(key="library_delete").click().run()
    warning = " ".join(w.value for w in test.warning).replace("\\", "")
    assert "“Bus fares rise”" in warning and "all 2 runs" in warning
    test.text_input(key="library_deleter_name").input("Ana").run()  # a deletion is recorded with who made it
    test.button(key="library_delete_confirm").click().run()
    assert not test.exception, test.exception
    assert [s.id for s in storage.summaries(latest_only=False)] == ["other"]


def test_library_can_delete_only_the_latest_run():
    storage = store(make_analysis(id="old", title="Bus fares rise", url="https://g.example/1"),
                    make_analysis(id="new", title="Bus fares rise", url="https://g.example/1",
                                  created_at="2026-11-25T09:00:00+00:00"))
    test = app("pages/library.py")
    select_rows(test, 0)
    test.button(key="library_delete").click().run()
    scope = test.radio(key="library_delete_scope")
    scope.set_value(scope.options[1]).run()
    assert "the latest run of “Bus fares rise”" in " ".join(w.value for w in test.warning).replace("\\", "")
    test.text_input(key="library_deleter_name").input("Ana").run()
    test.button(key="library_delete_confirm").click().run()
    assert [s.id for s in storage.summaries(latest_only=False)] == ["old"]


def test_library_run_history_shows_what_changed_between_runs():
    older = make_analysis(id="old", title="Bus fares rise", url="https://g.example/1", claims=["Fares rose.", "Ridership fell."])
    newer = make_analysis(id="new", title="Bus fares rise", url="https://g.example/1", claims=["Ridership fell.", "Fares rose.",
                          "A petition has 8,000 signatures."], created_at="2026-11-25T09:00:00+00:00", seed=3)
    store(older, newer)
    test = app("pages/library.py")
    select_rows(test, 0)
    assert "Run history (2 runs)" in texts(test)
    runs = test.dataframe[1].value
    assert list(runs["Open"]) == ["/?analysis=new", "/?analysis=old"] and list(runs.columns)[0] == "Open"  # on-screen at 1024 px
    body = texts(test)
    assert "**Claims added** (1)" in body and "A petition has 8,000 signatures." in body
    assert "**Verdicts changed** (2)" in body  # both claims changed position, so their cycled verdicts differ
    assert "Techniques now found" in body


def test_library_rerun_links_to_its_result():
    store(make_analysis(id="r1", title="Council closes library", url="https://g.example/1", n_claims=3))
    test = app("pages/library.py")
    select_rows(test, 0)
    test.multiselect(key="library_rerun_sources").set_value([]).run()
    test.button(key="library_rerun").click().run()
    assert not test.exception and not test.error, [e.value for e in test.error]
    newest = Storage(get_settings().db_path).summaries()[0]
    assert newest.id != "r1"
    links = [link.proto for link in test.get("page_link")]
    assert any("Open the re-run's result" in link.label and link.query_string == f"analysis={newest.id}" for link in links), links


def test_an_older_run_says_so_and_links_to_the_latest():
    store(make_analysis(id="old", url="https://g.example/1"),
          make_analysis(id="new", url="https://g.example/1", created_at="2026-11-25T09:00:00+00:00"))
    test = open_at(analysis="old")
    assert "This is an older run of this article" in texts(test)
    assert [link.proto.query_string for link in test.get("page_link")] == ["analysis=new"]
    assert "older run" not in texts(open_at(analysis="new"))


def test_a_result_is_shown_before_the_input_form():
    store(make_analysis(id="abc123"))
    test = open_at(analysis="abc123")
    expanders = [e.label for e in test.expander]
    assert "Analyze another article" in expanders
    assert "Try the example article" not in [b.label for b in test.button]


def test_a_claim_link_lands_on_the_claim_itself():
    store(make_analysis(id="abc123", n_claims=20))
    test = open_at(analysis="abc123", claim="c17")
    assert "#### Linked claim" in [m.value for m in test.markdown]
    first_card = next(e for e in test.expander if "Claim number" in e.label)
    assert "Claim number 17:" in first_card.label.replace("\\", "") and first_card.proto.expanded
    assert "has no claim" in texts(open_at(analysis="abc123", claim="c99"))


def test_a_long_claim_is_cut_at_a_word_in_the_label_and_shown_whole_in_the_card():
    long_claim = "The council said " + "the new budget will cut spending on roads and parks " * 5 + "by 2030."
    store(make_analysis(id="long", claims=[long_claim]))
    test = open_at(analysis="long")
    label = next(e.label for e in test.expander if "The council said" in e.label).replace("\\", "")
    assert label.endswith("…") and label[:-1].rstrip().split()[-1] in long_claim.split()
    assert long_claim in texts(test)


def test_the_empty_analyze_page_explains_and_analyses_the_example():
    test = app()
    assert "persuasion techniques" in texts(test)
    test.button(key="analyze_example").click().run()
    assert not test.exception and not test.error, [e.value for e in test.error]
    assert test.subheader[0].value == "Riverside council approves bus fare rise despite protests"
    assert "Engine **local**" in texts(test)
    assert test.query_params.get("analysis")


def test_highlighted_text_has_a_legend_and_labels_per_technique():
    store(make_analysis(id="abc123", quote="The <b>so-called</b> experts are lying to you again."))
    test = open_at(analysis="abc123")
    body = " ".join(str(e.proto.body) for e in test.get("html"))
    assert 'class="technique-legend"' in body and 'class="technique-label"' in body
    assert "&lt;b&gt;so-called&lt;/b&gt;" in body and "<b>so-called</b>" not in body


def test_compare_never_calls_two_unverified_verdicts_agreement():
    # Verdicts cycle by position (testkit.factories): the fifth claim is unverified in both articles.
    claims = ["The mayor opened a new bridge over the river on Monday.", "Unemployment in the region fell to 4 percent.",
              "The school board hired twelve new teachers this year.", "A storm knocked out power to 3,000 homes.",
              "The museum will charge an entry fee of 5 dollars from June."]
    store(make_analysis(id="a1", url="https://g.example/1", claims=claims),
          make_analysis(id="a2", url="https://h.example/2", claims=claims))
    test = open_at()
    test.query_params["ids"] = "a1,a2"
    test.switch_page("pages/compare.py").run()
    body = texts(test)
    assert body.count("not enough decided verdicts to compare") == 1 and body.count("verdicts agree") == 4


def test_compare_lists_each_differing_figure_on_its_own_line_with_both_figures():
    store(make_analysis(id="a1", url="https://g.example/1",
                        claims=["The tram extension will cost €412 million and open in March 2027."]),
          make_analysis(id="a2", url="https://h.example/2",
                        claims=["The tram extension will cost €385 million and open in September 2026."]))
    test = open_at()
    test.query_params["ids"] = "a1,a2"
    test.switch_page("pages/compare.py").run()
    assert not test.exception, test.exception
    assert any(m.value.startswith("**Shared claim 1**") and m.value.endswith("⚠ figures differ") for m in test.markdown)
    (listed,) = [str(e.proto.body) for e in test.get("html") if "figure-conflicts" in str(e.proto.body)]
    lines = listed.split("<li>")[1:]
    assert len(lines) == 2
    assert "€412 million" in lines[0] and "€385 million" in lines[0] and "cost" in lines[0]
    assert "March 2027" in lines[1] and "September 2026" in lines[1]


def test_evidence_filters_come_from_and_go_to_the_address():
    store(make_analysis(id="a1", url="https://g.example/1", n_claims=2))
    test = AppTest.from_file(APP, default_timeout=TIMEOUT)
    test.run()
    test.query_params["stance"] = "refutes"
    test.switch_page("pages/evidence.py").run()
    assert not test.exception, test.exception
    assert test.multiselect(key="evidence_stance").value == ["refutes"]
    assert len(test.dataframe[0].value) == 2
    test.multiselect(key="evidence_source_type").set_value(["web"]).run()
    assert test.query_params.get("source") in ("web", ["web"])
    assert test.query_params.get("stance") in ("refutes", ["refutes"])


def test_a_running_job_says_its_stage_once_and_names_its_article_readably():
    """Issue 30: Jobs rows showed raw URLs and "Saving the analysis · Saving the analysis"."""
    from components.job_progress import readable_label

    storage = Storage(get_settings().db_path)
    job, _ = storage.jobs.create("analyze", "https://www.metro-post.example/news/2026/12/06/harbour-tram-line-costs-double",
                                 {"input": {"kind": "url", "url": "https://www.metro-post.example/news/x"}})
    storage.jobs.claim(job.id, "w1")
    storage.jobs.progress(job.id, "w1", stage="store", message="Saving the analysis", fraction=0.9)
    test = app("pages/jobs.py")
    assert not test.exception, test.exception
    (bar,) = test.get("progress")
    text = bar.proto.text.replace("\\", "")
    assert text == "metro-post.example › harbour tram line costs double — Saving the analysis", text
    assert readable_label("story.txt") == "story.txt"
    assert readable_label("https://hosted.ap.org/article/123/quake-hits.html") == "hosted.ap.org › quake hits"


def test_two_runs_of_one_minute_read_differently_in_the_run_choices():
    """Issue 30: run-history choices showed an analysis and its re-check a few seconds later identically."""
    first = make_analysis(id="first", url="https://g.example/1", n_claims=3, created_at="2026-11-25T09:00:05+00:00")
    second = make_analysis(id="second", url="https://g.example/1", n_claims=4, created_at="2026-11-25T09:00:41+00:00")
    store(first, second)
    test = app("pages/library.py")
    select_rows(test, 0)
    assert not test.exception, test.exception
    older = test.selectbox(key="library-history-older")
    newer = test.selectbox(key="library-history-newer")
    shown = [*older.options, *newer.options]  # as the page formats them
    assert shown[0].startswith("Run 1 · 2026-11-25 09:00:05 · 3 claims") and shown[0].endswith("local")
    assert shown[1].startswith("Run 2 · 2026-11-25 09:00:41") and "4 claims" in shown[1]
    assert len(set(shown)) == 2
