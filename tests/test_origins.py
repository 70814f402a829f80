"""Independent origins (core/origins.py): syndicated copies count once, independent reports do not merge.

The texts are invented but written the way wire copy and its reprints read. Thresholds are chosen in
core/origins.py on the shared Wikinews and PTC articles (tests/data/story_clusters.md).
"""
from __future__ import annotations

import pytest

from core.origins import (
    SAME_TEXT_SHARE,
    MergeKind,
    SourceArticle,
    group_origins,
    shared_share,
    shingles,
    wire_credits,
)

WIRE = """BRUSSELS (Reuters) - European Union finance ministers agreed on Tuesday to lend Greece a further
8.5 billion euros after a night of talks, ending a standoff that had threatened the country's ability to
repay 7 billion euros of bonds that fall due in July.

The deal, reached shortly after 2 a.m., requires Athens to cut pension spending by 1 percent of gross
domestic product from 2019 and to lower the income tax threshold, measures the Greek parliament approved
last month by 153 votes to 128.

Eurogroup President Jeroen Dijsselbloem told reporters the agreement was a "very good outcome" that would
give markets confidence. Greek Finance Minister Euclid Tsakalotos said the government had kept its side of
the bargain and now expected creditors to discuss debt relief before the end of the year.

The International Monetary Fund, which has refused to join the bailout until it sees a credible plan to
make Greece's debt sustainable, agreed in principle to take part but will release no money until the
euro zone spells out the relief it will offer.

(Reporting by Jan Strupczewski; Editing by Alison Williams)"""

# The same story as two outlets run it: headline changed, a sentence dropped or shortened, a word swapped,
# the dateline and the credit line kept by one, dropped by the other.
COPY_DAILY = """EU agrees new Greek loan after all-night talks

BRUSSELS (Reuters) - European Union finance ministers agreed on Tuesday to lend Greece a further
8.5 billion euros after a night of talks, ending a standoff that had threatened the country's ability to
repay 7 billion euros of bonds that fall due in July.

The deal, reached shortly after 2 a.m., requires Athens to cut pension spending by 1 percent of gross
domestic product from 2019 and to lower the income tax threshold, measures the Greek parliament approved
last month by 153 votes to 128.

Eurogroup President Jeroen Dijsselbloem told reporters the agreement was a "very good outcome". Greek
Finance Minister Euclid Tsakalotos said the government had kept its side of the bargain and now expected
creditors to discuss debt relief before the end of the year.

(Reporting by Jan Strupczewski; Editing by Alison Williams)"""

COPY_GAZETTE = """Greece gets 8.5 billion euros more from the EU

European Union finance ministers on Tuesday agreed to lend Greece a further 8.5 billion euros after a
night of talks, ending a standoff that had threatened the country's ability to repay 7 billion euros of
bonds that fall due in July.

The deal, reached shortly after 2 a.m., requires Athens to cut pension spending by 1 percent of gross
domestic product from 2019 and to lower the income tax threshold, measures Greek lawmakers approved
last month by 153 votes to 128.

The International Monetary Fund, which has refused to join the bailout until it sees a credible plan to
make Greece's debt sustainable, agreed in principle to take part but will release no money until the
euro zone spells out the relief it will offer."""

# Two reports of the same night written by their own reporters: the same figures, their own words.
OWN_REPORT_HERALD = """Greece secures fresh bailout cash as IMF holds back

Athens will receive another 8.5 billion euros from its euro zone partners, finance ministers decided in
Brussels early on Tuesday, sparing the government a default on the 7 billion euros it owes bondholders in
July. Ministers haggled until after two in the morning.

In return Greece has already legislated pension cuts worth 1 percent of GDP from 2019 and a lower tax-free
allowance; the package scraped through parliament last month with 153 of the 300 deputies in favour and 128
against.

The IMF said it would join the programme in principle but would not pay out before Europe commits to
concrete debt relief, a condition Berlin has so far resisted. Mr Tsakalotos, the finance minister, called
for that discussion to start this year."""

OWN_REPORT_TRIBUNE = """Late-night deal keeps Greece afloat

After talks that ran into the small hours of Tuesday, euro zone finance ministers released a new tranche
of 8.5 billion euros for Greece. Without it Athens could not have honoured the 7 billion euros of bond
repayments due in July, officials said.

Greek pensions will be trimmed by an amount equal to 1 percent of economic output from 2019, and more low
earners will pay income tax; deputies passed both measures in May by 153 votes to 128.

Jeroen Dijsselbloem, who chairs the meetings of euro zone ministers, hailed a "very good outcome" that
would give markets confidence. The International Monetary Fund will take part only in principle for now,
withholding its money until the euro zone says how it will ease the debt burden."""

# Quotes Reuters once in passing: a report of its own, not a reprint.
PASSING_MENTION = """Greek bailout talks drag on into the night

Finance ministers were still meeting in Brussels late on Monday, with Greece's next loan payment and the
role of the International Monetary Fund unresolved. Reuters reported that a draft statement put the new
loan at 8.5 billion euros, a figure two diplomats confirmed to this newspaper.

Greece must repay 7 billion euros to bondholders in July. Its parliament approved further pension cuts last
month, a condition set by the lenders, after a tense debate in which several government deputies
threatened to vote against. Protesters gathered outside the parliament building while the vote took place."""


def _article(key: str, outlet: str, text: str) -> SourceArticle:
    return SourceArticle(key=key, outlet=outlet, url=f"https://{key}.example/greece", title="", text=text)


def test_a_lightly_edited_wire_story_run_by_two_outlets_is_one_origin() -> None:
    groups = group_origins([
        _article("daily", "Daily Post", COPY_DAILY),
        _article("gazette", "Gazette", COPY_GAZETTE),
        _article("herald", "Herald", OWN_REPORT_HERALD),
    ])
    assert groups.summary == "3 outlets, 2 independent origins"
    merged = groups.origin_of("gazette")
    assert merged.keys == ("daily", "gazette")
    (reason,) = merged.reasons_for("gazette")
    assert reason.kind is MergeKind.SAME_TEXT
    assert reason.shared is not None and reason.shared >= SAME_TEXT_SHARE
    assert reason.description.startswith("same text as Daily Post (")
    assert groups.origin_of("herald").keys == ("herald",)


def test_the_merge_reason_reports_the_shared_percentage() -> None:
    groups = group_origins([_article("wire", "Reuters", WIRE), _article("daily", "Daily Post", COPY_DAILY)])
    (reason,) = groups.origin_of("daily").reasons_for("daily")
    share = shared_share(shingles(WIRE), shingles("\n" + COPY_DAILY))
    assert reason.description == f"same text as Reuters ({round(100 * share)} % shared)"
    assert groups.origin_of("daily").name == "Reuters (via Daily Post)"


def test_two_independent_reports_with_the_same_facts_stay_two_origins() -> None:
    groups = group_origins([_article("herald", "Herald", OWN_REPORT_HERALD),
                            _article("tribune", "Tribune", OWN_REPORT_TRIBUNE)])
    assert groups.independent_count == 2
    assert groups.summary == "2 outlets, 2 independent origins"
    assert shared_share(shingles(OWN_REPORT_HERALD), shingles(OWN_REPORT_TRIBUNE)) < 0.1


def test_quoting_reuters_in_passing_is_not_a_credit() -> None:
    assert wire_credits(PASSING_MENTION) == frozenset()
    groups = group_origins([_article("daily", "Daily Post", COPY_DAILY),
                            _article("mention", "Courier", PASSING_MENTION)])
    assert groups.independent_count == 2


def test_two_outlets_crediting_the_same_wire_are_one_origin_even_when_their_texts_differ() -> None:
    short_version = ("ATHENS (Reuters) - Greece's government welcomed on Tuesday a deal with euro zone lenders that "
                     "unlocks 8.5 billion euros of loans, and said debt relief must now follow.\n\n"
                     "(Reporting by Renee Maltezou; Editing by Alison Williams)")
    groups = group_origins([_article("daily", "Daily Post", COPY_DAILY),
                            _article("courier", "Courier", short_version)])
    assert groups.independent_count == 1
    (reason,) = groups.origin_of("courier").reasons_for("courier")
    assert reason.kind is MergeKind.SAME_WIRE
    assert reason.description == "both credit Reuters"
    assert groups.origins[0].name == "Reuters (via Daily Post, Courier)"


def test_an_outlet_does_not_corroborate_itself() -> None:
    groups = group_origins([_article("herald-1", "The Herald", OWN_REPORT_HERALD),
                            _article("herald-2", "Herald", OWN_REPORT_TRIBUNE)])
    assert groups.summary == "1 outlet, 1 independent origin"
    (reason,) = groups.origin_of("herald-2").reasons_for("herald-2")
    assert reason.kind is MergeKind.SAME_OUTLET


def test_copies_merge_transitively_and_every_merged_article_has_its_reason() -> None:
    groups = group_origins([
        _article("gazette", "Gazette", COPY_GAZETTE),
        _article("herald", "Herald", OWN_REPORT_HERALD),
        _article("wire", "Reuters", WIRE),
        _article("daily", "Daily Post", COPY_DAILY),
        _article("tribune", "Tribune", OWN_REPORT_TRIBUNE),
    ])
    assert groups.summary == "5 outlets, 3 independent origins"
    wire_origin = groups.origin_of("daily")
    assert wire_origin.keys == ("gazette", "wire", "daily")
    assert {m.key for m in wire_origin.merges} == {"wire", "daily"}
    assert wire_origin.wires == ("Reuters",)


@pytest.mark.parametrize(("text", "expected"), [
    ("WASHINGTON (AP) \u2014 The Senate voted on Thursday ...", {"AP"}),
    ("LONDON (Reuters) - Britain's economy grew ...", {"Reuters"}),
    ("PARIS (AFP) - France will ...", {"AFP"}),
    ("BERLIN (dpa) - Germany's ...", {"dpa"}),
    ("Shares rose.\n\n(Reporting by Jane Doe; Additional reporting by Li Wei; Editing by Mark Potter)", {"Reuters"}),
    ("Text.\nThe Associated Press contributed to this report.", {"AP"}),
    ("Text.\nAssociated Press writers Ken Ritter in Las Vegas and Ann Roe in Phoenix contributed to this report.",
     {"AP"}),
    ("By JANE DOE, Associated Press\n\nThe storm ...", {"AP"}),
    ("Text.\nCopyright 2019 The Associated Press. All rights reserved.", {"AP"}),
    ("Text.\n\u00a92018 Deutsche Presse-Agentur GmbH (Hamburg, Germany)", {"dpa"}),
    ("Text.\n\u2014 AFP", {"AFP"}),
    ("Text.\nTo contact the reporter on this story: Jane Doe in London", {"Bloomberg"}),
])
def test_wire_credits_are_read_from_datelines_bylines_and_credit_lines(text: str, expected: set[str]) -> None:
    assert wire_credits(text) == frozenset(expected)


@pytest.mark.parametrize("text", [
    "Reuters reported that the talks had stalled.",
    "A spokesman told The Associated Press that ...",
    "according to Agence France-Presse, 32 people were hospitalised.",
    "\u00a9 AFP Cardinal O'Malley (centre) accompanied the Pope.",
    "\u00a9 AP Photo / Abbas Dulleh",
    "Dibyangshu Sarkar/AFP/Getty Images",
    "(Reuters photo: Giorgio Perottino)",
    "By John Smith, Pittsburgh, PA",
    "He contributed to Agence France-Presse among other news organizations.",
])
def test_passing_mentions_and_picture_credits_are_not_wire_credits(text: str) -> None:
    assert wire_credits(text) == frozenset()


def test_an_agency_as_outlet_credits_itself() -> None:
    assert wire_credits("Some text.", outlet="The Associated Press") == frozenset({"AP"})
    assert wire_credits("Some text.", outlet="Reuters") == frozenset({"Reuters"})


def test_short_texts_say_nothing_about_their_source() -> None:
    headline = "Greece gets 8.5 billion euros more from the EU"
    assert shared_share(shingles(headline), shingles(headline)) == 0.0


def test_keys_must_be_unique() -> None:
    with pytest.raises(ValueError):
        group_origins([_article("a", "X", WIRE), _article("a", "Y", COPY_DAILY)])


# A commentary piece that excerpts one paragraph of the wire story and is otherwise its own text.
EXCERPT = """Another bailout, another can kicked down the road

Nobody in Brussels wants to say it aloud, but the Greek programme has become a ritual. Ministers meet, argue
until dawn, and announce that disaster has been averted for another few months. The bondholders are paid, the
pensioners are not, and the question of whether the debt can ever be repaid is left for another summit.

This time the communique read: The deal, reached shortly after 2 a.m., requires Athens to cut pension
spending by 1 percent of gross domestic product from 2019 and to lower the income tax threshold, measures the
Greek parliament approved last month by 153 votes to 128.

What it did not say is who will vote for the next round. Greek voters have heard the promise of debt relief
at every summit since 2012, and every summit has ended with the same promise renewed, the same deadline
moved, and the same warnings from the fund in Washington that the numbers do not add up."""

WIRE_PENSION_SENTENCE = ("The deal, reached shortly after 2 a.m., requires Athens to cut pension spending by 1 percent of gross "
                         "domestic product from 2019 and to lower the income tax threshold, measures the Greek parliament "
                         "approved last month by 153 votes to 128.")
HERALD_PENSION_SENTENCE = ("In return Greece has already legislated pension cuts worth 1 percent of GDP from 2019 and a lower "
                           "tax-free allowance; the package scraped through parliament last month with 153 of the 300 "
                           "deputies in favour and 128 against.")
TRIBUNE_PENSION_SENTENCE = ("Greek pensions will be trimmed by an amount equal to 1 percent of economic output from 2019, and "
                            "more low earners will pay income tax; deputies passed both measures in May by 153 votes to 128.")


def test_an_excerpt_is_too_small_to_merge_the_articles_but_its_passage_is_one_origin() -> None:
    articles = [_article("daily", "Daily Post", COPY_DAILY), _article("blog", "Blog", EXCERPT)]
    assert shared_share(shingles(COPY_DAILY), shingles(EXCERPT)) < SAME_TEXT_SHARE
    assert group_origins(articles).independent_count == 2
    groups = group_origins(articles, passages={"daily": WIRE_PENSION_SENTENCE, "blog": WIRE_PENSION_SENTENCE})
    assert groups.independent_count == 1
    (reason,) = groups.origin_of("blog").reasons_for("blog")
    assert reason.kind is MergeKind.SAME_PASSAGE
    assert reason.description == "same passage as Daily Post (100 % shared)"


def test_passages_restating_the_same_figures_in_their_own_words_stay_independent() -> None:
    groups = group_origins(
        [_article("daily", "Daily Post", COPY_DAILY), _article("herald", "Herald", OWN_REPORT_HERALD),
         _article("tribune", "Tribune", OWN_REPORT_TRIBUNE)],
        passages={"daily": WIRE_PENSION_SENTENCE, "herald": HERALD_PENSION_SENTENCE, "tribune": TRIBUNE_PENSION_SENTENCE})
    assert groups.summary == "3 outlets, 3 independent origins"


def test_a_passage_that_is_all_quotation_says_nothing_about_copying() -> None:
    quote = '"This is a very good outcome that will give markets confidence and Greece the time it needs," he said.'
    groups = group_origins([_article("herald", "Herald", OWN_REPORT_HERALD), _article("tribune", "Tribune", OWN_REPORT_TRIBUNE)],
                           passages={"herald": quote, "tribune": quote})
    assert groups.independent_count == 2


def test_two_articles_of_one_site_without_outlet_names_are_one_origin() -> None:
    first = SourceArticle("a", "", "https://www.herald.example/news/1", "", OWN_REPORT_HERALD)
    second = SourceArticle("b", "", "https://herald.example/news/2", "", OWN_REPORT_TRIBUNE)
    groups = group_origins([first, second])
    assert groups.summary == "1 outlet, 1 independent origin"
    assert groups.origins[0].name == "herald.example"


def test_agency_bylines_are_credits_but_a_state_abbreviation_is_not() -> None:
    assert wire_credits("By Anna Schmidt, dpa\n\nBerlin ...") == frozenset({"dpa"})
    assert wire_credits("By Anna Schmidt, Deutsche Presse-Agentur\n\nBerlin ...") == frozenset({"dpa"})
    assert wire_credits("By John Smith, PA Media\n\nLondon ...") == frozenset({"PA Media"})
    assert wire_credits("By John Smith, Scranton, PA\n\nThe mill ...") == frozenset()
