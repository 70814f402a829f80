"""Bad arguments and hostile files end in one clear line and a documented exit, never a bug's exit 2 or a hang
(issue 30 item 10). Exits: 0 done, 1 a user error (what and what to do), 2 a usage error or a bug."""
from __future__ import annotations

import json
import os
import resource
import signal
import sys

import pytest

from core.settings import get_settings
from core.storage import Storage
from testkit.articles import PARAGRAPHS, TEXT, TITLE
from testkit.factories import make_analysis
from testkit.local_server import LocalServer, Reply, article_html
from tests.test_cli import cli, run_cli_process  # noqa: F401 (cli: a fixture)


@pytest.mark.parametrize("url, said", [
    ("mysql://reader:s3cret@db.example/news", "mysql:// is not a database Crosscheck can use"),
    ("foo://x", "foo:// is not a database Crosscheck can use"),
    ("postgresql+psycopg2://reader:s3cret@db.example/news", "is not a database Crosscheck can use"),
    ("postgresql://reader:s3cret@db.example:99999999/news", "its port 99999999 is not a port number"),
    ("postgresql://reader:s3cret@db.example:abc/news", "cannot be read as a URL"),
    ("postgresql://reader:s3cret@[::1/news", "cannot be read as a URL"),
])
def test_a_database_url_crosscheck_cannot_use_is_one_line_and_exit_1(cli, tmp_path, url, said):  # noqa: F811
    for args, settings in ((("jobs", "--db", url), {}), (("jobs",), {"CROSSCHECK_DATABASE_URL": url})):
        result = cli(*args, home=tmp_path, **settings)
        assert result.returncode == 1, result
        (line,) = result.stderr.splitlines()
        assert line.startswith("error: The database URL ") and said in line, line
        assert "s3cret" not in line and "unexpected" not in line


def test_a_feed_id_beyond_any_integer_is_no_feed(cli, tmp_path):  # noqa: F811
    result = cli("feeds", "remove", "99999999999999999999999", home=tmp_path)
    assert result.returncode == 1 and "No feed has the id 99999999999999999999999" in result.stderr, result


def test_worker_and_jobs_refuse_counts_below_one(cli, tmp_path, monkeypatch):  # noqa: F811
    from core.jobs.queue import JobQueue

    started = []
    monkeypatch.setattr(JobQueue, "consumer", lambda self, workers: started.append(workers))
    result = cli("worker", "--workers", "0", home=tmp_path, CROSSCHECK_QUEUE_URL=f"sqlite:///{tmp_path / 'q.db'}")
    assert result.returncode == 1 and "--workers must be at least 1" in result.stderr and started == []
    Storage(get_settings().database).jobs.create("analyze", "pasted text", {"input": {"kind": "text", "text": TEXT}})
    result = cli("jobs", "--limit", "-5", home=tmp_path)
    assert result.returncode == 1 and "--limit must be at least 1" in result.stderr and result.stdout == ""
    result = cli("stories", "--limit", "-5", home=tmp_path)
    assert result.returncode == 1 and "--limit must be at least 1" in result.stderr and result.stdout == ""


def _logged(caplog) -> str:
    return "\n".join(record.getMessage() for record in caplog.records)


def test_checkworthy_and_stance_read_files_as_the_rest_of_the_cli(cli, tmp_path, caplog):  # noqa: F811
    latin = tmp_path / "latin.txt"
    latin.write_bytes("Café owners said prices rose 30 per cent last year, the council said.\n".encode("latin-1"))
    result = cli("checkworthy", str(latin), home=tmp_path)
    assert result.returncode == 0, result
    assert json.loads(result.stdout)["text"] == "Café owners said prices rose 30 per cent last year, the council said."
    assert "latin.txt is not UTF-8; it was read as" in _logged(caplog)
    pair = {"claim": "Café prices rose 30 per cent.", "evidence": "Café prices rose 30 per cent in 2024."}
    result = cli("stance", "-", stdin=json.dumps(pair, ensure_ascii=False).encode("cp1252"), home=tmp_path)
    assert result.returncode == 0 and json.loads(result.stdout)["label"] in ("supports", "refutes", "neutral"), result
    binary = tmp_path / "image.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    for command in ("checkworthy", "stance"):
        result = cli(command, str(binary), home=tmp_path)
        assert result.returncode == 1 and "image.png is not a text file" in result.stderr, result


def test_import_refuses_a_fifo_instead_of_waiting_for_it(tmp_path):
    fifo = tmp_path / "export.json"
    os.mkfifo(fifo)
    result = run_cli_process("import", str(fifo), home=tmp_path)  # timeout=180: a hang fails the test
    assert result.returncode == 1 and "is not a regular file" in result.stderr, result


def test_import_says_that_the_review_block_is_not_imported(cli, tmp_path, caplog):  # noqa: F811
    document = make_analysis(2, id="reviewed1").to_dict()
    document["review"] = {"reviewed": True, "reviewed_by": "Ben", "decisions": [], "notes": [], "activity": []}
    export = tmp_path / "export.json"
    export.write_text(json.dumps(document), encoding="utf-8")
    result = cli("import", str(export), "--db", str(tmp_path / "other.db"), home=tmp_path)
    assert result.returncode == 0 and result.stdout.startswith("imported reviewed1"), result
    assert "review in item 1 (analysis reviewed1) is not imported" in _logged(caplog)


def test_an_unsaved_analysis_is_printed_when_the_home_cannot_be_written(cli, tmp_path):  # noqa: F811
    library = tmp_path / "library.db"
    Storage(library).save(make_analysis(2, id="stored1"))
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the home's parent folder should be")
    story = tmp_path / "story.txt"
    story.write_text(TEXT, encoding="utf-8")
    # No queue URL: the SQLite queue would be made in the home, which cannot be (as in a read-only home).
    result = cli("analyze", "--no-store", "--sources", "library", "--db", str(library), "--json", str(story),
                 home=blocker / "home", CROSSCHECK_QUEUE_URL="")
    assert result.returncode == 0, result
    assert json.loads(result.stdout)["article"]["text"] == TEXT


def test_a_page_cache_that_cannot_be_written_costs_the_cache_not_the_analysis(cli, tmp_path, caplog):  # noqa: F811
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the cache folder's parent should be")
    with LocalServer() as server:
        server.routes["/story"] = Reply(body=article_html(TITLE, PARAGRAPHS))
        result = cli("analyze", "--no-store", "--sources", "none", "--json", server.url("/story"), home=tmp_path / "home",
                     CROSSCHECK_CACHE_DIR=str(blocker / "cache"))
    assert result.returncode == 0 and json.loads(result.stdout)["article"]["title"] == TITLE, result
    assert "not cached on disk" in _logged(caplog)


def test_a_stored_analysis_is_printed_and_the_rechecks_that_could_not_be_queued_are_said(cli, tmp_path, caplog):  # noqa: F811
    story = tmp_path / "story.txt"
    story.write_text(TEXT, encoding="utf-8")
    blocker = tmp_path / "blocker"
    blocker.write_text("not a folder")
    result = cli("analyze", "--sources", "none", "--db", str(tmp_path / "library.db"), "--json", str(story),
                 home=tmp_path / "home", CROSSCHECK_QUEUE_URL=f"sqlite:///{blocker / 'queue.db'}")
    assert result.returncode == 0, result
    document = json.loads(result.stdout)
    assert Storage(tmp_path / "library.db").get(document["id"]).article.text == TEXT
    assert "re-checks after" in _logged(caplog) and "cannot be opened" in _logged(caplog)


def _limit_file_size() -> None:
    """In the child: files may not grow past 2 kB (as on a full disk), and writing past it fails instead of killing."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (2048, 2048))


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_FSIZE and SIGXFSZ as on Linux")
def test_an_export_that_cannot_be_written_leaves_no_temporary_file(tmp_path):
    library = tmp_path / "library.db"
    Storage(library).save(make_analysis(5, id="big1"))
    out = tmp_path / "out"
    out.mkdir()
    result = run_cli_process("export", "big1", "--format", "md", "-o", str(out / "report.md"), "--db", str(library),
                             home=tmp_path / "home", preexec_fn=_limit_file_size, PYTHONDONTWRITEBYTECODE="1")
    assert result.returncode == 1 and "Cannot write" in result.stderr and "File too large" in result.stderr, result
    assert list(out.iterdir()) == []


def test_keep_readings_is_refused_for_a_model_other_than_techniques(tmp_path):
    """The option writes the technique detector's out-of-fold readings; elsewhere it is a user error, said before any work."""
    result = run_cli_process("eval", "checkworthiness", "--keep-readings", str(tmp_path / "oof.npz"), home=tmp_path)
    assert result.returncode == 1 and "--keep-readings writes the technique detector" in result.stderr, result
    assert not (tmp_path / "oof.npz").exists()
