"""Find the passages a model quotes in the article, and compute their offsets ourselves.

Models copy text imperfectly: they reflow line breaks, collapse double spaces
and swap straight and typographic quotes or dashes. The locator compares a
folded copy of both texts, then maps the match back to the article's own
characters, so ``article[start:end]`` is always the article's exact text and
never the model's rendering of it.
"""
from __future__ import annotations

# One-to-one folds only: a fold that changed the length would break the offset map.
_FOLD = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
    }
)
# Marks a model may wrap around a quote although the article does not have them there.
_WRAPPERS = "'\"\u2018\u2019\u201c\u201d\u00ab\u00bb "
_TRAILING = ".,;:!?"


def _fold(text: str) -> tuple[str, list[int]]:
    """Whitespace runs become one space; returns the folded text and, per folded
    character, the index of the original character it came from."""
    chars: list[str] = []
    origin: list[int] = []
    in_space = False
    for i, ch in enumerate(text):
        if ch.isspace():
            if in_space:
                continue
            chars.append(" ")
            in_space = True
        else:
            chars.append(ch.translate(_FOLD))
            in_space = False
        origin.append(i)
    return "".join(chars), origin


class QuoteLocator:
    """Locates quotes in one article; successive equal quotes map to successive occurrences."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._folded, self._origin = _fold(text)

    def find(self, quote: str, taken: set[tuple[int, int]] | None = None) -> tuple[int, int] | None:
        """``(start, end)`` of ``quote`` in the article, or None when it is not there.

        ``taken`` holds spans already given to the same owner (e.g. one
        technique), so a passage the model quotes twice, as Repetition does,
        lands on its second occurrence; when every occurrence is taken the
        first one is returned.
        """
        taken = taken or set()
        for candidate in self._candidates(quote):
            first: tuple[int, int] | None = None
            pos = self._folded.find(candidate)
            while pos != -1:
                span = (self._origin[pos], self._origin[pos + len(candidate) - 1] + 1)
                if span not in taken:
                    return span
                first = first or span
                pos = self._folded.find(candidate, pos + 1)
            if first is not None:
                return first
        return None

    @staticmethod
    def _candidates(quote: str) -> list[str]:
        folded = _fold(quote)[0].strip()
        unwrapped = folded.strip(_WRAPPERS)
        bare = unwrapped.rstrip(_TRAILING).strip(_WRAPPERS)
        return [c for c in dict.fromkeys((folded, unwrapped, bare)) if c]
