"""An article's genre (opinion, editorial, analysis, review, report) as the publisher declares it.

No open data labels news genres, so nothing is guessed from the text: a genre is
only what the page itself says, in (first found wins) its schema.org type
(``OpinionNewsArticle``...), its section (``article:section``, JSON-LD
``articleSection``), its URL's path (``/commentisfree/``), a marker in its
title ("Editorial: ...", "... | Opinion") or an editorial board's byline. An
opinion declaration is made an editorial where any other one says editorial (an
editorial is the outlet's own opinion). Pasted text declares nothing: unknown.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

GENRES = ("opinion", "editorial", "analysis", "review", "report", "unknown")
GENRE_LABELS = {"opinion": "Opinion", "editorial": "Editorial", "analysis": "Analysis", "review": "Review",
                "report": "News report", "unknown": "Genre unknown"}
# Genres that argue or interpret, and so are expected to read as more persuasive than news reports.
ARGUING = {"opinion": "an opinion piece", "editorial": "an editorial", "analysis": "an analysis piece",
           "review": "a review"}

# Bylines that name a page's kind, not a person: the outlet's own editorial.
EDITORIAL_BYLINES = frozenset({"editorial", "editorials", "editorial board", "the editorial board", "editorial staff",
                               "our view"})
# schema.org's subtypes of NewsArticle that name a genre (a plain NewsArticle names none).
_SCHEMA_TYPES = {"opinionnewsarticle": "opinion", "analysisnewsarticle": "analysis",
                 "reviewnewsarticle": "review", "reportagenewsarticle": "report"}
# Words that name a genre in a section name, a URL path segment or a title marker.
_WORDS = {
    "opinion": "opinion", "opinions": "opinion", "comment": "opinion", "commentisfree": "opinion",
    "comment is free": "opinion", "op-ed": "opinion", "oped": "opinion", "op-eds": "opinion", "column": "opinion",
    "columns": "opinion", "columnists": "opinion", "editorial": "editorial", "editorials": "editorial",
    "analysis": "analysis", "news analysis": "analysis",
}
# Title markers: "Opinion: ..." at the start, or "... | Editorial" as a part a bar or a dash sets apart.
_MARKER = "opinion|editorial|analysis|news analysis|op-ed|comment"
_TITLE_START = re.compile(rf"^\s*({_MARKER})\s*:\s", re.IGNORECASE)
_TITLE_PART = re.compile(rf"\s[|–—-]\s*({_MARKER})\s*(?=$|\s[|–—-]\s)", re.IGNORECASE)


@dataclass(frozen=True)
class Genre:
    """What kind of article the page declares itself, and what on the page declared it (None: nothing did)."""

    kind: str = "unknown"  # one of GENRES
    declared_by: str | None = None  # "the page's URL /commentisfree/"

    @property
    def label(self) -> str:
        return GENRE_LABELS[self.kind]

    @property
    def line(self) -> str:
        """The header's line: "Opinion · declared by the page's URL /commentisfree/"."""
        if self.declared_by is None:
            return "Genre not declared by the page"
        return f"{self.label} · declared by {self.declared_by}"

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "declared_by": self.declared_by}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Genre:
        """The stored genre; documents from before genres were read (no field) are unknown."""
        if not data:
            return UNKNOWN
        return cls(kind=data["kind"], declared_by=data.get("declared_by"))


UNKNOWN = Genre()


def _plain(text: str) -> str:
    return " ".join(text.lower().split())


def declared_genre(*, schema_types: Iterable[str] = (), sections: Iterable[str] = (), url: str | None = None,
                   title: str | None = None, author: str | None = None) -> Genre:
    """The genre the page declares (see the module's docstring for the order); UNKNOWN when none."""
    declared = [*_by_schema(schema_types), *_by_section(sections), *_by_url(url), *_by_title(title),
                *_by_byline(author)]
    if not declared:
        return UNKNOWN
    first = declared[0]
    if first.kind == "opinion":
        return next((g for g in declared if g.kind == "editorial"), first)
    return first


def _by_schema(types: Iterable[str]) -> Iterator[Genre]:
    for name in types:
        if (kind := _SCHEMA_TYPES.get(name.strip().lower())) is not None:
            yield Genre(kind, f"the page's schema.org type {name.strip()}")


def _by_section(sections: Iterable[str]) -> Iterator[Genre]:
    for section in sections:
        if (kind := _WORDS.get(_plain(section))) is not None:
            yield Genre(kind, f"the page's section “{section.strip()}”")


def _by_url(url: str | None) -> Iterator[Genre]:
    if not url:
        return
    for segment in urlsplit(url).path.lower().split("/")[:-1]:  # the last part is the article's slug
        if (kind := _WORDS.get(segment)) is not None:
            yield Genre(kind, f"the page's URL /{segment}/")


def _by_title(title: str | None) -> Iterator[Genre]:
    if not title:
        return
    for match in (_TITLE_START.match(title), *_TITLE_PART.finditer(title)):
        if match is not None:
            yield Genre(_WORDS[match.group(1).lower()], f"the page's title marker “{match.group(0).strip()}”")


def _by_byline(author: str | None) -> Iterator[Genre]:
    if author and _plain(author) in EDITORIAL_BYLINES:
        yield Genre("editorial", f"the byline “{author.strip()}”")
