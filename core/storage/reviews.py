"""Analyst reviews in the database: decisions beside the machine's values, notes, reviewed marks, the activity log.

The analysis documents are never rewritten: a decision keeps the machine's
value it was made against and the analyst's, so both can always be shown.
Each change is one transaction that also appends its line to the activity log.
"""
from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, case, delete, func, insert, select, update

from ..errors import NotFoundError, ReviewError
from ..records import Analysis
from ..review import (
    COMPONENTS,
    MAX_NOTE_CHARS,
    MAX_REASON_CHARS,
    Activity,
    Agreement,
    Decision,
    Deletion,
    Note,
    Review,
    Target,
    choices,
    clean_text,
    describe_target,
    machine_value,
    now,
    require_reviewer,
    training_line,
    value_label,
)
from .database import Database
from .tables import (
    analyses,
    analysis_deletions,
    articles,
    review_activity,
    review_decisions,
    review_marks,
    review_notes,
)


class ReviewStore:
    def __init__(self, database: Database) -> None:
        self.database = database

    # ------------------------------------------------------------------ writing

    def decide(self, analysis: Analysis, target: Target, analyst_value: str, *, reviewer: str, reason: str = "") -> Decision:
        """Confirm (``analyst_value`` is the machine's) or override a target; an override needs a reason."""
        who = require_reviewer(reviewer)
        machine = machine_value(analysis, target)
        if analyst_value not in choices(target.component):
            raise ReviewError(f"{analyst_value!r} is not a {target.component} value.",
                              hint=f"Choose one of {', '.join(choices(target.component))}.")
        why = clean_text(reason, limit=MAX_REASON_CHARS, what="reason")
        if analyst_value != machine and not why:
            raise ReviewError("An override needs a reason.", hint="Say why the machine is wrong, so colleagues can judge it.")
        decision = Decision(target, machine, analyst_value, why, who, now())
        values = {"component": target.component, "machine_value": machine, "analyst_value": analyst_value,
                  "reason": why, "reviewer": who, "decided_at": decision.decided_at}
        with self.database.write() as db:
            self._require_analysis(db, analysis.id)
            changed = db.execute(update(review_decisions).where(review_decisions.c.analysis_id == analysis.id,
                                                                review_decisions.c.target == target.key).values(**values))
            if not changed.rowcount:
                db.execute(insert(review_decisions).values(analysis_id=analysis.id, target=target.key, **values))
            action = "confirmed" if decision.confirmed else "overridden"
            shown = (f"{describe_target(analysis, target)}: {value_label(target.component, machine)}"
                     + ("" if decision.confirmed else f" → {value_label(target.component, analyst_value)}"))
            self._log(db, analysis.id, who, action, shown, why, decision.decided_at)
        return decision

    def withdraw(self, analysis: Analysis, target: Target, *, reviewer: str, reason: str = "") -> None:
        """Take back a decision: the machine's value stands alone again (the log keeps what was withdrawn)."""
        who = require_reviewer(reviewer)
        with self.database.write() as db:
            removed = db.execute(delete(review_decisions).where(review_decisions.c.analysis_id == analysis.id,
                                                                review_decisions.c.target == target.key)).rowcount
            if removed:
                self._log(db, analysis.id, who, "withdrawn", f"decision on the {describe_target(analysis, target)}",
                          clean_text(reason, limit=MAX_REASON_CHARS, what="reason"), now())

    def add_note(self, analysis_id: str, text: str, *, author: str, claim_id: str = "") -> Note:
        """A note on the analysis, or on one of its claims."""
        who = require_reviewer(author)
        body = clean_text(text, limit=MAX_NOTE_CHARS, what="note")
        if not body:
            raise ReviewError("The note is empty.", hint="Write the note first.")
        note = Note(claim_id, body, who, now())
        with self.database.write() as db:
            self._require_analysis(db, analysis_id)
            db.execute(insert(review_notes).values(analysis_id=analysis_id, claim_id=claim_id, text=body, author=who,
                                                   written_at=note.written_at))
            where = f"claim {claim_id}" if claim_id else "the analysis"
            self._log(db, analysis_id, who, "note", f"note on {where}: {body[:200]}", "", note.written_at)
        return note

    def mark_reviewed(self, analysis_id: str, *, reviewer: str, reviewed: bool = True, reason: str = "") -> None:
        """Mark the analysis reviewed by ``reviewer``, or take the mark back."""
        who = require_reviewer(reviewer)
        at = now()
        with self.database.write() as db:
            self._require_analysis(db, analysis_id)
            db.execute(delete(review_marks).where(review_marks.c.analysis_id == analysis_id))
            if reviewed:
                db.execute(insert(review_marks).values(analysis_id=analysis_id, reviewer=who, reviewed_at=at))
            self._log(db, analysis_id, who, "reviewed" if reviewed else "unreviewed",
                      "marked the analysis reviewed" if reviewed else "took back the reviewed mark",
                      clean_text(reason, limit=MAX_REASON_CHARS, what="reason"), at)

    @staticmethod
    def _require_analysis(db: Connection, analysis_id: str) -> None:
        if db.execute(select(analyses.c.id).where(analyses.c.id == analysis_id)).first() is None:
            raise NotFoundError(f"No stored analysis has the id {analysis_id!r}.")

    @staticmethod
    def _log(db: Connection, analysis_id: str, who: str, action: str, what: str, why: str, at: str) -> None:
        db.execute(insert(review_activity).values(analysis_id=analysis_id, at=at, who=who, action=action, what=what, why=why))

    # ------------------------------------------------------------------ reading

    def get(self, analysis_id: str) -> Review:
        return self.get_many([analysis_id])[analysis_id]

    def get_many(self, analysis_ids: Sequence[str]) -> dict[str, Review]:
        """The review of each analysis (an empty one where nobody reviewed it)."""
        if not analysis_ids:
            return {}
        with self.database.read() as db:
            return _reviews(db, analysis_ids)

    def deletions(self) -> list[Deletion]:
        """The record of every deleted analysis, newest first."""
        with self.database.read() as db:
            rows = db.execute(select(analysis_deletions).order_by(analysis_deletions.c.id.desc())).mappings().all()
        return [Deletion(row["analysis_id"], row["article_url"], row["title"], row["deleted_by"], row["deleted_at"],
                         json.loads(row["review"])) for row in rows]

    def agreement(self) -> list[Agreement]:
        """Per component: how many decisions confirmed the machine and how many overrode it."""
        confirmed = func.sum(case((review_decisions.c.analyst_value == review_decisions.c.machine_value, 1), else_=0))
        with self.database.read() as db:
            rows = {component: (int(agreed or 0), int(total)) for component, agreed, total in db.execute(
                select(review_decisions.c.component, confirmed, func.count()).group_by(review_decisions.c.component)).all()}
        return [Agreement(c, rows.get(c, (0, 0))[0], rows.get(c, (0, 0))[1] - rows.get(c, (0, 0))[0]) for c in COMPONENTS]

    def reviewed_count(self) -> int:
        """Analyses marked reviewed."""
        with self.database.read() as db:
            return int(db.execute(select(func.count()).select_from(review_marks)).scalar_one())

    def training_lines(self) -> Iterator[dict[str, Any]]:
        """Every current decision as a line of the review export (core.review.training_line), by analysis."""
        documents: dict[str, Analysis] = {}
        for analysis_id, decision in self.decisions():
            if analysis_id not in documents:
                with self.database.read() as db:
                    document = db.execute(select(analyses.c.document).where(analyses.c.id == analysis_id)).scalar_one()
                documents = {analysis_id: Analysis.from_dict(json.loads(document))}  # decisions come grouped by analysis
            yield training_line(documents[analysis_id], decision)

    def decisions(self) -> Iterator[tuple[str, Decision]]:
        """Every current decision with its analysis id, oldest first (for the training export)."""
        with self.database.read() as db:
            rows = db.execute(select(review_decisions).order_by(review_decisions.c.analysis_id, review_decisions.c.id)).mappings().all()
        for row in rows:
            yield row["analysis_id"], _decision(row)


def _reviews(db: Connection, analysis_ids: Sequence[str]) -> dict[str, Review]:
    ids = list(dict.fromkeys(analysis_ids))
    found: dict[str, dict[str, list]] = {i: {"decisions": [], "notes": [], "activity": []} for i in ids}
    marks: dict[str, tuple[str, str]] = {}
    for row in db.execute(select(review_decisions).where(review_decisions.c.analysis_id.in_(ids))
                          .order_by(review_decisions.c.id)).mappings():
        found[row["analysis_id"]]["decisions"].append(_decision(row))
    for row in db.execute(select(review_notes).where(review_notes.c.analysis_id.in_(ids))
                          .order_by(review_notes.c.id)).mappings():
        found[row["analysis_id"]]["notes"].append(Note(row["claim_id"], row["text"], row["author"], row["written_at"]))
    for row in db.execute(select(review_activity).where(review_activity.c.analysis_id.in_(ids))
                          .order_by(review_activity.c.id)).mappings():
        found[row["analysis_id"]]["activity"].append(Activity(row["at"], row["who"], row["action"], row["what"], row["why"]))
    for analysis_id, reviewer, at in db.execute(select(review_marks).where(review_marks.c.analysis_id.in_(ids))).all():
        marks[analysis_id] = (reviewer, at)
    return {i: Review(i, tuple(parts["decisions"]), tuple(parts["notes"]), *marks.get(i, (None, None)),
                      activity=tuple(parts["activity"]))
            for i, parts in found.items()}


def record_deletions(db: Connection, analysis_ids: Sequence[str], deleted_by: str) -> None:
    """Before ``analysis_ids`` are deleted, in the deleting transaction: a record of each with its review as it is,
    since the deletion cascades to the review's rows (the record has no foreign key and stays)."""
    at = now()
    reviews = _reviews(db, analysis_ids)
    described = db.execute(select(analyses.c.id, articles.c.url, articles.c.title)
                           .join(articles, articles.c.id == analyses.c.article_id)
                           .where(analyses.c.id.in_(list(reviews)))).all()
    for analysis_id, url, title in described:
        db.execute(insert(analysis_deletions).values(
            analysis_id=analysis_id, article_url=url or "", title=title or "", deleted_by=deleted_by, deleted_at=at,
            review=json.dumps(reviews[analysis_id].to_dict(), ensure_ascii=False)))


def _decision(row) -> Decision:  # type: ignore[no-untyped-def]
    return Decision(Target.from_key(row["target"]), row["machine_value"], row["analyst_value"], row["reason"],
                    row["reviewer"], row["decided_at"])
