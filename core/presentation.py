"""How analyses are shown to people: figures against ordinary news in words, and how many claims come first.

The dashboard, the figures and the reports word these the same way, so each
rule is written here once.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from .policy import TOP_CLAIMS_PER_WORD, TOP_CLAIMS_RANGE

if TYPE_CHECKING:  # core.records words its figures with this module's rules
    from .records import Persuasion, Technique

# With no technique found, a persuasion percentile at or above this reads as a contradiction
# ("stronger than 97 % of ordinary news" beside "no technique stands out") unless its make-up is said.
HIGH_PERSUASION = 0.75
DRIVERS_SHOWN = 3  # techniques named as what the score adds up from
QUOTE_CHARS = 60  # the strongest passage of each named technique, cut to this length


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


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return f"“{text if len(text) <= QUOTE_CHARS else text[:QUOTE_CHARS - 1].rstrip() + '…'}”"


def persuasion_drivers(techniques: Sequence[Technique], persuasion: Persuasion | None) -> str | None:
    """What the persuasion score adds up from, in words, where a reader would otherwise see a contradiction.

    The score counts every technique's passages, while a technique is *found* only
    when it alone is used more strongly than in nearly all ordinary news; many
    passages of several techniques, none strong enough alone, can make a high score
    with nothing found. Then this names the techniques whose passages weigh most,
    their share of the score and their strongest passage. None when nothing needs
    saying: no percentile, a percentile under HIGH_PERSUASION, a found technique
    (which explains the score itself) or no passage at all.
    """
    if persuasion is None or persuasion.percentile is None or persuasion.percentile < HIGH_PERSUASION:
        return None
    if any(t.found for t in techniques):
        return None
    weighted = [(sum(s.confidence for s in t.spans), t) for t in techniques if t.spans]
    total = sum(w for w, _ in weighted)
    if total <= 0:
        return None
    weighted.sort(key=lambda item: -item[0])
    n_passages = sum(len(t.spans) for _, t in weighted)
    parts = []
    for weight, technique in weighted[:DRIVERS_SHOWN]:
        strongest = max(technique.spans, key=lambda s: s.confidence)
        passages = "1 passage" if len(technique.spans) == 1 else f"{len(technique.spans)} passages"
        parts.append(f"{technique.label} ({passages}, {weight / total:.0%} of the score, e.g. {_quote(strongest.text)})"
                     .replace("%", " %"))
    named = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    spread = "1 technique" if len(weighted) == 1 else f"{len(weighted)} techniques"
    return (f"Persuasive language is {against_ordinary_news(persuasion.percentile)}, yet no single technique is used "
            f"strongly enough to be found: the score adds up from {n_passages} passages across {spread}, "
            f"most of all {named}.")
