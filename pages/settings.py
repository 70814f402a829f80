"""Settings: what is set up (never the key values), storage and caches, cost of the claude engine."""
import pandas as pd
import streamlit as st

from components import data, render, review_panels, routing
import json

from core.caches import cache_stats, clear_caches
from core.errors import CrosscheckError
from core.identity import site
from core.review import COMPONENT_LABELS
from core.settings import redact_url
from core.source_lines import OFFLINE_HINT, last_outcomes
from core.storage import describe
from core.engines import ENGINES, cost_by_day, engine_status
from core.sources import SOURCES, all_source_status, default_sources
from core.text import count_noun

routing.require_router()
st.title("Settings")
render.disclaimer()
settings = data.settings()
storage = data.storage()

st.subheader("Engines", anchor=False)
# Lines, not a table: what to set is a long sentence, which a table cell cuts off at 1024 px.
for name in ENGINES.names():
    ready, reason = engine_status(name, settings)
    engine = ENGINES.get(name)
    state = "ready" if ready else f"not set up: {reason}"
    st.markdown(f"**{render.md_escape(name)}** — {render.md_escape(state)}  \n"
                + render.md_escape(f"{engine.description} Network: {'yes' if engine.needs.network else 'no'}."))
key_state = "set" if settings.anthropic_api_key else "not set"
st.markdown(
    f"Claude model: `{settings.claude_model}` (change with `CROSSCHECK_CLAUDE_MODEL`). "
    f"`ANTHROPIC_API_KEY` is **{key_state}**"
    + (f"; API base URL `{redact_url(settings.anthropic_base_url)}`." if settings.anthropic_base_url else ".")
)
st.caption("Keys are read from the environment or .streamlit/secrets.toml; their values are never shown, logged or stored.")

st.subheader("Evidence sources", anchor=False)
defaults = default_sources(settings)
# Whether a set-up source could be reached is what the newest analysis that chose it found: the page sends no request.
last = last_outcomes(storage)
for name, (ready, reason) in all_source_status(settings).items():
    source = SOURCES.get(name)
    outcome = last.get(name) if ready else None
    if outcome is not None and outcome.state == "unreachable":
        state = f"set up, but unreachable at the last analysis ({outcome.analysed_at[:16].replace('T', ' ')} UTC)"
    elif outcome is not None and outcome.state in ("failed", "partial"):
        state = f"set up, but it {'failed' if outcome.state == 'failed' else 'failed for some claims'} at the last analysis"
    else:
        state = "ready" if ready else f"not set up: {reason}"
    state += " · used by default" if name in defaults else ""
    reason_line = f" Last time: {outcome.detail}." if outcome is not None and outcome.state != "ok" else ""
    st.markdown(f"**{render.md_escape(name)}** — {render.md_escape(state)}  \n"
                + render.md_escape(f"{source.description} Network: {'yes' if source.needs.network else 'no'}.{reason_line}"))
if any(outcome.state == "unreachable" for outcome in last.values()) and not settings.offline:
    st.info(OFFLINE_HINT, icon=":material/wifi_off:")
elif settings.offline:
    st.caption(":material/wifi_off: Offline mode is on (CROSSCHECK_OFFLINE): the sources that need the network are not offered.")

st.subheader("Storage and caches", anchor=False)
stats = cache_stats(settings)
db_column, cache_column = st.columns(2)
db_column.metric("Database", f"{storage.size_bytes() / 1e6:.1f} MB")
db_column.caption(f"`{describe(storage.database.url)}` · {count_noun(storage.count(), 'article')} · "
                  f"queue: `{redact_url(settings.queue_url) if settings.queue_url else settings.queue_path}`")
cache_column.metric("Web cache", f"{stats.page_bytes / 1e6:.1f} MB")
cache_column.caption(
    f"`{settings.cache_path}` · {count_noun(stats.pages, 'cached page')} · {count_noun(stats.engine_answers, 'cached engine answer')}"
    f" · {count_noun(stats.claim_embeddings, 'claim embedding')} in memory"
)
if st.button("Clear caches", key="settings_clear_cache",
             help="Drops cached pages, engine answers and in-memory claim embeddings; stored analyses and the library index stay."):
    dropped = clear_caches(settings)
    st.success(
        f"Cleared {count_noun(dropped.pages, 'cached page')}, {count_noun(dropped.engine_answers, 'cached engine answer')} "
        f"and {count_noun(dropped.claim_embeddings, 'claim embedding')}. Stored analyses are untouched."
    )

st.subheader("Claude engine cost", anchor=False)
days = cost_by_day(settings)
if days:
    st.dataframe(pd.DataFrame(days, columns=["Day (UTC)", "Estimated cost (USD)", "API calls"]),
                 hide_index=True, width="stretch", key="settings_costs")
else:
    st.caption("No calls to the Anthropic API yet.")

st.subheader("Followed outlets", anchor=False)
st.caption("A story's blindspots are the outlets you follow, these and your feeds' sites, with no article in it. "
           "Name an outlet as its articles do (Metro Post) or by its site (metropost.example).")


def _follow() -> None:
    try:
        storage.followed.add(st.session_state.get("settings_follow_name") or "")
    except CrosscheckError as error:
        st.session_state["settings_follow_error"] = error.message
    st.session_state["settings_follow_name"] = ""


follow_column, add_column = st.columns([3, 1], vertical_alignment="bottom")
follow_column.text_input("Outlet to follow", key="settings_follow_name", max_chars=200,
                       placeholder="e.g. Metro Post or metropost.example")
add_column.button("Follow", key="settings_follow", on_click=_follow, icon=":material/add:")
if "settings_follow_error" in st.session_state:
    st.error(render.md_escape(st.session_state.pop("settings_follow_error")))
for number, followed in enumerate(storage.followed.list()):
    name_column, remove_column = st.columns([3, 1], vertical_alignment="center")
    name_column.markdown(render.md_escape(followed))
    remove_column.button("Unfollow", key=f"settings_unfollow_{number}", on_click=storage.followed.remove, args=(followed,),
                         icon=":material/remove:")
feed_sites = sorted({site(f.url) for f in storage.feeds.list()} - {""})
if feed_sites:
    st.caption("Followed through your feeds (Jobs page): " + render.md_escape(", ".join(feed_sites)))

st.subheader("Analyst review", anchor=False)
if review_panels.auth_configured():
    if st.user.is_logged_in:
        st.markdown(f"Signed in as **{render.md_escape(review_panels.reviewer() or 'an unnamed user')}**; reviews carry this name.")
        st.button("Log out", key="settings_logout", on_click=st.logout)
    else:
        st.button("Log in to review", key="settings_login", icon=":material/login:", on_click=st.login)
else:

    def _keep_name() -> None:
        # Widget state is dropped when another page is shown; the name is kept under its own key.
        review_panels.set_name(st.session_state["settings_analyst_name"])

    st.text_input("Your name, recorded with your reviews", key="settings_analyst_name", on_change=_keep_name,
                  value=review_panels.reviewer() or "", max_chars=200,
                  help="This browser remembers it (a cookie), for reloads and new tabs. Sign-in (st.login) replaces "
                       "it when [auth] is set in .streamlit/secrets.toml. CROSSCHECK_ANALYST_NAME sets a default.")
agreement = storage.reviews.agreement()
st.markdown(f"How often analysts agreed with the machine · {count_noun(storage.reviews.reviewed_count(), 'analysis', 'analyses')} "
            "marked reviewed")
st.dataframe(pd.DataFrame([
    {"Component": COMPONENT_LABELS[a.component], "Reviewed": a.reviewed, "Confirmed": a.confirmed,
     "Overridden": a.overridden, "Agreement": "–" if a.rate is None else f"{a.rate:.0%}"}
    for a in agreement
]), hide_index=True, width="stretch", key="settings_agreement")
if any(a.reviewed for a in agreement):
    st.download_button(
        "Reviewed items (JSON lines, for training)", icon=":material/download:", file_name="crosscheck-reviews.jsonl",
        mime="application/jsonl", key="settings_review_export", on_click="ignore",
        data=lambda: "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in storage.reviews.training_lines()),
    )
    st.caption("The same file as `python -m core review export`; `python -m core train stance --reviewed FILE` "
               "and `train techniques --reviewed FILE` add its labels to the training data (docs/reports.md).")
