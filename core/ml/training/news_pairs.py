"""News-like (claim, passage) pairs made from the shared Wikinews articles, for the news-pair stance layer.

Each usable sentence of an article (8 to 60 words, not a quotation's opening) is a claim, and
pairs are made from it by rewriting (seeded, so the same data give the same pairs):

* **supports**: attribution dropped ("..., officials said."), clauses reordered, figures rewritten
  ("3,248" / "3248"), rounded ("about 3,200", "more than 3,000") or written in words, a trailing
  clause dropped (the passage restates the claim's statement without its last detail), or the
  claim inside a longer passage (the next sentence of the article appended);
* **refutes**: one figure changed by 10-300 %, a year, month or weekday changed, a name swapped
  for another name of the same article, or a negation added ("was" -> "was not");
* **neutral**: the article's sentence that shares most content words with the claim (same
  story, another point), and a random other sentence of it.

Articles of the judged story clusters (tests/data/story_clusters.json) are left out, so that no
real story the cross-checking evaluation reads is trained on. Groups are articles.
"""
from __future__ import annotations

import json
import random
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from ...text import segment_sentences
from ..stance import content_words

SEED = 13
_WORDS = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
          "sixteen seventeen eighteen nineteen twenty").split()
# A figure in ASCII digits that is not part of a word, a time or a decimal, with a currency sign before it if any.
_FIGURE = re.compile(r"(?<![\w.,:$£€-])([$£€]?)([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(\.[0-9]+)?(?![\w:]|[.,][0-9])")
_YEAR = re.compile(r"^(1[5-9]\d\d|20\d\d)$")
_QUALIFIED = re.compile(r"(?:about|around|more than|over|nearly|almost|some|estimated|least|than|up to|under)\s+$",
                        re.IGNORECASE)
_MONTHS = "January February March April May June July August September October November December".split()
_WEEKDAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
_ATTRIBUTION_END = re.compile(r",\s*(?:according to [^,.\"]+|[^,.\"]{1,50}\b(?:said|says|told(?: \w+){1,3}))\s*\.$")
_ATTRIBUTION_START = re.compile(r"^(?:[A-Z][\w.'’-]*\s+){1,5}(?:said|says|reported|announced|stated)(?: that)?\s+")
_DAY = re.compile(r"(?:January|February|March|April|May|June|July|August|September|October|November|December)\s$")
_AUXILIARY = re.compile(r"\b(is|are|was|were|has|have|had|will|would|can|could|should)\b(?! not\b)")
_NAME = re.compile(r"\b[A-Z][a-z]{2,}(?:\s[A-Z][a-z]{2,})*\b")


@dataclass(frozen=True)
class NewsPair:
    group: str  # the article's URL
    kind: str  # how the passage was made, e.g. "attribution dropped", "figure changed"
    claim: str
    evidence: str
    label: str  # supports / refutes / neutral


def figures(sentence: str) -> list[re.Match[str]]:
    """The figures in digits of a sentence (not parts of words, times or decimals)."""
    return list(_FIGURE.finditer(sentence))


def format_like(value: float, written: str) -> str:
    """``value`` rounded and written as ``written`` is ("3,248" keeps its thousands separator)."""
    rounded = round(value)
    return f"{rounded:,}" if "," in written or value >= 10000 else str(rounded)


def rewrite_separators(s: str, rng: random.Random) -> str:
    """ "3,248" <-> "3248" (not years)."""
    def swap(m: re.Match[str]) -> str:
        digits = m.group(2)
        if _YEAR.match(digits) or m.group(3):
            return m.group()
        plain = digits.replace(",", "")
        return m.group(1) + (plain if "," in digits else (f"{int(plain):,}" if len(plain) > 3 else plain))
    return _FIGURE.sub(swap, s)


def round_figure(s: str, rng: random.Random) -> str:
    """One figure of 20 or more rounded: "about 3,200" or "more than 3,000"."""
    options = [m for m in figures(s) if not _YEAR.match(m.group(2)) and not m.group(3) and not _DAY.search(s[:m.start()])
               and int(m.group(2).replace(",", "")) >= 20 and not _QUALIFIED.search(s[:m.start()])
               and s[m.end():m.end() + 1] not in ("-", "/") and not re.search(r"[A-Z]\w*\s$", s[:m.start()])]
    if not options:
        return s
    m = rng.choice(options)
    n = int(m.group(2).replace(",", ""))
    magnitude = 10 ** (len(str(n)) - 1)
    if rng.random() < 0.5:
        value, word = n // magnitude * magnitude, "more than"
        if value == n:
            return s
    else:
        value, word = round(n, -(len(str(n)) - 2)), "about"
    return s[:m.start()] + f"{word} {m.group(1)}{format_like(value, m.group(2))}" + s[m.end():]


def words_digits(s: str, rng: random.Random) -> str:
    """Small numbers written in words, or number words written in digits."""
    small = [m for m in figures(s) if not m.group(1) and not m.group(3) and 2 <= int(m.group(2).replace(",", "")) <= 20
             and not _DAY.search(s[:m.start()]) and s[m.end():m.end() + 1] not in ("-", "/", ":")]
    if small:
        m = rng.choice(small)
        return s[:m.start()] + _WORDS[int(m.group(2))] + s[m.end():]
    pattern = re.compile(r"\b(" + "|".join(_WORDS[2:]) + r")\b", re.IGNORECASE)
    return pattern.sub(lambda w: str(_WORDS.index(w.group().lower())), s, count=1)


def reorder_clauses(s: str, rng: random.Random) -> str:
    """The first two comma-separated parts swapped: "On Monday, X happened." -> "X happened, on Monday." """
    body = s.rstrip(".")
    cut = re.search(r",\s(?!\d)", body)
    if cut is None or cut.start() < 8:
        return s
    first, second = body[:cut.start()], body[cut.end():]
    if not second or first.split()[0].lower() in ("the", "on", "in", "at", "a", "an", "after", "during", "since", "by"):
        first = first[0].lower() + first[1:]
    if not second:
        return s
    return second[0].upper() + second[1:] + ", " + first + "."


def drop_attribution(s: str, rng: random.Random) -> str:
    out = _ATTRIBUTION_END.sub(".", s)
    if out == s:
        out = _ATTRIBUTION_START.sub("", s)
        out = out[:1].upper() + out[1:]
    return out


def _drop_last_clause(s: str, rng: random.Random) -> str:
    """The sentence up to its last comma, when what stays is most of it (a partial restatement)."""
    body = s.rstrip(".")
    cut = body.rfind(", ")
    if cut < 0 or len(body[:cut].split()) < 0.6 * len(body.split()) or len(body[:cut].split()) < 6:
        return s
    return body[:cut] + "."


_RESTATEMENTS: tuple[Callable[[str, random.Random], str], ...] = (
    rewrite_separators, round_figure, words_digits, reorder_clauses, drop_attribution, _drop_last_clause)


def restate(s: str, rng: random.Random, rewrites: Sequence[Callable[[str, random.Random], str]] = _RESTATEMENTS,
            stop: float = 0.4) -> str | None:
    """A restatement by rewrites that change the text, in random order, stopping after each with chance ``stop``; or None."""
    out = s
    for rewrite in rng.sample(list(rewrites), len(rewrites)):
        changed = rewrite(out, rng)
        if changed != out:
            out = changed
            if rng.random() < stop:
                break
    return out if out != s else None


def change_figure(s: str, rng: random.Random) -> str | None:
    """One figure changed by 10-300 %, or with none a year, weekday or month changed."""
    options = [m for m in figures(s) if not _YEAR.match(m.group(2))]
    if options:
        m = rng.choice(options)
        if _DAY.search(s[:m.start()]) and int(m.group(2).replace(",", "")) <= 31:
            return s[:m.start()] + str(rng.choice([d for d in range(1, 29) if d != int(m.group(2))])) + s[m.end():]
        n = float(m.group(2).replace(",", "") + (m.group(3) or ""))
        factor = 1 + rng.uniform(0.1, 3.0) if rng.random() < 0.5 or n < 2 else 1 / (1 + rng.uniform(0.1, 3.0))
        value = n * factor
        if m.group(3):
            text = f"{value:.{len(m.group(3)) - 1}f}"
        else:
            value = max(1, round(value))
            if value == n:
                value = n + 1
            text = format_like(value, m.group(2))
        return s[:m.start()] + m.group(1) + text + s[m.end():]
    years = [m for m in figures(s) if _YEAR.match(m.group(2))]
    if years:
        m = rng.choice(years)
        return s[:m.start()] + str(int(m.group(2)) + rng.choice((-5, -3, -2, -1, 1, 2, 3, 5))) + s[m.end():]
    for names in (_WEEKDAYS, _MONTHS):
        found = [n for n in names if re.search(rf"\b{n}\b", s)]
        if found:
            old = rng.choice(found)
            return re.sub(rf"\b{old}\b", rng.choice([n for n in names if n != old]), s, count=1)
    return None


def swap_name(s: str, names: list[str], rng: random.Random) -> str | None:
    """A name of the sentence (not its first word) replaced by another name of the article."""
    own = [m for m in _NAME.finditer(s) if m.start() > 0 and m.group() not in _MONTHS + _WEEKDAYS]
    if not own:
        return None
    m = rng.choice(own)
    others = [n for n in names if n not in s and n.split()[0] not in m.group()]
    if not others:
        return None
    return s[:m.start()] + rng.choice(others) + s[m.end():]


def add_negation(s: str, rng: random.Random) -> str | None:
    """The first auxiliary verb negated ("was" -> "was not")."""
    m = _AUXILIARY.search(s)
    if m is None or re.search(r"\b(not|never|no)\b", s):
        return None
    return s[:m.end()] + " not" + s[m.end():]


def article_pairs(url: str, text: str, rng: random.Random, per_article: int) -> Iterator[NewsPair]:
    """Pairs from up to ``per_article`` claim sentences of one article."""
    sentences = [seg.text.strip() for seg in segment_sentences(text)]
    usable = [i for i, s in enumerate(sentences) if 8 <= len(s.split()) <= 60 and s[:1] not in '"“']
    names = sorted({m.group() for s in sentences for m in _NAME.finditer(s)} - set(_MONTHS + _WEEKDAYS))
    for i in rng.sample(usable, min(per_article, len(usable))):
        claim = sentences[i]
        restated = restate(claim, rng)
        if restated:
            yield NewsPair(url, "restated", claim, restated, "supports")
        if i + 1 < len(sentences) and rng.random() < 0.5:
            yield NewsPair(url, "in a longer passage", claim, f"{restate(claim, rng) or claim} {sentences[i + 1]}", "supports")
        changes = [("figure changed", change_figure(claim, rng)), ("name swapped", swap_name(claim, names, rng)),
                   ("negation added", add_negation(claim, rng))]
        available = [(kind, text) for kind, text in changes if text and text != claim]
        if available:
            kind, changed = rng.choice(available)
            yield NewsPair(url, kind, claim, changed, "refutes")
        others = [j for j in range(len(sentences)) if j != i and len(sentences[j].split()) >= 6 and sentences[j] != claim]
        if others:
            words = content_words(claim)
            nearest = max(others, key=lambda j: (len(words & content_words(sentences[j])), -abs(j - i)))
            yield NewsPair(url, "same story, nearest sentence", claim, sentences[nearest], "neutral")
            yield NewsPair(url, "same story, other sentence", claim, sentences[rng.choice(others)], "neutral")


def story_articles(clusters_path: Path) -> frozenset[str]:
    """URLs of the Wikinews articles in the judged story clusters (left out of training)."""
    if not clusters_path.is_file():
        return frozenset()
    data = json.loads(clusters_path.read_text(encoding="utf-8"))
    keys = [k for c in data["clusters"] for k in (*c["articles"], *c.get("thread", ()))]
    return frozenset(k.split("#", 1)[1] for k in keys if "#" in k)


def news_pairs(root: Path, clusters_path: Path, per_article: int = 6, seed: int = SEED) -> list[NewsPair]:
    """Every pair from the Wikinews articles under ``root`` (news/wikinews_en.jsonl), story articles left out."""
    rng = random.Random(seed)
    skip = story_articles(clusters_path)
    out: list[NewsPair] = []
    with (root / "news" / "wikinews_en.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            if row["url"] not in skip:
                out.extend(article_pairs(row["url"], row["text"], rng, per_article))
    return out
