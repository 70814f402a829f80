"""The shipped artifacts load without pickle and rank obvious cases the right way."""
import zipfile
from pathlib import Path

import numpy as np
import pytest

from core.errors import ModelError
from core.ml import artifact
from core.ml.checkworthiness import CheckworthinessModel, claim_text, select_claims
from core.ml.loading import get_embedder
from core.ml.stance import LABELS, StanceModel
from core.ml.techniques import TechniqueModel, analyse_text
from core.techniques_catalogue import TECHNIQUES
from core.text import Segment, segment_sentences

ARTIFACTS = Path(artifact.ARTIFACT_DIR)


@pytest.mark.parametrize("name", ["techniques", "checkworthiness", "stance"])
def test_artifacts_are_npz_and_json_without_objects(name: str) -> None:
    with zipfile.ZipFile(ARTIFACTS / f"{name}.npz") as archive:
        for member in archive.namelist():
            header = archive.read(member)[:128]
            assert b"'descr': '|O'" not in header, member
    arrays, meta = artifact.load(ARTIFACTS, name)
    assert meta["name"] == name and meta["date"] and meta["data"] and meta["terms"] and meta["metrics"]
    assert all(a.dtype != object for a in arrays.values())
    assert not list(ARTIFACTS.glob("*.pkl")) and not list(ARTIFACTS.glob("*.joblib"))


def test_missing_artifact_is_a_model_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError):
        StanceModel(tmp_path)


def test_checkworthiness_ranks_facts_above_pleasantries() -> None:
    model = CheckworthinessModel()
    texts = [
        "Unemployment fell from 10 percent to 4.7 percent between 2009 and 2016.",
        "Thank you all for coming.",
        "The city spent $2.3 billion on the new stadium last year.",
        "I love you all so much.",
    ]
    scores = model.score(texts, get_embedder().encode(texts))
    assert min(scores[0], scores[2]) > max(scores[1], scores[3])
    assert scores[0] >= model.threshold > scores[1]


def test_claims_are_trimmed_exact_substrings() -> None:
    text = "But the budget grew by 12 percent in 2020, the ministry said. Is that right?"
    sentences = segment_sentences(text)
    trimmed = claim_text(sentences[0])
    assert trimmed.text.startswith("the budget") and text[trimmed.start:trimmed.end] == trimmed.text
    claims = select_claims(sentences, np.array([0.9, 0.9]), 0.5)
    assert len(claims) == 1  # the question is not a claim
    assert select_claims([Segment(0, 5, "Short")], np.array([0.99]), 0.5) == []


@pytest.mark.parametrize("sentence, reason", [
    ('"It was a big stretch," he said to laughter.', "an audience reaction"),
    ("We will bring jobs back (APPLAUSE).", "an audience reaction"),
    ("I think we should cut taxes for every family now.", "an opinion"),
    ("The Left's malicious agenda against our families", "a fragment"),
    ("and the rest of the money went to roads.", "a fragment"),
    ("Is the economy growing faster than ever before?", "a question"),
    ("Unemployment fell to 3.5% last month, the minister said.", None),
    ('"We lost $5 million on the bridge," the mayor said.', None),
    ("The council should have approved the plan in 2019, Smith said.", None),
])
def test_a_claim_is_a_self_contained_factual_statement(sentence: str, reason: str | None) -> None:
    from core.ml.checkworthiness import not_a_claim

    assert not_a_claim(sentence) == reason


def test_technique_model_finds_loaded_language_in_tight_passages() -> None:
    model = TechniqueModel()
    loaded = (
        "Radical Globalists Betray Our Great Nation\n"
        "The corrupt, lying elites and their disgusting puppets in the fake news media are destroying everything we love. "
        "These treasonous thugs want to flood our country with criminals. "
        "Wake up, patriots! Make America great again! Stand up before it is too late!"
    )
    neutral = (
        "City council approves budget\n"
        "The city council approved the annual budget on Tuesday by a vote of seven to two. "
        "The budget includes funding for road repairs and two new libraries. "
        "The mayor said the plan would be reviewed again in the spring."
    )
    embedder = get_embedder()
    res_loaded = {r.name: r for r in analyse_text(model, loaded, embedder)}
    res_neutral = {r.name: r for r in analyse_text(model, neutral, embedder)}
    assert list(res_loaded) == list(TECHNIQUES)
    assert res_loaded["Loaded_Language"].confidence > res_neutral["Loaded_Language"].confidence
    assert res_loaded["Name_Calling,Labeling"].confidence > res_neutral["Name_Calling,Labeling"].confidence
    sentence_lengths = [s.end - s.start for s in segment_sentences(loaded)]
    spans = res_loaded["Loaded_Language"].spans + res_loaded["Name_Calling,Labeling"].spans
    assert spans and min(s.end - s.start for s in spans) < min(sentence_lengths)
    for r in res_loaded.values():
        assert 0.0 <= r.confidence <= 1.0
        for s in r.spans:
            assert 0 <= s.start < s.end <= len(loaded) and 0.0 <= s.confidence <= 1.0


def test_stance_model_probabilities() -> None:
    model = StanceModel()
    probs, conflicts = model.predict(
        [("Global warming is driving polar bears toward extinction.", "Polar bear populations are declining as Arctic sea ice melts due to warming."),
         ("Vaccines cause autism in children.", "Vaccines do not cause autism in children.")],
        get_embedder().encode_with_states,
    )
    assert probs.shape == (2, len(LABELS)) and np.allclose(probs.sum(axis=1), 1.0, atol=1e-5)
    assert conflicts[0] is None and conflicts[1] is not None


def test_a_passage_that_contradicts_a_detail_never_decides_for_the_claim() -> None:
    # The linear model reads "Vaccines do not cause autism" as close to the claim (it is about the
    # same thing); the negation conflict keeps it from counting as support whatever its probability.
    judged = StanceModel().judge([("Vaccines cause autism in children.", "Vaccines do not cause autism in children.")],
                                 get_embedder().encode_with_states)[0]
    assert judged.conflict is not None and judged.conflict.kind == "negation"
    assert not (judged.label == "supports" and judged.decisive)


def test_token_passages_grow_from_a_confident_token_over_less_confident_neighbours() -> None:
    from core.ml.techniques import decode_spans
    from core.text import word_tokens

    text = "The corrupt lying elites said no. Then some vague words here."
    tokens = word_tokens(text)
    sentence_of = np.array([0 if t.start < text.index("Then") else 1 for t in tokens])
    prob = np.zeros(len(tokens))
    prob[[1, 2, 3]] = [0.45, 0.25, 0.22]  # "corrupt" seeds the passage, "lying elites" extend it
    prob[[8, 9]] = [0.3, 0.3]  # above the extension level but with no seed: not a passage
    spans = decode_spans(tokens, sentence_of, prob, threshold=0.4)
    assert [text[s:e] for s, e, _ in spans] == ["corrupt lying elites"]
    assert spans[0][2] == pytest.approx((0.45 + 0.25 + 0.22) / 3)
    # "Then" seeds a passage that does not reach back over the sentence end; the function
    # words at its edge ("Then some") are dropped.
    prob[[5, 6, 7]] = [0.21, 0.21, 0.5]
    spans = decode_spans(tokens, sentence_of, prob, threshold=0.4)
    assert [text[s:e] for s, e, _ in spans] == ["corrupt lying elites", "vague"]
    prob[:] = 0.0
    prob[[0, 1, 2, 3, 4]] = [0.3, 0.45, 0.25, 0.22, 0.3]  # "The ... said": a function word at the edge is dropped
    prob[[7, 8, 9]] = [0.45, 0.3, 0.3]
    spans = decode_spans(tokens, sentence_of, prob, threshold=0.4)
    assert [text[s:e] for s, e, _ in spans] == ["corrupt lying elites said", "vague"]


def test_a_token_passage_can_bridge_a_gap_and_extend_to_another_level_for_the_decoding_search() -> None:
    from core.ml.techniques import decode_spans
    from core.text import word_tokens

    text = "They are corrupt and lying elites."
    tokens = word_tokens(text)
    sentence_of = np.zeros(len(tokens), int)
    prob = np.zeros(len(tokens))
    prob[[2, 4, 5]] = [0.5, 0.3, 0.1]  # "corrupt" seeds; "and" falls below the extension level

    def passages(**kwargs: float) -> list[str]:
        return [text[s:e] for s, e, _ in decode_spans(tokens, sentence_of, prob, threshold=0.4, **kwargs)]

    # The shipped decoding: "and" ends the run, and "lying" (0.3) alone has no seed at the threshold.
    assert passages() == ["corrupt"] and passages(gap=0, extend=0.5) == passages()
    assert passages(gap=1) == ["corrupt and lying"]  # one token below the level bridged; "elites" at 0.1 < 0.2
    assert passages(gap=1, extend=0.25) == ["corrupt and lying elites"]
    assert passages(gap=1, extend=1.0) == ["corrupt"]  # "lying" is under a level at the threshold itself
    # With a gap the score is the mean of the run's tokens at or above the level, not of the bridged ones.
    assert decode_spans(tokens, sentence_of, prob, threshold=0.4, gap=1)[0][2] == pytest.approx(0.4)


def test_out_of_fold_readings_are_written_and_read_back_as_npz(tmp_path: Path) -> None:
    from dataclasses import fields

    from core.ml.training.techniques.evaluation import OutOfFold, load_out_of_fold, save_out_of_fold

    rng = np.random.default_rng(3)
    oof = OutOfFold(**{f.name: rng.random((4, len(TECHNIQUES))) for f in fields(OutOfFold)})
    save_out_of_fold(tmp_path / "deep" / "oof.npz", oof)
    with np.load(tmp_path / "deep" / "oof.npz", allow_pickle=False) as data:
        assert sorted(data.files) == sorted(f.name for f in fields(OutOfFold))
    back = load_out_of_fold(tmp_path / "deep" / "oof.npz")
    assert all(np.array_equal(getattr(back, f.name), getattr(oof, f.name)) for f in fields(OutOfFold))


def test_article_model_shares_its_weights_across_techniques() -> None:
    from core.ml.techniques import article_probs
    from core.ml.training.techniques.layers import fit_article

    rng = np.random.default_rng(0)
    n, n_feat = 300, 3
    feats = rng.normal(size=(n, len(TECHNIQUES), n_feat))
    base = np.linspace(-2, 2, len(TECHNIQUES))  # techniques differ in how common they are
    y = (rng.random((n, len(TECHNIQUES))) < 1 / (1 + np.exp(-(2 * feats[:, :, 0] + base)))).astype(int)
    w, b = fit_article(feats, y)
    assert w.shape == (n_feat,) and b.shape == (len(TECHNIQUES),)
    assert w[0] > 1.0 and abs(w[1]) < 0.5 and abs(w[2]) < 0.5
    assert np.corrcoef(b, base)[0, 1] > 0.95  # the per-technique intercepts follow the base rates
    probs = article_probs(feats, w, b)
    assert probs.shape == y.shape and ((probs > 0.5) == y).mean() > 0.7


def test_article_decision_threshold_is_chosen_on_the_other_folds() -> None:
    from core.ml.training.techniques.evaluation import FOLDS, nested_article_decisions

    fold = np.arange(50) % FOLDS
    y = np.tile([True, False], 25)[:, None]
    prob = np.where(y, 0.35, 0.25)  # on every fold, thresholds above 0.25 and up to 0.35 separate the classes
    prob[(fold == 0) & y[:, 0]] = 0.22  # fold 0's own positives would want a threshold of 0.2
    decisions = nested_article_decisions(prob, y, fold)
    assert not decisions[fold == 0].any()  # fold 0 is judged at the others' threshold (0.3), so it misses them
    assert (decisions[fold != 0] == y[fold != 0]).all()


def test_ordinary_news_joins_the_folds_without_moving_the_annotated_articles() -> None:
    from core.ml.training.techniques.corpus import FOLDS, article_folds, folds

    fold = article_folds(289, 294)
    # PTC keeps the folds it had without the news, so its numbers compare with the earlier ones.
    assert np.array_equal(fold[:289], folds(289))
    # Every fold holds about a fifth of the news (grouped by article, as the annotated ones).
    assert sorted(np.bincount(fold[289:], minlength=FOLDS)) == [58, 59, 59, 59, 59]
    assert np.array_equal(article_folds(289, 0), folds(289))


def test_stance_cross_features_pair_only_the_words_that_differ() -> None:
    from core.ml.stance import CROSS_BUCKETS, pair_crosses
    from core.ml.features import hashed

    m = pair_crosses([("Global temperatures are rising fast", "Global temperatures are falling fast"),
                      ("Sea levels rise", "Sea levels rise"),
                      ("Ice melts", "Glaciers shrink")])
    assert m.shape == (3, CROSS_BUCKETS)
    assert m[0].indices.tolist() == hashed(["rising|falling"], CROSS_BUCKETS) and m[0].data.tolist() == [1.0]
    assert m[1].nnz == 0  # nothing differs
    assert m[2].nnz == 4 and np.isclose(np.linalg.norm(m[2].data), 1.0)  # 2 x 2 pairs, unit length


def test_sentence_states_are_the_scaled_mean_of_each_sentences_standardised_token_states() -> None:
    from core.ml.techniques import SENTENCE_STATE_SCALE, sentence_states

    raw = np.array([[1.0, 2.0], [3.0, 6.0], [5.0, 0.0]], dtype=np.float32)
    sentence_of = np.array([0, 0, 2])  # sentence 1 has no tokens (cut off by the embedder's limit)
    mean, scale = np.array([1.0, 2.0]), np.array([0.5, 0.0])  # the second dimension is constant: dropped
    out = sentence_states(raw, sentence_of, 3, mean, scale)
    assert out.shape == (3, 2)
    assert np.allclose(out[0], [0.5 * SENTENCE_STATE_SCALE, 0.0])  # mean of (0, 0) and (1, 0)
    assert not out[1].any()
    assert np.allclose(out[2], [2.0 * SENTENCE_STATE_SCALE, 0.0])
    assert sentence_states(np.zeros((0, 0), np.float32), np.zeros(0, np.int64), 0, mean, scale).shape == (0, 2)


def test_stance_state_features_compare_standardised_states() -> None:
    from core.ml.stance import STATE_DIFFERENCE_SCALE, STATE_PRODUCT_SCALE, state_features, state_standardiser

    rng = np.random.default_rng(0)
    states = rng.normal(loc=5.0, scale=[1.0, 4.0], size=(500, 2))
    mean, scale = state_standardiser(states)
    assert np.allclose(mean, [5.0, 5.0], atol=0.5) and np.allclose(1 / scale, [1.0, 4.0], rtol=0.15)
    same = state_features(states[:3], states[:3], mean, scale)
    assert same.shape == (3, 4) and not same[:, 2:].any()  # no difference between identical states
    claim, evidence = mean + np.array([[2.0, 0.0]]) / scale, mean + np.array([[-2.0, 0.0]]) / scale
    assert np.allclose(state_features(claim, evidence, mean, scale),
                       [[-4.0 * STATE_PRODUCT_SCALE, 0.0, 4.0 * STATE_DIFFERENCE_SCALE, 0.0]], atol=1e-5)


def test_token_passages_do_not_cut_a_capitalised_name() -> None:
    from core.ml.techniques import decode_spans
    from core.text import word_tokens

    def passages(text: str, seeds: list[str]) -> list[str]:
        tokens = word_tokens(text)
        prob = np.array([0.5 if t.text in seeds else 0.0 for t in tokens])
        return [text[s:e] for s, e, _ in decode_spans(tokens, np.zeros(len(tokens), int), prob, threshold=0.4)]

    assert passages('They said "the nation that gave the world the Magna Carta is dead".', ["Carta", "is", "dead"]) == [
        "Magna Carta is dead"]
    assert passages("The crooked Hillary Clinton lied again.", ["crooked", "Hillary"]) == ["crooked Hillary Clinton"]
    # A sentence's first word is capitalised anyway, and so is every word of a headline.
    assert passages("Yesterday Trump raged at the press.", ["Trump", "raged"]) == ["Trump raged"]
    assert passages("Pope Francis Slams Corrupt Globalist Elites", ["Corrupt"]) == ["Corrupt"]


def test_names_financial_terms_and_attributed_quotes_in_a_report_are_no_passages() -> None:
    """Issue 28's wrong passages, in an ordinary report: "put" (a put option) and "Black Death" as Name Calling,
    a prosecutor's quoted statement as Appeal to Authority, "Pound's comments" as Loaded Language."""
    report = ("Markets slide as investors buy protection\n\nTraders bought a put option on the index on Friday, the exchange said. "
              "The museum opened an exhibition on the Black Death, which killed millions in the 14th century. "
              "\"The evidence shows he knowingly filed false returns,\" the prosecutor said in court on Tuesday. "
              "Pound's comments were reported by the newspaper on Monday.")
    found = {t.name: t for t in analyse_text(TechniqueModel(), report, get_embedder())}
    shown = [s.text for name in ("Name_Calling,Labeling", "Appeal_to_Authority", "Loaded_Language") for s in found[name].spans]
    assert not [text for text in shown if any(word in text for word in ("put", "Black Death", "prosecutor", "Pound"))]
