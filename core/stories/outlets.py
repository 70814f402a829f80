"""One outlet across the library: its articles over time, the techniques found in them, and how its claims fared.

Shares come with their sample sizes and 95 % Wilson intervals, and a profile drawn from fewer than
:data:`FEW_ARTICLES` articles says so: a handful of articles describes those articles, not the outlet.
"""
from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from ..records import Verdict
from ..storage import Storage
from ..storage.tables import analyses, articles, story_members
from ..techniques_catalogue import TECHNIQUE_LABELS
from ..text import count_noun

FEW_ARTICLES = 10
Z95 = 1.96


def wilson(successes: int, total: int) -> tuple[float, float]:
    """95 % Wilson score interval of a share; (0, 1) when nothing was counted."""
    if total == 0:
        return 0.0, 1.0
    p = successes / total
    centre = (p + Z95 ** 2 / (2 * total)) / (1 + Z95 ** 2 / total)
    half = Z95 * math.sqrt(p * (1 - p) / total + Z95 ** 2 / (4 * total ** 2)) / (1 + Z95 ** 2 / total)
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class OutletArticle:
    analysis_id: str
    title: str
    url: str | None
    published: str
    created_at: str
    techniques_found: int
    persuasion_percentile: float | None
    story_id: int | None


@dataclass(frozen=True)
class Share:
    name: str
    count: int
    total: int

    @property
    def interval(self) -> tuple[float, float]:
        return wilson(self.count, self.total)


@dataclass(frozen=True)
class OutletProfile:
    name: str
    articles: tuple[OutletArticle, ...]  # oldest first (publication date, else when stored)
    techniques: tuple[tuple[str, int], ...]  # technique label, articles it was found in; most frequent first
    verdicts: tuple[Share, ...]  # each verdict's share of the outlet's claims
    claims: int

    @property
    def few(self) -> bool:
        return len(self.articles) < FEW_ARTICLES

    @property
    def caveat(self) -> str:
        if not self.articles:
            return f"No stored article is from {self.name}."
        if self.few:
            n = len(self.articles)
            return (f"This profile rests on {count_noun(n, 'article')}: it describes "
                    f"{'them' if n != 1 else 'that article'}, not the outlet (fewer than {FEW_ARTICLES}).")
        return ""

    @property
    def stories(self) -> int:
        return len({a.story_id for a in self.articles if a.story_id is not None})

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "articles": len(self.articles), "stories": self.stories, "caveat": self.caveat or None,
            "claims": self.claims,
            "verdicts": [{"verdict": s.name, "count": s.count, "of": s.total, "interval": list(s.interval)}
                         for s in self.verdicts],
            "techniques": [{"technique": t, "articles": n, "of": len(self.articles)} for t, n in self.techniques],
            "timeline": [{"analysis_id": a.analysis_id, "title": a.title, "published": a.published,
                          "techniques_found": a.techniques_found, "story_id": a.story_id} for a in self.articles],
        }


def outlet_profile(storage: Storage, name: str) -> OutletProfile:
    """The profile of the outlet stored as ``name`` (as the Library lists outlets).

    Read from the summary columns alone (the found techniques' names included): no document is read, so that an
    outlet with thousands of articles is profiled in a query (issue 31). Every run of its articles is read and the
    latest picked here: with "latest" in the query SQLite walked every latest analysis of the library (1.2 s at
    100,000) instead of the outlet's articles (``articles_by_outlet``)."""
    query = (select(analyses.c.id, articles.c.title, articles.c.url, analyses.c.published, analyses.c.created_at,
                    analyses.c.techniques_found, analyses.c.persuasion_percentile, story_members.c.story_id,
                    analyses.c.found_techniques, analyses.c.latest, *(analyses.c[v.value] for v in Verdict))
             .join(articles, articles.c.id == analyses.c.article_id)
             .outerjoin(story_members, story_members.c.article_id == articles.c.id)
             .where(articles.c.outlet == name))
    with storage.database.read() as db:
        rows = [run for run in db.execute(query).all() if run.latest]
    rows = sorted(rows, key=lambda r: ((r.published or r.created_at)[:10], r.created_at))
    found = tuple(OutletArticle(r.id, r.title or "", r.url, r.published or "", r.created_at, r.techniques_found,
                                r.persuasion_percentile, r.story_id) for r in rows)
    techniques: Counter[str] = Counter()
    for row in rows:
        techniques.update({TECHNIQUE_LABELS[technique] for technique in json.loads(row.found_techniques)})
    totals = {v: sum(getattr(r, v.value) for r in rows) for v in Verdict}
    claims = sum(totals.values())
    return OutletProfile(name, found, tuple(techniques.most_common()),
                         tuple(Share(v.value, totals[v], claims) for v in Verdict), claims)


@dataclass(frozen=True)
class CrossOutletTally:
    """How an outlet's claims compare with other outlets' on the stories they share."""

    stories: int  # stories compared (the outlet's most recent ones with another outlet)
    shared: int  # claims it shares with another outlet
    agreeing: int  # shared claims whose decided verdicts agree
    conflicting: int  # shared claims with other figures or other verdicts

    @property
    def conflict_interval(self) -> tuple[float, float]:
        return wilson(self.conflicting, self.shared)


def cross_outlet_tally(storage: Storage, name: str, *, limit: int = 10) -> CrossOutletTally:
    """Compare the outlet's claims with the other outlets' on its ``limit`` most recent shared stories
    (core.stories.view: claims are embedded, a second or so a story)."""
    from .view import outlet_name, story_view

    with storage.database.read() as db:
        candidates = db.execute(
            select(story_members.c.story_id).join(articles, articles.c.id == story_members.c.article_id)
            .where(articles.c.outlet == name).order_by(story_members.c.story_id.desc())).scalars().all()
    stories = shared = agreeing = conflicting = 0
    for story_id in dict.fromkeys(candidates):
        if stories >= limit:
            break
        view = story_view(storage, story_id)
        if view.comparison is None or {outlet_name(m) for m in view.members} == {name}:
            continue
        stories += 1
        for claim in view.claims:
            outlets = {view.source_of(m) for m in claim.mentions}
            if name not in outlets or len(outlets) < 2:
                continue
            shared += 1
            if claim in view.conflicts:
                conflicting += 1
            elif claim.verdicts_agree:
                agreeing += 1
    return CrossOutletTally(stories, shared, agreeing, conflicting)
