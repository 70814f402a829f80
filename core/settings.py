"""Configuration from ``CROSSCHECK_*`` environment variables and Streamlit secrets.

Order of precedence: explicit arguments, then environment variables, then
``.streamlit/secrets.toml`` (same upper-case names as the environment
variables), then the defaults below. Core never imports streamlit: it reads
the secrets file itself.
"""
from __future__ import annotations

import os
import re
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from pydantic import AliasChoices, Field, SecretStr
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ENV_PREFIX = "CROSSCHECK_"
# Read before the settings themselves, so it is an environment variable only.
SECRETS_FILE_VARIABLE = "CROSSCHECK_SECRETS_FILE"


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


def _shown_default(text: str) -> dict[str, str]:
    """How the configuration table shows a default that is computed at run time."""
    return {"shown_default": text}


class Settings(BaseSettings):
    """Every setting, with its description: README's configuration table is generated from these fields."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore", populate_by_name=True, frozen=True)

    home: Path = Field(default_factory=_default_home, description="folder for the database and caches",
                       json_schema_extra=_shown_default("~/.local/share/crosscheck"))
    db: Path | None = Field(default=None, description="SQLite database file of analyses, jobs and feeds",
                            json_schema_extra=_shown_default("$CROSSCHECK_HOME/crosscheck.db"))
    database_url: str | None = Field(default=None, description="database URL, e.g. `postgresql://user:pass@host/crosscheck` "
                                     "for a team (wins over CROSSCHECK_DB)",
                                     json_schema_extra=_shown_default("sqlite:///$CROSSCHECK_DB"))
    queue_url: str | None = Field(default=None, description="task queue: `redis://host:6379/0` for workers on several "
                                  "machines; by default a SQLite file beside the database",
                                  json_schema_extra=_shown_default("$CROSSCHECK_HOME/queue.db"))
    workers: int = Field(default=2, gt=0, description="worker threads of `python -m core worker` (and of `make run`)")
    inference_threads: int = Field(default=0, ge=0, description="CPU threads of each model run of a `python -m core "
                                   "worker` thread; 0: the machine's cores shared among the worker's threads, at most 2 "
                                   "each")
    worker_max_jobs: int = Field(default=100, ge=0, description="jobs a `python -m core worker` process runs before it "
                                 "restarts itself (once its running jobs finish), so that its memory stays bounded; "
                                 "0 never restarts")
    job_heartbeat_timeout: float = Field(default=90.0, gt=0, description="seconds without a heartbeat after which a "
                                         "running job counts as lost and is queued again")
    analyst_name: str | None = Field(default=None, description="the analyst's name recorded with reviews when the "
                                     "dashboard has no sign-in (`[auth]` in secrets.toml); the Settings page can set it too")
    feed_poll_minutes: int = Field(default=15, gt=0, description="how often subscribed feeds are polled")
    job_retention_days: int = Field(default=90, ge=0, description="finished and failed jobs older than this are deleted "
                                    "(hourly, by the workers); 0 keeps them forever")
    feed_item_retention_days: int = Field(default=180, ge=0, description="feed items seen longer ago than this are "
                                          "forgotten (longer than any feed lists an item); 0 keeps them forever")
    cache_dir: Path | None = Field(default=None, description="HTTP cache and engine answer cache",
                                   json_schema_extra=_shown_default("$CROSSCHECK_HOME/cache"))
    data_dir: Path = Field(default=PROJECT_ROOT.parent / "shared" / "data",
                           description="training and evaluation data (`python -m core train` / `eval`)",
                           json_schema_extra=_shown_default("../shared/data"))

    allow_private_urls: bool = Field(default=False, description="allow fetching loopback/private/link-local addresses (tests set it)")
    offline: bool = Field(default=False, description="never use the network: URLs are refused, network engines and sources are not offered")
    http_timeout: float = Field(default=15.0, gt=0, description="seconds an HTTP request may take in all (DNS, connect, headers and body of every redirect hop)")
    http_cache_hours: float = Field(default=24.0, ge=0, description="how long fetched pages and search answers are cached")
    max_download_bytes: int = Field(default=5_000_000, gt=0, description="largest page or upload accepted")
    max_text_chars: int = Field(default=200_000, gt=0, description="longest article text accepted")
    max_import_bytes: int = Field(default=100_000_000, gt=0, description="largest file `python -m core import` reads")
    min_article_chars: int = Field(default=200, ge=0, description="extracted text shorter than this counts as 'no article'")
    per_host_connections: int = Field(default=4, gt=0, description="concurrent requests to one host")
    user_agent: str = Field(default="Crosscheck/0.2 (news analysis)", description="User-Agent header of every request")

    sources: str = Field(default="auto", description="default evidence sources, comma-separated "
                         "(`library,wikipedia,web,factcheck,claude_web`), or `auto`: every source that is set up "
                         "(library, wikipedia and web need nothing; factcheck its key; claude_web the claude engine)")
    source_workers: int = Field(default=8, gt=0, description="concurrent evidence look-ups")
    source_time_budget: float = Field(default=30.0, gt=0, description="seconds for all evidence of one article")
    wikipedia_api_url: str = Field(default="https://{lang}.wikipedia.org/w/api.php",
                                   description="MediaWiki API of the wikipedia source (`{lang}` is the article's language)")
    searxng_url: str | None = Field(default=None, description="base URL of a SearXNG instance (web source, no key)")
    brave_api_key: SecretStr | None = Field(default=None, validation_alias=AliasChoices("BRAVE_API_KEY", "CROSSCHECK_BRAVE_API_KEY"),
                                            description="Brave Search API key (web source)")
    brave_api_url: str = Field(default="https://api.search.brave.com/res/v1/web/search", description="Brave Search API endpoint")
    web_results: int = Field(default=3, gt=0, description="web results fetched per claim")
    ddgs_backends: str = Field(default="duckduckgo,mojeek,brave",
                               description="search engines the keyless `ddgs` web provider asks, in turn, until one "
                               "answers (ddgs's names; empty turns the provider off)")
    ddgs_max_queries: int = Field(default=30, gt=0, description="most ddgs searches of one analysis (its back-ends "
                                  "rate-limit; claims past the cap get no ddgs results)")
    ddgs_gateway_url: str | None = Field(default=None, description="send ddgs's searches to `{url}/{host}{path}` "
                                         "instead of each search engine's own host (a forwarding proxy; tests)")
    google_factcheck_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("GOOGLE_FACTCHECK_API_KEY", "CROSSCHECK_GOOGLE_FACTCHECK_API_KEY"),
        description="Google Fact Check Tools API key (factcheck source)",
    )
    factcheck_api_url: str = Field(default="https://factchecktools.googleapis.com/v1alpha1/claims:search",
                                   description="Fact Check Tools `claims:search` endpoint")
    gdelt_api_url: str = Field(default="https://api.gdeltproject.org/api/v2/doc/doc",
                               description="GDELT DOC 2.0 API endpoint (Find other coverage)")
    gdelt_min_interval: float = Field(default=5.0, ge=0, description="seconds between two GDELT requests, across "
                                      "every process sharing the cache folder (GDELT asks for one per 5 s)")
    coverage_timespan: str = Field(default="2w", description="how far back Find other coverage looks in GDELT "
                                   "(`1d`, `2w`, `3m`: at most three months)")
    coverage_results: int = Field(default=25, gt=0, le=250, description="articles Find other coverage asks GDELT for")

    anthropic_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("ANTHROPIC_API_KEY", "CROSSCHECK_ANTHROPIC_API_KEY"),
        description="enables the claude engine",
    )
    anthropic_base_url: str | None = Field(
        default=None, validation_alias=AliasChoices("ANTHROPIC_BASE_URL", "CROSSCHECK_ANTHROPIC_BASE_URL"),
        description="Anthropic API base URL (proxies, tests)",
    )
    claude_model: str = Field(default="claude-sonnet-5-5", description="model of the claude engine")
    claude_max_tokens_per_analysis: int = Field(default=200_000, gt=0, description="token budget of one claude analysis")
    claude_timeout: float = Field(default=60.0, gt=0, description="seconds per Messages API call")
    claude_concurrency: int = Field(default=6, gt=0, description="parallel stance calls of the claude engine")
    claude_max_retries: int = Field(default=3, ge=0, description="SDK retries on 429, 529, 5xx and timeouts")
    claude_web_searches: int = Field(default=1, ge=1, le=5, description="web searches Claude may run per claim "
                                     "(claude_web source; billed per 1,000 searches)")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        secrets_path = Path(os.environ.get(SECRETS_FILE_VARIABLE, Path.cwd() / ".streamlit" / "secrets.toml"))
        return init_settings, env_settings, StreamlitSecretsSource(settings_cls, secrets_path)

    @property
    def db_path(self) -> Path:
        return self.db or self.home / "crosscheck.db"

    @property
    def database(self) -> str:
        """The database to use: CROSSCHECK_DATABASE_URL, else the SQLite file CROSSCHECK_DB."""
        return self.database_url or str(self.db_path)

    @property
    def queue_path(self) -> Path:
        return self.home / "queue.db"

    @property
    def cache_path(self) -> Path:
        return self.cache_dir or self.home / "cache"

    def source_names(self) -> tuple[str, ...]:
        return tuple(s.strip() for s in self.sources.split(",") if s.strip())


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


# Query parameters that carry credentials (``?api_key=``, ``?token=``, ``?sig=``), masked by redact_url.
_SECRET_PARAMETER = re.compile(r"key|token|secret|pass|auth|sig|credential", re.IGNORECASE)
MASK = "***"


def redact_url(url: str) -> str:
    """A URL as shown to people and logs: its password masked (a user name alone, often a token, too) and
    query parameters that carry credentials masked; anything that is not a URL with credentials is unchanged."""
    if "://" not in url:
        return url
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, host = netloc.rsplit("@", 1)
        user, has_password, _ = userinfo.partition(":")
        netloc = f"{user}:{MASK}@{host}" if has_password else f"{MASK}@{host}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        query = urlencode([(name, MASK if _SECRET_PARAMETER.search(name) else value) for name, value in pairs], safe="*")
    if (netloc, query) == (parts.netloc, parts.query):
        return url  # rebuilt, sqlite:///path would lose its empty host
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def env_name(field_name: str) -> str:
    """The environment variable (and secrets.toml key) of a setting: its first alias, else CROSSCHECK_NAME."""
    field = Settings.model_fields[field_name]
    choices = getattr(field.validation_alias, "choices", None)
    if choices:
        return str(choices[0])
    return f"{ENV_PREFIX}{field_name.upper()}"


def _default_text(field: FieldInfo) -> str:
    extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
    if "shown_default" in extra:
        return f"`{extra['shown_default']}`"
    if field.default is None:
        return "–"
    if isinstance(field.default, bool):
        return f"`{str(field.default).lower()}`"
    if isinstance(field.default, float) and field.default.is_integer():
        return f"`{int(field.default)}`"
    return f"`{field.default}`"


def configuration_table() -> str:
    """README's configuration table (Markdown), generated from the fields so that it cannot drift."""
    rows = ["| Variable | Default | Meaning |", "|---|---|---|"]
    rows.append(f"| `{SECRETS_FILE_VARIABLE}` | `./.streamlit/secrets.toml` | file read for the settings below (environment variable only) |")
    for name, field in Settings.model_fields.items():
        rows.append(f"| `{env_name(name)}` | {_default_text(field)} | {field.description} |")
    return "\n".join(rows) + "\n"
