"""Lexical features computed identically at training and inference time."""
from __future__ import annotations

import math
import re
import zlib
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np
from scipy import sparse

_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")
LEXICON_DIR = Path(__file__).parent / "assets" / "lexicons"


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def ngrams(tokens: Sequence[str], n_max: int = 2) -> list[str]:
    out = list(tokens)
    for n in range(2, n_max + 1):
        out += [" ".join(tokens[i:i + n]) for i in range(len(tokens) - n + 1)]
    return out


class Tfidf:
    """Word 1-2-gram TF-IDF (sublinear tf, smoothed idf, L2 rows) over a fixed vocabulary."""

    def __init__(self, vocabulary: dict[str, int], idf: np.ndarray) -> None:
        self.vocabulary = vocabulary
        self.idf = idf.astype(np.float32)

    @classmethod
    def fit(cls, texts: Iterable[str], max_features: int = 20000, min_df: int = 2) -> Tfidf:
        df: Counter[str] = Counter()
        n = 0
        for text in texts:
            n += 1
            df.update(set(ngrams(words(text))))
        # Ties broken by the term: most_common() keeps set-iteration order, which changes with
        # each process's string-hash seed, so two trainings would keep different vocabularies.
        ranked = sorted(df.items(), key=lambda item: (-item[1], item[0]))
        kept = [t for t, c in ranked if c >= min_df][:max_features]
        kept.sort()
        vocabulary = {t: i for i, t in enumerate(kept)}
        idf = np.array([math.log((1 + n) / (1 + df[t])) + 1 for t in kept], dtype=np.float32)
        return cls(vocabulary, idf)

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        indptr, indices, values = [0], [], []
        for text in texts:
            counts = Counter(g for g in ngrams(words(text)) if g in self.vocabulary)
            cols = [self.vocabulary[g] for g in counts]
            vals = np.array([(1 + math.log(c)) for c in counts.values()], dtype=np.float32) * self.idf[cols] if cols else np.zeros(0, np.float32)
            norm = float(np.linalg.norm(vals)) or 1.0
            indices.extend(cols)
            values.extend((vals / norm).tolist())
            indptr.append(len(indices))
        return sparse.csr_matrix((np.array(values, np.float32), np.array(indices, np.int32), np.array(indptr, np.int64)),
                                 shape=(len(texts), len(self.vocabulary)))

    def to_meta(self) -> list[str]:
        return sorted(self.vocabulary, key=self.vocabulary.__getitem__)


@lru_cache(maxsize=None)
def lexicon(name: str) -> frozenset[str]:
    """A shipped word list (``hedges``, ``weasels``), lower-cased."""
    path = LEXICON_DIR / f"{name}.txt"
    return frozenset(line.strip().lower() for line in path.read_text(encoding="utf-8").splitlines() if line.strip())


def lexicon_hits(text: str, name: str) -> int:
    """How many entries of a lexicon (single words or phrases) occur in ``text``."""
    tokens = words(text)
    joined = " " + " ".join(tokens) + " "
    return sum(joined.count(f" {entry} ") for entry in lexicon(name))


NEGATIONS = frozenset({"not", "no", "never", "none", "nobody", "nothing", "neither", "nor", "cannot", "without",
                       "n't", "isn't", "aren't", "wasn't", "weren't", "don't", "doesn't", "didn't", "won't",
                       "can't", "couldn't", "shouldn't", "wouldn't", "hasn't", "haven't", "hadn't", "deny", "denies",
                       "denied", "false", "myth", "unlikely", "lack", "lacks"})


def hashed(features: Iterable[str], buckets: int) -> list[int]:
    """Stable bucket of each feature string (crc32; Python's hash() is salted per process)."""
    return [zlib.crc32(f.encode("utf-8")) % buckets for f in features]


# Number words a claim may use where the evidence writes digits, or the other way round.
# ("one" is left out: "one of the largest" specifies nothing.)
_NUMBER_WORDS = {w: float(i) for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split()) if w not in ("zero", "one")}
_TENS = {"twenty": 20.0, "thirty": 30.0, "forty": 40.0, "fifty": 50.0, "sixty": 60.0, "seventy": 70.0, "eighty": 80.0,
         "ninety": 90.0}
_NUMBER_WORDS.update(_TENS)
_NUMBER_WORDS["dozen"] = 12.0
_UNITS = "one two three four five six seven eight nine".split()
_COMPOUND = re.compile(rf"\b({'|'.join(_TENS)})[- ]({'|'.join(_UNITS)})\b", re.IGNORECASE)


def word_numbers(text: str) -> set[float]:
    """Numbers written as words: "six", "forty-three" (43, not 40 and 3), "dozen"."""
    compounds = {_TENS[m.group(1).lower()] + _UNITS.index(m.group(2).lower()) + 1 for m in _COMPOUND.finditer(text)}
    return compounds | {_NUMBER_WORDS[w] for w in words(_COMPOUND.sub(" ", text)) if w in _NUMBER_WORDS}
