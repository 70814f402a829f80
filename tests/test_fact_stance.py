"""The facts rule over an engine's stance (core/fact_stance.py) and what the verdict makes of it (issue 27)."""
from __future__ import annotations

from core.engines.base import StanceJudgement
from core.fact_stance import QUOTES_ONLY, combine_article_passages, read_pair
from core.facts import compare_facts
from core.records import Article, Evidence, SourceType, Stance, Verdict
from core.verdict import assess


def judgement(stance: Stance, confidence: float, *, decisive: bool = False, reason: str | None = None) -> StanceJudgement:
    rest = (1.0 - confidence) / 2
    scores = {s: (confidence if s == stance else rest) for s in Stance}
    return StanceJudgement(stance, confidence, scores, decisive, reason)


def library(outlet: str, snippet: str, *, stance: Stance = Stance.NEUTRAL, confidence: float = 0.5,
            decisive: bool = False, facts: str | None = None, analysis_id: str | None = None) -> Evidence:
    return Evidence(SourceType.LIBRARY, f"{outlet} report", f"https://{outlet.lower().replace(' ', '')}.example/a",
                    outlet, snippet, stance, confidence, decisive=decisive, analysis_id=analysis_id or outlet, facts=facts)


CLAIM = "More than 50 million people died of the plague in Europe, historians estimate."


def test_another_figure_for_the_same_point_refutes_with_both_figures():
    reading = read_pair(CLAIM, "Historians estimate that 25 million people died of the plague in Europe.",
                        judgement(Stance.SUPPORTS, 0.72, reason="not counted: does not mention 50,000,000"))
    assert reading.judgement.stance == Stance.REFUTES and reading.judgement.decisive
    assert reading.judgement.reason is None
    assert "50 million" in reading.facts and "25 million" in reading.facts and reading.facts.startswith("differs")


def test_a_bare_number_the_passage_leaves_out_does_not_stop_a_restated_vote_from_supporting():
    claim = "Councillors voted 31 votes to 14 in favour after a three-hour debate."
    reading = read_pair(claim, "The councillors backed the extension by 31-14.", judgement(Stance.NEUTRAL, 0.6))
    assert reading.judgement.stance == Stance.SUPPORTS and reading.judgement.decisive
    # Without a measured figure restated, a bare number alone decides nothing.
    alone = read_pair("Three councillors left the room.", "Three people left.", judgement(Stance.NEUTRAL, 0.6))
    assert not alone.judgement.decisive


def test_two_numbers_that_measure_nothing_known_do_not_refute():
    reading = read_pair("7 – Powell served on a global group alongside Hillary Clinton.",
                        "5 – Powell was a featured speaker at a Clinton Global Initiative event alongside Hillary Clinton.",
                        judgement(Stance.NEUTRAL, 0.7))
    assert reading.judgement.stance != Stance.REFUTES and not reading.judgement.decisive


def test_the_same_kind_of_figure_for_another_year_is_another_point():
    reading = read_pair("The council spent 3 million dollars on roads in 2001.",
                        "The council spent 6 million dollars on roads in 2002.", judgement(Stance.NEUTRAL, 0.7))
    assert reading.judgement.stance != Stance.REFUTES
    same_year = read_pair("The council spent 3 million dollars on roads in 2001.",
                          "The council spent 6 million dollars on roads in 2001.", judgement(Stance.NEUTRAL, 0.7))
    assert same_year.judgement.stance == Stance.REFUTES and same_year.judgement.decisive


def test_a_restatement_of_every_figure_supports_whatever_the_engine_read():
    claim = "From 2010 to 2015 there were 3248 cases of the disease and 584 deaths in the region."
    passage = "The region recorded 3,248 cases of the disease and 584 deaths between 2010 and 2015."
    for engine_said in (judgement(Stance.SUPPORTS, 0.55, reason="not counted: below the confidence the verdict needs"),
                        judgement(Stance.REFUTES, 0.6), judgement(Stance.NEUTRAL, 0.7)):
        reading = read_pair(claim, passage, engine_said)
        assert reading.judgement.stance == Stance.SUPPORTS and reading.judgement.decisive, engine_said
        assert reading.facts.startswith("agrees") and "3,248" in reading.facts


def test_a_denial_of_the_same_figures_does_not_support():
    claim = "The council approved the budget of $4 million on Tuesday."
    reading = read_pair(claim, "The council did not approve the budget of $4 million on Tuesday.",
                        judgement(Stance.REFUTES, 0.8, decisive=True))
    assert reading.judgement.stance == Stance.REFUTES  # the engine's own reading stands


def test_a_shared_quotation_never_refutes():
    claim = 'The minister said "we will not raise taxes this year" at the conference.'
    passage = 'At the conference the minister told reporters: "We will not raise taxes this year."'
    reading = read_pair(claim, passage, judgement(Stance.REFUTES, 0.78, decisive=True))
    assert reading.judgement.stance != Stance.REFUTES
    if not reading.judgement.decisive:
        assert reading.judgement.reason == QUOTES_ONLY


def test_a_passage_restating_part_of_the_claim_leans_supports_and_says_what_it_leaves_out():
    claim = "The new section will be 9.4 km long, with eleven stops, and is meant to carry about 28,000 passengers a day."
    reading = read_pair(claim, "Work on the 9.4-kilometre line is scheduled to begin in March 2027.",
                        judgement(Stance.NEUTRAL, 0.6))
    assert reading.judgement.stance == Stance.SUPPORTS and not reading.judgement.decisive
    assert reading.judgement.reason == "not counted: does not mention eleven stops, about 28,000 passengers"
    assert reading.facts == "agrees: 9.4-kilometre; not stated: eleven, about 28,000"


def test_a_name_the_source_articles_title_gives_need_not_be_repeated_by_its_passage():
    claim = "Arlenburg's council approved the tram extension by 31 votes to 14."
    passage = "The city council backed the tram extension by 31-14."
    assert not read_pair(claim, passage, judgement(Stance.NEUTRAL, 0.6)).judgement.decisive
    titled = read_pair(claim, passage, judgement(Stance.NEUTRAL, 0.6), title="Arlenburg's tram heads east after council vote")
    assert titled.judgement.stance == Stance.SUPPORTS and titled.judgement.decisive


def test_a_passage_without_the_claims_figures_keeps_the_engine_judgement():
    engine_said = judgement(Stance.SUPPORTS, 0.93, decisive=True)
    reading = read_pair("The mayor opened the new library on Friday.", "The new library was opened by the mayor.", engine_said)
    assert reading.judgement == engine_said and reading.facts is None


def test_passages_of_one_article_restate_a_claim_together():
    claim = "There were 3,248 cases and 584 deaths in the outbreak."
    first = "Health officials counted 3,248 cases in the outbreak."
    second = "The outbreak caused 584 deaths, officials said."
    evidence = [library("Daily Post", first, analysis_id="a1"), library("Daily Post", second, analysis_id="a1")]
    assert not any(read_pair(claim, e.snippet, judgement(Stance.NEUTRAL, 0.6)).judgement.decisive for e in evidence)
    combined = combine_article_passages(claim, evidence, [compare_facts(claim, e.snippet) for e in evidence])
    counted = [e for e in combined if e.decisive]
    assert len(counted) == 1 and counted[0].stance == Stance.SUPPORTS
    assert "same article" in counted[0].facts
    # Passages of two different articles do not add up: each must restate the claim alone.
    apart = [library("Daily Post", first, analysis_id="a1"), library("Evening Star", second, analysis_id="a2")]
    assert not any(e.decisive for e in combine_article_passages(claim, apart, [compare_facts(claim, e.snippet) for e in apart]))


ARTICLE = Article(url="https://courier.example/x", title="Plague", author=None, published=None, outlet="Courier",
                  language="en", text=CLAIM)


def test_conflicting_figures_make_a_claim_disputed_with_both_figures_in_the_rationale():
    evidence = [
        library("Sun", "Historians estimate that 25 million people died.", stance=Stance.REFUTES, confidence=0.9,
                decisive=True, facts="differs on deaths: more than 50 million (Courier) vs 25 million (Sun)"),
        library("Express", "More than 50 million people died, historians estimate.", stance=Stance.SUPPORTS,
                confidence=0.9, decisive=True, facts="agrees: more than 50 million"),
    ]
    result = assess(evidence, article=ARTICLE, consulted=["library"])
    assert result.verdict == Verdict.DISPUTED
    assert "more than 50 million (Courier) vs 25 million (Sun)" in result.rationale
    assert "Sun" in result.rationale and "Express" in result.rationale


def test_copies_of_one_passage_count_as_one_origin():
    text = "The new line will be 9.4 km long with eleven stops and will carry 28,000 passengers a day once it opens."
    copies = [library("Ledger", text, stance=Stance.SUPPORTS, confidence=0.9, decisive=True),
              library("Eastside Weekly", text, stance=Stance.SUPPORTS, confidence=0.9, decisive=True)]
    result = assess(copies, article=ARTICLE, consulted=["library"])
    assert result.verdict == Verdict.SINGLE_SOURCE
    assert "2 outlets, 1 independent origin" in result.rationale and "same passage as" in result.rationale
    independent = copies[:1] + [library("Metro Post", "A 9.4-kilometre route with eleven stops is planned, the city said.",
                                        stance=Stance.SUPPORTS, confidence=0.9, decisive=True)]
    assert assess(independent, article=ARTICLE, consulted=["library"]).verdict == Verdict.CORROBORATED


def test_an_unverified_rationale_quotes_the_closest_passage_and_why_it_did_not_count():
    evidence = [library("Sun", "Many people died in Europe, historians say.", stance=Stance.SUPPORTS, confidence=0.72,
                        decisive=False), library("Star", "The plague spread along trade routes.", confidence=0.8)]
    evidence[0] = Evidence(**{**evidence[0].__dict__, "reason": "not counted: does not mention 50 million"})
    result = assess(evidence, article=ARTICLE, consulted=["library"])
    assert result.verdict == Verdict.UNVERIFIED
    assert "Closest: Sun (library) says “Many people died in Europe, historians say.”" in result.rationale
    assert "leans supports 72 %; not counted: does not mention 50 million" in result.rationale


def test_a_bound_written_with_no_is_no_denial():
    claim = "The amending forms, called “cure affidavits,” were due at 5 p.m on Nov. 5, the evening before Election Day, at the latest."
    passage = ("Known as “cure affidavits,” those documents used to fix mail ballots were due no later than 5 p.m. on Nov. 5 "
               "— the day before the election.")
    reading = read_pair(claim, passage, judgement(Stance.NEUTRAL, 0.6))
    assert reading.judgement.stance == Stance.SUPPORTS and reading.judgement.decisive


def test_a_denial_in_a_clause_describing_something_else_does_not_stop_a_restatement():
    claim = ("The Guardian, which did not identify the sources for its reporting, said that Manafort met with Assange "
             "“around March 2016” — the same month that Russian hackers began their effort to steal emails.")
    passage = "A well-placed source has told the Guardian that Manafort went to see Assange around March 2016."
    reading = read_pair(claim, passage, judgement(Stance.NEUTRAL, 0.6))
    assert reading.judgement.stance == Stance.SUPPORTS and reading.judgement.decisive
    # A denial in the clause holding the figures, or in the sentence's closing comment, still stops it.
    for denial in ("A well-placed source has told the Guardian that Manafort did not see Assange around March 2016.",
                   "A source told the Guardian that Manafort went to see Assange around March 2016, which is not true."):
        assert not read_pair(claim, denial, judgement(Stance.NEUTRAL, 0.6)).judgement.decisive, denial


def test_a_restatement_of_every_figure_is_never_shown_refuting_when_only_a_denial_differs():
    claim = ("According to Politico, the DOS released affidavits on Tuesday, which demonstrate that four different counties "
             "said the ballots could be returned by 5 p.m on Thursday, Nov. 8, past the official due date.")
    passage = ("But affidavits released on Tuesday by the DOS show that documents from four different counties said the "
               "ballots could be returned by 5 p.m. on Thursday, which is not accurate.")
    reading = read_pair(claim, passage, judgement(Stance.REFUTES, 0.63))
    assert reading.judgement.stance != Stance.REFUTES and not reading.judgement.decisive
    assert "four" in reading.facts
    # The engine's own decisive refutation of a denial stands (test_a_denial_of_the_same_figures_does_not_support).


def test_a_denial_on_both_sides_about_the_same_actor_is_the_same_statement():
    claim = ("A victim of a paedophile priest in Chile has revealed he wrote to the Pope in 2015 about an alleged cover-up "
             "after Francis denied getting evidence.")
    passage = ("Pope Francis received a victim’s letter in 2015 that detailed how a priest abused him and how other Chilean "
               "clergy ignored it, contradicting the pope’s recent insistence that no victims had come forward to denounce "
               "the cover-up, according to the letter.")
    reading = read_pair(claim, passage, judgement(Stance.SUPPORTS, 0.59))
    assert reading.judgement.stance == Stance.SUPPORTS and reading.judgement.decisive


def test_figures_of_another_person_do_not_refute():
    reading = read_pair("Steven Hammond is 49 and has served approximately four years in prison.",
                        "Dwight Hammond is now 76 years old and has served approximately three years in prison",
                        judgement(Stance.NEUTRAL, 0.6))
    assert reading.judgement.stance != Stance.REFUTES and not reading.judgement.decisive


def test_a_figure_of_the_claims_background_alone_does_not_support():
    claim = "The Pope caused outrage after a visit to Chile last month by defending Bishop Barros, who was made a bishop in 2015."
    passage = ("“But with a letter signed by the Pope in January 2015 and sent to the Chilean bishops, the request for "
               "exemption is blocked and shortly thereafter Barros is promoted to Osorno.”")
    assert not read_pair(claim, passage, judgement(Stance.NEUTRAL, 0.6)).judgement.decisive


def test_a_restated_year_alone_needs_every_key_name():
    claim = ("Obama wanted “to know everything” the FBI was doing in its investigation into claims that Russia was "
             "interfering in the 2016 election.")
    passage = ("Congressional Republicans are hoping the files reveal details about the start of the Russia investigation "
               "led by the FBI into Russian meddling during the 2016 presidential election.")
    assert not read_pair(claim, passage, judgement(Stance.NEUTRAL, 0.6)).judgement.decisive
    named = read_pair("Google executives tried to throw the election to Hillary Clinton in 2016.",
                      "An email chain reveals Google tried to influence the 2016 election on behalf of Hillary Clinton.",
                      judgement(Stance.NEUTRAL, 0.6))
    assert named.judgement.stance == Stance.SUPPORTS and named.judgement.decisive


def test_a_claim_without_figures_restated_in_nearly_its_words_with_every_name_counts_when_read_as_supporting():
    claim = "The email was sent by Eliana Murillo, the former head of Google’s multicultural marketing department."
    passage = ("The main email, headlined, “Election results and the Latino vote,” was sent on Nov. 9, 2016 by Eliana "
               "Murillo, Google’s Multicultural Marketing department head.")
    reading = read_pair(claim, passage, judgement(Stance.SUPPORTS, 0.59, reason="not counted: below the confidence"))
    assert reading.judgement.stance == Stance.SUPPORTS and reading.judgement.decisive
    assert "Eliana Murillo" in reading.facts
    # Not when a key name is left out, when the engine does not read it as supporting, or when one side denies it.
    other = "The main email was sent on Nov. 9, 2016 by the former head of the multicultural marketing department."
    assert not read_pair(claim, other, judgement(Stance.SUPPORTS, 0.59)).judgement.decisive
    assert not read_pair(claim, passage, judgement(Stance.NEUTRAL, 0.59)).judgement.decisive
    denial = "The email was not sent by Eliana Murillo, the head of Google’s multicultural marketing department."
    assert not read_pair(claim, denial, judgement(Stance.SUPPORTS, 0.59)).judgement.decisive


def test_a_restated_year_alone_needs_a_name_of_the_claim():
    reading = read_pair("He was promoted to campaign chairman in May 2016.",
                        "The Guardian claims he had secret meetings with Assange in 2013, 2015 and 2016.",
                        judgement(Stance.NEUTRAL, 0.6))
    assert not reading.judgement.decisive
    # Nor do two passages of one article that only restate the year between them.
    claim = "He was promoted to campaign chairman in May 2016."
    evidence = [library("Daily Post", "Manafort had secret meetings with Assange in 2013, 2015 and 2016.", analysis_id="a1"),
                library("Daily Post", "The story was published in 2018.", analysis_id="a1")]
    combined = combine_article_passages(claim, evidence, [compare_facts(claim, e.snippet) for e in evidence])
    assert not any(e.decisive for e in combined)
