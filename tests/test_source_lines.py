"""One line per evidence source that did not answer: skipped, unreachable (no network) or failed, said once."""
from __future__ import annotations

from dataclasses import replace

from core.records import SourceRun
from core.source_lines import OFFLINE_HINT, SourceLine, other_warnings, source_lines, unreachable
from testkit.apptest import app, store, texts
from testkit.factories import make_analysis

# What an analysis made with no network stored before the web source said "unreachable" itself.
WEB_DETAIL = ("ddgs found nothing: duckduckgo: no network: The host 'html.duckduckgo.com' could not be found.; "
              "mojeek: no network: The host 'www.mojeek.com' could not be found..")
WIKI_DETAIL = "no network: The host 'en.wikipedia.org' could not be found (Name or service not known)."
OFFLINE_RUNS = (
    SourceRun("library", "ok", "0 passages for 5 claims"),
    SourceRun("wikipedia", "skipped", WIKI_DETAIL, 5),
    SourceRun("web", "failed", WEB_DETAIL, 13),
    SourceRun("factcheck", "skipped", "set GOOGLE_FACTCHECK_API_KEY in the environment or .streamlit/secrets.toml"),
    SourceRun("claude_web", "partial", "3 passages for 2 of 5 claims; rate-limited"),
)
OFFLINE_WARNINGS = (
    f"Skipped wikipedia ({WIKI_DETAIL.rstrip('.')}); factcheck (set GOOGLE_FACTCHECK_API_KEY in the environment).",
    f"The web source failed for every claim: {WEB_DETAIL}",
    "The claude_web source failed for 3 of 5 claims: rate-limited",
    "example.txt is not UTF-8; it was read as cp1252. Check accented characters.",
)


def offline_analysis():
    return replace(make_analysis(partial=True, warnings=OFFLINE_WARNINGS), source_runs=OFFLINE_RUNS)


def test_each_source_that_did_not_answer_is_one_line_and_no_network_reads_unreachable():
    lines = source_lines(offline_analysis())
    assert [(line.name, line.state) for line in lines] == [
        ("wikipedia", "unreachable"), ("web", "unreachable"), ("factcheck", "skipped"), ("claude_web", "partial")]
    assert not any(".." in line.detail or line.detail.endswith(".") for line in lines)
    assert lines[1].detail == "no network (html.duckduckgo.com, www.mojeek.com could not be reached)"
    assert unreachable(lines) and not unreachable((SourceLine("factcheck", "skipped", "set a key"),))


def test_a_web_search_with_one_engine_answering_is_no_network_failure():
    run = SourceRun("web", "failed", "ddgs found nothing: duckduckgo: no network: x; mojeek: HTTP 503")
    assert source_lines(replace(make_analysis(), source_runs=(run,)))[0].state == "failed"


def test_the_warnings_about_sources_give_way_to_the_source_lines_and_the_others_stay():
    assert other_warnings(offline_analysis()) == (OFFLINE_WARNINGS[-1],)
    # A warning naming no source that did not answer stays, even when it starts alike.
    unrelated = replace(make_analysis(warnings=("Skipped the footnotes (too long).",)), source_runs=OFFLINE_RUNS)
    assert other_warnings(unrelated) == ("Skipped the footnotes (too long).",)


def test_an_offline_analysis_shows_one_box_with_a_line_per_source_and_the_offline_setting():
    stored = offline_analysis()
    store(stored)
    test = app()
    test.query_params["analysis"] = stored.id
    test.run()
    assert not test.exception, test.exception
    boxes = [w.value for w in test.warning] + [i.value for i in test.info]
    about_sources = [b for b in boxes if "wikipedia" in b or "duckduckgo" in b]
    assert len(about_sources) == 1, about_sources
    box = about_sources[0].replace("\\", "")
    assert "**wikipedia** unreachable" in box and "**web** unreachable" in box and "**factcheck** skipped" in box
    assert "**claude_web** answered only some claims" in box and ".." not in box
    assert OFFLINE_HINT.split(":")[0] in box and "CROSSCHECK_OFFLINE=1" in box
    assert "not UTF-8" in texts(test)


def test_settings_says_a_source_was_unreachable_at_the_last_analysis_and_suggests_offline_mode():
    store(offline_analysis())
    test = app("pages/settings.py")
    assert not test.exception, test.exception
    shown = texts(test)
    assert "wikipedia** — set up, but unreachable at the last analysis (2026-11-24 21:00 UTC)" in shown
    assert "Last time: no network" in shown and "CROSSCHECK_OFFLINE=1" in "\n".join(i.value for i in test.info)
    # A newer analysis that reached it: ready again, and no suggestion to go offline.
    reached = replace(make_analysis(id="newer", created_at="2026-11-25T08:00:00+00:00"),
                      source_runs=(SourceRun("wikipedia", "ok", "4 passages for 5 claims"),
                                   SourceRun("web", "ok", "2 passages for 5 claims")))
    store(reached)
    test = app("pages/settings.py")
    shown = texts(test)
    assert "wikipedia** — ready" in shown and "unreachable" not in shown
    assert not any("CROSSCHECK_OFFLINE=1" in i.value for i in test.info)
