"""The stance training data: Climate-FEVER and NLI pairs, sampled, weighted, embedded, split in folds.

Data: Climate-FEVER (claims against Wikipedia sentences) and the NLI pairs
of ``shared/data/nli`` (VitaminC real and synthetic, SNLI dev/test). Folds are
grouped by claim (Climate-FEVER), Wikipedia page (VitaminC) or premise (SNLI),
so that no group is scored by a model trained on it. The linear model
(training/stance.py) trains on these pairs with their features, the
cross-encoder (training/stance_encoder.py) on their texts.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..stance import LABELS, dense_features, pair_cues, state_standardiser
from .data import NliPair, StancePair, embed_with_states_cached, load_nli, load_reviewed_stance, load_stance

SEED = 13
FOLDS = 5
# The fold of group_folds(…, SEED) that the shipped models never train on (see Pairs.held_out).
HELD_OUT_FOLD = 0
SOURCES = ("climate_fever", "vitaminc_real", "vitaminc_synthetic", "snli")
NLI_SOURCES = SOURCES[1:]
# Each source weighs this much in training and calibration, whatever its size: Climate-FEVER
# (6,160 pairs, the closest to checking news claims against reference text) would otherwise
# weigh 8 % beside the 74,863 NLI pairs.
SOURCE_WEIGHT = {"climate_fever": 0.4, "vitaminc_real": 0.25, "vitaminc_synthetic": 0.15, "snli": 0.2}
# Pairs kept per NLI source, whole groups drawn at random (seeded): on two shared cores a
# 5-fold run over all 74,863 NLI pairs would take about two hours; with 12,000 per source
# (42,000 pairs with Climate-FEVER) it takes under one. See docs/local-models.md for what
# the other pairs would add.
MAX_PAIRS_PER_SOURCE = 12_000
Progress = Callable[[str], None]


@dataclass(frozen=True)
class Pairs:
    """Every labelled pair, in one order: Climate-FEVER (with any analyst-reviewed pairs), then the NLI pairs kept."""

    source: np.ndarray  # source name of each pair
    group: list[str]
    claims: list[str]
    evidence: list[str]
    y: np.ndarray

    @property
    def pairs(self) -> list[tuple[str, str]]:
        return list(zip(self.claims, self.evidence))

    def weights(self, rows: np.ndarray, *, balance_labels: bool) -> np.ndarray:
        """Weights of ``rows``: each source its SOURCE_WEIGHT, and with ``balance_labels`` each label an equal
        share of it (for fitting; calibration keeps each source's own label frequencies)."""
        out = np.zeros(len(rows))
        for source in SOURCES:
            in_source = self.source[rows] == source
            if not in_source.any():
                continue
            if not balance_labels:
                out[in_source] = SOURCE_WEIGHT[source] / in_source.sum()
                continue
            for label in range(len(LABELS)):
                mask = in_source & (self.y[rows] == label)
                if mask.any():
                    out[mask] = SOURCE_WEIGHT[source] / len(LABELS) / mask.sum()
        return out / out.mean()

    def subset(self, rows: np.ndarray) -> Pairs:
        """The pairs at ``rows``, in that order."""
        return Pairs(self.source[rows], [self.group[i] for i in rows], [self.claims[i] for i in rows],
                     [self.evidence[i] for i in rows], self.y[rows])

    def held_out(self) -> np.ndarray:
        """Whether each pair is in the held-out fold (HELD_OUT_FOLD of group_folds): never trained on by the
        shipped linear model or cross-encoder; calibration, thresholds and every reported figure come from it."""
        return group_folds(self.group, SEED) == HELD_OUT_FOLD


@dataclass(frozen=True)
class Corpus(Pairs):
    """The pairs with what the linear model's features need."""

    dense: np.ndarray  # dense_features rows (float32)
    standardiser: tuple[np.ndarray, np.ndarray]


def _sample_groups(pairs: Sequence[NliPair], max_pairs: int) -> np.ndarray:
    """Which pairs to keep: whole groups in a seeded random order, until a source has ``max_pairs``."""
    keep = np.zeros(len(pairs), dtype=bool)
    rng = np.random.default_rng(SEED)
    for source in NLI_SOURCES:
        by_group: dict[str, list[int]] = {}
        for i, p in enumerate(pairs):
            if p.source == source:
                by_group.setdefault(p.group, []).append(i)
        taken = 0
        for g in rng.permutation(sorted(by_group)):
            if taken + len(by_group[g]) > max_pairs:
                continue
            keep[by_group[g]] = True
            taken += len(by_group[g])
    return keep


def _read(root: Path, say: Progress, sources: Sequence[str], max_pairs: int,
          reviewed: Path | None) -> tuple[list[StancePair], list[NliPair], np.ndarray]:
    """Climate-FEVER pairs (with the reviewed ones), every NLI pair, and which NLI pairs are kept."""
    cf = load_stance(root)
    if reviewed is not None:
        analyst_pairs = load_reviewed_stance(reviewed)
        say(f"{len(analyst_pairs)} stance pairs reviewed by analysts added to Climate-FEVER")
        cf += analyst_pairs
    every_nli = load_nli(root) if set(sources) & set(NLI_SOURCES) else []
    keep = _sample_groups(every_nli, max_pairs)
    say(f"Climate-FEVER {len(cf)} pairs ({len({p.claim_id for p in cf})} claims); NLI {int(keep.sum())} of "
        f"{len(every_nli)} pairs ({len({p.group for p, k in zip(every_nli, keep) if k})} groups)")
    return cf, every_nli, keep


def _kept(cf: Sequence[StancePair], every_nli: Sequence[NliPair], keep: np.ndarray,
          sources: Sequence[str]) -> tuple[Pairs, np.ndarray]:
    """The pairs of ``sources`` among Climate-FEVER and the kept NLI pairs, and their rows in that order."""
    nli = [p for p, k in zip(every_nli, keep) if k]
    every = Pairs(np.array(["climate_fever"] * len(cf) + [p.source for p in nli]),
                  [f"climate_fever:{p.claim_id}" for p in cf] + [p.group for p in nli],
                  [p.claim for p in cf] + [p.claim for p in nli], [p.evidence for p in cf] + [p.evidence for p in nli],
                  np.array([LABELS.index(p.label) for p in cf] + [LABELS.index(p.label) for p in nli]))
    rows = np.where(np.isin(every.source, list(sources)))[0]
    return every.subset(rows), rows


def load_pairs(root: Path, say: Progress, sources: Sequence[str] = SOURCES,
               max_pairs: int = MAX_PAIRS_PER_SOURCE, reviewed: Path | None = None) -> Pairs:
    """The pairs of ``sources`` as texts, in load_corpus's order (the cross-encoder trains on these)."""
    return _kept(*_read(root, say, sources, max_pairs, reviewed), sources)[0]


def load_corpus(root: Path, say: Progress, sources: Sequence[str] = SOURCES,
                max_pairs: int = MAX_PAIRS_PER_SOURCE, reviewed: Path | None = None) -> Corpus:
    """The pairs of ``sources`` with their features (the NLI texts are embedded only when an NLI source is asked for).

    With ``reviewed`` (a review export), the stance pairs analysts labelled join the Climate-FEVER pairs:
    like them, they check a news-style claim against a reference passage, and they share its weight.
    """
    cf, every_nli, keep = _read(root, say, sources, max_pairs, reviewed)
    # Embedded as two text sets, each cached in chunks: see data.embed_with_states_cached.
    u, v, cs, es = _embedded([(p.claim, p.evidence) for p in cf], "stance-cf")
    if every_nli:
        nli_arrays = (a[keep] for a in _embedded([(p.claim, p.evidence) for p in every_nli], "stance-nli"))
        u, v, cs, es = (np.vstack([a, b]) for a, b in zip((u, v, cs, es), nli_arrays))
    say("texts embedded")
    pairs, rows = _kept(cf, every_nli, keep, sources)
    # Fitted on all texts without labels, so the folds share it; it learns nothing about stance.
    standardiser = state_standardiser(np.vstack([cs[rows], es[rows]]))
    cues = np.array([pair_cues(c, e) for c, e in pairs.pairs], dtype=np.float32)
    dense = dense_features(u[rows], v[rows], cs[rows], es[rows], cues, standardiser)
    return Corpus(pairs.source, pairs.group, pairs.claims, pairs.evidence, pairs.y, dense, standardiser)


def _embedded(pairs: Sequence[tuple[str, str]], name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Claim embeddings, evidence embeddings, claim states and evidence states of the pairs."""
    n = len(pairs)
    vectors, states = embed_with_states_cached([c for c, _ in pairs] + [e for _, e in pairs], name)
    return vectors[:n], vectors[n:], states[:n], states[n:]


def group_folds(groups: Sequence[str], seed: int) -> np.ndarray:
    """Fold of each pair; all pairs of a group share a fold, so no group is scored by a model trained on it."""
    names = sorted(set(groups))
    rng = np.random.default_rng(seed)
    fold_of = dict(zip(names, rng.permutation(len(names)) % FOLDS))
    return np.array([fold_of[g] for g in groups])
