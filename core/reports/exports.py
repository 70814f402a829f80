"""JSON, CSV and Markdown exports.

- JSON is the ``crosscheck.analysis/2`` schema: one document for one analysis,
  a JSON array for several (read back by core.storage.imports).
- CSV is three tables: techniques (one row per technique of each analysis,
  with the article's persuasion score), claims and evidence, joined by
  analysis_id (and claim_id). Because one download or one ``-o PATH`` is one
  file, the CSV export is a zip holding ``techniques.csv``, ``claims.csv`` and
  ``evidence.csv`` (UTF-8 with BOM, so spreadsheet programs read non-Latin
  text correctly).
- Markdown is a readable report, with a shared-claims section when given a
  comparison.

Analyst reviews (core.review), when given, appear beside the machine's output
and never replace it: a ``review`` block in each JSON document, ``analyst_*``
columns and a ``review.csv`` activity log in the CSV zip, "Analyst: …
(machine: …)" lines in Markdown and PDF.

Article and source text is untrusted. In CSV, cells that a spreadsheet would
run as a formula (starting with = + - @, tab or carriage return) get a leading
apostrophe. In Markdown, HTML is escaped, table cells are kept on one line,
and only http(s) addresses become links.
"""
from __future__ import annotations

import csv
import html
import io
import json
import zipfile
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ..compare import MAX_ANALYSES, MIN_ANALYSES, ComparisonResult, shared_claims
from ..errors import InputError
from ..figures import theme
from ..figures.charts import SOURCE_TYPE_LABELS, STRENGTH_UNIT
from ..persuasion import genre_caveat, persuasion_drivers
from ..presentation import against_ordinary_news
from ..records import Analysis, Stance
from ..techniques_catalogue import FOUND_RULE
from ..review import Review, decision_text, note_text, passage_target, stance_target, status_text, verdict_target
from ..verdict import counting_notes, counts
from . import FORMATS
from .weights import weighed

if TYPE_CHECKING:
    from ..storage import Storage

TECHNIQUE_COLUMNS = (
    "analysis_id", "article_title", "engine", "technique", "technique_label", "found", "strength",
    "percentile_vs_ordinary_news", "occurrence_confidence", "passages", "persuasion_score", "persuasion_percentile",
)
CLAIM_COLUMNS = (
    "analysis_id", "article_title", "article_url", "article_outlet", "engine", "sources", "partial",
    "claim_id", "claim", "start", "end", "checkworthiness", "verdict", "verdict_label", "verdict_confidence",
    "rationale", "evidence_count", "analyst_verdict", "analyst_reason", "analyst", "analyst_decided_at", "notes",
)
EVIDENCE_COLUMNS = (
    "analysis_id", "claim_id", "source_type", "title", "url", "outlet", "stance", "stance_label",
    "stance_confidence", "decisive", "verdict_note", "facts", "snippet", "analyst_stance", "analyst_reason", "analyst",
    "analyst_decided_at",
)
REVIEW_COLUMNS = ("analysis_id", "at", "who", "action", "what", "why")
Reviews = Mapping[str, Review]  # analysis id -> its review
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

MIME_TYPES = {"pdf": "application/pdf", "json": "application/json", "csv": "application/zip", "md": "text/markdown"}
FILE_SUFFIXES = {"pdf": ".pdf", "json": ".json", "csv": ".zip", "md": ".md"}


# JSON -----------------------------------------------------------------------------------------------

def _document(analysis: Analysis, reviews: Reviews) -> dict[str, Any]:
    """The analysis as the machine made it, with a ``review`` block where an analyst reviewed it."""
    document = analysis.to_dict()
    review = reviews.get(analysis.id)
    if review is not None and not review.empty:
        document["review"] = review.to_dict()
    return document


def to_json(analyses: Sequence[Analysis], reviews: Reviews | None = None) -> str:
    """One ``crosscheck.analysis/1`` document for one analysis, a JSON array of them for several."""
    documents: Any = [_document(a, reviews or {}) for a in analyses]
    if len(documents) == 1:
        documents = documents[0]
    return json.dumps(documents, ensure_ascii=False, indent=2) + "\n"


# CSV ------------------------------------------------------------------------------------------------

def _cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_PREFIXES):
        return "'" + value
    return value


def _csv(columns: Sequence[str], rows: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows({k: _cell(v) for k, v in row.items()} for row in rows)
    return buffer.getvalue()


def _optional(value: float | None) -> float | str:
    return "" if value is None else value


def to_csv_techniques(analyses: Sequence[Analysis]) -> str:
    """One row per technique of each analysis, found ones first (see core.techniques_catalogue.FOUND_RULE)."""
    rows = []
    for analysis in analyses:
        persuasion = analysis.persuasion
        ordered = list(analysis.found_techniques()) + sorted((t for t in analysis.techniques if not t.found),
                                                              key=lambda t: (-t.strength, -t.confidence))
        for technique in ordered:
            rows.append({
                "analysis_id": analysis.id,
                "article_title": analysis.article.title or "",
                "engine": analysis.engine.name,
                "technique": technique.name,
                "technique_label": technique.label,
                "found": str(technique.found).lower(),
                "strength": technique.strength,
                "percentile_vs_ordinary_news": _optional(technique.percentile),
                "occurrence_confidence": technique.confidence,
                "passages": len(technique.spans),
                "persuasion_score": _optional(persuasion.score if persuasion else None),
                "persuasion_percentile": _optional(persuasion.percentile if persuasion else None),
            })
    return _csv(TECHNIQUE_COLUMNS, rows)


def _analyst_columns(review: Review | None, target: Any, value_column: str) -> dict[str, str]:
    decision = review.decision(target) if review is not None else None
    if decision is None:
        return {value_column: "", "analyst_reason": "", "analyst": "", "analyst_decided_at": ""}
    return {value_column: decision.analyst_value, "analyst_reason": decision.reason, "analyst": decision.reviewer,
            "analyst_decided_at": decision.decided_at}


def to_csv_claims(analyses: Sequence[Analysis], reviews: Reviews | None = None) -> str:
    rows = []
    for analysis in analyses:
        review = (reviews or {}).get(analysis.id)
        for claim in analysis.claims:
            rows.append({
                "analysis_id": analysis.id,
                "article_title": analysis.article.title or "",
                "article_url": analysis.article.url or "",
                "article_outlet": analysis.article.outlet or "",
                "engine": analysis.engine.name,
                "sources": ",".join(analysis.sources),
                "partial": str(analysis.partial).lower(),
                "claim_id": claim.id,
                "claim": claim.text,
                "start": claim.start,
                "end": claim.end,
                "checkworthiness": claim.checkworthiness,
                "verdict": claim.verdict.value,
                "verdict_label": theme.VERDICT_LABELS[claim.verdict],
                "verdict_confidence": "" if claim.assessment.confidence is None else claim.assessment.confidence,
                "rationale": claim.assessment.rationale,
                "evidence_count": len(claim.evidence),
                **_analyst_columns(review, verdict_target(claim.id), "analyst_verdict"),
                "notes": " | ".join(note_text(n) for n in review.notes_on(claim.id)) if review else "",
            })
    return _csv(CLAIM_COLUMNS, rows)


def to_csv_evidence(analyses: Sequence[Analysis], reviews: Reviews | None = None) -> str:
    reviews = reviews or {}
    rows = [
        {
            "analysis_id": analysis.id,
            "claim_id": claim.id,
            "source_type": evidence.source_type.value,
            "title": evidence.title,
            "url": evidence.url or "",
            "outlet": evidence.outlet or "",
            "stance": evidence.stance.value,
            "stance_label": theme.STANCE_LABELS[evidence.stance] if counts(evidence, analysis.article)
            or evidence.stance == Stance.NEUTRAL else f"Leans {theme.STANCE_LABELS[evidence.stance].lower()}",
            "stance_confidence": evidence.stance_confidence,
            "decisive": str(evidence.decisive).lower(),
            "verdict_note": note,
            "facts": evidence.facts or "",
            "snippet": evidence.snippet,
            **_analyst_columns(reviews.get(analysis.id), stance_target(claim.id, index), "analyst_stance"),
        }
        for analysis in analyses
        for claim in analysis.claims
        for index, (evidence, note) in enumerate(zip(claim.evidence, counting_notes(claim.evidence, analysis.article),
                                                     strict=True))
    ]
    return _csv(EVIDENCE_COLUMNS, rows)


def to_csv_review(analyses: Sequence[Analysis], reviews: Reviews) -> str:
    """Every analyst change to these analyses, oldest first: who, when, what, why (technique passages included)."""
    rows = [{"analysis_id": a.id, **line.to_dict()}
            for a in analyses if a.id in reviews for line in reviews[a.id].activity]
    return _csv(REVIEW_COLUMNS, rows)


def to_csv_zip(analyses: Sequence[Analysis], reviews: Reviews | None = None) -> bytes:
    """A zip with techniques.csv, claims.csv and evidence.csv, and review.csv when an analyst reviewed any of them."""
    reviews = reviews or {}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("techniques.csv", "\ufeff" + to_csv_techniques(analyses))
        archive.writestr("claims.csv", "\ufeff" + to_csv_claims(analyses, reviews))
        archive.writestr("evidence.csv", "\ufeff" + to_csv_evidence(analyses, reviews))
        if any(not reviews[a.id].empty for a in analyses if a.id in reviews):
            archive.writestr("review.csv", "\ufeff" + to_csv_review(analyses, reviews))
    return buffer.getvalue()


# Markdown -------------------------------------------------------------------------------------------

def _md(text: str | None) -> str:
    """Inline Markdown from untrusted text: HTML escaped, markup characters neutralised, one line."""
    escaped = html.escape(" ".join((text or "").split()), quote=False)
    for char in "\\`*_[]|#":
        escaped = escaped.replace(char, "\\" + char)
    return escaped


def _md_link(label: str, url: str | None) -> str:
    if url and urlsplit(url).scheme.lower() in ("http", "https"):
        return f"[{_md(label)}](<{url.replace('>', '%3E').replace(' ', '%20')}>)"
    return _md(label)


def _markdown_analysis(analysis: Analysis, level: int, review: Review | None = None) -> list[str]:
    h = "#" * level
    article, engine = analysis.article, analysis.engine
    runs = {r.name: r for r in analysis.source_runs}
    lines = [
        f"{h} {_md(article.title or '(untitled article)')}",
        "",
        f"- **Outlet:** {_md(article.outlet or 'unknown')}",
        f"- **Author:** {_md(article.author or 'unknown')}",
        f"- **Genre:** {_md(article.genre.line)}",
        f"- **Published:** {_md(article.published or 'undated')}",
        f"- **URL:** {_md_link(article.url, article.url) if article.url else 'pasted text, no URL'}",
        f"- **Engine:** {_md(engine.name)}" + (f" (model {_md(engine.model)})" if engine.model else ""),
        "- **Sources:** " + (", ".join(
            _md(name) + (f" ({_md(runs[name].status)})" if name in runs else "") for name in analysis.sources) or "none"),
        f"- **Analysis:** `{analysis.id}`, {_md(analysis.analysed_at)}",
        f"- **Status:** {'PARTIAL' if analysis.partial else 'complete'}",
        f"- **Review:** {_md(status_text(review))}",
    ]
    if review is not None:
        lines += [f"- **Analyst note:** {_md(note_text(n))}" for n in review.notes_on()]
    if analysis.warnings:
        lines += ["", "> **Warnings**"] + [f"> - {_md(w)}" for w in analysis.warnings]
    lines += ["", f"{h}# Techniques", ""]
    if analysis.persuasion is not None:
        persuasion = analysis.persuasion
        lines += [f"**Persuasive language:** {persuasion.score:.1f} {STRENGTH_UNIT}"
                  + (f", {against_ordinary_news(persuasion.percentile)}." if persuasion.percentile is not None else "."), ""]
        if caveat := genre_caveat(analysis.article.genre, persuasion):
            lines += [_md(caveat), ""]
    if analysis.techniques:
        found = analysis.found_techniques()
        others = sorted((t for t in analysis.techniques if not t.found), key=lambda t: (-t.strength, -t.confidence))
        lines += [f"Found ({FOUND_RULE}): {len(found)} of {len(analysis.techniques)}.", ""]
        drivers = persuasion_drivers(analysis.techniques, analysis.persuasion)
        if drivers:
            lines += [_md(drivers), ""]
        lines += ["| Technique | Found | Against ordinary news | Strength | Occurs | Passages |", "|---|:---:|---|---:|---:|---|"]
        for t in list(found) + others:
            quotes = " · ".join(f"“{_md(s.text)}”" for s in t.spans) or "–"
            lines.append(f"| {_md(t.label)} | {'● found' if t.found else '–'} | {against_ordinary_news(t.percentile)} | "
                         f"{t.strength:.1f} | {t.confidence:.0%} | {quotes} |")
        passages = [(t, i, review.decision(passage_target(t.name, i))) for t in analysis.techniques
                    for i in range(len(t.spans))] if review is not None else []
        if any(d for _, _, d in passages):
            lines += ["", "**Analyst review of passages** (the machine's technique stays in the table above):", ""]
            lines += [f"- {_md(t.label)}: “{_md(t.spans[i].text)}” · **{_md(decision_text(d))}**"
                      for t, i, d in passages if d is not None]
    else:
        lines.append("No technique figures in this analysis (see the warnings).")
    lines += ["", f"{h}# Claims ({len(analysis.claims)})", ""]
    if not analysis.claims:
        lines.append("No check-worthy claims were found.")
    for claim in analysis.claims:
        lines += [
            f"{h}## {claim.id} · {theme.verdict_text(claim.verdict)}"
            + (f" ({claim.assessment.confidence:.0%})" if claim.assessment.confidence is not None else ""),
            "",
            f"> {_md(claim.text)}",
            "",
            f"*Why:* {_md(claim.assessment.rationale) or '–'} · check-worthiness {claim.checkworthiness:.0%}",
            "",
        ]
        verdict_decision = review.decision(verdict_target(claim.id)) if review is not None else None
        if verdict_decision is not None:
            lines += [f"**{_md(decision_text(verdict_decision))}**", ""]
        if review is not None:
            lines += [f"*{_md(note_text(n))}*  " for n in review.notes_on(claim.id)] + ([""] if review.notes_on(claim.id) else [])
        for item in weighed(claim, analysis.article):
            e, note = item.evidence, item.note
            stance_decision = review.decision(stance_target(claim.id, item.index)) if review is not None else None
            lines.append(
                f"- {item.stance}" + (f" · *{_md(note)}*" if note else "")
                + f" · {SOURCE_TYPE_LABELS[e.source_type]} · "
                f"{_md_link(e.title or '(untitled source)', e.url)}" + (f" · {_md(e.outlet)}" if e.outlet else "")
                + (f" · **{_md(decision_text(stance_decision))}**" if stance_decision is not None else "")
                + (f"  \n  Figures: {_md(e.facts)}" if e.facts else "")
                + (f"  \n  {_md(e.snippet)}" if e.snippet else "")
            )
        if claim.evidence:
            lines.append("")
    return lines


def to_markdown(analyses: Sequence[Analysis], *, comparison: ComparisonResult | None = None,
                reviews: Reviews | None = None) -> str:
    """A Markdown report of the analyses, with the shared claims when a comparison is given."""
    several = len(analyses) > 1
    lines: list[str] = []
    if several:
        lines += [f"# Crosscheck report: {len(analyses)} articles", ""]
    lines += [f"*{theme.DISCLAIMER}*", ""]
    if comparison is not None:
        lines += ["## Shared claims", "",
                  (f"Claims made by more than one article (sentence similarity at or above {comparison.threshold:.2f}, "
                   "or figures of the same point)."), ""]
        if not comparison.shared:
            lines += ["No claim appears in more than one article.", ""]
        for number, group in enumerate(comparison.shared, start=1):
            agreement = group.agreement
            lines += [f"### Shared claim {number} ({_md(agreement)})", "", "| Article | Claim | Verdict |", "|---|---|---|"]
            lines += [f"| {_md(m.article)} | {_md(m.text)} | {theme.verdict_text(m.verdict)} |" for m in group.mentions]
            lines.append("")
    for analysis in analyses:
        lines += _markdown_analysis(analysis, 2 if several else 1, (reviews or {}).get(analysis.id))
        lines.append("")
    lines += ["---", "", f"*{theme.DISCLAIMER}*", ""]
    return "\n".join(lines)


# One entry point ------------------------------------------------------------------------------------

def export_bytes(analyses: Sequence[Analysis], fmt: str, *, charts: bool = True, renderer: Any = None,
                 reviews: Reviews | None = None, storage: Storage | None = None) -> bytes:
    """The file for ``analyses`` in ``fmt`` (see FORMATS), as the CLI writes it and download buttons offer it.

    pdf: one analysis gives an analysis report, 2-6 a comparison report.
    md: 2-6 analyses get the shared-claims section. ``renderer`` is a
    ``core.reports.images.ChartRenderer`` to reuse (e.g. ``shared_renderer()``). ``reviews``: the analysts'
    reviews of these analyses by id (Storage.reviews.get_many), shown beside the machine's output. ``storage``: the
    library the analyses are stored in, whose index holds the compared claims' vectors (a comparison then loads no
    model for them; core.compare.shared_claims).
    """
    analyses = list(analyses)
    if not analyses:
        raise InputError("Nothing to export: no analysis was chosen.")
    if fmt == "json":
        return to_json(analyses, reviews).encode("utf-8")
    if fmt == "csv":
        return to_csv_zip(analyses, reviews)
    comparable = MIN_ANALYSES <= len(analyses) <= MAX_ANALYSES
    if fmt == "md":
        return to_markdown(analyses, comparison=shared_claims(analyses, storage=storage) if comparable else None,
                           reviews=reviews).encode("utf-8")
    if fmt != "pdf":
        raise InputError(f"Unknown export format {fmt!r}.", hint=f"Choose one of {', '.join(FORMATS)}.")
    from .pdf import analysis_pdf, comparison_pdf  # fpdf2 and fonts load only for PDFs

    if len(analyses) == 1:
        return analysis_pdf(analyses[0], charts=charts, renderer=renderer, review=(reviews or {}).get(analyses[0].id))
    if not comparable:
        raise InputError(f"A PDF compares {MIN_ANALYSES} to {MAX_ANALYSES} analyses; {len(analyses)} were given.",
                         hint="Export one analysis, or up to six for a comparison.")
    return comparison_pdf(analyses, comparison=shared_claims(analyses, storage=storage), charts=charts, renderer=renderer,
                          reviews=reviews)
