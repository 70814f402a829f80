"""Comparing a claim's facts with a passage's: the cases that real trials got wrong, and their neighbours."""
from __future__ import annotations

from core.facts import FactComparison, FactMatch, compare_facts


def agreed(result: FactComparison, kind: str = "quantity") -> list[tuple[str, str]]:
    return [(m.claim_text, m.passage_text) for m in result.agreements if m.kind == kind]


def test_ages_restated_by_another_outlet_agree() -> None:
    result = compare_facts(
        "Kenteris, 31, and Thanou, 30, had been charged with avoiding drug tests.",
        "Greek sprinters Kostas Kenteris, 31, and Katerina Thanou, 30, had been charged with avoiding drug tests "
        "on the eve of the Athens Olympics.")
    assert agreed(result) == [("31", "31"), ("30", "30")]
    assert not result.conflicts and result.figures_agree
    assert {m.about for m in result.agreements if m.kind == "actor"} == {"kenteris", "thanou"}


def test_another_age_for_the_same_athlete_conflicts() -> None:
    result = compare_facts("Kenteris, 31, and Thanou, 30, had been charged with avoiding drug tests.",
                           "Kenteris, 32, and Thanou, 30, were charged with avoiding drug tests.")
    assert [m.describe() for m in result.conflicts] == ["31 vs 32 (age of kenteris)"]


def test_figures_written_differently_and_reordered_agree() -> None:
    result = compare_facts("From 2010 to 2015 there were 3248 cases of the disease and 584 deaths.",
                           "The disease caused 3,248 cases and 584 deaths between 2010 and 2015, the WHO said.")
    assert agreed(result) == [("3248", "3,248"), ("584", "584")]
    assert agreed(result, "date") == [("From 2010 to 2015", "between 2010 and 2015")]
    assert result.figures_agree and not result.missing


def test_half_the_death_toll_conflicts_and_shows_both_figures() -> None:
    result = compare_facts("The Black Death caused more than 50 million deaths in Europe.",
                           "The Black Death killed an estimated 25 million people in Europe.")
    assert [m.describe() for m in result.conflicts] == ["more than 50 million vs an estimated 25 million (deaths)"]
    assert not result.figures_agree


def test_a_share_of_the_population_is_not_a_death_count() -> None:
    result = compare_facts("The Black Death caused more than 50 million deaths in Europe.",
                           "The Black Death wiped out 60 % of Europe's population.")
    assert not result.conflicts and not agreed(result)
    assert result.missing == ("more than 50 million",)


def test_two_shares_of_the_same_population_conflict() -> None:
    result = compare_facts("The Black Death wiped out 60 % of Europe's population.",
                           "The Black Death wiped out a third of Europe's population.")
    assert [(m.claim_text, m.passage_text) for m in result.conflicts] == [("60 %", "a third")]


def test_other_contact_counts_conflict() -> None:
    result = compare_facts("Health officials quarantined 28 contacts of the patient in Lagos.",
                           "In Lagos, 46 contacts of the patient were quarantined, health officials said.")
    assert [m.describe() for m in result.conflicts] == ["28 vs 46 (contacts)"]


def test_an_identical_quote_is_shared_and_never_conflicting() -> None:
    claim = 'The minister said: "We have lost 28 lives and we will not give up this fight."'
    for passage in ("“We have lost 28 lives and we will not give up this fight,” the minister told reporters, "
                    "as 46 people remained in hospital.",
                    "We have lost 28 lives and we will not give up this fight, the minister told parliament."):
        result = compare_facts(claim, passage)
        assert result.shared_quote, passage
        assert not result.conflicts, passage


def test_a_changed_quote_is_not_shared() -> None:
    result = compare_facts('The minister said "we will win this fight within a year".',
                           'The minister said "we may lose this fight".')
    assert not result.shared_quote and result.missing == ("we will win this fight within a year",)


def test_a_salary_in_other_words_agrees() -> None:
    result = compare_facts("He earns $1.2 million a year from the contract.",
                           "The contract pays him 1.2m dollars annually.")
    assert agreed(result) == [("$1.2 million a year", "1.2m dollars annually")]


def test_a_monthly_figure_is_not_a_yearly_one() -> None:
    result = compare_facts("He earns $1.2 million a year from the contract.",
                           "The contract pays him $1.2 million a month.")
    assert not agreed(result) and not result.conflicts


def test_rounding_and_qualifiers_agree_with_the_exact_figure() -> None:
    for claim, passage in (
            ("More than 3,000 people were evacuated from the town.", "Officials evacuated 3,248 people from the town."),
            ("About 25 million people died in the epidemic.", "The epidemic killed 25.3 million people."),
            ("Three thousand protesters marched in Paris on Saturday.",
             "Some 3,000 protesters marched in Paris on Saturday."),
            ("Nearly 50 homes were destroyed by the storm.", "The storm destroyed 48 homes.")):
        result = compare_facts(claim, passage)
        assert result.figures_agree and not result.conflicts, (claim, passage)


def test_bounds_on_the_same_side_agree_only_on_the_same_number() -> None:
    result = compare_facts("Trump won the primary with more than 85% of the vote.",
                           "Trump won the primary with more than 34% of the vote.")
    assert not agreed(result)


def test_another_figure_of_the_same_story_is_neither() -> None:
    for claim, passage in (
            ("The outbreak caused 584 deaths in the region.", "The outbreak also left 1,200 people homeless in the region."),
            ("The fire killed 28 people in the building.", "In the building, 46 people were injured by the fire."),
            ("The outbreak caused 3,248 cases in the region.", "The outbreak caused 584 deaths in the region.")):
        result = compare_facts(claim, passage)
        assert not result.conflicts and not agreed(result), (claim, passage)


def test_the_same_measure_in_another_story_is_neither() -> None:
    result = compare_facts("The 2004 tsunami killed 230,000 people in 14 countries around the Indian Ocean.",
                           "The Magnitogorsk gas explosion killed 39 people in a Russian apartment block.")
    assert not result.conflicts


def test_a_weekday_changed_for_the_same_event_conflicts() -> None:
    result = compare_facts("The apartment building collapsed on Monday in Magnitogorsk.",
                           "The apartment building in Magnitogorsk collapsed on Tuesday.")
    # A date's point is what it dates where the text says (here it does not), never how precisely it is dated.
    assert [m.describe() for m in result.conflicts] == ["Monday vs Tuesday (date)"]
    assert [m.granularity for m in result.conflicts] == ["day"]


def test_dates_of_different_events_do_not_conflict() -> None:
    result = compare_facts("The treaty was signed in 1997 by the members.",
                           "The members first met in 1991, long before any treaty.")
    assert not result.conflicts


def test_other_vote_counts_conflict() -> None:
    result = compare_facts("The court ruled 6-3 in favour of the state.", "The court ruled 5 to 4 in favour of the state.")
    assert [m.describe() for m in result.conflicts] == ["6-3 vs 5 to 4 (score)"]


def test_a_passage_without_the_figures_leaves_them_missing() -> None:
    result = compare_facts("Officials quarantined 28 contacts in Lagos on Monday.", "The ministry did not comment.")
    assert result.missing == ("28", "Monday", "Lagos") and not result.agreements and not result.conflicts
    assert result.checkable == 2 and not result.figures_agree


def test_describe_without_a_known_measure() -> None:
    assert FactMatch("quantity", "192", "105", "").describe() == "192 vs 105"


def test_empty_and_figureless_texts_compare_to_nothing() -> None:
    for claim, passage in (("", ""), ("", "The court ruled 6-3."), ("The court ruled 6-3.", ""),
                           ("Nothing to check here.", "Nor here.")):
        result = compare_facts(claim, passage)
        assert not result.conflicts and not result.figures_agree


# Three outlets on one story: B restates A's figures in other words; C gives another cost, start date,
# state's share and vote (the "three-outlet world" of issue 27).
OUTLET_A = ("The new Riverside bridge will cost $1.2 billion, the county said on Tuesday.",
            "Construction of the bridge is due to start in March 2021.",
            "The state will pay 40 % of the cost of the bridge.",
            "The county council approved the plan by a vote of 7 to 2.")
OUTLET_B = ("The county's Riverside bridge, approved 7-2 by the council, is expected to cost about $1.2bn. "
            "Work on the bridge starts in March 2021, and the state is covering 40 per cent of the cost.")
OUTLET_C = ("Officials now put the cost of the Riverside bridge at $1.5 billion. Construction is due to start in June 2021. "
            "The state will pay 60 % of the bridge's cost. The council approved the plan by a 5-4 vote.")


def test_three_outlets_the_restating_one_agrees_on_every_figure() -> None:
    agreements = []
    for claim in OUTLET_A:
        result = compare_facts(claim, OUTLET_B)
        assert not result.conflicts, claim
        agreements += [m.describe() for m in result.agreements if m.kind in ("quantity", "date")]
    assert agreements == ["$1.2 billion vs about $1.2bn (cost)", "March 2021 vs March 2021 (start date)",
                          "40 % vs 40 per cent (share of the cost)", "7 to 2 vs 7-2 (vote)"]


def test_three_outlets_the_contradicting_one_conflicts_on_all_four_points() -> None:
    conflicts = [m.describe() for claim in OUTLET_A for m in compare_facts(claim, OUTLET_C).conflicts]
    assert conflicts == ["$1.2 billion vs $1.5 billion (cost)", "March 2021 vs June 2021 (start date)",
                         "40 % vs 60 % (share of the cost)", "7 to 2 vs 5-4 (vote)"]


def test_rounded_figures_that_only_touch_and_two_estimates_far_apart_conflict() -> None:
    result = compare_facts("He received 3 percent of the vote in his 2012 run.",
                           "He received 2 percent of the vote in his 2012 run.")
    assert [m.describe() for m in result.conflicts] == ["3 percent vs 2 percent (vote)"]
    result = compare_facts("Sanders came in second with about 20% of the vote.",
                           "Sanders came in second with about 23% of the vote.")
    assert [m.describe() for m in result.conflicts] == ["about 20% vs about 23% (vote)"]
    result = compare_facts("Sanders came in second with about 20% of the vote.",
                           "Sanders came in second with around 21% of the vote.")
    assert agreed(result) == [("about 20%", "around 21%")]


def test_a_number_naming_something_agrees_or_conflicts_but_is_not_demanded() -> None:
    result = compare_facts("The council backed the extension of line 4 to Kessel by 31-14.",
                           "Councillors voted 31 votes to 14 for the Kessel extension.")
    assert agreed(result) == [("31-14", "31 votes to 14")] and result.figures_agree and not result.missing
    result = compare_facts("The Air India Express flight 1344 landed at Calicut in the rain.",
                           "The Air India Express flight 683 landed at Calicut in the rain.")
    assert [(m.claim_text, m.passage_text) for m in result.conflicts] == [("1344", "683")]


def test_people_on_one_side_and_what_happened_to_them_on_the_other_agree() -> None:
    result = compare_facts("The latest Ebola outbreak in DR Congo has left 17 dead.",
                           "Seventeen people in northwest Democratic Republic of Congo (DRC) have died from Ebola.")
    assert agreed(result) == [("17", "Seventeen")]
    result = compare_facts("Seventeen people in northwest Democratic Republic of Congo (DRC) have died from Ebola.",
                           "The latest Ebola outbreak in DR Congo has left 17 dead.")
    assert result.figures_agree and result.missing == ()  # "DRC" only abbreviates a name the passage gives


def test_a_count_after_a_name_is_a_figure() -> None:
    result = compare_facts("Haig says he sold Paddock 720 rounds of ammunition.",
                           "Douglas Haig sold more than 700 rounds of ammunition to Stephen Paddock.")
    assert agreed(result) == [("720", "more than 700")]


def test_the_date_of_an_attribution_is_not_the_claims() -> None:
    result = compare_facts("The state will pay 60% of the cost, the ministry confirmed on Tuesday.",
                           "The state is to cover 60 per cent of the cost.")
    assert result.checkable == 1 and result.figures_agree and not result.missing
    assert not compare_facts("Stream was announced in September 2019.", "Stream was announced in September 2017.").figures_agree


def test_a_quotation_printed_without_its_first_words_or_closing_mark_is_shared() -> None:
    result = compare_facts('The alert said the employee "recently reported subtle and vague, but abnormal, sensations of '
                           'sound and pressure".',
                           'A health alert said an employee reported "subtle and vague, but abnormal, sensations of sound '
                           'and pressure.')
    assert result.shared_quote and result.missing == ()
    assert not compare_facts('He said "we will win this fight within a year and then rebuild".',
                             'He said "we may lose this fight".').shared_quote


def test_the_same_figure_hedged_with_about_on_one_side_agrees() -> None:
    result = compare_facts("OFAC issued a license authorizing Iranian assets worth roughly $5.7 billion to flow through "
                           "the U.S. financial system.",
                           "The Treasury Department issued a license that would have allowed Iran to convert $5.7 billion "
                           "it held at a bank in Oman into euros.")
    assert agreed(result) == [("roughly $5.7 billion", "$5.7 billion")]
    # A bound is not a hedge: "more than $5.7 billion" says something "$5.7 billion" does not.
    bound = compare_facts("Assets worth more than $5.7 billion were moved, officials said.",
                          "Iran was allowed to convert $5.7 billion it held at a bank in Oman.")
    assert not agreed(bound)


def test_a_quotation_that_is_the_whole_claim_is_not_demanded_word_for_word() -> None:
    claim = ("“The only reason this transaction wasn’t executed was because two U.S. banks refused, even though the "
             "administration asked them to help convert the money.”")
    result = compare_facts(claim, "The Obama administration approached two U.S. banks to facilitate the conversion, the "
                                  "report said, but both refused.")
    assert result.missing == () and agreed(result) == [("two", "two")]
    # A quotation inside a longer claim is still what the claim reports: another outlet must print it.
    reported = compare_facts('The minister said "we will not raise taxes this year" at the party conference in Leeds.',
                             "The minister promised no tax rises this year at the conference.")
    assert "we will not raise taxes this year" in reported.missing


def test_a_full_name_sharing_only_a_first_name_or_a_surname_is_another_person() -> None:
    result = compare_facts("The email was sent by the former head of Google’s marketing department, Eliana Mario, on "
                           "November 9, 2016.",
                           "The main email was sent on Nov. 9, 2016 by Eliana Murillo, Google’s marketing department head.")
    assert "Eliana Mario" in result.missing and "eliana mario" not in {m.about for m in result.agreements}
    brothers = compare_facts("Steven Hammond, 49, was convicted in 2012.", "Dwight Hammond is now 76 years old.")
    assert "Steven Hammond" in brothers.missing
    # The same person named in full and in part, or in a list, is still named.
    assert "Dwight Hammond" not in compare_facts("Dwight Hammond was pardoned.", "Dwight and Steven Hammond were pardoned.").missing
    assert compare_facts("Vladimir Putin spoke on Monday.", "Putin spoke on Monday.").missing == ()
    assert compare_facts("It was taken by the New Horizons spacecraft.", "Captured by NASA’s New Horizons spacecraft, the "
                                                                         "images were gathered.").missing == ()


def test_a_weekday_and_a_day_of_the_month_agree_when_the_publication_days_make_them_one_day() -> None:
    claim = "The embassy learned on Tuesday that the employee had a mild brain injury."
    passage = "On May 22, the embassy learned that the diagnosis was a mild brain injury."
    # 23 May 2018 was a Wednesday: "Tuesday" is 22 May.
    same = compare_facts(claim, passage, "2018-05-23", "2018-05-25T09:00:00+00:00")
    assert agreed(same, "date") == [("Tuesday", "May 22")] and same.figures_agree
    assert agreed(compare_facts(claim, passage), "date") == []  # without the days nothing says which Tuesday
    # Another day is not read as a conflict: the weekday may be next week's.
    other = compare_facts(claim, passage.replace("May 22", "May 15"), "2018-05-23", "2018-05-25")
    assert not other.conflicts and "Tuesday" in other.missing


def test_a_date_is_labelled_by_what_it_dates() -> None:
    """The point of a date is its event where the text names one ("start date", "opening"), else "date"."""
    opening = compare_facts("The new museum opens in May 2025.", "The museum opens in July 2025, the city said.")
    bare = compare_facts("Talks resumed in May 2025 in Geneva.", "In Geneva, talks resumed in July 2025.")
    assert [(m.about, m.granularity) for m in opening.conflicts] == [("opening", "month")]
    assert [(m.about, m.granularity) for m in bare.conflicts] == [("date", "month")]
