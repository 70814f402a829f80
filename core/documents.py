"""Analysis documents of every schema version: the database and ``python -m core import`` read them here.

``crosscheck.analysis/1`` documents (before techniques had a strength against
ordinary news) are upgraded to ``crosscheck.analysis/2`` on import: each
technique's strength is recomputed from its stored passages and the article
text, and whether it is found is decided by today's rule (core.techniques_catalogue.FOUND_RULE).
The measuring against ordinary news is the caller's ``assess`` (the import
command passes core.ml.loading.assess_techniques), so that reading a document
never loads a model; stored /1 documents were upgraded by migration 0007, and
the database reads /2 only.
"""
from __future__ import annotations

import copy
import logging
from collections.abc import Callable, Sequence
from typing import Any

from .languages import not_read_message, reads_language
from .records import SCHEMA, Analysis, Persuasion, Span, Technique

logger = logging.getLogger(__name__)

# The schema before techniques had a strength against ordinary news (issue 18); read_document upgrades it.
SCHEMA_V1 = "crosscheck.analysis/1"

CLAUDE_V1_NOTE = (
    "Upgraded from an older Crosscheck: Claude was then asked only whether each technique occurs, not whether it "
    "stands out against ordinary news, so no technique is marked found. Re-run the analysis to see found techniques."
)

# Techniques measured against ordinary news: their strength, percentile and found set, and the article's persuasion.
Assess = Callable[[str, Sequence[Technique]], tuple[Sequence[Technique], Persuasion]]


def read_document(data: dict[str, Any], assess: Assess | None = None) -> Analysis:
    """An analysis from a document of any known schema (ValueError, KeyError or TypeError if it is none).

    A ``crosscheck.analysis/1`` document is upgraded with ``assess``; without it, it is refused (ValueError).
    """
    if isinstance(data, dict) and data.get("schema") == SCHEMA_V1:
        if assess is None:
            raise ValueError(f"a {SCHEMA_V1} document is read only by an import, which upgrades it")
        data = upgrade_v1(data, assess)
    return Analysis.from_dict(data)


def upgrade_v1(document: dict[str, Any], assess: Assess) -> dict[str, Any]:
    """A ``crosscheck.analysis/1`` document as ``crosscheck.analysis/2`` (a new dictionary); ``assess`` measures its techniques."""
    upgraded = copy.deepcopy(document)
    article = upgraded["article"]
    text = article["text"]
    engine = (upgraded.get("engine_info") or {}).get("name") or upgraded["engine"]
    techniques = [
        Technique(name=t["name"], confidence=float(t["confidence"]), spans=tuple(Span.from_dict(s) for s in t.get("spans", ())))
        for t in upgraded.get("techniques", ())
    ]
    warnings = list(upgraded.get("warnings", ()))
    persuasion = None
    # An analysis whose engine read nothing (a failed read) has nothing to measure and stays so.
    if techniques and engine == "local" and reads_language(article.get("language")):
        assessed, found_persuasion = assess(text, techniques)
        techniques, persuasion = list(assessed), found_persuasion.to_dict()
    elif techniques and engine == "local":
        # Stored before the local engine stopped reading other languages: the figures stay
        # (nothing is lost) but none is marked found, and the note says why.
        warnings.append(not_read_message(article.get("language")))
    elif techniques:
        warnings.append(CLAUDE_V1_NOTE)
    upgraded["techniques"] = [t.to_dict() for t in techniques]
    upgraded["persuasion"] = persuasion
    upgraded["warnings"] = list(dict.fromkeys(warnings))
    upgraded["schema"] = SCHEMA
    logger.debug("upgraded analysis %s from %s", upgraded.get("id"), SCHEMA_V1)
    return upgraded
