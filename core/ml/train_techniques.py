"""Training and cross-validated evaluation of the technique detector (needs scikit-learn)."""
from __future__ import annotations

import logging
import os
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse

from ..models import TECHNIQUES
from ..text import Segment, segment_sentences
from . import artifact
from .blas import one_blas_thread
from .calibration import apply_platt, expected_calibration_error, fit_platt, logit, reliability_table
from .data import PtcArticle, cache_file, embed_cached, load_ptc
from .embeddings import get_embedder
from .features import Tfidf
from .techniques import (
    N_CONTEXT,
    N_TECH,
    N_TOKEN_DENSE,
    NAME,
    TOKEN_BUCKETS,
    ArticleTokens,
    article_features,
    article_probs,
    document_vector,
    article_tokens,
    SENTENCE_MODE,
    TOKEN_MODE,
    decode_spans,
    sentence_spans,
    sentence_states,
    sentence_style,
    project_context,
    token_context,
    token_matrix,
)

log = logging.getLogger(__name__)

SEED = 13
FOLDS = 5
SENT_C = 1.0
TOK_C = 0.25
GATE_RECALL = 0.95
ART_C = 0.3
DOC_C = 10.0
# Token probabilities are small (passages are rare among tokens), so the grid starts low.
THRESHOLD_GRID = np.array([0.03, 0.05, 0.07, 0.1, 0.13, 0.16, 0.2, 0.25, 0.3, 0.4, 0.5])
SENTENCE_GRID = np.array([0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5])
ARTICLE_GRID = np.round(np.arange(0.2, 0.61, 0.05), 2)
# One split of 289 articles decides the headline article micro-F1 by luck as much as by
# model: the article layer and its threshold are also refitted on these other fold
# assignments (over the same out-of-fold passage and document features), and the spread reported.
ARTICLE_REFOLD_SEEDS = tuple(range(100, 110))
MICRO_ROUNDS = 3  # passes of the joint revision of the passage thresholds (see _best_decoding)
# Tokens sampled to fit the projection of the contextual states (plenty for 384 dimensions).
CONTEXT_SAMPLE = 50_000
# The projected states are shrunk so that their L2 penalty weighs about like that of the
# sparse binary window features; at full scale they crowd those out.
CONTEXT_SHRINK = 0.1
CONSTANT_SPREAD = 1e-3  # state dimensions with less spread than this are dropped
EMBED_CHUNK = 2048  # sentences per encode_tokens call: bounds the memory its states take
# Per-technique fits run side by side (see _per_technique); more threads than this
# would mostly add memory, one sparse design matrix each.
FIT_THREADS = min(4, os.cpu_count() or 1)
Progress = Callable[[str], None]
FitResult = tuple[np.ndarray, float]


@dataclass
class Corpus:
    articles: list[PtcArticle]
    sentences: list[list[Segment]]
    sent_article: np.ndarray  # sentence row -> article index
    sent_emb: np.ndarray
    sent_style: np.ndarray
    article_vectors: np.ndarray  # (n_articles, 384): document_vector of each article's sentence embeddings
    sent_states: np.ndarray  # (n_sent, 384): sentence_states of each sentence
    sent_texts: list[str]
    sent_y: np.ndarray  # (n_sent, N_TECH)
    toks: list[ArticleTokens]
    tok_article: np.ndarray
    tok_sentence_row: np.ndarray  # token -> global sentence row
    tok_x: sparse.csr_matrix
    tok_dense: np.ndarray
    tok_context: np.ndarray  # (n_tok, N_CONTEXT) projected contextual states
    context_projection: tuple[np.ndarray, np.ndarray, np.ndarray]  # mean, scale, components
    tok_y: np.ndarray  # (n_tok, N_TECH)


def _overlaps(start: int, end: int, spans: Sequence[tuple[str, int, int]]) -> np.ndarray:
    y = np.zeros(N_TECH, dtype=np.int8)
    for tech, s, e in spans:
        if s < end and start < e:
            y[TECHNIQUES.index(tech)] = 1
    return y


def _raw_context(sentences: list[list[Segment]], toks: list[ArticleTokens]) -> np.ndarray:
    """Contextual states of every token (float16), cached on disk like the sentence embeddings."""
    texts = [s.text for ss in sentences for s in ss]
    cache = cache_file(texts, "ptc-token-states-layer3")
    if cache.is_file():
        return np.load(cache, allow_pickle=False)
    # Many articles per forward pass: length-sorted batches over a whole chunk pad far less.
    chunks: list[list[int]] = [[]]
    size = 0
    for i, ss in enumerate(sentences):
        if chunks[-1] and size + len(ss) > EMBED_CHUNK:
            chunks.append([])
            size = 0
        chunks[-1].append(i)
        size += len(ss)
    parts = []
    for chunk in chunks:
        _, states = get_embedder().encode_tokens([s.text for i in chunk for s in sentences[i]])
        for i in chunk:
            parts.append(token_context(toks[i], sentences[i], states[:len(sentences[i])]).astype(np.float16))
            states = states[len(sentences[i]):]
    out = np.vstack(parts)
    cache.parent.mkdir(parents=True, exist_ok=True)
    np.save(cache, out)
    return out


def fit_context_projection(raw: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean, inverse spread and the first N_CONTEXT principal axes (shrunk) of the token states.

    Fitted on all tokens without labels, so cross-validation folds share it; it
    learns nothing about the techniques.
    """
    rng = np.random.default_rng(SEED)
    sample = raw[rng.choice(len(raw), min(CONTEXT_SAMPLE, len(raw)), replace=False)].astype(np.float32)
    mean = sample.mean(axis=0)
    spread = sample.std(axis=0)
    # A few dimensions of the quantised model's states are constant: they carry nothing,
    # and scaling them up would turn rounding noise at inference into large features.
    scale = np.where(spread > CONSTANT_SPREAD, 1.0 / np.maximum(spread, CONSTANT_SPREAD), 0.0)
    _, _, axes = np.linalg.svd((sample - mean) * scale, full_matrices=False)
    return mean, scale, (axes[:N_CONTEXT] * CONTEXT_SHRINK).astype(np.float32)


def prepare(root: Path, say: Progress) -> Corpus:
    articles = load_ptc(root)
    sentences = [segment_sentences(a.text) for a in articles]
    sent_texts = [s.text for ss in sentences for s in ss]
    sent_article = np.array([i for i, ss in enumerate(sentences) for _ in ss])
    say(f"{len(articles)} articles, {len(sent_texts)} sentences; embedding (cached after the first run)")
    sent_emb = embed_cached(sent_texts, "ptc-sentences")
    sent_style = np.array([sentence_style(t) for t in sent_texts], dtype=np.float32)
    bounds = np.searchsorted(sent_article, np.arange(len(articles) + 1))
    article_vectors = np.array([document_vector(sent_emb[bounds[i]:bounds[i + 1]]) for i in range(len(articles))])
    sent_y = np.array([_overlaps(s.start, s.end, a.spans) for a, ss in zip(articles, sentences) for s in ss])
    toks, tok_y, tok_article, tok_srow = [], [], [], []
    offset = 0
    for i, (a, ss) in enumerate(zip(articles, sentences)):
        t = article_tokens(a.text, ss)
        toks.append(t)
        tok_y.extend(_overlaps(tok.start, tok.end, a.spans) for tok in t.tokens)
        tok_article.extend([i] * len(t.tokens))
        tok_srow.extend((t.sentence_of + offset).tolist())
        offset += len(ss)
    say(f"{len(tok_y)} tokens; contextual token states (cached after the first run)")
    raw = _raw_context(sentences, toks)
    projection = fit_context_projection(raw)
    raw = raw.astype(np.float32)
    context = project_context(raw, *projection)
    sent_states = sentence_states(raw, np.array(tok_srow), len(sent_texts), projection[0], projection[1])
    return Corpus(
        articles, sentences, sent_article, sent_emb, sent_style, article_vectors, sent_states, sent_texts, sent_y, toks,
        np.array(tok_article), np.array(tok_srow),
        sparse.vstack([token_matrix(t) for t in toks]).tocsr(),
        np.vstack([t.dense for t in toks]), context, projection, np.array(tok_y, dtype=np.int8),
    )


def _folds(n_articles: int, seed: int = SEED) -> np.ndarray:
    """Article -> fold, fixed by the seed."""
    rng = np.random.default_rng(seed)
    return rng.permutation(n_articles) % FOLDS


# ---------------------------------------------------------------- layer fits


def _per_technique(fit_one: Callable[[int], FitResult | None]) -> list[FitResult | None]:
    """``fit_one(k)`` for every technique, on FIT_THREADS threads.

    liblinear releases the GIL while it fits, so on two cores the fits take
    about half the wall time; each fit is independent of the others, so the
    weights do not depend on the thread scheduling. A design matrix that the
    fits share must be in canonical form (see _canonical): scikit-learn sorts a
    CSR matrix's indices in place, and two threads doing that at once corrupt
    each other's view of it.
    """
    # One BLAS thread per fit: the fits already fill the cores, and a fixed thread
    # count keeps liblinear's summation order, so its weights, the same on every run.
    with one_blas_thread(), ThreadPoolExecutor(FIT_THREADS) as pool:
        return list(pool.map(fit_one, range(N_TECH)))


def _canonical(m: sparse.csr_matrix) -> sparse.csr_matrix:
    """``m`` with sorted indices and no duplicates, as scikit-learn wants it (so it never rewrites it)."""
    m.sum_duplicates()
    return m


def _lr(c: float):  # type: ignore[no-untyped-def]
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=c, solver="liblinear", tol=1e-3, max_iter=200, random_state=SEED)


def _sent_x(corpus: Corpus, tfidf: Tfidf, rows: np.ndarray) -> sparse.csr_matrix:
    lex = tfidf.transform([corpus.sent_texts[i] for i in rows])
    return _canonical(sparse.hstack([sparse.csr_matrix(corpus.sent_emb[rows]), lex, sparse.csr_matrix(corpus.sent_style[rows]),
                                     sparse.csr_matrix(corpus.article_vectors[corpus.sent_article[rows]]),
                                     sparse.csr_matrix(corpus.sent_states[rows])]).tocsr())


def fit_sentence(corpus: Corpus, rows: np.ndarray) -> tuple[Tfidf, np.ndarray, np.ndarray]:
    tfidf = Tfidf.fit(corpus.sent_texts[i] for i in rows)
    x = _sent_x(corpus, tfidf, rows)
    w = np.zeros((x.shape[1], N_TECH))
    b = np.zeros(N_TECH)

    def fit_one(k: int) -> FitResult | None:
        y = corpus.sent_y[rows, k]
        if y.min() == y.max():
            return None
        model = _lr(SENT_C).fit(x, y)
        return model.coef_[0], model.intercept_[0]

    for k, fitted in enumerate(_per_technique(fit_one)):
        if fitted is None:
            b[k] = -10.0 if corpus.sent_y[rows, k].max() == 0 else 10.0
        else:
            w[:, k], b[k] = fitted
    return tfidf, w, b


def sentence_scores(corpus: Corpus, fitted: tuple[Tfidf, np.ndarray, np.ndarray], rows: np.ndarray) -> np.ndarray:
    tfidf, w, b = fitted
    return np.asarray(_sent_x(corpus, tfidf, rows) @ w) + b


def _tok_x(corpus: Corpus, rows: np.ndarray, sent_logit_k: np.ndarray) -> sparse.csr_matrix:
    return sparse.hstack([corpus.tok_x[rows], sparse.csr_matrix(corpus.tok_dense[rows]), sparse.csr_matrix(corpus.tok_context[rows]),
                          sparse.csr_matrix(sent_logit_k[:, None])]).tocsr()


def sentence_gates(sent_prob: np.ndarray, sent_y: np.ndarray) -> np.ndarray:
    """Per technique, the sentence probability below which no token is tagged.

    The gate keeps GATE_RECALL of the sentences that hold a gold passage (out of
    fold), so the tagger trains and runs only where the sentence model sees a
    chance: much less work, and fewer stray passages in unrelated sentences.
    """
    return np.array([np.quantile(sent_prob[sent_y[:, k] == 1, k], 1 - GATE_RECALL) if sent_y[:, k].any() else 1.0
                     for k in range(N_TECH)])


def fit_tokens(corpus: Corpus, rows: np.ndarray, sent_logit: np.ndarray, gates: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Token tagger weights; ``sent_logit`` is per token (calibrated sentence logit of its sentence)."""
    w = np.zeros((TOKEN_BUCKETS + N_TOKEN_DENSE + N_CONTEXT + 1, N_TECH))
    b = np.full(N_TECH, -10.0)

    def fit_one(k: int) -> FitResult | None:
        keep = sent_logit[:, k] >= logit(np.array(gates[k]))
        y = corpus.tok_y[rows[keep], k]
        if not len(y) or y.min() == y.max():  # no sentence passes the gate, or one class only
            return None
        model = _lr(TOK_C).fit(_tok_x(corpus, rows[keep], sent_logit[keep, k]), y)
        return model.coef_[0], model.intercept_[0]

    for k, fitted in enumerate(_per_technique(fit_one)):
        if fitted is not None:
            w[:, k], b[k] = fitted
    return w, b


def token_probs(corpus: Corpus, fitted: tuple[np.ndarray, np.ndarray], rows: np.ndarray, sent_logit: np.ndarray, gates: np.ndarray) -> np.ndarray:
    w, b = fitted
    out = np.zeros((len(rows), N_TECH))
    for k in range(N_TECH):
        out[:, k] = np.asarray(_tok_x(corpus, rows, sent_logit[:, k]) @ w[:, k]).ravel() + b[k]
    return np.where(sent_logit >= logit(gates), 1 / (1 + np.exp(-out)), 0.0)


# ---------------------------------------------------------------- metrics


SpanSums = tuple[float, int, float, int]  # precision credit, predicted passages, recall credit, gold passages


def span_sums(pred: dict[tuple[int, int], list[tuple[int, int]]], gold: dict[tuple[int, int], list[tuple[int, int]]]) -> SpanSums:
    """The sums behind SemEval-2020 SI-style precision and recall with partial overlap, keyed by (article, technique)."""
    p_sum = r_sum = 0.0
    for key, spans in pred.items():
        golds = gold.get(key, [])
        for s, e in spans:
            for gs, ge in golds:
                inter = min(e, ge) - max(s, gs)
                if inter > 0:
                    p_sum += inter / (e - s)
                    r_sum += inter / (ge - gs)
    return p_sum, sum(len(v) for v in pred.values()), r_sum, sum(len(v) for v in gold.values())


def _prf(sums: SpanSums | np.ndarray) -> tuple[float, float, float]:
    p_sum, n_pred, r_sum, n_gold = sums
    p = float(p_sum / n_pred) if n_pred else 0.0
    r = float(r_sum / n_gold) if n_gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def span_prf(pred: dict[tuple[int, int], list[tuple[int, int]]], gold: dict[tuple[int, int], list[tuple[int, int]]]) -> tuple[float, float, float]:
    """SemEval-2020 SI-style precision/recall/F1 with partial overlap, keyed by (article, technique)."""
    return _prf(span_sums(pred, gold))


def micro_f1(pred: np.ndarray, gold: np.ndarray) -> float:
    tp = float((pred & gold).sum())
    fp = float((pred & ~gold).sum())
    fn = float((~pred & gold).sum())
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def mean_auc(scores: np.ndarray, gold: np.ndarray) -> float:
    from sklearn.metrics import roc_auc_score

    aucs = [roc_auc_score(gold[:, k], scores[:, k]) for k in range(gold.shape[1]) if 0 < gold[:, k].sum() < len(gold)]
    return float(np.mean(aucs)) if aucs else float("nan")  # no technique both present and absent somewhere


def _gold_spans(corpus: Corpus, merge_techniques: bool = False) -> dict[tuple[int, int], list[tuple[int, int]]]:
    gold: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    for i, a in enumerate(corpus.articles):
        for tech, s, e in a.spans:
            gold[(i, -1 if merge_techniques else TECHNIQUES.index(tech))].append((s, e))
    return gold


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def _decode_all(corpus: Corpus, tok_prob: np.ndarray, thresholds: np.ndarray, articles: Sequence[int],
                sent_prob: np.ndarray | None = None, modes: np.ndarray | None = None) -> dict[tuple[int, int], list[tuple[int, int, float]]]:
    """Passages per (article, technique): token runs, or whole sentences where ``modes[k] == SENTENCE_MODE``."""
    pred: dict[tuple[int, int], list[tuple[int, int, float]]] = {}
    starts = np.searchsorted(corpus.tok_article, np.arange(len(corpus.articles) + 1))
    s_starts = np.searchsorted(corpus.sent_article, np.arange(len(corpus.articles) + 1))
    for i in articles:
        t = corpus.toks[i]
        probs = tok_prob[starts[i]:starts[i + 1]]
        for k in range(N_TECH):
            if modes is not None and sent_prob is not None and modes[k] == SENTENCE_MODE:
                sp = sent_prob[s_starts[i]:s_starts[i + 1], k]
                spans = sentence_spans(corpus.sentences[i], sp, float(thresholds[k]))
            else:
                spans = decode_spans(t.tokens, t.sentence_of, probs[:, k], float(thresholds[k]))
            if spans:
                pred[(i, k)] = spans
    return pred


Candidate = tuple[int, float, dict[tuple[int, int], list[tuple[int, int, float]]]]


def _token_candidates(corpus: Corpus, tok_prob: np.ndarray) -> list[Candidate]:
    """Token-run passages at every threshold of the grid, decoded once over all articles."""
    everything = range(len(corpus.articles))
    return [(TOKEN_MODE, thr, _decode_all(corpus, tok_prob, np.full(N_TECH, thr), everything)) for thr in THRESHOLD_GRID]


def _sentence_candidates(corpus: Corpus, tok_prob: np.ndarray, sent_prob: np.ndarray) -> list[Candidate]:
    """Whole-sentence passages at every threshold of the sentence grid, decoded once over all articles."""
    everything = range(len(corpus.articles))
    return [(SENTENCE_MODE, thr, _decode_all(corpus, tok_prob, np.full(N_TECH, thr), everything, sent_prob,
                                             np.full(N_TECH, SENTENCE_MODE))) for thr in SENTENCE_GRID]


def _best_decoding(corpus: Corpus, candidates: Sequence[Candidate], articles: Sequence[int], *,
                   micro: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Per technique, the passage mode and threshold among ``candidates`` with the best span F1 on ``articles``.

    With ``micro``, the choices are then revised together for the F1 over all
    techniques' passages (coordinate ascent, MICRO_ROUNDS passes). The metric pools
    the techniques, so a weak technique's best own F1 may come from many loose
    passages that lower everyone's precision; out of fold this raised span F1 from
    0.230 to 0.235 (docs/local-models.md).
    """
    gold = _gold_spans(corpus)
    arts = set(articles)
    sums = np.zeros((len(candidates), N_TECH, 4))
    for k in range(N_TECH):
        g = {key: v for key, v in gold.items() if key[1] == k and key[0] in arts}
        for c, (_, _, dec) in enumerate(candidates):
            sums[c, k] = span_sums({key: [(s, e) for s, e, _ in v] for key, v in dec.items() if key[1] == k and key[0] in arts}, g)
    choice = [int(np.argmax([_prf(sums[c, k])[2] for c in range(len(candidates))])) for k in range(N_TECH)]
    for _ in range(MICRO_ROUNDS if micro else 0):
        for k in range(N_TECH):
            others = sum(sums[choice[j], j] for j in range(N_TECH) if j != k)
            choice[k] = int(np.argmax([_prf(others + sums[c, k])[2] for c in range(len(candidates))]))
    modes = np.array([candidates[c][0] for c in choice], dtype=np.int64)
    return modes, np.array([candidates[c][1] for c in choice])


# ---------------------------------------------------------------- the pipeline


@dataclass
class OutOfFold:
    sent_prob: np.ndarray
    sent_platt: np.ndarray
    gates: np.ndarray
    tok_prob: np.ndarray
    art_prob: np.ndarray
    thresholds_all: np.ndarray
    span_modes_nested: np.ndarray
    span_thr_nested: np.ndarray
    span_modes: np.ndarray
    span_thr: np.ndarray
    span_platt: np.ndarray
    art_feats: np.ndarray
    art_y: np.ndarray


def cross_validate(corpus: Corpus, say: Progress) -> OutOfFold:
    fold_of_article = _folds(len(corpus.articles))
    sent_fold = fold_of_article[corpus.sent_article]
    tok_fold = fold_of_article[corpus.tok_article]
    raw = np.zeros(corpus.sent_y.shape)
    for f in range(FOLDS):
        t0 = time.time()
        train, test = np.where(sent_fold != f)[0], np.where(sent_fold == f)[0]
        raw[test] = sentence_scores(corpus, fit_sentence(corpus, train), test)
        say(f"sentence model fold {f + 1}/{FOLDS} ({time.time() - t0:.0f} s)")
    platt = np.array([fit_platt(raw[:, k], corpus.sent_y[:, k]) for k in range(N_TECH)])
    sent_prob = apply_platt(raw, platt[:, 0], platt[:, 1])
    tok_sent_logit = logit(sent_prob[corpus.tok_sentence_row])
    gates = sentence_gates(sent_prob, corpus.sent_y)
    tok_prob = np.zeros(corpus.tok_y.shape)
    for f in range(FOLDS):
        t0 = time.time()
        train, test = np.where(tok_fold != f)[0], np.where(tok_fold == f)[0]
        fitted = fit_tokens(corpus, train, tok_sent_logit[train], gates)
        tok_prob[test] = token_probs(corpus, fitted, test, tok_sent_logit[test], gates)
        say(f"token tagger fold {f + 1}/{FOLDS} ({time.time() - t0:.0f} s)")
    all_articles = list(range(len(corpus.articles)))
    token_candidates = _token_candidates(corpus, tok_prob)
    candidates = token_candidates + _sentence_candidates(corpus, tok_prob, sent_prob)
    other_folds = [[i for i in all_articles if fold_of_article[i] != f] for f in range(FOLDS)]
    nested = np.array([_best_decoding(corpus, token_candidates, other)[1] for other in other_folds])
    thresholds = _best_decoding(corpus, token_candidates, all_articles)[1]
    nested_dec = [_best_decoding(corpus, candidates, other, micro=True) for other in other_folds]
    span_modes, span_thr = _best_decoding(corpus, candidates, all_articles, micro=True)
    span_platt = _fit_span_platt(corpus, tok_prob, sent_prob, span_modes, span_thr)
    say("passage modes: " + ", ".join(f"{TECHNIQUES[k]}={'sentence' if span_modes[k] else 'token'}@{span_thr[k]:g}" for k in range(N_TECH)))
    # Document and article layers.
    art_y = np.array([[int(any(t == name for t, _, _ in a.spans)) for name in TECHNIQUES] for a in corpus.articles])
    doc_logit = np.zeros(art_y.shape)
    for f in range(FOLDS):
        train_a, test_a = fold_of_article != f, fold_of_article == f
        fitted = fit_document(corpus, np.where(sent_fold != f)[0], np.where(train_a)[0], art_y[train_a])
        doc_logit[test_a] = document_scores(corpus, fitted, np.where(test_a)[0])
    say("document model done")
    starts_s = np.searchsorted(corpus.sent_article, np.arange(len(corpus.articles) + 1))
    starts_t = np.searchsorted(corpus.tok_article, np.arange(len(corpus.articles) + 1))
    feats = np.array([
        article_features(sent_prob[starts_s[i]:starts_s[i + 1]], tok_prob[starts_t[i]:starts_t[i + 1]], nested[fold_of_article[i]], doc_logit[i])
        for i in all_articles
    ])  # (n_art, N_TECH, 7)
    art_prob = _refit_article_layer(feats, art_y, fold_of_article)
    return OutOfFold(sent_prob, platt, gates, tok_prob, art_prob, thresholds,
                     np.array([m for m, _ in nested_dec]), np.array([t for _, t in nested_dec]), span_modes, span_thr,
                     span_platt, feats, art_y)


def _doc_x(corpus: Corpus, tfidf: Tfidf, articles: np.ndarray) -> sparse.csr_matrix:
    return _canonical(sparse.hstack([sparse.csr_matrix(corpus.article_vectors[articles]), tfidf.transform([corpus.articles[i].text for i in articles])]).tocsr())


def fit_document(corpus: Corpus, sent_rows: np.ndarray, articles: np.ndarray, y: np.ndarray,
                 tfidf: Tfidf | None = None) -> tuple[Tfidf, np.ndarray, np.ndarray]:
    """Per-technique logistic regression on whole articles (mean embedding + TF-IDF)."""
    tfidf = tfidf or Tfidf.fit(corpus.sent_texts[i] for i in sent_rows)
    x = _doc_x(corpus, tfidf, articles)
    w = np.zeros((x.shape[1], N_TECH))
    b = np.zeros(N_TECH)

    def fit_one(k: int) -> FitResult | None:
        if y[:, k].min() == y[:, k].max():
            return None
        m = _lr(DOC_C).fit(x, y[:, k])
        return m.coef_[0], m.intercept_[0]

    for k, fitted in enumerate(_per_technique(fit_one)):
        if fitted is None:
            b[k] = 10.0 if y[0, k] else -10.0
        else:
            w[:, k], b[k] = fitted
    return tfidf, w, b


def document_scores(corpus: Corpus, fitted: tuple[Tfidf, np.ndarray, np.ndarray], articles: np.ndarray) -> np.ndarray:
    tfidf, w, b = fitted
    return np.asarray(_doc_x(corpus, tfidf, articles) @ w) + b


def fit_article(feats: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Article model over ``feats`` (n_articles, N_TECH, n_features): one weight per feature, shared by all
    techniques, and an intercept per technique.

    Sharing the weights gives each one 14 times the data of a per-technique fit
    (289 articles are few for 7 weights times 14 techniques): out of fold it raised
    nested micro-F1 from 0.686 to 0.693 and mean ROC-AUC from 0.786 to 0.793.
    """
    from sklearn.linear_model import LogisticRegression

    n, n_tech, n_feat = feats.shape
    x = np.hstack([feats.transpose(1, 0, 2).reshape(n_tech * n, n_feat), np.repeat(np.eye(n_tech), n, axis=0)])
    with one_blas_thread():  # a fixed thread count keeps the solver's sums, so the weights, the same on every run
        model = LogisticRegression(C=ART_C, max_iter=3000).fit(x, y.T.reshape(-1))
    coef = model.coef_[0]
    return coef[:n_feat], coef[n_feat:] + model.intercept_[0]


def _hits_gold(start: int, end: int, golds: Sequence[tuple[int, int]]) -> int:
    """1 when the passage overlaps one of ``golds`` (its technique's gold passages in its article), else 0."""
    return int(any(min(end, ge) > max(start, gs) for gs, ge in golds))


def _fit_span_platt(corpus: Corpus, tok_prob: np.ndarray, sent_prob: np.ndarray, modes: np.ndarray, thresholds: np.ndarray,
                    articles: Sequence[int] | None = None) -> np.ndarray:
    """Maps a passage's raw probability to P(it overlaps a gold passage of that technique), fitted on ``articles`` (all by default)."""
    gold = _gold_spans(corpus)
    pred = _decode_all(corpus, tok_prob, thresholds, range(len(corpus.articles)) if articles is None else articles, sent_prob, modes)
    out = np.zeros((N_TECH, 2))
    for k in range(N_TECH):
        scores, labels = [], []
        for (i, kk), spans in pred.items():
            if kk != k:
                continue
            for s, e, c in spans:
                scores.append(float(logit(np.array(c))))
                labels.append(_hits_gold(s, e, gold.get((i, k), [])))
        out[k] = fit_platt(np.array(scores), np.array(labels)) if scores else (1.0, 0.0)
    return out


def train(root: Path, out_dir: Path, say: Progress) -> dict[str, float]:
    t_start = time.time()
    corpus = prepare(root, say)
    oof = cross_validate(corpus, say)
    metrics = evaluate_oof(corpus, oof)
    say("fitting the final models on all articles")
    all_sent = np.arange(len(corpus.sent_texts))
    tfidf, sw, sb = fit_sentence(corpus, all_sent)
    tok_sent_logit = logit(oof.sent_prob[corpus.tok_sentence_row])
    tw, tb = fit_tokens(corpus, np.arange(len(corpus.tok_y)), tok_sent_logit, oof.gates)
    _, dw, db = fit_document(corpus, all_sent, np.arange(len(corpus.articles)), oof.art_y, tfidf)
    aw, ab = fit_article(oof.art_feats, oof.art_y)
    meta = {
        "name": NAME,
        "date": artifact.today(),
        "data": "PTC corpus v2 (SemEval-2020 Task 11 training articles), ../shared/data/ptc",
        "terms": "Research data distributed by the SemEval-2020 Task 11 organisers (Da San Martino et al., 2020); no licence file.",
        "techniques": list(TECHNIQUES),
        "seed": SEED,
        "folds": FOLDS,
        "train_seconds": round(time.time() - t_start, 1),
        "metrics": {k: round(v, 4) for k, v in metrics.items()},
        "vocabulary": tfidf.to_meta(),
    }
    artifact.save(out_dir, NAME, {
        "idf": tfidf.idf, "sent_w": sw.astype(np.float32), "sent_b": sb.astype(np.float32),
        "sent_platt": oof.sent_platt.astype(np.float32),
        "tok_w": tw.astype(np.float32), "tok_b": tb.astype(np.float32),
        "ctx_mean": corpus.context_projection[0], "ctx_scale": corpus.context_projection[1],
        "ctx_components": corpus.context_projection[2], "tok_gate": oof.gates.astype(np.float32), "tok_thr": oof.thresholds_all.astype(np.float32),
        "span_mode": oof.span_modes.astype(np.int8), "span_thr": oof.span_thr.astype(np.float32),
        "span_platt": oof.span_platt.astype(np.float32),
        "doc_w": dw.astype(np.float32), "doc_b": db.astype(np.float32),
        "art_w": aw.astype(np.float32), "art_b": ab.astype(np.float32),
    }, meta)
    return metrics


def nested_article_decisions(art_prob: np.ndarray, y: np.ndarray, fold_of_article: np.ndarray) -> np.ndarray:
    """Present / absent per (article, technique), at a threshold chosen on the other four folds.

    Micro-F1 rewards calling a technique present below 50% confidence; choosing
    that threshold on the scored fold itself would flatter the score.
    """
    decisions = np.zeros_like(y, dtype=bool)
    for f in range(FOLDS):
        other = fold_of_article != f
        thr = ARTICLE_GRID[int(np.argmax([micro_f1(art_prob[other] >= t, y[other]) for t in ARTICLE_GRID]))]
        decisions[~other] = art_prob[~other] >= thr
    return decisions


def _refit_article_layer(feats: np.ndarray, y: np.ndarray, fold_of_article: np.ndarray) -> np.ndarray:
    """Out-of-fold confidences of the article layer alone (fitted per fold of ``fold_of_article``) over fixed features."""
    art_prob = np.zeros(y.shape)
    for f in range(FOLDS):
        train, test = fold_of_article != f, fold_of_article == f
        w, b = fit_article(feats[train], y[train])
        art_prob[test] = article_probs(feats[test], w, b)
    return art_prob


def evaluate_oof(corpus: Corpus, oof: OutOfFold) -> dict[str, float]:
    fold_of_article = _folds(len(corpus.articles))
    gold = _gold_spans(corpus)
    pred: dict[tuple[int, int], list[tuple[int, int]]] = {}
    span_scores, span_labels = [], []
    for f in range(FOLDS):
        arts = [i for i in range(len(corpus.articles)) if fold_of_article[i] == f]
        # The passage confidences are mapped as the shipped model maps them, by Platt fits on
        # passages decoded with the same modes and thresholds, but fitted on the other folds only.
        other = [i for i in range(len(corpus.articles)) if fold_of_article[i] != f]
        platt = _fit_span_platt(corpus, oof.tok_prob, oof.sent_prob, oof.span_modes_nested[f], oof.span_thr_nested[f], other)
        for key, spans in _decode_all(corpus, oof.tok_prob, oof.span_thr_nested[f], arts, oof.sent_prob, oof.span_modes_nested[f]).items():
            pred[key] = [(s, e) for s, e, _ in spans]
            a, b = platt[key[1]]
            for s, e, c in spans:
                span_scores.append(float(apply_platt(logit(np.array(c)), a, b)))
                span_labels.append(_hits_gold(s, e, gold.get(key, [])))
    p, r, f1 = span_prf(pred, gold)
    merged_pred: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    for (i, _), v in pred.items():
        merged_pred[(i, -1)].extend(v)
    si = span_prf({k: _merge(v) for k, v in merged_pred.items()},
                  {k: _merge(v) for k, v in _gold_spans(corpus, merge_techniques=True).items()})
    y = oof.art_y.astype(bool)
    refolded = [micro_f1(nested_article_decisions(_refit_article_layer(oof.art_feats, oof.art_y, folds), y, folds), y)
                for folds in (_folds(len(y), seed) for seed in ARTICLE_REFOLD_SEEDS)]
    return {
        "article_micro_f1": micro_f1(oof.art_prob >= 0.5, y),
        "article_micro_f1_nested_threshold": micro_f1(nested_article_decisions(oof.art_prob, y, fold_of_article), y),
        "article_micro_f1_refolded_mean": float(np.mean(refolded)),
        "article_micro_f1_refolded_sd": float(np.std(refolded)),
        "article_decision_threshold": float(ARTICLE_GRID[int(np.argmax([micro_f1(oof.art_prob >= t, y) for t in ARTICLE_GRID]))]),
        "article_mean_auc": mean_auc(oof.art_prob, y),
        "article_ece": expected_calibration_error(oof.art_prob, y),
        "sentence_mean_auc": mean_auc(oof.sent_prob, corpus.sent_y.astype(bool)),
        "sentence_ece": expected_calibration_error(oof.sent_prob, corpus.sent_y),
        "span_precision": p, "span_recall": r, "span_f1": f1,
        "span_f1_any_technique": si[2],
        "span_confidence_ece": expected_calibration_error(np.array(span_scores), np.array(span_labels)),
    }


# ---------------------------------------------------------------- baselines and TC


def _lexicon_baseline(corpus: Corpus) -> dict[str, float]:
    """Learned word lists: a word marks technique k where most of its training occurrences lie in k's passages."""
    fold_of_article = _folds(len(corpus.articles))
    tok_fold = fold_of_article[corpus.tok_article]
    lower = np.array([t.text.lower() for toks in corpus.toks for t in toks.tokens])
    pred_prob = np.zeros(corpus.tok_y.shape)
    for f in range(FOLDS):
        train = tok_fold != f
        for k in range(N_TECH):
            total = Counter(lower[train].tolist())
            inside = Counter(lower[train & (corpus.tok_y[:, k] == 1)].tolist())
            words_k = {w for w, c in inside.items() if c >= 3 and c / total[w] >= 0.5}
            test = tok_fold == f
            pred_prob[test, k] = np.isin(lower[test], list(words_k))
    gold = _gold_spans(corpus)
    pred = {key: [(s, e) for s, e, _ in v] for key, v in _decode_all(corpus, pred_prob, np.full(N_TECH, 0.5), range(len(corpus.articles))).items()}
    counts = np.zeros((len(corpus.articles), N_TECH))
    for (i, k), spans in pred.items():
        counts[i, k] = len(spans)
    y = np.array([[int(any(t == name for t, _, _ in a.spans)) for name in TECHNIQUES] for a in corpus.articles]).astype(bool)
    return {
        "article_micro_f1": micro_f1(counts > 0, y),
        "article_mean_auc": mean_auc(counts, y),
        "span_f1": span_prf(pred, gold)[2],
    }


def _sentence_span_baseline(corpus: Corpus, oof: OutOfFold) -> float:
    """Span F1 when each sentence with calibrated probability >= 0.5 is the passage."""
    pred: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    rows = 0
    for i, ss in enumerate(corpus.sentences):
        for s in ss:
            for k in np.where(oof.sent_prob[rows] >= 0.5)[0]:
                pred[(i, int(k))].append((s.start, s.end))
            rows += 1
    return span_prf(pred, _gold_spans(corpus))[2]


def technique_classification(corpus: Corpus, say: Progress) -> dict[str, float]:
    """SemEval-2020 TC style: the technique of each gold passage, micro-F1 (= accuracy), grouped by article."""
    from sklearn.linear_model import LogisticRegression

    items = [(i, tech, s, e) for i, a in enumerate(corpus.articles) for tech, s, e in a.spans]
    texts = [corpus.articles[i].text[s:e] for i, _, s, e in items]
    emb = embed_cached(texts, "ptc-spans")
    starts = np.searchsorted(corpus.sent_article, np.arange(len(corpus.articles) + 1))
    context = np.zeros_like(emb)
    for n, (i, _, s, e) in enumerate(items):
        for j, seg in enumerate(corpus.sentences[i]):
            if seg.start < e and s < seg.end:
                context[n] = corpus.sent_emb[starts[i] + j]
                break
    dense = np.array([[np.log1p(e - s) / 5, np.log1p(corpus.articles[i].text.count(corpus.articles[i].text[s:e]) - 1),
                       float(corpus.articles[i].text[s:e][:1].isupper())] + sentence_style(corpus.articles[i].text[s:e])
                      for i, _, s, e in items], dtype=np.float32)
    y = np.array([TECHNIQUES.index(t) for _, t, _, _ in items])
    fold = _folds(len(corpus.articles))[[i for i, _, _, _ in items]]
    pred = np.zeros(len(items), dtype=int)
    pred_lex = np.zeros(len(items), dtype=int)
    for f in range(FOLDS):
        tr, te = np.where(fold != f)[0], np.where(fold == f)[0]
        tfidf = Tfidf.fit((texts[n] for n in tr), min_df=1)
        lex_tr, lex_te = tfidf.transform([texts[n] for n in tr]), tfidf.transform([texts[n] for n in te])
        x_tr = sparse.hstack([sparse.csr_matrix(np.hstack([emb[tr], context[tr], dense[tr]])), lex_tr]).tocsr()
        x_te = sparse.hstack([sparse.csr_matrix(np.hstack([emb[te], context[te], dense[te]])), lex_te]).tocsr()
        pred[te] = LogisticRegression(C=4.0, max_iter=3000, random_state=SEED).fit(x_tr, y[tr]).predict(x_te)
        pred_lex[te] = LogisticRegression(C=4.0, max_iter=3000, random_state=SEED).fit(lex_tr, y[tr]).predict(lex_te)
        say(f"technique classification fold {f + 1}/{FOLDS}")
    majority = np.bincount(y).argmax()
    return {
        "tc_micro_f1": float((pred == y).mean()),
        "tc_micro_f1_lexicon_tfidf": float((pred_lex == y).mean()),
        "tc_micro_f1_majority": float((y == majority).mean()),
    }


def evaluate(root: Path, say: Progress) -> tuple[dict[str, float], list[tuple[float, float, float, int]]]:
    """Cross-validated metrics beside baselines, and the reliability table of the article confidences."""
    corpus = prepare(root, say)
    oof = cross_validate(corpus, say)
    metrics = evaluate_oof(corpus, oof)
    y = oof.art_y.astype(bool)
    fold_of_article = _folds(len(corpus.articles))
    top5 = np.zeros_like(y)
    majority = np.zeros_like(y)
    for f in range(FOLDS):
        freq = y[fold_of_article != f].mean(axis=0)
        top5[fold_of_article == f] = np.isin(np.arange(N_TECH), np.argsort(-freq)[:5])
        majority[fold_of_article == f] = freq > 0.5
    metrics["baseline_top5_article_micro_f1"] = micro_f1(top5, y)
    metrics["baseline_majority_article_micro_f1"] = micro_f1(majority, y)
    for key, value in _lexicon_baseline(corpus).items():
        metrics[f"baseline_lexicon_{key}"] = value
    metrics["baseline_sentence_spans_span_f1"] = _sentence_span_baseline(corpus, oof)
    metrics.update(technique_classification(corpus, say))
    return metrics, reliability_table(oof.art_prob, oof.art_y)
