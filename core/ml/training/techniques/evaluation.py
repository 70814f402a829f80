"""Cross-validation of the technique detector: out-of-fold probabilities, metrics and baselines."""
from __future__ import annotations

import time
from collections import Counter, defaultdict
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np
from scipy import sparse

from ....techniques_catalogue import TECHNIQUES
from ...calibration import apply_platt, logit
from ...features import Tfidf
from ...techniques import N_TECH, article_features, article_probs, sentence_style
from ..data import embed_cached
from ..fitting import fit_platt
from ..metrics import expected_calibration_error, mean_auc, micro_f1, reliability_table, span_prf
from .corpus import FOLDS, SEED, Corpus, Progress, annotated, article_labels, folds, gold_spans, merge_spans, prepare
from .decoding import best_decoding, decode_all, fit_span_platt, hits_gold, sentence_candidates, token_candidates
from .layers import (
    document_scores,
    fit_article,
    fit_document,
    fit_sentence,
    fit_tokens,
    refit_article_layer,
    sentence_gates,
    sentence_scores,
    token_probs,
)

ARTICLE_GRID = np.round(np.arange(0.2, 0.61, 0.05), 2)
# One split of 289 articles decides the headline article micro-F1 by luck as much as by
# model: the article layer and its threshold are also refitted on these other fold
# assignments (over the same out-of-fold passage and document features), and the spread reported.
ARTICLE_REFOLD_SEEDS = tuple(range(100, 110))


@dataclass
class OutOfFold:
    """Out-of-fold readings of every article (annotated and news); the article-level arrays have a row per article."""

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


def save_out_of_fold(path: Path, oof: OutOfFold) -> None:
    """The cross-validation's readings as one .npz (no pickle), for decoding searches that need no refit
    (scripts/technique_decoding_grid.py): recomputing them is most of `train techniques`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, **{f.name: getattr(oof, f.name) for f in fields(OutOfFold)})


def load_out_of_fold(path: Path) -> OutOfFold:
    with np.load(path, allow_pickle=False) as data:
        return OutOfFold(**{f.name: data[f.name] for f in fields(OutOfFold)})


def cross_validate(corpus: Corpus, say: Progress) -> OutOfFold:
    """Every layer fitted on four folds and read on the fifth; the news articles are negatives of the sentence and
    token layers, read out of fold like the others, and never decide a passage threshold or train the article layers."""
    fold_of_article = corpus.fold_of_article
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
    labelled = annotated(corpus)
    token_only = token_candidates(corpus, tok_prob)
    candidates = token_only + sentence_candidates(corpus, tok_prob, sent_prob)
    other_folds = [[i for i in labelled if fold_of_article[i] != f] for f in range(FOLDS)]
    nested = np.array([best_decoding(corpus, token_only, other)[1] for other in other_folds])
    thresholds = best_decoding(corpus, token_only, labelled)[1]
    nested_dec = [best_decoding(corpus, candidates, other, micro=True) for other in other_folds]
    span_modes, span_thr = best_decoding(corpus, candidates, labelled, micro=True)
    span_platt = fit_span_platt(corpus, tok_prob, sent_prob, span_modes, span_thr, labelled)
    say("passage modes: " + ", ".join(f"{TECHNIQUES[k]}={'sentence' if span_modes[k] else 'token'}@{span_thr[k]:g}" for k in range(N_TECH)))
    # Document and article layers.
    art_y = article_labels(corpus)
    is_annotated = np.arange(len(corpus.articles)) < corpus.n_annotated
    doc_logit = np.zeros(art_y.shape)
    for f in range(FOLDS):
        train_a, test_a = (fold_of_article != f) & is_annotated, fold_of_article == f
        train_s = np.where((sent_fold != f) & is_annotated[corpus.sent_article])[0]
        fitted = fit_document(corpus, train_s, np.where(train_a)[0], art_y[train_a])
        doc_logit[test_a] = document_scores(corpus, fitted, np.where(test_a)[0])
    say("document model done")
    starts_s = np.searchsorted(corpus.sent_article, np.arange(len(corpus.articles) + 1))
    starts_t = np.searchsorted(corpus.tok_article, np.arange(len(corpus.articles) + 1))
    feats = np.array([
        article_features(sent_prob[starts_s[i]:starts_s[i + 1]], tok_prob[starts_t[i]:starts_t[i + 1]], nested[fold_of_article[i]], doc_logit[i])
        for i in all_articles
    ])  # (n_art, N_TECH, 7)
    art_prob = np.zeros(art_y.shape)
    for f in range(FOLDS):
        train_a, test_a = (fold_of_article != f) & is_annotated, fold_of_article == f
        art_prob[test_a] = article_probs(feats[test_a], *fit_article(feats[train_a], art_y[train_a]))
    return OutOfFold(sent_prob, platt, gates, tok_prob, art_prob, thresholds,
                     np.array([m for m, _ in nested_dec]), np.array([t for _, t in nested_dec]), span_modes, span_thr,
                     span_platt, feats, art_y)


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


def evaluate_oof(corpus: Corpus, oof: OutOfFold) -> dict[str, float]:
    """Metrics over the annotated articles (the news articles have no gold passage to score)."""
    n = corpus.n_annotated
    fold_of_article = corpus.fold_of_article[:n]
    gold = gold_spans(corpus)
    pred: dict[tuple[int, int], list[tuple[int, int]]] = {}
    span_scores, span_labels = [], []
    for f in range(FOLDS):
        arts = [i for i in range(n) if fold_of_article[i] == f]
        # The passage confidences are mapped as the shipped model maps them, by Platt fits on
        # passages decoded with the same modes and thresholds, but fitted on the other folds only.
        other = [i for i in range(n) if fold_of_article[i] != f]
        platt = fit_span_platt(corpus, oof.tok_prob, oof.sent_prob, oof.span_modes_nested[f], oof.span_thr_nested[f], other)
        for key, spans in decode_all(corpus, oof.tok_prob, oof.span_thr_nested[f], arts, oof.sent_prob, oof.span_modes_nested[f]).items():
            pred[key] = [(s, e) for s, e, _ in spans]
            a, b = platt[key[1]]
            for s, e, c in spans:
                span_scores.append(float(apply_platt(logit(np.array(c)), a, b)))
                span_labels.append(hits_gold(s, e, gold.get(key, [])))
    p, r, f1 = span_prf(pred, gold)
    merged_pred: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    for (i, _), v in pred.items():
        merged_pred[(i, -1)].extend(v)
    si = span_prf({k: merge_spans(v) for k, v in merged_pred.items()},
                  {k: merge_spans(v) for k, v in gold_spans(corpus, merge_techniques=True).items()})
    y = oof.art_y[:n].astype(bool)
    art_prob, art_feats = oof.art_prob[:n], oof.art_feats[:n]
    refolded = [micro_f1(nested_article_decisions(refit_article_layer(art_feats, oof.art_y[:n], folds), y, folds), y)
                for folds in (folds(len(y), seed) for seed in ARTICLE_REFOLD_SEEDS)]
    sentences = corpus.sent_article < n
    return {
        "article_micro_f1": micro_f1(art_prob >= 0.5, y),
        "article_micro_f1_nested_threshold": micro_f1(nested_article_decisions(art_prob, y, fold_of_article), y),
        "article_micro_f1_refolded_mean": float(np.mean(refolded)),
        "article_micro_f1_refolded_sd": float(np.std(refolded)),
        "article_decision_threshold": float(ARTICLE_GRID[int(np.argmax([micro_f1(art_prob >= t, y) for t in ARTICLE_GRID]))]),
        "article_mean_auc": mean_auc(art_prob, y),
        "article_ece": expected_calibration_error(art_prob, y),
        "sentence_mean_auc": mean_auc(oof.sent_prob[sentences], corpus.sent_y[sentences].astype(bool)),
        "sentence_ece": expected_calibration_error(oof.sent_prob[sentences], corpus.sent_y[sentences]),
        "span_precision": p, "span_recall": r, "span_f1": f1,
        "span_f1_any_technique": si[2],
        "span_confidence_ece": expected_calibration_error(np.array(span_scores), np.array(span_labels)),
    }


def _lexicon_baseline(corpus: Corpus) -> dict[str, float]:
    """Learned word lists: a word marks technique k where most of its training occurrences lie in k's passages."""
    tok_fold = corpus.fold_of_article[corpus.tok_article]
    lower = np.array([t.text.lower() for toks in corpus.toks for t in toks.tokens])
    pred_prob = np.zeros(corpus.tok_y.shape)
    for f in range(FOLDS):
        train = (tok_fold != f) & (corpus.tok_article < corpus.n_annotated)
        for k in range(N_TECH):
            total = Counter(lower[train].tolist())
            inside = Counter(lower[train & (corpus.tok_y[:, k] == 1)].tolist())
            words_k = {w for w, c in inside.items() if c >= 3 and c / total[w] >= 0.5}
            test = tok_fold == f
            pred_prob[test, k] = np.isin(lower[test], list(words_k))
    gold = gold_spans(corpus)
    pred = {key: [(s, e) for s, e, _ in v] for key, v in decode_all(corpus, pred_prob, np.full(N_TECH, 0.5), annotated(corpus)).items()}
    counts = np.zeros((corpus.n_annotated, N_TECH))
    for (i, k), spans in pred.items():
        counts[i, k] = len(spans)
    y = article_labels(corpus)[:corpus.n_annotated].astype(bool)
    return {
        "article_micro_f1": micro_f1(counts > 0, y),
        "article_mean_auc": mean_auc(counts, y),
        "span_f1": span_prf(pred, gold)[2],
    }


def _sentence_span_baseline(corpus: Corpus, oof: OutOfFold) -> float:
    """Span F1 when each sentence with calibrated probability >= 0.5 is the passage."""
    pred: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    rows = 0
    for i, ss in enumerate(corpus.sentences[:corpus.n_annotated]):  # the annotated articles' sentences come first
        for s in ss:
            for k in np.where(oof.sent_prob[rows] >= 0.5)[0]:
                pred[(i, int(k))].append((s.start, s.end))
            rows += 1
    return span_prf(pred, gold_spans(corpus))[2]


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
    fold = corpus.fold_of_article[[i for i, _, _, _ in items]]
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


def evaluate(root: Path, say: Progress, reviewed: Path | None = None, keep_readings: Path | None = None,
             ) -> tuple[dict[str, float], list[tuple[float, float, float, int]]]:
    """Cross-validated metrics beside baselines, and the reliability table of the article confidences;
    with ``keep_readings``, the out-of-fold readings are also written there (see save_out_of_fold)."""
    corpus = prepare(root, say, reviewed)
    oof = cross_validate(corpus, say)
    if keep_readings is not None:
        save_out_of_fold(keep_readings, oof)
        say(f"out-of-fold readings written to {keep_readings}")
    metrics = evaluate_oof(corpus, oof)
    y = oof.art_y[:corpus.n_annotated].astype(bool)
    fold_of_article = corpus.fold_of_article[:corpus.n_annotated]
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
    return metrics, reliability_table(oof.art_prob[:corpus.n_annotated], oof.art_y[:corpus.n_annotated])
