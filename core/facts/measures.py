"""What a figure measures: the counted noun after it ("584 deaths") or the noun it is the value of ("cost of $1.2bn").

Two figures can only agree or conflict when they measure the same thing:
"28 people died" and "46 people were injured" are two points of one story,
not two versions of one point. Outlets name the same measure differently
("deaths", "people died", "the death toll", "killed"), so measures are reduced
to a canonical key with a small table of the events news counts.
"""
from __future__ import annotations

from .numbers import NUMBER_WORDS
from .words import STOPWORDS, Token, stem

# Words for one event, as outlets write them, and the key they share.
_EVENTS = {
    "death": "death dead die died dying killed killing kill fatality fatalities life perished toll",
    "injury": "injured injury injuries wounded hurt",
    "case": "case infection infected",
    "missing": "missing",
    "arrest": "arrest arrested detained detention",
    "evacuation": "evacuated evacuation evacuee",
    "displaced": "displaced homeless",
    "vote": "vote voted ballot",
}
EVENT_OF = {word: key for key, words in _EVENTS.items() for word in words.split()}
# Events that happen to people: "17 people" (the event further off) restates "17 dead" when the value is the same.
PEOPLE_EVENTS = frozenset(_EVENTS) - {"vote"}
# Nouns (and participles) that outlets use for one measure: "will cost €412 million", "the budget stands at 412
# million euros" and "is budgeted at €385m" all give the cost of one project.
_FAMILIES = {
    "cost": "cost costs costing budget budgeted price pricetag priced bill outlay",
    "vote": "vote votes voted ballot",
}
FAMILY_OF = {word: key for key, words in _FAMILIES.items() for word in words.split()}
# What a point is called for the reader, by its measure key: one name for every word outlets use for it, so the verdict,
# the evidence cards and Compare name a point alike whichever outlet's claim is read ("is budgeted at €385m" and "will
# cost €412 million" are both the cost; "28 people died" and "the death toll" both the deaths). A measure of no event or
# family keeps the claim's word ("46 contacts").
_POINT_NAMES = {"death": "deaths", "injury": "injuries", "case": "cases", "missing": "missing", "arrest": "arrests",
                "evacuation": "evacuations", "displaced": "displaced", "vote": "vote", "cost": "cost", "people": "people"}
# Verbs before a percentage that make it someone's share of a cost: "will cover 60 per cent", "will pay 60% of it".
FUNDING_VERBS = frozenset(
    "pay pays paid paying cover covers covered covering contribute contributes contributed contributing fund funds "
    "funded funding finance finances financed financing bear bears shoulder shoulders provide provides".split())
# Measures a story usually states once (the project's cost, the decisive vote): two figures of one such measure,
# each the only one of its kind in its sentence, are about the same point unless their clauses say otherwise.
STORY_MEASURES = frozenset({"cost", "score"})
# Adjectives after a unit of measure that say which dimension, not what is measured ("9.4 km long").
DIMENSIONS = frozenset("long wide high tall deep away thick".split())
# Nouns before a number that make it a name, not a figure ("tram line 4", "the number 4 line", "Route 66").
IDENTIFIER_NOUNS = frozenset("line route number no platform gate terminal flight article section chapter page "
                             "room".split())
# What a date is the date of, from the words before it ("construction is due to start in March 2027", "work
# is scheduled to begin in March 2027"): two dates of one role in one story are rivals for one point.
_DATE_ROLES = {
    "start": "start starts started starting begin begins began beginning commence commences commenced construction "
             "work building groundbreaking",
    "opening": "open opens opened opening inaugurated inauguration",
    "completion": "complete completed completion finish finished end ends ended",
}
DATE_ROLE_OF = {word: key for key, words in _DATE_ROLES.items() for word in words.split()}
# Words between a role and its date that do not change it ("is due to start in", "is set to begin on").
DATE_ROLE_FILLER = frozenset("in on by from is are was were due set scheduled expected planned slated to be will "
                             "the of should could would now".split())
# Words that name a point's measure, left out when judging whether two clauses are about the same point.
POINT_WORDS = frozenset(FAMILY_OF) | FUNDING_VERBS | frozenset(DATE_ROLE_OF) | DATE_ROLE_FILLER | frozenset(
    "approved approve passed rejected backed endorsed favour favor support against stand stands stood remain remains "
    "amount amounts total totals".split())

# Nouns that refer to the story's subject without naming it ("the project", "the plan"): they do not tell two
# points of a story apart.
GENERIC_REFERENTS = frozenset("project plan scheme programme program proposal deal measure".split())
# Nouns that count people without saying what happened to them: the verb after them does ("28 people died").
GENERIC = frozenset("people person individual other human total number figure tally resident".split())
# Measures so general that two figures of them may be two points of one story ("rate", "share").
GENERIC_MEASURES = frozenset("people rate share number total figure value percentage proportion level".split())
# Words between a figure and its noun that do not change what is counted ("46 new confirmed cases").
MODIFIERS = frozenset(
    (
        "new confirmed more additional other further reported known registered suspected estimated recorded "
        "official separate fresh previous probable likely possible positive active extra total close direct "
        "potential alleged so-called presumed fellow"
    ).split()
)
# Verbs and words that link a figure to the event after it ("39 are confirmed dead", "28 have been killed").
_LINKING = frozenset((
    "are were was is have has had been being be reportedly also who believed thought feared now still "
    "remain remained"
).split())
# Words between a measure noun and its figure before it ("the death toll rose to 39", "a cost of $1.2bn").
_BRIDGE = frozenset((
    "to at of was is were are be reached rose stood totalled totaled hit climbed fell increased decreased "
    "now has had have been by a an the put estimated nearly almost about around some over more than least stands "
    "stand remains remained"
).split())
# Nouns that a figure before or after is the value of.
VALUE_NOUNS = frozenset(
    (
        "toll cost budget price population turnout unemployment inflation salary wage fine deficit debt "
        "revenue profit loss growth rate age value worth bill spending funding investment sale share majority "
        "margin income tax fee damage compensation payment award prize bail budgeted priced"
    ).split()
)


def canonical(word: str) -> str:
    """The measure key of a word: its event key when it names one, else its stem."""
    lower = word.lower()
    return (EVENT_OF.get(lower) or EVENT_OF.get(stem(lower)) or FAMILY_OF.get(lower) or FAMILY_OF.get(stem(lower))
            or stem(lower))


def measure_name(key: str, written: str) -> str:
    """The name of a measure for the reader: its event's or family's ("budgeted" -> "cost"), else as written."""
    return _POINT_NAMES.get(key, written)


def _event_after(tokens: list[Token], j: int, sentence: int) -> tuple[str, str] | None:
    """The event word within four tokens after ``j`` ("were killed", "are confirmed dead"), if any."""
    for k in range(j, min(j + 5, len(tokens))):
        t = tokens[k]
        if t.sentence != sentence or not t.is_word:
            return None
        if t.lower in EVENT_OF:
            return EVENT_OF[t.lower], t.text
        if t.lower not in _LINKING and t.lower not in MODIFIERS and not t.lower.endswith("ly"):
            return None
    return None


def measure_after(tokens: list[Token], j: int) -> tuple[str, str]:
    """(key, text as written) of the noun counted by a figure whose last token is before ``j``; ("", "") if none.

    "584 deaths" -> death; "46 new cases" -> case; "28 people died" -> death;
    "60 % of Europe's population" -> population; "39 are confirmed dead" -> death.
    """
    if j >= len(tokens):
        return "", ""
    sentence = tokens[j - 1].sentence if j > 0 else tokens[j].sentence
    k = j
    if k < len(tokens) and tokens[k].lower == "of":
        # A share: skip determiners and possessive names to the noun ("of Europe's population").
        k += 1
        if k < len(tokens) and tokens[k].lower in ("it", "them", "this", "that"):
            return "", ""  # "60% of it": what "it" is was said before
        while k < len(tokens) and tokens[k].sentence == sentence and (
                tokens[k].lower in STOPWORDS or tokens[k].text in ("'", "’") or tokens[k].capitalised
                or tokens[k].lower in MODIFIERS or tokens[k].lower.endswith(("'s", "’s"))
                or tokens[k].is_digits or tokens[k].lower in NUMBER_WORDS):  # "four of the eight people"
            k += 1
        if k < len(tokens) and tokens[k].sentence == sentence and tokens[k].is_word:
            key = canonical(tokens[k].text)
            return ("people", tokens[k].text) if key in GENERIC else (key, tokens[k].text)
        return "", ""
    for k in range(j, min(j + 4, len(tokens))):
        t = tokens[k]
        if t.sentence != sentence or not t.is_word:
            return "", ""
        if t.lower in MODIFIERS or (t.lower.endswith("ly") and t.lower not in ("family", "ally")):
            continue
        if t.lower in DIMENSIONS and k == j:
            return "", ""  # "9.4 km long": how it is measured, not what
        if t.lower in _LINKING:
            event = _event_after(tokens, k, sentence)
            return (event[0], event[1]) if event else ("", "")
        if t.lower in STOPWORDS or (t.capitalised and not (t.lower.endswith("s") and t.lower != stem(t.lower))):
            return "", ""  # a name, but "199 Republicans" counts people
        key = canonical(t.text)
        if key in GENERIC or stem(t.lower) in GENERIC:
            event = _event_after(tokens, k + 1, sentence)
            return (event[0], f"{t.text} {event[1]}") if event else ("people", t.text)
        return key, t.text
    return "", ""


def measure_before(tokens: list[Token], i: int) -> tuple[str, str]:
    """(key, text) of the noun a figure starting at ``tokens[i]`` is the value of: "the death toll rose to 39" -> death.

    Only nouns known to take a value (VALUE_NOUNS) or event words ("killed 50
    million people" is read after the figure) count, so a verb before a
    figure is not taken for what it measures.
    """
    sentence = tokens[i].sentence if i < len(tokens) else -1
    for k in range(i - 1, max(i - 6, -1), -1):
        t = tokens[k]
        if t.sentence != sentence or not t.is_word:
            return "", ""
        if t.lower in _BRIDGE:
            continue
        if stem(t.lower) in VALUE_NOUNS or t.lower in VALUE_NOUNS:
            return canonical(t.text), t.text
        return _value_of(tokens, i, k, sentence)
    return "", ""


def _value_of(tokens: list[Token], i: int, k: int, sentence: int) -> tuple[str, str]:
    """ "the cost of the Riverside bridge at $1.5 billion": a value noun, "of" and its object before "at"/"to"/"was"."""
    if i == 0 or tokens[i - 1].lower not in ("at", "to", "was", "is", "of", "stood", "reached", "totalled", "totaled"):
        return "", ""
    for j in range(k, max(k - 6, 0), -1):
        t = tokens[j]
        if t.sentence != sentence or not t.is_word:
            return "", ""
        if t.lower == "of" and (stem(tokens[j - 1].lower) in VALUE_NOUNS):
            return canonical(tokens[j - 1].text), tokens[j - 1].text
    return "", ""


def funding_before(tokens: list[Token], i: int) -> str:
    """The verb of a share of a cost right before a percentage ("will cover 60 per cent" -> "cover"), if any."""
    for k in range(i - 1, max(i - 3, -1), -1):
        t = tokens[k]
        if not t.is_word or t.sentence != tokens[i].sentence:
            return ""
        if t.lower in FUNDING_VERBS:
            return t.text
    return ""


def event_before(tokens: list[Token], i: int) -> str:
    """The event of a verb right before a figure of generic people ("killed 50 million people" -> death)."""
    for k in range(i - 1, max(i - 4, -1), -1):
        t = tokens[k]
        if not t.is_word or t.sentence != tokens[i].sentence:
            return ""
        if t.lower in EVENT_OF:
            return EVENT_OF[t.lower]
        if t.lower not in _BRIDGE and t.lower not in _LINKING:
            return ""
    return ""
