"""The `python -m core analyze` contract: in-process through core.cli.main, plus subprocess smoke tests of what
only a real process shows (start-up, one-line stderr)."""
from __future__ import annotations

import io
import json
import os
import resource
import shutil
import stat
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import pytest

from core import http
from core.cli import main
from core.techniques_catalogue import TECHNIQUES, TECHNIQUE_LABELS
from core.settings import get_settings
from testkit.articles import PARAGRAPHS, TEXT, TITLE
from testkit.local_server import LocalServer, Reply, article_html

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class CliResult:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def cli(monkeypatch):
    """Runs ``python -m core ARGS`` in this process: the same main(), settings from the environment, stdin given."""

    def run(*args: str, stdin: str | bytes | None = None, home: Path, **settings: str) -> CliResult:
        for name, value in {"CROSSCHECK_HOME": str(home), **settings}.items():
            monkeypatch.setenv(name, value)
        get_settings.cache_clear()
        http._sessions.clear()
        data = stdin if isinstance(stdin, bytes) else (stdin or "").encode("utf-8")
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            try:
                code = main(list(args))
            except SystemExit as exit_:  # argparse's --help and usage errors
                code = int(exit_.code or 0)
        return CliResult(code, out.getvalue(), err.getvalue())

    return run


def run_cli_process(*args: str, stdin: str | bytes | None = None, home: Path, prefix: tuple[str, ...] = (),
                    preexec_fn=None, **settings: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CROSSCHECK_", "ANTHROPIC_"))}
    env.update(CROSSCHECK_HOME=str(home), CROSSCHECK_ALLOW_PRIVATE_URLS="true", CROSSCHECK_SECRETS_FILE=str(home / "none"))
    env.update(settings)
    if isinstance(stdin, bytes):
        result = subprocess.run([*prefix, sys.executable, "-m", "core", *args], input=stdin, capture_output=True,
                                cwd=ROOT, env=env, timeout=180, preexec_fn=preexec_fn)
        return subprocess.CompletedProcess(result.args, result.returncode, result.stdout.decode(), result.stderr.decode())
    return subprocess.run([*prefix, sys.executable, "-m", "core", *args], input=stdin, capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=180, preexec_fn=preexec_fn)


def check_contract(document: dict) -> None:
    assert document["schema"] == "crosscheck.analysis/2"
    assert document["engine"] == "local"
    assert isinstance(document["id"], str) and document["id"]
    assert document["created_at"].endswith("+00:00")
    assert isinstance(document["partial"], bool) and isinstance(document["warnings"], list)
    article = document["article"]
    assert set(article) == {"url", "title", "author", "published", "outlet", "language", "genre", "text"}
    assert set(article["genre"]) == {"kind", "declared_by"}
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
        assert 0.0 <= claim["checkworthiness"] <= 1.0
        assert claim["verdict"] in {"corroborated", "single_source", "contradicted", "disputed", "unverified"}
        if claim["verdict"] == "unverified":
            assert claim["verdict_confidence"] is None  # nothing decided it: no confidence to state
        else:
            assert 0.0 <= claim["verdict_confidence"] <= 1.0
        assert claim["rationale"]
        for evidence in claim["evidence"]:
            assert evidence["source_type"] in {"library", "wikipedia", "web"}
            assert evidence["stance"] in {"supports", "refutes", "neutral"}
            assert 0.0 <= evidence["stance_confidence"] <= 1.0
            assert isinstance(evidence["decisive"], bool)


@pytest.mark.processes
def test_html_page_from_a_local_server(tmp_path):
    """Smoke test in a real process: start-up, a fetch, extraction, the models, JSON on stdout."""
    with LocalServer() as server:
        server.routes["/story"] = Reply(body=article_html(TITLE, PARAGRAPHS))
        result = run_cli_process("analyze", server.url("/story"), "--json", "--sources", "none", home=tmp_path)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    check_contract(document)
    assert document["article"]["title"] == TITLE
    assert document["article"]["outlet"] == "Test Gazette"
    assert document["article"]["url"].endswith("/story")


def test_txt_file_keeps_its_text_exactly_and_is_stored(cli, tmp_path):
    path = tmp_path / "story.txt"
    path.write_text(TEXT, encoding="utf-8")
    db = tmp_path / "custom.db"
    result = cli("analyze", str(path), "--json", "--sources", "library", "--db", str(db), home=tmp_path)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    check_contract(document)
    assert document["article"]["text"] == TEXT
    assert document["article"]["title"] == TITLE
    from core.storage import Storage
    assert Storage(db).get(document["id"]).to_dict() == document


def test_stdin_and_no_store(cli, tmp_path):
    result = cli("analyze", "-", "--json", "--no-store", "--sources", "none", stdin=TEXT, home=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["article"]["text"] == TEXT
    assert not (tmp_path / "crosscheck.db").exists()


def test_stated_outlet_and_url_describe_a_text(cli, tmp_path):
    result = cli("analyze", "-", "--json", "--no-store", "--sources", "none", "--outlet", "Morning Post",
                     "--url", "https://morningpost.example/story", stdin=TEXT, home=tmp_path)
    assert result.returncode == 0, result.stderr
    article = json.loads(result.stdout)["article"]
    assert article["outlet"] == "Morning Post" and article["url"] == "https://morningpost.example/story"
    result = cli("analyze", "-", "--json", "--no-store", "--sources", "none", "--url", "https://www.planet.example/a",
                     stdin=TEXT, home=tmp_path)
    assert json.loads(result.stdout)["article"]["outlet"] == "www.planet.example"


@pytest.mark.processes
@pytest.mark.parametrize(
    "args, stdin, message",
    [
        (["analyze", "-"], "", "The text is empty"),
        (["analyze", "/no/such/file.txt"], None, "neither a URL nor an existing file"),
        (["analyze", "-", "--engine", "claude"], TEXT, "ANTHROPIC_API_KEY"),
        (["analyze", "-", "--sources", "tarot"], TEXT, "tarot"),
        (["analyze", "-", "--url", "ftp://x.example/a"], TEXT, "not an http(s) address"),
        (["analyze", "https://x.example/a", "--outlet", "X"], None, "--outlet and --url describe text and file sources"),
    ],
    ids=["empty", "missing-file", "claude-without-key", "unknown-source", "bad-stated-url", "outlet-for-a-url"],
)
def test_errors_are_one_line_without_traceback(tmp_path, args, stdin, message):
    result = run_cli_process(*args, stdin=stdin, home=tmp_path)
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
def test_bad_urls_fail_with_one_clear_line_and_store_nothing(cli, tmp_path, route, settings, message):
    with LocalServer() as server:
        if route is not None:
            server.routes["/story"] = route
        url = server.url("/story") if route is not None else f"http://127.0.0.1:{_closed_port()}/story"
        result = cli("analyze", url, "--json", home=tmp_path, **settings)
    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == ""
    from core.storage import Storage
    assert Storage(tmp_path / "crosscheck.db").summaries() == []


def test_non_utf8_file_and_non_english_text_give_warnings(cli, tmp_path):
    latin = tmp_path / "latin.txt"
    latin.write_bytes(("Café council\n" + " ".join(PARAGRAPHS) + " Déjà vu.").encode("cp1252"))
    german = tmp_path / "german.txt"
    german.write_text(
        "Stadtrat schließt Bibliothek\nDer Stadtrat hat am Montag beschlossen, die öffentliche Bibliothek zu schließen. "
        "Die Verwaltung erklärte, dass die Schließung jährlich etwa 1,2 Millionen Euro einsparen werde.", encoding="utf-8")
    result = cli("analyze", str(latin), str(german), "--json", "--no-store", "--sources", "none", home=tmp_path)
    assert result.returncode == 0, result.stderr
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert first["article"]["text"].startswith("Café council")
    assert any("not UTF-8" in w for w in first["warnings"])
    assert second["article"]["language"] == "de"
    assert any("English" in w for w in second["warnings"])


def test_batch_prints_json_lines_and_goes_on_after_a_failure(cli, tmp_path):
    good = tmp_path / "good.txt"
    good.write_text(TEXT, encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    result = cli("analyze", str(good), str(empty), str(good), "--json", "--no-store", "--sources", "none", home=tmp_path)
    assert result.returncode == 1
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == 3
    check_contract(lines[0])
    assert lines[1]["source"] == str(empty) and "empty" in lines[1]["error"]
    check_contract(lines[2])


@pytest.mark.processes
def test_help_lists_the_commands(tmp_path):
    result = run_cli_process("--help", home=tmp_path)
    assert result.returncode == 0
    assert "analyze" in result.stdout


# --- what the audit found (issue 19) -------------------------------------------------------------

def one_line(stderr: str) -> bool:
    return len(stderr.strip().splitlines()) == 1 and "Traceback" not in stderr


def test_text_encodings_are_detected_or_refused_never_stored_as_garbage(cli, tmp_path):
    utf16 = tmp_path / "utf16.txt"
    utf16.write_bytes(TEXT.encode("utf-16-le"))  # no byte-order mark
    bom = tmp_path / "bom.txt"
    bom.write_bytes(TEXT.encode("utf-8-sig"))
    broken = tmp_path / "broken.txt"
    broken.write_bytes(b"\xff\xfe" + TEXT.encode("utf-16-le")[:-1])  # UTF-16 cut in the middle of a character
    result = cli("analyze", str(utf16), str(bom), str(broken), "--json", "--no-store", "--sources", "none", home=tmp_path)
    assert result.returncode == 1
    first, second, third = (json.loads(line) for line in result.stdout.splitlines())
    assert first["article"]["text"] == TEXT and first["article"]["title"] == TITLE and first["article"]["language"] == "en"
    assert any("UTF-16" in w for w in first["warnings"])
    assert second["article"]["text"] == TEXT and second["article"]["title"] == TITLE
    assert "not a text file" in third["error"]


def test_invalid_utf8_on_stdin_is_read_without_a_traceback(cli, tmp_path):
    result = cli("analyze", "-", "--json", "--no-store", "--sources", "none", stdin=TEXT.encode() + b"\xff\xfe\xfa caf\xe9",
                 home=tmp_path)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["article"]["title"] == TITLE and any("not UTF-8" in w for w in document["warnings"])


@pytest.mark.processes
def test_a_huge_file_is_refused_before_it_is_read(tmp_path):
    """An 8 GiB (sparse) file under a 3 GiB address-space limit: reading it whole would fail with MemoryError."""
    huge = tmp_path / "huge.txt"
    with huge.open("wb") as handle:
        handle.truncate(8 << 30)

    def limit_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))

    result = run_cli_process("analyze", str(huge), "--no-store", "--sources", "none", home=tmp_path, preexec_fn=limit_memory)
    assert result.returncode == 1 and "8,589,934,592 bytes; the limit is 5,000,000" in result.stderr
    assert one_line(result.stderr)
    piped = run_cli_process("analyze", "-", "--no-store", "--sources", "none", stdin=TEXT * 40, home=tmp_path,
                    CROSSCHECK_MAX_DOWNLOAD_BYTES="1000")
    assert piped.returncode == 1 and "standard input is 1,001 bytes; the limit is 1,000" in piped.stderr


def test_one_bad_url_in_a_batch_does_not_stop_the_others(cli, tmp_path):
    good = tmp_path / "good.txt"
    good.write_text(TEXT, encoding="utf-8")
    result = cli("analyze", str(good), "http://[::1/", "http://" + "a" * 300 + ".example/", str(good), "--json",
                     "--no-store", "--sources", "none", home=tmp_path)
    assert result.returncode == 1, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == 4
    check_contract(lines[0])
    check_contract(lines[3])
    assert all("Not a valid web address" in line["error"] for line in lines[1:3])
    assert "unexpected" not in result.stderr


@pytest.mark.processes
def test_third_party_log_lines_stay_off_stderr_unless_verbose(tmp_path):
    garbage = tmp_path / "garbage.html"
    garbage.write_bytes(bytes(range(256)) * 12)
    quiet = run_cli_process("analyze", str(garbage), "--no-store", "--sources", "none", home=tmp_path)
    assert quiet.returncode == 1 and one_line(quiet.stderr) and quiet.stderr.startswith("error: ")
    verbose = run_cli_process("-v", "analyze", str(garbage), "--no-store", "--sources", "none", home=tmp_path)
    assert "trafilatura" in verbose.stderr


def test_no_store_reads_the_library_of_the_database_given(cli, tmp_path):
    from core.sources.library import index_sentences
    from core.storage import Storage
    from testkit.factories import make_analysis

    library = tmp_path / "library.db"
    stored = make_analysis(id="lib1", url="https://other.example/1", outlet="Other Paper",
                           claims=["The city council voted 7 to 2 on Monday to close the Eastside public library."])
    Storage(library).save(stored, index=index_sentences(stored.article))  # as the pipeline saves it
    story = tmp_path / "story.txt"
    story.write_text(TEXT, encoding="utf-8")
    result = cli("analyze", str(story), "--json", "--no-store", "--db", str(library), "--sources", "library", home=tmp_path)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert any(e["outlet"] == "Other Paper" for c in document["claims"] for e in c["evidence"])
    assert [s.id for s in Storage(library).summaries()] == ["lib1"]  # read, not written
    assert not (tmp_path / "crosscheck.db").exists()
    missing = cli("analyze", str(story), "--no-store", "--db", str(tmp_path / "nope.db"), "--sources", "library", home=tmp_path)
    assert missing.returncode == 1 and "There is no database" in missing.stderr


def _without_root_override() -> tuple[str, ...]:
    """As root, drop the capability that lets root write read-only files, so the test means what it says."""
    if os.geteuid() != 0:
        return ()
    setpriv = shutil.which("setpriv")
    assert setpriv, "setpriv (util-linux) is needed to test read-only files as root"
    caps = "-dac_override,-dac_read_search"
    return (setpriv, f"--inh-caps={caps}", f"--bounding-set={caps}")


@pytest.mark.processes
def test_export_from_a_read_only_database_and_exports_are_not_private(tmp_path):
    from core.storage import Storage
    from testkit.factories import make_analysis

    folder = tmp_path / "readonly"
    folder.mkdir()
    db = folder / "crosscheck.db"
    Storage(db).save(make_analysis(id="ro1"))
    out = tmp_path / "out"
    out.mkdir()
    db.chmod(0o444)
    folder.chmod(0o555)
    try:
        result = run_cli_process("export", "ro1", "-f", "json", "-o", str(out / "ro1.json"), "--db", str(db), home=tmp_path,
                         prefix=_without_root_override())
    finally:
        folder.chmod(0o755)
    assert result.returncode == 0, result.stderr
    assert json.loads((out / "ro1.json").read_text())["id"] == "ro1"
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE((out / "ro1.json").stat().st_mode) == 0o666 & ~umask


@pytest.mark.processes
def test_a_damaged_library_database_gives_one_line_not_tracebacks(tmp_path):
    """The audit saw 8 'library source failed unexpectedly' tracebacks before the final line."""
    from core.storage import Storage
    from testkit.factories import make_analysis
    from tests.test_import_validation import corrupt_pages

    db = tmp_path / "crosscheck.db"
    storage = Storage(db)
    for index in range(6):
        storage.save(make_analysis(20, id=f"a{index}", url=f"https://a.example/{index}"))
    corrupt_pages(db)
    story = tmp_path / "story.txt"
    story.write_text(TEXT, encoding="utf-8")
    result = run_cli_process("analyze", str(story), "--sources", "library", home=tmp_path)
    assert result.returncode == 1
    assert one_line(result.stderr) and "damaged or not a Crosscheck database" in result.stderr
