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


# Abbreviations before a name that syntok takes for a sentence end ("Gov. Newsom", "Lt. Col. Vindman").
_TITLES = frozenset(
    "gov sen rep gen lt col maj capt cpt sgt cmdr adm brig atty supt insp hon rev msgr pres amb "
    "prof dr mr mrs ms messrs mt approx".split()
)
# Words that follow an ordinal written as a number and a full stop ("15. Jahrhundert", "3. Oktober"):
# months in the languages of the project's readers and the German nouns that take ordinals.
_AFTER_ORDINAL = frozenset(
    "januar jänner februar märz april mai juni juli august september oktober november dezember "
    "january february march may june july october december "
    "janvier février mars avril juin juillet août septembre octobre novembre décembre "
    "jahrhundert jahrhunderts jahrhunderte jahrtausend jahrtausends jahrestag geburtstag todestag platz platzes "
    "mal stock etage stockwerk klasse liga bundesliga runde spieltag lebensjahr amendment kapitel absatz artikel "
    "wahlperiode legislaturperiode sitzung quartal halbjahr woche".split()
)
_ENDS_WITH_TITLE = re.compile(r"(?:^|[\s(\[\"“'‘])([A-Za-z]{1,5})\.$")
_ENDS_WITH_ORDINAL = re.compile(r"(?:^|\s)\d{1,4}\.$")
_ENDS_WITH_INITIAL = re.compile(r"(?:^|\s)[A-Z]\.$")
_FIRST_WORD = re.compile(r"[\"“'‘(]*(\w+)")
# A quotation left open this long is a stray quote mark, not a quote spanning sentences.
MAX_QUOTED_CHARS = 600


def _open_quote(text: str) -> bool:
    """Whether ``text`` leaves a double quotation open (an odd number of straight quotes, or more “ than ”)."""
    return text.count('"') % 2 == 1 or text.count("“") > text.count("”")


def _false_end(before: str, after: str) -> bool:
    """Whether syntok's sentence end between ``before`` and ``after`` (same line) is not a sentence end."""
    first = _FIRST_WORD.match(after)
    next_word = first.group(1) if first else ""
    title = _ENDS_WITH_TITLE.search(before)
    if title and title.group(1).lower() in _TITLES and (next_word[:1].isupper() or next_word[:1].isdigit()):
        return True
    if _ENDS_WITH_ORDINAL.search(before) and next_word.lower() in _AFTER_ORDINAL:
        return True
    words_before = before.split()
    # A middle initial after a capitalised name: "John F. | Kennedy".
    return bool(_ENDS_WITH_INITIAL.search(before) and next_word[:1].isupper() and len(words_before) > 1
                and words_before[-2][:1].isupper())


def segment_sentences(text: str) -> list[Segment]:
    """Sentences of ``text`` in order, stripped, never empty.

    Every line break ends a sentence: titles, list items and paragraphs in
    extracted articles are lines without final punctuation, and joining them
    to the next line would glue a headline onto the lead sentence. Within a
    line, syntok's ends are undone where they cut a title before a name
    ("Gov. Newsom"), an ordinal before its noun ("15. Jahrhundert"), a middle
    initial or a quotation.
    """
    segments: list[Segment] = []
    for line in _LINE.finditer(text):
        merged: list[Segment] = []
        for segment in _line_sentences(text, line.start(), line.group()):
            if merged and _false_end(merged[-1].text, segment.text):
                segment = _join(text, merged.pop(), segment)
            merged.append(segment)
        segments += _join_quotations(text, merged)
    return segments


def _join(text: str, first: Segment, last: Segment) -> Segment:
    return Segment(first.start, last.end, text[first.start:last.end])


def _join_quotations(text: str, line: list[Segment]) -> list[Segment]:
    """Sentences of one line with each quotation that spans several of them joined into one.

    A quotation that does not close within MAX_QUOTED_CHARS on its line is a
    stray quote mark and joins nothing.
    """
    out: list[Segment] = []
    i = 0
    while i < len(line):
        j = i
        if _open_quote(line[i].text):
            for k in range(i + 1, len(line)):
                if line[k].end - line[i].start > MAX_QUOTED_CHARS:
                    break
                if not _open_quote(text[line[i].start:line[k].end]):
                    j = k
                    break
        out.append(_join(text, line[i], line[j]))
        i = j + 1
    return out


def _line_sentences(text: str, base: int, line_text: str) -> list[Segment]:
    """syntok's sentences of one line, with exact offsets into ``text``."""
    segments: list[Segment] = []
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
            if segments:
                tail = _join(text, segments.pop(), tail)
            segments.append(tail)
    return segments


_WORD = re.compile(r"\w+(?:[''’]\w+)*|[^\w\s]", re.UNICODE)


def word_tokens(text: str, offset: int = 0) -> list[Segment]:
    """Word and punctuation tokens with offsets (shifted by ``offset``)."""
    return [Segment(m.start() + offset, m.end() + offset, m.group()) for m in _WORD.finditer(text)]


def count_noun(n: int, singular: str, plural: str | None = None) -> str:
    """A count with its noun in the right number: 1 passage, 3 passages."""
    return f"{n} {singular if n == 1 else plural or singular + 's'}"


def shorten(text: str, limit: int) -> str:
    """``text`` on one line, cut at the last word boundary within ``limit`` characters, with "…" when cut."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:") + "…"
