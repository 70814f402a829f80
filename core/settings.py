"""Configuration from ``CROSSCHECK_*`` environment variables and Streamlit secrets.

Order of precedence: explicit arguments, then environment variables, then
``.streamlit/secrets.toml`` (same upper-case names as the environment
variables), then the defaults below. Core never imports streamlit: it reads
the secrets file itself.
"""
from __future__ import annotations

import os
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import AliasChoices, Field, SecretStr
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ENV_PREFIX = "CROSSCHECK_"


def _default_home() -> Path:
    return Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share")) / "crosscheck"


class StreamlitSecretsSource(PydanticBaseSettingsSource):
    """Reads ``.streamlit/secrets.toml`` keys spelt like the environment variables."""

    def __init__(self, settings_cls: type[BaseSettings], path: Path) -> None:
        super().__init__(settings_cls)
        self._values: dict[str, Any] = {}
        if path.is_file():
            with path.open("rb") as handle:
                self._values = {k.upper(): v for k, v in tomllib.load(handle).items() if not isinstance(v, dict)}

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        names = [f"{ENV_PREFIX}{field_name}".upper()]
        if isinstance(field.validation_alias, AliasChoices):
            names += [str(c).upper() for c in field.validation_alias.choices]
        for name in names:
            if name in self._values:
                return self._values[name], field_name, False
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for name, field in self.settings_cls.model_fields.items():
            value, key, _ = self.get_field_value(field, name)
            if value is not None:
                found[key] = value
        return found


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore", populate_by_name=True, frozen=True)

    home: Path = Field(default_factory=_default_home, description="Folder for the database and caches.")
    db: Path | None = Field(default=None, description="SQLite database file (default: HOME/crosscheck.db).")
    cache_dir: Path | None = Field(default=None, description="HTTP and response caches (default: HOME/cache).")
    data_dir: Path = Field(default=PROJECT_ROOT.parent / "shared" / "data", description="Training data.")

    allow_private_urls: bool = Field(default=False, description="Fetch loopback/private addresses (tests only).")
    offline: bool = Field(default=False, description="Never use the network: engines and sources that need it are not offered.")
    http_timeout: float = Field(default=15.0, gt=0, description="Seconds an HTTP request may take in all (connect, headers and body).")
    http_cache_hours: float = Field(default=24.0, ge=0, description="How long fetched pages stay cached.")
    max_download_bytes: int = Field(default=5_000_000, gt=0, description="Largest response body accepted.")
    max_text_chars: int = Field(default=200_000, gt=0, description="Longest article text accepted.")
    max_import_bytes: int = Field(default=100_000_000, gt=0, description="Largest file `python -m core import` reads.")
    min_article_chars: int = Field(default=200, ge=0, description="Shorter extracted text counts as 'no article'.")
    per_host_connections: int = Field(default=4, gt=0, description="Concurrent requests to one host.")
    user_agent: str = "Crosscheck/0.1 (+https://github.com/crosscheck; news analysis dashboard)"

    sources: str = Field(default="library", description="Default evidence sources, comma-separated.")
    source_workers: int = Field(default=8, gt=0, description="Concurrent evidence look-ups.")
    source_time_budget: float = Field(default=30.0, gt=0, description="Seconds for all evidence of one article.")
    wikipedia_api_url: str = Field(default="https://{lang}.wikipedia.org/w/api.php")
    searxng_url: str | None = Field(default=None, description="Base URL of a SearXNG instance (JSON API).")
    brave_api_key: SecretStr | None = Field(default=None, validation_alias=AliasChoices("BRAVE_API_KEY", "CROSSCHECK_BRAVE_API_KEY"))
    brave_api_url: str = "https://api.search.brave.com/res/v1/web/search"
    web_results: int = Field(default=3, gt=0, description="Web results fetched per claim.")

    anthropic_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("ANTHROPIC_API_KEY", "CROSSCHECK_ANTHROPIC_API_KEY")
    )
    anthropic_base_url: str | None = Field(
        default=None, validation_alias=AliasChoices("ANTHROPIC_BASE_URL", "CROSSCHECK_ANTHROPIC_BASE_URL")
    )
    claude_model: str = Field(default="claude-sonnet-5-5", description="Anthropic model for the claude engine.")
    claude_max_tokens_per_analysis: int = Field(default=200_000, gt=0)
    claude_timeout: float = Field(default=60.0, gt=0)
    claude_concurrency: int = Field(default=6, gt=0)
    claude_max_retries: int = Field(default=3, ge=0, description="SDK retries on 429, 529, 5xx and timeouts.")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        secrets_path = Path(os.environ.get("CROSSCHECK_SECRETS_FILE", Path.cwd() / ".streamlit" / "secrets.toml"))
        return init_settings, env_settings, StreamlitSecretsSource(settings_cls, secrets_path)

    @property
    def db_path(self) -> Path:
        return self.db or self.home / "crosscheck.db"

    @property
    def cache_path(self) -> Path:
        return self.cache_dir or self.home / "cache"

    def source_names(self) -> tuple[str, ...]:
        return tuple(s.strip() for s in self.sources.split(",") if s.strip())


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
