"""From evidence to a verdict an analyst can audit: explicit rules, documented in docs/evidence.md.

1. Evidence from the article's own outlet (same outlet name or same domain)
   is never counted: it is not independent of the claim.
2. Evidence counts as support or refutation only when its stance confidence
   reaches :data:`CREDIBLE` ("credibly supports/refutes"); weaker stances and
   neutral passages are shown but do not decide.
3. Independent sources are distinct outlets: an outlet name, else the domain
   (``www.`` dropped); every Wikipedia page counts as the one source Wikipedia.
   Each source speaks once, with its most confident credible stance.
4. With S the supporting and R the refuting sources, weights the sums of their
   confidences:
   no S, no R -> unverified; S only -> corroborated when |S| >= 2, else
   single_source; R only -> contradicted; both -> contradicted when
   w(R) >= OUTWEIGH * w(S), else disputed.
5. Confidence: noisy-OR of the deciding sources' confidences (1 - prod(1 - c)),
   scaled for contradicted-with-support by w(R) / (w(R) + w(S)); disputed uses
   the weaker side's noisy-OR. Unverified: the share of consulted sources that
   answered, times 1 - the strongest sub-threshold non-neutral stance.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from . import ratings
from .models import Article, Assessment, Evidence, SourceType, Stance, Verdict

# Stance confidence from which a passage credibly supports or refutes a claim.
CREDIBLE = 0.6
# Refutation must weigh this many times the support to overrule it (else: disputed).
OUTWEIGH = 1.5
WIKIPEDIA = "wikipedia"


def _normalise(name: str) -> str:
    name = " ".join(name.lower().split())
    for prefix in ("www.", "m.", "the "):
        name = name.removeprefix(prefix)
    return name


def domain(url: str | None) -> str:
    if not url:
        return ""
    return _normalise(urlsplit(url).hostname or "")


def independence_key(evidence: Evidence) -> str:
    """Which independent source a piece of evidence belongs to."""
    if evidence.source_type == SourceType.WIKIPEDIA:
        return WIKIPEDIA
    if evidence.outlet and evidence.outlet.strip():
        return _normalise(evidence.outlet)
    return domain(evidence.url) or _normalise(evidence.title)


def is_own_outlet(evidence: Evidence, article: Article | None) -> bool:
    if article is None:
        return False
    own = {k for k in (_normalise(article.outlet or ""), domain(article.url)) if k}
    return bool(own) and (independence_key(evidence) in own or domain(evidence.url) in own)


@dataclass(frozen=True)
class SourceVoice:
    """One independent source's say on a claim: its most confident credible stance."""

    key: str
    name: str  # how the rationale names it
    stance: Stance
    confidence: float


def voices(evidence: Sequence[Evidence], article: Article | None = None) -> list[SourceVoice]:
    best: dict[str, Evidence] = {}
    for item in evidence:
        if item.stance == Stance.NEUTRAL or item.stance_confidence < CREDIBLE or is_own_outlet(item, article):
            continue
        key = independence_key(item)
        if key not in best or item.stance_confidence > best[key].stance_confidence:
            best[key] = item
    return [
        SourceVoice(key, _display(item), item.stance, item.stance_confidence)
        for key, item in sorted(best.items(), key=lambda kv: -kv[1].stance_confidence)
    ]


def _display(item: Evidence) -> str:
    if item.source_type == SourceType.WIKIPEDIA:
        return f"Wikipedia ({item.title})" if item.title else "Wikipedia"
    name = item.outlet or domain(item.url) or item.title
    return f"{name} ({item.source_type.value}" + (f", rated “{item.rating}”)" if item.rating else ")")


def noisy_or(confidences: Sequence[float]) -> float:
    return 1.0 - math.prod(1.0 - c for c in confidences)


def _names(group: Sequence[SourceVoice]) -> str:
    return ", ".join(f"{v.name} {v.confidence:.0%}" for v in group)


def assess(
    evidence: Sequence[Evidence],
    *,
    article: Article | None = None,
    consulted: Sequence[str] = (),
    failed: Sequence[str] = (),
) -> Assessment:
    """The verdict on one claim from its evidence.

    ``consulted`` names the sources asked about this claim and ``failed`` those
    of them that did not answer; both only shape the unverified case and the
    rationale, never turn evidence into a verdict.
    """
    group = voices(evidence, article)
    support = [v for v in group if v.stance == Stance.SUPPORTS]
    refute = [v for v in group if v.stance == Stance.REFUTES]
    w_support = sum(v.confidence for v in support)
    w_refute = sum(v.confidence for v in refute)
    own = sum(1 for e in evidence if is_own_outlet(e, article))
    notes = []
    if own:
        notes.append(f"{own} passage(s) from the article's own outlet not counted")
    if failed:
        notes.append(f"incomplete: {', '.join(failed)} failed")
    notes.extend(ratings.uncounted(evidence))
    suffix = f" ({'; '.join(notes)})" if notes else ""

    if support and refute:
        if w_refute >= OUTWEIGH * w_support:
            confidence = noisy_or([v.confidence for v in refute]) * w_refute / (w_refute + w_support)
            return Assessment(
                Verdict.CONTRADICTED, round(confidence, 3),
                f"Refuted by {_names(refute)}, outweighing support from {_names(support)}.{suffix}",
            )
        confidence = min(noisy_or([v.confidence for v in support]), noisy_or([v.confidence for v in refute]))
        return Assessment(
            Verdict.DISPUTED, round(confidence, 3),
            f"Supported by {_names(support)} but refuted by {_names(refute)}.{suffix}",
        )
    if refute:
        return Assessment(Verdict.CONTRADICTED, round(noisy_or([v.confidence for v in refute]), 3),
                          f"Refuted by {_names(refute)}; no credible support.{suffix}")
    if len(support) >= 2:
        return Assessment(Verdict.CORROBORATED, round(noisy_or([v.confidence for v in support]), 3),
                          f"Supported by {len(support)} independent sources: {_names(support)}; none credibly refutes it.{suffix}")
    if support:
        return Assessment(Verdict.SINGLE_SOURCE, round(support[0].confidence, 3),
                          f"Supported by one independent source only: {_names(support)}.{suffix}")
    return _unverified(evidence, article, consulted, failed, suffix)


def _unverified(evidence: Sequence[Evidence], article: Article | None, consulted: Sequence[str],
                failed: Sequence[str], suffix: str) -> Assessment:
    answered = [s for s in consulted if s not in failed]
    share = len(answered) / len(consulted) if consulted else 1.0
    weak = [e.stance_confidence for e in evidence if e.stance != Stance.NEUTRAL and not is_own_outlet(e, article)]
    confidence = share * (1.0 - max(weak, default=0.0))
    if consulted and not answered:
        reason = f"No source could be consulted ({', '.join(failed)} failed)."
        return Assessment(Verdict.UNVERIFIED, round(confidence, 3), reason)
    if not evidence:
        reason = f"No relevant evidence found in {', '.join(answered) or 'the consulted sources'}."
    elif weak:
        reason = f"{len(evidence)} relevant passage(s); no independent source takes a side with at least {CREDIBLE:.0%} confidence."
    elif any(e.stance != Stance.NEUTRAL for e in evidence):
        reason = f"{len(evidence)} relevant passage(s); only the article's own outlet takes a side."
    else:
        reason = f"{len(evidence)} relevant passage(s), none taking a side on the claim."
    return Assessment(Verdict.UNVERIFIED, round(confidence, 3), reason + suffix)
