import numpy as np

from core.ml.stance import apply_conflict, find_conflict, numbers, overlap


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


def test_claim_folds_never_split_a_claim() -> None:
    from core.ml.training.data import StancePair
    from core.ml.training.stance import FOLDS, claim_folds

    pairs = [StancePair(str(c), f"claim {c}", f"evidence {c}-{k}", "neutral") for c in range(40) for k in range(3)]
    for seed in (13, 1):
        fold = claim_folds(pairs, seed)
        assert set(fold.tolist()) == set(range(FOLDS))
        for c in range(40):
            assert len({int(f) for p, f in zip(pairs, fold) if p.claim_id == str(c)}) == 1
    assert not np.array_equal(claim_folds(pairs, 13), claim_folds(pairs, 1))
