"""What an analysis's evidence sources did, one line per source, for the dashboard and the Settings page.

An analyst reads once per source that it was skipped (not set up, offline mode), could not be
reached (no network) or failed; stored analyses carry the evidence step's own warnings about
the same sources, which these lines replace.
"""
from __future__ import annotations

from dataclasses import dataclass

from .records import Analysis, SourceRun

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
    return SourceLine(run.name, _state(run), _tidy(run.detail))


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
