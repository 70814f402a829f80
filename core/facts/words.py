"""Tokens, sentences and word stems shared by the fact readers.

The readers work on tokens with character offsets, so that every fact keeps
the exact text it was read from (a conflict is shown with both figures as
written) and the words around it (to tell whether two figures are about the
same point). Sentence splitting is a cheap regular expression, not a model:
the facts layer must stay well under a millisecond per sentence.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

# A number in digits ("3,248", "1.2", "31"), a word, or any other single character.
# A dotted acronym ("U.S.") is one token. Thousands separators must come in threes,
# so "Kenteris, 31, and" reads 31, not "31,". Digits are ASCII: other scripts' digits are not read as figures.
_TOKEN = re.compile(r"(?:[A-Z]\.){2,}|[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?|[0-9]+(?:\.[0-9]+)?"
                    r"|[A-Za-z]+(?:['’][A-Za-z]+)*|\S")
# A sentence ends at . ! or ? (and a closing quote or bracket) before a space and an opening capital, digit or quote.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’')\]]?\s+(?=[\"“‘(\[]?[A-Z0-9])|\n\s*")
_ABBREVIATION = re.compile(r"(?:\b[A-Z][a-z]{0,3}|\b[A-Z])\.$")

STOPWORDS = frozenset(
    (
        "a an the and or but nor of to in on at for with by from as into onto over under about after before "
        "during since until than then there here their they them he she we you i me my our your his her its "
        "it this that these those who whom whose which what when where why how is are was were be been being "
        "am has have had do does did will would can could may might must shall should not no yes so if also "
        "said says say told tell according more most less least very just only some any all each other such "
        "up down out off again further once both few own same too s t one between among across against within "
        "without through throughout toward towards upon via per while"
    ).split()
)


@dataclass(frozen=True, slots=True)
class Token:
    """One token of a text and where it stands: ``text[start:end] == token.text``.

    Its lower-case form and kind are computed once: the readers ask for them
    hundreds of thousands of times over a library of articles.
    """

    text: str
    start: int
    end: int
    sentence: int
    lower: str
    is_word: bool
    is_digits: bool
    capitalised: bool


def _token(text: str, start: int, end: int, sentence: int) -> Token:
    first = text[:1]
    return Token(text, start, end, sentence, text.lower(), first.isalpha(), "0" <= first <= "9", first.isupper())


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence; a full stop after an abbreviation or initial ("Dr.", "U.S.") does not end one."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        if "\n" not in match.group() and _ABBREVIATION.search(text[max(start, match.start() - 5):match.start()]):
            continue
        if text[start:match.start()].strip():
            spans.append((start, match.start()))
        start = match.end()
    if text[start:].strip():
        spans.append((start, len(text)))
    return spans


def tokenize(text: str) -> list[Token]:
    """Tokens of ``text`` with offsets and the index of their sentence."""
    spans = sentence_spans(text)
    tokens: list[Token] = []
    for index, (start, end) in enumerate(spans):
        tokens.extend(_token(m.group(), m.start(), m.end(), index) for m in _TOKEN.finditer(text, start, end))
    return tokens


_IRREGULAR = {"people": "people", "children": "child", "men": "man", "women": "woman", "lives": "life",
              "feet": "foot", "police": "police", "news": "news", "series": "series", "species": "species",
              "was": "was", "has": "has", "is": "is", "its": "its", "this": "this", "us": "us", "bus": "bus",
              "died": "die", "dies": "die", "dead": "dead"}


def stem(word: str) -> str:
    """A crude singular form ("deaths" -> "death", "casualties" -> "casualty"): enough to match nouns across outlets."""
    w = word.lower().replace("’", "'")
    w = w.removesuffix("'s")
    if w in _IRREGULAR:
        return _IRREGULAR[w]
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 4 and w.endswith(("ches", "shes", "sses", "xes")):
        return w[:-2]
    if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        return w[:-1]
    return w


def content_stems(tokens: list[Token]) -> frozenset[str]:
    """Stems of the words that carry meaning (not stopwords, not numbers, at least three letters)."""
    return frozenset(stem(t.text) for t in tokens if t.is_word and len(t.text) > 2 and t.lower not in STOPWORDS)


def normalise_quote(text: str) -> str:
    """A quotation as compared: lower case, typographic apostrophes made straight, punctuation dropped."""
    text = text.lower().replace("’", "'").replace("‘", "'")
    return " ".join(re.findall(r"[a-z0-9]+(?:'[a-z]+)?", text))


def neighbour_words(tokens: list[Token], first: int, last: int) -> frozenset[str]:
    """Stems of the nearest content word before ``first`` and after ``last`` (three tokens at most, same sentence).

    Two facts with the same neighbours in sentences that share most words fill the
    same slot ("received 192" / "received 105", "on May 5" / "on May 2") even when nothing else says what they are.
    """
    found: set[str] = set()
    for step, start in ((-1, first - 1), (1, last + 1)):
        k = start
        while 0 <= k < len(tokens) and abs(k - start) < 3 and tokens[k].sentence == tokens[first].sentence:
            t = tokens[k]
            if t.is_word and t.lower not in STOPWORDS and len(t.text) > 2:
                found.add(stem(t.text))
                break
            k += step
        else:
            # No content word near: the adjacent token, marked with its side ("was 0.5 percent.").
            adjacent = start if 0 <= start < len(tokens) and tokens[start].sentence == tokens[first].sentence else None
            found.add(("<" if step < 0 else ">") + (tokens[adjacent].lower if adjacent is not None else ""))
    return frozenset(found)
