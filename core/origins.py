"""Independent origins: syndicated copies of one story count once.

Given the articles that supplied evidence for a claim, group those that are not
independent of each other:

- **same text**: one article's running text is largely the other's (a wire story
  lightly edited, a blog reposting a report with a few lines of commentary);
- **same wire credit**: both carry the credit of the same news agency in a
  dateline ("STOCKHOLM (Reuters) -"), a byline ("By Jane Doe, Associated Press"),
  or a credit line ("Reporting by ...; Editing by ...", "The Associated Press
  contributed to this report", "(c) 2018 AFP"). A passing mention ("Reuters
  reported that ...", "told the Associated Press") is not a credit;
- **same passage** (when the caller passes the evidence passage of each article):
  the passage that supplied the evidence is a copy of the other's, even where the
  rest of the two articles differs (a blog excerpting one paragraph of a report);
- **same outlet**: two articles of one outlet do not corroborate each other;
- **same origin**: the caller compared the whole articles earlier and found them copies (``SourceArticle.origin``:
  the library source does, for a verdict that sees only the passages).

Grouping is transitive (union-find): if A copies B and B credits Reuters like C,
A, B and C are one origin. Pure: no I/O, no models, plain Python sets (measured
on the shared PTC articles, about 800 words each, on the 2-core machine: 5
articles in about 9 ms, 20 in about 60 ms). It compares all pairs, which suits
the articles of one claim or one story; grouping a whole library would need
MinHash with LSH instead (e.g. datasketch).

Why these thresholds (measured on the 583 shared Wikinews and PTC articles, all
pairs with MiniLM cosine >= 0.5, and on the judged pairs of
tests/data/story_clusters.json; see tests/data/story_clusters.md):
- SAME_TEXT_SHARE = 0.4 of the shorter article's 5-word shingles, quotations
  left out. Full reposts found there share 0.53-0.73 (a blog reposting a
  Reuters story under its own commentary: 0.64; a copied campus report: 0.67),
  partial reposts of long passages 0.40-0.45. Independent reports of one event
  share at most 0.10 (the six reports of the 2018 Ebola outbreak, the seven of
  the Guangzhou incident); reports embedding the same tweets or the same
  official statement 0.33 and stay apart. Quotations are left out because two
  independent reports often quote the same statement at length (with them the
  Ebola reports shared up to 0.31).
- SAME_PASSAGE_SHARE = 0.6 of the shorter evidence passage's shingles, when the
  caller says which passage of each article supplied the evidence: sentences
  copied from another article share 0.69-1.0; independent restatements of the
  same figures at most 0.46, two rewrites of one agency text 0.55-0.56. This
  catches excerpts that are too small a part of the article to merge it whole
  (a blog quoting a Reuters story: 0.19 of the article, 1.0 of the sentence).
- SHINGLE_WORDS = 5: long enough that shared stock phrases ("the president of
  the United States") rarely count, short enough that light edits (a changed
  word every sentence or so) still leave most shingles intact.
- MIN_SHINGLES = 20 for articles, MIN_PASSAGE_SHINGLES = 8 for passages (about
  12 words outside quotations): below that a shared share says nothing about
  the source.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from urllib.parse import urlsplit

SHINGLE_WORDS = 5
SAME_TEXT_SHARE = 0.4
SAME_PASSAGE_SHARE = 0.6
MIN_SHINGLES = 20
MIN_PASSAGE_SHINGLES = 8

# Canonical agency name -> how its name is written in credits.
WIRE_AGENCIES: dict[str, str] = {
    "AP": r"AP|Associated\s+Press",
    "Reuters": r"Reuters|Thomson\s+Reuters",
    "AFP": r"AFP|Agence\s+France[-\s]Presse",
    "PA Media": r"PA|PA\s+Media|Press\s+Association",
    "dpa": r"dpa|DPA|Deutsche\s+Presse[-\s]Agentur",
    "Bloomberg": r"Bloomberg(?:\s+News)?",
    "UPI": r"UPI|United\s+Press\s+International",
}

_DASH = r"[-\u2010-\u2015\u2212:]"


def _credit_patterns(names: str, byline_names: str) -> tuple[re.Pattern[str], ...]:
    agency = rf"(?:The\s+)?(?:{names})"
    byline = rf"(?:The\s+)?(?:{byline_names})"
    return (
        # Dateline: "STOCKHOLM (Reuters) -", "(AP) —".
        re.compile(rf"\(\s*(?:{names})\s*\)\s*{_DASH}"),
        # A line that is only a dash and the agency: "— AFP" closing an article, "–Bloomberg" after an excerpt.
        re.compile(rf"^\s*{_DASH}\s*(?:{names})\s*$", re.MULTILINE),
        # Byline on its own line: "By Jane Doe, Associated Press", "By Jane Doe and John Roe | Reuters".
        re.compile(rf"^\s*By\s+[^\n]{{1,80}}?[,|/]\s*{byline}(?:\s+(?:Writer|Staff|Correspondent))?\s*$", re.MULTILINE),
        re.compile(rf"^\s*{agency}\s+(?:Staff|Writer|Correspondent)\b", re.MULTILINE),
        # Credit lines: "The Associated Press contributed to this report", "AFP contributed reporting".
        re.compile(rf"\b{agency}\s+contributed\s+(?:to\s+this\s+(?:report|story|article)|reporting)"),
        # "Associated Press writers Ken Ritter in Las Vegas and ... contributed to this report."
        re.compile(rf"\b{agency}\s+(?:writers?|reporters?|correspondents?)\s+[^\n]{{1,200}}?\s+contributed\b"),
        # "Copyright 2018 The Associated Press. All rights reserved.", "(c) 2018 AFP". The year is required:
        # "\u00a9 AFP" and "\u00a9 AP Photo" without one credit a picture, not the text.
        re.compile(rf"(?:Copyright|\u00a9|\(c\))\s*\d{{4}}\s*{agency}\b(?!\s*Photo)", re.IGNORECASE),
        # "Source: Reuters" / "Via: AP" on a line of its own (not "Photo: AFP").
        re.compile(rf"^\s*(?:Source|Via)\s*:\s*{agency}\s*\.?\s*$", re.MULTILINE),
    )


# A bare "PA" closing a byline ("By Jane Doe, Pittsburgh, PA") is more often Pennsylvania than the Press Association.
_BYLINE_SPELLINGS = {**WIRE_AGENCIES, "PA Media": r"PA\s+Media|Press\s+Association"}
_WIRE_PATTERNS = {name: _credit_patterns(spelling, _BYLINE_SPELLINGS[name]) for name, spelling in WIRE_AGENCIES.items()}
# Most articles name no agency at all: a look at the article's words saves running the credit patterns
# (each pattern scans the whole text; the words are a set).
_AGENCY_WORDS = {"AP": {"ap", "associated"}, "Reuters": {"reuters"}, "AFP": {"afp", "agence"},
                 "PA Media": {"pa", "association"}, "dpa": {"dpa", "deutsche"}, "Bloomberg": {"bloomberg"},
                 "UPI": {"upi", "united"}}
# Reuters' own credit line closes its stories: "(Reporting by Jane Doe; Editing by John Roe)".
_REUTERS_CREDIT_LINE = re.compile(r"\(?\b(?:Additional\s+)?Reporting\s+by\s+[A-Z][^\n]{0,200}?;\s*(?:Writing|Editing)\s+by\s+[A-Z]")
# Bloomberg's closing lines.
_BLOOMBERG_CONTACT = re.compile(r"To\s+contact\s+the\s+reporters?\s+on\s+this\s+story\s*:")
_OUTLET_WORDS = re.compile(r"[^a-z0-9]+")
_QUOTATION = re.compile(r"\u201c[^\u201d\n]{0,600}\u201d|\"[^\"\n]{0,600}\"")
_WORD = re.compile(r"\w+")
Shingles = frozenset[tuple[str, ...]]
# An article's article-level shingles, evidence-passage shingles and wire credits.
_Signs = tuple[Shingles, Shingles, frozenset[str]]


class MergeKind(str, Enum):
    SAME_TEXT = "same_text"
    SAME_PASSAGE = "same_passage"
    SAME_WIRE = "same_wire"
    SAME_OUTLET = "same_outlet"
    SAME_ORIGIN = "same_origin"  # the caller found the two articles to be copies of one origin (whole articles compared)


@dataclass(frozen=True)
class SourceArticle:
    """An article that supplied evidence: its key (unique), outlet, address, title and body text."""

    key: str
    outlet: str
    url: str = ""
    title: str = ""
    text: str = ""
    # Where the caller grouped the whole articles earlier (the library source knows them, a verdict sees passages): a
    # key the article's copies share, and on a copy why it is one ("same text as Westmark Ledger (93 % shared)").
    origin: str = ""
    origin_note: str = ""


@dataclass(frozen=True)
class MergeReason:
    """Why article `key` is not independent of article `other`."""

    key: str
    other: str
    kind: MergeKind
    other_name: str  # the other article's outlet (or title), as the reason names it
    shared: float | None = None  # SAME_TEXT / SAME_PASSAGE: share of the shorter text's shingles found in the other
    wire: str | None = None  # SAME_WIRE: the agency both credit
    note: str = ""  # SAME_ORIGIN: why, as the caller found it

    @property
    def description(self) -> str:
        if self.kind is MergeKind.SAME_ORIGIN:
            return self.note or f"same origin as {self.other_name}"
        if self.kind is MergeKind.SAME_TEXT:
            return f"same text as {self.other_name} ({round(100 * (self.shared or 0.0))} % shared)"
        if self.kind is MergeKind.SAME_PASSAGE:
            return f"same passage as {self.other_name} ({round(100 * (self.shared or 0.0))} % shared)"
        if self.kind is MergeKind.SAME_WIRE:
            return f"both credit {self.wire}"
        return f"same outlet as {self.other_name}"


@dataclass(frozen=True)
class Origin:
    """Articles that count as one source: the first article's key leads."""

    keys: tuple[str, ...]
    outlets: tuple[str, ...]  # distinct, in input order
    wires: tuple[str, ...]  # agencies credited by any of its articles
    merges: tuple[MergeReason, ...]  # one reason per article after the first

    @property
    def name(self) -> str:
        """Display name: "Reuters (via Outlet A, Outlet B)" for a wire story, else the outlet(s)."""
        if len(self.wires) == 1 and self.outlets != self.wires:
            others = [o for o in self.outlets if _outlet_id(o) != _outlet_id(self.wires[0])]
            return f"{self.wires[0]} (via {', '.join(others)})" if others else self.wires[0]
        return ", ".join(self.outlets)

    def reasons_for(self, key: str) -> tuple[MergeReason, ...]:
        return tuple(m for m in self.merges if m.key == key)


@dataclass(frozen=True)
class OriginGroups:
    """The independent origins among the articles of one claim (or one story)."""

    origins: tuple[Origin, ...]

    @property
    def outlet_count(self) -> int:
        return len({_outlet_id(o) for origin in self.origins for o in origin.outlets})

    @property
    def independent_count(self) -> int:
        return len(self.origins)

    @property
    def summary(self) -> str:
        """ "3 outlets, 2 independent origins" """
        outlets, independent = self.outlet_count, self.independent_count
        return (f"{outlets} outlet{'s' if outlets != 1 else ''}, "
                f"{independent} independent origin{'s' if independent != 1 else ''}")

    def origin_of(self, key: str) -> Origin:
        for origin in self.origins:
            if key in origin.keys:
                return origin
        raise KeyError(key)


def wire_credits(text: str, outlet: str = "") -> frozenset[str]:
    """The news agencies an article credits as its source (see the module docstring), plus the outlet itself
    when it is one of them."""
    words = set(_WORD.findall(text.lower()))
    found = {name for name, patterns in _WIRE_PATTERNS.items()
             if words & _AGENCY_WORDS[name] and any(p.search(text) for p in patterns)}
    if ("Reporting by" in text or "reporting by" in text) and _REUTERS_CREDIT_LINE.search(text):
        found.add("Reuters")
    if _BLOOMBERG_CONTACT.search(text):
        found.add("Bloomberg")
    agency = wire_agency(outlet)
    if agency:
        found.add(agency)
    return frozenset(found)


def wire_agency(outlet: str) -> str | None:
    """The canonical agency name when the outlet is a news agency ("The Associated Press" -> "AP")."""
    for name, spelling in WIRE_AGENCIES.items():
        if re.fullmatch(rf"\s*(?:The\s+)?(?:{spelling})\s*", outlet, re.IGNORECASE):
            return name
    return None


def shingles(text: str, size: int = SHINGLE_WORDS) -> Shingles:
    """Word n-grams of the text with quotations left out, lower-cased (curly apostrophes folded)."""
    words = _WORD.findall(_QUOTATION.sub(" ", text).replace("\u2019", "'").lower())
    return frozenset(tuple(words[i:i + size]) for i in range(len(words) - size + 1))


def shared_share(a: Shingles, b: Shingles, minimum: int = MIN_SHINGLES) -> float:
    """Share of the smaller set found in the other (containment); 0 when either is too short to say."""
    smaller = min(len(a), len(b))
    if smaller < minimum:
        return 0.0
    return len(a & b) / smaller


def group_origins(articles: Sequence[SourceArticle], passages: Mapping[str, str] | None = None) -> OriginGroups:
    """Group the articles into independent origins (order kept: an origin is led by its first article).

    `passages` (article key -> the passage that supplied the evidence), when given, also joins articles whose
    evidence passages are copies of each other even where the rest of the articles differ.
    """
    keys = [a.key for a in articles]
    if len(set(keys)) != len(keys):
        raise ValueError("article keys must be unique")
    texts = [shingles(f"{a.title}\n{a.text}") for a in articles]
    evidence = [shingles((passages or {}).get(a.key, "")) for a in articles]
    credits = [wire_credits(a.text, a.outlet) for a in articles]
    parent = list(range(len(articles)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    merges: list[MergeReason] = []
    for j in range(1, len(articles)):
        for i in range(j):
            reason = _reason(articles[j], articles[i], (texts[j], evidence[j], credits[j]),
                             (texts[i], evidence[i], credits[i]))
            if reason is None:
                continue
            ri, rj = root(i), root(j)
            if ri != rj:
                parent[rj] = ri
                merges.append(reason)
            elif not any(m.key == articles[j].key for m in merges):
                # Already joined through another article: still say why this one belongs.
                merges.append(reason)
    groups: dict[int, list[int]] = {}
    for index in range(len(articles)):
        groups.setdefault(root(index), []).append(index)
    origins = []
    for members in sorted(groups.values(), key=lambda m: m[0]):
        member_keys = tuple(articles[i].key for i in members)
        origins.append(Origin(
            keys=member_keys,
            outlets=_distinct(_outlet_name(articles[i]) for i in members),
            wires=tuple(sorted(set().union(*(credits[i] for i in members)))),
            merges=_one_reason_each(merges, member_keys),
        ))
    return OriginGroups(tuple(origins))


def _reason(article: SourceArticle, other: SourceArticle, signs: _Signs, other_signs: _Signs) -> MergeReason | None:
    """The strongest reason the two articles are not independent, or None. Shared text is the most concrete."""
    (text, passage, credits), (other_text, other_passage, other_credits) = signs, other_signs
    name = _outlet_name(other)
    if article.origin and article.origin == other.origin:
        # Copies of one article at the article level: every passage of theirs is one origin's, however short.
        return MergeReason(article.key, other.key, MergeKind.SAME_ORIGIN, name, note=article.origin_note)
    share = shared_share(text, other_text)
    if share >= SAME_TEXT_SHARE:
        return MergeReason(article.key, other.key, MergeKind.SAME_TEXT, name, shared=share)
    passage_share = shared_share(passage, other_passage, MIN_PASSAGE_SHINGLES)
    if passage_share >= SAME_PASSAGE_SHARE:
        return MergeReason(article.key, other.key, MergeKind.SAME_PASSAGE, name, shared=passage_share)
    common = sorted(credits & other_credits)
    if common:
        return MergeReason(article.key, other.key, MergeKind.SAME_WIRE, name, wire=common[0])
    outlet = _outlet_of(article)
    if outlet and outlet == _outlet_of(other):
        return MergeReason(article.key, other.key, MergeKind.SAME_OUTLET, name)
    return None


def _one_reason_each(merges: Iterable[MergeReason], keys: tuple[str, ...]) -> tuple[MergeReason, ...]:
    """The first reason found for each article of the origin but its first."""
    chosen: dict[str, MergeReason] = {}
    for merge in merges:
        if merge.key in keys[1:] and merge.key not in chosen:
            chosen[merge.key] = merge
    return tuple(chosen[k] for k in keys[1:] if k in chosen)


def _outlet_name(article: SourceArticle) -> str:
    """How to name the article's source: its outlet, else its web site, else its title or key."""
    return article.outlet.strip() or _outlet_of(article) or article.title or article.key


def _outlet_of(article: SourceArticle) -> str:
    """The article's outlet, or its web site's host when no outlet is named ("" when neither is known)."""
    if article.outlet.strip():
        return _outlet_id(article.outlet)
    host = urlsplit(article.url).hostname or ""
    return host.removeprefix("www.")


def _outlet_id(outlet: str) -> str:
    agency = wire_agency(outlet)
    if agency:
        return agency.lower()
    name = _OUTLET_WORDS.sub(" ", outlet.lower()).strip()
    return name.removeprefix("the ")


def _distinct(values: Iterable[str]) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for value in values:
        seen.setdefault(_outlet_id(value), value)
    return tuple(seen.values())
