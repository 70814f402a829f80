"""Read a claim or a passage into the facts it asserts that another outlet can confirm or contradict.

Facts are quantities with what they measure (core.facts.quantities), dates
(core.facts.dates), named actors and quotations, each with the sentence it
stands in: whether two figures are about the same point is judged by the
words and actors around them (core.facts.compare).
"""
from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, replace
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
        "during since when where there here officials police last still several none local medical many most "
        "some few both every another next work"
    ).split())
# Endings of common words, not names, when a capitalised word opens a sentence ("Construction is due ...").
_COMMON_ENDINGS = ("ing", "ly", "ed", "tion", "sion", "ment", "ness", "ance", "ence", "ity", "ship")
# Endings of plural agent nouns ("councillors", "protesters", "residents"): common nouns, not names.
_AGENT_PLURALS = ("ors", "ers", "ents")
# Verbs that attribute a statement: a short clause ending in one (", the ministry said on Tuesday") says who
# reported the facts, not what they are; names in it are not what the claim is about.
SAYING = frozenset((
    "said says say told tells reported announced announces stated added adds confirmed confirms noted explained "
    "explains wrote writes claimed disclosed revealed"
).split())
# Verbs right after a name that make it only the speaker ("Jens Albers said").
_SPEAKING = frozenset("said says told tells added adds noted explained explains".split())
# Tokens that end a clause; a dash only with spaces around it ("ARLENBURG - The council", not "9.4-kilometre").
_CLAUSE_MARKS = frozenset({",", ";", ":", "(", ")", "–", "—"})
# An attribution clause has at most this many tokens, and at most this many after its verb ("said in a statement").
_ATTRIBUTION_TOKENS = 9
_AFTER_SAYING = 4
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
    # Named only to say who reported the facts or where the report was filed (a speaker, "according to the
    # ministry", a dateline "BOSTON (Reuters) -"), or a common noun opening the sentence ("Councillors voted"):
    # another outlet restating the facts need not name it.
    incidental: bool = False

    @property
    def parts(self) -> frozenset[str]:
        return frozenset(self.key.split())


@dataclass(frozen=True)
class Clause:
    """Part of a sentence between commas, semicolons, brackets or spaced dashes, and its content words."""

    sentence: int
    start: int
    end: int
    words: frozenset[str]
    attribution: bool  # "according to the ministry", ", officials said on Tuesday", a dateline


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
    clauses: tuple[Clause, ...] = ()

    def context_words(self, sentence: int) -> frozenset[str]:
        """The content words of a sentence without its attribution: what the sentence says, not who said it."""
        return frozenset(w for c in self.clauses if c.sentence == sentence and not c.attribution for w in c.words)

    def clause_at(self, position: int) -> Clause | None:
        return next((c for c in self.clauses if c.start <= position < c.end), None)

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
                                                             or words[0].endswith(_COMMON_ENDINGS)):
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


def _spaced_dash(tokens: list[Token], k: int) -> bool:
    t = tokens[k]
    return t.text in ("-", "–", "—") and (k == 0 or tokens[k - 1].end < t.start or tokens[k - 1].text == "-") and (
        k + 1 >= len(tokens) or tokens[k + 1].start > t.end or tokens[k + 1].text == "-")


def _is_attribution(tokens: list[Token]) -> bool:
    clause = [t for t in tokens if t.is_word or t.is_digits]
    words = [t.lower for t in clause]
    if words[:2] == ["according", "to"]:
        return True
    saying = [k for k, t in enumerate(clause) if t.lower in SAYING and not t.capitalised]
    return bool(saying) and len(clause) <= _ATTRIBUTION_TOKENS and len(clause) - saying[-1] - 1 <= _AFTER_SAYING


def _dateline_end(tokens: list[Token]) -> int:
    """The index of the spaced dash ending a dateline that opens the text ("BOSTON (Reuters) -"), else 0."""
    if not tokens or not (tokens[0].text.isupper() and len(tokens[0].text) > 2):
        return 0
    return next((k for k in range(1, min(10, len(tokens))) if tokens[k].sentence == 0 and _spaced_dash(tokens, k)), 0)


def read_clauses(tokens: list[Token]) -> list[Clause]:
    """The clauses of each sentence, marking those that only attribute (see Clause)."""
    clauses: list[Clause] = []
    dateline = _dateline_end(tokens)
    if dateline:
        clauses.append(Clause(0, tokens[0].start, tokens[dateline].end, content_stems(tokens[:dateline]), True))
    current: list[Token] = []

    def close() -> None:
        if current:
            # A clause opening its sentence holds the statement ("Stream was announced in September 2019"), unless it
            # opens with "according to"; attribution follows it (", the ministry said on Tuesday").
            opens = not clauses or clauses[-1].sentence != current[0].sentence
            attribution = _is_attribution(current) and (not opens or current[0].lower == "according")
            clauses.append(Clause(current[0].sentence, current[0].start, current[-1].end, content_stems(current),
                                  attribution))
            current.clear()

    for k in range(dateline + 1 if dateline else 0, len(tokens)):
        token = tokens[k]
        if current and token.sentence != current[0].sentence:
            close()
        if token.text in _CLAUSE_MARKS or (token.text in ("-", "–", "—") and _spaced_dash(tokens, k)):
            close()
            continue
        current.append(token)
    close()
    return clauses


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
    clauses = read_clauses(tokens)
    starts = [t.start for t in tokens]
    actors = [replace(a, incidental=_incidental(a, tokens, starts, clauses)) for a in read_actors(tokens, text)]
    return Facts(text, tuple(quantities), tuple(dates), tuple(actors), tuple(read_quotes(text, tokens)),
                 tuple(content_stems(s) for s in by_sentence), normalise_quote(text), tuple(clauses))


def _incidental(actor: Actor, tokens: list[Token], starts: list[int], clauses: list[Clause]) -> bool:
    """Whether the actor only says who reported the facts (see Actor.incidental); ``starts``: the tokens' offsets."""
    if any(c.attribution and c.start <= actor.start < c.end for c in clauses):
        return True
    after = bisect_left(starts, actor.start + len(actor.text))
    first = bisect_left(starts, actor.start)
    if actor.text.isupper() and first > 1 and tokens[first - 1].text == "(" and tokens[first - 2].capitalised:
        return True  # an acronym in brackets after the name it abbreviates: "Democratic Republic of Congo (DRC)"
    if after < len(tokens) and tokens[after].lower in _SPEAKING:
        return True  # the speaker: "Jens Albers said" (not "Putin announced", which may be what he did)
    opens = first == 0 or tokens[first - 1].sentence != tokens[first].sentence
    # A plural agent noun opening the sentence ("Councillors voted", "Residents said"); not a plural name
    # ("Democrats blocked the bill", "Palestinians marched"), which says who did it.
    return opens and " " not in actor.key and actor.key.endswith(_AGENT_PLURALS) and not actor.text.isupper()


def measure_words(quantity: Quantity) -> frozenset[str]:
    """The stems of the words naming what a quantity measures, left out when judging whether the context is shared."""
    return frozenset(stem(w) for w in quantity.measure_text.split()) | {quantity.measure}
