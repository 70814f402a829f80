"""The three-outlet world with the Eastside Weekly's copy of the Ledger in the library (issue 27): the copy is found at
the article level, so every passage of it, however short, is one origin with the Ledger's; it never speaks for the
Ledger's own claims; and what the checks find does not depend on the order the articles were stored in.

End to end, as tests/test_story_world_verdicts.py: the local engine, the library source, a temporary SQLite library.
"""
from __future__ import annotations

import pytest

from core.records import Article, Verdict
from core.verdict import COPY_OF_ARTICLE, not_counted_reason
from testkit import crosscheck_eval as ev
from testkit import story_world as world

CHECKED = ("courier", "ledger", "metro")


def _articles(copy_first: bool) -> dict[str, Article]:
    articles = ev.world_articles()
    copy = world.REPRINT
    reprint = {"reprint": Article(text=copy.text, url=copy.url, title=copy.title, outlet=copy.outlet, language="en",
                                  published=copy.published.isoformat())}
    return {**reprint, **articles} if copy_first else {**articles, **reprint}


@pytest.fixture(scope="module")
def checked(tmp_path_factory) -> dict[bool, dict[str, ev.Analysed]]:
    """The world checked twice: the copy stored after the three outlets' articles, and before them."""
    return {first: ev.analyse_story(_articles(first), CHECKED, tmp_path_factory.mktemp(f"copy-first-{first}"))
            for first in (False, True)}


def _claim(analysed: ev.Analysed, point: str):
    """The checked article's claim holding its figure for ``point``."""
    figure = world.figure(next(a for a in world.ARTICLES if a.key == analysed.key), point)
    (found,) = [c for c in analysed.checked.claims if figure in ev.figures_in(c, analysed.key)]
    return found


def _outcome(analysed: ev.Analysed) -> list[tuple]:
    return [(c.id, c.verdict.value, c.assessment.rationale,
             sorted((e.outlet, e.snippet, e.stance.value, e.decisive, e.origin) for e in c.evidence))
            for c in analysed.checked.claims]


def test_the_checks_do_not_depend_on_the_order_the_articles_were_stored_in(checked):
    for key in CHECKED:
        assert _outcome(checked[False][key]) == _outcome(checked[True][key]), key


@pytest.mark.parametrize("copy_first", (False, True))
def test_the_shared_length_stays_corroborated_with_the_copy_in_the_library(checked, copy_first):
    assert _claim(checked[copy_first]["metro"], "length").verdict == Verdict.CORROBORATED


@pytest.mark.parametrize("copy_first", (False, True))
def test_the_copys_short_sentence_counts_once_with_the_ledgers(checked, copy_first):
    """"The project's budget stands at 412 million euros." is under the passage minimum: the articles decide."""
    cost = _claim(checked[copy_first]["metro"], "cost")
    from_copy = [e for e in cost.evidence if e.outlet == "Eastside Weekly"]
    assert from_copy and all(e.snippet == world.figure(world.LEDGER, "cost").sentence for e in from_copy)
    assert cost.verdict == Verdict.CONTRADICTED
    assert "3 outlets, 2 independent origins: Eastside Weekly (library) same text as Westmark Ledger" \
        in cost.assessment.rationale


@pytest.mark.parametrize("copy_first", (False, True))
def test_the_copy_never_speaks_for_the_ledgers_own_claims(checked, copy_first):
    ledger = checked[copy_first]["ledger"]
    from_copy = [(c, e) for c in ledger.checked.claims for e in c.evidence if e.outlet == "Eastside Weekly"]
    assert from_copy
    for claim, item in from_copy:
        reason = not_counted_reason(item, ledger.article)
        assert reason is None and item.stance.value == "neutral" or reason.startswith(COPY_OF_ARTICLE), reason
    # The start date: the Courier confirms it, the Metro Post contradicts it; the copy adds nothing.
    start = _claim(ledger, "start")
    assert start.verdict == Verdict.DISPUTED
    assert "March 2027 (Arlenburg Courier) vs September 2026 (Metro Post)" in start.assessment.rationale
