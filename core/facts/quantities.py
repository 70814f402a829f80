"""Quantities in English news text: value, the interval its wording allows, unit and what it measures.

A fact-checker compares figures, not strings: "more than 3,000" is stated
again by "3,248"; "an estimated 25 million" is not "more than 50 million";
"a third of" is "33 %". So each figure becomes an interval from its
qualifier ("more than", "about", "nearly") and its rounding ("3.2 million"),
with a unit (%, a currency, km, age, score) and a measure (the counted noun,
see core.facts.measures). Years are dates (core.facts.dates), not quantities.
"""
from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass, replace

from . import measures
from .numbers import SCALES, SHORT_SCALES, Number, read_number, read_share
from .words import STOPWORDS, Token, neighbour_words, stem

INF = math.inf
# Qualifiers before a figure and their kind ("above": open above; "below": open below or
# nearly; "about": ±10 %), longest first so that "just over" is not read as "over".
_QUALIFIERS: tuple[tuple[tuple[str, ...], str], ...] = tuple(sorted((
    (tuple(phrase.split()), kind) for kind, phrases in (
        ("above", ("more than", "over", "above", "exceeding", "in excess of", "upwards of", "greater than",
                   "higher than", "at least", "no fewer than", "no less than", "a minimum of", "just over",
                   "just above", "slightly more than", "well over", "well above", "beyond")),
        ("below", ("less than", "fewer than", "under", "below", "lower than", "at most", "up to", "no more than",
                   "a maximum of", "as many as", "as much as", "just under", "just below", "nearly", "almost",
                   "close to", "not quite", "just shy of", "approaching")),
        ("about", ("about", "around", "approximately", "roughly", "some", "an estimated", "estimated", "circa",
                   "approx", "an approximate", "approximate", "an average of", "on average", "a reported", "reportedly")),
    ) for phrase in phrases), key=lambda entry: -len(entry[0])))
# "nearly 50" stands for [45, 50]: a figure more than 10 % away would not be called "nearly".
_NEAR = frozenset({"nearly", "almost", "close to", "not quite", "just shy of", "approaching", "just under", "just below"})
_JUST_OVER = frozenset({"just over", "just above", "slightly more than"})
CURRENCY_SYMBOLS = {"$": "USD", "£": "GBP", "€": "EUR", "¥": "JPY", "₹": "INR"}
CURRENCY_WORDS = {"dollar": "USD", "usd": "USD", "euro": "EUR", "eur": "EUR", "pound": "GBP", "gbp": "GBP",
                  "sterling": "GBP", "yen": "JPY", "jpy": "JPY", "rupee": "INR", "yuan": "CNY", "renminbi": "CNY",
                  "franc": "CHF", "rouble": "RUB", "ruble": "RUB"}
CURRENCY_CODES = frozenset(CURRENCY_SYMBOLS.values()) | frozenset(CURRENCY_WORDS.values())
UNIT_WORDS = {"km": "km", "kilometre": "km", "kilometer": "km", "mile": "mile", "metre": "m", "meter": "m",
              "kg": "kg", "kilogram": "kg", "kilo": "kg", "tonne": "tonne", "ton": "tonne", "hectare": "ha",
              "acre": "acre", "degree": "degree", "mph": "mph", "foot": "ft", "feet": "ft", "ft": "ft", "cm": "cm",
              "inch": "inch", "litre": "litre", "liter": "litre", "barrel": "barrel", "mw": "MW", "gw": "GW",
              "hour": "hour", "minute": "minute", "day": "day", "week": "week", "month": "month", "year": "year",
              "decade": "decade", "seat": "seat"}
# What a unit of measure measures, to name a figure's point: "9.4 km long" and "the 9.4-kilometre line" give its length.
UNIT_DIMENSIONS = {"km": "length", "mile": "length", "m": "length", "ft": "length", "cm": "length", "inch": "length",
                   "kg": "weight", "tonne": "weight", "ha": "area", "acre": "area", "degree": "degrees", "mph": "speed",
                   "litre": "volume", "barrel": "volume", "MW": "power", "GW": "power", "seat": "seats",
                   **{unit: "duration" for unit in ("hour", "minute", "day", "week", "month", "year", "decade")}}
_RATES = {("a", "year"): "year", ("per", "year"): "year", ("each", "year"): "year", ("every", "year"): "year",
          ("annually",): "year", ("yearly",): "year", ("per", "annum"): "year", ("a", "month"): "month",
          ("per", "month"): "month", ("monthly",): "month", ("a", "week"): "week", ("per", "week"): "week",
          ("weekly",): "week", ("a", "day"): "day", ("per", "day"): "day", ("daily",): "day", ("an", "hour"): "hour",
          ("per", "hour"): "hour"}
# Words of a body deciding by a vote, beside a score: "the council backed the extension by 31-14" is its vote.
_DECIDED = frozenset("approved approve approves passed rejected rejects backed endorsed adopted".split())
_SCORE_CONTEXT = frozenset((
    "approved passed rejected vote voted votes ruled ruling decision won win beat defeated lost score majority "
    "margin verdict jury judges justices final match backed endorsed"
).split())
# Words before a year that make it one whatever follows ("in 2019 prices rose").
_BEFORE_YEAR = frozenset("in since until by from of during before after between and to early late mid circa".split())
_MONTHS = frozenset("january february march april may june july august september october november december".split())


@dataclass(frozen=True)
class Quantity:
    """One figure as a fact: what was written, the values it stands for, its unit and what it measures.

    ``low``/``high`` bound the values the wording allows (inf when open);
    ``unit``: "" for counts, "%", a currency code, a unit of measure, "age"
    or "score"; ``measure``: the canonical counted noun ("death", "case",
    "cost"), "" when none was found; ``per``: the period of a rate ("year");
    ``actor``: whose age; ``second``: the other side of a score ("6 to 3").
    """

    text: str
    value: float
    low: float
    high: float
    unit: str
    measure: str
    measure_text: str
    start: int
    end: int
    sentence: int
    per: str = ""
    actor: str = ""
    second: float | None = None
    base: tuple[float, float] = (0.0, 0.0)  # the number's own interval, before its qualifier
    is_range: bool = False  # "between 36 and 40": two ranges agree only on both ends
    approximate: bool = False  # "about", "some", "an estimated"
    neighbours: frozenset[str] = frozenset()  # the content words right before and after it ("received", "seats")
    # A number that names something ("tram line 4", "flight 1344", "section 6"): another value in a near copy
    # conflicts, but a passage need not repeat it to restate the claim.
    identifier: bool = False

    def agrees_with(self, other: Quantity) -> bool:
        """Whether some value satisfies both wordings: their intervals overlap (scores: both sides equal).

        Two bounds open on the same side agree only on the same number: "more than
        85 %" and "more than 34 %" are both true of 90 %, but an outlet writing
        the second does not confirm the first.
        """
        if self.second is not None or other.second is not None:
            return {self.value, self.second} == {other.value, other.second}
        if self.is_range and other.is_range:
            return _close(self.base[0], other.base[0]) and _close(self.base[1], other.base[1])
        if (self.high == other.high == INF) or (self.low == other.low == 0.0 and self.base[0] > 0 and other.base[0] > 0):
            return _overlap(self.base, other.base)
        if self.approximate and other.approximate:
            # "about 20 %" and "about 23 %": two estimates agree within 10 %, not within 10 % of each.
            return _overlap(_widened(self, 0.05), _widened(other, 0.05))
        return _overlap((self.low, self.high), (other.low, other.high))


def point_name(c: Quantity, words: Collection[str]) -> str:
    """What the claim's figure ``c`` and the passage's figure it is compared with are of (``words``: their two
    sentences' words), for the reader: the one name the verdict, the
    evidence cards and Compare give the point, by the measure's family whichever outlet's word the claim uses.

    "cost" for "is budgeted at €385m"; "deaths" for "28 people died"; "length" for "9.4 km long"; "share of the
    cost" for "will pay 60% of it"; a score "vote" where either sentence speaks of voting or of a body deciding
    ("backed the extension by 31-14", "by 27 votes to 18"), else "score"; "age of kenteris". "" when unknown (a bare count, a percentage of nothing named): such figures
    never conflict (core.fact_stance).
    """
    if c.unit == "age":
        return f"age of {c.actor}" if c.actor else "age"
    if c.unit == "%" and c.measure == "cost":
        return "share of the cost"  # "60 per cent of the cost", "will pay 60% of it": a share, not a cost
    if c.unit == "score":
        return "vote" if any(w.startswith(("vot", "ballot")) or w in _DECIDED for w in words) else "score"
    if c.unit in UNIT_DIMENSIONS:
        return UNIT_DIMENSIONS[c.unit]
    if c.measure:
        return measures.measure_name(c.measure, c.measure_text)
    if c.unit in CURRENCY_CODES:
        return "amount"
    return "" if c.unit in ("", "%") else c.unit


def _widened(q: Quantity, share: float) -> tuple[float, float]:
    return min(q.base[0], (1 - share) * q.value), max(q.base[1], (1 + share) * q.value)


def _overlap(a: tuple[float, float], b: tuple[float, float]) -> bool:
    """Whether two intervals share a value; rounding intervals that only touch do not ("2 %" and "3 %" meet at 2.5)."""
    low, high = max(a[0], b[0]), min(a[1], b[1])
    return low < high or (low == high and (a[0] == a[1] or b[0] == b[1]))


_DURATIONS = frozenset({"hour", "minute", "day", "week", "month", "year", "decade"})


def _rounded(number: Number, written: str) -> Number:
    """A percentage stands for what rounds to it: "60 %" is [59.5, 60.5], "7.5 per cent" [7.45, 7.55]."""
    digits = written.replace(",", "")
    half = (10.0 ** -len(digits.split(".")[1]) if "." in digits else 1.0) / 2
    return Number(number.value, number.value - half, number.value + half, number.first, number.last, number.scaled)


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def _qualifier(tokens: list[Token], i: int) -> tuple[str, int]:
    """The qualifier phrase ending right before ``tokens[i]`` ("more than") and its first token index."""
    for phrase, _kind in _QUALIFIERS:
        n = len(phrase)
        if i - n >= 0 and tuple(t.lower for t in tokens[i - n:i]) == phrase and tokens[i - n].sentence == tokens[i].sentence:
            return " ".join(phrase), i - n
    return "", i


def _kind(qualifier: str) -> str:
    return next((k for p, k in _QUALIFIERS if " ".join(p) == qualifier), "")


def _interval(number: Number, qualifier: str) -> tuple[float, float]:
    low, high = number.low, number.high
    if not qualifier:
        return low, high
    kind = _kind(qualifier)
    if qualifier in _NEAR:
        return 0.9 * number.value, high
    if qualifier in _JUST_OVER:
        return low, 1.1 * number.value
    if kind == "above":
        return low, INF
    if kind == "below":
        return 0.0, high
    return min(low, 0.9 * number.value), max(high, 1.1 * number.value)


def is_year(tokens: list[Token], i: int) -> bool:
    """Whether the digits at ``tokens[i]`` are a year: 1500-2100, no separator, no unit, and no counted noun after.

    "in 2019" and "2019's" are years; "2000 people" and "1,500 troops" are not.
    """
    t = tokens[i]
    if not (t.is_digits and len(t.text) == 4 and t.text.isdigit() and 1500 <= int(t.text) <= 2100):
        return False
    if i > 0 and tokens[i - 1].text in CURRENCY_SYMBOLS:
        return False
    if i + 1 < len(tokens) and tokens[i + 1].sentence == t.sentence:
        nxt = tokens[i + 1].lower
        if nxt in SCALES or nxt in ("%", "per", "percent") or (nxt in SHORT_SCALES and tokens[i + 1].start == t.end):
            return False
    if i > 0 and tokens[i - 1].lower in _BEFORE_YEAR:
        return True  # "in 2019 prices rose"
    # A counted noun right after, or after one more word: "2000 people", "1799 parking spaces".
    for k in (i + 1, i + 2):
        if k >= len(tokens) or tokens[k].sentence != t.sentence or not tokens[k].is_word or tokens[k].capitalised:
            return True
        word = tokens[k].lower
        if word in STOPWORDS or word in _MONTHS:
            return True
        if (word.endswith("s") and not word.endswith(("'s", "’s"))) or word in ("people", "children", "police", "staff"):
            return False
    return True


def _skipped(tokens: list[Token], i: int) -> bool:
    """Digits that are not a figure: ordinals ("4th"), times ("6:30", "6am"), numbers in names ("Flight 370", "COVID-19")."""
    t = tokens[i]
    nxt = tokens[i + 1] if i + 1 < len(tokens) else None
    attached = nxt is not None and nxt.start == t.end
    if attached and (nxt.lower in ("st", "nd", "rd", "th", "am", "pm", "s") or nxt.text == ":"):
        return True
    if nxt is not None and nxt.lower in ("a", "p") and i + 2 < len(tokens) and tokens[i + 2].text == ".":
        return True  # "10 a.m."
    if i == 0:
        return False
    prev = tokens[i - 1]
    if prev.text in ("-", "#") and prev.start == (tokens[i - 2].end if i > 1 else -1) and prev.end == t.start:
        return True
    if prev.text == ":" and prev.end == t.start:
        return True
    if nxt is not None and (nxt.text == "%" or nxt.lower in ("percent", "per") or nxt.lower in SCALES
                            or stem(nxt.lower) in UNIT_WORDS or stem(nxt.lower) in CURRENCY_WORDS):
        return False  # "Biden led Trump 47 percent", "the Prime Minister 2 days earlier": a figure after a name
    opens_sentence = i < 2 or tokens[i - 2].sentence != prev.sentence
    if opens_sentence and (prev.lower.endswith(("ing", "ed", "ly")) or prev.lower in ("age", "aged")):
        return False  # "Earning 3.27 percent ...", "Age 29, ...": a word opening the sentence, not a name
    if nxt is not None and nxt.is_word and not nxt.capitalised and stem(nxt.lower) != nxt.lower \
            and nxt.lower not in STOPWORDS:
        return False  # "sold Paddock 720 rounds": a plural noun after it counts, the name before is the object
    return (prev.is_word and prev.capitalised and prev.lower not in STOPWORDS
            and prev.lower not in _MONTHS and _qualifier(tokens, i)[0] == "" and prev.text not in ("US", "A", "C", "HK"))


def _unit_after(tokens: list[Token], j: int) -> tuple[str, int]:
    """A unit written after a figure ending before ``j``: "%", "per cent", "dollars", "km" ... and the next index."""
    if j >= len(tokens):
        return "", j
    if tokens[j].text == "-" and j + 1 < len(tokens) and tokens[j - 1].end == tokens[j].start \
            and stem(tokens[j + 1].lower) in UNIT_WORDS and stem(tokens[j + 1].lower) not in _DURATIONS:
        j += 1  # "the 9.4-kilometre line"
    word = tokens[j].lower
    if word == "%":
        return "%", j + 1
    if word in ("percent", "pc", "pct"):
        return "%", j + 1
    if word == "per" and j + 1 < len(tokens) and tokens[j + 1].lower == "cent":
        return "%", j + 2
    if word in ("percentage", "%") and j + 1 < len(tokens) and tokens[j + 1].lower in ("point", "points"):
        return "pp", j + 2
    if word == "us" and j + 1 < len(tokens) and stem(tokens[j + 1].lower) == "dollar":
        return "USD", j + 2
    key = stem(word)
    if key in CURRENCY_WORDS:
        return CURRENCY_WORDS[key], j + 1
    if key in UNIT_WORDS and not (key in ("year", "month", "week", "day") and j + 1 < len(tokens)
                                  and tokens[j + 1].lower in ("old", "-")):
        return UNIT_WORDS[key], j + 1
    return "", j


def _currency_before(tokens: list[Token], i: int) -> tuple[str, int]:
    if i > 0 and tokens[i - 1].text in CURRENCY_SYMBOLS:
        k = i - 1
        if k > 0 and tokens[k - 1].text in ("US", "A", "C", "HK", "NZ") and tokens[k - 1].end == tokens[k].start:
            k -= 1
        code = {"A": "AUD", "C": "CAD", "HK": "HKD", "NZ": "NZD"}.get(tokens[k].text, CURRENCY_SYMBOLS[tokens[i - 1].text])
        return code, k
    if i > 0 and tokens[i - 1].lower in ("usd", "eur", "gbp", "jpy", "chf", "cny", "inr"):
        return tokens[i - 1].text.upper(), i - 1
    return "", i


def _rate_after(tokens: list[Token], j: int) -> tuple[str, int]:
    for words, period in _RATES.items():
        n = len(words)
        if tuple(t.lower for t in tokens[j:j + n]) == words:
            return period, j + n
    return "", j


def _age(tokens: list[Token], number: Number) -> tuple[str, int, int] | None:
    """(actor key, first, last) when the figure is someone's age: "Kenteris, 31,", "aged 31", "a 31-year-old"."""
    i, j = number.first, number.last + 1
    if number.scaled or not 0 < number.value <= 120 or number.value != int(number.value):
        return None
    words = [t.lower for t in tokens[j:j + 5]]
    if words[:4] == ["-", "year", "-", "old"] or words[:2] == ["years", "old"]:
        return "", i, j + (3 if words[0] == "-" else 1)
    if i > 0 and tokens[i - 1].lower in ("aged", "age"):
        return "", i - 1, number.last
    if i > 1 and tokens[i - 1].text in (",", "(") and j < len(tokens) and tokens[j].text in (",", ")"):
        k = i - 2
        names: list[str] = []
        while k >= 0 and tokens[k].is_word and tokens[k].capitalised and tokens[k].sentence == tokens[i].sentence:
            names.insert(0, tokens[k].lower)
            k -= 1
        if names and names[-1] not in STOPWORDS:
            return " ".join(names), i, number.last
    return None


def _pair_end(tokens: list[Token], number: Number) -> Number | None:
    """The second number of a range or score starting with ``number``: "36 to 40", "6-3", "between 36 and 40"."""
    j = number.last + 1
    if j + 2 < len(tokens) and tokens[j].lower in ("votes", "vote") and tokens[j + 1].lower == "to" \
            and tokens[j + 2].is_digits:
        j += 1  # "31 votes to 14"
    if j + 1 < len(tokens) and tokens[j].lower in ("to", "-", "–", "and") and tokens[j].sentence == tokens[j + 1].sentence:
        if tokens[j].lower == "and" and not (number.first > 0 and tokens[number.first - 1].lower == "between"):
            return None
        return read_number(tokens, j + 1)
    return None


def _shares_scale(tokens: list[Token], number: Number, end: Number) -> bool:
    """Whether a range's start takes the scale written after its end: "$300 and 400 billion"."""
    return end.scaled and not number.scaled and tokens[end.first].is_digits and float(
        tokens[end.first].text.replace(",", "")) > 0


def _scores(tokens: list[Token], sentence: int) -> bool:
    """Whether the sentence is about a vote or a match, where "6-3" is a score, not a range."""
    return any(t.sentence == sentence and t.lower in _SCORE_CONTEXT for t in tokens)


def read_quantities(tokens: list[Token], text: str, taken: frozenset[int] = frozenset()) -> list[Quantity]:
    """All quantities in ``tokens`` (core.facts.words.tokenize of ``text``), skipping the tokens ``taken`` by dates."""
    out: list[Quantity] = []
    i = 0
    while i < len(tokens):
        if i in taken or (tokens[i].is_digits and (is_year(tokens, i) or _skipped(tokens, i))):
            i += 1
            continue
        quantity = _read_at(tokens, text, i)
        if quantity is None:
            i += 1
            continue
        found = quantity[0]
        if i > 0 and tokens[i - 1].lower in measures.IDENTIFIER_NOUNS and not found.unit:
            found = replace(found, identifier=True)
        out.append(found)
        i = quantity[1]
    return out


def _read_at(tokens: list[Token], text: str, i: int) -> tuple[Quantity, int] | None:
    """The quantity starting at ``tokens[i]`` and the index after it, if one starts there."""
    share = read_share(tokens, i)
    number = share or read_number(tokens, i)
    if number is None:
        return None
    sentence = tokens[i].sentence
    currency, before = _currency_before(tokens, i)
    qualifier, first = _qualifier(tokens, before)  # "more than $700": the qualifier stands before the currency
    if not qualifier:
        first = i
    unit, j = ("%", number.last + 1) if share else _unit_after(tokens, number.last + 1)
    if unit in _DURATIONS and qualifier in ("over", "under"):
        qualifier, first = "", i  # "over three years" is a period, not "more than three years"
    if unit == "%" and not share and not number.scaled:
        number = _rounded(number, tokens[i].text)
    low, high = _interval(number, qualifier)
    if currency and not unit:
        unit, first = currency, min(first, before)
    actor, second, measure, measure_text = "", None, "", ""
    age = None if unit or share else _age(tokens, number)
    end_range = None if (unit and not currency) or age else _pair_end(tokens, number)
    is_range = False
    if age is not None:
        actor, first, last = age
        unit, measure, measure_text, j = "age", "age", "age", last + 1
    elif end_range is not None and tokens[number.last + 1].lower != "and" and not end_range.scaled \
            and not number.scaled and end_range.value < 1000 and _scores(tokens, sentence):
        second, j, measure, measure_text = end_range.value, end_range.last + 1, "score", "score"
        unit = "score"
    elif end_range is not None and (end_range.value > number.value or _shares_scale(tokens, number, end_range)):
        if _shares_scale(tokens, number, end_range):  # "US$300 and 400 billion": the scale is written once
            scale = end_range.value / float(tokens[end_range.first].text.replace(",", ""))
            number = Number(number.value * scale, number.low * scale - scale / 2, number.high * scale + scale / 2,
                            number.first, number.last, True)
        low, high, is_range = min(low, number.low), max(high, end_range.high), True
        number = Number(number.value, number.low, end_range.high, number.first, end_range.last, number.scaled)
        after_unit, j = _unit_after(tokens, end_range.last + 1)
        unit = unit or after_unit
    per, j = _rate_after(tokens, j)
    if not measure:
        measure, measure_text = measures.measure_after(tokens, j)
        if measure in ("", "people"):
            before_key, before_text = measures.measure_before(tokens, first)
            event = measures.event_before(tokens, first)
            if before_key:
                measure, measure_text = before_key, before_text
            elif event and measure == "people":
                measure = event
            elif unit == "%" and not measure and measures.funding_before(tokens, first):
                measure, measure_text = "cost", measures.funding_before(tokens, first)  # "will pay 60% of it"
    if unit == "" and not share and not measure and number.value < 2 and not tokens[i].is_digits:
        return None
    last = max(j - 1, number.last)
    quantity = Quantity(text[tokens[first].start:tokens[last].end], number.value, low, high, unit, measure,
                        measure_text, tokens[first].start, tokens[last].end, sentence, per, actor, second,
                        base=(number.low, number.high), neighbours=neighbour_words(tokens, first, last),
                        is_range=is_range, approximate=_kind(qualifier) == "about")
    return quantity, last + 1

