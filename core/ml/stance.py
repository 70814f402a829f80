"""Stance of a piece of evidence towards a claim: supports, refutes or neutral.

Two models read each pair. A multinomial logistic regression over the MiniLM
embeddings of claim (u) and evidence (v) as (u*v, |u-v|, u, v), the product
and difference of their mean middle-layer states, TF-IDF of both, hashed pairs
of the words in which they differ, plus overlap, negation, number and coverage
cues; and a cross-encoder (core.ml.cross_encoder) that reads claim and
evidence together. Both are trained on Climate-FEVER and NLI pairs (VitaminC,
SNLI) except one held-out fold, on which a small regression combines their
logits into calibrated probabilities (docs/local-models.md). On top of them,
deterministic checks catch what such models miss: a passage can support a
claim as stated only when it covers the claim's numbers and names (coverage)
and, talking about the same thing, disagrees on no number, year or negation
(find_conflict). DecisiveRule says when a stance counts toward a verdict.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
from scipy import sparse

from ..errors import ModelError
from . import artifact
from .cross_encoder import CrossEncoder
from .features import NEGATIONS, Tfidf, hashed, word_numbers, words

NAME = "stance"
LABELS = ("supports", "refutes", "neutral")
# Two passages are "about the same thing" when this share of the claim's content words
# also occurs in the evidence; below it a differing number is more likely a different fact.
OVERLAP_FOR_CONFLICT = 0.5

_STOP = frozenset(
    "the a an and or but of to in on at for with by from as is are was were be been it its this that these those "
    "has have had will would can could may might than then there their they he she we you i not no".split()
)
_NUM = re.compile(r"(?<![\w.])[-+]?\d[\d,]*(?:\.\d+)?(?![\w.]*\d)")
_YEAR = re.compile(r"\b(1[5-9]\d\d|20\d\d)\b")
_SCALE = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}


def content_words(text: str) -> set[str]:
    return {w for w in words(text) if w not in _STOP and len(w) > 2}


def numbers(text: str) -> set[float]:
    """Numbers in the text, with 'million'-style scales applied; years included."""
    return {v for m in _NUM.finditer(text) if (v := _value(text, m)) is not None}


def _value(text: str, match: re.Match[str]) -> float | None:
    try:
        value = float(match.group().replace(",", ""))
    except ValueError:
        return None
    following = text[match.end():match.end() + 12].strip().lower().split(" ")[:1]
    if following and following[0] in _SCALE:
        value *= _SCALE[following[0]]
    return value


def negated(text: str) -> bool:
    return any(w in NEGATIONS for w in re.findall(r"[a-z]+(?:n't)?", text.lower()))


@dataclass(frozen=True)
class Conflict:
    kind: str  # "number", "year" or "negation"
    detail: str


def overlap(claim: str, evidence: str) -> float:
    c = content_words(claim)
    return len(c & content_words(evidence)) / len(c) if c else 0.0


def restates(claim: str, evidence: str) -> bool:
    """Whether every content word of the claim occurs in the evidence: the passage says the claim again.

    On the held-out stance pairs, a restating passage that covers the claim's specifics,
    conflicts with none and that the model reads as supporting is a true support 95 % of the
    time on the NLI pairs (668 pairs) and 7 of 8 times on Climate-FEVER (docs/local-models.md).
    """
    return overlap(claim, evidence) == 1.0


def find_conflict(claim: str, evidence: str) -> Conflict | None:
    """A number, year or negation on which the two passages disagree, if they are about the same thing."""
    if overlap(claim, evidence) < OVERLAP_FOR_CONFLICT:
        return None
    cy, ey = set(_YEAR.findall(claim)), set(_YEAR.findall(evidence))
    if cy and ey and not cy & ey:
        return Conflict("year", f"claim says {', '.join(sorted(cy))}, evidence says {', '.join(sorted(ey))}")
    cn = {n for n in numbers(claim) if str(int(n)) not in cy}
    en = {n for n in numbers(evidence) if str(int(n)) not in ey}
    if cn and en and not cn & en:
        return Conflict("number", f"claim has {_fmt(cn)}, evidence has {_fmt(en)}")
    if negated(claim) != negated(evidence):
        return Conflict("negation", "one passage negates what the other states")
    return None


# Capitalised words that are not names: calendar words (dates are checked through their numbers)
# and words capitalised for other reasons.
_NOT_NAMES = frozenset(
    "january february march april may june july august september october november december jan feb mar apr jun jul "
    "aug sep sept oct nov dec monday tuesday wednesday thursday friday saturday sunday i mr mrs ms dr "
    "he she it they we you his her their its our this that these those the a an in on at of for".split()
)
_NAME = re.compile(r"[A-Z][\w'’.-]*")
# A dotted acronym ("U.S.") is one token; so is a word with its apostrophes and hyphens.
_TOKEN = re.compile(r"(?:[A-Z]\.){2,}|[\w'’-]+|[^\w\s]")
_DOTTED = re.compile(r"(?:[A-Z]\.){2,}")


def _name_word(token: str) -> str:
    """A capitalised token as compared: lower case, without dots ("U.S." -> "us") or a possessive ending."""
    return re.sub(r"['’]s$", "", token).replace(".", "").lower()


# Words before a number that make it a bound or an estimate ("more than 380", "before March 12",
# "about 40"): any figure of the same order satisfies it, not only the same value.
_BOUNDED = re.compile(r"(?:more|fewer|less|greater|higher|lower|over|under|above|below|at least|at most|up to|nearly|"
                      r"almost|about|around|roughly|approximately|some|before|after|since|until|by|than|"
                      r"exceeding|beyond|within)\s+(?:[a-z]+\s+)?$", re.IGNORECASE)


@dataclass(frozen=True)
class Specifics:
    """What a claim specifies: exact numbers, bounded or estimated numbers, and names."""

    exact: frozenset[float]
    bounded: frozenset[float]
    names: tuple[tuple[str, ...], ...]


def key_specifics(claim: str) -> Specifics:
    """The claim's numbers (years and number words included) and its names.

    A number after "more than", "about", "before"… is bounded, not exact. A
    name is a run of capitalised words not opening the claim (the first word
    is capitalised anyway, and joins a run it starts: "Slim Thug"), or an
    acronym anywhere ("FBI"); possessive endings are dropped ("Trump's" -> "trump").
    """
    exact: set[float] = set()
    bounded: set[float] = set()
    for match in _NUM.finditer(claim):
        value = _value(claim, match)
        if value is not None:
            (bounded if _BOUNDED.search(claim[max(0, match.start() - 30):match.start()]) else exact).add(value)
    exact |= word_numbers(claim)
    names: list[tuple[str, ...]] = []
    current: list[str] = []
    tokens = _TOKEN.findall(claim)
    capitalised = [bool(_NAME.fullmatch(t)) and _name_word(t) not in _NOT_NAMES and len(_name_word(t)) > 1 for t in tokens]
    for position, token in enumerate(tokens):
        opens_a_run = position == 0 and len(tokens) > 1 and capitalised[1]
        if capitalised[position] and (position > 0 or token.replace(".", "").isupper() or opens_a_run):
            current.append(_name_word(token))
        elif current:
            names.append(tuple(current))
            current = []
    if current:
        names.append(tuple(current))
    return Specifics(frozenset(exact - bounded), frozenset(bounded), tuple(names))


@dataclass(frozen=True)
class Coverage:
    """Which of the claim's key specifics the evidence leaves out (empty: it covers them all)."""

    missing: tuple[str, ...]

    @property
    def covered(self) -> bool:
        return not self.missing


def coverage(claim: str, evidence: str) -> Coverage:
    """Whether the evidence mentions every number and name of the claim.

    Evidence that supports a claim must speak about what the claim specifies:
    a passage on "FBI background checks" without "6" cannot confirm "6 FBI
    background checks". A name counts as mentioned when any of its words is
    ("Trump" covers "Donald Trump"); an exact number when the same value
    occurs, written in digits or as a word, with "million"-style scales
    applied; a bounded one ("more than 380") when a number between half and
    twice it does.
    """
    specifics = key_specifics(claim)
    evidence_values = numbers(evidence) | word_numbers(evidence)
    evidence_words = ({re.sub(r"['’]s$", "", w) for w in words(evidence)}
                      | {_name_word(m.group()) for m in _DOTTED.finditer(evidence)})
    missing = [_number_text(v) for v in sorted(specifics.exact)
               if not any(abs(v - e) <= 1e-9 * max(1.0, abs(v)) for e in evidence_values)]
    missing += [_number_text(v) for v in sorted(specifics.bounded)
                if not any(0.5 * abs(v) <= abs(e) <= 2 * abs(v) for e in evidence_values)]
    missing += [" ".join(name) for name in specifics.names if not any(part in evidence_words for part in name)]
    return Coverage(tuple(missing))


def _number_text(value: float) -> str:
    """A number as a reader writes it: 2013, 23,500,000, 4.1."""
    return f"{value:.10g}" if abs(value) < 10000 else f"{value:,.10g}"


def _fmt(values: set[float]) -> str:
    return ", ".join(f"{v:g}" for v in sorted(values)[:3])


def pair_cues(claim: str, evidence: str) -> list[float]:
    c, e = content_words(claim), content_words(evidence)
    cn, en = numbers(claim), numbers(evidence)
    found = key_specifics(claim)
    specifics = len(found.exact) + len(found.bounded) + len(found.names)
    missing = len(coverage(claim, evidence).missing)
    return [
        overlap(claim, evidence),
        len(c & e) / len(c | e) if c | e else 0.0,
        float(negated(claim)),
        float(negated(evidence)),
        float(negated(claim) != negated(evidence)),
        float(bool(cn and en and not cn & en)),
        float(bool(cn and en and cn & en)),
        float(missing > 0),
        missing / specifics if specifics else 0.0,
    ]


# 65,536 buckets: with 2^18 the optimiser's own work on the weights (not the data) took most
# of each training step on the ~80,000 pairs.
CROSS_BUCKETS = 1 << 16


def pair_crosses(pairs: Sequence[tuple[str, str]]) -> sparse.csr_matrix:
    """Hashed pairs (claim-only content word, evidence-only content word), L2-normalised per pair.

    The embeddings compare the two texts as wholes; these let the model learn which
    words swapped between claim and evidence change the meaning ("warming" against
    "cooling", "increase" against "decline"). Out of fold they raised macro-F1 from
    0.538 to 0.545 (fold seed 13; 0.532 to 0.535 averaged over 4 fold seeds).
    """
    indptr, indices, values = [0], [], []
    for claim, evidence in pairs:
        c, e = content_words(claim), content_words(evidence)
        buckets = sorted(set(hashed((f"{a}|{b}" for a in sorted(c - e) for b in sorted(e - c)), CROSS_BUCKETS)))
        indices.extend(buckets)
        if buckets:
            values.extend([1.0 / np.sqrt(len(buckets))] * len(buckets))
        indptr.append(len(indices))
    return sparse.csr_matrix((np.array(values, np.float32), np.array(indices, np.int32), np.array(indptr, np.int64)),
                             shape=(len(pairs), CROSS_BUCKETS))


# Weights of the standardised middle-layer states' product and absolute difference
# beside the other features (see state_features).
STATE_PRODUCT_SCALE = 0.01
STATE_DIFFERENCE_SCALE = 0.015


def state_features(claim_states: np.ndarray, evidence_states: np.ndarray, mean: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """(c*e, |c-e|) of the standardised mean middle-layer states of claim and evidence, scaled.

    The sentence embeddings come from MiniLM's last layer, tuned for topical
    similarity; the third layer keeps more of the words themselves. Out of
    fold these raised macro-F1 from 0.545 to 0.550 (fold seed 13; 0.535 to
    0.539 averaged over 4 fold seeds); 0.5 and 2 times these scales did worse.
    """
    c, e = (claim_states - mean) * scale, (evidence_states - mean) * scale
    return np.hstack([c * e * STATE_PRODUCT_SCALE, np.abs(c - e) * STATE_DIFFERENCE_SCALE]).astype(np.float32)


def state_standardiser(states: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and inverse spread of middle-layer states, fitted without labels."""
    return states.mean(axis=0), 1.0 / (states.std(axis=0) + 1e-3)


def pair_features(u: np.ndarray, v: np.ndarray, cues: np.ndarray) -> np.ndarray:
    # The claim vector itself lets the model learn which kinds of claim tend to be
    # contradicted by reference text (measured +2 points macro-F1 on held-out claims).
    return np.hstack([u * v, np.abs(u - v), u, v, (u * v).sum(axis=1, keepdims=True), cues]).astype(np.float32)


def dense_features(u: np.ndarray, v: np.ndarray, claim_states: np.ndarray, evidence_states: np.ndarray,
                   cues: np.ndarray, standardiser: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """The dense columns of the model: embedding comparisons, cues and middle-layer state comparisons."""
    return np.hstack([pair_features(u, v, cues), state_features(claim_states, evidence_states, *standardiser)])


def lexical_features(pairs: Sequence[tuple[str, str]], evidence_tfidf: Tfidf, claim_tfidf: Tfidf) -> sparse.csr_matrix:
    """The sparse columns: TF-IDF of evidence and of claim, and the hashed word swaps between them."""
    return sparse.hstack([evidence_tfidf.transform([e for _, e in pairs]), claim_tfidf.transform([c for c, _ in pairs]),
                          pair_crosses(pairs)], format="csr", dtype=np.float32)


def apply_conflict(scores: np.ndarray, conflict: Conflict | None) -> np.ndarray:
    """A detail conflict turns the model's "supports" mass into "refutes" mass.

    The model's supports probability measures how strongly the evidence
    addresses the claim; with a disagreeing number, year or negation that same
    evidence speaks against the claim as stated, so the two are swapped.
    """
    if conflict is None or scores[0] <= scores[1]:
        return scores
    out = scores.copy()
    out[0], out[1] = scores[1], scores[0]
    return out


def supportable(missing: Sequence[str], conflict: Conflict | None) -> bool:
    """Whether a passage can support a claim as stated: it leaves out none of its specifics and contradicts no detail."""
    return not missing and conflict is None


def can_support(claim: str, evidence: str) -> bool:
    return supportable(coverage(claim, evidence).missing, find_conflict(claim, evidence))


@dataclass(frozen=True)
class DecisiveRule:
    """When a stance counts toward a verdict, with the thresholds chosen from data at training time.

    A support counts when its calibrated probability reaches ``supports`` and
    the evidence can support the claim as stated: it covers the claim's
    numbers and names (see coverage) and disagrees on none (see
    find_conflict); a passage that restates the claim (see restates) and that the model reads as
    supporting counts at any probability, on the same conditions; a refutation counts when its
    probability reaches ``refutes``. Each threshold is the lowest whose
    held-out precision met its target on every evaluation source, or where
    one cannot reach it the most trustworthy point (docs/local-models.md);
    below it the stance is shown, not counted.
    """

    supports: float
    refutes: float

    def decisive(self, label: str, probabilities: Sequence[float], supportable: bool, restated: bool = False) -> bool:
        if label == "supports":
            return (probabilities[0] >= self.supports or restated) and supportable
        if label == "refutes":
            return probabilities[1] >= self.refutes
        return False


@dataclass(frozen=True)
class PairStance:
    """The stance of one (claim, evidence) pair: label, calibrated probabilities, whether it counts, and why not."""

    label: str
    probabilities: tuple[float, float, float]  # in LABELS order
    decisive: bool
    conflict: Conflict | None
    missing: tuple[str, ...]  # the claim's numbers and names the evidence does not mention
    # Where the news-pair layer (core.ml.news_stance) let a support count: its probability on news pairs.
    news_support: float | None = None

    @property
    def confidence(self) -> float:
        return max(self.probabilities[LABELS.index(self.label)], self.news_support or 0.0)


Embed = Callable[[Sequence[str]], tuple[np.ndarray, np.ndarray]]


class SupportLayer(Protocol):
    """What judge asks of the news-pair layer (core.ml.news_stance.NewsStance), given read's rows of the pairs."""
    def counts_support(self, pairs: Sequence[tuple[str, str]], stance: np.ndarray, signals: np.ndarray) -> list[float | None]: ...


class StanceModel:
    def __init__(self, directory: Path = artifact.ARTIFACT_DIR, news: SupportLayer | None = None) -> None:
        """``news``: the news-pair layer that may let more supports count (see judge); None: the rule alone."""
        arrays, meta = artifact.load(directory, NAME)
        if "combination" not in meta:
            raise ModelError(f"The stance model in {directory} predates the cross-encoder.",
                             hint="Retrain it: python -m core train stance-encoder, then python -m core train stance.")
        self.meta = meta
        self.encoder = CrossEncoder(directory)
        self.w = arrays["w"]  # (n_dense + n_lexical, 3): the linear model's logits
        self.b = arrays["b"]
        self.stack_w = arrays["stack_w"]  # (6, 3): [linear logits, cross-encoder logits] to calibrated logits
        self.stack_b = arrays["stack_b"]
        self.tfidf = Tfidf({t: i for i, t in enumerate(meta["vocabulary"])}, arrays["idf"])
        self.claim_tfidf = Tfidf({t: i for i, t in enumerate(meta["claim_vocabulary"])}, arrays["claim_idf"])
        self.standardiser = (arrays["state_mean"], arrays["state_scale"])
        self.rule = DecisiveRule(**meta["decisive"])
        self.swap_kinds = frozenset(meta.get("swap_conflict_kinds", ()))
        self.news = news

    def predict(self, pairs: Sequence[tuple[str, str]], embed: Embed) -> tuple[np.ndarray, list[Conflict | None]]:
        """Calibrated probabilities (n, 3) in LABELS order, and the conflict found for each pair.

        Conflicts of the kinds the model card lists (``swap_conflict_kinds``: negation)
        swap supports and refutes, see apply_conflict.

        ``embed``: embeddings and mean middle-layer states, as Embedder.encode_with_states.
        """
        probs, conflicts, _ = self.read(pairs, embed)
        return probs, conflicts

    def read(self, pairs: Sequence[tuple[str, str]], embed: Embed) -> tuple[np.ndarray, list[Conflict | None], np.ndarray]:
        """As predict, with what the news-pair layer also reads: (n, 4) cross-encoder probabilities and MiniLM cosine."""
        if not pairs:
            return np.zeros((0, 3)), [], np.zeros((0, 4))
        claims = [c for c, _ in pairs]
        evidence = [e for _, e in pairs]
        # The engine pairs each claim with several passages: embedding each distinct text once
        # cut the time for 100 pairs of 20 claims from 0.9 s to 0.7 s (measured on 2 cores).
        unique = sorted(set(claims) | set(evidence))
        index = {t: i for i, t in enumerate(unique)}
        vectors, states = embed(unique)
        rows_c, rows_e = [index[c] for c in claims], [index[e] for e in evidence]
        cues = np.array([pair_cues(c, e) for c, e in pairs], dtype=np.float32)
        dense = dense_features(vectors[rows_c], vectors[rows_e], states[rows_c], states[rows_e], cues, self.standardiser)
        n_dense = dense.shape[1]
        linear = dense @ self.w[:n_dense] + np.asarray(lexical_features(pairs, self.tfidf, self.claim_tfidf) @ self.w[n_dense:]) + self.b
        encoder = self.encoder.logits(pairs)
        logits = np.hstack([linear, encoder]) @ self.stack_w + self.stack_b
        logits -= logits.max(axis=1, keepdims=True)
        probs = np.exp(logits)
        probs /= probs.sum(axis=1, keepdims=True)
        conflicts = [find_conflict(c, e) for c, e in pairs]
        probs = np.array([apply_conflict(p, k if k is not None and k.kind in self.swap_kinds else None)
                          for p, k in zip(probs, conflicts)])
        encoder = np.exp(encoder - encoder.max(axis=1, keepdims=True))
        cosines = (vectors[rows_c] * vectors[rows_e]).sum(axis=1, keepdims=True)
        return probs, conflicts, np.hstack([encoder / encoder.sum(axis=1, keepdims=True), cosines])

    def judge(self, pairs: Sequence[tuple[str, str]], embed: Embed) -> list[PairStance]:
        """Each pair's stance with its decisive flag: DecisiveRule's, or the news-pair layer's (news_stance): it may count
        as a support a pair the stance model leans to support or reads as neutral, never one it leans to refute."""
        probs, conflicts, signals = self.read(pairs, embed)
        labels = [LABELS[int(np.argmax(row))] for row in probs]
        asked = [i for i, label in enumerate(labels) if label != "refutes"]
        news: dict[int, float | None] = dict(zip(asked, self.news.counts_support(
            [pairs[i] for i in asked], probs[asked], signals[asked]))) if self.news is not None and asked else {}
        out = []
        for i, ((claim, evidence), row, conflict) in enumerate(zip(pairs, probs, conflicts)):
            missing = coverage(claim, evidence).missing
            p = (float(row[0]), float(row[1]), float(row[2]))
            counts = self.rule.decisive(labels[i], p, supportable(missing, conflict), restates(claim, evidence))
            restated = None if counts else news.get(i)
            out.append(PairStance(labels[i] if restated is None else "supports", p, counts or restated is not None,
                                  conflict, missing, restated))
        return out
