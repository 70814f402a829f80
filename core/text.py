"""Sentence segmentation with exact character offsets into the original text."""
from __future__ import annotations

import re
from dataclasses import dataclass

import syntok.segmenter as segmenter

_LINE = re.compile(r"[^\r\n]+")


@dataclass(frozen=True)
class Segment:
    """A stretch of text: ``original[start:end] == text``."""

    start: int
    end: int
    text: str


def _strip(text: str, start: int, end: int) -> Segment | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start >= end:
        return None
    return Segment(start, end, text[start:end])


def segment_sentences(text: str) -> list[Segment]:
    """Sentences of ``text`` in order, stripped, never empty.

    Every line break ends a sentence: titles, list items and paragraphs in
    extracted articles are lines without final punctuation, and joining them
    to the next line would glue a headline onto the lead sentence.
    """
    segments: list[Segment] = []
    for line in _LINE.finditer(text):
        base = line.start()
        line_text = line.group()
        cursor = 0
        for paragraph in segmenter.analyze(line_text):
            for sentence in paragraph:
                if not sentence:
                    continue
                last = sentence[-1]
                # syntok can normalise a token's value (e.g. joined hyphenation), so
                # clamp to the line rather than trust value lengths blindly.
                end = min(len(line_text), max(cursor, last.offset + len(last.value)))
                start = max(cursor, sentence[0].offset)
                if start < end:
                    seg = _strip(text, base + start, base + end)
                    if seg is not None:
                        segments.append(seg)
                cursor = max(cursor, end)
        # Anything syntok skipped at the end of the line (rare) joins the last sentence.
        if cursor < len(line_text) and line_text[cursor:].strip():
            tail = _strip(text, base + cursor, base + len(line_text))
            if tail is not None:
                if segments and segments[-1].end >= base:
                    prev = segments.pop()
                    tail = Segment(prev.start, tail.end, text[prev.start:tail.end])
                segments.append(tail)
    return segments


_WORD = re.compile(r"\w+(?:[''’]\w+)*|[^\w\s]", re.UNICODE)


def word_tokens(text: str, offset: int = 0) -> list[Segment]:
    """Word and punctuation tokens with offsets (shifted by ``offset``)."""
    return [Segment(m.start() + offset, m.end() + offset, m.group()) for m in _WORD.finditer(text)]


def count_noun(n: int, singular: str, plural: str | None = None) -> str:
    """A count with its noun in the right number: 1 passage, 3 passages."""
    return f"{n} {singular if n == 1 else plural or singular + 's'}"
