"""``export`` and ``import`` subcommands, on a real database in a temporary folder."""
from __future__ import annotations

import json
import zipfile

import pypdf
import pytest

from core.cli import build_parser
from core.errors import ImportFileError, InputError, NotFoundError, StorageError
from core.reports import fonts
from core.storage import EvidenceQuery, Storage
from testkit.factories import make_analysis


def _run(*argv: str) -> int:
    args = build_parser().parse_args(list(argv))
    return args.func(args)


@pytest.fixture()
def db(tmp_path):
    path = tmp_path / "cc.db"
    storage = Storage(path)
    for index in range(3):
        storage.save(make_analysis(4, id=f"id{index}", title=f"Article {index}", url=f"https://news.example/{index}", seed=index))
    return path


def test_json_export_then_import_into_another_database_is_lossless(db, tmp_path):
    out = tmp_path / "export.json"
    assert _run("export", "id0", "id2", "--format", "json", "-o", str(out), "--db", str(db)) == 0
    assert [d["id"] for d in json.loads(out.read_text())] == ["id0", "id2"]
    other = tmp_path / "other.db"
    assert _run("import", str(out), "--db", str(other)) == 0
    source, target = Storage(db), Storage(other)
    assert target.get("id0") == source.get("id0") and target.get("id2") == source.get("id2")
    assert [s.id for s in target.summaries()] and target.evidence_page(EvidenceQuery()).total == 2 * 4 * 2


def test_import_refuses_ids_already_stored_and_imports_nothing(db, tmp_path):
    out = tmp_path / "export.json"
    _run("export", "id0", "--format", "json", "-o", str(out), "--db", str(db))
    fresh = make_analysis(1, id="brand-new")
    document = [json.loads(out.read_text()), fresh.to_dict()]
    out.write_text(json.dumps(document))
    with pytest.raises(StorageError, match="Already stored: id0"):
        _run("import", str(out), "--db", str(db))
    with pytest.raises(NotFoundError):
        Storage(db).get("brand-new")  # all or nothing


def test_import_with_new_ids_keeps_both_copies(db, tmp_path, capsys):
    out = tmp_path / "export.json"
    _run("export", "id1", "--format", "json", "-o", str(out), "--db", str(db))
    assert _run("import", str(out), "--new-ids", "--db", str(db)) == 0
    new_id = capsys.readouterr().out.split("imported ")[1].split()[0]
    assert new_id != "id1"
    storage = Storage(db)
    assert storage.get(new_id).claims == storage.get("id1").claims


def test_import_rejects_a_file_that_is_not_an_export(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"hello": 1}')
    with pytest.raises(ImportFileError):
        _run("import", str(bad), "--db", str(tmp_path / "x.db"))


def test_csv_export_is_a_zip_of_claims_and_evidence(db, tmp_path):
    out = tmp_path / "claims.zip"
    _run("export", "id0", "id1", "--format", "csv", "-o", str(out), "--db", str(db))
    with zipfile.ZipFile(out) as archive:
        claims = archive.read("claims.csv").decode("utf-8-sig").splitlines()
        evidence = archive.read("evidence.csv").decode("utf-8-sig").splitlines()
    assert len(claims) == 1 + 8 and len(evidence) == 1 + 16


def test_markdown_to_stdout_with_comparison(db, capsys):
    _run("export", "id0", "id1", "--format", "md", "-o", "-", "--db", str(db))
    text = capsys.readouterr().out
    assert "## Shared claims" in text and "Article 0" in text and "Article 1" in text


def test_a_comparison_of_indexed_analyses_exports_without_the_model(tmp_path, capsys, monkeypatch):
    """Claims the library index holds are compared with its vectors: the export loads no model (issue 29)."""
    from core.sources.library import index_sentences

    def no_model():
        raise AssertionError("the export loaded the sentence model")

    monkeypatch.setattr("core.compare._default_encoder", no_model)
    storage = Storage(tmp_path / "indexed.db")
    for index in range(2):
        analysis = make_analysis(3, id=f"ix{index}", title=f"Indexed {index}", url=f"https://news.example/ix{index}")
        storage.save(analysis, index=index_sentences(analysis.article))
    assert _run("export", "ix0", "ix1", "--format", "md", "-o", "-", "--db", str(tmp_path / "indexed.db")) == 0
    text = capsys.readouterr().out
    assert "## Shared claims" in text and "Claim number 3" in text


def test_pdf_export_single_and_comparison(db, tmp_path):
    if fonts.find_font(fonts.DEJAVU_REGULAR) is None:
        pytest.skip("DejaVu fonts missing")
    single, comparison = tmp_path / "one.pdf", tmp_path / "cmp.pdf"
    _run("export", "id0", "--format", "pdf", "-o", str(single), "--no-charts", "--db", str(db))
    _run("export", "id0", "id1", "id2", "--format", "pdf", "-o", str(comparison), "--no-charts", "--db", str(db))
    one = " ".join(p.extract_text() for p in pypdf.PdfReader(single).pages)
    many = " ".join(p.extract_text() for p in pypdf.PdfReader(comparison).pages)
    assert "Article 0" in one and "Comparison of 3 articles" not in one
    assert "Comparison of 3 articles" in many


def test_export_errors(db, tmp_path):
    with pytest.raises(NotFoundError):
        _run("export", "nope", "--format", "json", "-o", str(tmp_path / "x.json"), "--db", str(db))
    with pytest.raises(InputError, match="binary"):
        _run("export", "id0", "--format", "pdf", "-o", "-", "--db", str(db))
    with pytest.raises(InputError, match="twice"):
        _run("export", "id0", "id0", "--format", "json", "-o", str(tmp_path / "x.json"), "--db", str(db))
    storage = Storage(db)
    for index in range(3, 7):
        storage.save(make_analysis(1, id=f"id{index}"))
    with pytest.raises(InputError, match="2 to 6"):
        _run("export", *[f"id{i}" for i in range(7)], "--format", "pdf", "-o", str(tmp_path / "x.pdf"), "--db", str(db))
    assert not (tmp_path / "x.pdf").exists()


def test_export_replaces_the_file_atomically(db, tmp_path):
    out = tmp_path / "report.json"
    out.write_text("old")
    _run("export", "id0", "--format", "json", "-o", str(out), "--db", str(db))
    assert json.loads(out.read_text())["id"] == "id0"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".report")] == []
