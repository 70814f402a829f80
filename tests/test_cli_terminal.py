"""Text from articles, feeds, jobs and imports reaches the terminal without control sequences (issue 30 item 10).

A title can hold ESC sequences (clear the screen, set the window title, a one-byte C1 CSI), a
carriage return that overwrites the line, or a right-to-left override: every command prints
them as \\uXXXX escapes, through one wrapper of stdout and stderr (core/terminal.py).
"""
from __future__ import annotations

import json
import re

from core.cli import main
from core.settings import get_settings
from core.storage import Storage
from core.terminal import terminal_safe
from testkit.factories import make_analysis

HOSTILE = "Council budget \x1b]0;owned\x07\x1b[2J\x9b31m\rFAKE \u202eevil\x00"
# What a terminal would act on: ESC, BEL, C1 controls, CR, NUL, bidirectional overrides.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _printed(capsys) -> str:
    captured = capsys.readouterr()
    return captured.out + captured.err


def _assert_safe(printed: str) -> None:
    assert not _CONTROLS.search(printed), repr(printed)
    assert "\\u001b" in printed and "\\u202eevil" in printed, printed  # shown, as escapes


def test_terminal_safe_escapes_controls_and_keeps_tabs_and_lines():
    assert terminal_safe("a\tb\nc") == "a\tb\nc"
    assert terminal_safe("\x1b[31mred\x1b[0m\r\u202e\x9b") == "\\u001b[31mred\\u001b[0m\\u000d\\u202e\\u009b"
    # In JSON output the escape is the same character: the document keeps its meaning.
    assert json.loads(terminal_safe(json.dumps({"t": "x\x9by\u202e"}, ensure_ascii=False))) == {"t": "x\x9by\u202e"}


def test_import_and_markdown_export_print_titles_without_control_sequences(tmp_path, capsys):
    library = tmp_path / "library.db"
    Storage(library).save(make_analysis(2, id="hostile1", title=HOSTILE))
    assert main(["export", "hostile1", "--format", "md", "-o", "-", "--db", str(library)]) == 0
    _assert_safe(_printed(capsys))
    exported = tmp_path / "export.json"
    assert main(["export", "hostile1", "--format", "json", "-o", str(exported), "--db", str(library)]) == 0
    capsys.readouterr()
    assert main(["import", str(exported), "--db", str(tmp_path / "other.db")]) == 0
    printed = _printed(capsys)
    _assert_safe(printed)
    assert printed.startswith("imported hostile1  Council budget")
    assert main(["export", "hostile1", "--format", "json", "-o", "-", "--db", str(library)]) == 0
    document = json.loads(_printed(capsys))
    assert document["article"]["title"] == HOSTILE  # JSON on stdout: the same text, escaped


def test_jobs_and_feeds_list_print_labels_and_titles_without_control_sequences(capsys):
    storage = Storage(get_settings().database)
    storage.jobs.create("analyze", HOSTILE, {"input": {"kind": "text", "text": "x"}})
    assert main(["jobs"]) == 0
    _assert_safe(_printed(capsys))
    feed = storage.feeds.add("https://news.example/feed.xml")
    storage.feeds.record_poll(feed.id, title=HOSTILE, error=HOSTILE)
    assert main(["feeds", "list"]) == 0
    _assert_safe(_printed(capsys))


def test_coverage_prints_found_titles_and_notes_without_control_sequences(monkeypatch, capsys):
    from core.coverage import finder

    storage = Storage(get_settings().database)
    storage.save(make_analysis(2, id="hostile2"))
    found = finder.Coverage("hostile2", "council budget", (finder.CoverageItem(
        "https://other.example/a", HOSTILE, "other.example", None, "en", None, "gdelt"),), notes=(HOSTILE,))
    monkeypatch.setattr(finder, "find_coverage", lambda *args, **kwargs: found)  # a search answer's title and a note
    assert main(["coverage", "hostile2"]) == 0
    _assert_safe(_printed(capsys))
