"""Fuzzing the two entry points that take untrusted input, `import` and `analyze` (audit item 6).

Hypothesis generates hostile and unlucky inputs: documents with one field replaced by any JSON value or
removed, arbitrary bytes as an import file or an article file, arbitrary text after ``http://``, and
text in several encodings long enough to reach the local engine. Every run must end as the CLI promises:
exit 0, or exit 1 with one line on stderr; never "unexpected" (exit 2) and never a traceback. The number
of examples is fixed, so the whole module takes well under a minute on two cores.
"""
from __future__ import annotations

import contextlib
import io
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from core import cli
from core.settings import get_settings
from testkit.articles import TEXT
from testkit.factories import make_analysis

def fuzz(examples: int) -> settings:
    return settings(max_examples=examples, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=40),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)


def run(argv: list[str], stdin: bytes = b"") -> tuple[int, str]:
    """``python -m core ARGV`` in this process: its exit code and what it wrote to stderr."""
    err = io.StringIO()
    real_stdin = sys.stdin
    sys.stdin = io.TextIOWrapper(io.BytesIO(stdin))
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            code = cli.main(argv)
    finally:
        sys.stdin = real_stdin
    return code, err.getvalue()


def assert_handled(code: int, err: str) -> None:
    assert "error: unexpected " not in err and "Traceback" not in err, err
    assert err.isprintable() or err.endswith("\n") and err[:-1].isprintable(), repr(err)
    assert code in (0, 1), err
    if code == 1:
        assert err.startswith("error: ") and len(err.strip().splitlines()) == 1, err


def paths_of(value: Any, prefix: tuple = ()) -> list[tuple]:
    """Every place in a JSON value: the keys and indices that lead to it."""
    found = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            found += paths_of(child, prefix + (key,))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += paths_of(child, prefix + (index,))
    return found


def mutated(document: dict, path: tuple, replacement: Any, remove: bool) -> Any:
    if not path:
        return replacement
    parent = document
    for step in path[:-1]:
        parent = parent[step]
    if remove and isinstance(parent, dict):
        del parent[path[-1]]
    else:
        parent[path[-1]] = replacement
    return document


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    """No URL may be fetched: the fuzzer's hosts would be looked up in DNS. Addresses are still parsed first."""
    monkeypatch.setenv("CROSSCHECK_OFFLINE", "true")
    get_settings.cache_clear()


@fuzz(250)
@given(data=st.data(), replacement=json_values, remove=st.booleans())
def test_import_of_a_document_with_one_field_changed(data, replacement, remove):
    document = make_analysis(2, id="fuzz1").to_dict()
    path = data.draw(st.sampled_from(paths_of(document)))
    payload = json.dumps(mutated(document, path, replacement, remove))
    with tempfile.TemporaryDirectory() as folder:
        file = Path(folder) / "import.json"
        file.write_text(payload, encoding="utf-8")
        assert_handled(*run(["import", str(file), "--db", str(Path(folder) / "fuzz.db")]))


@fuzz(150)
@given(payload=st.binary(max_size=400) | st.text(max_size=400).map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_import_of_arbitrary_bytes(payload):
    with tempfile.TemporaryDirectory() as folder:
        file = Path(folder) / "import.json"
        file.write_bytes(payload)
        assert_handled(*run(["import", str(file), "--db", str(Path(folder) / "fuzz.db")]))
        assert_handled(*run(["import", "-", "--db", str(Path(folder) / "fuzz.db")], stdin=payload))


@fuzz(300)
@given(scheme=st.sampled_from(["http://", "https://", "HTTP://", "http://[", "https://user:pw@"]), rest=st.text(max_size=80))
@example(scheme="http://", rest="\r0")  # found by this test: the carriage return split the error over two lines
@example(scheme="http://", rest="x\x1b[31m.example/")  # a terminal escape sequence must not reach stderr as one
def test_analyze_any_address(scheme, rest):
    assert_handled(*run(["analyze", scheme + rest, "--no-store", "--sources", "none"]))


@fuzz(120)
@given(payload=st.binary(max_size=600), suffix=st.sampled_from([".txt", ".html", ".htm"]))
def test_analyze_arbitrary_file_bytes(payload, suffix):
    with tempfile.TemporaryDirectory() as folder:
        file = Path(folder) / f"article{suffix}"
        file.write_bytes(payload)
        assert_handled(*run(["analyze", str(file), "--no-store", "--sources", "none"]))


@fuzz(12)
@given(
    noise=st.text(min_size=1, max_size=60),
    where=st.integers(min_value=0, max_value=len(TEXT)),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "cp1252", "latin-1"]),
)
def test_analyze_an_article_with_noise_in_any_encoding(noise, where, encoding):
    """Long enough to reach the local engine; anything the encoding cannot hold makes the bytes arbitrary."""
    text = TEXT[:where] + noise + TEXT[where:]
    payload = text.encode(encoding, errors="surrogatepass") if encoding.startswith("utf") else text.encode(encoding, errors="replace")
    assert_handled(*run(["analyze", "-", "--no-store", "--sources", "none", "--json"], stdin=payload))
