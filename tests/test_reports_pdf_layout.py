"""How PDF reports place their charts: they fill the page under the summary rather than leave it half empty.

The charts here are plain PNGs of the size the real renderer gives each figure (720 px wide, its layout
height, scale 2), so no Chromium is needed; the pages are read back with poppler where it is installed.
"""
from __future__ import annotations

import io
import os
import shutil
import subprocess
from pathlib import Path

import pypdf
import pytest
from PIL import Image

from core.reports import fonts
from core.reports.images import IMAGE_SCALE, IMAGE_WIDTH
from core.reports.pdf import analysis_pdf
from core.reports.pdf_layout import MIN_CHART_SCALE, Document, write_charts
from testkit.factories import make_analysis


def _require(ok: bool, reason: str) -> None:
    if not ok:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must have this: {reason}")
        pytest.skip(reason)


def _png(height_px: int, shade: int = 60) -> bytes:
    """A chart-sized PNG, dark all over (so any part of it drawn on a page shows as ink)."""
    out = io.BytesIO()
    Image.new("RGB", (IMAGE_WIDTH * IMAGE_SCALE, height_px * IMAGE_SCALE), (shade, shade, shade)).save(out, "PNG")
    return out.getvalue()


class _PlainRenderer:
    """Stands in for ChartRenderer: one dark PNG per figure, at the size Chromium would render it."""

    def render(self, figures):  # type: ignore[no-untyped-def]
        return [_png(int(figure.layout.height or 400)) for figure in figures]


class _Recording(Document):
    def __init__(self) -> None:
        super().__init__(title="layout", texts=[], language="en")
        self.drawn: list[tuple[bytes, int, float]] = []

    def image_png(self, png: bytes, height: float) -> None:
        self.drawn.append((png, self.page, height))
        super().image_png(png, height)


def _document_with_room(room: float) -> _Recording:
    _require(fonts.find_font(fonts.DEJAVU_REGULAR) is not None, "DejaVu fonts missing (Debian fonts-dejavu-core)")
    doc = _Recording()
    doc.add_page()
    doc.set_y(doc.page_break_trigger - room)
    return doc


def test_a_chart_a_little_too_tall_shrinks_into_the_space_left():
    chart = _png(456)  # the technique profile: 14 rows
    natural = 180 * 456 / IMAGE_WIDTH
    doc = _document_with_room(natural * 0.9)
    write_charts(doc, [chart], None)
    [(_, page, height)] = doc.drawn
    assert page == 1
    assert natural * MIN_CHART_SCALE <= height < natural


def test_a_chart_that_would_shrink_too_far_moves_on_unless_a_later_one_fits_first():
    tall, short = _png(456, shade=40), _png(300, shade=80)
    natural_tall, natural_short = 180 * 456 / IMAGE_WIDTH, 180 * 300 / IMAGE_WIDTH
    doc = _document_with_room(natural_short + 1)
    write_charts(doc, [tall, short], None)
    assert [(png, page) for png, page, _ in doc.drawn] == [(short, 1), (tall, 2)]
    assert [height for _, _, height in doc.drawn] == pytest.approx([natural_short, natural_tall], abs=0.01)

    alone = _document_with_room(natural_tall * (MIN_CHART_SCALE - 0.05))
    write_charts(alone, [tall], None)
    [(_, page, height)] = alone.drawn
    assert page == 2 and height == pytest.approx(natural_tall, abs=0.01)


def _first_page_ink_bottom(pdf: bytes, tmp_path: Path) -> float:
    """How far down the first page (mm, above the footer) anything is drawn."""
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(path), str(tmp_path / "page")], check=True)
    [png] = tmp_path.glob("page-*.png")
    image = Image.open(png).convert("L")
    scale = image.height / 297
    body = image.crop((0, 0, image.width, int(280 * scale))).point(lambda v: 255 if v < 200 else 0)
    box = body.getbbox()
    assert box is not None
    return box[3] / scale


@pytest.mark.parametrize("warnings", range(13))
def test_the_first_page_is_filled_whatever_the_length_of_the_cover(warnings, tmp_path):
    """However far down the summary ends, what follows it fills the first page to within the smallest chart
    at its least size: the technique chart no longer leaves the page half empty by moving whole to page 2."""
    _require(fonts.find_font(fonts.DEJAVU_REGULAR) is not None, "DejaVu fonts missing (Debian fonts-dejavu-core)")
    _require(shutil.which("pdftoppm") is not None, "pdftoppm missing (Debian poppler-utils)")
    analysis = make_analysis(5, warnings=tuple(f"source {n}: timed out after 15 s" for n in range(warnings)))
    pdf = analysis_pdf(analysis, renderer=_PlainRenderer())
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert sum(len(page.images) for page in reader.pages) == 2
    verdict_chart = 180 * 300 / IMAGE_WIDTH
    assert _first_page_ink_bottom(pdf, tmp_path) > 279 - verdict_chart * MIN_CHART_SCALE - 5
