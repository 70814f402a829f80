"""Evidence cards as analysts read them: per claim the three strongest pieces first, the rest behind "+ N more".

Each card says where the evidence comes from (source type, outlet, date), what
it says about the claim (stance and confidence; for a fact-check the
publisher's rating), whether it counts toward the verdict and, if not, why
(core.verdict.counting_notes), and links to the source: web
pages, Wikipedia and fact-checks open at their address, library evidence opens
the stored article at the passage (``/?analysis=ID&passage=…``).

Evidence text is untrusted: everything is HTML-escaped, and only http(s)
addresses become links.
"""
from __future__ import annotations

import bisect
import html
import itertools
import re
from collections.abc import Sequence
from urllib.parse import urlencode

import streamlit as st

from core.figures import theme
from core.figures.charts import SOURCE_TYPE_LABELS
from core.records import Analysis, Article, Claim, Evidence, SourceType, Stance
from core.ratings import RatingClass, rating_class
from core.verdict import COUNTED, counting_notes

SHOWN_FIRST = 3
# Characters of a library passage carried in its link, enough to find it in the stored article.
PASSAGE_KEY_CHARS = 120


def strength(item: Evidence) -> tuple[float, ...]:
    """Sort key, strongest first: decisive, then taking a side, then a rated fact-check, then by confidence and relevance."""
    takes_side = item.stance != Stance.NEUTRAL
    rated = item.rating is not None and rating_class(item.rating) in (RatingClass.FALSE, RatingClass.TRUE)
    return (-float(item.decisive), -float(takes_side), -float(rated),
            -item.stance_confidence * (item.relevance if item.relevance is not None else 1.0))


def ordered(evidence: Sequence[Evidence]) -> list[Evidence]:
    return sorted(evidence, key=strength)


def passage_link(item: Evidence) -> str | None:
    """Where a library passage can be read in context: its stored analysis, with the passage to find."""
    if item.source_type != SourceType.LIBRARY or not item.analysis_id:
        return None
    key = item.snippet.rstrip("…").strip()[:PASSAGE_KEY_CHARS]
    return "/?" + urlencode({"analysis": item.analysis_id, "passage": key})


def _note_html(note: str) -> str:
    """Counted toward the verdict, or not and why: the analyst sees which evidence decided it."""
    if not note:
        return ""
    if note == COUNTED:
        return (' <span class="evidence-note" style="background:#333;color:#fff;border-radius:0.6rem;padding:0 0.4rem;'
                f'font-size:0.75rem">{html.escape(note)}</span>')
    return f' <span class="evidence-note" style="color:#666;font-style:italic;font-size:0.8rem">{html.escape(note)}</span>'


def _stance_html(item: Evidence, note: str) -> str:
    if item.rating is not None:
        how = (f"as {theme.STANCE_LABELS[item.stance].lower()} ({item.stance_confidence:.0%} that the reviewed claim "
               f"restates this one)" if item.stance != Stance.NEUTRAL else "shown, not counted in the verdict")
        return (f'<b>{html.escape(item.outlet or "The fact-checker")} rates it '
                f'“{html.escape(item.rating)}”</b> <span style="color:#555">· {html.escape(how)}</span>{_note_html(note)}')
    label = theme.STANCE_LABELS[item.stance]
    colour = theme.STANCE_COLORS[item.stance]
    if note and note != COUNTED:
        # Shown, not counted: it must not read like a stance that decided, so only its icon takes the stance's
        # colour and the words stay grey and plain (a counted stance is bold and coloured, with a dark badge).
        # A lean the figures give (Figures: agrees …; not stated …) has no model probability worth showing:
        # "Leans supports (3 %)" beside "agrees: 9.4 km" read as a contradiction.
        how_sure = "" if item.facts else f" ({item.stance_confidence:.0%})"
        badge = (f'<span class="evidence-leaning" style="color:#555"><span style="color:{colour}">'
                 f'{theme.STANCE_ICONS[item.stance]}</span> Leans {label.lower()}</span>{how_sure}')
    else:
        badge = (f'<b style="color:{colour}">{theme.STANCE_ICONS[item.stance]} '
                 f"{label}</b> ({item.stance_confidence:.0%})")
    return badge + _note_html(note)


def _facts_html(item: Evidence) -> str:
    """What the passage's figures say of the claim's: both figures of a conflict, or the ones it restates."""
    if not item.facts:
        return ""
    colour = theme.STANCE_COLORS[Stance.REFUTES if item.facts.startswith("differs") else Stance.SUPPORTS]
    return (f'<div class="evidence-facts" style="font-size:0.85rem;margin-top:0.15rem;color:{colour}">'
            f'<b>Figures:</b> {html.escape(item.facts)}</div>')


def card_html(item: Evidence, note: str = "", *, dated: bool = True) -> str:
    """One card, escaped: where from, what it says about the claim and whether it counts, the passage, a link to the source.

    ``dated=False``: where the date was not kept (the Evidence page's rows), the card does not say "date unknown".
    """
    kind = SOURCE_TYPE_LABELS[item.source_type]
    where = [kind, item.outlet if item.outlet != kind else "", item.published or ("date unknown" if dated else "")]
    links = []
    inside = passage_link(item)
    if inside:
        links.append(f'<a href="{html.escape(inside, quote=True)}" target="_self">open in the library at this passage</a>')
    if item.url and item.url.startswith(("http://", "https://")):
        links.append(f'<a href="{html.escape(item.url, quote=True)}" target="_blank" rel="noopener noreferrer">open source ↗</a>')
    title = f'<i>{html.escape(item.title)}</i>' if item.title else ""
    quoted = "Claim reviewed: " if item.rating is not None else ""
    counted = note == COUNTED or not note
    frame = "" if counted else "opacity:0.8;border-style:dashed;"
    return (
        f'<div class="evidence {"counted" if note == COUNTED else "not-counted"}" style="margin:0.35rem 0;padding:0.45rem 0.6rem;'
        f'background:#F7F7F7;border-radius:0.4rem;{frame}border-left:4px solid {theme.STANCE_COLORS[item.stance]}">'
        f'<div style="font-size:0.82rem;color:#444"><b>{html.escape(where[0])}</b> · '
        f'{" · ".join(html.escape(part) for part in where[1:] if part)}</div>'
        f'<div style="margin-top:0.15rem">{_stance_html(item, note)}</div>{_facts_html(item)}'
        f'<div style="font-size:0.9rem;margin-top:0.2rem">{quoted}“{html.escape(item.snippet)}”</div>'
        f'<div style="font-size:0.82rem;margin-top:0.2rem">{" · ".join(filter(None, [title, *links]))}</div></div>'
    )


def show(claim: Claim, article: Article | None = None) -> None:
    """The claim's evidence: the strongest three cards, then the others folded under "+ N more"."""
    if not claim.evidence:
        st.caption("No evidence found for this claim.")
        return
    st.html(claim_cards_html(claim, article))


def claim_cards_html(claim: Claim, article: Article | None = None) -> str:
    """The cards of a claim with evidence, escaped: the strongest three, then the others under "+ N more"."""
    items = ordered(claim.evidence)
    first, rest = items[:SHOWN_FIRST], items[SHOWN_FIRST:]
    # Each note from the claim's whole evidence: a passage the verdict weighed on a point says so.
    notes = dict(zip(map(id, claim.evidence), counting_notes(claim.evidence, article)))

    def card(item: Evidence) -> str:
        return card_html(item, notes[id(item)])

    cards = "".join(card(item) for item in first)
    if rest:
        # <details>, not st.expander: the claim already sits in an expander, and Streamlit does not nest them.
        cards += (f'<details><summary style="cursor:pointer;color:#444">+ {len(rest)} more</summary>'
                  + "".join(card(item) for item in rest) + "</details>")
    return f'<div class="evidence-cards" data-claim="{html.escape(claim.id, quote=True)}">{cards}</div>'


def find_passage(text: str, passage: str) -> tuple[int, int] | None:
    """Where ``passage`` stands in ``text`` (start, end), white space of any kind and length matching any other.

    The passage was cited with its white space collapsed, the article keeps its own. Both are compared with
    their white space collapsed, by ``str.find``: a pattern of the passage's words joined by ``\\s+`` took a
    regular expression 33-49 s on a crafted ``?passage=`` of 8,000 repeated words.
    """
    key = " ".join(passage.split())
    if not key:
        return None
    words = list(re.finditer(r"\S+", text))
    collapsed = " ".join(word.group() for word in words)
    at = collapsed.find(key)
    if at < 0:
        return None
    # Where each word starts in the collapsed text: a position there maps back through its word.
    starts = list(itertools.accumulate((len(word.group()) + 1 for word in words[:-1]), initial=0))

    def in_text(position: int) -> int:  # a position on a word (never on the space between two)
        index = bisect.bisect_right(starts, position) - 1
        return words[index].start() + position - starts[index]

    return in_text(at), in_text(at + len(key) - 1) + 1


def passage_focus(analysis: Analysis, passage: str) -> None:
    """The passage another analysis cited from this article, found in its text and shown in context."""
    text = analysis.article.text
    found = find_passage(text, passage)
    if found is None:
        st.info("The cited passage is not in this version of the article (it may have been re-analysed since).")
        return
    start, end = found
    sentence_end = text.find(". ", end)
    end = sentence_end + 1 if 0 <= sentence_end < end + 400 else end
    left, right = max(0, start - 300), min(len(text), end + 300)
    st.markdown("#### Passage cited as evidence")
    st.html(
        '<div style="line-height:1.5;padding:0.5rem 0.7rem;border:1px solid #ddd;border-radius:0.4rem">'
        f'{"…" if left else ""}{html.escape(text[left:start])}<mark style="background:#FFE08A">'
        f'{html.escape(text[start:end])}</mark>{html.escape(text[end:right])}{"…" if right < len(text) else ""}</div>'
    )
