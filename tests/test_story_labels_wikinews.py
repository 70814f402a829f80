"""The exhaustive story labels of the shared Wikinews articles (tests/data/story_labels_wikinews.json) are
well formed and still match the shared data: every article in one story, hard negatives and unscored pairs
never inside a labelled story. The checks that read the articles need ../shared/data and are skipped without it.
"""
from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from testkit.story_clusters import DEFAULT_DATA_ROOT, LABELS_PATH

WIKINEWS_LABELS = Path(__file__).resolve().parent / "data" / "story_labels_wikinews.json"
LABELS = json.loads(WIKINEWS_LABELS.read_text(encoding="utf-8"))
WIKINEWS = DEFAULT_DATA_ROOT / "news" / "wikinews_en.jsonl"
needs_data = pytest.mark.skipif(not WIKINEWS.is_file(), reason="the shared data folder is not here")


def story_of() -> dict[str, str]:
    found = {k: k for k in LABELS["articles"]}
    for story in LABELS["stories"]:
        for k in story["articles"]:
            found[k] = story["id"]
    return found


def test_every_article_is_listed_once_and_in_at_most_one_labelled_story() -> None:
    assert len(LABELS["articles"]) == len(set(LABELS["articles"]))
    members = [k for s in LABELS["stories"] for k in s["articles"]]
    assert len(members) == len(set(members))
    assert set(members) <= set(LABELS["articles"])
    assert all(len(s["articles"]) >= 2 and s["why"] and s["event"] for s in LABELS["stories"])


def test_hard_negatives_and_unscored_pairs_never_pair_two_articles_of_one_story() -> None:
    story = story_of()
    for group in LABELS["not_same_story"] + LABELS["borderline"]:
        assert group["why"] and len(group["articles"]) >= 2
        assert set(group["articles"]) <= set(story)
        for a, b in itertools.combinations(group["articles"], 2):
            assert story[a] != story[b], (a, b)


def test_the_stories_it_shares_with_story_clusters_json_are_judged_alike() -> None:
    """Both files label the three Wikinews stories of two articles; a disagreement would score one merge two ways."""
    older = json.loads(LABELS_PATH.read_text(encoding="utf-8"))
    wikinews_clusters = {frozenset(c["articles"]) for c in older["clusters"]
                         if all(k.startswith("news/") for k in c["articles"])}
    assert wikinews_clusters == {frozenset(s["articles"]) for s in LABELS["stories"]}


@needs_data
def test_it_labels_every_dated_wikinews_article_of_the_shared_data() -> None:
    rows = [json.loads(line) for line in WIKINEWS.read_text(encoding="utf-8").splitlines()]
    articles = {f"news/wikinews_en.jsonl#{row['url']}": row for row in rows if not row["title"].startswith("TEST PAGE")}
    assert set(LABELS["articles"]) == set(articles)
    assert all(row["date"] for row in articles.values())
