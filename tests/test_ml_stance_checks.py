import numpy as np

import pytest

from core.ml.stance import DecisiveRule, apply_conflict, coverage, find_conflict, key_specifics, numbers, overlap, restates


def test_number_conflict_on_the_same_fact() -> None:
    conflict = find_conflict("The bridge cost 40 million dollars to build.", "Building the bridge cost 65 million dollars.")
    assert conflict is not None and conflict.kind == "number"


def test_matching_numbers_and_scales_are_no_conflict() -> None:
    assert find_conflict("Unemployment fell to 4.5% in March.", "In March, unemployment fell to 4.5%.") is None
    assert 2_000_000.0 in numbers("about 2 million people")
    assert 1250.0 in numbers("1,250 votes")


def test_year_conflict() -> None:
    conflict = find_conflict("The treaty was signed in 1997 by the members.", "The members signed the treaty in 2001.")
    assert conflict is not None and conflict.kind == "year"


def test_negation_conflict() -> None:
    conflict = find_conflict("Vaccines cause autism in children.", "Vaccines do not cause autism in children.")
    assert conflict is not None and conflict.kind == "negation"


def test_unrelated_passages_never_conflict() -> None:
    assert overlap("Vaccines cause autism in children.", "The stock market closed 200 points lower.") < 0.5
    assert find_conflict("Vaccines cause autism in children.", "The stock market did not close 200 points lower.") is None


def test_conflict_swaps_support_into_refutation() -> None:
    scores = np.array([0.7, 0.1, 0.2])
    conflict = find_conflict("Vaccines cause autism in children.", "Vaccines do not cause autism in children.")
    assert apply_conflict(scores, conflict).tolist() == [0.1, 0.7, 0.2]
    assert apply_conflict(scores, None).tolist() == scores.tolist()
    # Already leaning to refutes: left as the model said.
    assert apply_conflict(np.array([0.1, 0.6, 0.3]), conflict).tolist() == [0.1, 0.6, 0.3]


def test_group_folds_never_split_a_group() -> None:
    from core.ml.training.stance_corpus import FOLDS, group_folds

    groups = [f"source:{c}" for c in range(40) for _ in range(3)]
    for seed in (13, 1):
        fold = group_folds(groups, seed)
        assert set(fold.tolist()) == set(range(FOLDS))
        for c in range(40):
            assert len({int(f) for g, f in zip(groups, fold) if g == f"source:{c}"}) == 1
    assert not np.array_equal(group_folds(groups, 13), group_folds(groups, 1))


def test_key_specifics_are_numbers_and_names_after_the_first_word() -> None:
    found = key_specifics("Kavanaugh has had six FBI background checks since 1993, the U.S. Senate heard on Monday.")
    assert found.exact == {6.0} and found.bounded == {1993.0}  # "since 1993" bounds, "six" states
    assert found.names == (("fbi",), ("us", "senate"))  # "Kavanaugh" opens the sentence; "Monday" is a date word
    assert key_specifics("Slim Thug sold 130 million copies.").names == (("slim", "thug"),)


def test_a_bounded_number_is_covered_by_a_figure_of_its_order() -> None:
    claim = "There are more than 380 cases of coronavirus in the Bulgarian provinces."
    assert coverage(claim, "There are 399 confirmed cases in 21 Bulgarian provinces.").covered
    assert coverage(claim, "There are 12 confirmed cases in Bulgarian provinces.").missing == ("380",)


@pytest.mark.parametrize("evidence, missing", [
    ("The FBI ran 6 background checks on Kavanaugh, US Senate records show.", ()),
    ("The FBI ran background checks on Brett Kavanaugh.", ("6", "senate")),
    ("Kavanaugh had six background checks, the Senate was told.", ("fbi",)),
])
def test_coverage_names_the_specifics_the_evidence_leaves_out(evidence: str, missing: tuple[str, ...]) -> None:
    result = coverage("Kavanaugh has had 6 FBI background checks, the Senate heard.", evidence)
    assert result.missing == missing and result.covered == (not missing)


def test_a_claim_without_specifics_is_covered_by_any_passage() -> None:
    assert coverage("Global warming is driving polar bears toward extinction.", "Polar bears are declining.").covered


def test_decisive_rule_needs_the_threshold_and_for_support_a_supportable_passage() -> None:
    rule = DecisiveRule(supports=0.7, refutes=0.8)
    assert rule.decisive("supports", (0.7, 0.1, 0.2), supportable=True)
    assert not rule.decisive("supports", (0.69, 0.1, 0.21), supportable=True)
    assert not rule.decisive("supports", (0.95, 0.0, 0.05), supportable=False)
    assert rule.decisive("refutes", (0.1, 0.8, 0.1), supportable=False)
    assert not rule.decisive("refutes", (0.1, 0.79, 0.11), supportable=True)
    assert not rule.decisive("neutral", (0.0, 0.0, 1.0), supportable=True)


def test_a_restating_passage_counts_as_support_only_when_read_as_support_and_supportable() -> None:
    rule = DecisiveRule(supports=0.9, refutes=0.9)
    assert rule.decisive("supports", (0.6, 0.2, 0.2), supportable=True, restated=True)
    assert not rule.decisive("supports", (0.6, 0.2, 0.2), supportable=True, restated=False)
    assert not rule.decisive("supports", (0.6, 0.2, 0.2), supportable=False, restated=True)
    assert not rule.decisive("refutes", (0.2, 0.6, 0.2), supportable=True, restated=True)
    assert not rule.decisive("neutral", (0.3, 0.1, 0.6), supportable=True, restated=True)


def test_restates_needs_every_content_word_of_the_claim() -> None:
    claim = "Officials said the closure would save 1.2 million dollars."
    assert restates(claim, "Officials said on Monday the closure would save 1.2 million dollars a year.")
    assert not restates(claim, "Officials said the closure would cost 1.2 million dollars.")
    assert not restates("It is.", "It is.")  # no content word: nothing is restated


def test_numbers_written_as_words_cover_digits() -> None:
    assert coverage("The bridge collapse killed 43 people.", "Forty-three people died when the bridge fell.").covered
    assert coverage("Six FBI checks were run.", "The FBI ran 6 checks.").covered
    assert coverage("The bridge collapse killed 43 people.", "Forty people died when the bridge fell.").missing == ("43",)
