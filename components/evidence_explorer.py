"""The Evidence page's rows as analysts read them: passages under their claim, and the same rows as a table.

A row is one stored piece of evidence (core.storage.PageQueries.evidence_page):
its stance, whether it counted toward the claim's verdict, the one reason a
side-taking passage did not, and what its figures say of the claim's. A stance
that counted and one that only leans are told apart in words ("Leans supports",
"not counted: …"), as on the claim cards (components/evidence_cards.py), whose
cards the passages view draws. Everything from the rows is escaped.
"""
from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import quote

import pandas as pd

from components.escape import web_url
from components.evidence_cards import card_html
from core.errors import CrosscheckError
from core.figures import theme
from core.records import Analysis, Evidence, SourceType, Stance, Verdict
from core.verdict import COUNTED, NOT_COUNTED, counting_notes

Row = Mapping[str, Any]


def evidence_of(row: Row) -> Evidence:
    """The stored row as the record the cards draw (its date is not kept in the rows)."""
    return Evidence(
        source_type=SourceType(row["source_type"]), title=row["title"] or "", url=row["url"], outlet=row["outlet"],
        snippet=row["snippet"] or "", stance=Stance(row["stance"]), stance_confidence=float(row["stance_confidence"]),
        decisive=bool(row["counted"]), reason=row["reason"], facts=row["facts"],
    )


def note_of(row: Row) -> str:
    """How the passage weighs in its verdict: counted, "not counted: why", or "" when it takes no side."""
    if row["stance"] == Stance.NEUTRAL.value:
        return ""
    return COUNTED if row["counted"] else row["reason"] or NOT_COUNTED


def with_weighed_reasons(rows: Sequence[Row], analysis_of: Callable[[str], Analysis]) -> list[Row]:
    """The rows, each side-taking passage that did not count with the one reason its claim's card gives it.

    A row keeps the reason its passage's own stance had when stored; the verdict may have weighed that passage
    on a point it confirms, which only the claim's whole evidence shows (core.verdict.counting_notes: "counted on
    start date only (March 2027): …"), so the claim's stored analysis is read for those rows alone. A row whose
    analysis cannot be read (deleted since) keeps its stored reason.
    """
    notes: dict[tuple[str, str], list[tuple[Evidence, str]]] = {}
    out: list[Row] = []
    for row in rows:
        if row["counted"] or row["stance"] == Stance.NEUTRAL.value:
            out.append(row)
            continue
        key = (row["analysis_id"], row["claim_id"])
        if key not in notes:
            notes[key] = _claim_notes(analysis_of, *key)
        note = next((note for item, note in notes[key] if _is_row(item, row)), None)
        out.append({**row, "reason": note} if note and note != note_of(row) else row)
    return out


def _claim_notes(analysis_of: Callable[[str], Analysis], analysis_id: str, claim_id: str) -> list[tuple[Evidence, str]]:
    try:
        analysis = analysis_of(analysis_id)
    except CrosscheckError:
        return []
    claim = next((c for c in analysis.claims if c.id == claim_id), None)
    if claim is None:
        return []
    return list(zip(claim.evidence, counting_notes(claim.evidence, analysis.article)))


def _is_row(item: Evidence, row: Row) -> bool:
    return (item.source_type.value, item.url or None, item.snippet, item.stance.value) == \
        (row["source_type"], row["url"] or None, row["snippet"] or "", row["stance"])


def stance_label(row: Row) -> str:
    """ "✓ Supports" for a stance that counted, "Leans supports" for one that did not, "– Neutral"."""
    stance = Stance(row["stance"])
    if stance == Stance.NEUTRAL or row["counted"]:
        return theme.stance_text(stance)
    return theme.leaning_text(stance)


def in_card_order(rows: Sequence[Row]) -> list[Row]:
    """The rows of each claim in the order of its cards (components/evidence_cards.py): what counted first, then
    what takes a side, surest first; the claims stay in the order given."""
    position: dict[tuple[str, str], int] = {}
    for row in rows:
        position.setdefault((row["analysis_id"], row["claim_id"]), len(position))
    return sorted(rows, key=lambda r: (position[(r["analysis_id"], r["claim_id"])], not r["counted"],
                                       r["stance"] == Stance.NEUTRAL.value, -float(r["stance_confidence"])))


def claim_link(row: Row) -> str:
    return f"/?analysis={quote(row['analysis_id'])}&claim={quote(row['claim_id'])}"


def _claim_html(row: Row) -> str:
    verdict = Verdict(row["verdict"])
    badge = (f'<span style="background:{theme.VERDICT_COLORS[verdict]};color:#fff;border-radius:0.8rem;'
             f'padding:0.05rem 0.5rem;font-weight:600;font-size:0.8rem;white-space:nowrap">'
             f'{html.escape(theme.verdict_text(verdict))}</span>')
    article = " · ".join(html.escape(part) for part in (row["article"] or "(untitled)", row["article_outlet"]) if part)
    return (f'<div class="evidence-claim" style="margin-top:0.9rem">{badge} <b>{html.escape(row["claim"])}</b>'
            f'<div style="font-size:0.82rem;color:#555;margin-top:0.1rem">in <i>{article}</i> · '
            f'<a href="{html.escape(claim_link(row), quote=True)}" target="_self">show claim</a></div></div>')


def passages_html(rows: Sequence[Row]) -> str:
    """The rows under their claims, in the order given: each claim once, then a card for each of its passages."""
    parts, current = [], None
    for row in rows:
        claim = (row["analysis_id"], row["claim_id"])
        if claim != current:
            parts.append(_claim_html(row))
            current = claim
        parts.append(card_html(evidence_of(row), note_of(row), dated=False))
    return f'<div class="evidence-explorer">{"".join(parts)}</div>'


def table(rows: Sequence[Row]) -> pd.DataFrame:
    """One line a passage: its stance (leaning when it did not count) and the passage first, as much of it as the
    width allows at 1024 px; then the claim, why it did not count, the figures and where it comes from."""
    return pd.DataFrame(
        {
            "Stance": [stance_label(r) for r in rows],
            "Evidence": [r["snippet"] for r in rows],
            "Claim": [r["claim"] for r in rows],
            "Weight": ["counted" if note == COUNTED else note for note in map(note_of, rows)],
            "Figures": [r["facts"] or "" for r in rows],
            "Verdict": [theme.verdict_text(Verdict(r["verdict"])) for r in rows],
            "Source": [r["source_type"] for r in rows],
            "Article": [r["article"] for r in rows],
            "Outlet / domain": [r["domain"] for r in rows],
            "Confidence": [r["stance_confidence"] for r in rows],
            "Evidence link": [web_url(r["url"]) for r in rows],
            "Claim in article": [claim_link(r) for r in rows],
        }
    )
