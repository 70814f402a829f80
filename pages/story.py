"""One story across outlets (issue 31): ``/story?id=N``.

The timeline of its articles, which outlets covered it and when, each shared claim once with each outlet's
wording and verdict (conflicts between outlets first, with both figures), which copies share one origin,
the techniques found per outlet, and "Find other coverage" to add other outlets' articles. Without an id, the
stories of the library to choose from.
"""
import pandas as pd
import streamlit as st

from components import data, render, routing, story_corrections, story_coverage
from core.errors import CrosscheckError
from core.figures import theme
from core.stories.pdf import story_pdf
from core.stories.view import StoryView, blindspots, day_text, story_csv, story_view

routing.require_router()
st.title("Story")
render.disclaimer()
storage = data.storage()


def story_list() -> None:
    found = storage.stories.list(limit=200)
    if not found:
        st.info("No stories yet. Each analysed article joins a story as it is stored; an existing library is "
                "grouped with `python -m core stories --recluster`.")
        st.stop()
    st.caption("Each story gathers the articles of several outlets on one event (docs/stories.md).")
    # The long title last: at 1024 px the columns after it ran off the right edge.
    rows = pd.DataFrame([{"Story": f"/story?id={s.id}", "From": day_text(s.first_day), "To": day_text(s.last_day),
                          "Articles": s.size, "Outlets": s.outlets, "Title": s.title} for s in found])
    st.dataframe(rows, hide_index=True, column_config={
        "Story": st.column_config.LinkColumn("Story", display_text=r"/story\?id=(\d+)")})


raw = st.query_params.get("id")
if not raw:
    story_list()
    st.stop()
try:
    story_id = int(raw)
except ValueError:
    st.error(f"“{raw}” is not a story id: open a story from the list.")
    st.stop()


@st.cache_data(show_spinner="Matching claims across the story's articles…", max_entries=16)
def cached_view(database: str, story_id: int, revision: int) -> StoryView:
    """A story changes when an article joins or moves: the library's revision names its state."""
    return story_view(storage, story_id)


try:
    view = cached_view(str(storage.database.url), story_id, storage.revision())
except CrosscheckError as error:
    render.show_error(error)
    st.stop()

st.subheader(render.md_escape(view.story.title) or f"Story {view.story.id}")
dates = day_text(view.story.first_day) + (f" to {day_text(view.story.last_day)}"
                                          if view.story.last_day != view.story.first_day else "")
st.caption(f"{view.story.size} articles · {view.origins.summary} · {dates or 'undated'}")
pdf_column, csv_column, _ = st.columns(3)
with pdf_column:
    # Drawn when the button is pressed (0.3-0.7 s): drawn with the page, it was most of a first visit (issue 31).
    st.download_button("PDF of the story", lambda: story_pdf(view), file_name=f"story-{view.story.id}.pdf",
                       mime="application/pdf", key="story_pdf", icon=":material/picture_as_pdf:", on_click="ignore")
with csv_column:
    st.download_button("CSV of the story", story_csv(view), file_name=f"story-{view.story.id}.csv", mime="text/csv",
                       key="story_csv", icon=":material/download:")

st.markdown("#### Timeline")
# The long title last (cut at its end at 1024 px, not the columns after it); who placed each article only
# once an analyst has placed one.
placed = any(m.placed_by for m in view.members)
st.dataframe(pd.DataFrame([{
    "Published": m.published[:10] or "undated", "Outlet": m.outlet or "unknown",
    "Analysis": f"/?analysis={m.analysis_id}" if m.analysis_id else None,
    **({"Placed by": m.placed_by or "machine"} if placed else {}), "Title": m.title,
} for m in view.members]), hide_index=True, column_config={
    "Analysis": st.column_config.LinkColumn("Analysis", display_text="open")})
story_corrections.panel(view.story, view.members)

st.markdown("#### Outlets")
st.markdown(" · ".join(f"**{render.md_escape(name)}** ({first or 'undated'})" for name, first in view.outlets()))

missing = blindspots(storage, view)
if missing:
    st.caption("Followed outlets (Settings, and your feeds) with no article in this story: " + ", ".join(
        render.md_escape(name) for name in missing))
story_coverage.panel(view.story.id)

st.markdown("#### Claims across outlets")
if view.comparison is None:
    st.info("Claims are compared once two of the story's articles are analysed.")
else:
    if view.compared_only < view.story.size:
        st.caption(f"Claims compared across the first {view.compared_only} of {view.story.size} articles.")
    if not view.claims:
        st.caption("No claim is made by two of these articles.")
    for shared in view.claims:
        with st.container(border=True):
            conflict = shared in view.conflicts
            st.markdown(("⚠️ **Conflict** · " if conflict else "") + render.md_escape(shared.text))
            if shared.figure_conflicts:
                st.markdown("Figures differ: " + "; ".join(render.md_escape(c) for c in shared.figure_conflicts))
            for mention in shared.mentions:
                st.caption(f"**{render.md_escape(view.source_of(mention))}** · {theme.verdict_text(mention.verdict)}: "
                           f"“{render.md_escape(mention.text)}”")

st.markdown("#### Shared origins")
copies = [o for o in view.origins.origins if len(o.keys) > 1]
if not copies:
    st.caption("Every article is an independent origin: none copies another or credits the same agency.")
names = {m.article_key: m.outlet or m.title for m in view.members}
for origin in copies:
    st.markdown(f"**{render.md_escape(origin.name)}**: " + "; ".join(
        render.md_escape(f"{names.get(r.key, r.key)}: {r.description}") for r in origin.merges))

st.markdown("#### Techniques per outlet")
# One line an outlet, wrapped, under a link to its profile: a table cell cut the lists off at 1024 px.
for name, counts in view.techniques_by_outlet().items():
    st.page_link("pages/outlet.py", label=render.md_escape(name), query_params={"name": name}, icon=":material/newspaper:")
    st.caption(" · ".join(render.md_escape(f"{t} ({n})") for t, n in counts.most_common()) or "none found")
