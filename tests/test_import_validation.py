"""``python -m core import`` trusts nothing it reads (audit item 5): each case of the audit is refused
with a user error that says what is wrong, and a file is stored whole or not at all."""
from __future__ import annotations

import json
import sqlite3
import typing
from dataclasses import replace

import pytest

from core import cli
from core.records import SCHEMA, FactPoint
from core.reports.exports import to_json
from core.settings import get_settings
from core.storage import Storage
from testkit.factories import make_analysis


def good_document(**changes) -> dict:
    document = make_analysis(2, id="good1").to_dict()
    document.update(changes)
    return document


def edited(path: str, value) -> dict:
    """A good document with the field at ``path`` (dots, list indices as numbers) set to ``value``."""
    document = good_document()
    *parents, last = path.split(".")
    target = document
    for part in parents:
        target = target[int(part)] if isinstance(target, list) else target[part]
    if isinstance(target, list):
        target[int(last)] = value
    else:
        target[last] = value
    return document


def run_import(tmp_path, payload: str | bytes, capsys, *extra: str) -> tuple[int, str]:
    path = tmp_path / "import.json"
    path.write_bytes(payload.encode("utf-8", "surrogatepass") if isinstance(payload, str) else payload)
    code = cli.main(["import", str(path), "--db", str(tmp_path / "target.db"), *extra])
    return code, capsys.readouterr().err


def stored(tmp_path) -> list[str]:
    path = tmp_path / "target.db"
    return [s.id for s in Storage(path).summaries()] if path.exists() else []


CASES = {
    "claim offsets out of range": (edited("claims.0.end", 10**6), "outside the article"),
    "claim text not at its offsets": (edited("claims.0.text", "Something the article never says."), "does not match"),
    "span offsets reversed": (edited("techniques.0.spans", [{"start": 5, "end": 2, "text": "", "confidence": 0.5}]),
                              "outside the article"),
    "confidence above 1": (edited("claims.0.verdict_confidence", 1.5), "less than or equal to 1"),
    "confidence as a string": (edited("claims.0.checkworthiness", "0.9"), "valid number"),
    "offset as a float": (edited("claims.0.start", 3.0), "valid integer"),
    "article over the text limit": (edited("article.text", "x" * 200_001), "limit is 200,000"),
    "a megabyte id": (edited("id", "a" * 1_000_000), "id: String should match pattern"),
    "a path as id": (edited("id", "../../../etc/passwd"), "id: String should match pattern"),
    "a path as claim id": (edited("claims.0.id", "../c1"), "String should match pattern"),
    "created_at null": (edited("created_at", None), "created_at: Input should be a valid string"),
    "created_at not a date": (edited("created_at", "yesterday"), "not an ISO-8601"),
    "a list as title": (edited("article.title", ["a", "list"]), "article.title: Input should be a valid string"),
    "unknown technique": (edited("techniques.0.name", "Mind_Control"), "techniques.0.name: Input should be"),
    "unknown verdict": (edited("claims.0.verdict", "true"), "claims.0.verdict: Input should be"),
    "duplicate claim ids": (edited("claims.1.id", "c1"), "two claims have the same id"),
    "schema of another program": (edited("schema", "other/1"), "schema: Input should be"),
}


@pytest.mark.parametrize("document, message", CASES.values(), ids=CASES.keys())
def test_invalid_documents_are_refused_with_a_reason(tmp_path, capsys, document, message):
    code, err = run_import(tmp_path, json.dumps(document), capsys)
    assert code == 1 and err.startswith("error: Item 1 of the file is not a valid") and message in err
    assert len(err.strip().splitlines()) == 1 and stored(tmp_path) == []


@pytest.mark.parametrize(
    "payload, message",
    [
        (json.dumps(good_document()).replace('"checkworthiness": 0.5', '"checkworthiness": NaN'), "NaN is not a number"),
        (json.dumps(good_document()).replace('"checkworthiness": 0.5', '"checkworthiness": Infinity'), "Infinity"),
        (json.dumps(good_document()).replace('"checkworthiness": 0.5', '"checkworthiness": 1e400'), "too large"),
        ("[" * 100_000 + "]" * 100_000, "nests JSON too deeply"),
        (json.dumps(good_document()).replace('"Jane Reporter"', '"Jane \\ud800 Reporter"'), "unable to parse raw data as a unicode string"),
        (b"\xff\xfe{\x00}\x00", "not UTF-8"),
    ],
    ids=["NaN", "Infinity", "1e400", "deep-nesting", "lone-surrogate", "utf-16"],
)
def test_json_that_python_reads_but_no_analysis_holds_is_refused(tmp_path, capsys, payload, message):
    code, err = run_import(tmp_path, payload, capsys)
    assert code == 1 and message in err and len(err.strip().splitlines()) == 1
    assert stored(tmp_path) == []


def test_a_file_with_a_good_and_a_bad_analysis_stores_neither(tmp_path, capsys):
    bad = edited("claims.0.end", 10**6)
    bad["id"] = "bad2"
    code, err = run_import(tmp_path, json.dumps([good_document(), bad]), capsys)
    assert code == 1 and "Item 2" in err
    assert stored(tmp_path) == []


def test_a_valid_export_still_imports_and_round_trips(tmp_path, capsys):
    analyses = [make_analysis(3, id="one1", url="https://a.example/1"), make_analysis(2, id="two2", url="https://b.example/2")]
    code, err = run_import(tmp_path, to_json(analyses), capsys)
    assert code == 0, err
    assert sorted(stored(tmp_path)) == ["one1", "two2"]
    assert Storage(tmp_path / "target.db").get("one1") == analyses[0]
    assert json.loads(to_json(analyses))[0]["schema"] == SCHEMA


def test_the_file_size_is_checked_before_reading(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("CROSSCHECK_MAX_IMPORT_BYTES", "1000")
    get_settings.cache_clear()
    code, err = run_import(tmp_path, to_json([make_analysis(3)]), capsys)
    assert code == 1 and "larger than the 1,000-byte import limit" in err


def corrupt_pages(path) -> None:
    """Overwrite every page after the first two with garbage, as a failing disk would."""
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(path.read_bytes())
    for offset in range(2 * 4096, len(data), 4096):
        data[offset:offset + 4096] = b"\xa5" * 4096
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("command", ["export", "import"])
def test_a_database_with_corrupted_pages_gives_one_line_and_exit_1(tmp_path, capsys, command):
    db = tmp_path / "target.db"
    storage = Storage(db)
    for index in range(6):
        storage.save(make_analysis(20, id=f"a{index}", url=f"https://a.example/{index}"))
    corrupt_pages(db)
    export = tmp_path / "import.json"
    export.write_text(to_json([make_analysis(2, id="new1", url="https://new.example/1")]))
    argv = ["export", "a3", "-f", "json", "-o", str(tmp_path / "out.json")] if command == "export" else ["import", str(export)]
    code = cli.main([*argv, "--db", str(db)])
    err = capsys.readouterr().err
    assert code == 1, err
    assert "damaged or not a Crosscheck database" in err and len(err.strip().splitlines()) == 1


def _shape(value: object, prefix: str = "") -> set[str]:
    """Every key path of a JSON document, list items under ``[]``."""
    if isinstance(value, list):
        return {path for item in value for path in _shape(item, prefix.removesuffix(".") + "[].")}
    if not isinstance(value, dict):
        return set()
    return {f"{prefix}{key}" for key in value} | {path for key, inner in value.items() for path in _shape(inner, f"{prefix}{key}.")}


def _schema_shape(annotation: object, prefix: str = "") -> set[str]:
    """Every key path the document schema's models state (optional fields and lists of models followed)."""
    if typing.get_origin(annotation) is list:
        return {path for inner in typing.get_args(annotation) for path in _schema_shape(inner, prefix.removesuffix(".") + "[].")}
    if typing.get_origin(annotation) is not None:  # X | None
        return {path for inner in typing.get_args(annotation) for path in _schema_shape(inner, prefix)}
    if not hasattr(annotation, "model_fields"):
        return set()
    fields = {info.alias or name: info.annotation for name, info in annotation.model_fields.items()}
    return {f"{prefix}{key}" for key in fields} | {path for key, inner in fields.items()
                                                   for path in _schema_shape(inner, f"{prefix}{key}.")}


def test_the_document_schema_states_every_field_the_records_write():
    """The document's shape is written twice (core.records' to_dict, core.document_schema's models; they differ in
    what they say of each field, not in which fields exist): a field added to one and not the other fails here."""
    from core.document_schema import AnalysisSchema

    analysis = make_analysis(3)
    first = analysis.claims[0]
    # A passage that states one of the claim's figures (the factory's state none): its points' fields are written too.
    stated = replace(first.evidence[0], points=(FactPoint("cost", "€385m", "€412 million", False),))
    analysis = replace(analysis, claims=(replace(first, evidence=(stated, *first.evidence[1:])), *analysis.claims[1:]))
    written = _shape(analysis.to_dict())
    # Written but not checked on import: the label is derived from the name and ignored on reading; web searches are
    # counted since the Claude web source and not yet stated in UsageSchema, so an import ignores their type.
    unchecked = {"techniques[].label", "engine_info.usage.web_searches"}
    assert written - unchecked == _schema_shape(AnalysisSchema)
