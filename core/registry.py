"""Name registries for engines and evidence sources, with their needs as data.

A registry knows its plug-ins by name before importing them (``declare``), so
that listing names costs nothing and a plug-in's dependencies (the Anthropic
SDK for the claude engine) load only when it is used.
"""
from __future__ import annotations

import importlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:
    from .settings import Settings

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
        from .settings import env_name

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
        return False, "it needs the network and CROSSCHECK_OFFLINE is set"
    if any(not needs.missing(settings) for needs in options):
        return True, READY
    wanted = " or ".join(" and ".join(needs.missing(settings)) for needs in options)
    return False, f"set {wanted} in the environment or .streamlit/secrets.toml"


class Registry(Generic[T]):
    """Maps names to plug-in classes, declared by module path and imported on first use."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._modules: dict[str, str] = {}  # name -> module that registers it
        self._classes: dict[str, type[T]] = {}

    def declare(self, name: str, module: str) -> None:
        """Name a plug-in that ``module`` registers when imported."""
        self._modules[name] = module

    def register(self, cls: type[T]) -> type[T]:
        """Class decorator: the plug-in's ``name`` attribute is its name."""
        name = getattr(cls, "name")
        if name in self._classes:
            raise ValueError(f"{self.kind} {name!r} registered twice")
        self._classes[name] = cls
        return cls

    def names(self) -> list[str]:
        return list(dict.fromkeys([*self._modules, *self._classes]))

    def get(self, name: str) -> type[T]:
        if name not in self._classes and name in self._modules:
            importlib.import_module(self._modules[name])
        try:
            return self._classes[name]
        except KeyError:
            known = ", ".join(self.names()) or "none"
            raise KeyError(f"unknown {self.kind} {name!r} (known: {known})") from None
