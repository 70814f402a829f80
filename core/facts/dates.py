"""Dates in English news text: full dates, months with years, weekdays, years and year ranges.

Read with patterns over tokens rather than dateparser: dateparser took
0.9 ms for each string it parses (it must also be told where a date is), while
news writes dates in a handful of forms. Each date keeps the fields it states
(a weekday alone states no year), so "Monday" and "4 January 2019" are
compared only on what both say.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass, replace

from .measures import DATE_ROLE_FILLER, DATE_ROLE_OF
from .quantities import is_year
from .words import Token, neighbour_words

MONTHS = {name: index + 1 for index, names in enumerate((
    "january jan", "february feb", "march mar", "april apr", "may", "june jun", "july jul", "august aug",
    "september sep sept", "october oct", "november nov", "december dec")) for name in names.split()}
WEEKDAYS = {name: index for index, names in enumerate((
    "monday mon", "tuesday tue tues", "wednesday wed", "thursday thu thur thurs", "friday fri", "saturday sat",
    "sunday sun")) for name in names.split()}
# Short forms only count with a capital and, for months, next to a day or a year ("Jan 4", "Dec. 2019").
_SHORT = frozenset(n for n in list(MONTHS) + list(WEEKDAYS) if len(n) <= 4 and n not in ("may", "june", "july"))
# "May" is also a verb: as a month it needs a day or a year beside it, or "in"/"since"... before it.
_BEFORE_MONTH = frozenset("in since until till by early late mid last next this from of during before after".split())
_RANGE_WORDS = frozenset({"to", "-", "–", "until", "through", "and"})


@dataclass(frozen=True)
class DateFact:
    """A date as written and the fields it states; ``to_year`` closes a range ("from 2010 to 2015")."""

    text: str
    start: int
    end: int
    sentence: int
    year: int | None = None
    month: int | None = None
    day: int | None = None
    weekday: int | None = None
    to_year: int | None = None
    neighbours: frozenset[str] = frozenset()  # see core.facts.words.neighbour_words
    role: str = ""  # what it is the date of, from the words before it: "start", "opening", "completion" or ""

    @property
    def granularity(self) -> str:
        """"day" (a day or weekday), "month" or "year": dates of one granularity are rivals for one point."""
        return "day" if self.day is not None or self.weekday is not None else ("month" if self.month is not None else "year")

    def fields(self) -> dict[str, int]:
        return {k: v for k, v in (("year", self.year), ("month", self.month), ("day", self.day),
                                  ("weekday", self.weekday)) if v is not None}

    def agrees_with(self, other: DateFact) -> bool | None:
        """True when they state the same value on every field both state, False on a difference, None with none shared.

        A year and a range of years are compared only when the year falls outside the
        range (False): "2012" is in "from 2010 to 2015" but does not confirm it (None).
        """
        if self.year is not None and other.year is not None:
            a = (self.year, self.to_year or self.year)
            b = (other.year, other.to_year or other.year)
            if (self.to_year is None) != (other.to_year is None):
                return None if a[0] <= b[1] and b[0] <= a[1] else False
            if a != b:
                return False
        mine, theirs = self.fields(), other.fields()
        shared = [k for k in mine if k in theirs and k != "year"]
        if any(mine[k] != theirs[k] for k in shared):
            return False
        if shared or (self.year is not None and other.year is not None):
            return True
        return None


def _month(tokens: list[Token], i: int) -> int | None:
    t = tokens[i] if 0 <= i < len(tokens) else None
    if t is None or not t.is_word or t.lower not in MONTHS:
        return None
    if (t.lower in _SHORT or t.lower == "may") and not t.capitalised:
        return None
    return MONTHS[t.lower]


def _day(tokens: list[Token], i: int) -> int | None:
    t = tokens[i] if 0 <= i < len(tokens) else None
    if t is None or not t.text.isdigit() or len(t.text) > 2 or not 1 <= int(t.text) <= 31:
        return None
    return int(t.text)


def _year(tokens: list[Token], i: int) -> int | None:
    return int(tokens[i].text) if 0 <= i < len(tokens) and is_year(tokens, i) else None


def _skip(tokens: list[Token], i: int, *texts: str) -> int:
    """The index after optional tokens ``texts`` at ``i`` (commas, "of", ordinal endings, a full stop after "Jan")."""
    while i < len(tokens) and tokens[i].lower in texts:
        i += 1
    return i


def _at(tokens: list[Token], i: int) -> tuple[dict[str, int], int] | None:
    """The date starting at ``tokens[i]`` as fields and the index after it, if one starts there."""
    fields: dict[str, int] = {}
    j = i
    t = tokens[i]
    if t.is_word and t.lower in WEEKDAYS and t.capitalised:
        fields["weekday"] = WEEKDAYS[t.lower]
        j = _skip(tokens, i + 1, ",", ".") if t.lower in _SHORT else _skip(tokens, i + 1, ",")
        if _month(tokens, j) is None and _day(tokens, j) is None:
            return (fields, i + 1) if t.lower not in _SHORT else None
    month = _month(tokens, j)
    if month is not None:
        k = _skip(tokens, j + 1, ".")
        day = _day(tokens, k)
        if day is not None:
            fields.update(month=month, day=day)
            k = _skip(tokens, k + 1, "st", "nd", "rd", "th")
            y = _year(tokens, _skip(tokens, k, ","))
            if y is not None:
                fields["year"] = y
                k = _skip(tokens, k, ",") + 1
            return fields, k
        y = _year(tokens, _skip(tokens, k, ",", "of"))
        if y is not None:  # "March 2027", "April of 2018"
            fields.update(month=month, year=y)
            return fields, _skip(tokens, k, ",", "of") + 1
        if tokens[j].lower in ("may", "march") and not (j > 0 and tokens[j - 1].lower in _BEFORE_MONTH):
            return None
        if tokens[j].lower in _SHORT:
            return None
        fields["month"] = month
        return fields, j + 1
    day = _day(tokens, j)
    if day is not None:
        k = _skip(tokens, j + 1, "st", "nd", "rd", "th", "of")
        month = _month(tokens, k)
        if month is not None:
            fields.update(day=day, month=month)
            k = _skip(tokens, k + 1, ".")
            y = _year(tokens, _skip(tokens, k, ","))
            if y is not None:
                fields["year"] = y
                k = _skip(tokens, k, ",") + 1
            return fields, k
    if fields:
        return fields, i + 1
    y = _year(tokens, j)
    if y is not None:
        fields["year"] = y
        k = j + 1
        ranged = k + 1 < len(tokens) and tokens[k].lower in _RANGE_WORDS and tokens[k].sentence == tokens[j].sentence
        if ranged and (tokens[k].lower != "and" or (j > 0 and tokens[j - 1].lower == "between")):
            to_year = _year(tokens, k + 1)
            if to_year is None and tokens[k + 1].text.isdigit() and len(tokens[k + 1].text) == 2:
                to_year = y // 100 * 100 + int(tokens[k + 1].text)  # "2010-15"
            if to_year is not None and to_year > y:
                fields["to_year"] = to_year
                k += 2
        return fields, k
    return None


def _role(tokens: list[Token], first: int) -> str:
    """The role of a date from the words before it: "due to start in March 2027" -> "start" (see measures)."""
    for k in range(first - 1, max(first - 7, -1), -1):
        t = tokens[k]
        if not t.is_word or t.sentence != tokens[first].sentence:
            return ""
        if t.lower in DATE_ROLE_OF:
            return DATE_ROLE_OF[t.lower]
        if t.lower not in DATE_ROLE_FILLER:
            return ""
    return ""


def read_dates(tokens: list[Token], text: str) -> tuple[list[DateFact], frozenset[int]]:
    """Dates in ``tokens`` (tokenize over ``text``) and the token indices they take (not to be read as quantities)."""
    dates: list[DateFact] = []
    taken: set[int] = set()
    i = 0
    while i < len(tokens):
        found = _at(tokens, i) if tokens[i].is_word or tokens[i].is_digits else None
        if found is None:
            i += 1
            continue
        fields, end = found
        first = i - 1 if i > 0 and tokens[i - 1].lower in ("from", "between") and "to_year" in fields else i
        dates.append(DateFact(text[tokens[first].start:tokens[end - 1].end], tokens[first].start, tokens[end - 1].end,
                              tokens[i].sentence, fields.get("year"), fields.get("month"), fields.get("day"),
                              fields.get("weekday"), fields.get("to_year"), neighbour_words(tokens, first, end - 1),
                              _role(tokens, first)))
        taken.update(range(i, end))
        i = end
    return dates, frozenset(taken)


def publication_day(published: str | None) -> datetime.date | None:
    """The day an article was published, from an ISO date or date-time ("2018-05-23", "2018-05-23T10:00:00+00:00")."""
    if not published:
        return None
    try:
        return datetime.date.fromisoformat(published.strip()[:10])
    except ValueError:
        return None


# A weekday in a news report is one of the last six days before publication, or the day itself ("on Tuesday").
_WEEK = 7


def resolved(date: DateFact, published: datetime.date | None) -> DateFact | None:
    """The date with the fields its article's publication day implies, or None when it implies none.

    "Tuesday" in a report published on Thursday 20 May 2021 is 18 May 2021; "May 18" without a year is in the
    publication's year (the year before when that would be more than a month after publication). A day with a
    month and year gains its weekday.
    """
    if published is None:
        return None
    if date.weekday is not None and date.month is None and date.day is None and date.year is None:
        day = published - datetime.timedelta(days=(published.weekday() - date.weekday) % _WEEK)
        return replace(date, year=day.year, month=day.month, day=day.day)
    if date.month is not None and date.day is not None and date.to_year is None:
        year = date.year
        if year is None:
            year = published.year
            if datetime.date(year, date.month, min(date.day, 28)) > published + datetime.timedelta(days=31):
                year -= 1
        try:
            weekday = datetime.date(year, date.month, date.day).weekday()
        except ValueError:
            return None
        if date.weekday is not None and date.weekday != weekday:
            return None
        return replace(date, year=year, weekday=weekday)
    return None

