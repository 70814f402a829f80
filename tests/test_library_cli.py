"""`python -m core library`: the stored articles listed (as text or JSON, searched), and `library index` / `import
--index` adding the articles not yet in the library index to it, after which the library source finds them."""
from __future__ import annotations

import json

from core.storage import Storage
from testkit.factories import make_analysis
from tests.test_cli import cli  # noqa: F401 (the fixture)

CLAIM = "The city council voted 7 to 2 on Monday to close the Eastside public library."


def _stored(tmp_path) -> Storage:
    store = Storage(tmp_path / "crosscheck.db")
    store.save(make_analysis(id="a1", title="Council closes library", outlet="Gazette", url="https://g.example/1"))
    store.save(make_analysis(id="b1", title="Tram line opens", outlet="Herald", url="https://h.example/1",
                             created_at="2026-11-25T21:00:00+00:00", n_claims=2))
    return store


def test_library_lists_the_stored_articles_newest_first_and_searches_them(cli, tmp_path):  # noqa: F811
    _stored(tmp_path)
    listed = cli("library", home=tmp_path)
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert [line.split()[0] for line in lines] == ["b1", "a1"] and "Tram line opens" in lines[0] and "Herald" in lines[0]
    assert "2 of 2 articles" in listed.stderr
    found = json.loads(cli("library", "--search", "GAZETTE", "--json", home=tmp_path).stdout)
    assert found["total"] == 1 and [(a["id"], a["outlet"], a["claims"]) for a in found["articles"]] == [("a1", "Gazette", 5)]
    limited = json.loads(cli("library", "--limit", "1", "--json", home=tmp_path).stdout)
    assert limited["total"] == 2 and [a["id"] for a in limited["articles"]] == ["b1"]
    assert cli("library", "--limit", "0", home=tmp_path).returncode == 1


def test_library_index_indexes_what_is_not_indexed_and_the_source_then_finds_it(cli, tmp_path):  # noqa: F811
    store = _stored(tmp_path)
    assert store.count_unindexed() == 2
    result = cli("library", "index", home=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "2/2 articles" in result.stderr and "indexed 2 articles" in result.stderr
    assert store.count_unindexed() == 0 and store.indexed_sentences("https://g.example/1")
    hits = store.search_library(["council", "roads"], exclude_key="https://h.example/1", exclude_text_hash="", limit=5)
    assert hits and {h.analysis_id for h in hits} == {"a1"}
    again = cli("library", "index", home=tmp_path)
    assert again.returncode == 0 and "already indexed" in again.stderr


def test_import_with_index_makes_the_imported_articles_searchable(cli, tmp_path):  # noqa: F811
    exported = tmp_path / "export.json"
    imported = make_analysis(id="imp1", url="https://i.example/1", claims=[CLAIM])
    exported.write_text(json.dumps([imported.to_dict()]), encoding="utf-8")
    result = cli("import", str(exported), "--index", home=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "imported imp1" in result.stdout and "indexed 1 article" in result.stderr and "1 articles" not in result.stderr.replace("1/1 articles", "")
    store = Storage(tmp_path / "crosscheck.db")
    hits = store.search_library(["eastside"], exclude_key="", exclude_text_hash="", limit=5)
    assert [(h.article_key, h.analysis_id) for h in hits] == [("https://i.example/1", "imp1")]
