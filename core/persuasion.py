"""What an article's persuasion score adds up from, in words (the dashboard and the reports say it the same way).

The score counts every technique's passages, while a technique is *found* only
when it alone is used more strongly than in nearly all ordinary news, so a high
score can stand beside "no technique stands out" (issue 28). Kept apart from
core.presentation, which core.records imports.
"""
from __future__ import annotations

from collections.abc import Sequence

from .genre import ARGUING, Genre
from .presentation import against_ordinary_news
from .records import Persuasion, Technique

# With no technique found, a persuasion percentile at or above this reads as a contradiction
# ("stronger than 97 % of ordinary news" beside "no technique stands out") unless its make-up is said.
HIGH_PERSUASION = 0.75
DRIVERS_SHOWN = 3  # techniques named as what the score adds up from
QUOTE_CHARS = 60  # the strongest passage of each named technique, cut to this length


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


def persuasion_gap(techniques: Sequence[Technique], persuasion: Persuasion | None) -> str | None:
    """One line for where the persuasion figure stands beside "0 techniques found" (the dashboard's first row of
    figures): that the two agree, and where it is explained. None wherever :func:`persuasion_drivers` is."""
    if persuasion is None or persuasion_drivers(techniques, persuasion) is None:
        return None
    n_passages = sum(len(t.spans) for t in techniques)
    return (f"No technique is found, yet the article's {n_passages} technique passages together make its persuasive "
            f"language {against_ordinary_news(persuasion.percentile)}: what adds up is under Techniques.")


def genre_caveat(genre: Genre, persuasion: Persuasion | None) -> str | None:
    """What a persuasion percentile means for a page that declares itself opinion, an editorial, analysis or a review.

    The reference is ordinary news reports only (Wikinews): there is no open reference of
    opinion pieces, so such a page is compared with reports, which it is expected to
    out-persuade. None for reports, pages that declare no genre and engines without a reference.
    """
    if persuasion is None or persuasion.percentile is None or genre.kind not in ARGUING:
        return None
    piece = ARGUING[genre.kind]
    return (f"The page declares itself {piece} ({genre.declared_by}), and the persuasion percentile compares it with "
            f"ordinary news reports only: {piece} is expected to read as more persuasive than news reports. "
            "Crosscheck has no reference of opinion pieces to compare it with.")
