"""Untrusted text never becomes Markdown markup on a page (audit item 1: a pasted title made
the browser fetch a tracking image and drew red text, KaTeX and a link)."""
from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
import regex
from markdown_it import MarkdownIt
from streamlit.testing.v1 import AppTest

from components.escape import md_code, md_escape, md_link, web_url
from core.records import Evidence, SourceRun, SourceType, Stance
from core.settings import get_settings
from core.storage import Storage
from testkit.factories import make_analysis

APP = str(Path(__file__).resolve().parent.parent / "app.py")
TIMEOUT = 120

HOSTILE = "![pixel](http://tracker.invalid/track.png) :red[ALERT] $\\sqrt{2}$ [click](javascript:alert(1)) <img src=x> www.tracker.invalid a@tracker.invalid"
HOSTILE_URL = "https://news.example/a b)![x](http://tracker.invalid/u.png)"
# Streamlit's own extensions of Markdown: colours and icons (":red[", ":material/"), emoji shortcodes and math.
_STREAMLIT_MARKUP = re.compile(r"(?<!\\)(:[a-z-]+\[|:material/|\$)")
_CODE_SPAN = re.compile(r"(`+) .*? \1")

_parser = MarkdownIt("commonmark").enable(["table", "strikethrough"])


def markup_hazards(body: str) -> list[str]:
    """What in ``body`` a browser would turn into a fetch, a link off the web, raw HTML or Streamlit markup."""
    found = []
    for block in _parser.parse(body):
        for token in [block, *(block.children or [])]:
            if token.type == "image":
                found.append(f"image {token.attrGet('src')}")
            elif token.type in ("html_inline", "html_block"):
                found.append(f"html {token.content}")
            elif token.type == "link_open" and web_url(str(token.attrGet("href"))) is None:
                found.append(f"link {token.attrGet('href')}")
    found += [f"streamlit markup {m.group()}" for m in _STREAMLIT_MARKUP.finditer(_CODE_SPAN.sub("", body))
              if not m.group().startswith(":material/")]
    return found


def test_escaped_text_parses_back_to_itself_as_plain_text():
    for text in (HOSTILE, "**bold** _it_ `code` # h1 > quote | a | b |", "1. item\n- item\n\n    code", "a\\b &amp; &#x5B;"):
        escaped = md_escape(text)
        assert markup_hazards(escaped) == []
        tokens = _parser.parseInline(escaped)[0].children
        assert {t.type for t in tokens} <= {"text"}, [t.type for t in tokens]
        # What the reader sees is the text itself (the word joiners that stop autolinks show nothing).
        assert "".join(t.content for t in tokens).replace("\u2060", "") == " ".join(text.split())


def _streamlit_autolink_patterns() -> list[regex.Pattern]:
    """The patterns with which Streamlit's renderer links www., http(s):// and e-mail addresses in parsed text.

    Read from Streamlit's own frontend bundle (remark-gfm's mdast-util-gfm-autolink-literal), so that the
    test follows the Streamlit installed, not another Markdown parser's idea of GFM.
    """
    import streamlit

    bundles = list((Path(streamlit.__file__).parent / "static" / "static" / "js").glob("StreamlitMarkdown.*.js"))
    found = [match for bundle in bundles
             if (match := re.search(r"\[\[/(\(https\?:.+?)/gi,\w+\],\[/(.+?)/gu,", bundle.read_text(encoding="utf-8")))]
    assert found, "Streamlit's Markdown bundle no longer holds the GFM autolink patterns: check how it links text now"
    www_or_http, email = found[0].groups()
    # JavaScript's \w is ASCII (the u flag does not change it); \p{P} and \p{S} are Unicode properties either way.
    return [regex.compile(www_or_http, regex.ASCII | regex.IGNORECASE), regex.compile(email, regex.ASCII)]


def test_titles_notes_and_names_never_become_links_in_streamlits_renderer():
    """Issue 30 item 10: 'www.x.example' and 'a@b.example' were linked in the browser though escaped for CommonMark."""
    patterns = _streamlit_autolink_patterns()
    for text in ("Council visit www.x.example today", "Write to a@b.example now", "Seen at http://y.example/p",
                 "WWW.Shout.example and x.y+z@mail.b.example", HOSTILE):
        assert any(p.search(text) for p in patterns), text  # the patterns do link the raw text
        escaped = md_escape(text)
        # Streamlit runs the patterns on the text nodes of the parsed Markdown: the escapes are resolved by then.
        shown = "".join(t.content for t in _parser.parseInline(escaped)[0].children if t.type == "text")
        assert not [m.group() for p in patterns for m in p.finditer(shown)], escaped


def test_links_only_for_web_addresses_and_code_spans_hold_any_backticks():
    link = md_link(HOSTILE_URL, HOSTILE_URL)
    assert markup_hazards(link) == []
    [paragraph] = [t for t in _parser.parse(link) if t.type == "inline"]
    hrefs = [t.attrGet("href") for t in paragraph.children if t.type == "link_open"]
    assert hrefs == ["https://news.example/a%20b%29!%5Bx%5D%28http://tracker.invalid/u.png%29"]
    assert md_link("x", "javascript:alert(1)") == "x" and web_url("data:text/html,hi") is None
    code = md_code("a``b`c")
    assert _parser.parseInline(code)[0].children[0].content == "a``b`c"


def hostile_analysis():
    analysis = make_analysis(id="hostile1", title=HOSTILE, outlet=HOSTILE, url=HOSTILE_URL,
                             warnings=(HOSTILE,), claims=[f"The council spent 4 million on {HOSTILE} roads in 2001."])
    claim = analysis.claims[0]
    evidence = Evidence(SourceType.WEB, HOSTILE, "javascript:alert(1)", HOSTILE, HOSTILE, Stance.REFUTES, 0.9)
    claim = replace(claim, evidence=(evidence,), assessment=replace(claim.assessment, rationale=HOSTILE))
    return replace(analysis, article=replace(analysis.article, author=HOSTILE, published=HOSTILE),
                   claims=(claim,), source_runs=(SourceRun("web", "failed", HOSTILE),))


def rendered_markdown(test: AppTest) -> list[str]:
    """Every string the page hands to Streamlit's Markdown renderer."""
    bodies = []
    for kind in ("markdown", "caption", "title", "header", "subheader", "warning", "info", "error", "success"):
        bodies += [str(e.value) for e in test.get(kind)]
    bodies += [str(e.label) for e in test.get("expander")] + [str(e.label) for e in test.get("metric")]
    return bodies


@pytest.mark.parametrize("page", ["pages/analyze.py", "pages/compare.py", "pages/library.py", "pages/evidence.py"])
def test_hostile_fields_are_plain_text_on_every_page(page):
    storage = Storage(get_settings().db_path)
    storage.save(hostile_analysis())
    storage.save(make_analysis(id="plain2", url="https://plain.example/2"))
    test = AppTest.from_file(APP, default_timeout=TIMEOUT)
    test.query_params["analysis"] = "hostile1"
    test.session_state["compare_ids"] = ["hostile1", "plain2"]
    test.run()
    if page != "pages/analyze.py":
        test.switch_page(page).run()
    assert not test.exception, test.exception
    bodies = rendered_markdown(test)
    assert bodies
    hazards = {body[:80]: markup_hazards(body) for body in bodies if markup_hazards(body)}
    assert hazards == {}
    if page == "pages/analyze.py":
        assert test.subheader[0].value == md_escape(HOSTILE)
        html_bodies = " ".join(str(e.proto.body) for e in test.get("html"))
        assert "<img" not in html_bodies and "&lt;img src=x&gt;" in html_bodies and 'href="javascript' not in html_bodies
    if page == "pages/evidence.py":
        links = list(test.dataframe[0].value["Evidence link"])
        assert [u for u in links if isinstance(u, str) and not u.startswith("https://")] == []
        assert sum(not isinstance(u, str) for u in links) == 1  # the javascript: address is not a link
