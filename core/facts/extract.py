"""Read a claim or a passage into the facts it asserts that another outlet can confirm or contradict.

Facts are quantities with what they measure (core.facts.quantities), dates
(core.facts.dates), named actors and quotations, each with the sentence it
stands in: whether two figures are about the same point is judged by the
words and actors around them (core.facts.compare).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .dates import MONTHS, WEEKDAYS, DateFact, read_dates
from .numbers import FRACTIONS, NUMBER_WORDS
from .quantities import Quantity, read_quantities
from .words import STOPWORDS, Token, content_stems, normalise_quote, stem, tokenize

# Titles and roles before a name: "President Vladimir Putin" is the actor "vladimir putin".
TITLES = frozenset(
    (
        "mr mrs ms miss dr prof sir dame lord lady president vice prime minister secretary chancellor senator "
        "sen rep governor gov mayor judge justice general gen colonel col captain capt sergeant officer chief "
        "king queen prince princess pope bishop father sister brother saint st deputy regional state foreign "
        "interior defence defense emergencies health finance former acting coach manager chairman chairwoman "
        "ceo spokesman spokeswoman"
    ).split()
)
# Words inside a name: "Bank of England", "University of the Arts", "Leonardo da Vinci".
_NAME_JOINERS = frozenset("of the de da di del van von der le la y and for".split())
# Capitalised words that are not actors by themselves.
_NOT_ACTORS = frozenset(MONTHS) | frozenset(WEEKDAYS) | STOPWORDS | NUMBER_WORDS | frozenset(FRACTIONS) | frozenset(
    (
        "today yesterday tomorrow however meanwhile according after before while although though despite "
        "during since when where there here officials police"
    ).split())
# Quotations: straight or typographic double quotes, typographic single quotes, and straight single
# quotes around two words or more; an apostrophe inside a word ("won’t") is not a closing quote mark.
_QUOTE = re.compile(r"\"([^\"]{2,600}?)\"|“([^”]{2,600}?)”|‘((?:[^’]|’(?=\w)){2,600}?)’(?!\w)"
                    r"|(?<!\w)'((?:[^']|'(?=\w)){1,600}?\s(?:[^']|'(?=\w)){1,600}?)'(?!\w)")


@dataclass(frozen=True)
class Actor:
    """A named person, organisation or place: as written, and its key (lower case, no title, no possessive)."""

    text: str
    key: str
    start: int
    sentence: int

    @property
    def parts(self) -> frozenset[str]:
        return frozenset(self.key.split())


@dataclass(frozen=True)
class Quote:
    """Text inside quotation marks, as written and as compared (core.facts.words.normalise_quote)."""

    text: str
    normalised: str
    start: int
    sentence: int


@dataclass(frozen=True)
class Facts:
    """What a text asserts that can be checked, and the content words of each of its sentences."""

    text: str
    quantities: tuple[Quantity, ...]
    dates: tuple[DateFact, ...]
    actors: tuple[Actor, ...]
    quotes: tuple[Quote, ...]
    sentence_words: tuple[frozenset[str], ...]
    normalised: str  # the whole text as quotes are compared, to find a quote the other side prints without marks

    def actor_parts(self, sentence: int | None = None) -> frozenset[str]:
        """The words of the actors' names, of one sentence or of the whole text."""
        return frozenset(p for a in self.actors if sentence is None or a.sentence == sentence for p in a.parts)


def _actor_key(words: list[str]) -> str:
    kept = [w for w in words if w not in TITLES] or words
    while kept and kept[0] in _NAME_JOINERS:
        kept = kept[1:]
    while kept and kept[-1] in _NAME_JOINERS:
        kept = kept[:-1]
    return " ".join(kept)


def _name_word(token: Token) -> str:
    return re.sub(r"['’]s$", "", token.text).replace(".", "").lower()


def read_actors(tokens: list[Token], text: str) -> list[Actor]:
    """Runs of capitalised words ("Vladimir Putin", "Bank of England", "FSB") as actors.

    A capitalised word that opens a sentence is a name only when the run goes
    on ("Slim Thug said"), it is an acronym, or the text never writes it in
    lower case ("Kenteris, 31," but not "Officials said").
    """
    lowered = {t.text for t in tokens if t.is_word and t.text[:1].islower()}
    actors: list[Actor] = []
    run: list[int] = []

    def close() -> None:
        while run and tokens[run[-1]].lower in _NAME_JOINERS:
            run.pop()
        if not run:
            return
        words = [_name_word(tokens[k]) for k in run]
        first = tokens[run[0]]
        opens = run[0] == 0 or tokens[run[0] - 1].sentence != first.sentence or tokens[run[0] - 1].text in ('"', "“")
        alone = len(run) == 1
        if alone and (words[0] in _NOT_ACTORS or len(words[0]) < 2 or words[0].endswith(("n't", "n’t"))):
            run.clear()
            return
        if alone and opens and not first.text.isupper() and (first.text.lower() in lowered
                                                             or words[0].endswith(("ing", "ly", "ed"))):
            run.clear()
            return
        while run and words[0] in _NOT_ACTORS:
            run.pop(0)
            words = words[1:]
        if not run:
            return
        first = tokens[run[0]]
        key = _actor_key([w for w in words if w])
        if key:
            actors.append(Actor(text[first.start:tokens[run[-1]].end], key, first.start, first.sentence))
        run.clear()

    for k, token in enumerate(tokens):
        joins_run = bool(run) and token.lower in _NAME_JOINERS and k + 1 < len(tokens) and tokens[k + 1].capitalised
        if token.is_word and (token.capitalised or joins_run) and (not run or tokens[run[-1]].sentence == token.sentence):
            if token.lower in WEEKDAYS or token.lower in MONTHS:
                close()
                continue
            run.append(k)
        else:
            close()
    close()
    return actors


def read_quotes(text: str, tokens: list[Token]) -> list[Quote]:
    sentence_of = {t.start: t.sentence for t in tokens}
    starts = sorted(sentence_of)
    out = []
    for match in _QUOTE.finditer(text):
        inner = next(g for g in match.groups() if g is not None)
        normalised = normalise_quote(inner)
        if not normalised:
            continue
        position = max((s for s in starts if s <= match.start()), default=0)
        out.append(Quote(inner.strip(), normalised, match.start(), sentence_of.get(position, 0)))
    return out


@lru_cache(maxsize=4096)
def read_facts(text: str) -> Facts:
    """The facts of ``text``: quantities, dates, actors, quotes.

    Cached: the engine compares one claim with many passages, and one passage with many claims.
    """
    tokens = tokenize(text)
    dates, taken = read_dates(tokens, text)
    quantities = read_quantities(tokens, text, taken)
    n_sentences = tokens[-1].sentence + 1 if tokens else 0
    by_sentence: list[list[Token]] = [[] for _ in range(n_sentences)]
    for token in tokens:
        by_sentence[token.sentence].append(token)
    return Facts(text, tuple(quantities), tuple(dates), tuple(read_actors(tokens, text)), tuple(read_quotes(text, tokens)),
                 tuple(content_stems(s) for s in by_sentence), normalise_quote(text))


def measure_words(quantity: Quantity) -> frozenset[str]:
    """The stems of the words naming what a quantity measures, left out when judging whether the context is shared."""
    return frozenset(stem(w) for w in quantity.measure_text.split()) | {quantity.measure}
