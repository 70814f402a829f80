"""The hand-labelled story clusters of tests/data/story_clusters.json, resolved against the shared data.

The JSON holds ids and character offsets only; the texts stay in the shared data folder
(`../shared/data` by default, see its README). `load_story_clusters` reads both and checks every
judged sentence against its recorded checksum, so a changed data file fails loudly instead of
silently pairing the wrong sentences. Criteria and terms: tests/data/story_clusters.md.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from core.origins import SourceArticle

LABELS_PATH = Path(__file__).resolve().parent.parent / "tests" / "data" / "story_clusters.json"
DEFAULT_DATA_ROOT = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
PAIR_LABELS = ("restates", "conflicts", "compatible")


@dataclass(frozen=True)
class Sentence:
    article: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class JudgedPair:
    cluster: str
    label: str  # one of PAIR_LABELS
    point: str  # what both sentences are about
    note: str
    one_origin: bool  # both sentences judged to come from one source (a copy, one outlet, one statement copied)
    a: Sentence
    b: Sentence


@dataclass(frozen=True)
class StoryCluster:
    id: str
    event: str
    why: str
    articles: tuple[str, ...]
    thread: tuple[str, ...]  # same ongoing story, another development: not members
    shared_origins: tuple[tuple[str, ...], ...]  # groups judged to be one origin (copies, one outlet)


@dataclass(frozen=True)
class StoryClusters:
    clusters: tuple[StoryCluster, ...]
    not_same_story: tuple[tuple[str, ...], ...]
    pairs: tuple[JudgedPair, ...]
    texts: dict[str, SourceArticle]  # article id -> title and text (outlet: "Wikinews" or the id itself)


def article_texts(data_root: Path) -> dict[str, SourceArticle]:
    """Every Wikinews and PTC article of the shared data, by the ids the labels use."""
    texts: dict[str, SourceArticle] = {}
    for line in (data_root / "news" / "wikinews_en.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        key = f"news/wikinews_en.jsonl#{row['url']}"
        texts[key] = SourceArticle(key=key, outlet="Wikinews", url=row["url"], title=row["title"], text=row["text"])
    for path in sorted((data_root / "ptc" / "articles").glob("*.txt")):
        key = f"ptc/articles/{path.name}"
        text = path.read_text(encoding="utf-8")
        # PTC does not name outlets: each article counts as its own.
        texts[key] = SourceArticle(key=key, outlet=key, title=text.split("\n", 1)[0], text=text)
    return texts


def load_story_clusters(data_root: Path = DEFAULT_DATA_ROOT, labels_path: Path = LABELS_PATH) -> StoryClusters:
    labels = json.loads(labels_path.read_text(encoding="utf-8"))
    texts = article_texts(data_root)

    def sentence(ref: dict) -> Sentence:
        text = texts[ref["article"]].text[ref["start"]:ref["end"]]
        if hashlib.sha256(text.encode()).hexdigest()[:12] != ref["sha256_12"]:
            raise ValueError(f"{ref['article']}[{ref['start']}:{ref['end']}] no longer holds the judged sentence")
        return Sentence(ref["article"], ref["start"], ref["end"], text)

    clusters = tuple(StoryCluster(
        id=c["id"], event=c["event"], why=c["why"], articles=tuple(c["articles"]), thread=tuple(c["thread"]),
        shared_origins=tuple(tuple(g["articles"]) for g in c["shared_origins"]),
    ) for c in labels["clusters"])
    pairs = tuple(JudgedPair(p["cluster"], p["label"], p["point"], p["note"], p["one_origin"],
                             sentence(p["a"]), sentence(p["b"]))
                  for p in labels["pairs"])
    return StoryClusters(clusters, tuple(tuple(g["articles"]) for g in labels["not_same_story"]), pairs, texts)
