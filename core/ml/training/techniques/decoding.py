"""Turning token and sentence probabilities into passages, and choosing how per technique (grid search)."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ...calibration import logit
from ...techniques import N_TECH, SENTENCE_MODE, TOKEN_MODE, decode_spans, sentence_spans
from ..fitting import fit_platt
from ..metrics import prf_from_sums, span_sums
from .corpus import Corpus, gold_spans

# Token probabilities are small (passages are rare among tokens), so the grid starts low.
THRESHOLD_GRID = np.array([0.03, 0.05, 0.07, 0.1, 0.13, 0.16, 0.2, 0.25, 0.3, 0.4, 0.5])
SENTENCE_GRID = np.array([0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5])
MICRO_ROUNDS = 3  # passes of the joint revision of the passage thresholds (see best_decoding)


def decode_all(corpus: Corpus, tok_prob: np.ndarray, thresholds: np.ndarray, articles: Sequence[int],
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


def token_candidates(corpus: Corpus, tok_prob: np.ndarray) -> list[Candidate]:
    """Token-run passages at every threshold of the grid, decoded once over all articles."""
    everything = range(len(corpus.articles))
    return [(TOKEN_MODE, thr, decode_all(corpus, tok_prob, np.full(N_TECH, thr), everything)) for thr in THRESHOLD_GRID]


def sentence_candidates(corpus: Corpus, tok_prob: np.ndarray, sent_prob: np.ndarray) -> list[Candidate]:
    """Whole-sentence passages at every threshold of the sentence grid, decoded once over all articles."""
    everything = range(len(corpus.articles))
    return [(SENTENCE_MODE, thr, decode_all(corpus, tok_prob, np.full(N_TECH, thr), everything, sent_prob,
                                             np.full(N_TECH, SENTENCE_MODE))) for thr in SENTENCE_GRID]


def best_decoding(corpus: Corpus, candidates: Sequence[Candidate], articles: Sequence[int], *,
                   micro: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Per technique, the passage mode and threshold among ``candidates`` with the best span F1 on ``articles``.

    With ``micro``, the choices are then revised together for the F1 over all
    techniques' passages (coordinate ascent, MICRO_ROUNDS passes). The metric pools
    the techniques, so a weak technique's best own F1 may come from many loose
    passages that lower everyone's precision; out of fold this raised span F1 from
    0.230 to 0.235 (docs/local-models.md).
    """
    gold = gold_spans(corpus)
    arts = set(articles)
    sums = np.zeros((len(candidates), N_TECH, 4))
    for k in range(N_TECH):
        g = {key: v for key, v in gold.items() if key[1] == k and key[0] in arts}
        for c, (_, _, dec) in enumerate(candidates):
            sums[c, k] = span_sums({key: [(s, e) for s, e, _ in v] for key, v in dec.items() if key[1] == k and key[0] in arts}, g)
    choice = [int(np.argmax([prf_from_sums(sums[c, k])[2] for c in range(len(candidates))])) for k in range(N_TECH)]
    for _ in range(MICRO_ROUNDS if micro else 0):
        for k in range(N_TECH):
            others = sum(sums[choice[j], j] for j in range(N_TECH) if j != k)
            choice[k] = int(np.argmax([prf_from_sums(others + sums[c, k])[2] for c in range(len(candidates))]))
    modes = np.array([candidates[c][0] for c in choice], dtype=np.int64)
    return modes, np.array([candidates[c][1] for c in choice])


def hits_gold(start: int, end: int, golds: Sequence[tuple[int, int]]) -> int:
    """1 when the passage overlaps one of ``golds`` (its technique's gold passages in its article), else 0."""
    return int(any(min(end, ge) > max(start, gs) for gs, ge in golds))


def fit_span_platt(corpus: Corpus, tok_prob: np.ndarray, sent_prob: np.ndarray, modes: np.ndarray, thresholds: np.ndarray,
                    articles: Sequence[int] | None = None) -> np.ndarray:
    """Maps a passage's raw probability to P(it overlaps a gold passage of that technique), fitted on ``articles`` (all by default)."""
    gold = gold_spans(corpus)
    pred = decode_all(corpus, tok_prob, thresholds, range(len(corpus.articles)) if articles is None else articles, sent_prob, modes)
    out = np.zeros((N_TECH, 2))
    for k in range(N_TECH):
        scores, labels = [], []
        for (i, kk), spans in pred.items():
            if kk != k:
                continue
            for s, e, c in spans:
                scores.append(float(logit(np.array(c))))
                labels.append(hits_gold(s, e, gold.get((i, k), [])))
        out[k] = fit_platt(np.array(scores), np.array(labels)) if scores else (1.0, 0.0)
    return out
