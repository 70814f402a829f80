"""Analyst review in the database (SQLite and a real PostgreSQL): decisions beside the machine, notes, marks, the log,
agreement per component, and an upgrade of a database with analyses in it from 0007."""
from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest

from core.errors import NotFoundError, ReviewError
from core.review import REVIEW_SCHEMA, Target, passage_target, stance_target, training_line, verdict_target
from core.storage import Storage
from core.storage import database as database_module
from testkit.factories import make_analysis
from tests.test_storage import HEAD
from tests.test_storage_upgrades import save_as_before_0011

PASSAGE = "Bandwagon,Reductio_ad_hitlerum"  # the first technique make_analysis gives a passage


def _reviewed_store(database_url: str) -> tuple[Storage, object]:
    store = Storage(database_url)
    analysis = make_analysis(id="a1")  # c1 corroborated, c2 single source; Bandwagon,Reductio_ad_hitlerum has a passage
    store.save(analysis)
    return store, analysis


def test_an_override_keeps_the_machine_value_beside_the_analysts(database_url):
    store, analysis = _reviewed_store(database_url)
    store.reviews.decide(analysis, verdict_target("c2"), "contradicted", reviewer="Ana", reason="The ministry denied it.")
    review = store.reviews.get("a1")
    (decision,) = review.decisions
    assert (decision.machine_value, decision.analyst_value, decision.reviewer) == ("single_source", "contradicted", "Ana")
    assert not decision.confirmed and decision.reason == "The ministry denied it."
    assert store.get("a1") == analysis  # the stored document is the machine's, untouched
    (line,) = review.activity
    assert (line.who, line.action, line.why) == ("Ana", "overridden", "The ministry denied it.")
    assert "single source → contradicted" in line.what


def test_a_second_decision_replaces_the_first_and_both_are_logged(database_url):
    store, analysis = _reviewed_store(database_url)
    store.reviews.decide(analysis, verdict_target("c1"), "disputed", reviewer="Ana", reason="Sources conflict.")
    store.reviews.decide(analysis, verdict_target("c1"), "corroborated", reviewer="Ben")
    review = store.reviews.get("a1")
    assert [(d.analyst_value, d.reviewer, d.confirmed) for d in review.decisions] == [("corroborated", "Ben", True)]
    assert [a.action for a in review.activity] == ["overridden", "confirmed"]
    store.reviews.withdraw(analysis, verdict_target("c1"), reviewer="Ben")
    assert store.reviews.get("a1").decisions == () and store.reviews.get("a1").activity[-1].action == "withdrawn"


def test_reviews_are_refused_without_a_name_a_reason_or_a_real_target(database_url):
    store, analysis = _reviewed_store(database_url)
    with pytest.raises(ReviewError, match="name"):
        store.reviews.decide(analysis, verdict_target("c1"), "corroborated", reviewer="  ")
    with pytest.raises(ReviewError, match="reason"):
        store.reviews.decide(analysis, stance_target("c1", 0), "refutes", reviewer="Ana")
    with pytest.raises(ReviewError, match="no claim"):
        store.reviews.decide(analysis, verdict_target("c99"), "corroborated", reviewer="Ana")
    with pytest.raises(ReviewError, match="evidence item 3"):
        store.reviews.decide(analysis, stance_target("c1", 2), "refutes", reviewer="Ana", reason="x")
    with pytest.raises(ReviewError, match="not a verdict value"):
        store.reviews.decide(analysis, verdict_target("c1"), "true", reviewer="Ana", reason="x")
    with pytest.raises(NotFoundError):
        store.reviews.add_note("missing", "a note", author="Ana")
    assert store.reviews.get("a1").activity == ()


def test_deleting_an_analysis_leaves_a_record_with_its_review(database_url):
    """Issue 30, item 6: a deletion took the decisions, notes, mark and log with it and left no trace of who deleted."""
    store, analysis = _reviewed_store(database_url)
    store.save(make_analysis(id="a2", created_at="2026-11-30T00:00:00+00:00"))  # a later run of the same article
    store.reviews.decide(analysis, verdict_target("c2"), "contradicted", reviewer="Ana", reason="Denied.")
    store.reviews.add_note("a1", "Ask the desk.", author="Ana")
    store.reviews.mark_reviewed("a1", reviewer="Ana")
    for nobody in ("", "\u200b"):
        with pytest.raises(ReviewError, match="Deleting an analysis needs the analyst's name"):
            store.delete("a1", deleted_by=nobody)
    assert len(store.summaries(latest_only=False)) == 2 and store.reviews.deletions() == []
    store.delete("a1", deleted_by="Ben")
    (record,) = store.reviews.deletions()
    assert (record.analysis_id, record.deleted_by, record.title) == ("a1", "Ben", analysis.article.title)
    assert record.article_url == analysis.article.url and record.deleted_at
    review = record.review
    assert [(d["analyst"], d["reason"], d["reviewer"]) for d in review["decisions"]] == [("contradicted", "Denied.", "Ana")]
    assert [n["text"] for n in review["notes"]] == ["Ask the desk."] and review["reviewed_by"] == "Ana"
    assert [a["action"] for a in review["activity"]] == ["overridden", "note", "reviewed"]
    assert store.delete_article(analysis.article.url, deleted_by="Cleo") == 1
    assert [(r.analysis_id, r.deleted_by, r.review["decisions"]) for r in store.reviews.deletions()] == [
        ("a2", "Cleo", []), ("a1", "Ben", review["decisions"])]


INVISIBLE = ["\u200b\u200b", "\u2800", "\u3164", "\x00", "\u202e", " \ufeff\u2060 \u00ad", "\u034f"]


@pytest.mark.parametrize("blank", INVISIBLE, ids=["zero-width", "braille-blank", "hangul-filler", "nul", "rlo", "mixed",
                                                  "grapheme-joiner"])
def test_a_name_reason_or_note_of_invisible_characters_is_not_given(database_url, blank):
    """Issue 30, item 6: a reason or name that shows nothing counted as given."""
    store, analysis = _reviewed_store(database_url)
    with pytest.raises(ReviewError, match="name"):
        store.reviews.decide(analysis, verdict_target("c1"), "corroborated", reviewer=blank)
    with pytest.raises(ReviewError, match="needs a reason"):
        store.reviews.decide(analysis, verdict_target("c2"), "contradicted", reviewer="Ana", reason=blank)
    with pytest.raises(ReviewError, match="empty"):
        store.reviews.add_note("a1", blank, author="Ana")
    assert store.reviews.get("a1").activity == ()
    store.reviews.decide(analysis, verdict_target("c2"), "contradicted", reviewer=f"{blank}Ana{blank}",
                         reason=f"{blank}Denied.\x00")
    (decision,) = store.reviews.get("a1").decisions
    assert (decision.reviewer, decision.reason) == ("Ana", "Denied.")


def test_notes_marks_and_agreement_per_component(database_url):
    store, analysis = _reviewed_store(database_url)
    reviews = store.reviews
    reviews.decide(analysis, verdict_target("c1"), "corroborated", reviewer="Ana")
    reviews.decide(analysis, verdict_target("c2"), "contradicted", reviewer="Ana", reason="Denied.")
    reviews.decide(analysis, stance_target("c1", 0), analysis.claims[0].evidence[0].stance.value, reviewer="Ana")
    reviews.decide(analysis, passage_target(PASSAGE, 0), "none", reviewer="Ana", reason="No authority cited.")
    reviews.add_note("a1", "Check the budget table.", author="Ana", claim_id="c2")
    reviews.add_note("a1", "Opinion piece.", author="Ben")
    reviews.mark_reviewed("a1", reviewer="Ben")
    review = reviews.get("a1")
    assert [n.text for n in review.notes_on("c2")] == ["Check the budget table."]
    assert [n.author for n in review.notes_on()] == ["Ben"]
    assert (review.reviewed_by, bool(review.reviewed_at)) == ("Ben", True)
    assert {a.component: (a.confirmed, a.overridden, a.rate) for a in reviews.agreement()} == {
        "verdict": (1, 1, 0.5), "stance": (1, 0, 1.0), "technique": (0, 1, 0.0)}
    assert reviews.reviewed_count() == 1
    reviews.mark_reviewed("a1", reviewer="Ben", reviewed=False)
    assert reviews.get("a1").reviewed_by is None and reviews.reviewed_count() == 0
    store.delete("a1", deleted_by="Ben")  # the review's rows go with the analysis; the deletion's record keeps it
    assert reviews.get("a1").empty


def test_review_export_lines_carry_the_labelled_text(database_url):
    store, analysis = _reviewed_store(database_url)
    store.reviews.decide(analysis, stance_target("c1", 1), "neutral", reviewer="Ana", reason="Off topic.")
    store.reviews.decide(analysis, passage_target(PASSAGE, 0), "Loaded_Language", reviewer="Ana",
                         reason="Emotive words, no authority.")
    lines = {d.target.component: training_line(store.get(i), d) for i, d in store.reviews.decisions()}
    stance = lines["stance"]
    assert stance["schema"] == REVIEW_SCHEMA and stance["label"] == "neutral" and stance["claim"] == analysis.claims[0].text
    assert stance["evidence"] == analysis.claims[0].evidence[1].snippet and stance["machine_label"] != "neutral"
    span = analysis.techniques[2].spans[0]
    assert (lines["technique"]["passage"], lines["technique"]["start"], lines["technique"]["label"]) == (
        span.text, span.start, "Loaded_Language")


def test_target_keys_round_trip():
    for target in (verdict_target("c1"), stance_target("c-2", 3), passage_target("Whataboutism,Straw_Men,Red_Herring", 0)):
        assert Target.from_key(target.key) == target


def test_a_database_with_analyses_at_0007_upgrades_and_keeps_its_reviews(database_url, monkeypatch):
    """The upgrade a running team makes: analyses stored at 0007, this version opens it, analysts review, it reopens."""
    upgrade = database_module.command.upgrade
    monkeypatch.setattr(database_module.command, "upgrade", lambda config, _head: upgrade(config, "0007"))
    save_as_before_0011(monkeypatch)
    old = Storage(database_url)
    assert old.schema_version == "0007"
    analysis = make_analysis(id="a1")
    old.save(analysis)
    old.save(make_analysis(id="b1", url="https://b.example/1"))
    old.database.dispose()
    monkeypatch.undo()

    upgraded = Storage(database_url)
    assert upgraded.schema_version == HEAD
    assert upgraded.get("a1") == analysis and upgraded.count() == 2
    upgraded.reviews.decide(analysis, verdict_target("c2"), "contradicted", reviewer="Ana", reason="Denied.")
    upgraded.reviews.add_note("a1", "Ask the desk.", author="Ana")
    upgraded.reviews.mark_reviewed("a1", reviewer="Ana")
    upgraded.database.dispose()

    reopened = Storage(database_url)
    review = reopened.reviews.get("a1")
    assert [(d.machine_value, d.analyst_value) for d in review.decisions] == [("single_source", "contradicted")]
    assert [n.text for n in review.notes] == ["Ask the desk."] and review.reviewed_by == "Ana"
    assert len(review.activity) == 3 and reopened.reviews.get("b1").empty


# ---------------------------------------------------------------- exports show the machine and the analyst

def _review_of(store: Storage, analysis) -> dict:
    store.reviews.decide(analysis, verdict_target("c2"), "contradicted", reviewer="Ana", reason="The ministry denied it.")
    store.reviews.decide(analysis, stance_target("c1", 0), "refutes", reviewer="Ana", reason="It says the opposite.")
    store.reviews.decide(analysis, passage_target(PASSAGE, 0), "none", reviewer="Ben", reason="Nobody is invoked.")
    store.reviews.add_note("a1", "Follow up with the council.", author="Ana", claim_id="c2")
    store.reviews.add_note("a1", "An opinion column.", author="Ben")
    store.reviews.mark_reviewed("a1", reviewer="Ben")
    return store.reviews.get_many(["a1"])


def test_json_export_adds_a_review_block_and_keeps_the_machines_document(tmp_path):
    from core.reports.exports import export_bytes
    from core.storage.imports import read_export

    store, analysis = _reviewed_store(str(tmp_path / "db.sqlite"))
    reviews = _review_of(store, analysis)
    document = json.loads(export_bytes([analysis], "json", reviews=reviews))
    assert document["claims"][1]["verdict"] == "single_source"  # the machine's verdict, as it was
    block = document["review"]
    assert block["reviewed"] is True and block["reviewed_by"] == "Ben"
    verdict = next(d for d in block["decisions"] if d["component"] == "verdict")
    assert (verdict["claim_id"], verdict["machine"], verdict["analyst"], verdict["action"]) == (
        "c2", "single_source", "contradicted", "overridden")
    assert [n["claim_id"] for n in block["notes"]] == ["c2", None] and len(block["activity"]) == 6
    assert read_export(json.dumps(document)) == [analysis]  # an import reads the machine's analysis; the review is not imported


def test_csv_export_has_analyst_columns_and_the_activity_log(tmp_path):
    from core.reports.exports import export_bytes

    store, analysis = _reviewed_store(str(tmp_path / "db.sqlite"))
    archive = zipfile.ZipFile(io.BytesIO(export_bytes([analysis], "csv", reviews=_review_of(store, analysis))))
    claims = {r["claim_id"]: r for r in csv.DictReader(io.StringIO(archive.read("claims.csv").decode("utf-8-sig")))}
    assert (claims["c2"]["verdict"], claims["c2"]["analyst_verdict"], claims["c2"]["analyst"]) == (
        "single_source", "contradicted", "Ana")
    assert "Follow up with the council." in claims["c2"]["notes"] and claims["c1"]["analyst_verdict"] == ""
    evidence = list(csv.DictReader(io.StringIO(archive.read("evidence.csv").decode("utf-8-sig"))))
    first = next(r for r in evidence if r["claim_id"] == "c1")
    assert first["analyst_stance"] == "refutes" and first["analyst_reason"] == "It says the opposite."
    log = list(csv.DictReader(io.StringIO(archive.read("review.csv").decode("utf-8-sig"))))
    assert [r["action"] for r in log] == ["overridden", "overridden", "overridden", "note", "note", "reviewed"]
    assert "review.csv" not in zipfile.ZipFile(io.BytesIO(export_bytes([analysis], "csv"))).namelist()


def test_markdown_and_pdf_mark_the_analysts_changes(tmp_path):
    import pypdf

    from core.reports.exports import export_bytes

    store, analysis = _reviewed_store(str(tmp_path / "db.sqlite"))
    reviews = _review_of(store, analysis)
    markdown = export_bytes([analysis], "md", reviews=reviews).decode("utf-8")
    assert "**Analyst: contradicted (machine: single source) — The ministry denied it. · Ana," in markdown
    assert "Analyst: refutes (machine:" in markdown and "Analyst: no technique (machine: Bandwagon" in markdown
    assert "Reviewed by Ben" in markdown and "An opinion column." in markdown
    pdf = export_bytes([analysis], "pdf", charts=False, reviews=reviews)
    text = " ".join(" ".join((p.extract_text() or "").split()) for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert "Analyst: contradicted (machine: single source)" in text and "Reviewed by Ben" in text
    assert "Analyst: no technique" in text and "Follow up with the council." in text


# ---------------------------------------------------------------- the review export and the training commands

def test_review_export_cli_writes_lines_the_training_loaders_read(tmp_path, capsys, monkeypatch):
    from core.cli import main
    from core.ml.training import cli as training_cli
    from core.ml.training import data as training_data
    from core.ml.training import stance

    database = str(tmp_path / "db.sqlite")
    store, analysis = _reviewed_store(database)
    store.reviews.decide(analysis, stance_target("c1", 1), "neutral", reviewer="Ana", reason="Off topic.")
    store.reviews.decide(analysis, stance_target("c2", 0), analysis.claims[1].evidence[0].stance.value, reviewer="Ana")
    store.reviews.decide(analysis, passage_target(PASSAGE, 0), "Loaded_Language", reviewer="Ana", reason="Emotive words.")
    store.reviews.decide(analysis, passage_target("Repetition", 0), "none", reviewer="Ana", reason="No.")
    store.reviews.decide(analysis, verdict_target("c2"), "contradicted", reviewer="Ana", reason="Denied.")
    out = tmp_path / "reviews.jsonl"
    assert main(["review", "export", "--db", database, "--out", str(out)]) == 0
    assert "5 reviewed items" in capsys.readouterr().out
    assert {json.loads(line)["task"] for line in out.read_text().splitlines()} == {"stance", "technique", "verdict"}

    pairs = training_data.load_reviewed_stance(out)
    assert [(p.claim, p.evidence, p.label) for p in pairs][0] == (
        analysis.claims[0].text, analysis.claims[0].evidence[1].snippet, "neutral")
    assert len(pairs) == 2 and pairs[0].claim_id == "analyst:a1:c1"
    (article,) = training_data.load_reviewed_passages(out)
    # Both decisions are on the same passage (make_analysis quotes one passage for every technique): it is
    # in the text once, labelled with the analyst's technique; "none" adds no label.
    passage = analysis.techniques[2].spans[0].text
    assert article.text == passage + "\n\n" and article.spans == (("Loaded_Language", 0, len(passage)),)

    seen = {}

    def train_without_fitting(root, out_dir, say, reviewed=None):  # the loaders above are what training reads
        seen["reviewed"] = reviewed
        return {"macro_f1": 1.0}

    monkeypatch.setattr(stance, "train", train_without_fitting)
    (tmp_path / "data").mkdir()
    assert main(["train", "stance", "--data", str(tmp_path / "data"), "--out", str(tmp_path / "artifact"),
                 "--reviewed", str(out)], register_training=training_cli.register) == 0
    assert seen["reviewed"] == out
    assert main(["train", "checkworthiness", "--data", str(tmp_path / "data"), "--reviewed", str(out)],
                register_training=training_cli.register) == 1
    assert "hold no checkworthiness labels" in capsys.readouterr().err


def test_a_file_that_is_not_a_review_export_is_refused(tmp_path):
    from core.errors import InputError
    from core.ml.training.data import load_reviewed_stance

    path = tmp_path / "other.jsonl"
    path.write_text('{"claim": "x", "label": "supports"}\n')
    with pytest.raises(InputError, match="not a crosscheck.review/1 line"):
        load_reviewed_stance(path)
