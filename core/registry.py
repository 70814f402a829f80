"""Name registries for engines and evidence sources, with their needs as data."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from .settings import Settings, env_name

T = TypeVar("T")

READY = "ready"


@dataclass(frozen=True)
class Needs:
    """What a plug-in needs before it can run.

    ``settings`` names :class:`~core.settings.Settings` fields that must all be
    set (API keys, service URLs); ``network`` says it talks to the internet, so
    it cannot run while ``CROSSCHECK_OFFLINE`` is set.
    """

    settings: tuple[str, ...] = ()
    network: bool = False

    def missing(self, settings: Settings) -> list[str]:
        """Environment variable names of the needed settings that are unset."""
        return [env_name(name) for name in self.settings if not getattr(settings, name)]

    def status(self, settings: Settings) -> tuple[bool, str]:
        """Whether a plug-in with these needs can run, and if not, what to do: the one readiness rule."""
        return readiness([self], settings)


def readiness(options: Sequence[Needs], settings: Settings) -> tuple[bool, str]:
    """Ready when any one of ``options`` is fully met (e.g. one of several search providers).

    Otherwise the reason says what to set, option by option ("set A or B and C
    in the environment or .streamlit/secrets.toml"), or that offline mode is on.
    """
    if options and all(needs.network for needs in options) and settings.offline:
        return False, f"it needs the network and {env_name('offline')} is set"
    if any(not needs.missing(settings) for needs in options):
        return True, READY
    wanted = " or ".join(" and ".join(needs.missing(settings)) for needs in options)
    return False, f"set {wanted} in the environment or .streamlit/secrets.toml"


class Registry(Generic[T]):
    """Maps names to plug-in classes; classes register with the decorator."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._classes: dict[str, type[T]] = {}

    def register(self, cls: type[T]) -> type[T]:
        name = getattr(cls, "name")
        if name in self._classes:
            raise ValueError(f"{self.kind} {name!r} registered twice")
        self._classes[name] = cls
        return cls

    def names(self) -> list[str]:
        return list(self._classes)

    def get(self, name: str) -> type[T]:
        try:
            return self._classes[name]
        except KeyError:
            known = ", ".join(self._classes) or "none"
            raise KeyError(f"unknown {self.kind} {name!r} (known: {known})") from None
