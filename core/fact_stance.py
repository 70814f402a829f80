"""What a passage's figures, dates, names and quotations say about a claim, over any engine's stance.

The engines read a passage as a whole; on news they leave most restatements
short of the decisive rule and read a shared quotation as refuting (issue 27).
A fact-checker reads the specifics instead, and so does this step, for every
engine (core/facts compares them):

1. **Other values for the same point** (the same measure, date or age in
   sentences about the same thing: "more than 50 million" against "an
   estimated 25 million" deaths) refute the claim as stated: the passage counts
   as refuting, and the evidence carries both figures for the rationale and the
   cards.
2. **The same values for every figure and date of the claim** (a bare number
   the reader attaches to nothing, "three" of "a three-hour debate", aside), with every
   quotation and more of the claim's names than the passage leaves out (all of
   them when it names none) and no negation on one side only,
   support it: the passage counts as supporting, whatever the engine's
   probability, because the engines' "supports" measures how strongly a passage
   addresses a claim, not whether its figures match.
   A denial counts where it bears on the restated facts (:func:`denies`); figures that only the claim's
   relative clauses state, or a bare year without the claim's names, confirm its background, not its
   statement (:func:`_background_only`).
   A claim without figures restated in nearly its words with every name supports it when the engine reads
   the passage as supporting (:func:`_reworded`).
3. **Some of the claim's figures restated, none contradicted**, and the engine's
   own rule did not decide: the passage leans supports and does not count; its
   reason names what it leaves out, each figure with its noun ("does not mention
   eleven stops, about 28,000 passengers"), and its facts what it restates
   ("agrees: 9.4 km; not stated: eleven, about 28,000").
4. **A quotation of the claim printed by the passage** never counts as refuting.
5. Otherwise the engine's judgement stands (its own decisive rule and reason).

The confidences these rules give are their measured precisions on held-out
pairs (core/policy.py), so a verdict's noisy-OR reads as it does for the
engines' calibrated probabilities.

Several passages of one source article can together restate a claim (one gives
the deaths, the next the cases): :func:`combine_article_passages` lets their
agreements add up, as long as none of them conflicts.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from .engines.base import StanceJudgement
from .facts import FactComparison, compare_facts, read_facts, stated_figures
from .policy import FACT_AGREEMENT_PRECISION, FACT_CONFLICT_PRECISION
from .records import Evidence, FactPoint, Stance

# Words that turn a statement into its denial; a figure stated under a denial on one side only
# is not the same statement ("did not exceed 50" against "exceeded 50").
_NEGATIONS = frozenset({"not", "no", "never", "none", "nobody", "nothing", "neither", "nor", "cannot", "without",
                        "deny", "denies", "denied", "false", "untrue"})
_WORDS = re.compile(r"[a-z]+(?:n't)?")

QUOTES_ONLY = "not counted: prints the same quotation, but confirms nothing else of the claim"


@dataclass(frozen=True)
class FactReading:
    """A judged pair after the facts rule: the stance that counts, and what the figures say, for display."""

    judgement: StanceJudgement
    # "agrees: 3,248 cases; 584 deaths" / "differs on deaths: more than 50 million (Sun) vs 25 million (Express)"
    facts: str | None
    comparison: FactComparison
    points: tuple[FactPoint, ...] = ()  # the claim's figures the passage restates or contradicts, for the verdict


# Bounds and emphasis written with "no"/"not" deny nothing: "due no later than 5 p.m. on Nov. 5" is "due by 5 p.m. on
# Nov. 5 at the latest"; "no more than one week" is a figure's qualifier (core/facts/quantities.py reads it so).
_NOT_DENIALS = re.compile(r"\b(?:no|not)\s+(?:later|earlier|sooner|more|less|fewer|longer|shorter|greater|higher|lower|"
                          r"bigger|smaller)\s+than\b|\bnot\s+(?:only|quite)\b|\bno\s+doubt\b")


def negated(text: str) -> bool:
    text = _NOT_DENIALS.sub(" ", text.lower())
    return any(w in _NEGATIONS or w.endswith("n't") for w in _WORDS.findall(text))


def denies(text: str, anchors: Sequence[str]) -> bool:
    """Whether ``text`` denies what it states of the compared facts (``anchors``: those facts as ``text`` writes them).

    A denial counts in a clause holding one of the facts, and in the clauses opening and closing a sentence
    (they carry its statement, or a comment on all of it: "..., which is not accurate"); a clause in the middle
    that holds none of them describes something else ("The Guardian, which did not identify its sources, said
    that Manafort met Assange around March 2016").
    """
    clauses = read_facts(text).clauses
    lowered = text.lower()
    spans = [m.start() for anchor in anchors if anchor for m in re.finditer(re.escape(anchor.lower()), lowered)]
    if not clauses or not spans:
        return negated(text)
    last = len(clauses) - 1
    kept = [c for k, c in enumerate(clauses)
            if any(c.start <= at < c.end for at in spans)
            or k in (0, last) or clauses[k - 1].sentence != c.sentence or clauses[k + 1].sentence != c.sentence]
    return any(negated(text[c.start:c.end]) for c in kept)


def _same_polarity(claim: str, passage: str, comparison: FactComparison) -> bool:
    """Whether the claim and the passage both state or both deny the facts they share (see :func:`denies`)."""
    return (denies(claim, [m.claim_text for m in comparison.agreements])
            == denies(passage, [m.passage_text for m in comparison.agreements]))


def agreement_text(comparison: FactComparison) -> str:
    figures = [m.passage_text for m in comparison.agreements if m.kind in ("quantity", "date")]
    return "agrees: " + "; ".join(figures)


def conflict_text(comparison: FactComparison, claim_outlet: str = "", passage_outlet: str = "") -> str:
    """Both figures of each conflict with the outlet giving each, the claim's first, as Compare writes them:
    "differs on deaths: 50 million (Express) vs 25 million (Sun)" ("the claim", "this passage" where an outlet is unknown)."""
    mine, theirs = claim_outlet.strip() or "the claim", passage_outlet.strip() or "this passage"
    return "differs " + "; ".join((f"on {m.about}: " if m.about else "") + f"{m.claim_text} ({mine}) vs {m.passage_text} ({theirs})"
                                  for m in comparison.conflicts)


def fact_points(comparison: FactComparison, *, conflicts: bool = True) -> tuple[FactPoint, ...]:
    """The claim's figures and dates the passage restates (same value) and, with ``conflicts``, contradicts."""
    matches = [*comparison.agreements, *(comparison.conflicts if conflicts else ())]
    return tuple(FactPoint(m.about, m.claim_text, m.passage_text, m in comparison.agreements)
                 for m in matches if m.kind in ("quantity", "date"))


def _words(text: str) -> set[str]:
    return {w.removesuffix("'s").removesuffix("’s") for w in re.findall(r"[\w'’]+", text.lower())}


def _beyond_title(comparison: FactComparison, title: str) -> FactComparison:
    """The comparison with the claim's names that the source article's title gives counted as given.

    A passage need not repeat the story's setting that its own article's headline states
    ("Arlenburg's tram heads east ...": "the council backed the extension" is Arlenburg's council).
    """
    named = _words(title)
    if not named:
        return comparison
    kept = tuple(m for m in comparison.missing if not (_words(m) and _words(m) <= named))
    return replace(comparison, missing=kept)


def _another_time(comparison: FactComparison) -> bool:
    """Whether the passage states the same kind of figure for another date: another point, not a conflict.

    "spent 3 million dollars in 2001" and "spent 6 million dollars in 2002" differ on both the amount and
    the year, and agree on no figure: two years' spending, not two accounts of one.
    """
    kinds = {m.kind for m in comparison.conflicts}
    figures_agreeing = any(m.kind in ("quantity", "date") for m in comparison.agreements)
    return "date" in kinds and "quantity" in kinds and not figures_agreeing


def _without_bare_numbers(claim: str, comparison: FactComparison) -> FactComparison:
    """The comparison without the claim's bare numbers the passage leaves out, once a measured figure agrees.

    A number the reader could attach to nothing ("three" of "after a three-hour debate", "4" of "line 4")
    is not the claim's point; it must not keep "31 votes to 14" restated as "31-14" from supporting it.
    """
    measured = any(m.kind == "date" or (m.kind == "quantity" and m.about) for m in comparison.agreements)
    if not measured:
        return comparison
    bare = {q.text for q in read_facts(claim).quantities if not q.unit and not q.measure}
    left_out = [m for m in comparison.missing if m in bare]
    if not left_out:
        return comparison
    return replace(comparison, missing=tuple(m for m in comparison.missing if m not in bare),
                   checkable=comparison.checkable - len(left_out))


def _names_enough(comparison: FactComparison) -> bool:
    """Whether the passage names enough of the claim's actors: all, or, once every figure agrees, more than it leaves out.

    A restated figure with most of the claim's names is the same point ("released images captured at
    3.79 billion miles from Earth", NASA and Earth named, not New Horizons); every quotation and figure
    must still be there (``missing`` holds no figure when the figures agree).
    """
    if not comparison.missing:
        return True
    named = sum(1 for m in comparison.agreements if m.kind == "actor")
    quoted = {m.claim_text for m in comparison.agreements if m.kind == "quote"}
    missing_quotes = any(len(m.split()) > 3 and m not in quoted for m in comparison.missing)
    return not missing_quotes and named > len(comparison.missing)


# Words opening a relative clause: what it states describes a noun of the sentence, not what the sentence reports.
_RELATIVE = frozenset({"who", "whom", "whose", "which", "where"})


def _background_only(claim: str, comparison: FactComparison) -> bool:
    """Whether the restated figures confirm only the claim's background, not what it reports.

    Figures that all stand in relative clauses ("Bishop Barros, who was made a bishop in 2015") describe a name
    of the claim; a passage giving them says nothing of the claim's own statement ("the Pope caused outrage by
    defending Bishop Barros"). A bare year is shared by most sentences of a story: restating only years, the
    passage must name a name of the claim and every key one ("the 2016 election" of a claim about Obama, in a
    passage about Republicans' hopes, confirms nothing of Obama's; "meetings in 2016" nothing of "He was promoted
    to campaign chairman in May 2016").
    """
    figures = [m for m in comparison.agreements if m.kind in ("quantity", "date")]
    if not figures:
        return False
    clauses = read_facts(claim).clauses
    lowered = claim.lower()

    def relative(text: str) -> bool:
        at = lowered.find(text.lower())
        clause = next((c for c in clauses if c.start <= at < c.end), None) if at >= 0 else None
        return clause is not None and claim[clause.start:clause.end].split()[0].lower() in _RELATIVE

    if all(relative(m.claim_text) for m in figures):
        return True
    names_missing = any(m for m in comparison.missing if m[:1].isupper())
    named = any(m.kind == "actor" for m in comparison.agreements)
    return (names_missing or not named) and all(m.kind == "date" and m.granularity == "year" for m in figures)


# A claim without figures is restated by a passage holding this share of its content words (stems) with every key
# name and quotation, when the engine reads it as supporting.
REWORDED_SHARE = 0.85
# ... and naming at least this many of its names: a sentence about one actor shares its words with too many others.
REWORDED_NAMES = 2


def _reworded(claim: str, passage: str, comparison: FactComparison, judgement: StanceJudgement) -> bool:
    """Whether a passage restates a claim that has no figures: nearly all its words, every name, read as supporting.

    "The email was sent by Eliana Murillo, the former head of Google’s multicultural marketing department" /
    "... was sent on Nov. 9, 2016 by Eliana Murillo, Google’s Multicultural Marketing department head": the
    engine's own rule wants every content word ("former" is not there) and leaves it uncounted.
    """
    if comparison.checkable or comparison.missing or comparison.conflicts or judgement.stance != Stance.SUPPORTS:
        return False
    if judgement.decisive or sum(1 for m in comparison.agreements if m.kind == "actor") < REWORDED_NAMES:
        return False
    claim_words = read_facts(claim).sentence_words
    passage_words = frozenset().union(*read_facts(passage).sentence_words)
    words = frozenset().union(*claim_words) if claim_words else frozenset()
    return bool(words) and len(words & passage_words) >= REWORDED_SHARE * len(words)


def _named(claim: str, missing: Sequence[str]) -> str:
    """What a passage leaves out, each figure with the noun it counts ("eleven stops, about 28,000 passengers")."""
    nouns = dict(stated_figures(claim))
    return ", ".join(nouns.get(m, m) for m in missing)


def read_pair(claim: str, passage: str, judgement: StanceJudgement, title: str = "", *,
              claim_published: str | None = None, passage_published: str | None = None,
              claim_outlet: str = "", passage_outlet: str = "") -> FactReading:
    """The facts rule (see the module docstring) applied to one engine judgement.

    ``title``: the passage's article's; ``claim_published`` / ``passage_published``: the days the two articles
    were published, which resolve "on Tuesday" against "May 18"; ``claim_outlet`` / ``passage_outlet``: who gives
    each figure of a conflict ("€412 million (Arlenburg Courier) vs €385m (Metro Post)").
    """
    comparison = _beyond_title(compare_facts(claim, passage, claim_published, passage_published), title)
    # A conflict refutes only when it is known what the two figures measure: "7 –" and "5 –" opening two
    # items of one list differ, but about nothing (the only counted refutations of the dev stories that
    # were wrong, scripts/sample_counted_evidence.py).
    comparison = replace(comparison, conflicts=tuple(m for m in comparison.conflicts if m.about))
    if _another_time(comparison) or comparison.other_people:
        comparison = replace(comparison, conflicts=())
    comparison = _without_bare_numbers(claim, comparison)
    if comparison.conflicts and not comparison.shared_quote:
        refutes = replace(judgement, stance=Stance.REFUTES, decisive=True, reason=None,
                          confidence=max(FACT_CONFLICT_PRECISION, judgement.scores.get(Stance.REFUTES, 0.0)))
        return FactReading(refutes, conflict_text(comparison, claim_outlet, passage_outlet), comparison,
                           fact_points(comparison))
    polarity = _same_polarity(claim, passage, comparison)
    if comparison.figures_agree and _names_enough(comparison) and polarity and not _background_only(claim, comparison):
        supports = replace(judgement, stance=Stance.SUPPORTS, decisive=True, reason=None,
                           confidence=max(FACT_AGREEMENT_PRECISION, judgement.scores.get(Stance.SUPPORTS, 0.0)))
        return FactReading(supports, agreement_text(comparison), comparison, fact_points(comparison))
    if _reworded(claim, passage, comparison, judgement) and polarity:
        supports = replace(judgement, decisive=True, reason=None,
                           confidence=max(FACT_AGREEMENT_PRECISION, judgement.confidence))
        named = "; ".join(dict.fromkeys(m.passage_text for m in comparison.agreements if m.kind == "actor"))
        quoted = " and its quotation" if comparison.shared_quote else ""
        return FactReading(supports, f"restates it in nearly the same words, with every name{quoted}: {named}", comparison)
    restated = [m for m in comparison.agreements if m.kind in ("quantity", "date")]
    if restated and not comparison.conflicts and polarity and not judgement.decisive:
        # Part of the claim restated: it leans supports, and says what it leaves out, without counting.
        partial = replace(judgement, stance=Stance.SUPPORTS, decisive=False,
                          reason=f"not counted: does not mention {_named(claim, comparison.missing[:4])}",
                          confidence=judgement.scores.get(Stance.SUPPORTS, 0.0))
        # The figures it restates still confirm their points (a verdict weighs a point confirmed by one outlet and
        # contradicted by another as disputed), unless they are only the claim's background.
        points = () if _background_only(claim, comparison) else fact_points(comparison)
        return FactReading(partial, f"{agreement_text(comparison)}; not stated: {', '.join(comparison.missing[:4])}",
                           comparison, points)
    if restated and not comparison.conflicts and not polarity and judgement.stance == Stance.REFUTES \
            and not judgement.decisive:
        # Figures restated, none contradicted, but one side words something as a denial the other does not: which
        # way it leans is unsure, and a restatement of the claim's figures must not be shown refuting.
        unsure = replace(judgement, stance=Stance.NEUTRAL, reason=None, confidence=judgement.scores.get(Stance.NEUTRAL, 0.0))
        return FactReading(unsure, f"{agreement_text(comparison)}; one of the two words it as a denial", comparison)
    if comparison.shared_quote and judgement.stance == Stance.REFUTES:
        quoted = replace(judgement, stance=Stance.SUPPORTS, decisive=False, reason=QUOTES_ONLY,
                         confidence=judgement.scores.get(Stance.SUPPORTS, 0.0))
        return FactReading(quoted, None, comparison)
    return FactReading(judgement, None, comparison)


def combine_article_passages(claim: str, evidence: Sequence[Evidence],
                             comparisons: Sequence[FactComparison]) -> tuple[Evidence, ...]:
    """Let the passages of one source article restate a claim together.

    When no passage of an article restates every figure of the claim alone, but
    together they state each with the same value, name its names, and none of
    them conflicts, the passage with the most agreements counts as supporting,
    and its facts say which other passages completed it.
    """
    out = list(evidence)
    by_article: dict[str, list[int]] = {}
    for index, item in enumerate(evidence):
        key = item.analysis_id or item.url or ""
        if key:
            by_article.setdefault(key, []).append(index)
    for indices in by_article.values():
        if len(indices) < 2 or any(evidence[i].stance == Stance.SUPPORTS and evidence[i].decisive for i in indices):
            continue
        group = [comparisons[i] for i in indices]
        if any(c.conflicts for c in group) or not group[0].checkable:
            continue
        figures = {m.claim_text for c in group for m in c.agreements if m.kind in ("quantity", "date")}
        missing = set.intersection(*(set(c.missing) for c in group))
        if len(figures) < group[0].checkable or missing or any(not _same_polarity(claim, evidence[i].snippet, comparisons[i]) for i in indices):
            continue
        together = replace(group[0], agreements=tuple(m for c in group for m in c.agreements), missing=())
        if _background_only(claim, together):
            continue
        best = max(indices, key=lambda i: len(comparisons[i].agreements))
        others = len(indices) - 1
        out[best] = replace(evidence[best], stance=Stance.SUPPORTS, decisive=True, reason=None,
                            stance_confidence=round(max(FACT_AGREEMENT_PRECISION, evidence[best].stance_confidence
                                                        if evidence[best].stance == Stance.SUPPORTS else 0.0), 3),
                            facts=f"agrees, with {others} other passage{'s' if others > 1 else ''} of the same article: "
                                  + "; ".join(sorted(figures)))
    return tuple(out)
