"""Numbers as English news writes them: digits, number words, scales and fractions.

Written by hand rather than taken from a library (docs in the facts report:
quantulum3 took 4.7 ms a sentence, loads a pickled scikit-learn model and read
"$1.2bn" as 1.2 dollar-bit-newtons; text2num converts whole-number words only
and rejects "a dozen"; number-parser took 3.3 ms a sentence and read "a third"
as 3). The vocabulary of number words is closed, so a small reader is exact.

Every number carries an interval, because outlets round: "3.2 million" stands
for anything that rounds to it, [3.15, 3.25] million; "3,248" is exact.
"""
from __future__ import annotations

from dataclasses import dataclass

from .words import Token

UNITS = {w: float(i) for i, w in enumerate(
    (
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
        "sixteen seventeen eighteen nineteen"
    ).split())}
TENS = {"twenty": 20.0, "thirty": 30.0, "forty": 40.0, "fifty": 50.0, "sixty": 60.0, "seventy": 70.0,
        "eighty": 80.0, "ninety": 90.0}
SCALES = {"hundred": 1e2, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
# Abbreviated scales written against the digits ("$1.2bn", "£30m", "5k").
SHORT_SCALES = {"k": 1e3, "m": 1e6, "mn": 1e6, "mln": 1e6, "bn": 1e9, "b": 1e9, "tn": 1e12, "trn": 1e12}
FRACTIONS = {"half": 0.5, "halves": 0.5, "third": 1 / 3, "thirds": 1 / 3, "quarter": 0.25, "quarters": 0.25,
             "fifth": 0.2, "fifths": 0.2, "sixth": 1 / 6, "tenth": 0.1, "tenths": 0.1}
NUMBER_WORDS = frozenset(UNITS) | frozenset(TENS) | frozenset(SCALES) | {"dozen"}


@dataclass(frozen=True)
class Number:
    """A number read from tokens ``[first, last]``: its value and the interval its writing allows."""

    value: float
    low: float
    high: float
    first: int
    last: int
    scaled: bool  # written with a scale word ("25 million", "three thousand"): rounded to its leading digits


def read_digits(tokens: list[Token], i: int) -> Number | None:
    """The number in digits at ``tokens[i]``, with a scale word or abbreviation after it.

    "3,248" -> exact; "3.2 million" -> [3.15e6, 3.25e6]; "$1.2bn" -> [1.15e9, 1.25e9].
    A short scale counts only when written against the digits ("30m", not "30 m").
    """
    token = tokens[i]
    if not token.is_digits:
        return None
    raw = token.text.replace(",", "")
    value = float(raw)
    step = 10.0 ** -len(raw.split(".")[1]) if "." in raw else 1.0
    last = i
    scale = 1.0
    nxt = tokens[i + 1] if i + 1 < len(tokens) else None
    if nxt is not None and nxt.lower in SHORT_SCALES and nxt.start == token.end:
        scale, last = SHORT_SCALES[nxt.lower], i + 1
    elif nxt is not None and nxt.lower in SCALES and nxt.lower != "hundred":
        scale, last = SCALES[nxt.lower], i + 1
        if nxt.lower == "thousand" and last + 1 < len(tokens) and tokens[last + 1].lower in ("million", "billion"):
            scale, last = scale * SCALES[tokens[last + 1].lower], last + 1
    if scale == 1.0:
        return Number(value, value, value, i, last, False)
    half = step * scale / 2
    return Number(value * scale, value * scale - half, value * scale + half, i, last, True)


def _word_at(tokens: list[Token], i: int) -> str:
    return tokens[i].lower if 0 <= i < len(tokens) else ""


def read_words(tokens: list[Token], i: int) -> Number | None:
    """A number in words starting at ``tokens[i]``: "three thousand", "forty-three", "two dozen", "a million".

    "one" and "a" alone are not numbers here ("one of the largest" specifies nothing).
    A number with a scale word is rounded to it: "three thousand" stands for [2500, 3500].
    """
    word = _word_at(tokens, i)
    if word in ("a", "an"):
        if _word_at(tokens, i + 1) not in SCALES and _word_at(tokens, i + 1) != "dozen":
            return None
    elif word not in NUMBER_WORDS or word in SCALES:
        return None
    total, group, j, last = 0.0, 0.0, i, i
    smallest_scale = 0.0
    while j < len(tokens):
        w = _word_at(tokens, j)
        if w in ("a", "an") and j == i:
            group = 1.0
        elif w in UNITS:
            group += UNITS[w]
        elif w in TENS:
            group += TENS[w]
        elif w == "dozen":
            group = (group or 1.0) * 12
        elif w == "hundred":
            group = (group or 1.0) * 100
        elif w in SCALES:
            total += (group or 1.0) * SCALES[w]
            smallest_scale = SCALES[w]
            group = 0.0
        elif w in ("-", "and") and _word_at(tokens, j + 1) in NUMBER_WORDS and j > i:
            j += 1
            continue
        else:
            break
        last = j
        j += 1
    value = total + group
    if value == 0 or (last == i and word in ("one", "zero")):
        return None
    if smallest_scale and group == 0:
        half = smallest_scale / 2
        return Number(value, value - half, value + half, i, last, True)
    return Number(value, value, value, i, last, False)


def read_number(tokens: list[Token], i: int) -> Number | None:
    return read_digits(tokens, i) or read_words(tokens, i)


def read_share(tokens: list[Token], i: int) -> Number | None:
    """A share written as a fraction or a ratio, as a percentage: "a third of", "two-thirds", "one in five", "half of".

    Such phrases are approximate, so the interval is ±8 % of the value: "a third" agrees with "33 %".
    """
    word = _word_at(tokens, i)
    count = 1.0 if word in ("a", "an", "one") else (UNITS.get(word) or (float(tokens[i].text) if tokens[i].is_digits
                                                                        and "," not in tokens[i].text else None))
    if word == "half" and _word_at(tokens, i + 1) in ("of", "the", "their", "its", "his", "her"):
        return _share(50.0, i, i)
    if count is None:
        return None
    j = i + 1 + (_word_at(tokens, i + 1) == "-")
    fraction = FRACTIONS.get(_word_at(tokens, j))
    if fraction is not None and (_word_at(tokens, j + 1) in ("of", "the") or word not in ("a", "an", "one")):
        return _share(100.0 * count * fraction, i, j)
    if _word_at(tokens, i + 1) == "in" or (_word_at(tokens, i + 1) == "out" and _word_at(tokens, i + 2) == "of"):
        k = i + 2 + (_word_at(tokens, i + 1) == "out")
        if k < len(tokens):
            denominator = read_number(tokens, k)
            if denominator is not None and denominator.value > count and not denominator.scaled:
                return _share(100.0 * count / denominator.value, i, denominator.last)
    return None


def _share(percent: float, first: int, last: int) -> Number:
    return Number(percent, percent * 0.92, percent * 1.08, first, last, False)
