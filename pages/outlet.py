"""One outlet across the library (issue 31): ``/outlet?name=...``.

Its articles over time, the techniques found in them, and how its claims fared, each share with its
sample size and a 95 % interval; a profile drawn from a handful of articles says so.
"""
import pandas as pd
import streamlit as st

from components import data, render, routing
from core.presentation import percentile_text
from core.stories.outlets import OutletProfile, cross_outlet_tally, outlet_profile
from core.text import count_noun

routing.require_router()
st.title("Outlet")
render.disclaimer()
storage = data.storage()

name = (st.query_params.get("name") or "").strip()
if not name:
    st.info("Open an outlet from a story, or name one in the address: /outlet?name=Outlet.")
    st.stop()


@st.cache_data(show_spinner="Reading the outlet's articles…", max_entries=8)
def cached_profile(database: str, name: str, revision: int) -> OutletProfile:
    """An outlet's profile changes when an article is stored, re-run or deleted: the library's revision names its
    state (thousands of articles for a large outlet: read once, not at every rerun)."""
    return outlet_profile(storage, name)


profile = cached_profile(str(storage.database.url), name, storage.revision())
st.subheader(render.md_escape(name))
if profile.caveat:
    st.warning(render.md_escape(profile.caveat))
if not profile.articles:
    st.stop()
st.caption(f"{count_noun(len(profile.articles), 'article')} · {count_noun(profile.stories, 'story', 'stories')} · "
           f"{count_noun(profile.claims, 'claim')} checked")

st.markdown("#### Articles over time")
# The story link beside the date, before the long title: at 1024 px the last columns are off-screen.
st.dataframe(pd.DataFrame([{
    "Published": a.published[:10] or f"stored {a.created_at[:10]}",
    "Story": f"/story?id={a.story_id}" if a.story_id is not None else None,
    "Techniques": a.techniques_found,
    "Persuasion": percentile_text(a.persuasion_percentile),  # a fraction: 0.9 is "90 %", as the Library shows it
    "Title": a.title,
} for a in profile.articles]), hide_index=True, column_config={
    "Story": st.column_config.LinkColumn("Story", display_text=r"/story\?id=(\d+)", width="small"),
    "Techniques": st.column_config.NumberColumn("Techniques", help="techniques found in the article", width="small"),
    "Persuasion": st.column_config.TextColumn("Persuasion", help="percentile against ordinary news", width="small")})

st.markdown("#### Techniques found")
if profile.techniques:
    n = len(profile.articles)
    st.dataframe(pd.DataFrame([{"Technique": t, "Articles": f"{k} of {n}"} for t, k in profile.techniques]),
                 hide_index=True)
else:
    st.caption("No technique was found in its articles.")

st.markdown("#### How its claims fared")
if profile.claims:
    st.dataframe(pd.DataFrame([{
        "Verdict": s.name.replace("_", " "), "Claims": f"{s.count} of {s.total}",
        "Share": f"{s.count / s.total:.0%}", "95 % interval": f"{s.interval[0]:.0%}–{s.interval[1]:.0%}",
    } for s in profile.verdicts]), hide_index=True)
else:
    st.caption("None of its claims was checked.")

st.markdown("#### Against other outlets on the same stories")
if st.button("Compare its claims with other outlets", key="outlet_cross", icon=":material/compare_arrows:",
             help="Matches its claims with the other outlets' on its 10 most recent shared stories (a second or so each)."):
    with st.spinner("Matching claims across outlets…"):
        tally = cross_outlet_tally(storage, name)
    if not tally.shared:
        st.caption(f"No claim shared with another outlet on the {count_noun(tally.stories, 'story', 'stories')} compared.")
    else:
        low, high = tally.conflict_interval
        st.markdown(f"On {count_noun(tally.stories, 'story', 'stories')}: {count_noun(tally.shared, 'claim')} shared with "
                    "other outlets; "
                    f"{tally.agreeing} with agreeing verdicts, {tally.conflicting} in conflict "
                    f"({tally.conflicting / tally.shared:.0%}, 95 % interval {low:.0%}–{high:.0%}).")
