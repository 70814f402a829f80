"""PDF reports (fpdf2): one analysis, or a comparison of several.

Layout: a cover block (what was analysed, by which engine, with which
sources, whether it is partial), a summary, the dashboard's charts drawn from
the same plotly figures, then tables and every claim with its evidence. Every
page carries the disclaimer and its number in the footer. The drawing itself
(pages, fonts, text blocks, tables) is in pdf_layout.py.

Article text is untrusted: it is only ever drawn as text (no markup is
interpreted) and only http(s) addresses become links.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace as CellStyle

from ..compare import ComparisonResult, article_labels, shared_claims
from ..figures import charts as chart_builders
from ..figures import theme
from ..figures.charts import SOURCE_TYPE_LABELS, STRENGTH_UNIT
from ..persuasion import genre_caveat, persuasion_drivers
from ..presentation import against_ordinary_news
from ..records import Analysis, Article, Claim, Stance
from ..techniques_catalogue import FOUND_RULE
from ..review import Review, decision_text, note_text, passage_target, stance_target, status_text, value_label, verdict_target
from .images import ChartRenderer
from .pdf_layout import (BODY_SIZE, GREY, HEAD_FILL, INK, RULE, SMALL_SIZE, Document, analyst_line, clean,
                         closing_disclaimer, finish, hex_rgb, http_link, now_text, pct, render_charts, write_charts)
from .weights import weighed


def _analysis_texts(analysis: Analysis, review: Review | None = None) -> list[str]:
    """Every string a report of this analysis may print, to choose fonts and shaping."""
    article = analysis.article
    texts = [article.title or "", article.outlet or "", article.author or "", article.url or "", article.genre.line,
             *analysis.warnings]
    texts += [s.text for t in analysis.techniques for s in t.spans]
    for claim in analysis.claims:
        texts += [claim.text, claim.assessment.rationale]
        texts += [f"{e.title} {e.outlet or ''} {e.snippet} {e.url or ''}" for e in claim.evidence]
    texts += [f"{r.name} {r.detail}" for r in analysis.source_runs]
    if review is not None:
        texts += [decision_text(d) for d in review.decisions] + [note_text(n) for n in review.notes]
        texts.append(status_text(review))
    return texts


def _cover_rows(analysis: Analysis) -> list[tuple[str, str, str | None]]:
    article, engine = analysis.article, analysis.engine
    engine_text = engine.name + (f" · model {engine.model}" if engine.model else "") + (
        f" · prompts v{engine.prompt_version}" if engine.prompt_version else "")
    if engine.usage.calls:
        engine_text += f" · {engine.usage.calls} calls, {engine.usage.input_tokens + engine.usage.output_tokens} tokens, ≈ ${engine.usage.cost_usd:.2f}"
    runs = {r.name: r for r in analysis.source_runs}
    sources = ", ".join(
        name + (f" ({runs[name].status}{': ' + runs[name].detail if runs[name].detail else ''})" if name in runs else "")
        for name in analysis.sources
    ) or "none (claims were not checked against sources)"
    return [
        ("Outlet", article.outlet or "unknown", None),
        ("Author", article.author or "unknown", None),
        ("Published", article.published or "undated", None),
        ("URL", article.url or "pasted text, no URL", http_link(article.url)),
        ("Language", article.language or "unknown", None),
        ("Genre", article.genre.line, None),
        ("Engine", engine_text, None),
        ("Sources", sources, None),
        ("Analysis", f"{analysis.id} · analysed {analysis.analysed_at}", None),
        ("Status", "PARTIAL: some steps failed (see warnings)" if analysis.partial else "complete", None),
    ]


def _write_cover(doc: Document, analysis: Analysis, generated_at: str) -> None:
    doc.text_block(analysis.article.title or "(untitled article)", size=17, bold=True, line=8)
    doc.text_block(f"Crosscheck analysis report · generated {generated_at}", size=SMALL_SIZE, color=GREY)
    doc.ln(2)
    with doc.table((22, 158), None) as table:
        for label, value, link in _cover_rows(analysis):
            row = table.row()
            row.cell(label, style=CellStyle(emphasis="BOLD"))
            row.cell(clean(value), link=link)
    if analysis.partial or analysis.warnings:
        doc.note("Partial analysis. Warnings:\n" + "\n".join(f"• {w}" for w in analysis.warnings) if analysis.warnings
                 else "Partial analysis: some steps failed.")
    doc.note(theme.DISCLAIMER, fill=HEAD_FILL)


def _summary_lines(analysis: Analysis) -> list[str]:
    found = analysis.found_techniques()
    lines = []
    if analysis.techniques:
        lines.append(
            f"Techniques found ({FOUND_RULE}): {len(found)} of {len(analysis.techniques)}"
            + (f"; {', '.join(f'{t.label} ({against_ordinary_news(t.percentile)})' for t in found[:3])}." if found else ".")
        )
    else:
        lines.append("No technique figures in this analysis (see the warnings).")
    if analysis.persuasion is not None:
        lines.append(f"Persuasive language: {analysis.persuasion.score:.1f} {STRENGTH_UNIT}"
                     + (f", {against_ordinary_news(analysis.persuasion.percentile)}." if analysis.persuasion.percentile is not None
                        else " (no ordinary-news reference for this engine)."))
        if caveat := genre_caveat(analysis.article.genre, analysis.persuasion):
            lines.append(caveat)
        drivers = persuasion_drivers(analysis.techniques, analysis.persuasion)
        if drivers:
            lines.append(drivers)
    counts = analysis.verdict_counts()
    verdicts = " · ".join(f"{theme.verdict_text(v)} {counts[v]}" for v in theme.VERDICT_ORDER if counts[v])
    lines.append(f"Check-worthy claims: {len(analysis.claims)}" + (f" ({verdicts})." if verdicts else "."))
    evidence = [e for c in analysis.claims for e in c.evidence]
    if evidence:
        stances = " · ".join(
            f"{theme.stance_text(s)} {sum(1 for e in evidence if e.stance == s)}" for s in theme.STANCE_ORDER
        )
        lines.append(f"Evidence items: {len(evidence)} ({stances}).")
    return lines


def _write_techniques(doc: Document, analysis: Analysis, review: Review | None = None) -> None:
    doc.heading("Propaganda techniques")
    if not analysis.techniques:
        doc.text_block("This analysis has no technique figures.")
        return
    doc.text_block(f"A technique is found when it is {FOUND_RULE}. Strength: {STRENGTH_UNIT}. "
                   "Occurs: the probability that the article uses the technique at all.", size=SMALL_SIZE, color=GREY)
    found = list(analysis.found_techniques())
    others = sorted((t for t in analysis.techniques if not t.found), key=lambda t: (-t.strength, -t.confidence))
    with doc.table((56, 16, 52, 18, 16, 22), ("Technique", "Found", "Against ordinary news", "Strength", "Occurs", "Passages")) as table:
        for technique in found + others:
            row = table.row()
            row.cell(technique.label)
            row.cell("● found" if technique.found else "–")
            row.cell(against_ordinary_news(technique.percentile))
            row.cell(f"{technique.strength:.1f}")
            row.cell(pct(technique.confidence))
            row.cell(str(len(technique.spans)) if technique.spans else "–")
    for heading, group in (("Passages of the found techniques", found),
                           ("Passages of the other techniques", [t for t in others if t.spans])):
        group = [t for t in group if t.spans]
        if not group:
            continue
        doc.heading(heading, level=2)
        for technique in group:
            doc.ensure_space(18)
            doc.text_block(f"{technique.label} · {technique.strength:.1f} per 1,000 words · "
                           f"{against_ordinary_news(technique.percentile)}", bold=True)
            doc.text_block(technique.definition, size=SMALL_SIZE, color=GREY)
            for index, span in enumerate(technique.spans):
                doc.text_block(f"“{span.text}”", indent=5, color=(55, 60, 66))
                doc.text_block(f"passage confidence {pct(span.confidence)} · characters {span.start}-{span.end}",
                               size=SMALL_SIZE - 0.5, color=GREY, indent=5)
                decision = review.decision(passage_target(technique.name, index)) if review is not None else None
                if decision is not None:
                    analyst_line(doc, decision_text(decision), indent=5)
                doc.ln(1)


def _write_claim(doc: Document, claim: Claim, article: Article, review: Review | None = None) -> None:
    doc.ensure_space(24)
    doc.set_font("body", "B", BODY_SIZE)
    doc.cell(14, 5, f"{claim.id}")
    doc.badge(claim.verdict, claim.assessment.confidence)
    doc.set_font("body", "", SMALL_SIZE)
    doc.set_text_color(*GREY)
    doc.cell(0, 5, f"   check-worthiness {pct(claim.checkworthiness)}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    doc.set_text_color(*INK)
    doc.ln(1)
    doc.text_block(claim.text, bold=True)
    if claim.assessment.rationale:
        doc.text_block(f"Why: {claim.assessment.rationale}", size=SMALL_SIZE + 0.5, color=GREY)
    if review is not None:
        verdict_decision = review.decision(verdict_target(claim.id))
        if verdict_decision is not None:
            analyst_line(doc, decision_text(verdict_decision))
        for note in review.notes_on(claim.id):
            analyst_line(doc, note_text(note))
    if not claim.evidence:
        doc.text_block("No evidence was found for this claim.", size=SMALL_SIZE + 0.5, color=GREY, indent=5)
    for item in weighed(claim, article):
        doc.ensure_space(14)
        evidence, note, index = item.evidence, item.note, item.index
        leaning = bool(note) and not item.counted
        head = (item.stance + (f" ({note})" if note else "")
                + f" · {SOURCE_TYPE_LABELS[evidence.source_type]}" + (f" · {evidence.outlet}" if evidence.outlet else ""))
        doc.set_x(doc.l_margin + 5)
        doc.set_fill_color(*hex_rgb(theme.STANCE_COLORS[evidence.stance]))
        doc.cell(1.5, 4.2, "", fill=True)
        # A stance that counted reads bold; one that only leans reads plain and grey, as on the dashboard's cards.
        doc.text_block(head, size=SMALL_SIZE + 0.5, bold=not leaning, indent=7.5, color=GREY if leaning else INK)
        link = http_link(evidence.url)
        doc.text_block(evidence.title or "(untitled source)", size=SMALL_SIZE + 0.5, indent=7.5, link=link,
                       color=(0, 82, 147) if link else INK)
        if evidence.url:
            doc.text_block(evidence.url, size=SMALL_SIZE - 0.5, indent=7.5, color=GREY, line=3.6, link=link)
        if evidence.facts:
            doc.text_block(f"Figures: {evidence.facts}", size=SMALL_SIZE, bold=True, indent=7.5,
                           color=hex_rgb(theme.STANCE_COLORS[Stance.REFUTES if evidence.facts.startswith("differs")
                                                             else Stance.SUPPORTS]))
        if evidence.snippet:
            doc.text_block(evidence.snippet, size=SMALL_SIZE, indent=7.5, color=GREY, line=3.9)
        stance_decision = review.decision(stance_target(claim.id, index)) if review is not None else None
        if stance_decision is not None:
            analyst_line(doc, decision_text(stance_decision), indent=7.5)
        doc.ln(0.8)
    doc.ln(2)
    doc.set_draw_color(*RULE)
    doc.line(doc.l_margin, doc.get_y(), doc.l_margin + doc.width, doc.get_y())
    doc.ln(2)


def _write_source_runs(doc: Document, analysis: Analysis) -> None:
    if not analysis.source_runs:
        return
    doc.heading("Sources consulted", level=2)
    with doc.table((30, 20, 106, 24), ("Source", "Status", "Detail", "Requests")) as table:
        for run in analysis.source_runs:
            row = table.row()
            for value in (run.name, run.status, run.detail or "–", str(run.requests)):
                row.cell(clean(value))


def analysis_pdf(analysis: Analysis, *, renderer: ChartRenderer | None = None, charts: bool = True,
                 generated_at: str | None = None, review: Review | None = None) -> bytes:
    """A PDF report of one analysis. Without a renderer, one Chromium is started (and stopped) for this export.

    With an analyst's ``review``, its decisions and notes are printed beside the machine's output they concern."""
    figures = [chart_builders.technique_profile(analysis), chart_builders.verdict_mix(analysis)] if charts else []
    images, chart_note = render_charts(figures, renderer, charts)
    doc = Document(title=analysis.article.title or "Crosscheck report", texts=_analysis_texts(analysis, review),
                    language=analysis.article.language)
    doc.add_page()
    _write_cover(doc, analysis, generated_at or now_text())
    doc.heading("Summary")
    for line in _summary_lines(analysis):
        doc.text_block("• " + line)
    _write_review_status(doc, review)
    doc.ln(2)
    write_charts(doc, images, chart_note)
    _write_techniques(doc, analysis, review)
    doc.heading(f"Claims ({len(analysis.claims)})")
    if not analysis.claims:
        doc.text_block("No check-worthy claims were found in this article.")
    for claim in analysis.claims:
        _write_claim(doc, claim, analysis.article, review)
    _write_source_runs(doc, analysis)
    closing_disclaimer(doc)
    return finish(doc)


def _write_review_status(doc: Document, review: Review | None) -> None:
    """Whether an analyst reviewed it, what they changed, and their notes on the whole analysis."""
    if review is None or review.empty:
        return
    overrides = len(review.overrides())
    analyst_line(doc, f"{status_text(review)} · {len(review.decisions)} decisions, {overrides} overriding the machine "
                       "(marked “Analyst” below; the machine's output is shown as it was)")
    for note in review.notes_on():
        analyst_line(doc, note_text(note))


def comparison_pdf(analyses: Sequence[Analysis], *, comparison: ComparisonResult | None = None,
                   renderer: ChartRenderer | None = None, charts: bool = True, generated_at: str | None = None,
                   reviews: Mapping[str, Review] | None = None) -> bytes:
    """A PDF comparing 2-6 analyses: comparison charts, the shared-claims table, and each article's own claims."""
    result = comparison or shared_claims(analyses)
    labels = article_labels(analyses)
    figures = [chart_builders.compare_verdicts(analyses), chart_builders.compare_techniques(analyses),
               chart_builders.technique_heatmap(analyses)] if charts else []
    images, chart_note = render_charts(figures, renderer, charts)
    reviews = reviews or {}
    texts = [t for a in analyses for t in _analysis_texts(a, reviews.get(a.id))]
    languages = [a.article.language for a in analyses if a.article.language]
    doc = Document(title=f"Comparison of {len(analyses)} articles", texts=texts,
                    language=languages[0] if languages else None)
    doc.add_page()
    doc.text_block(f"Comparison of {len(analyses)} articles", size=17, bold=True, line=8)
    doc.text_block(f"Crosscheck comparison report · generated {generated_at or now_text()}", size=SMALL_SIZE, color=GREY)
    doc.ln(2)
    doc.note(theme.DISCLAIMER, fill=HEAD_FILL)

    doc.heading("Articles")
    # Widths that keep "Techniques" and an outlet's web address whole at this font (seen cut mid-word at 18 / 36 mm).
    with doc.table((8, 42, 40, 30, 23, 16, 21),
                   ("#", "Article", "Outlet · published", "Engine · sources", "Techniques found", "Claims", "Status")) as table:
        for number, (analysis, label) in enumerate(zip(analyses, labels), start=1):
            row = table.row()
            row.cell(str(number))
            row.cell(clean(analysis.article.title or label), link=http_link(analysis.article.url))
            row.cell(clean(f"{analysis.article.outlet or 'unknown outlet'} · {analysis.article.published or 'undated'}"))
            row.cell(clean(f"{analysis.engine.name} · {', '.join(analysis.sources) or 'no sources'}"))
            row.cell(str(len(analysis.found_techniques())) if analysis.techniques else "–")
            row.cell(str(len(analysis.claims)))
            row.cell("PARTIAL" if analysis.partial else "complete")
    for analysis, label in zip(analyses, labels):
        if analysis.partial or analysis.warnings:
            doc.note(f"{label}: partial analysis." + "".join(f"\n• {w}" for w in analysis.warnings))

    doc.heading("Summary")
    differing = sum(1 for s in result.shared if s.verdicts_differ)
    total = sum(len(a.claims) for a in analyses)
    for line in (
        f"{total} check-worthy claims in all; {len(result.shared)} are made by more than one article"
        f" (sentence similarity at or above {result.threshold:.2f}).",
        f"{differing} shared claims got different verdicts in different articles." if result.shared else
        "No claim is shared between these articles.",
    ):
        doc.text_block("• " + line)
    doc.ln(2)
    write_charts(doc, images, chart_note)

    doc.heading(f"Shared claims ({len(result.shared)})")
    if not result.shared:
        doc.text_block("No claim appears in more than one of these articles.")
    for number, group in enumerate(result.shared, start=1):
        doc.ensure_space(12 + 9 * len(group.mentions))
        agreement = group.agreement
        matched = "same point by its figures" if group.by_figures else f"similarity ≥ {group.similarity:.2f}"
        doc.text_block(f"Shared claim {number} · {len(group.mentions)} articles · {matched} · {agreement}",
                       bold=True)
        with doc.table((40, 105, 35), ("Article", "How it states the claim", "Verdict")) as table:
            for mention in group.mentions:
                row = table.row()
                row.cell(clean(mention.article))
                row.cell(clean(mention.text))
                review = reviews.get(mention.analysis_id)
                decision = review.decision(verdict_target(mention.claim_id)) if review is not None else None
                row.cell(theme.verdict_text(mention.verdict)
                         + (f" {pct(mention.verdict_confidence)}" if mention.verdict_confidence is not None else "")
                         + (f"\nAnalyst: {value_label('verdict', decision.analyst_value)}"
                            if decision is not None and not decision.confirmed else ""),
                         style=CellStyle(fill_color=hex_rgb(theme.VERDICT_COLORS[mention.verdict])))

    doc.heading("Claims only one article makes")
    for label, mentions in zip(labels, result.unique):
        doc.ensure_space(16)
        doc.text_block(f"{label} ({len(mentions)})", bold=True, size=10.5)
        if not mentions:
            doc.text_block("Every claim of this article is shared with another.", size=SMALL_SIZE + 0.5, color=GREY, indent=5)
        for mention in mentions:
            doc.text_block(f"{mention.claim_id} · {theme.verdict_text(mention.verdict)} · {mention.text}",
                           size=SMALL_SIZE + 0.5, indent=5)
            review = reviews.get(mention.analysis_id)
            decision = review.decision(verdict_target(mention.claim_id)) if review is not None else None
            if decision is not None:
                analyst_line(doc, decision_text(decision), indent=10)
        doc.ln(2)
    closing_disclaimer(doc)
    return finish(doc)
