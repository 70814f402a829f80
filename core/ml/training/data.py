"""Readers for the training data in ``../shared/data`` (see its README for terms)."""
from __future__ import annotations

import csv
import hashlib
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ...errors import InputError
from ...review import NO_TECHNIQUE, REVIEW_SCHEMA
from ...settings import get_settings

log = logging.getLogger(__name__)


def data_dir(override: str | Path | None) -> Path:
    path = Path(override) if override else get_settings().data_dir
    if not path.is_dir():
        raise InputError(f"Training data folder {path} does not exist.", hint="Pass --data DIR pointing at shared/data.")
    return path


@dataclass(frozen=True)
class PtcArticle:
    id: str
    text: str
    spans: tuple[tuple[str, int, int], ...]  # (technique, start, end)


def load_ptc(root: Path) -> list[PtcArticle]:
    articles = []
    label_dir = root / "ptc" / "labels"
    for path in sorted((root / "ptc" / "articles").glob("article*.txt")):
        art_id = path.stem.removeprefix("article")
        text = path.read_text(encoding="utf-8")
        spans = []
        label_path = label_dir / f"article{art_id}.task2-TC.labels"
        if label_path.is_file():
            for line in label_path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    _, tech, start, end = line.split("\t")
                    spans.append((tech, int(start), int(end)))
        articles.append(PtcArticle(art_id, text, tuple(spans)))
    if not articles:
        raise InputError(f"No PTC articles under {root / 'ptc'}.")
    return articles


def load_claimbuster(root: Path) -> tuple[list[str], np.ndarray]:
    rows = [json.loads(line) for line in (root / "checkworthiness" / "claimbuster_25ncs.jsonl").open(encoding="utf-8")]
    return [r["text"] for r in rows], np.array([int(r["label"]) for r in rows])


def load_ct19(root: Path) -> tuple[list[str], np.ndarray, list[str]]:
    with (root / "checkworthiness" / "ct19_train.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [r["text"] for r in rows], np.array([int(r["label"]) for r in rows]), [r["file_name"] for r in rows]


@dataclass(frozen=True)
class StancePair:
    claim_id: str
    claim: str
    evidence: str
    label: str


def load_stance(root: Path) -> list[StancePair]:
    with (root / "stance" / "climate_fever_train.jsonl").open(encoding="utf-8") as handle:
        return [StancePair(str(r["claim_id"]), r["claim"], r["evidence"], r["label"]) for r in map(json.loads, handle)]


# The claim-evidence pair files under ``nli/`` (see shared/data/README.md for their terms), by source name.
NLI_FILES = {"vitaminc_real": "vitaminc_real.jsonl", "vitaminc_synthetic": "vitaminc_synthetic.jsonl",
             "snli": "snli_devtest.jsonl"}


@dataclass(frozen=True)
class NliPair:
    source: str  # a key of NLI_FILES
    group: str  # Wikipedia page (VitaminC) or premise (SNLI): pairs of one group never straddle folds
    claim: str
    evidence: str
    label: str


def load_nli(root: Path) -> list[NliPair]:
    pairs = []
    for source, name in NLI_FILES.items():
        path = root / "nli" / name
        if not path.is_file():
            raise InputError(f"Missing {path}.", hint="Pass --data DIR pointing at shared/data.")
        with path.open(encoding="utf-8") as handle:
            pairs.extend(NliPair(source, f"{source}:{r['group']}", r["claim"], r["evidence"], r["label"])
                         for r in map(json.loads, handle))
    return pairs


def cache_file(texts: Sequence[str], name: str) -> Path:
    """Where an array computed from ``texts`` is cached (the name carries a digest of the texts)."""
    key = hashlib.sha1("\x00".join(texts).encode("utf-8")).hexdigest()[:16]
    return get_settings().cache_path / "embeddings" / f"{name}-{key}.npy"


def embed_cached(texts: Sequence[str], name: str) -> np.ndarray:
    """Embeddings of training texts, cached on disk so evaluation reruns are quick."""
    from ..loading import get_embedder

    return _cached(texts, name, lambda unique: get_embedder().encode(unique))


# Texts embedded per cached chunk: a long embedding run (the NLI pairs' ~78,000 distinct texts
# took 40 minutes on 2 shared cores) that is interrupted resumes from its last finished chunk.
CHUNK = 4096


def embed_with_states_cached(texts: Sequence[str], name: str) -> tuple[np.ndarray, np.ndarray]:
    """Embeddings and mean middle-layer states of training texts from one forward pass, cached in chunks."""
    from ..loading import get_embedder

    unique = sorted(set(texts))
    vectors, states = [], []
    for begin in range(0, len(unique), CHUNK):
        chunk = unique[begin:begin + CHUNK]
        cache = cache_file(chunk, name).with_suffix(".npz")
        if cache.is_file():
            with np.load(cache, allow_pickle=False) as stored:
                v, s = stored["vectors"], stored["states"]
        else:
            log.info("embedding texts %d-%d of %d for %s", begin, begin + len(chunk), len(unique), name)
            v, s = get_embedder().encode_with_states(chunk)
            cache.parent.mkdir(parents=True, exist_ok=True)
            partial = cache.with_name(cache.stem + ".partial.npz")  # renamed when whole: a killed run leaves no torn chunk
            np.savez(partial, vectors=v, states=s)
            partial.replace(cache)
        vectors.append(v)
        states.append(s)
    index = {t: i for i, t in enumerate(unique)}
    rows = [index[t] for t in texts]
    return np.vstack(vectors)[rows], np.vstack(states)[rows]


def _cached(texts: Sequence[str], name: str, compute: Callable[[list[str]], np.ndarray]) -> np.ndarray:
    cache = cache_file(texts, name)
    if cache.is_file():
        return np.load(cache, allow_pickle=False)
    unique = sorted(set(texts))
    log.info("embedding %d texts for %s", len(unique), name)
    vectors = compute(unique)
    index = {t: i for i, t in enumerate(unique)}
    out = vectors[[index[t] for t in texts]]
    cache.parent.mkdir(parents=True, exist_ok=True)
    np.save(cache, out)
    return out


def load_wikinews(root: Path) -> list[str]:
    """The Wikinews articles as a reader pastes them: the title, a blank line, the text."""
    path = root / "news" / "wikinews_en.jsonl"
    with path.open(encoding="utf-8") as handle:
        return [f"{row['title']}\n\n{row['text']}" for row in map(json.loads, handle)]


# ---------------------------------------------------------------- analysts' reviews

def _review_lines(path: Path, task: str) -> list[dict]:
    """The lines of a review export for one task (stance, technique); other tasks' lines are skipped."""
    if not path.is_file():
        raise InputError(f"Review export {path} does not exist.", hint="Write one with `python -m core review export --out FILE`.")
    lines = []
    with path.open(encoding="utf-8") as handle:
        for number, text in enumerate(handle, start=1):
            if not text.strip():
                continue
            try:
                line = json.loads(text)
            except json.JSONDecodeError:
                raise InputError(f"Line {number} of {path} is not JSON.",
                                 hint="Pass a file written by `python -m core review export`.") from None
            if not isinstance(line, dict) or line.get("schema") != REVIEW_SCHEMA:
                raise InputError(f"Line {number} of {path} is not a {REVIEW_SCHEMA} line.",
                                 hint="Pass a file written by `python -m core review export`.")
            if line["task"] == task:
                lines.append(line)
    return lines


def load_reviewed_stance(path: Path) -> list[StancePair]:
    """Stance pairs an analyst labelled (confirmed or overrode): claim, evidence passage, the analyst's stance.

    The claim id groups the pairs of one claim, so cross-validation never splits them.
    """
    return [StancePair(f"analyst:{line['analysis_id']}:{line['claim_id']}", line["claim"], line["evidence"], line["label"])
            for line in _review_lines(path, "stance")]


def load_reviewed_passages(path: Path) -> list[PtcArticle]:
    """Technique passages an analyst labelled, as PTC-style articles: one per analysis, its reviewed passages only.

    Only the passages an analyst judged are known, so the text of each article is those
    passages, one per paragraph; each carries the analyst's technique as a span, and a
    passage labelled ``none`` carries none (a negative for every technique). The rest of
    the article is left out: nobody said which techniques it holds.
    """
    by_analysis: dict[str, dict[tuple[int, int], tuple[str, set[str]]]] = {}
    for line in _review_lines(path, "technique"):
        passages = by_analysis.setdefault(line["analysis_id"], {})
        _, labels = passages.setdefault((line["start"], line["end"]), (line["passage"], set()))
        if line["label"] != NO_TECHNIQUE:
            labels.add(line["label"])
    articles = []
    for analysis_id, passages in sorted(by_analysis.items()):
        text, spans = "", []
        for (_, _), (passage, labels) in sorted(passages.items()):
            start = len(text)
            text += passage + "\n\n"
            spans += [(label, start, start + len(passage)) for label in sorted(labels)]
        articles.append(PtcArticle(f"analyst-{analysis_id}", text, tuple(spans)))
    return articles
