"""Configuration: environment variables first, then .streamlit/secrets.toml, then defaults."""
from __future__ import annotations

import pytest

from core.engines import engine_status
from core.settings import Settings


def test_secrets_file_is_read_and_environment_wins(tmp_path, monkeypatch):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(
        'ANTHROPIC_API_KEY = "sk-from-secrets"\nCROSSCHECK_SOURCES = "library,wikipedia"\n'
        'CROSSCHECK_HTTP_TIMEOUT = 3\n[section]\nignored = true\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("CROSSCHECK_SECRETS_FILE", str(secrets))
    monkeypatch.delenv("CROSSCHECK_SOURCES")
    monkeypatch.setenv("CROSSCHECK_HTTP_TIMEOUT", "7")
    settings = Settings()
    assert settings.anthropic_api_key.get_secret_value() == "sk-from-secrets"
    assert settings.source_names() == ("library", "wikipedia")
    assert settings.http_timeout == 7
    assert engine_status("claude", settings) == (True, "ready")
    assert "sk-from-secrets" not in repr(settings)


def test_defaults_derive_paths_from_home(tmp_path, monkeypatch):
    monkeypatch.setenv("CROSSCHECK_HOME", str(tmp_path / "h"))
    settings = Settings()
    assert settings.db_path == tmp_path / "h" / "crosscheck.db"
    assert settings.cache_path == tmp_path / "h" / "cache"
    assert settings.allow_private_urls is True  # the test fixture turns it on; the default is off
    assert Settings.model_fields["allow_private_urls"].default is False
    monkeypatch.setenv("CROSSCHECK_DB", str(tmp_path / "elsewhere.db"))
    assert Settings().db_path == tmp_path / "elsewhere.db"


def test_readme_configuration_table_is_generated_from_the_settings():
    from pathlib import Path

    from core.settings import configuration_table

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    block = readme.split("tests/test_settings.py checks it -->\n", 1)[1].split("<!-- end of configuration table -->", 1)[0]
    assert block == configuration_table(), "README's table is stale: paste `python -m core config --markdown` into it"
    for name in ("CROSSCHECK_DATA_DIR", "CROSSCHECK_MIN_ARTICLE_CHARS", "CROSSCHECK_USER_AGENT", "CROSSCHECK_BRAVE_API_URL",
                 "CROSSCHECK_SECRETS_FILE", "CROSSCHECK_OFFLINE"):
        assert f"`{name}`" in block


def test_config_command_shows_keys_only_as_set(monkeypatch, capsys):
    from core.cli import main

    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-never-printed")
    assert main(["config"]) == 0
    printed = capsys.readouterr().out
    assert "ANTHROPIC_API_KEY=set" in printed and "sk-ant-never-printed" not in printed
    assert "BRAVE_API_KEY=not set" in printed and "CROSSCHECK_HTTP_TIMEOUT=15.0" in printed


def test_config_command_never_prints_a_password_in_a_url(monkeypatch, capsys):
    from core.cli import main

    monkeypatch.setenv("CROSSCHECK_DATABASE_URL", "postgresql://analyst:db-secret@db.example:5432/crosscheck")
    monkeypatch.setenv("CROSSCHECK_QUEUE_URL", "redis://:queue-secret@redis.example:6379/0")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", "https://proxy-token@proxy.example/v1?api_key=key-secret&region=eu")
    assert main(["config"]) == 0
    printed = capsys.readouterr().out
    for secret in ("db-secret", "queue-secret", "proxy-token", "key-secret"):
        assert secret not in printed
    assert "CROSSCHECK_DATABASE_URL=postgresql://analyst:***@db.example:5432/crosscheck" in printed
    assert "CROSSCHECK_QUEUE_URL=redis://:***@redis.example:6379/0" in printed
    assert "region=eu" in printed


@pytest.mark.parametrize(("url", "shown"), [
    ("postgresql://user:pw@host/db", "postgresql://user:***@host/db"),
    ("redis://:pw@host:6379/0", "redis://:***@host:6379/0"),
    ("https://token@proxy.example/v1", "https://***@proxy.example/v1"),
    ("https://proxy.example/v1?token=abc&x=1", "https://proxy.example/v1?token=***&x=1"),
    ("sqlite:///home/me/queue.db", "sqlite:///home/me/queue.db"),
    ("/home/me/crosscheck.db", "/home/me/crosscheck.db"),
])
def test_redact_url_hides_credentials_and_keeps_the_rest(url, shown):
    from core.settings import redact_url

    assert redact_url(url) == shown


def test_offline_mode_turns_off_what_needs_the_network(monkeypatch):
    from core import http
    from core.errors import FetchError
    from core.sources import all_source_status

    monkeypatch.setenv("CROSSCHECK_OFFLINE", "true")
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test")
    settings = Settings()
    ready, reason = engine_status("claude", settings)
    assert not ready and "CROSSCHECK_OFFLINE" in reason
    assert engine_status("local", settings) == (True, "ready")
    status = all_source_status(settings)
    assert status["library"] == (True, "ready") and not status["wikipedia"][0]
    with pytest.raises(FetchError, match="offline mode"):
        http.get("https://example.org/story", settings=settings)
