"""The PTC corpus prepared for the technique models: sentences, tokens, embeddings, labels and folds.

Ordinary news (the Wikinews articles of ``news/``) joins it as articles without
a technique: every sentence and word of them is a negative for every technique
(hard negatives: the detector learns what ordinary reporting looks like, not only
PTC's unannotated sentences). They are *not annotated* articles: the passage
decoding, the document and article layers and the PTC metrics use the annotated
articles only, and the news articles are read out of fold for the news reference
(core.ml.training.news_reference).
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse

from ....techniques_catalogue import TECHNIQUES
from ....text import Segment, segment_sentences
from ...loading import get_embedder
from ...techniques import (
    N_CONTEXT,
    N_TECH,
    ArticleTokens,
    article_tokens,
    document_vector,
    project_context,
    sentence_states,
    sentence_style,
    token_context,
    token_matrix,
)
from ..data import (
    PtcArticle,
    cache_file,
    embed_cached,
    load_ptc,
    load_reviewed_passages,
    load_wikinews,
)

SEED = 13
FOLDS = 5
# Tokens sampled to fit the projection of the contextual states (plenty for 384 dimensions).
CONTEXT_SAMPLE = 50_000
# The projected states are shrunk so that their L2 penalty weighs about like that of the
# sparse binary window features; at full scale they crowd those out.
CONTEXT_SHRINK = 0.1
CONSTANT_SPREAD = 1e-3  # state dimensions with less spread than this are dropped
EMBED_CHUNK = 2048  # sentences per encode_tokens call: bounds the memory its states take
Progress = Callable[[str], None]


@dataclass
class Corpus:
    articles: list[PtcArticle]  # the annotated ones (PTC, then reviewed analyses) first, then ordinary news
    n_annotated: int  # articles[:n_annotated] carry technique annotations; the rest are ordinary news
    fold_of_article: np.ndarray  # article -> cross-validation fold (see article_folds)
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


def _raw_context(sentences: list[list[Segment]], toks: list[ArticleTokens], name: str) -> np.ndarray:
    """Contextual states of every token (float16), cached on disk like the sentence embeddings."""
    texts = [s.text for ss in sentences for s in ss]
    cache = cache_file(texts, name)
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


def prepare(root: Path, say: Progress, reviewed: Path | None = None, *, news: bool = True) -> Corpus:
    """The PTC articles, and with ``reviewed`` (a review export) the passages analysts labelled as more articles;
    with ``news``, the ordinary-news articles after them as hard negatives."""
    articles = load_ptc(root)
    if reviewed is not None:
        extra = load_reviewed_passages(reviewed)
        say(f"{len(extra)} analyses with reviewed passages added to the {len(articles)} PTC articles")
        articles += extra
    n_annotated = len(articles)
    if news:
        articles += [PtcArticle(f"wikinews:{i}", text, ()) for i, text in enumerate(load_wikinews(root))]
    sentences = [segment_sentences(a.text) for a in articles]
    sent_texts = [s.text for ss in sentences for s in ss]
    sent_article = np.array([i for i, ss in enumerate(sentences) for _ in ss])
    n_annotated_sentences = sum(len(ss) for ss in sentences[:n_annotated])
    say(f"{n_annotated} annotated and {len(articles) - n_annotated} ordinary-news articles, {len(sent_texts)} sentences; "
        "embedding (cached after the first run)")
    # Each part cached on its own, so adding or leaving out the news keeps the PTC cache.
    sent_emb = np.vstack([embed_cached(sent_texts[:n_annotated_sentences], "ptc-sentences")]
                         + ([embed_cached(sent_texts[n_annotated_sentences:], "wikinews-sentences")] if news else []))
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
    raw = np.vstack([_raw_context(sentences[:n_annotated], toks[:n_annotated], "ptc-token-states-layer3")]
                    + ([_raw_context(sentences[n_annotated:], toks[n_annotated:], "wikinews-token-states-layer3")] if news else []))
    projection = fit_context_projection(raw)
    raw = raw.astype(np.float32)
    context = project_context(raw, *projection)
    sent_states = sentence_states(raw, np.array(tok_srow), len(sent_texts), projection[0], projection[1])
    return Corpus(
        articles, n_annotated, article_folds(n_annotated, len(articles) - n_annotated), sentences, sent_article, sent_emb, sent_style, article_vectors, sent_states, sent_texts, sent_y, toks,
        np.array(tok_article), np.array(tok_srow),
        sparse.vstack([token_matrix(t) for t in toks]).tocsr(),
        np.vstack([t.dense for t in toks]), context, projection, np.array(tok_y, dtype=np.int8),
    )


def folds(n_articles: int, seed: int = SEED) -> np.ndarray:
    """Article -> fold, fixed by the seed."""
    rng = np.random.default_rng(seed)
    return rng.permutation(n_articles) % FOLDS


def article_folds(n_annotated: int, n_news: int) -> np.ndarray:
    """Folds of the annotated articles as without the news (so PTC numbers stay comparable), then of the news."""
    return np.concatenate([folds(n_annotated), folds(n_news, SEED + 1)]) if n_news else folds(n_annotated)


def annotated(corpus: Corpus) -> list[int]:
    """Indices of the annotated articles."""
    return list(range(corpus.n_annotated))




def article_labels(corpus: Corpus) -> np.ndarray:
    """(n_articles, N_TECH) 0/1: whether the article has a gold passage of each technique."""
    return np.array([[int(any(t == name for t, _, _ in a.spans)) for name in TECHNIQUES] for a in corpus.articles])


def gold_spans(corpus: Corpus, merge_techniques: bool = False) -> dict[tuple[int, int], list[tuple[int, int]]]:
    gold: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    for i, a in enumerate(corpus.articles):
        for tech, s, e in a.spans:
            gold[(i, -1 if merge_techniques else TECHNIQUES.index(tech))].append((s, e))
    return gold


def merge_spans(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out
