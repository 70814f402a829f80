"""The news-pair stance layer: its artifact, its guard, the pairs it trains on, and how the engine uses it."""
import random
import zipfile
from pathlib import Path

import numpy as np
import pytest

from core.ml import artifact
from core.ml.loading import get_embedder, load_models
from core.ml.news_stance import FEATURES, NAME, NewsStance, guard
from core.ml.stance import StanceModel
from core.ml.training.news_pairs import (add_negation, change_figure, drop_attribution, news_pairs, reorder_clauses,
                                         rewrite_separators, story_articles)
from testkit.story_clusters import DEFAULT_DATA_ROOT

ARTIFACTS = Path(artifact.ARTIFACT_DIR)
CLUSTERS = Path(__file__).parent / "data" / "story_clusters.json"

# Sentences in the manner of the judged stories (not taken from them).
CLAIM = "Kenteris, 31, and Thanou, 30, had been charged with missing a drugs test in Athens, the court said."


def test_artifact_is_npz_and_json_without_objects() -> None:
    with zipfile.ZipFile(ARTIFACTS / f"{NAME}.npz") as archive:
        for member in archive.namelist():
            assert b"'descr': '|O'" not in archive.read(member)[:128], member
    arrays, meta = artifact.load(ARTIFACTS, NAME)
    assert tuple(meta["features"]) == FEATURES and meta["terms"] and meta["data"] and meta["metrics"]
    assert arrays["w"].shape == (len(FEATURES), 3) and arrays["mean"].shape == (len(FEATURES),)
    layer = NewsStance()
    assert 0.5 <= layer.supports_threshold < 1.0
    assert meta["metrics"]["supports, engine with layer (nested) precision"] >= meta["targets"]["supports_precision"] - 0.05


def test_a_layer_trained_on_other_features_is_refused(tmp_path: Path) -> None:
    arrays, meta = artifact.load(ARTIFACTS, NAME)
    artifact.save(tmp_path, NAME, arrays, {**meta, "features": list(FEATURES[:-1])}, half=False)
    from core.errors import ModelError

    with pytest.raises(ModelError):
        NewsStance(tmp_path)


def _judge(pairs: list[tuple[str, str]], news: bool = True):
    model = load_models().stance if news else StanceModel()
    return model.judge(pairs, get_embedder().encode_with_states)


@pytest.mark.parametrize("evidence", [
    # Attribution dropped and clauses reordered.
    "In Athens, Kenteris, 31, and Thanou, 30, had been charged with missing a drugs test.",
    # Figures written in words, attribution dropped.
    "Kenteris, thirty-one, and Thanou, thirty, had been charged with missing a drugs test in Athens.",
])
def test_a_restatement_counts_as_support(evidence: str) -> None:
    (judged,) = _judge([(CLAIM, evidence)])
    assert judged.label == "supports" and judged.decisive


def test_the_layer_counts_what_the_rule_alone_leaves_out() -> None:
    pair = ("Rescuers recovered at least ten survivors from the debris of the collapsed building on Monday, "
            "according to the emergencies ministry.",
            "On Monday rescuers recovered at least ten survivors from the debris of the collapsed building.")
    (alone,) = _judge([pair], news=False)
    (with_layer,) = _judge([pair])
    assert with_layer.decisive and with_layer.news_support is not None
    assert with_layer.confidence >= with_layer.probabilities[0]
    assert alone.probabilities == with_layer.probabilities  # the layer changes whether it counts, not the reading
    assert not alone.decisive or with_layer.news_support is None


@pytest.mark.parametrize("evidence", [
    "Kenteris, 34, and Thanou, 30, had been charged with missing a drugs test in Athens.",
    "In Athens, Kenteris, 31, and Thanou, 38, had been charged with missing a drugs test.",
    "Kenteris and Thanou had not been charged with missing a drugs test in Athens, the court said.",
])
def test_a_changed_figure_or_a_negation_never_counts_as_support(evidence: str) -> None:
    (judged,) = _judge([(CLAIM, evidence)])
    assert not (judged.label == "supports" and judged.decisive)
    assert not guard(CLAIM, evidence)


def test_the_guard_stops_every_changed_figure_of_the_wikinews_pairs() -> None:
    rng = random.Random(5)
    sentences = [
        "A total of 39 are confirmed dead, officials told state media, adding that rescuers ended their work yesterday.",
        "The 1973 building was home to over 1,000 people; 48 apartments were damaged.",
        "Caloundra defeated Wynnum 45 points to 24 in their Round 4 match on Saturday.",
        "The company said it would cut 3,200 jobs by 2021, about 12 percent of its workforce.",
    ]
    for sentence in sentences:
        for _ in range(10):
            changed = change_figure(sentence, rng)
            assert changed and changed != sentence
            assert not guard(sentence, changed), changed
        # Figures rewritten, clauses reordered, attribution dropped: every figure still there, so the guard lets it by.
        for rewrite in (rewrite_separators, reorder_clauses, drop_attribution):
            assert guard(sentence, rewrite(sentence, rng)), rewrite(sentence, rng)


def test_an_added_negation_is_stopped_by_the_guard() -> None:
    sentence = "The council has approved the extension of the tram line to the airport."
    negated = add_negation(sentence, random.Random(1))
    assert negated == "The council has not approved the extension of the tram line to the airport."
    assert not guard(sentence, negated)


def test_training_pairs_are_seeded_and_leave_the_story_articles_out() -> None:
    root = DEFAULT_DATA_ROOT
    if not (root / "news" / "wikinews_en.jsonl").is_file():
        pytest.skip("the shared Wikinews articles are not here")
    skipped = story_articles(CLUSTERS)
    assert skipped and all(url.startswith("https://en.wikinews.org") for url in skipped)
    first = news_pairs(root, CLUSTERS, per_article=2)
    assert first == news_pairs(root, CLUSTERS, per_article=2)
    assert not {p.group for p in first} & skipped
    assert {p.label for p in first} == {"supports", "refutes", "neutral"}


def test_probabilities_are_a_distribution() -> None:
    layer = NewsStance()
    rows = np.tile(layer.mean, (3, 1)) + np.arange(3)[:, None]
    probs = layer.probabilities(rows)
    assert probs.shape == (3, 3) and np.allclose(probs.sum(axis=1), 1.0)
    assert layer.probabilities(np.zeros((0, len(FEATURES)))).shape == (0, 3)


ARREST = "Police arrested two men in connection with the robbery."


def test_a_restatement_the_stance_model_reads_as_neutral_counts_as_support() -> None:
    """Other outlets' paraphrases often read neutral to the stance model; the layer reads those pairs too."""
    evidence = "Two men were arrested by police over the robbery."
    (plain,) = _judge([(ARREST, evidence)], news=False)
    assert plain.label == "neutral" and not plain.decisive  # what the stance model alone makes of it
    (judged,) = _judge([(ARREST, evidence)])
    assert judged.label == "supports" and judged.decisive and judged.news_support >= NewsStance().supports_threshold
    assert judged.confidence == judged.news_support


@pytest.mark.parametrize("evidence", [
    "The robbery took place at a jewellery shop on the high street shortly after midnight.",
    "Police have appealed for witnesses to the robbery to come forward.",
    "Police arrested three men in connection with the robbery.",
])
def test_another_point_of_the_story_or_another_figure_is_not_counted(evidence: str) -> None:
    (judged,) = _judge([(ARREST, evidence)])
    assert not (judged.label == "supports" and judged.decisive), (judged.label, judged.news_support)
