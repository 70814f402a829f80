"""Claim matching across articles: the similarity threshold on written pairs, and the grouping rules."""
from __future__ import annotations

import numpy as np
import pytest

from core.compare import DEFAULT_THRESHOLD, article_labels, shared_claims
from core.errors import InputError
from core.ml.loading import get_embedder
from core.records import Verdict
from testkit.factories import make_analysis

# Same claim, reworded: must match.
PARAPHRASES = [
    ("The unemployment rate fell to 3.5% in March.", "In March, joblessness dropped to 3.5 percent."),
    ("The city council approved a $40 million budget for road repairs.", "Councillors signed off on $40m to fix the city's roads."),
    ("The company laid off 500 workers at its Ohio plant last week.", "Last week 500 employees lost their jobs at the firm's factory in Ohio."),
    ("The vaccine was 95% effective in preventing severe illness in the trial.", "In the trial, the vaccine prevented 95 percent of severe cases."),
    ("The president signed the climate bill into law on Tuesday.", "On Tuesday the president signed the climate legislation."),
    ("Crime in the capital rose by 12% last year.", "Last year the capital saw a 12 percent increase in crime."),
    ("The minister resigned after the corruption scandal.", "Following the corruption scandal, the minister stepped down."),
    ("Wildfires have burned more than 100,000 hectares this summer.", "This summer, fires have destroyed over 100,000 hectares of land."),
    ("The central bank raised interest rates by half a percentage point.", "Interest rates were increased by 0.5 points by the central bank."),
    ("Half of all teachers say they plan to quit within five years.", "Fifty percent of teachers intend to leave the profession in the next five years."),
]
# One fact, reported in opposite directions: should match, so the verdicts show the disagreement.
COUNTER_CLAIMS = [
    ("Crime in the capital rose by 12% last year.", "Crime in the capital fell by 12% last year."),
]
# Known misses, documented in core/compare.py: heavy rewording.
KNOWN_MISSES = [
    ("More than 2,000 people were evacuated after the river burst its banks.", "Over two thousand residents had to leave their homes when the river flooded."),
    ("Inflation reached its highest level in forty years.", "Prices are rising at the fastest pace in four decades."),
]
# Different claims, same topic or same mould: must not match.
DIFFERENT = [
    ("The unemployment rate fell to 3.5% in March.", "Youth unemployment rose sharply in the southern regions."),
    ("The unemployment rate fell to 3.5% in March.", "The unemployment rate rose to 4.1% in June."),
    ("The city council approved a $40 million budget for road repairs.", "The city council rejected a plan to build a new stadium."),
    ("The city council approved a $40 million budget for road repairs.", "The city council approved a $12 million budget for parks."),
    ("More than 2,000 people were evacuated after the river burst its banks.", "The government promised new flood defences by 2030."),
    ("The company laid off 500 workers at its Ohio plant last week.", "The company reported record profits in its third quarter."),
    ("The company laid off 500 workers at its Ohio plant last week.", "The company hired 500 workers at its Texas plant last week."),
    ("The vaccine was 95% effective in preventing severe illness in the trial.", "Side effects of the vaccine were mostly mild, the regulator said."),
    ("Inflation reached its highest level in forty years.", "Wages have not kept up with rents in the capital."),
    ("The president signed the climate bill into law on Tuesday.", "The opposition leader called the climate bill a job killer."),
    ("Crime in the capital rose by 12% last year.", "The police chief asked for 300 more officers."),
    ("The minister resigned after the corruption scandal.", "The prime minister appointed a new finance minister."),
    ("Wildfires have burned more than 100,000 hectares this summer.", "Firefighters from five countries were sent to help."),
    ("The central bank raised interest rates by half a percentage point.", "Mortgage holders will pay more each month."),
    ("Half of all teachers say they plan to quit within five years.", "The school year will start a week later in the north."),
]


def _similarities(pairs):
    encoder = get_embedder()
    left, right = encoder.encode([p[0] for p in pairs]), encoder.encode([p[1] for p in pairs])
    return (left * right).sum(axis=1)


def test_threshold_separates_paraphrases_from_different_claims():
    matched = _similarities(PARAPHRASES + COUNTER_CLAIMS)
    different = _similarities(DIFFERENT)
    assert matched.min() >= DEFAULT_THRESHOLD, [p for p, s in zip(PARAPHRASES + COUNTER_CLAIMS, matched) if s < DEFAULT_THRESHOLD]
    assert different.max() < DEFAULT_THRESHOLD, [p for p, s in zip(DIFFERENT, different) if s >= DEFAULT_THRESHOLD]


def test_known_misses_stay_below_threshold():
    # If the embedder improves and these start matching, update the documentation in core/compare.py.
    assert (_similarities(KNOWN_MISSES) < DEFAULT_THRESHOLD).all()


def test_shared_claims_groups_paraphrases_across_three_articles():
    a = make_analysis(id="a", title="Paper A", claims=[
        "The unemployment rate fell to 3.5% in March.",
        "The minister resigned after the corruption scandal.",
        "The city council rejected a plan to build a new stadium.",
    ])
    b = make_analysis(id="b", title="Paper B", claims=[
        "Following the corruption scandal, the minister stepped down.",
        "In March, joblessness dropped to 3.5 percent.",
    ])
    c = make_analysis(id="c", title="Paper C", claims=[
        "The minister quit in the wake of the corruption scandal.",
        "Firefighters from five countries were sent to help.",
    ])
    result = shared_claims([a, b, c])
    groups = [{(m.analysis_id, m.claim_id) for m in s.mentions} for s in result.shared]
    assert groups[0] == {("a", "c2"), ("b", "c1"), ("c", "c1")}  # the most widely shared comes first
    assert {("a", "c1"), ("b", "c2")} in groups
    assert len(groups) == 2
    assert [m.text for m in result.unique_for("a")] == ["The city council rejected a plan to build a new stadium."]
    assert result.unique_for("b") == ()
    assert [m.claim_id for m in result.unique_for("c")] == ["c2"]
    assert all(s.similarity >= DEFAULT_THRESHOLD for s in result.shared)
    assert result.articles == ("Paper A", "Paper B", "Paper C")


def test_group_holds_one_claim_per_article_and_reports_verdicts():
    # Article A states the same claim twice; only one of its wordings may join B's claim.
    a = make_analysis(id="a", claims=["Crime in the capital rose by 12% last year.",
                                      "Last year the capital saw a 12 percent increase in crime."])
    b = make_analysis(id="b", claims=["Crime in the capital fell by 12% last year."])
    result = shared_claims([a, b])
    assert len(result.shared) == 1
    owners = [m.analysis_id for m in result.shared[0].mentions]
    assert sorted(owners) == ["a", "b"]
    assert len(result.unique_for("a")) == 1
    for mention in result.shared[0].mentions:
        source = {"a": a, "b": b}[mention.analysis_id]
        claim = next(c for c in source.claims if c.id == mention.claim_id)
        assert (mention.text, mention.verdict, mention.verdict_confidence) == (claim.text, claim.verdict, claim.assessment.confidence)


def _one_hot_encoder(texts):
    """Identical texts get identical unit vectors, different texts orthogonal ones."""
    vocabulary = sorted(set(texts))
    return np.eye(len(vocabulary), dtype=np.float32)[[vocabulary.index(t) for t in texts]]


def test_verdicts_agree_flag():
    # The factory cycles verdicts by claim position: c1 corroborated, c2 single source.
    a = make_analysis(id="a", claims=["same"])
    b = make_analysis(id="b", claims=["same"])
    assert shared_claims([a, b], encode=_one_hot_encoder).shared[0].verdicts_agree
    b_second = make_analysis(id="b", claims=["other", "same"])
    group = shared_claims([a, b_second], encode=_one_hot_encoder).shared[0]
    assert [m.verdict for m in group.mentions] == [Verdict.CORROBORATED, Verdict.SINGLE_SOURCE]
    assert not group.verdicts_agree and group.verdicts_differ and group.agreement == "verdicts differ"


def test_two_unverified_verdicts_are_no_agreement():
    # The factory's fifth claim is unverified, its first corroborated.
    fillers = ["one", "two", "three", "four"]
    a = make_analysis(id="a", claims=fillers + ["same"])
    b = make_analysis(id="b", claims=fillers + ["same"])
    group = next(g for g in shared_claims([a, b], encode=_one_hot_encoder).shared if g.text == "same")
    assert {m.verdict for m in group.mentions} == {Verdict.UNVERIFIED}
    assert not group.verdicts_agree and not group.verdicts_differ
    assert group.agreement == "not enough decided verdicts to compare"
    one_decided = make_analysis(id="c", claims=["same"])  # corroborated against unverified: neither
    group = shared_claims([a, one_decided], encode=_one_hot_encoder).shared[0]
    assert not group.verdicts_agree and not group.verdicts_differ


def test_threshold_is_a_parameter():
    a = make_analysis(id="a", claims=["The company laid off 500 workers at its Ohio plant last week."])
    b = make_analysis(id="b", claims=["The company hired 500 workers at its Texas plant last week."])
    assert shared_claims([a, b]).shared == ()
    assert len(shared_claims([a, b], threshold=0.5).shared) == 1


def test_articles_without_claims_compare_cleanly():
    result = shared_claims([make_analysis(id="a", n_claims=0), make_analysis(id="b", n_claims=0)])
    assert result.shared == () and result.unique == ((), ())


@pytest.mark.parametrize("count", [1, 7])
def test_rejects_too_few_or_too_many(count):
    with pytest.raises(InputError):
        shared_claims([make_analysis(id=str(i)) for i in range(count)])


def test_rejects_the_same_analysis_twice():
    with pytest.raises(InputError):
        shared_claims([make_analysis(id="a"), make_analysis(id="a")])


def test_article_labels_are_short_and_distinct():
    long = make_analysis(id="1", title="A very long headline about council spending that goes on and on")
    same1, same2 = make_analysis(id="2", title="Same"), make_analysis(id="3", title="Same")
    untitled = make_analysis(id="4", title=None, outlet=None)
    labels = article_labels([long, same1, same2, untitled])
    assert len(labels[0]) <= 32 and labels[0].endswith("…")
    assert labels[1:3] == ["Same (1)", "Same (2)"]
    assert labels[3] == "analysis 4"


def test_a_shared_claim_names_the_figures_its_articles_give_differently():
    """ "28 contacts quarantined" and "46 contacts" were grouped as one claim without a word (issue 27)."""
    from core.compare import ClaimMention, figure_conflicts

    mentions = (ClaimMention("a1", "Daily Post", "c1", "Health officials said 28 contacts of the patient were quarantined.",
                             Verdict.UNVERIFIED, None),
                ClaimMention("a2", "Evening Star", "c3", "Health officials said 46 contacts of the patient were quarantined.",
                             Verdict.UNVERIFIED, None))
    (conflict,) = figure_conflicts(mentions)
    assert "28 (Daily Post) vs 46 (Evening Star)" in conflict or "28 contacts (Daily Post) vs 46 contacts (Evening Star)" in conflict
    (named,) = figure_conflicts(mentions, {"a1": "The Daily Post", "a2": "Evening Star Online"})
    assert "(The Daily Post) vs 46" in named and named.endswith("(Evening Star Online)")
    same = (mentions[0], ClaimMention("a3", "Courier", "c2", "Twenty-eight contacts of the patient were quarantined, "
                                      "health officials said.", Verdict.UNVERIFIED, None))
    assert figure_conflicts(same) == ()


def _stored_with_index(tmp_path, analyses):
    from core.sources.library import index_sentences
    from core.storage import Storage

    storage = Storage(tmp_path / "library.db")
    for analysis in analyses:
        storage.save(analysis, index=index_sentences(analysis.article))  # as the pipeline saves it
    return storage


def _refused(texts):
    raise AssertionError(f"the model was asked for {list(texts)}")


def test_claims_the_library_index_holds_are_compared_with_its_vectors_and_no_model(tmp_path):
    from core.compare import indexed_claim_vectors

    first, second = zip(*PARAPHRASES[:4])
    a = make_analysis(id="a", url="https://a.example/1", claims=[*first, DIFFERENT[0][1]])
    b = make_analysis(id="b", url="https://b.example/1", claims=list(second))
    storage = _stored_with_index(tmp_path, [a, b])
    assert set(indexed_claim_vectors(storage, [a, b])) == {c.text for c in a.claims + b.claims}
    from_index = shared_claims([a, b], storage=storage, encode=_refused)
    computed = shared_claims([a, b])
    assert [[m.claim_id for m in g.mentions] for g in from_index.shared] == \
        [[m.claim_id for m in g.mentions] for g in computed.shared]
    assert len(from_index.shared) == 4 and [g.similarity for g in from_index.shared] == [g.similarity for g in computed.shared]


def test_claims_not_in_the_index_are_embedded_beside_those_that_are(tmp_path):
    """An analysis stored without its index (imported, or from before the index) still compares: its claims
    are embedded, at the index's precision, and match the indexed wording."""
    from core.storage import Storage

    a = make_analysis(id="a", url="https://a.example/1", claims=[PARAPHRASES[0][0]])
    b = make_analysis(id="b", url="https://b.example/1", claims=[PARAPHRASES[0][1]])
    storage = _stored_with_index(tmp_path, [a])
    Storage(tmp_path / "library.db").save(b)
    asked = []

    def encode(texts):
        asked.extend(texts)
        return get_embedder().encode(texts)

    result = shared_claims([a, b], storage=storage, encode=encode)
    assert asked == [PARAPHRASES[0][1]] and len(result.shared) == 1
