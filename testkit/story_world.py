"""A three-outlet test world: one story told by three outlets, with its ground truth.

Invented for the project (no real outlet, place or person; the texts are the project's own and may be used
freely). The Arlenburg tram extension was approved by the city council; the Arlenburg Courier and the
Westmark Ledger report the same cost, start date, state share and vote, each in its own words and number
formats; the Metro Post reports other values for all four. All three give the same length of the line,
the figure that the other two outlets confirm whichever article is checked. A fourth outlet's light
rewrite of the Ledger's report (`REPRINT`) is kept apart from the world, for tests of independent origins.

Ground truth: `FIGURES` (each checkable figure: which article, the exact sentence, the value as written
and normalised), `CORROBORATED` (claims another independent outlet restates and none contradicts) and
`CONFLICTS` (the four points, each with the figure the two agreeing outlets give and the Metro Post's).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date


def _unwrap(text: str) -> str:
    """The text with one line a paragraph, as articles are pasted or fetched (the source is wrapped for reading)."""
    return "\n\n".join(" ".join(p.split("\n")) for p in text.strip().split("\n\n")) + "\n"


@dataclass(frozen=True)
class WorldArticle:
    key: str
    outlet: str
    url: str
    published: date
    title: str
    text: str


@dataclass(frozen=True)
class Figure:
    """One checkable figure in one article: `written` appears verbatim in `sentence`, which appears in the text."""

    article: str  # WorldArticle.key
    point: str  # what it measures: "cost", "start", "state_share", "vote", "length"
    sentence: str
    written: str
    value: float | str  # normalised: euros, "YYYY-MM", a fraction, "yes-no", kilometres
    unit: str


@dataclass(frozen=True)
class Conflict:
    """A point on which the outlets disagree: the value the majority gives and the one the Metro Post gives."""

    point: str
    agreed: tuple[Figure, ...]  # the Courier's and the Ledger's figures (same value)
    disputed: Figure  # the Metro Post's

    @property
    def figures_side_by_side(self) -> tuple[str, str]:
        return self.agreed[0].written, self.disputed.written


@dataclass(frozen=True)
class Corroboration:
    """A claim (a figure of one article) that every other outlet restates, none contradicting."""

    claim: Figure
    restated_by: tuple[Figure, ...]


COURIER = WorldArticle(
    key="courier",
    outlet="Arlenburg Courier",
    url="https://courier.example/news/2026/06/09/tram-extension-approved",
    published=date(2026, 6, 9),
    title="Council approves eastern tram extension",
    text=_unwrap("""Council approves eastern tram extension

ARLENBURG - Arlenburg city council on Monday approved the long-debated extension of the number 4 tram line to
the eastern districts of Kessel and Marwitz, ending two years of argument over its route.

Councillors voted 31 votes to 14 in favour after a three-hour debate. The extension will cost €412 million,
according to the final budget presented by the city's transport department.

The new section will be 9.4 km long, with eleven stops, and is meant to carry about 28,000 passengers a day
once it opens.

The state of Westmark will cover 60 per cent of the cost under its regional transport programme; the city
and the federal government will share the rest.

Construction is due to start in March 2027. Transport councillor Maren Vogt called the vote "the most
important decision for the east of the city in a generation".

Opposition councillors argued that the money would be better spent on buses, which could reach more of the
eastern districts sooner. "We are building a monument, not a network," said councillor Jens Albers.
"""),
)

LEDGER = WorldArticle(
    key="ledger",
    outlet="Westmark Ledger",
    url="https://ledger.example/region/arlenburg-tram-vote",
    published=date(2026, 6, 10),
    title="Arlenburg's tram heads east after council vote",
    text=_unwrap("""Arlenburg's tram heads east after council vote

The eastern districts of Arlenburg will get their tram. After a heated session that ran late into Monday
evening, the city council backed the extension of line 4 to Kessel and Marwitz by 31-14.

The project's budget stands at 412 million euros. Westmark will pay 60% of it from the state's regional
transport fund, a share the state's transport ministry confirmed on Tuesday.

Work on the 9.4-kilometre line is scheduled to begin in March 2027, with the first trams expected to run
three years later.

Supporters say the line will relieve the overcrowded bus routes along Marwitzer Allee. Critics in the
council, led by Jens Albers, warned that costs on similar projects elsewhere had risen sharply once work
began, and asked for an independent review of the budget before contracts are signed.

Mayor Ulrike Brandt said the city had "learned the lessons" of earlier projects and would publish quarterly
reports on spending.
"""),
)

METRO = WorldArticle(
    key="metro",
    outlet="Metro Post",
    url="https://metropost.example/city/tram-line-4-extension",
    published=date(2026, 6, 9),
    title="Tram extension gets green light despite cost fears",
    text=_unwrap("""Tram extension gets green light despite cost fears

Arlenburg's council gave the go-ahead on Monday for the eastern extension of tram line 4, a route of 9.4
kilometres to Kessel and Marwitz.

The council approved the plan by 27 votes to 18, with several members of the governing coalition voting
against.

The extension is budgeted at €385m. The state of Westmark is to contribute 40 per cent of the cost, leaving
the city with a larger bill than its leaders had hoped.

Building work is set to begin in September 2026, according to the city's transport department.

Residents of Kessel, where the line will end, have campaigned for a tram connection for more than a decade.
"It has taken far too long, but we are glad it is finally happening," said Petra Lindner of the Kessel
residents' association.
"""),
)

ARTICLES: tuple[WorldArticle, ...] = (COURIER, LEDGER, METRO)

# A fourth outlet's light rewrite of the Ledger's report: a copy, not a fourth independent source.
REPRINT = WorldArticle(
    key="reprint",
    outlet="Eastside Weekly",
    url="https://eastside.example/2026/06/11/tram",
    published=date(2026, 6, 11),
    title="Tram to Kessel and Marwitz approved",
    text=LEDGER.text.replace("Arlenburg's tram heads east after council vote", "Tram to Kessel and Marwitz approved")
    .replace("The eastern districts of Arlenburg will get their tram.", "Kessel and Marwitz will get their tram.")
    .replace("a share the state's transport ministry confirmed on Tuesday",
             "a share confirmed by the state's transport ministry on Tuesday"),
)


def _figure(article: WorldArticle, point: str, sentence: str, written: str, value: float | str, unit: str) -> Figure:
    return Figure(article.key, point, sentence, written, value, unit)


FIGURES: tuple[Figure, ...] = (
    _figure(COURIER, "vote", "Councillors voted 31 votes to 14 in favour after a three-hour debate.",
            "31 votes to 14", "31-14", "votes"),
    _figure(COURIER, "cost", "The extension will cost €412 million, according to the final budget presented by the "
            "city's transport department.", "€412 million", 412e6, "EUR"),
    _figure(COURIER, "length", "The new section will be 9.4 km long, with eleven stops, and is meant to carry about "
            "28,000 passengers a day once it opens.", "9.4 km", 9.4, "km"),
    _figure(COURIER, "state_share", "The state of Westmark will cover 60 per cent of the cost under its regional "
            "transport programme; the city and the federal government will share the rest.", "60 per cent", 0.6,
            "share"),
    _figure(COURIER, "start", "Construction is due to start in March 2027.", "March 2027", "2027-03", "month"),
    _figure(LEDGER, "vote", "After a heated session that ran late into Monday evening, the city council backed the "
            "extension of line 4 to Kessel and Marwitz by 31-14.", "31-14", "31-14", "votes"),
    _figure(LEDGER, "cost", "The project's budget stands at 412 million euros.", "412 million euros", 412e6, "EUR"),
    _figure(LEDGER, "state_share", "Westmark will pay 60% of it from the state's regional transport fund, a share the "
            "state's transport ministry confirmed on Tuesday.", "60%", 0.6, "share"),
    _figure(LEDGER, "length", "Work on the 9.4-kilometre line is scheduled to begin in March 2027, with the first trams "
            "expected to run three years later.", "9.4-kilometre", 9.4, "km"),
    _figure(LEDGER, "start", "Work on the 9.4-kilometre line is scheduled to begin in March 2027, with the first trams "
            "expected to run three years later.", "March 2027", "2027-03", "month"),
    _figure(METRO, "length", "Arlenburg's council gave the go-ahead on Monday for the eastern extension of tram line 4, "
            "a route of 9.4 kilometres to Kessel and Marwitz.", "9.4 kilometres", 9.4, "km"),
    _figure(METRO, "vote", "The council approved the plan by 27 votes to 18, with several members of the governing "
            "coalition voting against.", "27 votes to 18", "27-18", "votes"),
    _figure(METRO, "cost", "The extension is budgeted at €385m.", "€385m", 385e6, "EUR"),
    _figure(METRO, "state_share", "The state of Westmark is to contribute 40 per cent of the cost, leaving the city with "
            "a larger bill than its leaders had hoped.", "40 per cent", 0.4, "share"),
    _figure(METRO, "start", "Building work is set to begin in September 2026, according to the city's transport "
            "department.", "September 2026", "2026-09", "month"),
)

CONFLICT_POINTS = ("cost", "start", "state_share", "vote")
SHARED_POINT = "length"


def figure(article: WorldArticle, point: str) -> Figure:
    """The figure an article gives for a point."""
    (found,) = [f for f in FIGURES if f.article == article.key and f.point == point]
    return found


CONFLICTS: tuple[Conflict, ...] = tuple(
    Conflict(point, (figure(COURIER, point), figure(LEDGER, point)), figure(METRO, point)) for point in CONFLICT_POINTS)

# The length of the line: whichever article is checked, the other two outlets restate it.
CORROBORATED: tuple[Corroboration, ...] = tuple(
    Corroboration(figure(article, SHARED_POINT), tuple(figure(other, SHARED_POINT) for other in ARTICLES if other != article))
    for article in ARTICLES)

# Every claim of the world: 15 figures, 3 corroborated, 12 in conflict (each of the four points in each article).
# A pipeline that decides any of the 12 as plainly supported or refuted, without the conflict, overclaims.
