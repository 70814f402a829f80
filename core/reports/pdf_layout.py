"""The page layout every PDF report shares (fpdf2): A4 pages with the fonts the text needs, a footer on
every page, text blocks, notes, verdict badges, tables, chart images and the analyst's lines.

Long text goes through ``multi_cell`` so it flows over pages; tables only hold short cells, because an
fpdf2 table row cannot split across pages. Text is untrusted: it is only ever drawn as text (no markup
is interpreted), control and bidi-override characters removed, and only http(s) addresses become links.
"""
from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from urllib.parse import urlsplit

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.errors import FPDFException
from fpdf.fonts import FontFace as CellStyle
from PIL import Image

from ..figures import charts as chart_builders
from ..figures import theme
from ..records import Verdict
from . import ReportError, fonts
from .images import ChartRenderer, ChartsUnavailable

logger = logging.getLogger(__name__)

MARGIN = 15.0
BODY_SIZE = 9.5
SMALL_SIZE = 8.0
LINE = 4.8  # mm per line of body text
INK = (33, 37, 41)
GREY = (100, 106, 112)
RULE = (200, 205, 210)
NOTE_FILL = (255, 243, 205)
ANALYST = (106, 27, 154)  # analysts' decisions and notes: a colour no verdict or stance uses
HEAD_FILL = (233, 237, 241)
CHARTS_OFF_NOTE = "Charts were left out on request."
# A chart shrinks to the space left on a page down to this share of its full-width size: its 12 px labels,
# 8.5 pt at full width, then print at 6.4 pt (the footer's size is 7), still legible. At 0.75 the comparison's
# technique heatmap (14 rows) fits under the techniques chart instead of leaving half a page empty.
MIN_CHART_SCALE = 0.75

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def clean(text: str | None) -> str:
    """Printable text: control and bidi-override characters out (they could reorder what a reader sees)."""
    return _CONTROL.sub(" ", text or "").replace("\t", " ")


def hex_rgb(color: str) -> tuple[int, int, int]:
    color = color.lstrip("#")
    return int(color[0:2], 16), int(color[2:4], 16), int(color[4:6], 16)


def http_link(url: str | None) -> str | None:
    if url and urlsplit(url).scheme.lower() in ("http", "https"):
        return url
    return None


def pct(value: float) -> str:
    return f"{value:.0%}"


def now_text() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")


class Document(FPDF):
    """A4 pages with the Unicode fonts the content needs, a running footer and small layout helpers."""

    def __init__(self, *, title: str, texts: list[str], language: str | None) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(auto=True, margin=18)
        regular, bold = fonts.body_fonts()
        self.add_font("body", "", str(regular))
        self.add_font("body", "B", str(bold))
        if fonts.needs_fallback(texts):
            cjk = fonts.cjk_fonts(language)
            if cjk is not None:
                self.add_font("cjk", "", str(cjk[0].path), collection_font_number=cjk[0].collection_index)
                self.add_font("cjk", "B", str(cjk[1].path), collection_font_number=cjk[1].collection_index)
                self.set_fallback_fonts(["cjk"], exact_match=False)
        if fonts.needs_shaping(texts):
            try:
                self.set_text_shaping(True)
            except (FPDFException, ImportError) as exc:
                logger.warning("text shaping unavailable, right-to-left scripts print unjoined: %s", exc)
        self.set_title(clean(title))
        self.set_creator("Crosscheck")
        self.set_font("body", size=BODY_SIZE)
        self.set_text_color(*INK)

    @property
    def width(self) -> float:
        return self.epw

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("body", size=7)
        self.set_text_color(*GREY)
        self.cell(0, 5, f"{theme.DISCLAIMER}   ·   Crosscheck   ·   page {self.page_no()} of {{nb}}", align="C")
        self.set_text_color(*INK)

    def ensure_space(self, height: float) -> None:
        """Start a new page unless ``height`` mm still fit (keeps headings with what follows)."""
        if self.get_y() + height > self.page_break_trigger:
            self.add_page()

    def text_block(self, text: str, *, size: float = BODY_SIZE, bold: bool = False, color: tuple[int, int, int] = INK,
                   indent: float = 0.0, line: float = LINE, link: str | None = None) -> None:
        self.set_font("body", "B" if bold else "", size)
        self.set_text_color(*color)
        self.set_x(self.l_margin + indent)
        self.multi_cell(self.width - indent, line, clean(text), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT,
                        link=link or "")
        self.set_text_color(*INK)

    def heading(self, text: str, *, level: int = 1) -> None:
        size = {0: 17, 1: 13, 2: 11}[level]
        self.ensure_space(45 if level < 2 else 20)
        self.ln(3 if level else 0)
        self.text_block(text, size=size, bold=True, line=size * 0.5)
        if level == 1:
            self.set_draw_color(*RULE)
            self.line(self.l_margin, self.get_y() + 0.5, self.l_margin + self.width, self.get_y() + 0.5)
        self.ln(2)

    def note(self, text: str, *, fill: tuple[int, int, int] = NOTE_FILL) -> None:
        self.set_font("body", "", BODY_SIZE)
        self.set_fill_color(*fill)
        self.multi_cell(self.width, LINE + 0.4, clean(text), fill=True, padding=(1.5, 2.5), align="L",
                        new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(2)

    def badge(self, verdict: Verdict, confidence: float | None = None) -> None:
        """A verdict chip: its colour, and always its icon and label in words."""
        label = theme.verdict_text(verdict) + (f"  {pct(confidence)}" if confidence is not None else "")
        self.set_font("body", "B", SMALL_SIZE)
        self.set_fill_color(*hex_rgb(theme.VERDICT_COLORS[verdict]))
        self.cell(self.get_string_width(label) + 4, 5, label, fill=True, align="C")
        self.set_font("body", "", BODY_SIZE)

    @contextmanager
    def table(self, widths: Sequence[float], headings: Sequence[str] | None) -> Iterator[object]:
        self.set_font("body", "", SMALL_SIZE + 0.5)
        self.set_draw_color(*RULE)
        # Table cells paint with the current fill colour; a note or badge may have left one set.
        self.set_fill_color(255, 255, 255)
        with super().table(
            col_widths=tuple(widths), text_align="LEFT", line_height=4.2, padding=(1, 1.5),
            headings_style=CellStyle(emphasis="BOLD", fill_color=HEAD_FILL), borders_layout="HORIZONTAL_LINES",
            first_row_as_headings=headings is not None,
        ) as table:
            if headings is not None:
                row = table.row()
                for heading in headings:
                    row.cell(heading)
            yield table
        self.ln(3)

    def image_png(self, png: bytes, height: float) -> None:
        """A chart ``height`` mm tall, centred in the text column (full width unless it shrank to fit)."""
        width = min(self.width, height / _png_height_per_width(png))
        self.image(io.BytesIO(png), x=self.l_margin + (self.width - width) / 2, w=width, h=height)
        self.ln(2)

    def finish(self) -> bytes:
        return bytes(self.output())


def render_charts(figures: list, renderer: ChartRenderer | None, charts: bool) -> tuple[list[bytes], str | None]:
    """PNG images of the non-empty figures, or none and the note saying why."""
    figures = [f for f in figures if not chart_builders.is_empty(f)]
    if not charts:
        return [], CHARTS_OFF_NOTE
    if not figures:
        return [], None
    own = renderer is None
    active = renderer or ChartRenderer()
    try:
        return active.render(figures), None
    except ChartsUnavailable as exc:
        logger.warning("report without charts: %s", exc.reason)
        return [], f"Charts were left out: {exc.reason}. The tables below hold the same numbers."
    finally:
        if own:
            active.close()


def analyst_line(doc: Document, text: str, *, indent: float = 0.0) -> None:
    """An analyst's decision or note: bold, in the analyst colour, beside the machine's output it concerns."""
    doc.text_block(text, size=SMALL_SIZE + 0.5, bold=True, color=ANALYST, indent=indent)


def _png_height_per_width(png: bytes) -> float:
    with Image.open(io.BytesIO(png)) as image:
        return image.height / image.width


def write_charts(doc: Document, images: list[bytes], note: str | None) -> None:
    """The charts in order, filling pages: a chart that does not fit below the text shrinks to the space left,
    down to MIN_CHART_SCALE (its text stays legible); failing that, a later chart that fits there goes first;
    only then does the next chart start a new page."""
    if note:
        doc.note(note)
    pending = list(images)
    while pending:
        room = doc.page_break_trigger - doc.get_y() - 0.5
        fits = [(index, height) for index, height in enumerate(_chart_height(doc, png, room) for png in pending)
                if height is not None]
        if not fits:
            doc.add_page()
            continue
        index, height = fits[0]
        doc.image_png(pending.pop(index), height=height)


def _chart_height(doc: Document, png: bytes, room: float) -> float | None:
    """How tall to draw a chart in ``room`` mm: as tall as the full column width makes it (at most a page) when
    that fits, else shrunk to the room when it keeps MIN_CHART_SCALE of that height, else None (it does not fit)."""
    natural = min(doc.width * _png_height_per_width(png), doc.page_break_trigger - doc.t_margin)
    if natural <= room:
        return natural
    if natural * MIN_CHART_SCALE <= room:
        return room
    return None


def closing_disclaimer(doc: Document) -> None:
    """The disclaimer once more after the content, unless it would sit alone on a page (every footer has it too)."""
    doc.ln(4)
    if doc.get_y() + 12 <= doc.page_break_trigger:
        doc.note(theme.DISCLAIMER, fill=HEAD_FILL)


def finish(doc: Document) -> bytes:
    try:
        return doc.finish()
    except FPDFException as exc:
        raise ReportError(f"The PDF could not be written: {exc}.") from None
