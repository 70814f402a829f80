"""Analysis engines, found by name."""
from __future__ import annotations

from ..errors import EngineUnavailableError
from ..settings import Settings
from .base import ENGINES, ClaimCandidate, Engine, Reading, StanceJudgement
from .claude_store import cost_by_day

# Imported when first used: the claude engine's SDK alone takes over a second to import.
ENGINES.declare("local", "core.engines.local")
ENGINES.declare("claude", "core.engines.claude")

__all__ = ["ENGINES", "ClaimCandidate", "Engine", "Reading", "StanceJudgement", "cost_by_day", "engine_status", "get_engine"]


def engine_status(name: str, settings: Settings) -> tuple[bool, str]:
    """Whether an engine can run here, and if not, what to set."""
    return ENGINES.get(name).needs.status(settings)


def get_engine(name: str, settings: Settings) -> Engine:
    try:
        cls = ENGINES.get(name)
    except KeyError as exc:
        raise EngineUnavailableError(str(exc.args[0])) from None
    ready, reason = engine_status(name, settings)
    if not ready:
        raise EngineUnavailableError(f"The {name} engine is not available: {reason}.")
    return cls(settings)
