"""Analyst review: confirm or override the machine's verdicts, stances and technique passages, with notes.

The machine's output is never changed: the stored ``crosscheck.analysis/1``
document stays as the engine wrote it, and each analyst decision is kept beside
it with the machine's value, the analyst's value, the reason, who and when
(see core.storage.reviews). Every change also goes into an activity log.

What can be reviewed (a :class:`Target`):

- ``verdict`` of a claim: one of the Verdict values;
- ``stance`` of one evidence item of a claim (by its position in the claim's
  evidence): one of the Stance values;
- ``technique`` passage (by its position in the technique's spans): the
  technique it shows, another technique, or ``none`` (no technique there).

Confirming records the machine's own value as the analyst's; overriding needs
a reason. Nothing is recorded without the analyst's name (:func:`require_reviewer`).
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from .errors import ReviewError
from .records import Analysis, Stance, Verdict
from .techniques_catalogue import TECHNIQUES, TECHNIQUE_LABELS

COMPONENTS = ("verdict", "stance", "technique")
COMPONENT_LABELS = {"verdict": "Verdicts", "stance": "Stances", "technique": "Technique passages"}
NO_TECHNIQUE = "none"  # an analyst's value for a passage that shows no technique
REVIEW_SCHEMA = "crosscheck.review/1"  # the lines of `python -m core review export`
MAX_REASON_CHARS = 2_000
MAX_NOTE_CHARS = 10_000
MAX_NAME_CHARS = 200


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Target:
    """One reviewable piece of an analysis."""

    component: str  # one of COMPONENTS
    claim_id: str = ""  # verdict and stance
    index: int = 0  # stance: position in the claim's evidence; technique: position in the technique's spans
    technique: str = ""  # technique passage

    @property
    def key(self) -> str:
        """How the database stores it: ``verdict:C1``, ``stance:C1:0``, ``technique:Loaded_Language:2``."""
        if self.component == "verdict":
            return f"verdict:{self.claim_id}"
        if self.component == "stance":
            return f"stance:{self.claim_id}:{self.index}"
        return f"technique:{self.technique}:{self.index}"

    @classmethod
    def from_key(cls, key: str) -> Target:
        component, _, rest = key.partition(":")
        if component == "verdict":
            return cls("verdict", claim_id=rest)
        name, _, index = rest.rpartition(":")
        if component == "stance":
            return cls("stance", claim_id=name, index=int(index))
        return cls("technique", technique=name, index=int(index))


def verdict_target(claim_id: str) -> Target:
    return Target("verdict", claim_id=claim_id)


def stance_target(claim_id: str, index: int) -> Target:
    return Target("stance", claim_id=claim_id, index=index)


def passage_target(technique: str, index: int) -> Target:
    return Target("technique", technique=technique, index=index)


def choices(component: str) -> tuple[str, ...]:
    """The values an analyst may give a target of this component."""
    if component == "verdict":
        return tuple(v.value for v in Verdict)
    if component == "stance":
        return tuple(s.value for s in Stance)
    return (*TECHNIQUES, NO_TECHNIQUE)


def value_label(component: str, value: str) -> str:
    """A value as people read it: "single source", "refutes", "Loaded Language", "no technique"."""
    if component == "technique":
        return "no technique" if value == NO_TECHNIQUE else TECHNIQUE_LABELS.get(value, value)
    return value.replace("_", " ")


def machine_value(analysis: Analysis, target: Target) -> str:
    """What the machine said about the target; ReviewError when the analysis has no such thing."""
    if target.component in ("verdict", "stance"):
        claim = next((c for c in analysis.claims if c.id == target.claim_id), None)
        if claim is None:
            raise ReviewError(f"The analysis has no claim {target.claim_id!r}.")
        if target.component == "verdict":
            return claim.verdict.value
        if not 0 <= target.index < len(claim.evidence):
            raise ReviewError(f"Claim {target.claim_id!r} has no evidence item {target.index + 1}.")
        return claim.evidence[target.index].stance.value
    if target.component == "technique":
        technique = next((t for t in analysis.techniques if t.name == target.technique), None)
        if technique is None or not 0 <= target.index < len(technique.spans):
            raise ReviewError(f"The analysis has no passage {target.index + 1} of {target.technique!r}.")
        return technique.name
    raise ReviewError(f"Unknown review component {target.component!r}.", hint=f"Review one of {', '.join(COMPONENTS)}.")


def describe_target(analysis: Analysis, target: Target) -> str:
    """The target in words, for the activity log: "verdict of claim C1", "stance of evidence 2 of claim C1"."""
    if target.component == "verdict":
        return f"verdict of claim {target.claim_id}"
    if target.component == "stance":
        return f"stance of evidence {target.index + 1} of claim {target.claim_id}"
    technique = next((t for t in analysis.techniques if t.name == target.technique), None)
    quoted = f" “{technique.spans[target.index].text[:80]}”" if technique and target.index < len(technique.spans) else ""
    return f"{value_label('technique', target.technique)} passage {target.index + 1}{quoted}"


# Characters that show nothing: white space, controls (NUL …), format characters (U+200B, U+202E …), lone combining
# marks, and the letters and symbols drawn blank (the Hangul fillers, the braille blank U+2800).
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp", "Mn", "Me"})
_DRAWN_BLANK = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def _invisible(ch: str) -> bool:
    return ch.isspace() or ch in _DRAWN_BLANK or unicodedata.category(ch) in _INVISIBLE_CATEGORIES


def visible(text: str | None) -> str:
    """``text`` without NULs (PostgreSQL cannot store them) and without the invisible characters at its ends: "" when
    nothing in it shows, so a reason or name of zero-width spaces, fillers or a lone U+202E does not count as given."""
    chars = (text or "").replace("\x00", "")
    start, end = 0, len(chars)
    while start < end and _invisible(chars[start]):
        start += 1
    while end > start and _invisible(chars[end - 1]):
        end -= 1
    return chars[start:end]


def require_reviewer(name: str | None, *, needing_it: str = "Reviews need") -> str:
    """The analyst's name, or ReviewError: no review (nor deletion) is recorded without one."""
    cleaned = " ".join(visible(name).split())
    if not cleaned:
        raise ReviewError(f"{needing_it} the analyst's name, and none is set.",
                          hint="Sign in, or set your name on the Settings page (or CROSSCHECK_ANALYST_NAME).")
    if len(cleaned) > MAX_NAME_CHARS:
        raise ReviewError(f"An analyst's name has at most {MAX_NAME_CHARS} characters.")
    return cleaned


def clean_text(text: str | None, *, limit: int, what: str) -> str:
    """A reason or note as stored: "" when nothing in it shows (:func:`visible`); ReviewError when too long."""
    cleaned = visible(text)
    if len(cleaned) > limit:
        raise ReviewError(f"The {what} is longer than {limit:,} characters.", hint=f"Shorten the {what}.")
    return cleaned


@dataclass(frozen=True)
class Decision:
    """An analyst's decision on one target, beside the machine's value."""

    target: Target
    machine_value: str
    analyst_value: str
    reason: str
    reviewer: str
    decided_at: str

    @property
    def confirmed(self) -> bool:
        """The analyst agreed with the machine."""
        return self.analyst_value == self.machine_value

    def to_dict(self) -> dict[str, Any]:
        target = {"verdict": {"claim_id": self.target.claim_id},
                  "stance": {"claim_id": self.target.claim_id, "evidence_index": self.target.index},
                  "technique": {"technique": self.target.technique, "span_index": self.target.index}}[self.target.component]
        return {"component": self.target.component, **target, "machine": self.machine_value,
                "analyst": self.analyst_value, "action": "confirmed" if self.confirmed else "overridden",
                "reason": self.reason, "reviewer": self.reviewer, "decided_at": self.decided_at}


@dataclass(frozen=True)
class Note:
    claim_id: str  # "" for a note on the whole analysis
    text: str
    author: str
    written_at: str

    def to_dict(self) -> dict[str, Any]:
        return {"claim_id": self.claim_id or None, "text": self.text, "author": self.author, "written_at": self.written_at}


@dataclass(frozen=True)
class Activity:
    """One line of the activity log: who did what, when, and why."""

    at: str
    who: str
    action: str  # confirmed, overridden, note, reviewed, unreviewed
    what: str
    why: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"at": self.at, "who": self.who, "action": self.action, "what": self.what, "why": self.why}


@dataclass(frozen=True)
class Review:
    """Everything analysts recorded about one analysis."""

    analysis_id: str
    decisions: tuple[Decision, ...] = ()
    notes: tuple[Note, ...] = ()
    reviewed_by: str | None = None
    reviewed_at: str | None = None
    activity: tuple[Activity, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.decisions or self.notes or self.reviewed_by or self.activity)

    def decision(self, target: Target) -> Decision | None:
        return next((d for d in self.decisions if d.target == target), None)

    def notes_on(self, claim_id: str = "") -> tuple[Note, ...]:
        return tuple(n for n in self.notes if n.claim_id == claim_id)

    def overrides(self) -> tuple[Decision, ...]:
        return tuple(d for d in self.decisions if not d.confirmed)

    def to_dict(self) -> dict[str, Any]:
        """The ``review`` block of an exported analysis: the machine's values stay in the document itself."""
        return {
            "reviewed": self.reviewed_by is not None,
            "reviewed_by": self.reviewed_by,
            "reviewed_at": self.reviewed_at,
            "decisions": [d.to_dict() for d in self.decisions],
            "notes": [n.to_dict() for n in self.notes],
            "activity": [a.to_dict() for a in self.activity],
        }


@dataclass(frozen=True)
class Agreement:
    """How often analysts agreed with the machine on one component."""

    component: str
    confirmed: int
    overridden: int

    @property
    def reviewed(self) -> int:
        return self.confirmed + self.overridden

    @property
    def rate(self) -> float | None:
        return self.confirmed / self.reviewed if self.reviewed else None


@dataclass(frozen=True)
class Deletion:
    """The record a deleted analysis leaves: what it was, who deleted it and when, and its review as it was."""

    analysis_id: str
    article_url: str
    title: str
    deleted_by: str
    deleted_at: str
    review: dict[str, Any]  # Review.to_dict() at the deletion


def training_line(analysis: Analysis, decision: Decision) -> dict[str, Any]:
    """One line of the review export (REVIEW_SCHEMA): the analyst's label with the text it labels.

    stance: claim and evidence passage, the training pair of the stance model;
    technique: the passage with its offsets in the article and the analyst's technique (or ``none``);
    verdict: the claim and its evidence stances, for evaluating the verdict rule (nothing trains on it).
    """
    target = decision.target
    line: dict[str, Any] = {"schema": REVIEW_SCHEMA, "task": target.component, "analysis_id": analysis.id,
                            "label": decision.analyst_value, "machine_label": decision.machine_value,
                            "confirmed": decision.confirmed, "reason": decision.reason, "reviewer": decision.reviewer,
                            "decided_at": decision.decided_at, "engine": analysis.engine.name}
    if target.component == "technique":
        technique = next(t for t in analysis.techniques if t.name == target.technique)
        span = technique.spans[target.index]
        return {**line, "passage": span.text, "start": span.start, "end": span.end,
                "machine_confidence": span.confidence}
    claim = next(c for c in analysis.claims if c.id == target.claim_id)
    line = {**line, "claim_id": claim.id, "claim": claim.text}
    if target.component == "stance":
        item = claim.evidence[target.index]
        return {**line, "evidence": item.snippet, "source_type": item.source_type.value, "url": item.url,
                "machine_confidence": item.stance_confidence}
    return {**line, "machine_confidence": claim.assessment.confidence,
            "evidence": [{"stance": e.stance.value, "decisive": e.decisive, "snippet": e.snippet} for e in claim.evidence]}


def decision_text(decision: Decision) -> str:
    """The analyst's decision in words, beside the machine's, for views and reports.

    "Analyst: contradicted (machine: single source) — The ministry denied it. · Ana, 2026-12-01"
    or "Analyst confirmed: single source · Ana, 2026-12-01".
    """
    component = decision.target.component
    who = f"{decision.reviewer}, {decision.decided_at[:10]}"
    if decision.confirmed:
        head = f"Analyst confirmed: {value_label(component, decision.machine_value)}"
    else:
        head = (f"Analyst: {value_label(component, decision.analyst_value)} "
                f"(machine: {value_label(component, decision.machine_value)})")
    return head + (f" — {decision.reason}" if decision.reason else "") + f" · {who}"


def note_text(note: Note) -> str:
    return f"Note by {note.author}, {note.written_at[:10]}: {note.text}"


def status_text(review: Review | None) -> str:
    """Whether an analyst marked the analysis reviewed: "Reviewed by Ana, 2026-12-01" or "Not reviewed"."""
    if review is None or review.reviewed_by is None:
        return "Not reviewed by an analyst"
    return f"Reviewed by {review.reviewed_by}, {(review.reviewed_at or '')[:10]}"
