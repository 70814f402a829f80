"""From evidence to a verdict an analyst can audit: explicit rules, documented in docs/evidence.md.

1. Evidence from the article's own outlet (same outlet name or same domain)
   is never counted: it is not independent of the claim.
2. Evidence counts as support or refutation only when it is *decisive*
   (``Evidence.decisive``, set by the engine's decisive rule: for the local
   engine, a calibrated stance probability above a threshold chosen from data
   for a stated precision, and for support the evidence must mention the
   claim's numbers and names); other stances are shown but not counted.
3. Independent sources are distinct outlets: an outlet name, else the domain
   (``www.`` dropped); every Wikipedia page counts as the one source Wikipedia.
   Each source speaks once, with its most confident decisive stance.
4. With S the supporting and R the refuting sources, weights the sums of their
   confidences:
   no S, no R -> unverified; S only -> corroborated when |S| >= 2, else
   single_source; R only -> contradicted; both -> contradicted when
   w(R) >= OUTWEIGH * w(S), else disputed.
5. Confidence: noisy-OR of the deciding sources' confidences (1 - prod(1 - c)),
   scaled for contradicted-with-support by w(R) / (w(R) + w(S)); disputed uses
   the weaker side's noisy-OR. Unverified has no confidence (None): nothing
   decided it; its rationale says what was searched and what was found.
6. The rationale quotes what each deciding source says and names it, as a
   fact-checker's explanation does; each passage has one reason in it (one
   quoted for a point it confirms is not also listed as not counted). An
   unverified claim's rationale says which of its figures independent sources
   confirmed, by whom, and which none states; that never decides it.
"""
from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from . import ratings
from .facts import stated_figures
from .identity import article_key, domain, independence_key, is_own_outlet
from .origins import OriginGroups, SourceArticle, group_origins
from .policy import FACT_AGREEMENT_PRECISION, OUTWEIGH
from .records import Article, Assessment, Evidence, FactPoint, SourceType, Stance, Verdict
from .text import count_noun

# How much of a deciding passage the rationale quotes.
QUOTE_CHARS = 220
# The reason shown for a side-taking passage stored before each passage kept its reason (issue 26):
# its stance fell short of the engine's decisive rule, and the document does not say on what.
NOT_COUNTED = "not counted: short of the decisive rule"
OWN_OUTLET = "not counted: the article's own outlet"
COPY_OF_ARTICLE = "not counted: a copy of the article checked"


def counts(evidence: Evidence, article: Article | None) -> bool:
    """Whether a piece of evidence counts toward the verdict: decisive, taking a side, and independent."""
    return evidence.decisive and evidence.stance != Stance.NEUTRAL and _independent(evidence, article)


def _independent(evidence: Evidence, article: Article | None) -> bool:
    return not is_own_outlet(evidence, article) and not copies_article(evidence, article)


def copies_article(evidence: Evidence, article: Article | None) -> bool:
    """Whether the passage comes from a copy of the article checked (its source found them one origin)."""
    return article is not None and evidence.origin is not None and evidence.origin == article_key(article)


def not_counted_reason(evidence: Evidence, article: Article | None) -> str | None:
    """Why a passage that takes a side does not count toward the verdict (None when it counts or takes no side).

    Independence is the verdict's own rule; any other reason is the one stored with the passage
    where its stance was judged (``Evidence.reason``), never worked out again here.
    """
    if evidence.stance == Stance.NEUTRAL:
        return None
    if is_own_outlet(evidence, article):
        return OWN_OUTLET
    if copies_article(evidence, article):
        return f"{COPY_OF_ARTICLE} ({evidence.origin_note})" if evidence.origin_note else COPY_OF_ARTICLE
    if evidence.decisive:
        return None
    return evidence.reason or NOT_COUNTED


COUNTED = "counted toward the verdict"


def counting_note(evidence: Evidence, article: Article | None) -> str:
    """How a passage weighs in the verdict, for display: counted, not counted and why, or "" when it takes no side."""
    if evidence.stance == Stance.NEUTRAL:
        return ""
    return not_counted_reason(evidence, article) or COUNTED


def counting_notes(evidence: Sequence[Evidence], article: Article | None) -> list[str]:
    """Each passage's :func:`counting_note`, in the order given, from the claim's whole evidence: a passage the verdict
    weighed on a point it confirms (:func:`confirming_passages`) says so, not a bare "not counted" that would read as
    contradicting the rationale quoting it: "counted on start date only (March 2027): does not mention 9.4-kilometre
    line, three years later". Nothing stored changes; the verdict's own rule is worked out again from the evidence.
    """
    group = voices(evidence, article)
    confirming = _for_contradicted_points(evidence, article, group)
    contradicted = {p.claim_value for v in group if v.stance == Stance.REFUTES for p in v.points if not p.agrees}
    return [_weighed_on(item, contradicted) if any(item is c for c in confirming) else counting_note(item, article)
            for item in evidence]


def _weighed_on(item: Evidence, contradicted: set[str]) -> str:
    points = [p for p in item.points if p.agrees and p.claim_value in contradicted]
    names = _and(list(dict.fromkeys(p.point for p in points if p.point)))
    values = "; ".join(dict.fromkeys(p.passage_value for p in points))
    rest = (item.reason or "").removeprefix("not counted: ")
    return (f"counted on {names} only ({values})" if names else f"counted on {values} only") + (f": {rest}" if rest else "")


@dataclass(frozen=True)
class SourceVoice:
    """One independent source's say on a claim: its most confident decisive stance."""

    key: str
    name: str  # how the rationale names it
    stance: Stance
    confidence: float
    snippet: str
    facts: str | None = None  # what its figures say of the claim's (Evidence.facts)
    outlet: str = ""  # the outlet as the source spells it, for naming a merged copy ("" when it gives none)
    points: tuple[FactPoint, ...] = ()  # the claim's figures it restates or contradicts (Evidence.points)
    origin: str = ""  # its article's origin where its source compared whole articles (Evidence.origin)
    origin_note: str = ""

    @property
    def plain_name(self) -> str:
        """The outlet as spelled, for a figure's side-by-side line ("€385m (Metro Post)")."""
        return self.outlet or self.name


def _voice(key: str, item: Evidence, confidence: float | None = None) -> SourceVoice:
    return SourceVoice(key, _display(item), item.stance, item.stance_confidence if confidence is None else confidence,
                       item.snippet, item.facts, (item.outlet or "").strip(), item.points, item.origin or "",
                       item.origin_note or "")


def voices(evidence: Sequence[Evidence], article: Article | None = None) -> list[SourceVoice]:
    best: dict[str, Evidence] = {}
    for item in evidence:
        if not counts(item, article):
            continue
        key = independence_key(item)
        if key not in best or item.stance_confidence > best[key].stance_confidence:
            best[key] = item
    return [_voice(key, item) for key, item in sorted(best.items(), key=lambda kv: -kv[1].stance_confidence)]


def confirming_passages(evidence: Sequence[Evidence], article: Article | None,
                        against: Sequence[SourceVoice]) -> list[Evidence]:
    """The independent passages that restate, with the claim's value, a point the refuting sources contradict."""
    contradicted = {p.claim_value for v in against for p in v.points if not p.agrees}
    refuting = {v.key for v in against}
    copied = {v.origin for v in against if v.origin}
    return [item for item in evidence
            if item.stance == Stance.SUPPORTS and independence_key(item) not in refuting
            and not (item.origin and item.origin in copied) and _independent(item, article)
            and any(p.agrees and p.claim_value in contradicted for p in item.points)]


def _for_contradicted_points(evidence: Sequence[Evidence], article: Article | None,
                             group: Sequence[SourceVoice]) -> list[Evidence]:
    """The passages that speak for a contradicted point (:func:`confirming_passages`), which they do only where a
    source refutes the claim and none supports it whole: the verdict's rule, which the counting notes retell."""
    against = [v for v in group if v.stance == Stance.REFUTES]
    if not against or any(v.stance == Stance.SUPPORTS for v in group):
        return []
    return confirming_passages(evidence, article, against)


def point_confirmations(confirming: Sequence[Evidence]) -> list[SourceVoice]:
    """The sources of the passages confirming a contradicted point (:func:`confirming_passages`), each speaking once.

    A passage restating part of a claim does not count toward corroborating it (it leans supports); but on the
    point it restates, it is one source's word against another's: the claim is disputed there, not contradicted.
    Each such source speaks with the confidence of the facts rule's agreements (FACT_AGREEMENT_PRECISION).
    """
    best: dict[str, Evidence] = {}
    for item in confirming:
        best.setdefault(independence_key(item), item)
    return [_voice(key, item, FACT_AGREEMENT_PRECISION) for key, item in best.items()]


def disagreement(for_it: Sequence[SourceVoice], against: Sequence[SourceVoice]) -> str:
    """Each contradicted point with both sides' figures and who gives them, as Compare writes it:
    "cost: €412 million (Arlenburg Courier), 412 million euros (Westmark Ledger) vs €385m (Metro Post)"."""
    lines = []
    # One line a figure of the claim, named as its first contradicting passage names it: a council's "31-14" is the
    # "vote" beside "27 votes to 18" and would be a "score" beside a bare "27-18" (core.facts.quantities.point_name).
    contradicted: dict[str, str] = {}
    for p in (p for v in against for p in v.points if not p.agrees):
        contradicted.setdefault(p.claim_value, p.point)
    for value, point in contradicted.items():
        agreeing = [f"{p.passage_value} ({v.plain_name})" for v in for_it for p in v.points if p.agrees and p.claim_value == value]
        other = [f"{p.passage_value} ({v.plain_name})" for v in against for p in v.points
                 if not p.agrees and p.claim_value == value]
        if agreeing and other:
            lines.append((f"{point}: " if point else "") + f"{', '.join(dict.fromkeys(agreeing))} vs {', '.join(dict.fromkeys(other))}")
    return "; ".join(lines)


@dataclass(frozen=True)
class Side:
    """The sources on one side of a claim, grouped into independent origins (syndicated copies count once)."""

    voices: tuple[SourceVoice, ...]
    origins: OriginGroups

    @property
    def deciding(self) -> list[SourceVoice]:
        """Each origin's most confident voice: a copy adds no weight to its original."""
        by_key = {v.key: v for v in self.voices}
        return [max((by_key[k] for k in origin.keys), key=lambda v: v.confidence) for origin in self.origins.origins]

    @property
    def weight(self) -> float:
        return sum(v.confidence for v in self.deciding)

    def merged(self) -> str:
        """Which copies were merged and why, for the rationale ("" when every source is its own origin)."""
        notes = [f"{m.key_name} {m.reason}" for m in self._merges()]
        return f" ({self.origins.summary}: {'; '.join(notes)})" if notes else ""

    def _merges(self) -> list[_Merge]:
        names = {v.key: v.name for v in self.voices}
        return [_Merge(names.get(m.key, m.key), m.description) for o in self.origins.origins for m in o.merges]


@dataclass(frozen=True)
class _Merge:
    key_name: str
    reason: str


def side(group: Sequence[SourceVoice]) -> Side:
    """The voices of one side with their origins: passages that copy each other's text, or outlets crediting one wire."""
    # The outlet as spelled names the copy in the rationale ("same text as Eastside Weekly"), not its lower-case key.
    # An origin's first article leads it, whatever order confidence put the voices in: a copy names its original.
    group = sorted(group, key=lambda v: bool(v.origin_note))
    articles = [SourceArticle(key=v.key, outlet=v.outlet or v.key, text=v.snippet, origin=v.origin,
                              origin_note=v.origin_note) for v in group]
    return Side(tuple(group), group_origins(articles, passages={v.key: v.snippet for v in group}))


def _display(item: Evidence) -> str:
    if item.source_type == SourceType.WIKIPEDIA:
        return f"Wikipedia ({item.title})" if item.title else "Wikipedia"
    name = item.outlet or domain(item.url) or item.title
    return f"{name} ({item.source_type.value}" + (f", rated “{item.rating}”)" if item.rating else ")")


def noisy_or(confidences: Sequence[float]) -> float:
    return 1.0 - math.prod(1.0 - c for c in confidences)


def quote(snippet: str, limit: int = QUOTE_CHARS) -> str:
    """A passage as the rationale quotes it: whitespace collapsed, cut at a word within ``limit``."""
    text = " ".join(snippet.split())
    if len(text) > limit:
        cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:")
        text = cut + " …"
    return f"“{text}”"


def _says(group: Sequence[SourceVoice]) -> str:
    return " ".join(f"{v.name} says: {quote(v.snippet)}" + (f" ({v.facts})." if v.facts else ".") for v in group)


def _names(group: Sequence[SourceVoice]) -> str:
    return ", ".join(v.name for v in group)


def assess(
    evidence: Sequence[Evidence],
    *,
    claim: str = "",
    article: Article | None = None,
    consulted: Sequence[str] = (),
    failed: Sequence[str] = (),
) -> Assessment:
    """The verdict on one claim from its evidence.

    ``claim`` (its text), ``consulted`` (the sources asked about it) and
    ``failed`` (those of them that did not answer) only shape the rationale,
    never turn evidence into a verdict: the claim's text names the figures no
    source confirmed where others were ("eleven stops ... stated by no other source").
    """
    group = voices(evidence, article)
    for_it = side([v for v in group if v.stance == Stance.SUPPORTS])
    against = side([v for v in group if v.stance == Stance.REFUTES])
    support, refute = for_it.deciding, against.deciding
    # Without a source for the whole claim, one that restates a contradicted point speaks for that point.
    partial = bool(refute and not support)
    confirming = _for_contradicted_points(evidence, article, group)
    if partial:
        for_it = side(point_confirmations(confirming))
        support = for_it.deciding
    w_support, w_refute = for_it.weight, against.weight
    # A passage that speaks for a point has that one role in the rationale: it is not also listed as not counted.
    suffix = _notes([e for e in evidence if not any(e is c for c in confirming)], article, failed)

    if support and refute:
        on = disagreement(for_it.voices, against.voices)
        backing = "confirmation of the contradicted point" if partial else "support"
        if w_refute >= OUTWEIGH * w_support:
            confidence = noisy_or([v.confidence for v in refute]) * w_refute / (w_refute + w_support)
            return Assessment(
                Verdict.CONTRADICTED, round(confidence, 3),
                f"Contradicted by {_names(refute)}{against.merged()}{f' ({on})' if on else ''}. {_says(against.voices)} "
                f"It outweighs the {backing} of {_names(support)}{for_it.merged()}: {_says(for_it.voices)}{suffix}",
            )
        confidence = min(noisy_or([v.confidence for v in support]), noisy_or([v.confidence for v in refute]))
        whose = (" (only on this point: no independent source states the whole claim)" if partial else "")
        return Assessment(
            Verdict.DISPUTED, round(confidence, 3),
            f"Sources disagree{f' on {on}' if on else ''}. For the claim{whose}{for_it.merged()}: {_says(for_it.voices)} "
            f"Against it{against.merged()}: {_says(against.voices)}{suffix}",
        )
    if refute:
        return Assessment(Verdict.CONTRADICTED, round(noisy_or([v.confidence for v in refute]), 3),
                          f"Contradicted by {_names(refute)}{against.merged()}. {_says(against.voices)} "
                          f"No independent source supports it.{suffix}")
    if len(support) >= 2:
        return Assessment(Verdict.CORROBORATED, round(noisy_or([v.confidence for v in support]), 3),
                          f"Corroborated by {len(support)} independent sources{for_it.merged()}. {_says(for_it.voices)} "
                          f"None refutes it.{suffix}")
    if support:
        return Assessment(Verdict.SINGLE_SOURCE, round(support[0].confidence, 3),
                          f"Supported by one independent source only{for_it.merged()}. {_says(for_it.voices)} "
                          f"No second independent source confirms it.{suffix}")
    return Assessment(Verdict.UNVERIFIED, None, _unverified(evidence, article, consulted, failed, claim))


def _notes(evidence: Sequence[Evidence], article: Article | None, failed: Sequence[str]) -> str:
    """What else the analyst should know: passages not counted, sources that failed."""
    reasons = Counter(r for e in evidence if (r := not_counted_reason(e, article)) is not None)
    notes = [f"{count_noun(n, 'passage')} {reason}" for reason, n in sorted(reasons.items())]
    if failed:
        notes.append(f"incomplete: {', '.join(failed)} failed")
    notes.extend(ratings.uncounted(evidence))
    return f" ({'; '.join(notes)}.)" if notes else ""


def _unverified(evidence: Sequence[Evidence], article: Article | None, consulted: Sequence[str],
                failed: Sequence[str], claim: str) -> str:
    answered = [s for s in consulted if s not in failed]
    if consulted and not answered:
        return f"No source could be consulted: {', '.join(failed)} failed."
    searched = f"Searched {_and(answered) or 'the consulted sources'}"
    if failed:
        searched += f" ({_and(failed)} failed)"
    if not evidence:
        return f"{searched}: no relevant passage found."
    by_source = Counter(e.source_type.value for e in evidence)
    found = ", ".join(f"{n} from {name}" for name, n in by_source.items())
    reasons = Counter(r for e in evidence if (r := not_counted_reason(e, article)) is not None)
    neutral = sum(1 for e in evidence if e.stance == Stance.NEUTRAL)
    parts = [f"{count_noun(n, 'passage')} took a side but {'was' if n == 1 else 'were'} {reason}"
             for reason, n in sorted(reasons.items())]
    if neutral:
        parts.append(f"{count_noun(neutral, 'passage')} took no side on the claim")
    parts.extend(ratings.uncounted(evidence))
    return (f"{searched}: {count_noun(len(evidence), 'relevant passage')} found ({found}); " + "; ".join(parts) + ". "
            + _partly_confirmed(evidence, article, claim) + _closest(evidence, article))


def _partly_confirmed(evidence: Sequence[Evidence], article: Article | None, claim: str) -> str:
    """Which of the claim's figures independent sources restate, and who, and which none states ("" if none restates one).

    "Partial confirmation: 9.4 km confirmed by Westmark Ledger and Metro Post; eleven stops and about 28,000
    passengers stated by no other source." It says why the claim stays unverified; it never decides it.
    """
    sources: dict[str, dict[str, str]] = {}  # the claim's figure (as the points key it) -> independent sources naming it
    for item in evidence:
        if item.stance == Stance.SUPPORTS and _independent(item, article):
            for point in item.points:
                if point.agrees:
                    sources.setdefault(point.claim_value, {}).setdefault(independence_key(item), _plain_name(item))
    if not sources:
        return ""
    figures = dict(stated_figures(claim)) if claim else {}
    in_order = sorted(sources, key=lambda value: (claim.find(value) % (len(claim) + 1)))  # as the claim states them
    confirmed = "; ".join(f"{figures.get(value, value)} confirmed by {_and(list(sources[value].values()))}"
                          for value in in_order)
    unstated = [named for value, named in figures.items() if value not in sources]
    return (f"Partial confirmation: {confirmed}"
            + (f"; {_and(unstated)} stated by no other source" if unstated else "") + ". ")


def _plain_name(item: Evidence) -> str:
    """A source as a sentence names it: its outlet, else the rationale's name without its kind."""
    return (item.outlet or "").strip() or ("Wikipedia" if item.source_type == SourceType.WIKIPEDIA
                                           else domain(item.url) or item.title)


def _closest(evidence: Sequence[Evidence], article: Article | None) -> str:
    """The passage that came nearest to deciding, quoted with how it leans and why it did not count."""
    leaning = [e for e in evidence if e.stance != Stance.NEUTRAL]
    if leaning:
        item = max(leaning, key=lambda e: e.stance_confidence)
        why = not_counted_reason(item, article) or COUNTED
        # A lean the figures give has no model probability worth quoting: what the figures say is the reason.
        lean = (f"leans {item.stance.value}, {item.facts}" if item.facts
                else f"leans {item.stance.value} {item.stance_confidence:.0%}".replace("%", " %"))
        return f"Closest: {_display(item)} says {quote(item.snippet)} ({lean}; {why})."
    item = max(evidence, key=lambda e: e.relevance or 0.0)
    return f"Closest: {_display(item)} says {quote(item.snippet)} (takes no side)."


def _and(names: Sequence[str]) -> str:
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1] if names else ""
