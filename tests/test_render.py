"""Untrusted article and evidence text never becomes markup."""
from __future__ import annotations

from components import render
from core.models import Span


def test_highlighted_html_escapes_text_and_merges_overlaps():
    text = 'Hello <script>alert("x")</script> world of lies'
    start = text.index("world")
    spans = [Span(start, start + 5, "world", 0.8), Span(start + 3, start + 12, "ld of lie", 0.7)]
    out = render.highlighted_html(text, spans)
    assert "<script>" not in out and "&lt;script&gt;" in out
    assert out.count("<mark>") == 1 and "<mark>world of lie</mark>" in out


def test_markdown_escape_neutralises_links_and_images():
    escaped = render.md_escape("![x](http://evil.example/t.png) [click](javascript:1) **bold**")
    assert "](" not in escaped and "**" not in escaped
