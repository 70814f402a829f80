import os
from pathlib import Path

import numpy as np
import pytest

from core.errors import ModelError
from core.ml.embeddings import DIM, Embedder, default_model_path
from core.ml.loading import get_embedder


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


def test_token_states_come_from_the_same_pass_and_follow_the_words() -> None:
    embedder = get_embedder()
    texts = ["The corrupt elites betrayed us.", "", "Rates rose to 5% in 2023, the bank said."]
    pooled, states = embedder.encode_tokens(texts)
    assert np.allclose(pooled, embedder.encode(texts), atol=1e-5)
    assert len(states) == 3 and states[1].hidden.shape == (0, DIM)
    first = states[0]
    assert first.hidden.shape == (len(first.offsets), DIM)
    # Offsets index the text itself, without [CLS]/[SEP].
    assert [texts[0][s:e] for s, e in first.offsets] == ["The", "corrupt", "elites", "betrayed", "us", "."]
    words = first.pooled_over([(4, 11), (0, 11), (31, 40)])
    assert np.allclose(words[0], first.hidden[1], atol=1e-6)
    assert np.allclose(words[1], first.hidden[:2].mean(axis=0), atol=1e-6)
    assert not words[2].any()  # past the end of the text: no piece overlaps
    # The same word reads differently in different contexts.
    _, (bank_river, bank_money) = embedder.encode_tokens(["We sat on the bank of the river.", "The bank raised its rates."])
    river = bank_river.pooled_over([(14, 18)])[0]
    money = bank_money.pooled_over([(4, 8)])[0]
    assert not np.allclose(river, money, atol=1e-2)


def test_model_without_the_token_layer_is_a_model_error(tmp_path: Path) -> None:
    import hashlib

    import onnx
    from onnx import TensorProto, helper

    from core.ml.embeddings import TOKEN_LAYER_OUTPUT

    # A graph with the embedder's inputs and output but no middle layer to read the token states from.
    inputs = [helper.make_tensor_value_info(n, TensorProto.INT64, [None, None]) for n in ("input_ids", "attention_mask", "token_type_ids")]
    output = helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, [None, None, DIM])
    graph = helper.make_graph([helper.make_node("Cast", ["input_ids"], ["last_hidden_state"], to=TensorProto.FLOAT)], "tiny", inputs, [output])
    path = tmp_path / "tiny.onnx"
    onnx.save(helper.make_model(graph), str(path))
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    with pytest.raises(ModelError, match=TOKEN_LAYER_OUTPUT):
        Embedder(model_path=path, expected_sha256=digest)


def test_mean_states_average_each_texts_token_states() -> None:
    embedder = get_embedder()
    texts = ["Sea levels rose by 20 cm.", ""]
    vectors, means = embedder.encode_with_states(texts)
    pooled, states = embedder.encode_tokens(texts)
    assert np.allclose(vectors, pooled, atol=1e-6) and means.shape == (2, DIM)
    assert np.allclose(means[0], states[0].hidden.mean(axis=0), atol=1e-6)
    assert not means[1].any()


def test_the_bounded_memory_session_computes_what_a_default_session_does() -> None:
    """cpu_session gives up onnxruntime's memory arena and memory patterns (a worker's memory stays flat): the
    numbers must not change, to the last bit, over batches of changing shapes."""
    import onnxruntime as ort
    from tokenizers import Tokenizer

    from core.ml.embeddings import TOKENIZER_PATH, _with_token_layer_output, cpu_session, padded

    model = _with_token_layer_output(default_model_path())
    bounded = cpu_session(model)
    options = ort.SessionOptions()
    options.intra_op_num_threads, options.inter_op_num_threads = bounded.get_session_options().intra_op_num_threads, 1
    default = ort.InferenceSession(model, sess_options=options, providers=["CPUExecutionProvider"])
    assert not bounded.get_session_options().enable_cpu_mem_arena and default.get_session_options().enable_cpu_mem_arena
    tokenizer = Tokenizer.from_file(str(TOKENIZER_PATH))
    for size, words in ((1, 3), (7, 40), (32, 12), (2, 200), (7, 40)):
        encodings = tokenizer.encode_batch([("word " * (words + row)).strip() + f" {row}" for row in range(size)])
        ids, mask, types = padded(encodings)
        feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
        for ours, theirs in zip(bounded.run(None, feed), default.run(None, feed)):
            assert ours.shape[0] == size and np.array_equal(ours, theirs)


def test_threads_encoding_at_once_get_what_one_thread_gets() -> None:
    """A worker's threads run the model side by side (no lock around the session): each text's vector is the one a
    single caller gets, to the last bit, however the calls interleave."""
    from concurrent.futures import ThreadPoolExecutor

    texts = [f"The council approved budget line {n} by {n % 7 + 20} votes to {n % 5 + 3} on Monday." for n in range(96)]
    alone = Embedder().encode(texts)
    embedder = Embedder()
    with ThreadPoolExecutor(4) as pool:
        parts = list(pool.map(lambda start: embedder.encode(texts[start:start + 8]), range(0, 96, 8)))
    assert np.array_equal(np.concatenate(parts), alone)


def test_sessions_take_the_threads_set_for_them() -> None:
    from core.ml import embeddings

    embeddings.set_session_threads(1)
    try:
        assert embeddings.Embedder()._session.get_session_options().intra_op_num_threads == 1
    finally:
        embeddings.set_session_threads(0)
    assert embeddings.session_threads() == min(2, os.cpu_count() or 1)
    with pytest.raises(ValueError):
        embeddings.set_session_threads(-1)
