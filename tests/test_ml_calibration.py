import numpy as np

from core.ml.calibration import apply_platt
from core.ml.training.fitting import fit_platt
from core.ml.training.metrics import expected_calibration_error, reliability_table


def test_platt_recovers_a_known_sigmoid() -> None:
    rng = np.random.default_rng(0)
    scores = rng.normal(0, 2, 20000)
    labels = (rng.random(20000) < 1 / (1 + np.exp(-(1.5 * scores - 0.5)))).astype(int)
    a, b = fit_platt(scores, labels)
    assert abs(a - 1.5) < 0.1 and abs(b + 0.5) < 0.1
    assert expected_calibration_error(apply_platt(scores, a, b), labels) < 0.02


def test_platt_fixes_overconfident_scores() -> None:
    rng = np.random.default_rng(1)
    scores = rng.normal(0, 1, 5000)
    labels = (rng.random(5000) < 1 / (1 + np.exp(-scores))).astype(int)
    overconfident = 1 / (1 + np.exp(-4 * scores))
    a, b = fit_platt(4 * scores, labels)
    assert expected_calibration_error(apply_platt(4 * scores, a, b), labels) < expected_calibration_error(overconfident, labels) / 2


def test_ece_and_reliability_table() -> None:
    probs = np.array([0.9, 0.9, 0.1, 0.1])
    assert abs(expected_calibration_error(probs, np.array([1, 1, 0, 0])) - 0.1) < 1e-9
    assert abs(expected_calibration_error(probs, np.array([0, 0, 1, 1])) - 0.9) < 1e-9
    table = reliability_table(probs, np.array([1, 0, 0, 0]))
    assert [(round(lo, 1), n) for lo, _, _, n in table] == [(0.1, 2), (0.9, 2)]
    assert table[1][2] == 0.5
