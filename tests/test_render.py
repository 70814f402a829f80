"""Untrusted article and evidence text never becomes markup."""
from __future__ import annotations

from components import render
from core.figures import theme
from core.records import Evidence, SourceType, Span, Stance, Technique


def test_highlighted_html_escapes_text_and_merges_overlaps():
    text = 'Hello <script>alert("x")</script> world of lies'
    start = text.index("world")
    spans = (Span(start, start + 5, "world", 0.8), Span(start + 3, start + 12, "ld of lie", 0.7))
    out = render.highlighted_html(text, [Technique("Loaded_Language", 0.8, spans)])
    assert "<script>" not in out and "&lt;script&gt;" in out
    assert out.count("<mark") == 1 and out.endswith("world of lie</mark>s")


def test_highlights_are_coloured_and_labelled_per_technique():
    text = "They are traitors and cowards, and everyone agrees."
    loaded = Technique("Loaded_Language", 0.9, (Span(9, 29, "traitors and cowards", 0.9),))
    bandwagon = Technique("Bandwagon,Reductio_ad_hitlerum", 0.6, (Span(22, 50, "cowards, and everyone agrees", 0.6),))
    out = render.highlighted_html(text, [loaded, bandwagon])
    loaded_colour = theme.TECHNIQUE_HIGHLIGHTS["Loaded_Language"]
    bandwagon_colour = theme.TECHNIQUE_HIGHLIGHTS["Bandwagon,Reductio_ad_hitlerum"]
    # three regions: loaded only, both (coloured as the more confident), bandwagon only;
    # each passage labelled once, where it starts
    assert out.count("<mark") == 3
    assert f"background:{loaded_colour}" in out and f"background:{bandwagon_colour}" in out
    assert ">Loaded Language</span>traitors and </mark>" in out
    assert ">Bandwagon / Reductio ad Hitlerum</span>cowards</mark>" in out
    assert out.count('class="technique-label"') == 2
    legend = render.technique_legend_html([loaded, bandwagon])
    assert loaded_colour in legend and "Bandwagon / Reductio ad Hitlerum" in legend


def test_evidence_cards_refuse_non_web_links_and_escape_snippets():
    from components import evidence_cards

    evidence = Evidence(SourceType.WEB, 'T"><img src=x onerror=1>', "javascript:alert(1)", None,
                        "<b>bold</b> claim", Stance.REFUTES, 0.7)
    out = evidence_cards.card_html(evidence, "not counted: <b>below</b>")
    assert "javascript:" not in out and "<img" not in out and "<b>bold</b>" not in out and "<b>below" not in out
    assert "Leans refutes" in out and "Web" in out  # not counted: it must not read like a stance that decided


def test_evidence_that_does_not_count_is_drawn_apart_with_its_reason():
    from components import evidence_cards
    from core.verdict import COUNTED, NOT_COUNTED

    item = Evidence(SourceType.WEB, "Title", "https://planet.example/a", "Daily Planet", "text", Stance.SUPPORTS, 0.7)
    counted = evidence_cards.card_html(item, COUNTED)
    not_counted = evidence_cards.card_html(item, NOT_COUNTED)
    assert 'class="evidence counted"' in counted and COUNTED in counted and "dashed" not in counted
    assert 'class="evidence not-counted"' in not_counted and NOT_COUNTED in not_counted and "dashed" in not_counted


def test_markdown_escape_neutralises_links_and_images():
    escaped = render.md_escape("![x](http://evil.example/t.png) [click](javascript:1) **bold**")
    assert "](" not in escaped and "**" not in escaped
