"""Span F1 of other passage decodings, on the technique detector's out-of-fold probabilities (no refit).

Issue 28 asked whether decoding alone (thresholds, hysteresis, gaps, trimming,
gating, one kind of passage per technique) could lift the span F1 to 0.30. This
runs the search docs/local-models.md reports (*Span decoding without
retraining*): per technique, each decoding choice is picked on four folds' PTC
articles for the pooled span F1 (three coordinate-ascent passes, as
``best_decoding(micro=True)``) and scored on the fifth; SemEval-2020 partial
overlap, technique must match. First write the readings (10 minutes)::

    .venv/bin/python -m core eval techniques --keep-readings /tmp/technique-oof.npz

then (a few minutes; the corpus is prepared from the embedding cache that eval filled)::

    PYTHONPATH=$PWD .venv/bin/python scripts/technique_decoding_grid.py /tmp/technique-oof.npz
"""
from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import numpy as np

from core.ml.techniques import (
    _STOP,
    N_TECH,
    ArticleTokens,
    _filler,
    decode_spans,
    sentence_spans,
)
from core.ml.training.data import data_dir
from core.ml.training.metrics import prf_from_sums, span_sums
from core.ml.training.techniques.corpus import FOLDS, Corpus, gold_spans, prepare
from core.ml.training.techniques.decoding import (
    MICRO_ROUNDS,
    SENTENCE_GRID,
    THRESHOLD_GRID,
)
from core.ml.training.techniques.evaluation import OutOfFold, load_out_of_fold
from core.text import Segment

# A decoder reads one article's tokens, sentences and one technique's token and sentence probabilities.
Decoder = Callable[[ArticleTokens, Sequence[Segment], np.ndarray, np.ndarray], list[tuple[int, int, float]]]
EXTENDS_AND_GAPS = ((0.3, 0), (0.7, 0), (1.0, 0), (0.5, 1), (0.5, 2), (0.3, 1), (0.3, 2))
TRIM_LEVELS = (0.02, 0.05, 0.1, 0.2)
ARTICLE_GATES = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6)
REPETITION = 10  # core.techniques_catalogue.TECHNIQUES.index("Repetition")


def trimmed_sentences(toks: ArticleTokens, sentences: Sequence[Segment], tok_prob: np.ndarray, sent_prob: np.ndarray,
                      threshold: float, trim: float) -> list[tuple[int, int, float]]:
    """Sentences at or above ``threshold``, cut to the stretch between their first and last token at or above ``trim``."""
    bounds = np.searchsorted(toks.sentence_of, np.arange(len(sentences) + 1))
    out = []
    for s_idx, sentence in enumerate(sentences):
        first, last = bounds[s_idx], bounds[s_idx + 1] - 1
        if sent_prob[s_idx] < threshold or last < first:
            continue
        hit = np.where(tok_prob[first:last + 1] >= trim)[0]
        if len(hit):
            first, last = first + hit[0], first + hit[-1]
        while first < last and _filler(toks.tokens[first]):
            first += 1
        while last > first and _filler(toks.tokens[last]):
            last -= 1
        out.append((toks.tokens[first].start, toks.tokens[last].end, float(sent_prob[s_idx])))
    return out


def repeated_phrases(toks: ArticleTokens, sent_prob: np.ndarray, threshold: float, longest: int = 6) -> list[tuple[int, int, float]]:
    """In sentences at or above ``threshold``: the phrases (1-``longest`` words, a content word among them) that recur
    in another sentence of the article, overlapping ones joined."""
    words = [t.text.lower() for t in toks.tokens]
    where: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for size in range(1, longest + 1):
        for a in range(len(words) - size + 1):
            b = a + size - 1
            phrase = tuple(words[a:b + 1])
            if (toks.sentence_of[a] == toks.sentence_of[b] and toks.tokens[a].text[:1].isalnum()
                    and toks.tokens[b].text[:1].isalnum() and any(w.isalpha() and w not in _STOP and len(w) > 2 for w in phrase)):
                where[phrase].append(a)
    per_sentence: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for phrase, starts in where.items():
        for a in starts:
            s_idx = toks.sentence_of[a]
            if sent_prob[s_idx] >= threshold and any(toks.sentence_of[b] != s_idx for b in starts):
                per_sentence[s_idx].append((a, a + len(phrase) - 1))
    out = []
    for s_idx, runs in sorted(per_sentence.items()):
        joined: list[tuple[int, int]] = []
        for a, b in sorted(runs):
            if joined and a <= joined[-1][1]:
                joined[-1] = (joined[-1][0], max(b, joined[-1][1]))
            else:
                joined.append((a, b))
        out += [(toks.tokens[a].start, toks.tokens[b].end, float(sent_prob[s_idx])) for a, b in joined]
    return out


def candidate_sums(corpus: Corpus, oof: OutOfFold, decoder: Decoder, techniques: Iterable[int] = range(N_TECH)) -> np.ndarray:
    """(annotated articles, N_TECH, 4) span sums of one decoding; NaN for the techniques not listed (never chosen for them)."""
    n, gold = corpus.n_annotated, gold_spans(corpus)
    t_starts = np.searchsorted(corpus.tok_article, np.arange(n + 1))
    s_starts = np.searchsorted(corpus.sent_article, np.arange(n + 1))
    out = np.zeros((n, N_TECH, 4))
    for i in range(n):
        tok_prob, sent_prob = oof.tok_prob[t_starts[i]:t_starts[i + 1]], oof.sent_prob[s_starts[i]:s_starts[i + 1]]
        for k in techniques:
            spans = decoder(corpus.toks[i], corpus.sentences[i], tok_prob[:, k], sent_prob[:, k])
            out[i, k] = span_sums({0: [(s, e) for s, e, _ in spans]}, {0: gold.get((i, k), [])})
        for k in set(range(N_TECH)) - set(techniques):
            out[i, k] = np.nan
    return out


def gated(sums: np.ndarray, art_prob: np.ndarray, gate: float) -> np.ndarray:
    """The same passages kept only in articles whose confidence for the technique reaches ``gate``."""
    out = sums.copy()
    out[..., :3][art_prob < gate] = 0.0
    return out


def _f1(sums: np.ndarray) -> float:
    """Span F1 of pooled sums; -1 for a candidate that does not decode the technique (NaN sums)."""
    return -1.0 if np.isnan(sums).any() else prf_from_sums(sums)[2]


def nested_f1(candidates: np.ndarray, fold: np.ndarray) -> tuple[float, float, float]:
    """Pooled span P, R, F1, each fold scored with the per-technique choices made on the other folds."""
    total = np.zeros(4)
    for f in range(FOLDS):
        sums = candidates[:, fold != f].sum(axis=1)  # (candidates, N_TECH, 4)
        choice = [int(np.argmax([_f1(sums[c, k]) for c in range(len(sums))])) for k in range(N_TECH)]
        for _ in range(MICRO_ROUNDS):
            for k in range(N_TECH):
                others = sum(sums[choice[j], j] for j in range(N_TECH) if j != k)
                choice[k] = int(np.argmax([_f1(others + sums[c, k]) for c in range(len(sums))]))
        total += sum(candidates[choice[k], fold == f, k].sum(axis=0) for k in range(N_TECH))
    return prf_from_sums(total)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("readings", type=Path, help="the .npz of eval techniques --keep-readings")
    parser.add_argument("--data", help="data folder (default ../shared/data)")
    args = parser.parse_args()
    corpus = prepare(data_dir(args.data), lambda message: print(message, file=sys.stderr))
    oof = load_out_of_fold(args.readings)
    fold, n = corpus.fold_of_article[:corpus.n_annotated], corpus.n_annotated

    def tokens(threshold: float, extend: float = 0.5, gap: int = 0) -> Decoder:
        return lambda toks, sentences, tp, sp: decode_spans(toks.tokens, toks.sentence_of, tp, threshold, extend=extend, gap=gap)

    def whole(threshold: float) -> Decoder:
        return lambda toks, sentences, tp, sp: sentence_spans(sentences, sp, threshold)

    shipped = [candidate_sums(corpus, oof, tokens(t)) for t in THRESHOLD_GRID] + [candidate_sums(corpus, oof, whole(t)) for t in SENTENCE_GRID]
    searches = {
        "shipped: token runs or whole sentences": shipped,
        "+ sentences trimmed to their tokens at or above 0.02-0.2": shipped + [
            candidate_sums(corpus, oof, lambda toks, sentences, tp, sp, t=t, trim=trim: trimmed_sentences(toks, sentences, tp, sp, t, trim))
            for t in SENTENCE_GRID for trim in TRIM_LEVELS],
        "+ hysteresis 0.3-1.0 and gaps of 1-2 tokens": shipped + [
            candidate_sums(corpus, oof, tokens(t, extend, gap)) for t in THRESHOLD_GRID for extend, gap in EXTENDS_AND_GAPS],
        "+ passages only where the article confidence reaches 0-0.6": [
            gated(sums, oof.art_prob[:n], gate) for sums in shipped for gate in ARTICLE_GATES],
        "+ Repetition as the phrases of its sentences that recur elsewhere": shipped + [
            candidate_sums(corpus, oof, lambda toks, sentences, tp, sp, t=t: repeated_phrases(toks, sp, t), [REPETITION])
            for t in SENTENCE_GRID],
    }
    for name, candidates in searches.items():
        p, r, f1 = nested_f1(np.stack(candidates), fold)
        print(f"{name}: span P {p:.3f} R {r:.3f} F1 {f1:.4f}")


if __name__ == "__main__":
    main()
