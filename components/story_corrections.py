"""An analyst's corrections of a story on the Story page: move an article, merge a story in, split articles off.

Each needs the analyst's name (the review panels' name: signed in, set in Settings, or given here) and a
reason, and is written to the moved articles' review activity log by core.storage.stories, as
``python -m core story ID --move/--merge/--split`` writes it.
"""
from __future__ import annotations

import streamlit as st

from components import data, review_panels
from components.escape import md_escape
from core.errors import CrosscheckError, InputError, NotFoundError
from core.storage.stories import StoryMember, StorySummary
from core.stories.view import outlet_name
from core.text import count_noun

MOVE, MERGE, SPLIT = "Move an article to another story", "Merge another story into this one", "Split articles off"
NEW_STORY = -1  # the move target "a story of its own"
FEEDBACK = "story_fix_feedback"
OPENED = "story_fix_opened"  # the story a correction created or moved into: the page offers a link to it


def _member_label(member: StoryMember) -> str:
    return f"{outlet_name(member)}: {member.title or member.article_key} ({member.published[:10] or 'undated'})"


def _story_label(story: StorySummary) -> str:
    return f"#{story.id} {story.title or '(untitled)'} ({story.size} articles)"


def _apply(story_id: int, members: dict[str, StoryMember]) -> None:
    """The chosen correction, in a callback: its outcome is shown where the form is on the next run."""
    state = st.session_state
    who = review_panels.reviewer() or ""
    why = (state.get("story_fix_why") or "").strip()
    stories = data.storage().stories
    try:
        if not why:
            raise InputError("Say why: the reason is kept in the review log with the correction.")
        action = state.get("story_fix_action")
        if action == MOVE:
            key = state.get("story_fix_article")
            target = state.get("story_fix_target")
            if key is None or target is None:
                raise InputError("Choose the article and the story it goes to.")
            landed = stories.move(key, None if target == NEW_STORY else target, who=who, why=why)
            done = f"Moved “{members[key].title}” to story {landed}."
        elif action == MERGE:
            other = state.get("story_fix_other")
            if other is None:
                raise InputError("Choose the story to merge into this one.")
            landed = stories.merge(story_id, other, who=who, why=why)
            done = f"Merged story {other} into this one."
        else:
            keys = state.get("story_fix_split") or []
            if not keys:
                raise InputError("Choose the articles that go into the new story.")
            landed = stories.split(story_id, keys, who=who, why=why)
            done = f"Split {count_noun(len(keys), 'article')} off into story {landed}."
    except CrosscheckError as error:
        state[FEEDBACK] = ("error", error.message, error.hint)
        return
    state[FEEDBACK] = ("success", done, "")
    state[OPENED] = landed if landed != story_id else None
    try:
        stories.summary(story_id)
    except NotFoundError:  # its last article moved out: the story is gone, so the page shows where it went
        st.query_params["id"] = str(landed)
        state[OPENED] = None
    for key in ("story_fix_why", "story_fix_split", "story_fix_article"):
        state.pop(key, None)


def _feedback() -> None:
    outcome = st.session_state.get(FEEDBACK)
    review_panels.show_feedback(FEEDBACK)
    if outcome is None or outcome[0] == "error":
        return
    opened = st.session_state.pop(OPENED, None)
    if opened is not None:
        st.page_link("pages/story.py", label=f"Open story {opened}", query_params={"id": str(opened)},
                     icon=":material/arrow_forward:")


def panel(story: StorySummary, members: tuple[StoryMember, ...]) -> None:
    """The correction form of ``story``, in an expander (open while a correction's outcome is shown)."""
    with st.expander("Correct this story", icon=":material/edit:", expanded=FEEDBACK in st.session_state):
        _feedback()
        st.caption("Move an article, merge a story in or split articles off. Each correction is kept in the moved "
                   "articles' review log with your name and reason; re-clustering keeps what an analyst placed.")
        who = review_panels.reviewer()
        if who:
            st.caption(f"Correcting as **{md_escape(who)}**")
        else:
            st.info("Corrections are recorded with who made them: sign in, or give your name here.")
            # Its own key, copied into the analyst's name, as the Library's delete confirmation does.
            st.text_input("Your name", key="story_fix_name", placeholder="recorded with the correction",
                          on_change=lambda: review_panels.set_name(st.session_state["story_fix_name"]))
        action = st.radio("Correction", [MOVE, MERGE, SPLIT], key="story_fix_action", horizontal=True)
        by_key = {m.article_key: m for m in members}
        others = [s for s in data.storage().stories.list(limit=200) if s.id != story.id]
        if action == MOVE:
            st.selectbox("Article", list(by_key), format_func=lambda k: _member_label(by_key[k]), key="story_fix_article")
            labels = {NEW_STORY: "a story of its own", **{s.id: _story_label(s) for s in others}}
            st.selectbox("Goes to", list(labels), format_func=labels.__getitem__, key="story_fix_target")
        elif action == MERGE:
            if not others:
                st.caption("There is no other story to merge.")
            labels = {s.id: _story_label(s) for s in others}
            st.selectbox("Story to merge into this one", list(labels), format_func=labels.__getitem__,
                         key="story_fix_other", index=None, placeholder="choose a story")
        else:
            st.multiselect("Articles for the new story", list(by_key), format_func=lambda k: _member_label(by_key[k]),
                           key="story_fix_split")
        st.text_area("Reason (kept in the review log)", key="story_fix_why", max_chars=2_000, height=68)
        st.button("Apply correction", key="story_fix_apply", type="primary", disabled=who is None,
                  on_click=_apply, args=(story.id, by_key), icon=":material/check:")
