import numpy as np
import pytest

from core.engines import get_engine
from core.engines.base import StanceJudgement
from core.ml.reference import NewsReference, persuasion_score, technique_strength, word_count
from core.records import Article, Stance
from core.techniques_catalogue import TECHNIQUES
from core.settings import get_settings
from testkit.articles import TEXT, WIRE_TEXT

ARTICLE = (
    "Shameful Globalist Elites Betray Hard-Working Americans\n"
    "The corrupt elites in Washington have once again betrayed the people. "
    "According to the Labor Department, unemployment rose from 3.5 percent to 4.1 percent in 2024. "
    "These spineless cowards will stop at nothing to destroy our great nation!\n"
    "Thank you for reading. But the deficit grew by 1.8 trillion dollars last year, the Treasury reported."
)


@pytest.fixture()
def engine(monkeypatch: pytest.MonkeyPatch, tmp_path):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("CROSSCHECK_HOME", str(tmp_path))
    get_settings.cache_clear()
    yield get_engine("local", get_settings())
    get_settings.cache_clear()


def test_read_returns_all_techniques_with_exact_spans(engine) -> None:  # type: ignore[no-untyped-def]
    progress: list[tuple[str, float | None]] = []
    reading = engine.read(Article(text=ARTICLE), lambda m, f=None: progress.append((m, f)))
    assert sorted(t.name for t in reading.techniques) == sorted(TECHNIQUES)
    confidences = [t.confidence for t in reading.techniques]
    assert confidences == sorted(confidences, reverse=True)
    assert all(0 <= c <= 1 for c in confidences)
    n_spans = 0
    for technique in reading.techniques:
        for span in technique.spans:
            assert ARTICLE[span.start:span.end] == span.text and span.text
            assert 0 <= span.confidence <= 1
            n_spans += 1
    assert n_spans > 0
    assert reading.partial is False and reading.warnings == ()
    fractions = [f for _, f in progress if f is not None]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0


def test_techniques_are_measured_against_ordinary_news(engine) -> None:  # type: ignore[no-untyped-def]
    reading = engine.read(Article(text=ARTICLE))
    reference = NewsReference()
    n_words = word_count(ARTICLE)
    for technique in reading.techniques:
        assert technique.strength == pytest.approx(technique_strength(technique.spans, n_words))
        assert technique.percentile == reference.technique_percentile(TECHNIQUES.index(technique.name), technique.strength)
        assert technique.found == (bool(technique.spans) and technique.confidence >= reference.min_confidence
                                   and technique.strength >= reference.cutoff(technique.name))
    # This short rant is far denser in loaded words than ordinary news.
    assert any(t.found for t in reading.techniques)
    assert reading.persuasion.score == pytest.approx(persuasion_score(reading.techniques, n_words))
    assert reading.persuasion.percentile == 1.0


def test_an_ordinary_wire_report_has_no_found_technique(engine) -> None:  # type: ignore[no-untyped-def]
    """The kind of page that lit up as propaganda under the old 50 % rule (an awards report, attributed quotes)."""
    reading = engine.read(Article(text=WIRE_TEXT, language="en"))
    assert not any(t.found for t in reading.techniques)
    assert reading.persuasion.percentile < 0.9
    sample = engine.read(Article(text=TEXT, language="en"))  # residents' "disgraceful betrayal", "furious protester"
    assert sample.persuasion.percentile > reading.persuasion.percentile


def test_claims_are_exact_and_check_worthy(engine) -> None:  # type: ignore[no-untyped-def]
    reading = engine.read(Article(text=ARTICLE))
    texts = [c.text for c in reading.claims]
    for claim in reading.claims:
        assert ARTICLE[claim.start:claim.end] == claim.text
        assert 0 <= claim.checkworthiness <= 1
    assert any("unemployment rose" in t for t in texts)
    assert any(t.startswith("the deficit grew") for t in texts)
    assert not any("Thank you" in t for t in texts)


def test_non_english_article_gets_no_english_model_numbers(engine) -> None:  # type: ignore[no-untyped-def]
    reading = engine.read(Article(text="Le gouvernement a augmenté les impôts de 5 pour cent en 2023.", language="fr"))
    assert reading.techniques == () and reading.claims == () and reading.persuasion is None
    assert len(reading.warnings) == 1
    assert "in French" in reading.warnings[0] and "English only" in reading.warnings[0] and "claude engine" in reading.warnings[0]


def test_empty_article(engine) -> None:  # type: ignore[no-untyped-def]
    reading = engine.read(Article(text="   "))
    assert len(reading.techniques) == len(TECHNIQUES) and reading.claims == ()


def test_judge_stance(engine) -> None:  # type: ignore[no-untyped-def]
    judgements = engine.judge_stance([
        ("The bridge cost 40 million dollars to build.", "Building the bridge cost 65 million dollars."),
        ("Vaccines cause autism in children.", "Vaccines do not cause autism in children."),
    ])
    assert len(judgements) == 2 and all(isinstance(j, StanceJudgement) for j in judgements)
    for j in judgements:
        assert set(j.scores) == set(Stance)
        assert np.isclose(sum(j.scores.values()), 1.0, atol=1e-4)
        assert j.confidence == j.scores[j.stance] == max(j.scores.values())
        # A passage that disagrees on the figure or negates the claim never counts as support.
        assert not (j.stance == Stance.SUPPORTS and j.decisive)
        # A stance that takes a side and does not count says why; one that counts or takes no side does not.
        assert (j.reason is not None) == (j.stance != Stance.NEUTRAL and not j.decisive)
        if j.stance == Stance.SUPPORTS:
            assert j.reason is not None and j.reason.startswith("not counted: ")
    # A negation conflict swaps the model's supports and refutes (core/ml/stance.apply_conflict).
    assert judgements[1].scores[Stance.REFUTES] >= judgements[1].scores[Stance.SUPPORTS]
    assert engine.judge_stance([]) == []


def test_info(engine) -> None:  # type: ignore[no-untyped-def]
    info = engine.info()
    assert info.name == "local" and "MiniLM" in info.model and "techniques" in info.model
