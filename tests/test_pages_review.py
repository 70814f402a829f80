"""Analyst review (issue 22) on the Analyze and Settings pages: decisions, overrides with reasons, notes, agreement."""
from __future__ import annotations

import streamlit as st
from streamlit.testing.v1 import AppTest

from components.review_panels import signed_in_reviewer
from core.review import verdict_target
from core.settings import get_settings
from core.storage import Storage
from testkit.apptest import APP, TIMEOUT, app, store, texts
from testkit.factories import make_analysis


def _review_page(analysis_id: str = "rev1") -> AppTest:
    test = AppTest.from_file(APP, default_timeout=TIMEOUT)
    test.query_params["analysis"] = analysis_id
    test.run()
    assert not test.exception, test.exception
    return test

def test_a_review_without_a_name_is_refused_with_a_clear_message():
    store(make_analysis(id="rev1"))
    test = _review_page()
    assert "Set your name on the Settings page" in texts(test)
    test.button(key="analyze-mark").click().run()
    assert "Reviews need the analyst's name" in texts(test)
    assert Storage(get_settings().db_path).reviews.get("rev1").empty

def test_an_analyst_overrides_a_verdict_and_both_are_shown(monkeypatch):
    monkeypatch.setenv("CROSSCHECK_ANALYST_NAME", "Ana Analyst")
    get_settings.cache_clear()
    store(make_analysis(id="rev1"))  # c2 is single source
    test = _review_page()
    assert "Reviewing as **Ana Analyst**" in "\n".join(c.value for c in test.caption)
    test.toggle(key="analyze-c2-review").set_value(True).run()
    test.selectbox(key="analyze-c2-verdict").set_value("contradicted")
    test.button(key="FormSubmitter:analyze-c2-verdict-form-Save verdict review").click().run()
    assert "An override needs a reason" in texts(test)  # nothing saved without a reason
    test.selectbox(key="analyze-c2-verdict").set_value("contradicted")
    test.text_input(key="analyze-c2-verdict-reason").input("The ministry denied it on 2 May.")
    test.button(key="FormSubmitter:analyze-c2-verdict-form-Save verdict review").click().run()
    assert not test.exception, test.exception
    body = texts(test)
    assert "Analyst: contradicted (machine: single source) — The ministry denied it on 2 May. · Ana Analyst" in body
    assert any("Single source" in e.label and "Analyst: Contradicted" in e.label for e in test.expander)
    test.text_area(key="analyze-c2-note").input("Ask the council for the budget table.")
    test.button(key="FormSubmitter:analyze-c2-note-form-Add note").click().run()
    test.button(key="analyze-mark").click().run()
    review = Storage(get_settings().db_path).reviews.get("rev1")
    assert [(d.machine_value, d.analyst_value, d.reviewer) for d in review.decisions] == [
        ("single_source", "contradicted", "Ana Analyst")]
    assert [n.text for n in review.notes_on("c2")] == ["Ask the council for the budget table."]
    assert review.reviewed_by == "Ana Analyst" and [a.action for a in review.activity] == ["overridden", "note", "reviewed"]
    assert "Reviewed by Ana Analyst" in texts(test)
    assert test.get("arrow_data_frame") or test.dataframe  # the activity log

def test_technique_passages_and_stances_can_be_reviewed(monkeypatch):
    monkeypatch.setenv("CROSSCHECK_ANALYST_NAME", "Ben")
    get_settings.cache_clear()
    store(make_analysis(id="rev1"))
    test = _review_page()
    test.toggle(key="analyze-review-passages").set_value(True).run()
    test.selectbox(key="analyze-passage-value").set_value("none")
    test.text_input(key="analyze-passage-reason").input("Nobody is invoked here.")
    test.button(key="FormSubmitter:analyze-passage-form-Save passage review").click().run()
    test.toggle(key="analyze-c1-review").set_value(True).run()
    test.selectbox(key="analyze-c1-stance-item").set_value("1").run()
    test.selectbox(key="analyze-c1-stance-1").set_value("neutral")
    test.text_input(key="analyze-c1-stance-reason").input("Off topic.")
    test.button(key="FormSubmitter:analyze-c1-stance-form-Save stance review").click().run()
    assert not test.exception, test.exception
    decisions = {d.target.component: d for d in Storage(get_settings().db_path).reviews.get("rev1").decisions}
    assert decisions["technique"].analyst_value == "none" and decisions["stance"].target.index == 1
    body = texts(test)
    assert "Analyst: no technique (machine:" in body and "Analyst: neutral (machine:" in body

def test_settings_sets_the_analyst_name_and_shows_agreement():
    storage = store(make_analysis(id="rev1"))
    analysis = storage.get("rev1")
    storage.reviews.decide(analysis, verdict_target("c1"), "corroborated", reviewer="Ana")
    storage.reviews.decide(analysis, verdict_target("c2"), "contradicted", reviewer="Ana", reason="Denied.")
    test = app("pages/settings.py")
    table = next(d.value for d in test.dataframe if "Component" in d.value.columns)
    verdicts = table[table["Component"] == "Verdicts"].iloc[0]
    assert (verdicts["Reviewed"], verdicts["Confirmed"], verdicts["Overridden"], verdicts["Agreement"]) == (2, 1, 1, "50%")
    assert test.get("download_button")  # reviewed items as JSON lines
    test.text_input(key="settings_analyst_name").input("Cleo").run()
    test.switch_page("pages/analyze.py")
    test.query_params["analysis"] = "rev1"
    test.run()
    assert "Reviewing as **Cleo**" in "\n".join(c.value for c in test.caption)


def test_a_signed_in_reviewer_is_recorded_with_the_providers_stable_subject():
    """Issue 30, item 6: with st.login the reviewer was the display name alone, which the user can edit at the provider."""
    assert signed_in_reviewer({"name": "Ana Lima", "email": "ana@desk.example", "sub": "10769150350006150715113"}) == (
        "Ana Lima [10769150350006150715113]")
    assert signed_in_reviewer({"email": "ana@desk.example", "sub": "auth0|42"}) == "ana@desk.example [auth0|42]"
    assert signed_in_reviewer({"name": "\u200b", "sub": "auth0|42"}) == "signed-in user [auth0|42]"
    assert signed_in_reviewer({"name": "Ana Lima"}) == "Ana Lima"  # a provider without a subject: the name alone
    assert signed_in_reviewer({"name": "\u3164"}) is None
    assert len(signed_in_reviewer({"name": "A" * 300, "sub": "s" * 300})) <= 200


def test_the_name_set_is_remembered_by_the_browser_and_a_new_session_reads_it_back(monkeypatch):
    """Issue 30: the name lasted one browser session; a reload or a permalink in a new tab asked again."""
    store(make_analysis(id="rev1"))
    test = app("pages/settings.py")
    test.text_input(key="settings_analyst_name").input("Cleo </script>").run()
    scripts = [str(e.proto.body) for e in test.get("html") if "document.cookie" in str(e.proto.body)]
    assert len(scripts) == 1 and "crosscheck_analyst=" in scripts[0] and "max-age=31536000" in scripts[0]
    assert "Cleo \\u003c/script\\u003e" in scripts[0] and "</script>" not in scripts[0].removesuffix("</script>")
    test.run()  # written once: the next run does not write it again
    assert not [e for e in test.get("html") if "document.cookie" in str(e.proto.body)]
    # A new session (a reload, a new tab) whose browser sends the cookie back: the name is known.
    monkeypatch.setattr(type(st.context), "cookies", property(lambda self: {"crosscheck_analyst": "Cleo%20Costa"}))
    assert "Reviewing as **Cleo Costa**" in "\n".join(c.value for c in _review_page().caption)
    # Clearing the name on Settings deletes the cookie.
    test = app("pages/settings.py")
    test.text_input(key="settings_analyst_name").input("").run()
    assert any("max-age=0" in str(e.proto.body) for e in test.get("html"))


def test_the_analyst_stance_offered_first_is_the_machines_for_the_chosen_evidence(monkeypatch):
    """Issue 30: the selector said "Supports" for evidence the machine called Refutes."""
    monkeypatch.setenv("CROSSCHECK_ANALYST_NAME", "Ben")
    get_settings.cache_clear()
    stored = make_analysis(id="rev1")
    store(stored)
    claim = stored.claims[0]
    test = _review_page()
    test.toggle(key="analyze-c1-review").set_value(True).run()
    for index, item in enumerate(claim.evidence):
        test.selectbox(key="analyze-c1-stance-item").set_value(str(index)).run()
        offered = test.selectbox(key=f"analyze-c1-stance-{index}")
        assert offered.value == item.stance.value and offered.format_func(offered.value).endswith("(machine)")
    assert [item.stance.value for item in claim.evidence] == ["supports", "refutes"]  # the second: no "Supports" first
    # Saved unchanged, the machine's call is confirmed, not overridden.
    test.button(key="FormSubmitter:analyze-c1-stance-form-Save stance review").click().run()
    (decision,) = Storage(get_settings().db_path).reviews.get("rev1").decisions
    assert decision.confirmed


def test_the_result_comes_before_the_review_panel():
    """Issue 30: the review panel stood above the result; an analyst reads the result first."""
    store(make_analysis(id="rev1"))
    test = _review_page()
    order: list[str] = []

    def walk(node) -> None:  # noqa: ANN001 (an AppTest node)
        for child in getattr(node, "children", {}).values():
            if child.type == "markdown" and child.value in ("#### Techniques", "#### Claims"):
                order.append(child.value)
            elif child.type == "button" and child.key == "analyze-mark":
                order.append("review panel")
            elif child.type == "caption" and "the review panel is below the claims" in child.value:
                order.append("review status")
            walk(child)

    walk(test.main)
    assert order == ["review status", "#### Techniques", "#### Claims", "review panel"], order
