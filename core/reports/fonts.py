"""Finding the Unicode fonts that PDF reports embed.

DejaVu Sans (Debian ``fonts-dejavu-core``) covers Latin, Greek, Cyrillic,
Arabic, Hebrew and the symbols the reports use; Noto Sans CJK
(``fonts-noto-cjk``, a TrueType collection) covers Chinese, Japanese and
Korean and is embedded only when a document needs it, because parsing it
costs a few tenths of a second.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from fontTools.ttLib import TTCollection, TTFont

from . import ReportError

logger = logging.getLogger(__name__)

FONT_DIRS: tuple[Path, ...] = (
    Path("/usr/share/fonts"),
    Path("/usr/local/share/fonts"),
    Path.home() / ".local" / "share" / "fonts",
    Path.home() / ".fonts",
)
DEJAVU_REGULAR = "DejaVuSans.ttf"
DEJAVU_BOLD = "DejaVuSans-Bold.ttf"
CJK_REGULAR = "NotoSansCJK-Regular.ttc"
CJK_BOLD = "NotoSansCJK-Bold.ttc"
# Face names inside the Noto CJK collections; Han characters are drawn the
# way the article's language expects.
CJK_FACE_BY_LANGUAGE = {"ja": "JP", "ko": "KR", "zh-tw": "TC", "zh-hant": "TC", "zh-hk": "HK"}
CJK_DEFAULT_FACE = "SC"


@dataclass(frozen=True)
class FontFace:
    path: Path
    collection_index: int = 0


@lru_cache(maxsize=16)
def find_font(file_name: str) -> Path | None:
    """The first file called ``file_name`` under the font folders, or None."""
    for folder in FONT_DIRS:
        if folder.is_dir():
            for path in sorted(folder.rglob(file_name)):
                if path.is_file():
                    return path
    return None


def body_fonts() -> tuple[Path, Path]:
    """Regular and bold DejaVu Sans; a report cannot be written without them."""
    regular, bold = find_font(DEJAVU_REGULAR), find_font(DEJAVU_BOLD)
    if regular is None or bold is None:
        raise ReportError(
            "The PDF report needs the DejaVu Sans fonts, which were not found.",
            hint="Install the Debian package fonts-dejavu-core (or export JSON, CSV or Markdown).",
        )
    return regular, bold


@lru_cache(maxsize=1)
def body_coverage() -> frozenset[int]:
    """Code points DejaVu Sans regular has glyphs for."""
    regular, _ = body_fonts()
    font = TTFont(regular, lazy=True)
    try:
        return frozenset(font.getBestCmap())
    finally:
        font.close()


@lru_cache(maxsize=8)
def _collection_index(path: Path, face: str) -> int:
    collection = TTCollection(path, lazy=True)
    try:
        for index, font in enumerate(collection.fonts):
            family = font["name"].getDebugName(1) or ""
            if family.endswith(f" {face}"):
                return index
    finally:
        collection.close()
    return 0


def cjk_fonts(language: str | None) -> tuple[FontFace, FontFace] | None:
    """Regular and bold Noto Sans CJK faces for ``language``, or None when the fonts are missing."""
    regular, bold = find_font(CJK_REGULAR), find_font(CJK_BOLD)
    if regular is None:
        logger.warning("Noto Sans CJK not found: CJK text in reports will be missing (install fonts-noto-cjk)")
        return None
    bold = bold or regular
    face = CJK_FACE_BY_LANGUAGE.get((language or "").lower(), CJK_FACE_BY_LANGUAGE.get((language or "").lower()[:2], CJK_DEFAULT_FACE))
    return FontFace(regular, _collection_index(regular, face)), FontFace(bold, _collection_index(bold, face))


def needs_fallback(texts: list[str]) -> bool:
    """True when some character is missing from DejaVu Sans (CJK, mostly)."""
    covered = body_coverage()
    return any(ord(ch) not in covered for text in texts for ch in set(text) if not ch.isspace())


# Scripts that need shaping (joining, reordering) rather than one glyph per character.
_SHAPED_RANGES = (
    (0x0590, 0x08FF),  # Hebrew, Arabic, Syriac, Thaana, NKo, Samaritan, Arabic supplements
    (0x0900, 0x0DFF),  # Indic scripts
    (0x0E00, 0x0EFF),  # Thai, Lao
    (0xFB1D, 0xFDFF),  # Hebrew and Arabic presentation forms A
    (0xFE70, 0xFEFF),  # Arabic presentation forms B
)


def needs_shaping(texts: list[str]) -> bool:
    return any(lo <= ord(ch) <= hi for text in texts for ch in set(text) for lo, hi in _SHAPED_RANGES)
