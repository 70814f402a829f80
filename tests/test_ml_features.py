import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROGRAM = (
    "from core.ml.features import Tfidf\n"
    "texts = ['alpha beta gamma delta', 'epsilon zeta eta theta', 'alpha iota kappa lambda'] * 2\n"
    "print(Tfidf.fit(texts, max_features=6, min_df=2).to_meta())\n"
)


def _vocabulary(hash_seed: str) -> str:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    return subprocess.run([sys.executable, "-c", PROGRAM], cwd=ROOT, env=env, capture_output=True, text=True,
                          check=True).stdout


@pytest.mark.processes
def test_tfidf_vocabulary_does_not_depend_on_the_string_hash_seed() -> None:
    # Many n-grams tie on document frequency; the cut at max_features must not pick among them by set order.
    vocabularies = {_vocabulary(seed) for seed in ("1", "2", "3", "4")}
    assert len(vocabularies) == 1
    assert "'alpha'" in vocabularies.pop()
