"""A story's PDF and CSV (issue 31): core.stories.pdf, and ``python -m core story ID --format pdf|csv -o FILE``."""
from __future__ import annotations

import csv
import io
from contextlib import redirect_stderr, redirect_stdout

import pypdf
import pytest

from core.cli import main
from core.settings import get_settings
from core.storage import Storage
from core.stories.pdf import story_pdf
from core.stories.view import story_view
from testkit import story_world as world
from testkit.factories import make_analysis
from testkit.stories import store_on_topic, store_world_story


def pdf_text(payload: bytes) -> str:
    return " ".join(" ".join((page.extract_text() or "").split()) for page in pypdf.PdfReader(io.BytesIO(payload)).pages)


@pytest.fixture
def world_story() -> tuple[Storage, int]:
    storage = Storage(get_settings().db_path)
    store_world_story(storage)
    return storage, storage.stories.story_of(world.COURIER.url)


def test_the_story_pdf_reads_the_story_across_its_outlets_conflicts_first(world_story):
    storage, story_id = world_story
    text = pdf_text(story_pdf(story_view(storage, story_id), generated_at="2026-12-06 12:00 UTC"))
    assert text.startswith(world.COURIER.title)
    assert "4 articles · 4 outlets, 3 independent origins · 2026-06-09 to 2026-06-11" in text
    for outlet in ("Arlenburg Courier", "Westmark Ledger", "Metro Post", "Eastside Weekly"):
        assert outlet in text
    assert "Claims across outlets (5, 5 in conflict)" in text
    # Each conflict with both figures and their outlets: the Metro Post's cost against the other outlets'.
    assert "€412 million (Arlenburg Courier)" in text and "€385m (Metro Post)" in text
    assert "27 votes to 18 (Metro Post)" in text
    assert "Shared origins Westmark Ledger, Eastside Weekly" in text and "same text as Westmark Ledger" in text
    assert "Techniques per outlet" in text and "verify before you rely on it" in text


def test_the_story_pdf_draws_an_articles_markup_as_text():
    storage = Storage(get_settings().db_path)
    title = "<b>Bold</b> ![x](https://tracker.example/p.png) javascript:alert(1)"
    store_on_topic(storage, make_analysis(id="h1", title=title, outlet="<i>Evil</i> Times", url="javascript:alert(1)"),
                   topic=3)
    store_on_topic(storage, make_analysis(id="h2", title="Plain", outlet="Plain Times", url="https://plain.example/a"),
                   topic=3, seed=2)
    payload = story_pdf(story_view(storage, storage.stories.story_of("javascript:alert(1)")))
    text = pdf_text(payload)
    assert "<b>Bold</b>" in text and "<i>Evil</i> Times" in text
    links = [a.get_object().get("/A", {}).get("/URI") for page in pypdf.PdfReader(io.BytesIO(payload)).pages
             for a in page.get("/Annots") or []]
    assert "javascript:alert(1)" not in links and "https://plain.example/a" in links  # only http(s) becomes a link


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


def test_the_cli_writes_a_storys_pdf_and_csv(world_story, tmp_path):
    _, story_id = world_story
    code, out, _ = run("story", str(story_id), "--format", "pdf", "-o", str(tmp_path / "story.pdf"))
    assert code == 0 and "wrote" in out and f"story {story_id}, pdf" in out
    assert "€385m (Metro Post)" in pdf_text((tmp_path / "story.pdf").read_bytes())
    code, _, _ = run("story", str(story_id), "-f", "csv", "-o", str(tmp_path / "story.csv"))
    rows = list(csv.DictReader(io.StringIO((tmp_path / "story.csv").read_text(encoding="utf-8"))))
    assert code == 0 and {r["outlet_or_article"] for r in rows if r["kind"] == "article"} == {
        "Arlenburg Courier", "Westmark Ledger", "Metro Post", "Eastside Weekly"}
    code, _, err = run("story", str(story_id), "--format", "pdf")
    assert code != 0 and "--format and -o go together" in err and not (tmp_path / "x.pdf").exists()
