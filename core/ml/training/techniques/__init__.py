"""Training and cross-validated evaluation of the technique detector (needs scikit-learn).

corpus: the PTC articles prepared once (embeddings cached on disk); layers: the
fits; decoding: passages from probabilities and the per-technique grid search;
evaluation: cross-validation, metrics and baselines. ``train`` writes the artifact.
"""
from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from ....techniques_catalogue import TECHNIQUES
from ... import artifact
from ...calibration import logit
from ...techniques import NAME
from .corpus import FOLDS, SEED, Progress, prepare
from .evaluation import cross_validate, evaluate, evaluate_oof
from .layers import fit_article, fit_document, fit_sentence, fit_tokens
from .readings import store_out_of_fold

__all__ = ["evaluate", "train"]


def train(root: Path, out_dir: Path, say: Progress, reviewed: Path | None = None) -> dict[str, float]:
    t_start = time.time()
    corpus = prepare(root, say, reviewed)
    oof = cross_validate(corpus, say)
    metrics = evaluate_oof(corpus, oof)
    say("fitting the final models on all articles")
    all_sent = np.arange(len(corpus.sent_texts))
    tfidf, sw, sb = fit_sentence(corpus, all_sent)
    tok_sent_logit = logit(oof.sent_prob[corpus.tok_sentence_row])
    tw, tb = fit_tokens(corpus, np.arange(len(corpus.tok_y)), tok_sent_logit, oof.gates)
    n = corpus.n_annotated
    _, dw, db = fit_document(corpus, all_sent, np.arange(n), oof.art_y[:n], tfidf)
    aw, ab = fit_article(oof.art_feats[:n], oof.art_y[:n])
    meta = {
        "name": NAME,
        "date": artifact.today(),
        "data": "PTC corpus v2 (SemEval-2020 Task 11 training articles), ../shared/data/ptc"
                + (f"; passages reviewed by analysts ({reviewed.name})" if reviewed is not None else "")
                + f"; {len(corpus.articles) - n} English Wikinews articles of 2019-2020 (../shared/data/news) as articles "
                  "without a technique (negatives of the sentence and token layers)",
        "terms": "PTC: research data distributed by the SemEval-2020 Task 11 organisers (Da San Martino et al., 2020); "
                 "no licence file. Wikinews: CC BY 2.5 (https://creativecommons.org/licenses/by/2.5/), attribution: "
                 "Wikinews, https://en.wikinews.org; the artifact holds learned weights and a vocabulary, no article text.",
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
    if out_dir.resolve() == artifact.ARTIFACT_DIR.resolve():  # what `train news-reference` reads next, keyed by this artifact
        store_out_of_fold(root, corpus, oof)
    return metrics
