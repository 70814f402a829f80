"""Configuration: environment variables first, then .streamlit/secrets.toml, then defaults."""
from __future__ import annotations

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
