"""A PDF of one story across its outlets (issue 31): what the Story page shows, on paper.

Its articles in publication order, the outlets and when each first reported it, each shared claim once with
every outlet's wording and verdict (conflicts first, with the figures that differ), the copies that share
one origin, and the techniques found per outlet. Drawn with the analysis and comparison reports' layout
(core/reports/pdf_layout.py): article text is untrusted and only ever drawn as text; only http(s) addresses become links.
"""
from __future__ import annotations

from fpdf.fonts import FontFace as CellStyle

from ..figures import theme
from ..reports.pdf_layout import GREY, HEAD_FILL, SMALL_SIZE, Document, clean, closing_disclaimer, finish, hex_rgb, http_link, now_text
from .view import StoryView, day_text, outlet_name


def _texts(view: StoryView) -> list[str]:
    """Every string the report may print, to choose fonts and shaping."""
    texts = [view.story.title]
    texts += [f"{m.title} {m.outlet} {m.url or ''}" for m in view.members]
    texts += [f"{x.text} {view.source_of(x)}" for s in view.claims for x in s.mentions]
    texts += [c for s in view.claims for c in s.figure_conflicts]
    texts += [f"{o.name} {r.description}" for o in view.origins.origins for r in o.merges]
    texts += [t for counts in view.techniques_by_outlet().values() for t in counts]
    return texts


def story_pdf(view: StoryView, *, generated_at: str | None = None) -> bytes:
    """The story ``view`` (core.stories.view.story_view) as a PDF."""
    story = view.story
    title = story.title or f"Story {story.id}"
    languages = [a.article.language for a in view.analyses.values() if a.article.language]
    doc = Document(title=title, texts=_texts(view), language=languages[0] if languages else None)
    doc.add_page()
    doc.text_block(title, size=17, bold=True, line=8)
    dates = day_text(story.first_day) + (f" to {day_text(story.last_day)}" if story.last_day != story.first_day else "")
    doc.text_block(f"Crosscheck story report · story {story.id} · {story.size} articles · {view.origins.summary} · "
                   f"{dates or 'undated'} · generated {generated_at or now_text()}", size=SMALL_SIZE, color=GREY)
    doc.ln(2)
    doc.note(theme.DISCLAIMER, fill=HEAD_FILL)

    doc.heading("Timeline")
    with doc.table((22, 38, 100, 20), ("Published", "Outlet", "Title", "Placed by")) as table:
        for member in view.members:
            row = table.row()
            row.cell(member.published[:10] or "undated")
            row.cell(clean(member.outlet or "unknown"))
            row.cell(clean(member.title or member.article_key), link=http_link(member.url))
            row.cell(clean(member.placed_by or "machine"))
    doc.text_block("Outlets and their first report: " + "; ".join(
        f"{name} ({first or 'undated'})" for name, first in view.outlets()), size=SMALL_SIZE + 0.5)

    doc.heading(f"Claims across outlets ({len(view.claims)}, {len(view.conflicts)} in conflict)")
    if view.comparison is None:
        doc.text_block("Claims are compared once two of the story's articles are analysed.")
    elif not view.claims:
        doc.text_block("No claim is made by two of these articles.")
    if view.comparison is not None and view.compared_only < story.size:
        doc.text_block(f"Claims compared across the first {view.compared_only} of {story.size} articles.",
                       size=SMALL_SIZE, color=GREY)
    conflicts = view.conflicts
    for number, shared in enumerate(view.claims, start=1):
        doc.ensure_space(14 + 9 * len(shared.mentions))
        mark = "Conflict · " if shared in conflicts else ""
        doc.text_block(f"{number}. {mark}{shared.text}", bold=True)
        # How the outlets' verdicts relate, the differing figures first (both figures, with their outlets).
        doc.text_block(shared.agreement, size=SMALL_SIZE + 0.5, indent=4)
        with doc.table((40, 105, 35), ("Outlet", "How it states the claim", "Verdict")) as table:
            for mention in shared.mentions:
                row = table.row()
                row.cell(clean(view.source_of(mention)))
                row.cell(clean(mention.text))
                row.cell(theme.verdict_text(mention.verdict),
                         style=CellStyle(fill_color=hex_rgb(theme.VERDICT_COLORS[mention.verdict])))

    doc.heading("Shared origins")
    copies = [o for o in view.origins.origins if len(o.keys) > 1]
    if not copies:
        doc.text_block("Every article is an independent origin: none copies another or credits the same agency.")
    names = {m.article_key: outlet_name(m) for m in view.members}
    for origin in copies:
        doc.text_block(origin.name, bold=True)
        for reason in origin.merges:
            doc.text_block(f"{names.get(reason.key, reason.key)}: {reason.description}", size=SMALL_SIZE + 0.5, indent=4)

    doc.heading("Techniques per outlet")
    with doc.table((45, 135), ("Outlet", "Techniques found (articles)")) as table:
        for outlet, counts in view.techniques_by_outlet().items():
            row = table.row()
            row.cell(clean(outlet))
            row.cell(clean(", ".join(f"{t} ({n})" for t, n in counts.most_common()) or "none found"))
    closing_disclaimer(doc)
    return finish(doc)
