"""Experiment (not part of the product): MiniLM fine-tuned as a stance cross-encoder, on one fold.

Rebuilds all-MiniLM-L6-v2 in PyTorch from the shipped int8 ONNX graph (each
weight is an int8 tensor times a per-row or per-column scale), checks that it
gives the ONNX sentence embeddings, fine-tunes it on "claim [SEP] evidence"
pairs of the other folds and prints, after each epoch, the held-out fold's
macro-F1 alone and log-averaged with the shipped linear model trained on the
same folds. The results are in docs/local-models.md (third round).

It needs torch, which Crosscheck does not depend on:

    python3 -m venv /tmp/torch-venv
    /tmp/torch-venv/bin/pip install -r requirements.txt torch==2.13.0
    /tmp/torch-venv/bin/python scripts/stance_cross_encoder.py --fold 0 --epochs 4 --lr 5e-5

About 2.5 minutes per epoch on 2 cores.
"""
from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np
import onnx
import torch
from onnx import numpy_helper
from tokenizers import Tokenizer

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.ml import train_stance  # noqa: E402
from core.ml.data import data_dir  # noqa: E402
from core.ml.embeddings import DIM, TOKENIZER_PATH, Embedder, default_model_path  # noqa: E402
from core.ml.stance import LABELS  # noqa: E402

HEADS, LAYERS = 12, 6


class MiniLM(torch.nn.Module):
    """BERT encoder with the ONNX graph's weights, dequantised to float32."""

    def __init__(self, model_path: Path) -> None:
        super().__init__()
        graph = onnx.load(str(model_path)).graph
        init = {i.name: numpy_helper.to_array(i) for i in graph.initializer}

        def param(array: np.ndarray) -> torch.nn.Parameter:
            return torch.nn.Parameter(torch.tensor(np.asarray(array, np.float32)))

        def dequantised(name: str) -> torch.nn.Parameter:
            return param(init[name + "_q"].astype(np.float32) * init[name + "_scale"])

        def layer_norm(prefix: str) -> torch.nn.LayerNorm:
            norm = torch.nn.LayerNorm(DIM, eps=1e-12)
            norm.weight.data, norm.bias.data = torch.tensor(init[prefix + ".weight"]), torch.tensor(init[prefix + ".bias"])
            return norm

        # The graph's quantised matrices, in graph order: query, key, value, attention output,
        # intermediate and output of each layer.
        matrices = [n.input[0][:-2] for n in graph.node
                    if n.op_type == "Cast" and n.input[0].startswith("val_") and n.input[0].endswith("_q")]
        if len(matrices) != 6 * LAYERS:
            raise SystemExit(f"unexpected graph: {len(matrices)} quantised matrices")
        emb = "inner.embeddings."
        self.word = dequantised(emb + "word_embeddings.weight")
        self.position = dequantised(emb + "position_embeddings.weight")
        self.token_type = param(init[emb + "token_type_embeddings.weight"])
        self.embedding_norm = layer_norm(emb + "LayerNorm")
        self.weights = torch.nn.ParameterList([dequantised(m) for m in matrices])
        biases = []
        for layer in range(LAYERS):
            p = f"inner.encoder.layer.{layer}."
            biases += [param(init[p + n + ".bias"]) for n in ("attention.self.query", "attention.self.key", "attention.self.value",
                                                               "attention.output.dense", "intermediate.dense", "output.dense")]
        self.biases = torch.nn.ParameterList(biases)
        self.norms = torch.nn.ModuleList([layer_norm(f"inner.encoder.layer.{layer}.{n}.LayerNorm")
                                          for layer in range(LAYERS) for n in ("attention.output", "output")])

    def forward(self, ids: torch.Tensor, mask: torch.Tensor, types: torch.Tensor) -> torch.Tensor:
        batch, width = ids.shape
        x = self.embedding_norm(self.word[ids] + self.position[:width][None] + self.token_type[types])
        padding = (1.0 - mask[:, None, None, :].float()) * -1e4

        def heads(t: torch.Tensor) -> torch.Tensor:
            return t.view(batch, width, HEADS, DIM // HEADS).transpose(1, 2)

        for layer in range(LAYERS):
            w, b = self.weights[6 * layer:6 * layer + 6], self.biases[6 * layer:6 * layer + 6]
            q, k, v = (heads(x @ w[i] + b[i]) for i in range(3))
            attention = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(DIM // HEADS) + padding, dim=-1)
            context = (attention @ v).transpose(1, 2).reshape(batch, width, DIM)
            x = self.norms[2 * layer](x + context @ w[3] + b[3])
            x = self.norms[2 * layer + 1](x + torch.nn.functional.gelu(x @ w[4] + b[4]) @ w[5] + b[5])
        return x


def check_against_onnx(encoder: MiniLM, tokenizer: Tokenizer) -> float:
    texts = ["Global warming is driving polar bears toward extinction.", "The sun has gone into lockdown."]
    reference = Embedder().encode(texts)
    worst = 1.0
    for text, ref in zip(texts, reference):
        ids = torch.tensor([tokenizer.encode(text).ids])
        with torch.no_grad():
            pooled = encoder(ids, torch.ones_like(ids), torch.zeros_like(ids)).mean(dim=1)[0].numpy()
        worst = min(worst, float(pooled @ ref / np.linalg.norm(pooled)))
    return worst


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="shared data folder (default: ../shared/data)")
    parser.add_argument("--fold", type=int, default=0, help="held-out fold of the seed-13 claim split (0-4)")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--lr", type=float, default=3e-5, help="encoder learning rate (the head uses 1e-3)")
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--save", type=Path, help="write the held-out rows and both models' last-epoch probabilities here (.npz)")
    args = parser.parse_args()
    torch.manual_seed(train_stance.SEED)
    torch.set_num_threads(args.threads)

    tokenizer = Tokenizer.from_file(str(TOKENIZER_PATH))
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=160)
    encoder = MiniLM(default_model_path())
    print(f"cosine to the ONNX embeddings: {check_against_onnx(encoder, tokenizer):.4f}")

    pairs, u, v, s, y, _ = train_stance._data(data_dir(args.data), lambda message: None)
    fold = train_stance.claim_folds(pairs, train_stance.SEED)
    train, test = np.where(fold != args.fold)[0], np.where(fold == args.fold)[0]
    linear = train_stance._probs(train_stance._fit([pairs[i] for i in train], u[train], v[train], s[train], y[train]),
                                 [pairs[i] for i in test], u[test], v[test], s[test])
    print(f"linear model, fold {args.fold}: macro-F1 {train_stance.macro_f1(linear.argmax(1), y[test]):.4f}")

    def batch_of(rows: np.ndarray) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        encodings = [tokenizer.encode(pairs[i].claim, pairs[i].evidence) for i in rows]
        width = max(len(e.ids) for e in encodings)
        ids, mask, types = (torch.zeros(len(rows), width, dtype=torch.long) for _ in range(3))
        for r, e in enumerate(encodings):
            n = len(e.ids)
            ids[r, :n], mask[r, :n], types[r, :n] = torch.tensor(e.ids), 1, torch.tensor(e.type_ids)
        return ids, mask, types

    head = torch.nn.Linear(2 * DIM, len(LABELS))

    def logits(ids: torch.Tensor, mask: torch.Tensor, types: torch.Tensor) -> torch.Tensor:
        states = encoder(ids, mask, types)
        weights = mask[:, :, None].float()
        return head(torch.cat([states[:, 0], (states * weights).sum(1) / weights.sum(1)], dim=-1))

    length = np.array([len(p.claim) + len(p.evidence) for p in pairs])
    steps = args.epochs * math.ceil(len(train) / args.batch)
    optimiser = torch.optim.AdamW([{"params": encoder.parameters(), "lr": args.lr},
                                   {"params": head.parameters(), "lr": 1e-3}], weight_decay=0.01)
    schedule = torch.optim.lr_scheduler.LambdaLR(  # 10% warm-up, then linear decay to 0
        optimiser, lambda step: min(1.0, step / (0.1 * steps)) * max(0.0, (steps - step) / (0.9 * steps)))
    class_weight = torch.tensor(len(train) / (len(LABELS) * np.bincount(y[train], minlength=len(LABELS))), dtype=torch.float32)
    rng = np.random.default_rng(train_stance.SEED)
    start = time.time()
    for epoch in range(args.epochs):
        encoder.train()
        batches = []
        # Batches of similar length waste less work on padding.
        for chunk in np.array_split(rng.permutation(train), max(1, len(train) // (20 * args.batch))):
            chunk = chunk[np.argsort(length[chunk])]
            batches += [chunk[i:i + args.batch] for i in range(0, len(chunk), args.batch)]
        for index in rng.permutation(len(batches)):
            rows = batches[index]
            loss = torch.nn.functional.cross_entropy(logits(*batch_of(rows)), torch.tensor(y[rows]), weight=class_weight)
            optimiser.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(list(encoder.parameters()) + list(head.parameters()), 1.0)
            optimiser.step()
            schedule.step()
        encoder.eval()
        order = test[np.argsort(length[test])]
        with torch.no_grad():
            probs = np.vstack([torch.softmax(logits(*batch_of(order[i:i + 64])), dim=-1).numpy() for i in range(0, len(order), 64)])
        cross = np.zeros((len(pairs), len(LABELS)))
        cross[order] = probs
        cross = cross[test]
        averaged = 0.7 * np.log(linear + 1e-9) + 0.3 * np.log(cross + 1e-9)
        print(f"epoch {epoch + 1}: cross-encoder {train_stance.macro_f1(cross.argmax(1), y[test]):.4f}, "
              f"log-averaged with the linear model (0.3) {train_stance.macro_f1(averaged.argmax(1), y[test]):.4f} "
              f"({time.time() - start:.0f} s)", flush=True)
    if args.save:
        np.savez(args.save, rows=test, labels=y[test], linear=linear, cross=cross)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
