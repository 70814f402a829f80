"""The plain-text summary of an analysis that the CLI prints."""
from __future__ import annotations

from ..models import FOUND_RULE, Analysis
from ..text import count_noun


def format_summary(analysis: Analysis) -> str:
    article = analysis.article
    lines = [
        f"{article.title or '(untitled)'}",
        f"  {article.outlet or 'unknown outlet'} · {article.published or 'undated'} · {article.url or 'no URL'}",
        f"  analysis {analysis.id} · engine {analysis.engine.name} · sources {', '.join(analysis.sources) or 'none'}"
        + (" · PARTIAL" if analysis.partial else ""),
        "",
        f"Techniques found ({FOUND_RULE}):",
    ]
    lines += [f"  {t.confidence:5.0%}  {t.label}  ({count_noun(len(t.spans), 'passage')})" for t in analysis.found_techniques()] or ["  none"]
    lines += ["", "Claims:"]
    lines += [f"  [{c.verdict.value}] {c.text}" for c in analysis.claims] or ["  no check-worthy claims found"]
    lines += [f"warning: {w}" for w in analysis.warnings]
    lines += ["", "AI-generated analysis: verify before you rely on it."]
    return "\n".join(lines)
