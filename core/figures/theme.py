"""One colour, label, icon and pattern scheme for verdicts and stances, used by every view.

Colours are from the Okabe-Ito palette, which stays distinguishable under the
common forms of colour-blindness; every colour also comes with a text icon and
a bar pattern, so colour is never the only signal (greyscale print included).
"""
from __future__ import annotations

from ..records import Stance, Verdict
from ..techniques_catalogue import TECHNIQUES

DISCLAIMER = "AI-generated analysis: verify before you rely on it."

VERDICT_ORDER: tuple[Verdict, ...] = (
    Verdict.CORROBORATED,
    Verdict.SINGLE_SOURCE,
    Verdict.DISPUTED,
    Verdict.CONTRADICTED,
    Verdict.UNVERIFIED,
)

VERDICT_LABELS: dict[Verdict, str] = {
    Verdict.CORROBORATED: "Corroborated",
    Verdict.SINGLE_SOURCE: "Single source",
    Verdict.CONTRADICTED: "Contradicted",
    Verdict.DISPUTED: "Disputed",
    Verdict.UNVERIFIED: "Unverified",
}

VERDICT_COLORS: dict[Verdict, str] = {
    Verdict.CORROBORATED: "#009E73",  # bluish green
    Verdict.SINGLE_SOURCE: "#56B4E9",  # sky blue
    Verdict.CONTRADICTED: "#D55E00",  # vermillion
    Verdict.DISPUTED: "#E69F00",  # orange
    Verdict.UNVERIFIED: "#999999",  # grey
}

VERDICT_ICONS: dict[Verdict, str] = {
    Verdict.CORROBORATED: "✔",
    Verdict.SINGLE_SOURCE: "✚",
    Verdict.CONTRADICTED: "✖",
    Verdict.DISPUTED: "⚠",
    Verdict.UNVERIFIED: "?",
}

# plotly ``marker.pattern.shape`` values.
VERDICT_PATTERNS: dict[Verdict, str] = {
    Verdict.CORROBORATED: "",
    Verdict.SINGLE_SOURCE: ".",
    Verdict.CONTRADICTED: "x",
    Verdict.DISPUTED: "/",
    Verdict.UNVERIFIED: "-",
}

STANCE_ORDER: tuple[Stance, ...] = (Stance.SUPPORTS, Stance.NEUTRAL, Stance.REFUTES)

STANCE_LABELS: dict[Stance, str] = {
    Stance.SUPPORTS: "Supports",
    Stance.REFUTES: "Refutes",
    Stance.NEUTRAL: "Neutral",
}

STANCE_COLORS: dict[Stance, str] = {
    Stance.SUPPORTS: "#009E73",
    Stance.REFUTES: "#D55E00",
    Stance.NEUTRAL: "#999999",
}

STANCE_ICONS: dict[Stance, str] = {
    Stance.SUPPORTS: "✔",
    Stance.REFUTES: "✖",
    Stance.NEUTRAL: "–",
}

STANCE_PATTERNS: dict[Stance, str] = {
    Stance.SUPPORTS: "",
    Stance.REFUTES: "x",
    Stance.NEUTRAL: "-",
}

# A stance shown but not counted toward the verdict (core.verdict.counts): a pale tint of its colour, dotted,
# and named "Leans supports", as the evidence cards name it, so it never reads as a counted "Supports".
LEANING_COLORS: dict[Stance, str] = {
    Stance.SUPPORTS: "#A6DCCB",
    Stance.REFUTES: "#F0BE9C",
}
LEANING_PATTERN = "."
LEANING_TEXT = "#1A1A1A"

# Series colours for articles in comparisons (Okabe-Ito, minus the verdict grey),
# paired with patterns so that articles stay apart without colour too.
SERIES_COLORS: tuple[str, ...] = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9")
SERIES_PATTERNS: tuple[str, ...] = ("", "/", ".", "x", "\\", "+")

# Highlight colours for technique passages in the article text, one per technique in corpus
# order: light enough for black text on top (ColorBrewer Set3 and Pastel1). Fourteen colours cannot
# all stay apart for every reader, so each highlight is also labelled with its technique's name.
TECHNIQUE_HIGHLIGHTS: dict[str, str] = dict(zip(TECHNIQUES, (
    "#8DD3C7", "#FFFFB3", "#BEBADA", "#FB8072", "#80B1D3", "#FDB462", "#B3DE69",
    "#FCCDE5", "#D9D9D9", "#BC80BD", "#CCEBC5", "#FFED6F", "#A6CEE3", "#E5D8BD",
), strict=True))

# Sequential, colour-blind-safe scale for confidences.
CONFIDENCE_SCALE = "Viridis"
ACCENT = "#0072B2"
MUTED = "#B8C4CE"
FONT_FAMILY = "DejaVu Sans, Noto Sans CJK SC, sans-serif"


def verdict_text(verdict: Verdict) -> str:
    """Icon and label, e.g. "✔ Corroborated"."""
    return f"{VERDICT_ICONS[verdict]} {VERDICT_LABELS[verdict]}"


def stance_text(stance: Stance) -> str:
    return f"{STANCE_ICONS[stance]} {STANCE_LABELS[stance]}"


def leaning_text(stance: Stance) -> str:
    """ "Leans supports": a side a passage takes that did not count toward its claim's verdict."""
    return f"Leans {STANCE_LABELS[stance].lower()}"


def weighed_stance_text(stance: Stance, confidence: float, *, counted: bool, facts: str | None = None) -> str:
    """A passage's stance as it weighs in the verdict, for reports: "✔ Supports (90%)" when it counted or takes no
    side, "Leans supports (40%)" when it is shown but not counted. A lean its figures gave goes without the model's
    probability, as on the dashboard's cards ("Leans supports (3%)" beside "agrees: 9.4 km" read as a contradiction)."""
    if counted or stance == Stance.NEUTRAL:
        return f"{stance_text(stance)} ({confidence:.0%})"
    return leaning_text(stance) + ("" if facts else f" ({confidence:.0%})")
