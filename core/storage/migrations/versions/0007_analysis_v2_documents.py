"""Techniques against ordinary news (issue 18): crosscheck.analysis/1 documents become /2.

Revision ID: 0007
Revises: 0006

Each stored /1 document is rewritten as /2: every technique's strength,
percentile and *found* are recomputed from its stored passages and the article
text against the shipped news reference (a Claude analysis gets none found,
with a note; a local analysis of a language the models do not read keeps its
figures, none found, with a note; a failed read stays as it was). The Library's
summary columns follow (techniques found, top technique), and a new column
keeps the persuasion percentile the Library shows. Documents are read and
written in batches so that a large library does not sit in memory.

A migration must do tomorrow what it does today, so this one imports nothing
from the application: the upgrade, the found rule, the technique labels and the
document's /2 shape are frozen here as Crosscheck had them when the revision
was written (core.documents.upgrade_v1 followed by core.records' from_dict and
to_dict, 2026-12). Only the news reference's data is read from the installed
artifact (core/ml/artifacts/news_reference.npz), as the application reads it.
"""
import copy
import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

BATCH = 200
SCHEMA_V1 = "crosscheck.analysis/1"
SCHEMA_V2 = "crosscheck.analysis/2"
REFERENCE = Path(__file__).resolve().parents[3] / "ml" / "artifacts" / "news_reference.npz"

_LABELS = {
    "Appeal_to_Authority": "Appeal to Authority",
    "Appeal_to_fear-prejudice": "Appeal to Fear / Prejudice",
    "Bandwagon,Reductio_ad_hitlerum": "Bandwagon / Reductio ad Hitlerum",
    "Black-and-White_Fallacy": "Black-and-White Fallacy",
    "Causal_Oversimplification": "Causal Oversimplification",
    "Doubt": "Doubt",
    "Exaggeration,Minimisation": "Exaggeration / Minimisation",
    "Flag-Waving": "Flag-Waving",
    "Loaded_Language": "Loaded Language",
    "Name_Calling,Labeling": "Name Calling / Labeling",
    "Repetition": "Repetition",
    "Slogans": "Slogans",
    "Thought-terminating_Cliches": "Thought-terminating Clichés",
    "Whataboutism,Straw_Men,Red_Herring": "Whataboutism / Straw Man / Red Herring",
}
_TECHNIQUES = tuple(_LABELS)
_WORD = re.compile(r"\w+(?:['’]\w+)*")
_READ_LANGUAGES = frozenset({"en"})
_LANGUAGE_NAMES = {
    "ar": "Arabic", "bg": "Bulgarian", "cs": "Czech", "da": "Danish", "de": "German", "el": "Greek", "es": "Spanish",
    "fa": "Persian", "fi": "Finnish", "fr": "French", "he": "Hebrew", "hi": "Hindi", "hu": "Hungarian", "id": "Indonesian",
    "it": "Italian", "ja": "Japanese", "ko": "Korean", "nl": "Dutch", "no": "Norwegian", "pl": "Polish",
    "pt": "Portuguese", "ro": "Romanian", "ru": "Russian", "sk": "Slovak", "sv": "Swedish", "tr": "Turkish",
    "uk": "Ukrainian", "zh": "Chinese",
}
_CLAUDE_V1_NOTE = (
    "Upgraded from an older Crosscheck: Claude was then asked only whether each technique occurs, not whether it "
    "stands out against ordinary news, so no technique is marked found. Re-run the analysis to see found techniques."
)
_LEGACY_DECISIVE_CONFIDENCE = 0.6  # crosscheck.analysis/1: a non-neutral stance this sure counted toward verdicts
_VERDICTS = ("corroborated", "single_source", "contradicted", "disputed", "unverified")
_STANCES = ("supports", "refutes", "neutral")
_SOURCE_TYPES = ("library", "wikipedia", "web", "factcheck")
_USAGE_FIELDS = ("calls", "input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens", "web_searches", "cost_usd")


def upgrade() -> None:
    op.add_column("analyses", sa.Column("persuasion_percentile", sa.Float, nullable=True))
    connection = op.get_bind()
    analyses = sa.table("analyses", sa.column("id", sa.String), sa.column("document", sa.Text),
                        sa.column("techniques_found", sa.Integer), sa.column("top_technique", sa.Text),
                        sa.column("persuasion_percentile", sa.Float))
    reference = _Reference()
    ids = connection.execute(sa.select(analyses.c.id).order_by(analyses.c.id)).scalars().all()
    for start in range(0, len(ids), BATCH):
        rows = connection.execute(sa.select(analyses.c.id, analyses.c.document)
                                  .where(analyses.c.id.in_(ids[start:start + BATCH]))).all()
        for analysis_id, document in rows:
            data = json.loads(document)
            if data.get("schema") != SCHEMA_V1:
                continue
            upgraded = _as_v2(_upgrade_v1(data, reference))
            found = sorted((t for t in upgraded["techniques"] if t["found"]),
                           key=lambda t: (-(t["percentile"] if t["percentile"] is not None else 0.0), -t["strength"],
                                          -t["confidence"]))
            persuasion = upgraded["persuasion"]
            connection.execute(
                sa.update(analyses).where(analyses.c.id == analysis_id).values(
                    document=json.dumps(upgraded),
                    techniques_found=len(found),
                    top_technique=found[0]["label"] if found else "",
                    persuasion_percentile=persuasion["percentile"] if persuasion is not None else None,
                ))


def downgrade() -> None:
    raise NotImplementedError("Crosscheck's migrations go forward only; restore a backup to go back.")


class _Reference:
    """The shipped ordinary-news reference and the found rule's cut-offs, read when a local /1 document needs them."""

    def __init__(self) -> None:
        self._arrays: dict[str, Any] | None = None

    def _loaded(self) -> dict[str, Any]:
        if self._arrays is None:
            if not REFERENCE.is_file():
                raise RuntimeError(f"Model artifact 'news_reference' is missing from {REFERENCE.parent}.")
            with np.load(REFERENCE, allow_pickle=False) as data:
                arrays = {k: (data[k].astype(np.float32) if data[k].dtype == np.float16 else data[k]) for k in data.files}
            self._arrays = {
                "strengths": np.sort(arrays["strengths"].astype(np.float64), axis=0),
                "scores": np.sort(arrays["scores"].astype(np.float64)),
                "cutoffs": arrays["cutoffs"].astype(np.float64),
                "min_confidence": float(arrays["min_confidence"]),
            }
        return self._arrays

    def assess(self, text: str, techniques: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], dict[str, float]]:
        """The techniques with strength, percentile and found set, and the article's persuasion (score, percentile)."""
        arrays = self._loaded()
        size = len(arrays["scores"])
        n_words = len(_WORD.findall(text))
        assessed = []
        for technique in techniques:
            k = _TECHNIQUES.index(technique["name"])
            strength = _strength(technique["spans"], n_words)
            percentile = float(np.searchsorted(arrays["strengths"][:, k], strength, side="left")) / size
            found = bool(technique["spans"] and technique["confidence"] >= arrays["min_confidence"]
                         and strength >= arrays["cutoffs"][k])
            assessed.append({**technique, "strength": strength, "percentile": percentile, "found": found})
        score = _strength([s for t in techniques for s in t["spans"]], n_words)
        return assessed, {"score": score, "percentile": float(np.searchsorted(arrays["scores"], score, side="left")) / size}


def _strength(spans: list[dict[str, Any]], n_words: int) -> float:
    """Passages per 1,000 words, each weighted by its confidence (0 for an empty text)."""
    if n_words <= 0:
        return 0.0
    return 1000.0 * sum(s["confidence"] for s in spans) / n_words


def _not_read_message(code: str | None) -> str:
    code = (code or "").lower()
    name = _LANGUAGE_NAMES.get(code.split("-")[0], f"language code {code!r}")
    return (
        f"This article is in {name}. The local engine's models read English only, so it shows no techniques and "
        f"no claims for it rather than English-model numbers that would mean nothing here. "
        f"To analyse articles in {name} or other languages, choose the claude engine."
    )


def _upgrade_v1(document: dict[str, Any], reference: _Reference) -> dict[str, Any]:
    """A crosscheck.analysis/1 document as /2 (a new dictionary), its techniques measured against ordinary news."""
    upgraded = copy.deepcopy(document)
    article = upgraded["article"]
    engine = (upgraded.get("engine_info") or {}).get("name") or upgraded["engine"]
    techniques = [{"name": t["name"], "confidence": float(t["confidence"]), "spans": [_span(s) for s in t.get("spans", ())],
                   "strength": 0.0, "percentile": None, "found": False} for t in upgraded.get("techniques", ())]
    warnings = list(upgraded.get("warnings", ()))
    persuasion = None
    language = article.get("language")
    reads = not language or language.lower().split("-")[0] in _READ_LANGUAGES
    # An analysis whose engine read nothing (a failed read) has nothing to measure and stays so.
    if techniques and engine == "local" and reads:
        techniques, persuasion = reference.assess(article["text"], techniques)
    elif techniques and engine == "local":
        # Stored before the local engine stopped reading other languages: the figures stay, none found.
        warnings.append(_not_read_message(language))
    elif techniques:
        warnings.append(_CLAUDE_V1_NOTE)
    upgraded["techniques"] = [_technique(t) for t in techniques]
    upgraded["persuasion"] = persuasion
    upgraded["warnings"] = list(dict.fromkeys(warnings))
    upgraded["schema"] = SCHEMA_V2
    return upgraded


def _one_of(value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ValueError(f"{value!r} is not one of {allowed}")
    return value


def _span(data: dict[str, Any]) -> dict[str, Any]:
    return {"start": int(data["start"]), "end": int(data["end"]), "text": data["text"], "confidence": float(data["confidence"])}


def _technique(data: dict[str, Any]) -> dict[str, Any]:
    percentile = data.get("percentile")
    return {
        "name": data["name"],
        "label": _LABELS[data["name"]],
        "confidence": float(data["confidence"]),
        "strength": float(data["strength"]),
        "percentile": None if percentile is None else float(percentile),
        "found": bool(data["found"]),
        "spans": [_span(s) for s in data.get("spans", ())],
    }


def _evidence(data: dict[str, Any]) -> dict[str, Any]:
    stance = _one_of(data["stance"], _STANCES)
    confidence = float(data["stance_confidence"])
    decisive = data.get("decisive")
    if decisive is None:
        decisive = stance != "neutral" and confidence >= _LEGACY_DECISIVE_CONFIDENCE
    return {
        "source_type": _one_of(data["source_type"], _SOURCE_TYPES),
        "title": data.get("title") or "",
        "url": data.get("url"),
        "outlet": data.get("outlet"),
        "snippet": data.get("snippet") or "",
        "stance": stance,
        "stance_confidence": confidence,
        "decisive": bool(decisive),
        "published": data.get("published"),
        "relevance": float(data["relevance"]) if data.get("relevance") is not None else None,
        "rating": data.get("rating"),
        "analysis_id": data.get("analysis_id"),
    }


def _claim(data: dict[str, Any]) -> dict[str, Any]:
    verdict = _one_of(data["verdict"], _VERDICTS)
    return {
        "id": str(data["id"]),
        "text": data["text"],
        "start": int(data["start"]),
        "end": int(data["end"]),
        "checkworthiness": float(data["checkworthiness"]),
        "verdict": verdict,
        # /1 gave unverified claims a confidence (the share of sources that answered); it is not kept.
        "verdict_confidence": None if verdict == "unverified" or data.get("verdict_confidence") is None
        else float(data["verdict_confidence"]),
        "rationale": data.get("rationale") or "",
        "evidence": [_evidence(e) for e in data.get("evidence", ())],
        "partial": bool(data.get("partial", False)),
    }


def _as_v2(data: dict[str, Any]) -> dict[str, Any]:
    """The /2 document exactly as the application wrote it back: every field in its order, defaults filled in."""
    article = data["article"]
    engine = data.get("engine_info") or {"name": data["engine"]}
    usage = engine.get("usage", {})
    persuasion = data.get("persuasion")
    return {
        "schema": SCHEMA_V2,
        "id": str(data["id"]),
        "engine": engine["name"],
        "sources": list(data.get("sources", ())),
        "created_at": data["created_at"],
        "partial": bool(data.get("partial", False)),
        "warnings": list(data.get("warnings", ())),
        "article": {"url": article.get("url"), "title": article.get("title"), "author": article.get("author"),
                    "published": article.get("published"), "outlet": article.get("outlet"),
                    "language": article.get("language"), "text": article["text"]},
        "techniques": [_technique(t) for t in data.get("techniques", ())],
        "persuasion": None if persuasion is None else {
            "score": float(persuasion["score"]),
            "percentile": None if persuasion["percentile"] is None else float(persuasion["percentile"])},
        "claims": [_claim(c) for c in data.get("claims", ())],
        "engine_info": {"name": engine["name"], "model": engine.get("model", ""),
                        "prompt_version": engine.get("prompt_version", ""),
                        "usage": {k: usage.get(k, 0) for k in _USAGE_FIELDS}},
        "source_runs": [{"name": r["name"], "status": r["status"], "detail": r.get("detail", ""),
                         "requests": int(r.get("requests", 0))} for r in data.get("source_runs", ())],
    }
