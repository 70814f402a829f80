"""Dates, actors and quotes read from news text."""
from __future__ import annotations

import dataclasses
import random

import pytest

from core.facts import read_facts
from core.facts.dates import publication_day, resolved


@pytest.mark.parametrize(("text", "fields"), [
    ("The building collapsed on Friday, January 4, 2019.", {"weekday": 4, "month": 1, "day": 4, "year": 2019}),
    ("The ceremony took place on 4 January 2019.", {"day": 4, "month": 1, "year": 2019}),
    ("He was born on the 12th of May 1990 in Athens.", {"day": 12, "month": 5, "year": 1990}),
    ("The law came into force in March 2020.", {"month": 3, "year": 2020}),
    ("The minister resigned on Monday.", {"weekday": 0}),
    ("The 1973 building was home to over 1,000 people.", {"year": 1973}),
    ("Filed on Jan. 4, 2019 in court.", {"month": 1, "day": 4, "year": 2019}),
])
def test_dates(text: str, fields: dict[str, int]) -> None:
    dates = read_facts(text).dates
    assert [d.fields() for d in dates] == [fields]


def test_year_ranges() -> None:
    for text in ("From 2010 to 2015 there were 3248 cases.", "There were 3248 cases between 2010 and 2015.",
                 "There were 3248 cases in 2010-15."):
        (date,) = read_facts(text).dates
        assert (date.year, date.to_year) == (2010, 2015), text


def test_may_the_verb_is_not_a_month() -> None:
    assert read_facts("Prices may rise next year.").dates == ()
    assert [d.month for d in read_facts("Prices rose in May.").dates] == [5]


def test_a_year_followed_by_a_counted_noun_is_a_figure() -> None:
    facts = read_facts("In 2019, 2000 people fled the city.")
    assert [d.year for d in facts.dates] == [2019]
    assert [q.value for q in facts.quantities] == [2000]


def test_actors_drop_titles_and_possessives() -> None:
    facts = read_facts("Officials said President Vladimir Putin's plan was backed by the Bank of England and the U.S.")
    assert [a.key for a in facts.actors] == ["vladimir putin", "bank of england", "us"]


def test_a_capitalised_word_opening_a_sentence_is_a_name_only_when_the_text_never_writes_it_lower_case() -> None:
    facts = read_facts("Kenteris, 31, was charged. Officials said the officials would appeal. Three officers testified.")
    assert [a.key for a in facts.actors] == ["kenteris"]


@pytest.mark.parametrize(("text", "quote"), [
    ('The minister said "we will not give up this fight" on Monday.', "we will not give up this fight"),
    ("The minister said “We will not give up this fight!” on Monday.", "we will not give up this fight"),
    ("The minister said ‘We won’t give up’ on Monday.", "we won't give up"),
])
def test_quotes_are_normalised(text: str, quote: str) -> None:
    assert [q.normalised for q in read_facts(text).quotes] == [quote]


def test_an_apostrophe_is_not_a_quote() -> None:
    assert read_facts("The president's plan isn't Congress's plan.").quotes == ()


def test_facts_are_frozen_and_keep_offsets() -> None:
    text = "Health officials said on Tuesday that 46 contacts had been quarantined in Lagos."
    facts = read_facts(text)
    with pytest.raises(dataclasses.FrozenInstanceError):
        facts.text = ""  # type: ignore[misc]
    for fact in (*facts.quantities, *facts.dates):
        assert text[fact.start:fact.end] == fact.text


def test_any_text_reads_without_error() -> None:
    """Readers meet every kind of text in a library: number words next to ranges, stray quotes, odd scripts."""
    pieces = ["six", "to", "400", "billion", "$", "between", "and", "more than", "1,000", "2019", "May", "Monday", "-",
              "“", "'", '"', ",", ".", "Kenteris", "31", "per cent", "a third of", "one in", "aged", "६", "bn", "0",
              "0.5", "year-old", "\n", "vs", "6-3", "ruled", "US$", "£", "from", "2010", "dozen", "half", "people"]
    rng = random.Random(7)
    for _ in range(400):
        text = " ".join(rng.choice(pieces) for _ in range(rng.randint(0, 30)))
        facts = read_facts(text)
        for fact in (*facts.quantities, *facts.dates):
            assert text[fact.start:fact.end] == fact.text


def test_a_weekday_or_a_day_without_a_year_resolves_against_the_publication_day() -> None:
    facts = read_facts("The vote was on Tuesday and the results came on May 18.")
    tuesday, may = facts.dates
    published = publication_day("2021-05-20T08:00:00+00:00")  # a Thursday
    assert (resolved(tuesday, published).year, resolved(tuesday, published).month, resolved(tuesday, published).day) == (2021, 5, 18)
    assert (resolved(may, published).year, resolved(may, published).weekday) == (2021, 1)
    assert resolved(tuesday, None) is None and publication_day("not a date") is None
    # A day more than a month after publication is last year's.
    assert resolved(read_facts("It happened on December 30.").dates[0], publication_day("2021-01-03")).year == 2020
