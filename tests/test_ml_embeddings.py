from pathlib import Path

import numpy as np
import pytest

from core.errors import ModelError
from core.ml.embeddings import DIM, Embedder, default_model_path, get_embedder


def test_shape_dtype_and_unit_norm() -> None:
    embedder = get_embedder()
    texts = ["The cat sat on the mat.", "A cat was sitting on a mat.", "Inflation rose to 9% in 2022.", ""]
    vectors = embedder.encode(texts)
    assert vectors.shape == (4, DIM) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.3
    assert embedder.encode([]).shape == (0, DIM)


def test_order_is_kept_despite_length_sorting() -> None:
    embedder = get_embedder()
    texts = [("word " * n).strip() + f" {n}" for n in (30, 1, 12, 40, 3)] * 8
    together = embedder.encode(texts)
    alone = np.vstack([embedder.encode([t]) for t in texts[:5]])
    assert np.allclose(together[:5], alone, atol=1e-4)


def test_same_instance() -> None:
    assert get_embedder() is get_embedder()


def test_bad_checksum_is_a_model_error(tmp_path: Path) -> None:
    fake = tmp_path / "model.onnx"
    fake.write_bytes(b"not the model")
    with pytest.raises(ModelError, match="checksum"):
        Embedder(model_path=fake)
    with pytest.raises(ModelError):
        Embedder(model_path=default_model_path(), expected_sha256="0" * 64)
