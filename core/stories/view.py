"""One story read across its outlets: the timeline, each claim once with every outlet's wording and verdict,
conflicts between outlets first (with both figures, core.compare and core.facts), which copies share an
origin (core.origins), and the techniques found per outlet. What the Story page and ``python -m core story``
show.
"""
from __future__ import annotations

import csv
import io
import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from ..compare import (
    MAX_ANALYSES,
    ClaimMention,
    ComparisonResult,
    Encoder,
    SharedClaim,
    shared_claims,
)
from ..identity import site
from ..origins import OriginGroups, SourceArticle, group_origins
from ..records import Analysis
from ..storage import Storage
from ..storage.stories import StoryMember, StorySummary

logger = logging.getLogger(__name__)


def day_text(day: int | None) -> str:
    return date.fromordinal(day).isoformat() if day is not None else ""


def outlet_name(member: StoryMember) -> str:
    """The outlet, else the article's site, else its title: what a story's table names each article by."""
    return member.outlet or member.title or member.article_key


@dataclass(frozen=True)
class StoryView:
    story: StorySummary
    members: tuple[StoryMember, ...]  # publication order
    analyses: dict[str, Analysis]  # the latest analysis of each member, by article key
    comparison: ComparisonResult | None  # claims of the first MAX_ANALYSES analysed members; None below two
    origins: OriginGroups
    compared_only: int  # how many members the claim comparison covers (MAX_ANALYSES at most)

    @property
    def conflicts(self) -> tuple[SharedClaim, ...]:
        """Shared claims whose outlets give different figures or got different verdicts."""
        if self.comparison is None:
            return ()
        return tuple(s for s in self.comparison.shared if s.figure_conflicts or s.verdicts_differ)

    @property
    def claims(self) -> tuple[SharedClaim, ...]:
        """Shared claims, conflicts first."""
        if self.comparison is None:
            return ()
        conflicts = self.conflicts
        return conflicts + tuple(s for s in self.comparison.shared if s not in conflicts)

    def source_of(self, mention: ClaimMention) -> str:
        """The outlet of a claim's wording (else its article's label)."""
        return next((outlet_name(m) for m in self.members if m.analysis_id == mention.analysis_id), mention.article)

    def outlets(self) -> list[tuple[str, str]]:
        """Each outlet that covered the story with the date of its first article ("" when undated)."""
        first: dict[str, str] = {}
        for member in self.members:
            first.setdefault(outlet_name(member), member.published[:10])
        return list(first.items())

    def techniques_by_outlet(self) -> dict[str, Counter[str]]:
        found: dict[str, Counter[str]] = {}
        for member in self.members:
            analysis = self.analyses.get(member.article_key)
            counts = found.setdefault(outlet_name(member), Counter())
            if analysis is not None:
                counts.update(t.label for t in analysis.found_techniques())
        return found

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.story.id, "title": self.story.title, "size": self.story.size, "outlets": self.story.outlets,
            "first_day": day_text(self.story.first_day), "last_day": day_text(self.story.last_day),
            "articles": [{"key": m.article_key, "title": m.title, "url": m.url, "outlet": m.outlet,
                          "published": m.published, "analysis_id": m.analysis_id, "placed_by": m.placed_by or None}
                         for m in self.members],
            "claims": [{"mentions": [{"analysis_id": x.analysis_id, "outlet": self.source_of(x), "text": x.text,
                                      "verdict": x.verdict.value} for x in s.mentions],
                        "figure_conflicts": list(s.figure_conflicts), "verdicts_differ": s.verdicts_differ,
                        "conflict": s in self.conflicts} for s in self.claims],
            "claims_compared_articles": self.compared_only,
            "origins": [{"name": o.name, "articles": list(o.keys),
                         "reasons": [r.description for r in o.merges]} for o in self.origins.origins],
            "techniques_by_outlet": {k: dict(v.most_common()) for k, v in self.techniques_by_outlet().items()},
        }


def blindspots(storage: Storage, view: StoryView) -> list[str]:
    """The followed outlets with no article in the story: those followed in Settings (by name, as articles name
    their outlet, or by site), then the sites of the feeds."""
    covered = ({site(m.url).casefold() for m in view.members} | {outlet_name(m).casefold() for m in view.members}) - {""}
    followed = list(dict.fromkeys(storage.followed.list() + sorted({site(f.url) for f in storage.feeds.list()} - {""})))
    return [name for name in followed if name.casefold().removeprefix("www.") not in covered]


def story_csv(view: StoryView) -> bytes:
    """The story as CSV: one row per outlet's wording of each shared claim (conflicts first), then each article."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["story", "kind", "claim", "outlet_or_article", "wording_or_title", "verdict", "published",
                     "conflict", "figures_differ"])
    conflicts = view.conflicts
    for number, shared in enumerate(view.claims, start=1):
        for mention in shared.mentions:
            writer.writerow([view.story.id, "claim", number, view.source_of(mention), mention.text, mention.verdict.value, "",
                             shared in conflicts, "; ".join(shared.figure_conflicts)])
    for member in view.members:
        writer.writerow([view.story.id, "article", "", outlet_name(member), member.title, "", member.published,
                         "", ""])
    return out.getvalue().encode("utf-8")


def story_view(storage: Storage, story_id: int, *, encode: Encoder | None = None) -> StoryView:
    """Read a story and compare its articles (claims are embedded by core.compare, as on the Compare page: those
    the library index holds keep its vectors)."""
    summary = storage.stories.summary(story_id)
    members = tuple(storage.stories.members(story_id))
    analyses = {m.article_key: storage.get(m.analysis_id) for m in members if m.analysis_id}
    analysed = [analyses[m.article_key] for m in members if m.article_key in analyses]
    compared = analysed[:MAX_ANALYSES]
    comparison = shared_claims(compared, encode=encode, storage=storage) if len(compared) >= 2 else None
    origins = group_origins(_source_articles(members, analyses))
    return StoryView(summary, members, analyses, comparison, origins, len(compared))


def _source_articles(members: Sequence[StoryMember], analyses: dict[str, Analysis]) -> list[SourceArticle]:
    return [SourceArticle(key=m.article_key, outlet=outlet_name(m), url=m.url or "", title=m.title,
                          text=analyses[m.article_key].article.text if m.article_key in analyses else "")
            for m in members]
