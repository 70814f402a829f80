"""How each passage weighs in its claim's verdict, as the reports list it (issue 27).

The PDF and Markdown list a claim's evidence as the dashboard's cards do: what
counted toward the verdict first, then what takes a side without counting, then
the rest, surest first; each with its note (core.verdict.counting_notes) and
its stance worded as it weighs ("✔ Supports (90%)", "Leans supports").
"""
from __future__ import annotations

from dataclasses import dataclass

from ..figures import theme
from ..records import Article, Claim, Evidence, Stance
from ..verdict import COUNTED, counting_notes


@dataclass(frozen=True)
class Weighed:
    index: int  # the passage's place in Claim.evidence: what analysts' stance decisions refer to
    evidence: Evidence
    note: str  # counting_notes: COUNTED, "not counted: why", "counted on <point> only …", or "" for no side taken

    @property
    def counted(self) -> bool:
        return self.note == COUNTED

    @property
    def stance(self) -> str:
        """ "✔ Supports (90%)" when it counted or takes no side, "Leans supports" when it is shown but not counted."""
        e = self.evidence
        return theme.weighed_stance_text(e.stance, e.stance_confidence, counted=self.counted or not self.note,
                                         facts=e.facts)


def weighed(claim: Claim, article: Article | None) -> list[Weighed]:
    """The claim's evidence in the order the reports list it, each with its note."""
    notes = counting_notes(claim.evidence, article)
    items = [Weighed(index, e, note) for index, (e, note) in enumerate(zip(claim.evidence, notes, strict=True))]
    return sorted(items, key=lambda w: (not w.counted, w.evidence.stance == Stance.NEUTRAL, -w.evidence.stance_confidence))
