"""JSON, CSV and Markdown exports: lossless round trip, joinable CSV, safe Markdown."""
from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from dataclasses import replace

import pytest

from core.figures.theme import DISCLAIMER
from core.compare import shared_claims
from core.ml.loading import assess_techniques
from core.records import SCHEMA, Analysis, Evidence, SourceType, Stance
from core.ml.reference import NewsReference
from core.errors import ImportFileError
from core.reports.exports import (
    CLAIM_COLUMNS,
    EVIDENCE_COLUMNS,
    TECHNIQUE_COLUMNS,
    to_csv_claims,
    to_csv_evidence,
    to_csv_techniques,
    to_csv_zip,
    to_json,
    to_markdown,
)
from core.storage.imports import read_export
from testkit.factories import make_analysis, v1_document

UNICODE_TITLE = "Правительство 政府宣布 الحكومة: ✔ \"quoted\" & <b>"


def test_json_round_trip_is_lossless_for_one_and_several():
    one = make_analysis(12, title=UNICODE_TITLE, partial=True, warnings=("wikipedia: timed out",), engine="claude")
    assert read_export(to_json([one])) == [one]
    assert json.loads(to_json([one]))["schema"] == SCHEMA  # one analysis: a bare document
    several = [one, make_analysis(3, id="other", seed=4)]
    document = json.loads(to_json(several))
    assert isinstance(document, list) and len(document) == 2
    assert read_export(to_json(several)) == several


def test_json_keeps_unicode_readable():
    assert "Правительство" in to_json([make_analysis(title=UNICODE_TITLE)])


def test_read_export_reads_json_lines():
    analyses = [make_analysis(2, id="x"), make_analysis(2, id="y")]
    lines = "\n".join(json.dumps(a.to_dict()) for a in analyses) + "\n"
    assert read_export(lines) == analyses


@pytest.mark.parametrize("text, message", [
    ("not json at all", "not JSON"),
    ('{"schema": "other/1"}', "not a valid"),
    ('{"schema": "crosscheck.analysis/1", "id": "x"}', "engine: Field required"),
    ('[1, 2]', "not a crosscheck"),
    ('[]', "no analyses"),
    ('{"source": "https://x.example", "error": "boom"}', "failed analysis"),
])
def test_read_export_rejects_bad_input_with_a_clear_message(text, message):
    with pytest.raises(ImportFileError, match=message):
        read_export(text)


def _read_csv(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_claims_and_evidence_join_on_analysis_and_claim_ids():
    analyses = [make_analysis(4, id="first"), make_analysis(3, id="second", n_evidence=3)]
    claims = _read_csv(to_csv_claims(analyses))
    evidence = _read_csv(to_csv_evidence(analyses))
    assert tuple(claims[0]) == CLAIM_COLUMNS and tuple(evidence[0]) == EVIDENCE_COLUMNS
    assert len(claims) == 7 and len(evidence) == 4 * 2 + 3 * 3
    keys = {(c["analysis_id"], c["claim_id"]) for c in claims}
    assert {(e["analysis_id"], e["claim_id"]) for e in evidence} <= keys
    for row in claims:
        matching = [e for e in evidence if (e["analysis_id"], e["claim_id"]) == (row["analysis_id"], row["claim_id"])]
        assert len(matching) == int(row["evidence_count"])
    first = claims[0]
    assert first["verdict"] == analyses[0].claims[0].verdict.value
    assert first["claim"] == analyses[0].claims[0].text
    assert first["engine"] == "local" and first["partial"] == "false"


def test_csv_neutralises_spreadsheet_formulas_but_keeps_text():
    analysis = make_analysis(claims=["=HYPERLINK(\"http://evil.example\",\"click\")", "Plain claim, with comma"])
    claims = _read_csv(to_csv_claims([analysis]))
    assert claims[0]["claim"].startswith("'=HYPERLINK")
    assert claims[1]["claim"] == "Plain claim, with comma"


def test_csv_zip_holds_the_three_tables_with_bom():
    analysis = make_analysis(3, title=UNICODE_TITLE)
    with zipfile.ZipFile(io.BytesIO(to_csv_zip([analysis]))) as archive:
        assert sorted(archive.namelist()) == ["claims.csv", "evidence.csv", "techniques.csv"]
        claims = archive.read("claims.csv").decode("utf-8")
    assert claims.startswith("\ufeff")
    assert _read_csv(claims.lstrip("\ufeff"))[0]["article_title"] == UNICODE_TITLE


def test_techniques_csv_lists_found_techniques_first_with_their_strength_against_ordinary_news():
    analyses = [make_analysis(2, id="a"), make_analysis(2, id="b", seed=3)]
    rows = _read_csv(to_csv_techniques(analyses))
    assert list(rows[0]) == list(TECHNIQUE_COLUMNS)
    assert len(rows) == 28
    for analysis in analyses:
        mine = [r for r in rows if r["analysis_id"] == analysis.id]
        found = analysis.found_techniques()
        assert [r["technique"] for r in mine[:len(found)]] == [t.name for t in found]
        assert all(r["found"] == "true" for r in mine[:len(found)]) and all(r["found"] == "false" for r in mine[len(found):])
        first = found[0]
        assert float(mine[0]["strength"]) == first.strength and float(mine[0]["percentile_vs_ordinary_news"]) == first.percentile
        assert float(mine[0]["persuasion_score"]) == analysis.persuasion.score
    claude = replace(analyses[0], persuasion=None, techniques=tuple(replace(t, percentile=None) for t in analyses[0].techniques))
    assert {r["percentile_vs_ordinary_news"] for r in _read_csv(to_csv_techniques([claude]))} == {""}


def test_version_1_documents_are_read_and_upgraded():
    analysis = make_analysis(3, id="old")
    document = v1_document(analysis)
    upgraded = read_export(json.dumps(document), assess=assess_techniques)[0]
    reference = NewsReference()
    expected, persuasion = reference.assess(analysis.article.text, [replace(t, strength=0.0, percentile=None, found=False)
                                                                    for t in analysis.techniques])
    assert upgraded.techniques == expected and upgraded.persuasion == persuasion
    assert upgraded.claims == analysis.claims and upgraded.article == analysis.article
    with_spans = [t for t in upgraded.techniques if t.spans]
    assert with_spans and all(t.strength > 0 and t.percentile is not None for t in with_spans)
    assert all(t.strength == 0 and not t.found for t in upgraded.techniques if not t.spans)


def test_version_1_documents_without_technique_figures_stay_without_them():
    failed_read = v1_document(replace(make_analysis(2, id="unread"), techniques=()))
    german = v1_document(make_analysis(2, id="de", language="de"))
    unread, upgraded_german = read_export(json.dumps([failed_read, german]), assess=assess_techniques)
    assert unread.persuasion is None and unread.techniques == ()
    assert upgraded_german.persuasion is None and not upgraded_german.found_techniques()
    assert any("This article is in German" in w for w in upgraded_german.warnings)


def test_version_1_claude_documents_mark_nothing_found_and_say_why():
    document = v1_document(make_analysis(2, id="old", engine="claude"))
    upgraded = read_export(json.dumps([document]), assess=assess_techniques)[0]
    assert not upgraded.found_techniques() and upgraded.persuasion is None
    assert any("Re-run the analysis" in w for w in upgraded.warnings)


def test_version_1_documents_are_refused_without_the_upgrade_and_load_no_model(monkeypatch):
    """Reading documents never loads a model: a /1 document is read only where the caller passes the measuring."""
    from core.ml import loading

    def no_model():
        raise AssertionError("reading a document loaded the news reference")

    monkeypatch.setattr(loading, "news_reference", no_model)
    with pytest.raises(ImportFileError, match="read only by an import"):
        read_export(json.dumps(v1_document(make_analysis(2, id="old"))))


def test_markdown_shows_found_techniques_with_their_strength_against_ordinary_news():
    analysis = make_analysis(2)
    text = to_markdown([analysis])
    found = analysis.found_techniques()[0]
    assert f"| {found.label} | ● found | stronger than all ordinary news in the reference | {found.strength:.1f} |" in text
    other = next(t for t in analysis.techniques if not t.found)
    assert f"| {other.label} | – | stronger than {other.percentile:.0%} of ordinary news".replace("%", " %") in text
    assert "**Persuasive language:**" in text and "stronger than 90 % of ordinary news" in text


def test_markdown_has_every_claim_engine_sources_warnings_and_disclaimer():
    analysis = make_analysis(6, partial=True, warnings=("wikipedia: timed out",))
    text = to_markdown([analysis])
    assert text.count(DISCLAIMER) == 2
    for claim in analysis.claims:
        assert claim.text in text
    assert "**Engine:** local" in text and "library (ok), wikipedia (failed)" in text
    assert "PARTIAL" in text and "wikipedia: timed out" in text
    assert "[Source 0 for claim 1](<https://www.example0.org/news/1-0>)" in text


def test_markdown_escapes_untrusted_text_and_links_only_http():
    evil = "<script>alert(1)</script> | [click](javascript:alert(1))"
    analysis = make_analysis(claims=[evil])
    bad_source = Evidence(SourceType.WEB, "Bad link", "javascript:alert(1)", None, "snippet", Stance.NEUTRAL, 0.5)
    claim = replace(analysis.claims[0], evidence=(bad_source,))
    text = to_markdown([replace(analysis, article=replace(analysis.article, title=evil), claims=(claim,))])
    assert "<script>" not in text and "&lt;script&gt;" in text
    assert not re.search(r"(?<!\\)\]\(<?javascript:", text)  # no live link; escaped brackets are plain text
    assert "\\[click\\]" in text


def test_markdown_comparison_lists_shared_claims():
    a = make_analysis(id="a", title="Paper A", claims=["The minister resigned after the corruption scandal."])
    b = make_analysis(id="b", title="Paper B", claims=["Following the corruption scandal, the minister stepped down."])
    text = to_markdown([a, b], comparison=shared_claims([a, b]))
    assert "## Shared claims" in text and "### Shared claim 1 (verdicts agree)" in text
    assert "| Paper B | Following the corruption scandal, the minister stepped down. |" in text
    assert text.startswith("# Crosscheck report: 2 articles")


def test_export_bytes_covers_every_format_with_mime_and_suffix():
    from core.errors import InputError
    from core.reports.exports import FILE_SUFFIXES, FORMATS, MIME_TYPES, export_bytes

    assert set(FORMATS) == set(MIME_TYPES) == set(FILE_SUFFIXES)
    analyses = [make_analysis(2, id="a"), make_analysis(2, id="b")]
    assert read_export(export_bytes(analyses, "json").decode()) == analyses
    assert export_bytes(analyses, "csv").startswith(b"PK")
    assert b"## Shared claims" in export_bytes(analyses, "md")
    assert b"## Shared claims" not in export_bytes(analyses[:1], "md")
    with pytest.raises(InputError):
        export_bytes(analyses, "docx")
    with pytest.raises(InputError):
        export_bytes([], "json")


def test_reports_say_which_evidence_counted_and_give_unverified_claims_no_confidence():
    from core.verdict import COUNTED, NOT_COUNTED

    analysis = make_analysis(5)
    rows = list(csv.DictReader(io.StringIO(to_csv_evidence([analysis]))))
    decisive = {r["decisive"] for r in rows}
    assert decisive == {"true", "false"}
    for row, evidence in zip(rows, (e for c in analysis.claims for e in c.evidence)):
        assert row["decisive"] == str(evidence.decisive).lower()
        if evidence.stance == Stance.NEUTRAL:
            assert row["verdict_note"] == ""
        elif evidence.decisive:
            assert row["verdict_note"] == COUNTED
        else:  # the reason stored with the passage where its stance was judged
            assert row["verdict_note"] == evidence.reason
            if evidence.stance == Stance.SUPPORTS:  # the factory's passages leave out their claims' figures
                assert row["verdict_note"].startswith("not counted: does not mention ")
    # A document stored before passages kept their reason reads the generic one.
    document = analysis.to_dict()
    for claim in document["claims"]:
        for item in claim["evidence"]:
            del item["reason"]
    older = Analysis.from_dict(document)
    notes = {r["verdict_note"] for r in csv.DictReader(io.StringIO(to_csv_evidence([older])))}
    assert notes == {"", COUNTED, NOT_COUNTED}
    claims = list(csv.DictReader(io.StringIO(to_csv_claims([analysis]))))
    assert all(r["verdict_confidence"] == "" for r in claims if r["verdict"] == "unverified")
    markdown = to_markdown([analysis])
    assert COUNTED in markdown and "not counted: " in markdown
    unverified = next(c for c in analysis.claims if c.assessment.confidence is None)
    assert re.search(rf"## {unverified.id} · [^\n(]*\n", markdown)  # no "(…%)" after an unverified verdict
