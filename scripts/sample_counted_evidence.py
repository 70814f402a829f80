"""A random sample of the library passages that counted toward verdicts on real stories, for judging precision.

Recall is measured on judged pairs (scripts/eval_crosscheck.py); precision needs the other direction:
of the passages the rules counted as supporting or refuting, how many really do? This analyses the
stories of one half of tests/data/story_clusters.json as the evaluation does (each article checked
against the others of its story) and prints a seeded random sample of counted passages as JSON lines
(claim, passage, stance, facts, whether the facts rule decided it) for a person to judge.

    PYTHONPATH=$PWD .venv/bin/python scripts/sample_counted_evidence.py --half held-out --n 40 > sample.jsonl
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from pathlib import Path

from core.records import Stance
from testkit import crosscheck_eval as ev
from testkit.story_clusters import DEFAULT_DATA_ROOT, load_story_clusters


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--half", choices=("dev", "held-out"), default="held-out")
    parser.add_argument("--n", type=int, default=40)
    parser.add_argument("--seed", type=int, default=27)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA_ROOT)
    args = parser.parse_args()
    stories = load_story_clusters(args.data)
    articles = ev.story_articles(stories, args.data)
    counted = []
    for cluster in stories.clusters:
        if ev.cluster_half(cluster.id) != args.half:
            continue
        members = {key: articles[key] for key in (*cluster.articles, *cluster.thread)}
        with tempfile.TemporaryDirectory() as home:
            analysed = ev.analyse_story(members, cluster.articles, Path(home))
        for key, result in analysed.items():
            if result.checked is None:
                continue
            for claim in result.checked.claims:
                for item in claim.evidence:
                    if item.stance != Stance.NEUTRAL and ev.counts(item, result.article):
                        counted.append({"story": cluster.id, "article": key, "claim": claim.text, "passage": item.snippet,
                                        "outlet": item.outlet, "stance": item.stance.value,
                                        "confidence": item.stance_confidence, "facts": item.facts})
    random.Random(args.seed).shuffle(counted)
    print(f"{len(counted)} counted passages in the {args.half} half; {min(args.n, len(counted))} sampled", file=sys.stderr)
    for row in counted[:args.n]:
        print(json.dumps(row, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
