"""How analyses are shown to people: figures against ordinary news in words, and how many claims come first.

The dashboard, the figures and the reports word these the same way, so each
rule is written here once.
"""
from __future__ import annotations


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


# The claims an analyst sees first: the most check-worthy, about one per 100 words of the
# article and 5 to 12 in all (10 for a 1,000-word article); the others are under "show all".
TOP_CLAIMS_PER_WORD = 1 / 100
TOP_CLAIMS_RANGE = (5, 12)


def top_claim_count(words: int) -> int:
    """How many claims are shown first for an article of ``words`` words."""
    low, high = TOP_CLAIMS_RANGE
    return max(low, min(high, round(words * TOP_CLAIMS_PER_WORD)))
