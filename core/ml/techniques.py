"""Propaganda technique detector: sentence model, token tagger, article model.

Stacked layers, all linear, trained on the PTC corpus (SemEval-2020 Task 11);
the sentence and token layers also on ordinary news (Wikinews) as hard
negatives, so that they learn what ordinary reporting looks like:

1. a sentence model per technique over MiniLM embeddings, TF-IDF, a few
   style features and the article's mean embedding, Platt-calibrated on
   out-of-fold scores;
2. a token tagger per technique over hashed window features (words around the
   token, shape, lexicons, repeated n-grams in the article), the token's
   contextual MiniLM state (projected to N_CONTEXT dimensions) and the sentence
   model's logit, which finds passages tighter than a sentence;
3. a document model per technique over the article's mean sentence embedding
   and its TF-IDF (what kind of article this is);
4. an article model over aggregates of the three (max, top-3 mean, counts,
   document logit), with one weight per aggregate shared by the techniques and
   an intercept per technique, whose output is the calibrated article-level
   confidence.

Inference is plain numpy over the saved weights.
"""
from __future__ import annotations

import logging
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse

from ..records import Span, Technique
from ..techniques_catalogue import TECHNIQUES
from ..text import Segment, segment_sentences, word_tokens
from . import artifact
from .calibration import apply_platt, logit, sigmoid
from .embeddings import Embedder, TokenStates
from .features import Tfidf, hashed, lexicon, lexicon_hits, words

log = logging.getLogger(__name__)

NAME = "techniques"
TOKEN_BUCKETS = 1 << 16
N_TECH = len(TECHNIQUES)
# Function words never count as "repeated" content for the Repetition features.
_STOP = frozenset(
    "the a an and or but of to in on at for with by from as is are was were be been being it its this that these those "
    "he she they we you i his her their our your my me him them us not no so if than then there here what which who whom "
    "whose when where why how all any some can could will would should may might must do does did has have had just also "
    "about into over after before more most other such only own same too very s t".split()
)


# ---------------------------------------------------------------- features


def sentence_style(text: str) -> list[float]:
    """Dense style cues of a sentence: length, quotes, exclamations, questions, hedges, weasels, capitals."""
    n_words = max(1, len(words(text)))
    caps = sum(1 for w in text.split() if len(w) > 1 and w.isupper())
    return [
        math.log1p(n_words) / 4,
        float('"' in text or "“" in text),
        float("!" in text),
        float("?" in text),
        min(3, lexicon_hits(text, "hedges")) / 3,
        min(3, lexicon_hits(text, "weasels")) / 3,
        min(3, caps) / 3,
    ]


def _shape(token: str) -> str:
    if token.isupper() and len(token) > 1:
        return "XX"
    if token[:1].isupper():
        return "Xx"
    if token.isdigit():
        return "d"
    if not token[:1].isalnum():
        return "p"
    return "x"


@dataclass
class ArticleTokens:
    """Tokens of one article with their sentence index and their features."""

    tokens: list[Segment]
    sentence_of: np.ndarray  # token -> sentence index
    rows: list[list[int]]  # hashed sparse features per token
    dense: np.ndarray  # (n_tokens, n_dense) technique-independent dense features


N_TOKEN_DENSE = 5
# Principal components of the contextual token states kept for the tagger. Each
# one is a dense column in every token row, and the tagger's training time grows
# with them; 64 raised out-of-fold span F1 from 0.202 to 0.220 (docs/local-models.md).
N_CONTEXT = 64


def article_tokens(text: str, sentences: Sequence[Segment]) -> ArticleTokens:
    tokens: list[Segment] = []
    sentence_of: list[int] = []
    for s_idx, sentence in enumerate(sentences):
        for tok in word_tokens(sentence.text, sentence.start):
            tokens.append(tok)
            sentence_of.append(s_idx)
    lower = [t.text.lower() for t in tokens]
    uni = Counter(w for w in lower if w not in _STOP and len(w) > 2 and w.isalpha())
    bi = Counter(zip(lower, lower[1:]))
    tri = Counter(zip(lower, lower[1:], lower[2:]))
    hedges, weasels = lexicon("hedges"), lexicon("weasels")
    rows: list[list[int]] = []
    dense = np.zeros((len(tokens), N_TOKEN_DENSE), dtype=np.float32)
    in_quote = False
    for i, tok in enumerate(tokens):
        s_idx = sentence_of[i]

        def at(j: int) -> str:
            if 0 <= j < len(tokens) and sentence_of[j] == s_idx:
                return lower[j]
            return "<s>"

        w0 = lower[i]
        if tok.text in {'"', "“", "”"}:
            in_quote = not in_quote if tok.text == '"' else tok.text == "“"
        feats = [
            "b",
            f"w0={w0}", f"w-1={at(i - 1)}", f"w+1={at(i + 1)}", f"w-2={at(i - 2)}", f"w+2={at(i + 2)}",
            f"b-={at(i - 1)}|{w0}", f"b+={w0}|{at(i + 1)}", f"t={at(i - 1)}|{w0}|{at(i + 1)}",
            f"w-3={at(i - 3)}", f"w+3={at(i + 3)}", f"pre={w0[:4]}",
            f"suf={w0[-3:]}", f"shape={_shape(tok.text)}", f"shape0={_shape(tok.text)}|{w0 in _STOP}",
            f"q={in_quote}", f"title={s_idx == 0}",
            f"hedge={w0 in hedges}", f"weasel={w0 in weasels}",
        ]
        rows.append(hashed(feats, TOKEN_BUCKETS))
        b_prev = bi[(lower[i - 1], w0)] if i > 0 else 0
        b_next = bi[(w0, lower[i + 1])] if i + 1 < len(tokens) else 0
        t_mid = tri[(lower[i - 1], w0, lower[i + 1])] if 0 < i < len(tokens) - 1 else 0
        dense[i] = [
            math.log1p(uni.get(w0, 0)) / 2,
            math.log1p(max(b_prev, b_next) - 1) / 2 if max(b_prev, b_next) > 1 else 0.0,
            math.log1p(t_mid - 1) / 2 if t_mid > 1 else 0.0,
            float(w0 in uni and uni[w0] >= 3),
            float(tok.text[:1].isupper() and w0 not in _STOP),
        ]
    return ArticleTokens(tokens, np.array(sentence_of, dtype=np.int64), rows, dense)


def token_context(toks: ArticleTokens, sentences: Sequence[Segment], states: Sequence[TokenStates]) -> np.ndarray:
    """Contextual state of each token: the mean of its word pieces' states in its sentence's forward pass."""
    out = np.zeros((len(toks.tokens), states[0].hidden.shape[1] if states else 0), dtype=np.float32)
    # Tokens come in sentence order, so each sentence's tokens are one slice.
    bounds = np.searchsorted(toks.sentence_of, np.arange(len(sentences) + 1))
    for s_idx, sentence in enumerate(sentences):
        first, last = bounds[s_idx], bounds[s_idx + 1]
        if last > first:
            out[first:last] = states[s_idx].pooled_over([(t.start - sentence.start, t.end - sentence.start)
                                                         for t in toks.tokens[first:last]])
    return out


def project_context(raw: np.ndarray, mean: np.ndarray, scale: np.ndarray, components: np.ndarray) -> np.ndarray:
    """Standardise the contextual states and keep their principal components (``components`` is (N_CONTEXT, 384))."""
    return (((raw - mean) * scale) @ components.T).astype(np.float32)


# Weight of the sentences' pooled token states beside the sentence embedding in the
# sentence model: out of fold its mean ROC-AUC was 0.822 without them and 0.830,
# 0.838, 0.833 and 0.817 at 0.05, 0.15, 0.3 and 0.6 (docs/local-models.md).
SENTENCE_STATE_SCALE = 0.15


def sentence_states(raw: np.ndarray, sentence_of: np.ndarray, n_sentences: int, mean: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Per sentence, the mean standardised contextual state of its tokens, times SENTENCE_STATE_SCALE.

    The sentence embedding is the last layer's mean; the middle layer's (see
    embeddings.TOKEN_LAYER_OUTPUT) tells the sentence model more about the words
    used. ``raw``: the tokens' states in sentence order (see :func:`token_context`).
    """
    out = np.zeros((n_sentences, len(mean)), dtype=np.float32)
    if not len(raw):  # no tokens (an empty article): token_context gave no state width either
        return out
    bounds = np.searchsorted(sentence_of, np.arange(n_sentences + 1))
    standardised = (raw - mean) * scale
    for i in range(n_sentences):
        if bounds[i + 1] > bounds[i]:
            out[i] = standardised[bounds[i]:bounds[i + 1]].mean(axis=0)
    return out * SENTENCE_STATE_SCALE


def token_matrix(toks: ArticleTokens) -> sparse.csr_matrix:
    indptr = np.zeros(len(toks.rows) + 1, dtype=np.int64)
    np.cumsum([len(r) for r in toks.rows], out=indptr[1:])
    indices = np.fromiter((c for r in toks.rows for c in r), dtype=np.int32, count=int(indptr[-1]))
    m = sparse.csr_matrix((np.ones(len(indices), np.float32), indices, indptr), shape=(len(toks.rows), TOKEN_BUCKETS))
    m.sum_duplicates()
    return m


def document_vector(embeddings: np.ndarray) -> np.ndarray:
    """Unit-length mean of the sentence embeddings (zeros for an empty article)."""
    if not len(embeddings):
        return np.zeros(embeddings.shape[1] if embeddings.ndim == 2 else 384, dtype=np.float32)
    mean = embeddings.mean(axis=0)
    return mean / max(float(np.linalg.norm(mean)), 1e-12)


def article_features(sent_prob: np.ndarray, tok_prob: np.ndarray, tok_thresholds: np.ndarray, doc_logit: np.ndarray) -> np.ndarray:
    """Aggregates per technique for the article model: shape (N_TECH, 7)."""
    n = max(1, sent_prob.shape[0])
    sp = np.sort(sent_prob, axis=0)[::-1] if sent_prob.shape[0] else np.zeros((1, N_TECH))
    top3 = sp[:3].mean(axis=0)
    tp = tok_prob if tok_prob.shape[0] else np.zeros((1, N_TECH))
    return np.stack([
        logit(sp[0]),
        logit(top3),
        np.log1p(sent_prob.sum(axis=0)) if sent_prob.shape[0] else np.zeros(N_TECH),
        np.full(N_TECH, math.log(n)),
        logit(tp.max(axis=0)),
        np.log1p((tp >= tok_thresholds).sum(axis=0)),
        doc_logit,
    ], axis=1)


def article_probs(feats: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Article-level confidences from :func:`article_features` rows and the shared weights ``w`` (n_features,)."""
    return sigmoid(feats @ w + b)


TOKEN_MODE, SENTENCE_MODE = 0, 1
# A token passage extends over neighbours down to this fraction of the technique's
# threshold (see decode_spans); 0.4, 0.5 and 0.6 gave span F1 0.229, 0.230 and 0.229.
RUN_EXTEND = 0.5


def sentence_spans(sentences: Sequence[Segment], prob: np.ndarray, threshold: float) -> list[tuple[int, int, float]]:
    """Whole sentences at or above ``threshold``: the passage mode for techniques whose gold passages are long."""
    return [(s.start, s.end, float(p)) for s, p in zip(sentences, prob) if p >= threshold]


def _hyphen_joined(tokens: Sequence[Segment], left: int, right: int) -> bool:
    """Tokens ``left`` and ``left + 1 == right`` are parts of one hyphenated word ("co-founders")."""
    return tokens[left].end == tokens[right].start and "-" in (tokens[left].text, tokens[right].text)


def _name_word(token: Segment) -> bool:
    return token.text[:1].isupper() and token.text.isalpha() and token.text.lower() not in _STOP


def _name_joined(tokens: Sequence[Segment], left: int, right: int) -> bool:
    """Tokens ``left`` and ``right`` are neighbouring words of one capitalised name ("Magna Carta")."""
    return _name_word(tokens[left]) and _name_word(tokens[right]) and tokens[right].start - tokens[left].end <= 1


def _name_goes_on_left(tokens: Sequence[Segment], sentence_of: np.ndarray, at: int) -> bool:
    """The word before token ``at`` is part of the same name, and not its sentence's first word
    (which is capitalised whether or not it is a name: "Yesterday Trump")."""
    return at > 1 and sentence_of[at - 2] == sentence_of[at] and _name_joined(tokens, at - 1, at)


def _name_goes_on_right(tokens: Sequence[Segment], sentence_of: np.ndarray, at: int) -> bool:
    return at + 1 < len(tokens) and sentence_of[at + 1] == sentence_of[at] and _name_joined(tokens, at, at + 1)


def _title_case(tokens: Sequence[Segment]) -> bool:
    """Most of the line's content words are capitalised (a headline)."""
    content = [t for t in tokens if t.text.isalpha() and t.text.lower() not in _STOP]
    return len(content) >= 3 and sum(t.text[:1].isupper() for t in content) > 0.6 * len(content)


def _run_end(prob: np.ndarray, sentence_of: np.ndarray, i: int, low: float, gap: int) -> int:
    """The last token of the run from token ``i``: tokens of its sentence at or above ``low``, over gaps of up to ``gap``."""
    j, n = i, len(prob)
    while True:
        ahead = next((j + step for step in range(1, gap + 2)
                      if j + step < n and sentence_of[j + step] == sentence_of[i] and prob[j + step] >= low), None)
        if ahead is None:
            return j
        j = ahead


def _filler(token: Segment) -> bool:
    return not token.text[:1].isalnum() or token.text.lower() in _STOP


def decode_spans(tokens: Sequence[Segment], sentence_of: np.ndarray, prob: np.ndarray, threshold: float, *,
                 extend: float = RUN_EXTEND, gap: int = 0) -> list[tuple[int, int, float]]:
    """Passages of consecutive tokens within one sentence: (start, end, mean prob).

    A passage is a run of tokens at or above ``RUN_EXTEND * threshold`` that holds
    at least one token at or above ``threshold`` (hysteresis): a confident token
    seeds it ("corrupt"), and less confident neighbours complete the phrase
    ("bureaucrats"). Out of fold this raised span F1 from 0.221 to 0.230 over
    plain runs above one threshold (docs/local-models.md).

    A run that cuts a hyphenated word grows to the whole word, so a passage never
    reads "co" or "inter-", and one that cuts a capitalised name grows to the
    whole name ("Carta is dead" reads "Magna Carta is dead"; for the reader: span
    F1 moved only from 0.2606 to 0.2608 out of fold); punctuation and function
    words at its edges are dropped. A run that is then a single function word, a lone
    punctuation mark or under three characters is not a passage: it shows
    nothing an analyst could check.

    ``extend`` (the run's lower level, a fraction of ``threshold``) and ``gap`` (a run
    goes on over up to this many tokens below it) are the shipped RUN_EXTEND and 0;
    other values are for the decoding search (scripts/technique_decoding_grid.py),
    which found them worth at most 0.003 of span F1 (docs/local-models.md). With a
    gap, the score is the mean over the run's tokens at or above the lower level.
    """
    spans: list[tuple[int, int, float]] = []
    low = threshold * extend
    i = 0
    n = len(tokens)
    while i < n:
        if prob[i] < low:
            i += 1
            continue
        j = _run_end(prob, sentence_of, i, low, gap)
        if prob[i:j + 1].max() < threshold:
            i = j + 1
            continue
        run = prob[i:j + 1]
        score = float(run[run >= low].mean())
        first, last = i, j
        while first > 0 and sentence_of[first - 1] == sentence_of[i] and _hyphen_joined(tokens, first - 1, first):
            first -= 1
        while last + 1 < n and sentence_of[last + 1] == sentence_of[i] and _hyphen_joined(tokens, last, last + 1):
            last += 1
        # In a title-case headline every word is capitalised: growing over names there would
        # turn "Corrupt Elites" into the whole headline. (Checked only when a name goes on.)
        if _name_goes_on_left(tokens, sentence_of, first) or _name_goes_on_right(tokens, sentence_of, last):
            bounds = np.searchsorted(sentence_of, [sentence_of[i], sentence_of[i] + 1])  # tokens are in sentence order
            if not _title_case(tokens[bounds[0]:bounds[1]]):
                while _name_goes_on_left(tokens, sentence_of, first):
                    first -= 1
                while _name_goes_on_right(tokens, sentence_of, last):
                    last += 1
        # Passages neither begin nor end on punctuation or a function word ("lying elites in" reads
        # "lying elites"); gold passages rarely do, so this also raised span F1 (0.2376 -> 0.2388).
        while first < last and _filler(tokens[first]) and not _hyphen_joined(tokens, first, first + 1):
            first += 1
        while last > first and _filler(tokens[last]) and not _hyphen_joined(tokens, last - 1, last):
            last -= 1
        start, end = tokens[first].start, tokens[last].end
        words = [t.text for t in tokens[first:last + 1] if t.text[:1].isalnum()]
        trivial = len(words) == 0 or (first == last and (words[0].lower() in _STOP or len(words[0]) < 3))
        if not trivial:
            if spans and start < spans[-1][1]:  # grown into the previous passage: one passage
                previous = spans.pop()
                start, score = previous[0], max(previous[2], score)
            spans.append((start, end, score))
        i = max(j, last) + 1
    return spans


# ---------------------------------------------------------------- inference


class TechniqueModel:
    """The shipped detector, loaded from ``techniques.npz`` / ``techniques.json``."""

    def __init__(self, directory: Path = artifact.ARTIFACT_DIR) -> None:
        arrays, meta = artifact.load(directory, NAME)
        self.meta = meta
        self.tfidf = Tfidf({t: i for i, t in enumerate(meta["vocabulary"])}, arrays["idf"])
        self.sent_w = arrays["sent_w"]  # (n_features, N_TECH)
        self.sent_b = arrays["sent_b"]
        self.sent_platt = arrays["sent_platt"]  # (N_TECH, 2)
        self.tok_w = arrays["tok_w"]  # (TOKEN_BUCKETS + N_TOKEN_DENSE + N_CONTEXT + 1, N_TECH)
        self.ctx_mean = arrays["ctx_mean"]
        self.ctx_scale = arrays["ctx_scale"]
        self.ctx_components = arrays["ctx_components"]
        self.tok_b = arrays["tok_b"]
        self.tok_thr = arrays["tok_thr"]
        self.tok_gate = arrays["tok_gate"]
        self.span_platt = arrays["span_platt"]
        self.span_mode = arrays["span_mode"]
        self.span_thr = arrays["span_thr"]
        self.doc_w = arrays["doc_w"]  # (384 + vocabulary, N_TECH)
        self.doc_b = arrays["doc_b"]
        self.art_w = arrays["art_w"]  # (7,): shared by the techniques
        self.art_b = arrays["art_b"]

    def sentence_probs(self, sentences: Sequence[str], embeddings: np.ndarray, doc: np.ndarray, states: np.ndarray) -> np.ndarray:
        """``doc``: the article's :func:`document_vector`; the same sentence reads differently in a news
        report and in an opinion piece (out of fold it raised the sentence model's mean ROC-AUC from 0.812 to 0.822).
        ``states``: the sentences' :func:`sentence_states`."""
        x_lex = self.tfidf.transform(sentences)
        style = np.array([sentence_style(s) for s in sentences], dtype=np.float32).reshape(len(sentences), -1)
        n_emb = embeddings.shape[1]
        style_start = n_emb + x_lex.shape[1]
        doc_start = style_start + style.shape[1]
        states_start = doc_start + len(doc)
        raw = (embeddings @ self.sent_w[:n_emb] + np.asarray(x_lex @ self.sent_w[n_emb:style_start])
               + style @ self.sent_w[style_start:doc_start] + doc @ self.sent_w[doc_start:states_start]
               + states @ self.sent_w[states_start:] + self.sent_b)
        return apply_platt(raw, self.sent_platt[:, 0], self.sent_platt[:, 1])

    def token_probs(self, toks: ArticleTokens, sent_prob: np.ndarray, context: np.ndarray) -> np.ndarray:
        """``context``: the tokens' raw contextual states (see :func:`token_context`)."""
        if not toks.tokens:
            return np.zeros((0, N_TECH))
        m = token_matrix(toks)
        dense_end = TOKEN_BUCKETS + N_TOKEN_DENSE
        projected = project_context(context, self.ctx_mean, self.ctx_scale, self.ctx_components)
        raw = (np.asarray(m @ self.tok_w[:TOKEN_BUCKETS]) + toks.dense @ self.tok_w[TOKEN_BUCKETS:dense_end]
               + projected @ self.tok_w[dense_end:dense_end + N_CONTEXT])
        sent_logit = logit(sent_prob[toks.sentence_of])
        raw += sent_logit * self.tok_w[-1] + self.tok_b
        # Tokens of sentences below the gate are never tagged (see training.techniques.layers.sentence_gates).
        return np.where(sent_logit >= logit(self.tok_gate), sigmoid(raw), 0.0)

    def analyse(self, text: str, sentences: Sequence[Segment], embeddings: np.ndarray,
                states: Sequence[TokenStates]) -> list[Technique]:
        """``embeddings`` and ``states``: the sentences' output of :meth:`Embedder.encode_tokens`."""
        doc = document_vector(embeddings)
        toks = article_tokens(text, sentences)
        context = token_context(toks, sentences, states)
        pooled = sentence_states(context, toks.sentence_of, len(sentences), self.ctx_mean, self.ctx_scale)
        sent_prob = self.sentence_probs([s.text for s in sentences], embeddings, doc, pooled) if sentences else np.zeros((0, N_TECH))
        tok_prob = self.token_probs(toks, sent_prob, context)
        doc_logit = doc @ self.doc_w[:len(doc)] + np.asarray(self.tfidf.transform([text]) @ self.doc_w[len(doc):]).ravel() + self.doc_b
        feats = article_features(sent_prob, tok_prob, self.tok_thr, doc_logit)
        art_prob = article_probs(feats, self.art_w, self.art_b)
        results = []
        for k, name in enumerate(TECHNIQUES):
            if self.span_mode[k] == SENTENCE_MODE:
                spans = sentence_spans(sentences, sent_prob[:, k], float(self.span_thr[k]))
            else:
                spans = decode_spans(toks.tokens, toks.sentence_of, tok_prob[:, k], float(self.span_thr[k])) if toks.tokens else []
            conf = apply_platt(np.array([logit(np.array(c)) for _, _, c in spans]), *self.span_platt[k]) if spans else []
            found = tuple(Span(s, e, text[s:e], float(c)) for (s, e, _), c in zip(spans, conf))
            results.append(Technique(name, float(art_prob[k]), found))
        return results


def analyse_text(model: TechniqueModel, text: str, embedder: Embedder) -> list[Technique]:
    """Convenience for evaluation and tests: segment, embed and analyse."""
    sentences = segment_sentences(text)
    embeddings, states = embedder.encode_tokens([s.text for s in sentences])
    return model.analyse(text, sentences, embeddings, states)
