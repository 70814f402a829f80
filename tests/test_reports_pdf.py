"""PDF reports: content, Unicode, clean pagination, charts with and without Chromium.

Tests that need poppler (pdftoppm, pdftotext), Chromium or the Debian fonts
skip when those are missing, except under CI=true, where they fail: CI must
have them (scripts/system-deps.sh installs them).
"""
from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from pathlib import Path

import pypdf
import pytest
from PIL import Image

from core.figures.theme import DISCLAIMER
from core.reports import ReportError, fonts
from core.reports.images import ChartRenderer, find_browser
from core.reports.pdf import analysis_pdf, comparison_pdf
from testkit.factories import make_analysis


def _require(ok: bool, reason: str) -> None:
    if not ok:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must have this: {reason}")
        pytest.skip(reason)


def _require_fonts() -> None:
    _require(fonts.find_font(fonts.DEJAVU_REGULAR) is not None, "DejaVu fonts missing (Debian fonts-dejavu-core)")


def _require_poppler() -> None:
    _require(shutil.which("pdftoppm") is not None and shutil.which("pdftotext") is not None,
             "pdftoppm/pdftotext missing (Debian poppler-utils)")


@pytest.fixture(scope="module")
def renderer():
    _require(find_browser() is not None, "Chromium missing (Debian chromium)")
    with ChartRenderer() as shared:
        yield shared


def _text(pdf: bytes) -> str:
    """All page text, whitespace collapsed (lines wrap anywhere)."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def _poppler_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return re.sub(r"[\u200e\u200f\u202a-\u202e\u2066-\u2069]", "", out)


def _pages_png(pdf: bytes, tmp_path: Path, dpi: int = 40) -> list[Image.Image]:
    path = tmp_path / "pages.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), str(path), str(tmp_path / "page")], check=True)
    return [Image.open(p).convert("L") for p in sorted(tmp_path.glob("page-*.png"), key=lambda p: int(p.stem.split("-")[-1]))]


def _ink(image: Image.Image, top_mm: float, bottom_mm: float) -> bool:
    """Whether anything darker than near-white is drawn between two heights of an A4 page."""
    scale = image.height / 297
    band = image.crop((0, int(top_mm * scale), image.width, int(bottom_mm * scale)))
    return band.point(lambda v: 255 if v < 200 else 0).getbbox() is not None


def test_analysis_pdf_has_title_every_claim_engine_and_disclaimer():
    _require_fonts()
    analysis = make_analysis(10, partial=True, warnings=("wikipedia: timed out after 15 s",))
    pdf = analysis_pdf(analysis, charts=False)
    assert pdf.startswith(b"%PDF-")
    text = _text(pdf)
    assert analysis.article.title in text
    for claim in analysis.claims:
        assert claim.text in text
        assert claim.assessment.rationale in text
    assert DISCLAIMER in text
    assert "local · model local-v1" in text and "library (ok: 3 articles), wikipedia (failed: timed out)" in text
    assert "PARTIAL" in text and "wikipedia: timed out after 15 s" in text
    assert "Charts were left out on request." in text
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert reader.metadata.title == analysis.article.title
    # Every page numbered "page N of TOTAL", with the disclaimer in its footer.
    for number, page in enumerate(reader.pages, start=1):
        page_text = " ".join(page.extract_text().split())
        assert f"page {number} of {len(reader.pages)}" in page_text
        assert DISCLAIMER in page_text


def test_analysis_pdf_headlines_found_techniques_against_ordinary_news():
    _require_fonts()
    analysis = make_analysis(2)
    text = _text(analysis_pdf(analysis, charts=False))
    found = analysis.found_techniques()
    assert f"Techniques found (used more strongly than in nearly all ordinary news): {len(found)} of 14" in text
    assert "Persuasive language:" in text and "stronger than 90 % of ordinary news" in text
    # Found techniques lead the table, then the others; passages of found techniques come first.
    table = text[text.index("Against ordinary news"):]
    first, last = found[0], next(t for t in analysis.techniques if not t.found)
    assert table.index(first.label) < table.index(last.label)
    assert "Passages of the found techniques" in text


def test_evidence_links_are_http_only():
    _require_fonts()
    pdf = analysis_pdf(make_analysis(3), charts=False)
    links = [
        annot.get_object()["/A"]["/URI"]
        for page in pypdf.PdfReader(io.BytesIO(pdf)).pages
        for annot in page.get("/Annots", [])
        if "/A" in annot.get_object()
    ]
    assert "https://www.example0.org/news/1-0" in links
    assert all(link.startswith(("http://", "https://")) for link in links)


def test_long_quote_and_forty_claims_paginate_cleanly(tmp_path):
    _require_fonts()
    _require_poppler()
    sentence = "Officials say the reform will ruin everything we hold dear, and only traitors would support it. "
    quote = (sentence * 40)[:2981] + " and that is final."
    assert len(quote) == 3000
    analysis = make_analysis(40, quote=quote)
    pdf = analysis_pdf(analysis, charts=False)
    text = _text(pdf)
    for claim in analysis.claims:
        assert claim.text in text
    pages = _pages_png(pdf, tmp_path)
    assert len(pages) == len(pypdf.PdfReader(io.BytesIO(pdf)).pages) >= 8
    for number, page in enumerate(pages, start=1):
        assert _ink(page, 15, 279), f"page {number} is blank"
        # Nothing may run into the bottom margin above the footer, or into the top margin.
        assert not _ink(page, 281.5, 284), f"page {number} overflows into the footer"
        assert not _ink(page, 0, 13), f"page {number} has ink in the top margin"
        assert _ink(page, 285, 292), f"page {number} has no footer"
    # The 3,000-character quote is printed whole, three times (three techniques quote it).
    assert text.count("will ruin everything we hold dear, and only traitors would support it. Officials say") > 3 * 25
    assert text.count("and that is final.") == 3


def test_unicode_titles_and_quotes_render(tmp_path):
    _require_fonts()
    _require_poppler()
    _require(fonts.find_font(fonts.CJK_REGULAR) is not None, "Noto CJK fonts missing (Debian fonts-noto-cjk)")
    title = "Правительство объявило 政府宣布新的预算 أعلنت الحكومة"
    analysis = make_analysis(
        3, title=title, quote="«Они лгут» — 他们在撒谎，大家都知道。 قالت الحكومة إن الميزانية جديدة",
        claims=["Бюджет вырос на 5 %.", "预算增加了百分之五。", "زادت الميزانية بنسبة خمسة في المئة."],
    )
    pdf = analysis_pdf(analysis, charts=False)
    text = _poppler_text(pdf, tmp_path)
    for fragment in ("Правительство объявило", "政府宣布新的预算", "«Они лгут»", "他们在撒谎，大家都知道。",
                     "Бюджет вырос на 5 %.", "预算增加了百分之五。"):
        assert fragment in text, fragment
    # Arabic is shaped and laid out right to left; each word still extracts whole.
    for word in ("أعلنت", "الحكومة", "الميزانية", "خمسة"):
        assert word in text, word
    fonts_used = {
        str(font.get_object()["/BaseFont"])
        for page in pypdf.PdfReader(io.BytesIO(pdf)).pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert any("NotoSansCJK" in name for name in fonts_used), fonts_used
    assert all(_ink(page, 15, 279) for page in _pages_png(pdf, tmp_path))


def test_latin_report_does_not_embed_cjk_font():
    _require_fonts()
    pdf = analysis_pdf(make_analysis(2), charts=False)
    assert len(pdf) < 150_000  # the CJK font alone would add megabytes of glyph tables


def test_without_chromium_the_pdf_still_exports_with_a_note(monkeypatch):
    _require_fonts()
    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chromium")
    analysis = make_analysis(4)
    pdf = analysis_pdf(analysis)
    text = _text(pdf)
    assert "Charts were left out: Chromium was not found" in text
    assert all(claim.text in text for claim in analysis.claims)
    assert not any(page.images for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def test_a_browser_that_fails_to_start_leaves_charts_out_with_a_short_note(monkeypatch):
    _require_fonts()
    monkeypatch.setenv("BROWSER_PATH", "/bin/false")
    text = _text(analysis_pdf(make_analysis(2)))
    note = text[text.index("Charts were left out"):text.index("The tables below hold the same numbers.")]
    assert "Chromium at /bin/false could not be started (BrowserFailedError" in note
    assert len(note) < 250
    assert "Claim number 2" in text


def test_missing_body_font_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setattr(fonts, "FONT_DIRS", (tmp_path,))
    fonts.find_font.cache_clear()
    try:
        with pytest.raises(ReportError, match="DejaVu Sans") as raised:
            analysis_pdf(make_analysis(1), charts=False)
        assert "fonts-dejavu-core" in raised.value.hint
    finally:
        fonts.find_font.cache_clear()


def test_analysis_pdf_embeds_the_dashboard_charts(renderer, tmp_path):
    _require_fonts()
    _require_poppler()
    pdf = analysis_pdf(make_analysis(10), renderer=renderer)
    images = [image for page in pypdf.PdfReader(io.BytesIO(pdf)).pages for image in page.images]
    assert len(images) == 2  # technique profile and verdict mix
    assert all(image.image.width == 1440 for image in images)
    assert "Charts were left out" not in _text(pdf)
    assert all(_ink(page, 15, 279) for page in _pages_png(pdf, tmp_path))


def test_comparison_pdf_has_charts_shared_claims_and_each_article(renderer, tmp_path):
    _require_fonts()
    _require_poppler()
    a = make_analysis(id="a", title="Paper A", claims=["The minister resigned after the corruption scandal.",
                                                        "The stadium will cost 2 billion."])
    b = make_analysis(id="b", title="Paper B", claims=["Following the corruption scandal, the minister stepped down."],
                      partial=True, warnings=("web search failed",), engine="claude")
    c = make_analysis(id="c", title="Paper C", claims=["Firefighters from five countries were sent to help."])
    pdf = comparison_pdf([a, b, c], renderer=renderer)
    text = _text(pdf)
    for fragment in ("Comparison of 3 articles", "Paper A", "Paper B", "Paper C", "Shared claims (1)",
                     "Following the corruption scandal, the minister stepped down.", "The stadium will cost 2 billion.",
                     "Firefighters from five countries were sent to help.", "web search failed", "claude · library, wikipedia",
                     "PARTIAL", DISCLAIMER):
        assert fragment in text, fragment
    images = [image for page in pypdf.PdfReader(io.BytesIO(pdf)).pages for image in page.images]
    assert len(images) == 3  # verdicts, techniques, heatmap
    assert all(_ink(page, 15, 279) for page in _pages_png(pdf, tmp_path))


def test_comparison_pdf_keeps_its_column_headings_and_web_addresses_whole(tmp_path):
    # Seen in a render: "Techniq|ues found", "Claim|s" and "www.onlineathens.co|m" cut mid-word in the articles table.
    _require_fonts()
    _require_poppler()
    analyses = [make_analysis(id="a", title="Riverside council approves bus fare rise", outlet="www.onlineathens.com"),
                make_analysis(id="b", title="Tram line", outlet="gazette.example", engine="claude")]
    lines = {line.strip() for line in _poppler_text(comparison_pdf(analyses, charts=False), tmp_path).splitlines()}
    for whole in ("Techniques", "Claims", "www.onlineathens.com ·"):
        assert whole in lines, whole
