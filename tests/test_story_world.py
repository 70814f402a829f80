"""The three-outlet test world (testkit/story_world.py) is internally consistent: its ground truth says what
its texts say. The end-to-end test of the pipeline on this world lives elsewhere."""
from __future__ import annotations

import re
from datetime import datetime

import pytest

from core.origins import MergeKind, SourceArticle, group_origins
from testkit import story_world as world

POINTS = {*world.CONFLICT_POINTS, world.SHARED_POINT}


def _read(written: str, unit: str) -> float | str:
    """A deliberately small reader of the formats the world uses, independent of the figures' stated values."""
    if unit == "EUR":
        number = re.fullmatch(r"€?([\d.]+)\s*(?:million|m)(?: euros)?", written).group(1)
        return float(number) * 1e6
    if unit == "share":
        return float(re.fullmatch(r"([\d.]+)\s*(?:%|per cent)", written).group(1)) / 100
    if unit == "km":
        return float(re.fullmatch(r"([\d.]+)[\s-]*(?:km|kilometres?)", written).group(1))
    if unit == "month":
        return datetime.strptime(written, "%B %Y").strftime("%Y-%m")
    if unit == "votes":
        yes, no = re.fullmatch(r"(\d+)(?: votes to |-)(\d+)", written).groups()
        return f"{yes}-{no}"
    raise AssertionError(unit)


def _article(key: str) -> world.WorldArticle:
    return next(a for a in (*world.ARTICLES, world.REPRINT) if a.key == key)


def test_three_distinct_outlets_tell_one_story() -> None:
    assert len({a.key for a in world.ARTICLES}) == len({a.outlet for a in world.ARTICLES}) == 3
    assert all(a.title == a.text.split("\n", 1)[0] for a in world.ARTICLES)


@pytest.mark.parametrize("fig", world.FIGURES, ids=lambda f: f"{f.article}-{f.point}")
def test_each_figure_is_in_its_article_and_reads_as_its_stated_value(fig: world.Figure) -> None:
    assert fig.sentence in _article(fig.article).text
    assert fig.written in fig.sentence
    expected = pytest.approx(fig.value) if isinstance(fig.value, float) else fig.value
    assert _read(fig.written, fig.unit) == expected


def test_every_article_gives_one_figure_for_every_point() -> None:
    for article in world.ARTICLES:
        assert sorted(f.point for f in world.FIGURES if f.article == article.key) == sorted(POINTS)


def test_the_two_agreeing_outlets_agree_and_the_third_differs_on_each_of_the_four_points() -> None:
    assert [c.point for c in world.CONFLICTS] == list(world.CONFLICT_POINTS)
    for conflict in world.CONFLICTS:
        first, second = conflict.agreed
        assert first.value == second.value and first.article != second.article
        assert conflict.disputed.value != first.value
        assert conflict.disputed.article not in {first.article, second.article}
        # Written differently by the two agreeing outlets wherever the format allows it.
        assert first.written != second.written or conflict.point == "start"
        majority, minority = conflict.figures_side_by_side
        assert majority in _article(first.article).text and minority in _article(conflict.disputed.article).text


def test_the_shared_figure_is_restated_by_both_other_outlets_for_every_article() -> None:
    assert len(world.CORROBORATED) == 3
    for corroboration in world.CORROBORATED:
        assert corroboration.claim.point == world.SHARED_POINT
        assert {f.article for f in corroboration.restated_by} == {a.key for a in world.ARTICLES} - {corroboration.claim.article}
        assert all(f.value == corroboration.claim.value for f in corroboration.restated_by)
    assert len({f.written for f in world.FIGURES if f.point == world.SHARED_POINT}) == 3


def test_no_figure_is_both_corroborated_and_in_conflict() -> None:
    in_conflict = {(f.article, f.point) for c in world.CONFLICTS for f in (*c.agreed, c.disputed)}
    corroborated = {(c.claim.article, c.claim.point) for c in world.CORROBORATED}
    assert not in_conflict & corroborated
    assert len(in_conflict) + len(corroborated) == len(world.FIGURES)


def _sources(articles) -> list[SourceArticle]:
    return [SourceArticle(a.key, a.outlet, a.url, a.title, a.text) for a in articles]


def test_the_three_outlets_are_independent_origins_and_the_reprint_is_not() -> None:
    assert group_origins(_sources(world.ARTICLES)).summary == "3 outlets, 3 independent origins"
    groups = group_origins(_sources((*world.ARTICLES, world.REPRINT)))
    assert groups.summary == "4 outlets, 3 independent origins"
    (reason,) = groups.origin_of("reprint").reasons_for("reprint")
    assert reason.kind is MergeKind.SAME_TEXT and reason.other == "ledger"


def test_a_short_sentence_merges_as_its_articles_do() -> None:
    """The Ledger's budget sentence is too short to judge a copy on its own (core/origins.MIN_PASSAGE_SHINGLES): the
    whole articles decide. The reprint prints it as a copy; an independent article printing the same sentence does not."""
    budget = world.figure(world.LEDGER, "cost").sentence
    ledger, reprint, metro = _sources((world.LEDGER, world.REPRINT, world.METRO))
    metro = SourceArticle(metro.key, metro.outlet, metro.url, metro.title, metro.text + "\n\n" + budget)
    alone = {a.key: budget for a in (ledger, reprint, metro)}
    as_passages = group_origins([SourceArticle(a.key, a.outlet, text=budget) for a in (ledger, reprint, metro)], alone)
    assert as_passages.independent_count == 3  # a sentence alone says nothing of where it comes from
    whole = group_origins([ledger, reprint, metro], alone)
    assert whole.origin_of("reprint").keys == ("ledger", "reprint") and whole.origin_of("metro").keys == ("metro",)
