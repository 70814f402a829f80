"""The plain-text summary of an analysis that the CLI prints."""
from __future__ import annotations

from ..persuasion import genre_caveat, persuasion_drivers
from ..presentation import against_ordinary_news
from ..records import Analysis
from ..techniques_catalogue import FOUND_RULE
from ..text import count_noun


def format_summary(analysis: Analysis) -> str:
    article = analysis.article
    lines = [
        f"{article.title or '(untitled)'}",
        f"  {article.outlet or 'unknown outlet'} · {article.published or 'undated'} · {article.url or 'no URL'}",
        f"  analysis {analysis.id} · engine {analysis.engine.name} · sources {', '.join(analysis.sources) or 'none'}"
        + (" · PARTIAL" if analysis.partial else ""),
        "",
    ]
    if analysis.persuasion is not None:
        persuasion = analysis.persuasion
        lines.append(f"Persuasive language: {persuasion.score:.1f} weighted technique passages per 1,000 words"
                     + (f", {against_ordinary_news(persuasion.percentile)}" if persuasion.percentile is not None else ""))
        if caveat := genre_caveat(article.genre, persuasion):
            lines.append(f"  {caveat}")
    lines.append(f"Techniques found ({FOUND_RULE}):")
    if analysis.techniques:
        lines += [f"  {t.label}: {t.strength:.1f} per 1,000 words, {against_ordinary_news(t.percentile)} "
                  f"(occurs {t.confidence:.0%}, {count_noun(len(t.spans), 'passage')})" for t in analysis.found_techniques()] or ["  none"]
        drivers = persuasion_drivers(analysis.techniques, analysis.persuasion)
        if drivers:
            lines.append(f"  {drivers}")
    else:
        lines.append("  no technique figures (see the warnings)")
    lines += ["", "Claims:"]
    lines += [f"  [{c.verdict.value}] {c.text}" for c in analysis.claims] or ["  no check-worthy claims found"]
    lines += [f"warning: {w}" for w in analysis.warnings]
    lines += ["", "AI-generated analysis: verify before you rely on it."]
    return "\n".join(lines)
