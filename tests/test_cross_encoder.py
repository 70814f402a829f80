"""The stance cross-encoder: its weights go into the base graph exactly, and the shipped one reads entailment."""
from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import numpy_helper

from core.errors import InputError, ModelError
from core.ml import artifact
from core.ml.cross_encoder import (
    HEAD_BIAS,
    HEAD_WEIGHT,
    NAME,
    CrossEncoder,
    with_initialisers,
)
from core.ml.embeddings import DIM, default_model_path
from core.ml.training.stance_encoder import base_state, initialisers, quantised


def _base_initialisers() -> dict[str, np.ndarray]:
    return {i.name: numpy_helper.to_array(i) for i in onnx.load(str(default_model_path())).graph.initializer}


def test_the_base_weights_written_back_are_the_base_graph() -> None:
    state, matrices = base_state(default_model_path())
    state[HEAD_WEIGHT], state[HEAD_BIAS] = np.zeros((3, 2 * DIM), np.float32), np.zeros(3, np.float32)
    written = initialisers(state, matrices)
    base = _base_initialisers()
    assert "inner.embeddings.word_embeddings.weight_q" not in written  # frozen in training, never shipped
    for name, value in written.items():
        if name in (HEAD_WEIGHT, HEAD_BIAS):
            continue
        assert value.shape == base[name].shape and value.dtype == base[name].dtype, name
        if value.dtype == np.int8:
            # Requantising a dequantised matrix lands on the same integers (up to float rounding at a half).
            assert np.abs(value.astype(int) - base[name].astype(int)).max() <= 1, name
        else:
            np.testing.assert_allclose(value, base[name], rtol=1e-5, atol=1e-7, err_msg=name)


def test_quantised_keeps_each_weight_within_half_a_step() -> None:
    weights = np.random.default_rng(0).normal(size=(40, 7)).astype(np.float32)
    weights[:, 3] = 0.0  # an all-zero column gets a usable scale, not a division by zero
    values, scale = quantised(weights, 0)
    assert values.dtype == np.int8 and scale.shape == (1, 7) and np.abs(values).max() <= 127
    assert np.all(np.abs(values * scale - weights) <= scale / 2 + 1e-7)


def test_with_initialisers_refuses_another_shape_or_an_unknown_name() -> None:
    bias = "inner.encoder.layer.0.attention.self.query.bias"
    with pytest.raises(ModelError, match="base graph"):
        with_initialisers(default_model_path(), {bias: np.zeros(5, np.float32)})
    with pytest.raises(ModelError, match="no initialiser"):
        with_initialisers(default_model_path(), {"inner.encoder.layer.9.output.dense.bias": np.zeros(DIM, np.float32)})


def test_the_shipped_encoder_gives_the_logits_its_card_records() -> None:
    encoder = CrossEncoder()
    probes = encoder.meta["probes"]
    logits = encoder.logits([(p["claim"], p["evidence"]) for p in probes])
    np.testing.assert_allclose(logits, np.array([p["logits"] for p in probes]), atol=2e-3)
    assert encoder.logits([]).shape == (0, 3)


def test_the_shipped_encoder_reads_support_and_contradiction() -> None:
    logits = CrossEncoder().logits([
        ("The Eiffel Tower is in Paris.", "The Eiffel Tower is a wrought-iron lattice tower in Paris, France."),
        ("Unemployment fell to 4.7 percent in 2016.", "Unemployment declined to 4.7% in 2016, the lowest in nine years."),
        ("The Eiffel Tower is in Paris.", "The Eiffel Tower is in Rome."),
        ("The company was founded in 1998.", "The company was founded in 2004 by two students."),
        ("The Eiffel Tower is in Paris.", "Bananas are a good source of potassium."),
    ])
    # supports, supports, refutes, refutes, neutral. Explicit negation ("do not cause") it reads
    # poorly; the stance model's negation check handles that (test_local_engine).
    assert list(logits.argmax(1)) == [0, 0, 1, 1, 2]


def test_a_missing_encoder_artifact_names_the_command_that_makes_it(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="missing") as caught:
        CrossEncoder(tmp_path)
    assert "train stance-encoder" in (caught.value.hint or "")


def test_a_stance_model_without_the_encoder_says_to_retrain(tmp_path: Path) -> None:
    from core.ml.stance import NAME as STANCE
    from core.ml.stance import StanceModel

    for suffix in ("npz", "json"):
        shutil.copy(artifact.ARTIFACT_DIR / f"{STANCE}.{suffix}", tmp_path)
    card = json.loads((tmp_path / f"{STANCE}.json").read_text())
    del card["combination"]
    (tmp_path / f"{STANCE}.json").write_text(json.dumps(card))
    with pytest.raises(ModelError, match="predates the cross-encoder"):
        StanceModel(tmp_path)


def test_training_the_encoder_without_torch_says_how_to_get_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from core.ml.training import stance_encoder

    monkeypatch.setitem(sys.modules, "torch", None)  # import torch raises ImportError
    with pytest.raises(InputError) as caught:
        stance_encoder.train(tmp_path, tmp_path / "out", lambda message: None)
    assert "pip install torch" in (caught.value.hint or "")
    assert not (tmp_path / "out" / f"{NAME}.npz").exists()
