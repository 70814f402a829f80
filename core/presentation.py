"""How analyses are shown to people: figures against ordinary news in words, and how many claims come first.

The dashboard, the figures and the reports word these the same way, so each
rule is written here once.
"""
from __future__ import annotations

from .policy import TOP_CLAIMS_PER_WORD, TOP_CLAIMS_RANGE


def percentile_text(percentile: float | None) -> str:
    """A percentile against ordinary news in a few characters, for tables and lists: "98 %", "> 99 %", "–"."""
    if percentile is None:
        return "–"
    if 0.995 <= percentile < 1.0:
        return "> 99 %"  # as against_ordinary_news: only all of the reference is "100 %"
    return f"{percentile:.0%}".replace("%", " %")


def against_ordinary_news(percentile: float | None) -> str:
    """ "stronger than 97 % of ordinary news", or why there is no such figure."""
    if percentile is None:
        return "no ordinary-news reference for this engine"
    if percentile >= 1.0:
        return "stronger than all ordinary news in the reference"
    if percentile >= 0.995:  # would round to "100 %", which only the line above may say
        return "stronger than over 99 % of ordinary news"
    return f"stronger than {percentile:.0%} of ordinary news".replace("%", " %")


def top_claim_count(words: int) -> int:
    """How many claims are shown first for an article of ``words`` words (the numbers and why: core.policy)."""
    low, high = TOP_CLAIMS_RANGE
    return max(low, min(high, round(words * TOP_CLAIMS_PER_WORD)))
