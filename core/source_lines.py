"""What an analysis's evidence sources did, one line per source, for the dashboard and the Settings page.

An analyst reads once per source that it was skipped (not set up, offline mode), could not be
reached (no network) or failed; stored analyses carry the evidence step's own warnings about
the same sources, which these lines replace.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select

from .records import Analysis, SourceRun
from .storage import Storage
from .storage.tables import analyses

# The host a "could not be found" message names (core.address_policy words it so).
_HOST = re.compile(r"[Tt]he host '([^']+)'")
# Analyses the Settings page reads back for each source's last outcome: enough to meet every source in use.
LOOK_BACK = 20

OFFLINE_HINT = ("No network here? Set CROSSCHECK_OFFLINE=1: URLs are then refused and the sources that need "
                "the network are not tried.")


@dataclass(frozen=True)
class SourceLine:
    """One evidence source that did not simply answer, as an analyst reads it: one line per source."""

    name: str
    state: str  # "skipped" (not set up, offline mode), "unreachable" (no network), "failed" or "partial"
    detail: str


def source_lines(analysis: Analysis) -> tuple[SourceLine, ...]:
    """Every source of ``analysis`` that was skipped, could not be reached or failed, in the order it was chosen."""
    return tuple(line(run) for run in analysis.source_runs if run.status != "ok")


def line(run: SourceRun) -> SourceLine:
    """How one source run reads: its state, unreachable where it found no network, and its reason."""
    state = _state(run)
    hosts = list(dict.fromkeys(_HOST.findall(run.detail)))
    if state == "unreachable" and hosts:
        # "no network: The host 'html.duckduckgo.com' could not be found (…); mojeek: no network: …" said shortly.
        return SourceLine(run.name, state, f"no network ({', '.join(hosts)} could not be reached)")
    return SourceLine(run.name, state, _tidy(run.detail))


@dataclass(frozen=True)
class LastOutcome:
    """How a source fared in the newest analysis that chose it: "ok" or a :class:`SourceLine` state."""

    state: str
    detail: str
    analysed_at: str  # ISO-8601, UTC


def last_outcomes(storage: Storage, *, look_back: int = LOOK_BACK) -> dict[str, LastOutcome]:
    """Each source's outcome in the newest of the last ``look_back`` analyses that chose it: whether it could be
    reached is known from there, without sending a request when the Settings page is opened."""
    with storage.database.read() as db:
        ids = db.execute(select(analyses.c.id).order_by(analyses.c.created_at.desc()).limit(look_back)).scalars().all()
    outcomes: dict[str, LastOutcome] = {}
    for analysis in storage.get_many(list(ids)):
        for run in analysis.source_runs:
            if run.name not in outcomes:
                shown = line(run)
                outcomes[run.name] = LastOutcome("ok" if run.status == "ok" else shown.state, shown.detail,
                                                 analysis.created_at)
    return outcomes


def unreachable(lines: tuple[SourceLine, ...]) -> bool:
    """Whether any source found no network: the offline setting then saves every analysis the attempt."""
    return any(entry.state == "unreachable" for entry in lines)


def other_warnings(analysis: Analysis) -> tuple[str, ...]:
    """The analysis's warnings less those about its sources, which :func:`source_lines` says once per source.

    Stored analyses carry the evidence step's own lines for them ("Skipped wikipedia (…).", "The web
    source failed for every claim: …"); shown as well, each source would be told of two or three times.
    """
    names = [run.name for run in analysis.source_runs if run.status != "ok"]

    def about_a_source(warning: str) -> bool:
        return ((warning.startswith("Skipped ") and any(f"{name} (" in warning for name in names))
                or any(warning.startswith(f"The {name} source failed") for name in names))

    return tuple(w for w in analysis.warnings if not about_a_source(w))


def _state(run: SourceRun) -> str:
    if run.status in ("skipped", "failed") and _no_network(run.detail):
        return "unreachable"
    return run.status


def _no_network(detail: str) -> bool:
    # A source that found no network says "no network: …"; a web search asks several engines
    # ("duckduckgo: no network: …; mojeek: no network: …"), unreachable only when none answered.
    parts = [part for part in detail.split("; ") if part.strip()]
    return bool(parts) and all("no network" in part for part in parts)


def _tidy(detail: str) -> str:
    """A stored detail as one sentence: no doubled full stops from messages joined end to end."""
    while ".." in detail:
        detail = detail.replace("..", ".")
    return detail.strip().rstrip(".")
