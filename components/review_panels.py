"""Analyst review on the Analyze page: confirm or override verdicts, stances and technique passages, notes, a reviewed mark.

The machine's output is shown as it was; every analyst decision is shown beside
it, marked "Analyst" in violet (a colour no verdict or stance uses). Writes run
in widget callbacks, before the page is drawn again, so everything on the page
reads the review as it is after the change.

Who reviews: the signed-in user when ``[auth]`` is configured in
``.streamlit/secrets.toml`` (``st.login``, OIDC), otherwise the name set on the
Settings page, otherwise ``CROSSCHECK_ANALYST_NAME``. Without a name nothing is
recorded and the analyst is told where to set one.

Notes, reasons and names are untrusted text: shown Markdown-escaped, never as HTML.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from urllib.parse import unquote

import pandas as pd
import streamlit as st

from components import data
from components.escape import md_escape
from core.errors import CrosscheckError
from core.figures import theme
from core.records import Analysis, Claim, Verdict
from core.text import count_noun
from core.review import (
    MAX_NAME_CHARS,
    Review,
    Target,
    choices,
    decision_text,
    note_text,
    passage_target,
    stance_target,
    status_text,
    value_label,
    verdict_target,
    visible,
)

# Session state: the analyst's name set on the Settings page (a plain key, so it outlives that page's widgets).
NAME_KEY = "analyst_name"
# The name as this browser remembers it, in a cookie: a reload or a permalink opened in a new tab knows who
# reviews. A cookie, not a file in the Crosscheck home or a row in the database: on a dashboard a team shares,
# those would name every analyst after whoever typed a name last; each analyst's own browser keeps their own.
NAME_COOKIE = "crosscheck_analyst"
NAME_COOKIE_DAYS = 365
# Session state: a name to write into the browser's cookie when the page is next drawn (callbacks cannot draw).
_COOKIE_PENDING = "analyst_name_to_remember"
ANALYST_COLOR = "violet"


def auth_configured() -> bool:
    """Whether sign-in (``st.login``) is set up: an ``[auth]`` section in .streamlit/secrets.toml."""
    try:
        return "auth" in st.secrets
    except FileNotFoundError:  # no secrets file at all
        return False


def reviewer() -> str | None:
    """Who is reviewing: the signed-in user with sign-in configured, else the name set in settings."""
    if auth_configured():
        if not st.user.is_logged_in:
            return None
        return signed_in_reviewer(st.user)
    name = st.session_state.get(NAME_KEY)
    if name is None:
        name = remembered_name()
    return visible(name or data.settings().analyst_name) or None


def remembered_name() -> str:
    """The name this browser's cookie remembers ("" when none)."""
    raw = st.context.cookies.get(NAME_COOKIE)
    # Anything but text (AppTest's stand-in client has no cookies) is no name.
    return unquote(raw)[:MAX_NAME_CHARS] if isinstance(raw, str) else ""


def set_name(name: str) -> None:
    """The analyst's name for this session and, from the next page drawn on, for this browser (cleared when empty)."""
    name = visible(name)
    st.session_state[NAME_KEY] = name
    st.session_state[_COOKIE_PENDING] = name


def remember_name_in_browser() -> None:
    """Write a name set by :func:`set_name` into the browser's cookie; nothing to draw otherwise."""
    if _COOKIE_PENDING not in st.session_state:
        return
    st.html(name_cookie_script(st.session_state.pop(_COOKIE_PENDING)), unsafe_allow_javascript=True, width="content")


def name_cookie_script(name: str) -> str:
    """A script setting (or, for an empty name, deleting) the name cookie; the name is a JSON string with ``<``,
    ``>`` and ``&`` escaped, so no text the analyst types can end the script or add markup."""
    value = json.dumps(name).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    age = NAME_COOKIE_DAYS * 86400 if name else 0
    return (f"<script>document.cookie = '{NAME_COOKIE}=' + encodeURIComponent({value}) + "
            f"'; path=/; max-age={age}; SameSite=Strict';</script>")


def signed_in_reviewer(user: Mapping[str, object]) -> str | None:
    """How a signed-in reviewer is recorded: the display name people read, with the provider's subject id (the OIDC
    ``sub`` claim) in brackets, since the name and e-mail can be edited at the provider and the subject cannot."""
    shown = visible(str(user.get("name") or user.get("email") or ""))
    subject = visible(str(user.get("sub") or ""))[:120]  # OIDC allows 255 characters; providers use far fewer
    if not subject:
        return shown or None
    return f"{(shown or 'signed-in user')[:MAX_NAME_CHARS - len(subject) - 3]} [{subject}]"


def load(analysis_id: str) -> Review:
    """The analysis's review as stored now (not cached: analysts change it)."""
    return data.storage().reviews.get(analysis_id)


def marked(text: str) -> str:
    """An analyst line in Markdown: violet, with a person icon; ``text`` is escaped."""
    return f":{ANALYST_COLOR}[:material/person: **{md_escape(text)}**]"


def _run(feedback_key: str, done: str, action: Callable[[], object]) -> None:
    """Run a review change in a callback; its outcome is shown by show_feedback where the form is."""
    try:
        action()
    except CrosscheckError as error:
        st.session_state[feedback_key] = ("error", error.message, error.hint)
    else:
        st.session_state[feedback_key] = ("success", done, "")


def show_feedback(feedback_key: str) -> None:
    """The outcome a callback left under ``feedback_key`` ((kind, message, hint)), drawn once where its form is."""
    outcome = st.session_state.pop(feedback_key, None)
    if outcome is None:
        return
    kind, message, hint = outcome
    if kind == "error":
        st.error(f"**{md_escape(message)}**" + (f"  \n{md_escape(hint)}" if hint else ""))
    else:
        st.success(md_escape(message), icon=":material/check:")


def _who(key: str) -> None:
    name = reviewer()
    if name:
        st.caption(f"Reviewing as **{md_escape(name)}**")
    elif auth_configured():
        st.button("Log in to review", key=f"{key}-login", icon=":material/login:", on_click=st.login)
    else:
        st.caption(":material/badge: Set your name on the Settings page (or `CROSSCHECK_ANALYST_NAME`) to review.")


# ---------------------------------------------------------------- writes (callbacks)

def _decide(analysis_id: str, target: Target, value_key: str, reason_key: str, feedback_key: str) -> None:
    def action() -> None:
        analysis = data.analysis(analysis_id)
        data.storage().reviews.decide(analysis, target, st.session_state[value_key], reviewer=reviewer() or "",
                                      reason=st.session_state.get(reason_key, ""))
        st.session_state[reason_key] = ""

    _run(feedback_key, "Review saved.", action)


def _decide_chosen(analysis_id: str, targets: dict[str, Target], chosen_key: str, value_key: str, reason_key: str,
                   feedback_key: str) -> None:
    _decide(analysis_id, targets[st.session_state[chosen_key]], value_key, reason_key, feedback_key)


def _add_note(analysis_id: str, claim_id: str, text_key: str, feedback_key: str) -> None:
    def action() -> None:
        data.storage().reviews.add_note(analysis_id, st.session_state.get(text_key, ""), author=reviewer() or "",
                                        claim_id=claim_id)
        st.session_state[text_key] = ""

    _run(feedback_key, "Note added.", action)


def _mark(analysis_id: str, reviewed: bool, feedback_key: str) -> None:
    _run(feedback_key, "Marked reviewed." if reviewed else "Reviewed mark taken back.",
         lambda: data.storage().reviews.mark_reviewed(analysis_id, reviewer=reviewer() or "", reviewed=reviewed))


# ---------------------------------------------------------------- the whole analysis

def status_line(review: Review) -> None:
    """Where the analyst review stands, in one line above the result; the panel itself follows the result."""
    icon = ":material/verified:" if review.reviewed_by else ":material/rate_review:"
    overrides = len(review.overrides())
    st.caption(f"{icon} Analyst review: {md_escape(status_text(review))}"
               + (f" · {count_noun(overrides, 'override')} of the machine" if overrides else "")
               + " · the review panel is below the claims")


def analysis_panel(analysis: Analysis, review: Review, *, key: str) -> None:
    """Review status, the reviewed mark, notes on the analysis and the activity log."""
    feedback = f"{key}-review-feedback"
    with st.container(border=True, key=f"{key}-review-panel"):
        overrides = len(review.overrides())
        icon = ":material/verified:" if review.reviewed_by else ":material/rate_review:"
        st.markdown(f"{icon} **Analyst review** · {md_escape(status_text(review))} · "
                    f"{count_noun(len(review.decisions), 'decision')}, {overrides} overriding the machine")
        _who(key)
        for note in review.notes_on():
            st.markdown(marked(note_text(note)))
        # Wide enough for "Take back reviewed mark" at 1024 px, where a quarter of the panel cut the label.
        mark_column, note_column = st.columns([2, 3])
        if review.reviewed_by:
            mark_column.button("Take back reviewed mark", key=f"{key}-unmark", on_click=_mark,
                               args=(analysis.id, False, feedback), width="stretch")
        else:
            mark_column.button("Mark reviewed", key=f"{key}-mark", icon=":material/verified:", type="primary",
                               on_click=_mark, args=(analysis.id, True, feedback), width="stretch")
        with note_column.form(f"{key}-analysis-note", border=False):
            st.text_area("Note on this analysis", key=f"{key}-analysis-note-text", height=68)
            st.form_submit_button("Add note", on_click=_add_note,
                                  args=(analysis.id, "", f"{key}-analysis-note-text", feedback))
        show_feedback(feedback)
        if review.activity:
            with st.expander(f"Activity log ({len(review.activity)})"):
                st.dataframe(pd.DataFrame([{"When (UTC)": a.at.replace("T", " ")[:19], "Who": a.who, "Action": a.action,
                                            "What": a.what, "Why": a.why} for a in reversed(review.activity)]),
                             hide_index=True, width="stretch", key=f"{key}-activity")


# ---------------------------------------------------------------- technique passages

def passage_panel(analysis: Analysis, review: Review, *, key: str) -> None:
    """The analysts' decisions on technique passages, and a form to confirm or override one."""
    targets = {passage_target(t.name, i).key: passage_target(t.name, i)
               for t in sorted(analysis.techniques, key=lambda t: -t.confidence) for i in range(len(t.spans))}
    if not targets:
        return
    spans = {t.name: t.spans for t in analysis.techniques}
    for target in targets.values():
        decision = review.decision(target)
        if decision is not None:
            quoted = spans[target.technique][target.index].text
            st.markdown(f"“{md_escape(quoted[:160])}” " + marked(decision_text(decision)))
    if not st.toggle("Review technique passages", key=f"{key}-review-passages"):
        return
    feedback = f"{key}-passage-feedback"
    with st.form(f"{key}-passage-form"):
        st.selectbox("Passage", list(targets), key=f"{key}-passage-choice",
                     format_func=lambda k: f"{value_label('technique', targets[k].technique)}: "
                                           f"“{spans[targets[k].technique][targets[k].index].text[:90]}”")
        options = choices("technique")
        st.selectbox("The passage shows", options, key=f"{key}-passage-value",
                     format_func=lambda v: value_label("technique", v).capitalize() if v == "none" else value_label("technique", v))
        st.text_input("Reason (needed to override)", key=f"{key}-passage-reason")
        st.form_submit_button("Save passage review", on_click=_decide_chosen,
                              args=(analysis.id, targets, f"{key}-passage-choice", f"{key}-passage-value",
                                    f"{key}-passage-reason", feedback))
    st.caption("Choosing the technique the machine gave confirms it; another technique, or no technique, overrides it.")
    show_feedback(feedback)


# ---------------------------------------------------------------- claims

def marked_label(label: str, claim: Claim, review: Review | None) -> str:
    """A claim card's label with the analyst's verdict where it differs from the machine's."""
    decision = review.decision(verdict_target(claim.id)) if review is not None else None
    if decision is None or decision.confirmed:
        return label
    analyst = Verdict(decision.analyst_value)
    return f"{label} · :{ANALYST_COLOR}[Analyst: {theme.VERDICT_LABELS[analyst]}]"


def claim_panel(analysis: Analysis, claim: Claim, review: Review, *, key: str) -> None:
    """The analyst's verdict, stances and notes on one claim, and the forms to change them."""
    prefix = f"{key}-{claim.id}"
    verdict_decision = review.decision(verdict_target(claim.id))
    if verdict_decision is not None:
        st.markdown(marked(decision_text(verdict_decision)))
    for index, item in enumerate(claim.evidence):
        decision = review.decision(stance_target(claim.id, index))
        if decision is not None:
            st.markdown(f"Evidence {index + 1} ({md_escape((item.title or 'untitled source')[:80])}): "
                        + marked(decision_text(decision)))
    for note in review.notes_on(claim.id):
        st.markdown(marked(note_text(note)))
    if not st.toggle("Review this claim", key=f"{prefix}-review"):
        return
    feedback = f"{prefix}-feedback"
    verdicts = choices("verdict")
    current = verdict_decision.analyst_value if verdict_decision is not None else claim.verdict.value
    with st.form(f"{prefix}-verdict-form"):
        st.selectbox("Analyst verdict", verdicts, index=verdicts.index(current), key=f"{prefix}-verdict",
                     format_func=lambda v: theme.verdict_text(Verdict(v))
                     + (" (machine)" if v == claim.verdict.value else ""))
        st.text_input("Reason (needed to override)", key=f"{prefix}-verdict-reason")
        st.form_submit_button("Save verdict review", on_click=_decide,
                              args=(analysis.id, verdict_target(claim.id), f"{prefix}-verdict", f"{prefix}-verdict-reason",
                                    feedback))
    if claim.evidence:
        # The piece of evidence is chosen outside the form, so that the stance offered first is the one the machine
        # (or an earlier review) gave that piece: a default of "Supports" for evidence the machine called Refutes
        # invited an override nobody meant.
        index = int(st.selectbox(
            "Evidence to review", [str(i) for i in range(len(claim.evidence))], key=f"{prefix}-stance-item",
            format_func=lambda i: f"{int(i) + 1}. {theme.stance_text(claim.evidence[int(i)].stance)} · "
                                  f"{(claim.evidence[int(i)].title or 'untitled source')[:70]}"))
        target = stance_target(claim.id, index)
        machine = claim.evidence[index].stance.value
        earlier = review.decision(target)
        stances = choices("stance")
        with st.form(f"{prefix}-stance-form"):
            # Keyed by the piece, so that choosing another piece offers that piece's stance afresh.
            value_key = f"{prefix}-stance-{index}"
            st.selectbox("Analyst stance", stances, key=value_key,
                         index=stances.index(earlier.analyst_value if earlier is not None else machine),
                         format_func=lambda v: v.capitalize() + (" (machine)" if v == machine else ""))
            st.text_input("Reason (needed to override)", key=f"{prefix}-stance-reason")
            st.form_submit_button("Save stance review", on_click=_decide,
                                  args=(analysis.id, target, value_key, f"{prefix}-stance-reason", feedback))
    with st.form(f"{prefix}-note-form"):
        st.text_area("Note on this claim", key=f"{prefix}-note", height=68)
        st.form_submit_button("Add note", on_click=_add_note, args=(analysis.id, claim.id, f"{prefix}-note", feedback))
    show_feedback(feedback)
