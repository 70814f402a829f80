"""Measure core.facts on claim/passage pairs made from the shared Wikinews articles, beside the old checks.

From each sentence with a figure in digits (8 to 60 words) three pairs are
made, the sentence being the claim:
  (a) a restatement -> should agree: numbers rewritten ("3,248" <-> "3248"),
      rounded with "about"/"more than", small numbers in words or digits,
      clauses reordered, attribution dropped (one or two of these);
  (b) one figure changed by 10-300 % (or a year, month, weekday or day
      changed) -> should conflict;
  (c) another sentence of the same article with a figure -> neither.
Articles are split in two by the SHA-1 of their URL: even -> development
(the thresholds in core.facts.compare were chosen on it), odd -> held-out.

The baseline is core.ml.stance: agreement when ``coverage`` finds every number
and name and ``find_conflict`` finds none; conflict when ``find_conflict`` does.

``--clusters`` measures instead on the development half of the hand-judged real
pairs of tests/data/story_clusters.json (clusters whose SHA-1 id starts with an
even byte; the odd half is held out for independent measurement and is never
read here): per label (restates / conflicts / compatible), how many pairs
compare_facts calls agree (every figure and date agrees, nothing of the claim
missing: the rule core/fact_stance.py decides by), conflict, or neither, with
each sentence of a pair in turn as the claim.

    PYTHONPATH=$PWD python scripts/eval_facts.py [--data ../shared/data] [--examples 0] [--clusters]
"""
from __future__ import annotations

import argparse
import hashlib
import json
import random
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

from core.facts import compare_facts, read_facts
from core.ml.stance import coverage, find_conflict
from core.ml.training.news_pairs import (
    change_figure,
    drop_attribution,
    figures,
    reorder_clauses,
    restate,
    rewrite_separators,
    round_figure,
    words_digits,
)
from core.text import segment_sentences

ROOT = Path(__file__).resolve().parent.parent

LABELS = ("agree", "conflict", "neither")
# A restatement here keeps every figure (no clause dropped, as the news-pair layer's may): it should agree.
RESTATEMENTS: tuple[Callable[[str, random.Random], str], ...] = (
    rewrite_separators, round_figure, words_digits, reorder_clauses, drop_attribution)


def article_pairs(article: dict, rng: random.Random) -> Iterator[tuple[str, str, str, str]]:
    """(kind, claim, passage, label) for each usable sentence of one article."""
    sentences = [seg.text for seg in segment_sentences(article["text"])]
    usable = [s for s in sentences if figures(s) and 8 <= len(s.split()) <= 60 and '"' not in s[:1]]
    for i, claim in enumerate(usable):
        restated = restate(claim, rng, RESTATEMENTS, stop=0.5)
        if restated:
            yield "restatement", claim, restated, "agree"
        changed = change_figure(claim, rng)
        if changed and changed != claim:
            yield "changed figure", claim, changed, "conflict"
        others = [s for j, s in enumerate(usable) if j != i and s != claim]
        if others:
            yield "other sentence", claim, rng.choice(others), "neither"


def predict_facts(claim: str, passage: str) -> str:
    result = compare_facts(claim, passage)
    if result.conflicts:
        return "conflict"
    return "agree" if result.figures_agree else "neither"


def predict_baseline(claim: str, passage: str) -> str:
    if find_conflict(claim, passage) is not None:
        return "conflict"
    return "agree" if coverage(claim, passage).covered else "neither"


def held_out(url: str) -> bool:
    return int(hashlib.sha1(url.encode()).hexdigest(), 16) % 2 == 1


def scores(gold: list[str], predicted: list[str], label: str) -> tuple[float, float, int]:
    tp = sum(g == p == label for g, p in zip(gold, predicted))
    n_predicted = sum(p == label for p in predicted)
    n_gold = sum(g == label for g in gold)
    return tp / n_predicted if n_predicted else 0.0, tp / n_gold if n_gold else 0.0, n_predicted


def development_cluster(cluster_id: str) -> bool:
    """The development half of the judged story clusters; the other half is held out."""
    return hashlib.sha1(cluster_id.encode()).digest()[0] % 2 == 0


def decide(claim: str, passage: str) -> str:
    """What core/fact_stance.py decides by: "agree" (figures agree, nothing missing), "conflict" or "neither"."""
    result = compare_facts(claim, passage)
    if result.conflicts:
        return "conflict"
    return "agree" if result.figures_agree and not result.missing else "neither"


def cluster_report(data: Path, examples: int) -> None:
    """Decisions on the development half of the judged real pairs, per label and direction."""
    from testkit.story_clusters import PAIR_LABELS, load_story_clusters

    pairs = [p for p in load_story_clusters(data).pairs if development_cluster(p.cluster)]
    print(f"{len(pairs)} judged pairs in the development half of tests/data/story_clusters.json "
          "(SHA-1(cluster id) first byte even); each sentence in turn is the claim")
    print(f"{'label':11} {'pairs':>6} {'agree':>6} {'conflict':>9} {'neither':>8}")
    wrong = []
    for label in PAIR_LABELS:
        judged = [p for p in pairs if p.label == label]
        decided = Counter()
        for pair in judged:
            for claim, passage in ((pair.a.text, pair.b.text), (pair.b.text, pair.a.text)):
                decision = decide(claim, passage)
                decided[decision] += 1
                expected = {"restates": "agree", "conflicts": "conflict"}.get(label, "neither")
                if decision != expected:
                    wrong.append((label, decision, claim, passage))
        print(f"{label:11} {2 * len(judged):>6} {decided['agree']:>6} {decided['conflict']:>9} {decided['neither']:>8}")
    for label, decision, claim, passage in wrong[:examples]:
        result = compare_facts(claim, passage)
        print(f"  [{label} read {decision}]\n    C: {claim}\n    P: {passage}\n"
              f"    agree={[m.describe() for m in result.agreements]} conflicts={[m.describe() for m in result.conflicts]} "
              f"missing={result.missing}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--examples", type=int, default=0, help="print this many errors of core.facts per split")
    parser.add_argument("--clusters", action="store_true",
                        help="measure on the development half of the judged real pairs (tests/data/story_clusters.json)")
    args = parser.parse_args()
    if args.clusters:
        cluster_report(args.data, args.examples)
        return
    articles = [json.loads(line) for line in (args.data / "news" / "wikinews_en.jsonl").read_text().splitlines()]
    print(f"{len(articles)} Wikinews articles; development: SHA-1(url) even, held-out: odd")
    print(f"{'split':9} {'method':22} {'pairs':>6} {'agree P':>8} {'agree R':>8} {'conflict P':>11} {'conflict R':>11} "
          f"{'restated->conflict':>19} {'ms/pair':>8}")
    for split, keep in (("dev", False), ("held-out", True)):
        rng = random.Random(args.seed)
        pairs = [p for a in articles if held_out(a["url"]) == keep for p in article_pairs(a, rng)]
        gold = [label for _, _, _, label in pairs]
        for name, predict in (("core.facts", predict_facts), ("stance find_conflict", predict_baseline)):
            read_facts.cache_clear()
            started = time.perf_counter()
            predicted = [predict(c, p) for _, c, p, _ in pairs]
            ms = (time.perf_counter() - started) * 1000 / max(1, len(pairs))
            ap, ar, _ = scores(gold, predicted, "agree")
            cp, cr, _ = scores(gold, predicted, "conflict")
            wrong = sum(g == "agree" and p == "conflict" for g, p in zip(gold, predicted))
            print(f"{split:9} {name:22} {len(pairs):>6} {ap:>8.3f} {ar:>8.3f} {cp:>11.3f} {cr:>11.3f} {wrong:>19} "
                  f"{ms:>8.2f}")
            if name == "core.facts" and args.examples:
                errors = [(k, c, p, g, q) for (k, c, p, g), q in zip(pairs, predicted) if g != q]
                print(f"  errors by kind: {dict(Counter((k, q) for k, _, _, _, q in errors))}")
                for kind, claim, passage, g, q in random.Random(1).sample(errors, min(args.examples, len(errors))):
                    print(f"  [{kind}: {g} read {q}]\n    C: {claim}\n    P: {passage}")
                    print(f"    {[m.describe() for m in compare_facts(claim, passage).conflicts]} "
                          f"missing={compare_facts(claim, passage).missing}")


if __name__ == "__main__":
    main()
