"""Name registries for engines and evidence sources, with their needs as data."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from .settings import ENV_PREFIX, Settings

T = TypeVar("T")


@dataclass(frozen=True)
class Needs:
    """What a plug-in needs before it can run.

    ``settings`` names :class:`~core.settings.Settings` fields that must be set
    (API keys, service URLs); ``network`` says it talks to the internet.
    """

    settings: tuple[str, ...] = ()
    network: bool = False

    def missing(self, settings: Settings) -> list[str]:
        """Environment variable names of the needed settings that are unset."""
        return [env_name(name) for name in self.settings if not getattr(settings, name)]


def env_name(field_name: str) -> str:
    field = Settings.model_fields[field_name]
    choices = getattr(field.validation_alias, "choices", None)
    if choices:
        return str(choices[0])
    return f"{ENV_PREFIX}{field_name.upper()}"


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
