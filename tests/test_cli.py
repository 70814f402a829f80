"""The `python -m core analyze` contract, run as a user would: a subprocess."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.models import TECHNIQUES, TECHNIQUE_LABELS
from testkit.articles import PARAGRAPHS, TEXT, TITLE
from testkit.local_server import LocalServer, Reply, article_html

ROOT = Path(__file__).resolve().parent.parent


def run_cli(*args: str, stdin: str | None = None, home: Path, **settings: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CROSSCHECK_", "ANTHROPIC_"))}
    env.update(CROSSCHECK_HOME=str(home), CROSSCHECK_ALLOW_PRIVATE_URLS="true", CROSSCHECK_SECRETS_FILE=str(home / "none"))
    env.update(settings)
    return subprocess.run([sys.executable, "-m", "core", *args], input=stdin, capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=180)


def check_contract(document: dict) -> None:
    assert document["schema"] == "crosscheck.analysis/2"
    assert document["engine"] == "local"
    assert isinstance(document["id"], str) and document["id"]
    assert document["created_at"].endswith("+00:00")
    assert isinstance(document["partial"], bool) and isinstance(document["warnings"], list)
    article = document["article"]
    assert set(article) == {"url", "title", "author", "published", "outlet", "language", "text"}
    text = article["text"]
    assert len(document["techniques"]) == len(TECHNIQUES)
    for technique in document["techniques"]:
        assert technique["name"] in TECHNIQUES and technique["label"] == TECHNIQUE_LABELS[technique["name"]]
        assert 0.0 <= technique["confidence"] <= 1.0
        assert isinstance(technique["found"], bool) and technique["strength"] >= 0.0
        assert 0.0 <= technique["percentile"] <= 1.0
        for span in technique["spans"]:
            assert text[span["start"]:span["end"]] == span["text"] and span["text"]
            assert 0.0 <= span["confidence"] <= 1.0
    assert document["persuasion"]["score"] >= 0.0 and 0.0 <= document["persuasion"]["percentile"] <= 1.0
    assert document["claims"], "the article states several check-worthy facts"
    for claim in document["claims"]:
        assert text[claim["start"]:claim["end"]] == claim["text"]
        assert 0.0 <= claim["checkworthiness"] <= 1.0 and 0.0 <= claim["verdict_confidence"] <= 1.0
        assert claim["verdict"] in {"corroborated", "single_source", "contradicted", "disputed", "unverified"}
        assert claim["rationale"]
        for evidence in claim["evidence"]:
            assert evidence["source_type"] in {"library", "wikipedia", "web"}
            assert evidence["stance"] in {"supports", "refutes", "neutral"}
            assert 0.0 <= evidence["stance_confidence"] <= 1.0


def test_html_page_from_a_local_server(tmp_path):
    with LocalServer() as server:
        server.routes["/story"] = Reply(body=article_html(TITLE, PARAGRAPHS))
        result = run_cli("analyze", server.url("/story"), "--json", "--sources", "none", home=tmp_path)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    check_contract(document)
    assert document["article"]["title"] == TITLE
    assert document["article"]["outlet"] == "Test Gazette"
    assert document["article"]["url"].endswith("/story")


def test_txt_file_keeps_its_text_exactly_and_is_stored(tmp_path):
    path = tmp_path / "story.txt"
    path.write_text(TEXT, encoding="utf-8")
    db = tmp_path / "custom.db"
    result = run_cli("analyze", str(path), "--json", "--sources", "library", "--db", str(db), home=tmp_path)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    check_contract(document)
    assert document["article"]["text"] == TEXT
    assert document["article"]["title"] == TITLE
    from core.storage import Storage
    assert Storage(db).get(document["id"]).to_dict() == document


def test_stdin_and_no_store(tmp_path):
    result = run_cli("analyze", "-", "--json", "--no-store", "--sources", "none", stdin=TEXT, home=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["article"]["text"] == TEXT
    assert not (tmp_path / "crosscheck.db").exists()


@pytest.mark.parametrize(
    "args, stdin, message",
    [
        (["analyze", "-"], "", "The text is empty"),
        (["analyze", "/no/such/file.txt"], None, "neither a URL nor an existing file"),
        (["analyze", "-", "--engine", "claude"], TEXT, "ANTHROPIC_API_KEY"),
        (["analyze", "-", "--sources", "tarot"], TEXT, "tarot"),
    ],
    ids=["empty", "missing-file", "claude-without-key", "unknown-source"],
)
def test_errors_are_one_line_without_traceback(tmp_path, args, stdin, message):
    result = run_cli(*args, stdin=stdin, home=tmp_path)
    assert result.returncode != 0
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def _closed_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize(
    "route, settings, message",
    [
        (None, {}, "Could not connect"),
        (Reply(body="late", delay=2.0), {"CROSSCHECK_HTTP_TIMEOUT": "0.5"}, "did not answer within 0.5 seconds"),
        (Reply(404, "missing", "text/plain"), {}, "was not found (HTTP 404)"),
        (Reply(body=b"%PDF-1.7", content_type="application/pdf"), {}, "is a PDF document, not a web page"),
        (Reply(body=b"\x89PNG", content_type="image/png"), {}, "is an image, not a web page"),
        (Reply(body="<html><body><nav><a href='/a'>A</a></nav></body></html>"), {}, "has no article text"),
        (Reply(body=article_html("x", PARAGRAPHS)), {"CROSSCHECK_ALLOW_PRIVATE_URLS": "false"}, "non-public address 127.0.0.1"),
    ],
    ids=["unreachable", "timeout", "404", "pdf", "image", "no-article", "loopback-refused"],
)
def test_bad_urls_fail_with_one_clear_line_and_store_nothing(tmp_path, route, settings, message):
    with LocalServer() as server:
        if route is not None:
            server.routes["/story"] = route
        url = server.url("/story") if route is not None else f"http://127.0.0.1:{_closed_port()}/story"
        result = run_cli("analyze", url, "--json", home=tmp_path, **settings)
    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == ""
    from core.storage import Storage
    assert Storage(tmp_path / "crosscheck.db").summaries() == []


def test_non_utf8_file_and_non_english_text_give_warnings(tmp_path):
    latin = tmp_path / "latin.txt"
    latin.write_bytes(("Café council\n" + " ".join(PARAGRAPHS) + " Déjà vu.").encode("cp1252"))
    german = tmp_path / "german.txt"
    german.write_text(
        "Stadtrat schließt Bibliothek\nDer Stadtrat hat am Montag beschlossen, die öffentliche Bibliothek zu schließen. "
        "Die Verwaltung erklärte, dass die Schließung jährlich etwa 1,2 Millionen Euro einsparen werde.", encoding="utf-8")
    result = run_cli("analyze", str(latin), str(german), "--json", "--no-store", "--sources", "none", home=tmp_path)
    assert result.returncode == 0, result.stderr
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert first["article"]["text"].startswith("Café council")
    assert any("not UTF-8" in w for w in first["warnings"])
    assert second["article"]["language"] == "de"
    assert any("English" in w for w in second["warnings"])


def test_batch_prints_json_lines_and_goes_on_after_a_failure(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text(TEXT, encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    result = run_cli("analyze", str(good), str(empty), str(good), "--json", "--no-store", "--sources", "none", home=tmp_path)
    assert result.returncode == 1
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == 3
    check_contract(lines[0])
    assert lines[1]["source"] == str(empty) and "empty" in lines[1]["error"]
    check_contract(lines[2])


def test_help_lists_the_commands(tmp_path):
    result = run_cli("--help", home=tmp_path)
    assert result.returncode == 0
    assert "analyze" in result.stdout
