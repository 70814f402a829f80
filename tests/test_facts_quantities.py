"""Quantities as news writes them: values, intervals from qualifiers and rounding, units, measures."""
from __future__ import annotations

import math

import pytest

from core.facts import Quantity, read_facts


def quantities(text: str) -> list[Quantity]:
    return list(read_facts(text).quantities)


def only(text: str) -> Quantity:
    found = quantities(text)
    assert len(found) == 1, [q.text for q in found]
    return found[0]


def test_counts_with_their_measure_and_years_left_to_dates() -> None:
    found = quantities("From 2010 to 2015 there were 3248 cases and 584 deaths.")
    assert [(q.value, q.measure, q.low, q.high) for q in found] == [(3248, "case", 3248, 3248), (584, "death", 584, 584)]
    assert [d.text for d in read_facts("From 2010 to 2015 there were 3248 cases.").dates] == ["From 2010 to 2015"]


@pytest.mark.parametrize(("text", "low", "high"), [
    ("More than 3,000 people were evacuated.", 3000, math.inf),
    ("At least 56 people died.", 56, math.inf),
    ("Fewer than 200 people attended.", 0, 200),
    ("Nearly 50 homes were destroyed.", 45, 50),
    ("Just over 1,000 votes were cast.", 1000, 1100),
    ("About 25 million people died.", 22.5e6, 27.5e6),
    ("An estimated 25 million people died.", 22.5e6, 27.5e6),
    ("The city has 3.2 million residents.", 3.15e6, 3.25e6),
    ("Officials counted 3,248 cases.", 3248, 3248),
])
def test_qualifiers_and_rounding_make_the_interval(text: str, low: float, high: float) -> None:
    q = only(text)
    assert q.low == pytest.approx(low) and q.high == pytest.approx(high)


@pytest.mark.parametrize(("text", "value", "unit"), [
    ("Unemployment rose to 7.5 per cent.", 7.5, "%"),
    ("Unemployment rose to 7.5 percent.", 7.5, "%"),
    ("Unemployment rose to 7.5%.", 7.5, "%"),
    ("The project will cost $1.2bn.", 1.2e9, "USD"),
    ("She was paid 1.2m dollars.", 1.2e6, "USD"),
    ("The company lost £3.4 billion.", 3.4e9, "GBP"),
    ("Fines reached €20,000.", 20000, "EUR"),
    ("The storm travelled 250 km inland.", 250, "km"),
    ("A third of the population died.", 100 / 3, "%"),
    ("One in five adults smoke.", 20, "%"),
    ("Half of the residents fled.", 50, "%"),
])
def test_units_scales_and_shares(text: str, value: float, unit: str) -> None:
    q = only(text)
    assert q.value == pytest.approx(value) and q.unit == unit


@pytest.mark.parametrize(("text", "value"), [
    ("Three thousand people marched.", 3000),
    ("Two dozen people were arrested.", 24),
    ("Forty-three people were injured.", 43),
    ("Two hundred and fifty people were rescued.", 250),
    ("A million people signed the petition.", 1e6),
])
def test_number_words(text: str, value: float) -> None:
    assert only(text).value == value


def test_one_alone_is_not_a_figure() -> None:
    assert quantities("It is one of the largest cities in the world.") == []


def test_rates_keep_their_period() -> None:
    assert only("He earns $1.2 million a year.").per == "year"
    assert only("She was paid 1.2m dollars annually.").per == "year"


@pytest.mark.parametrize(("text", "actor"), [
    ("Kenteris, 31, and his coach were charged.", "kenteris"),
    ("A man aged 31 was arrested.", ""),
    ("The 31-year-old sprinter withdrew.", ""),
])
def test_ages(text: str, actor: str) -> None:
    q = only(text)
    assert (q.value, q.unit, q.actor) == (31, "age", actor)


def test_both_ages_of_a_pair_of_names() -> None:
    found = quantities("Kenteris, 31, and Thanou, 30, had been charged.")
    assert [(q.value, q.actor) for q in found] == [(31, "kenteris"), (30, "thanou")]


@pytest.mark.parametrize("text", ["The court ruled 6 to 3 in favour.", "The Supreme Court ruled 6-3 in favour."])
def test_votes_and_scores(text: str) -> None:
    q = only(text)
    assert (q.unit, q.value, q.second) == ("score", 6, 3)


def test_ranges() -> None:
    q = only("Between 36 and 40 people are under the rubble.")
    assert (q.low, q.high, q.is_range) == (36, 40, True)


@pytest.mark.parametrize(("text", "measure"), [
    ("Officials quarantined 28 contacts.", "contact"),
    ("The plague killed 50 million people.", "death"),
    ("28 people died in the fire.", "death"),
    ("A total of 39 are confirmed dead.", "death"),
    ("The death toll rose to 39.", "death"),
    ("The bridge has a cost of $1.2bn.", "cost"),
    ("There were 46 new confirmed cases.", "case"),
    ("About 60 % of Europe's population died.", "population"),
])
def test_measures(text: str, measure: str) -> None:
    assert only(text).measure == measure


@pytest.mark.parametrize("text", [
    "Flight 370 disappeared.",
    "The meeting started at 6:30.",
    "It was his 4th attempt.",
    "COVID-19 spread quickly.",
])
def test_numbers_that_are_not_figures(text: str) -> None:
    assert quantities(text) == []


def test_figures_keep_their_text_as_written() -> None:
    text = "The Black Death caused more than 50 million deaths."
    q = only(text)
    assert q.text == "more than 50 million" and text[q.start:q.end] == q.text and q.measure_text == "deaths"
