"""An article's genre is what the page declares (schema.org type, section, URL, title, byline), never guessed (issue 28)."""
from __future__ import annotations

import json
from dataclasses import replace

import pytest
from streamlit.testing.v1 import AppTest

from core import extract
from core.document_schema import validate_document
from core.genre import UNKNOWN, Genre, declared_genre
from core.persuasion import genre_caveat
from core.records import Analysis, Article, Persuasion
from core.reports.exports import to_markdown
from core.reports.pdf import _cover_rows, _summary_lines
from core.reports.summary import format_summary
from core.settings import get_settings
from testkit.apptest import APP, TIMEOUT, store, texts
from testkit.articles import PARAGRAPHS
from testkit.factories import make_analysis
from testkit.local_server import article_html

BODY = "<body><article><h1>A headline</h1><p>Some words.</p></article></body>"


def _page(head: str) -> str:
    return f"<!doctype html><html><head><title>A headline</title>{head}</head>{BODY}</html>"


def _json_ld(data: object) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


@pytest.mark.parametrize("head, url, kind, declared_by", [
    (_json_ld({"@type": ["NewsArticle", "OpinionNewsArticle"]}), None, "opinion",
     "the page's schema.org type OpinionNewsArticle"),
    (_json_ld({"@graph": [{"@type": "WebPage"}, {"@type": "AnalysisNewsArticle"}]}), None, "analysis",
     "the page's schema.org type AnalysisNewsArticle"),
    (_json_ld([{"@type": "ReviewNewsArticle"}]), None, "review", "the page's schema.org type ReviewNewsArticle"),
    (_json_ld({"@type": "ReportageNewsArticle", "articleSection": "Opinion"}), None, "report",
     "the page's schema.org type ReportageNewsArticle"),  # the type comes before the section
    (_json_ld({"@type": "NewsArticle", "articleSection": ["World", "Comment"]}), None, "opinion",
     "the page's section “Comment”"),
    ('<meta property="article:section" content="Editorials">', None, "editorial", "the page's section “Editorials”"),
    ("", "https://www.theguardian.com/commentisfree/2019/aug/12/hong-kong", "opinion",
     "the page's URL /commentisfree/"),
    ("", "https://example.com/opinion/editorials/2024/x", "editorial", "the page's URL /editorials/"),
    ("", "https://example.com/news/analysis/x", "analysis", "the page's URL /analysis/"),
])
def test_the_page_declares_its_genre(head, url, kind, declared_by):
    genre = extract.page_genre(_page(head), url, "A headline", "Ada Writer")
    assert genre == Genre(kind, declared_by)


@pytest.mark.parametrize("title, kind, marker", [
    ("Opinion: The council has lost its way", "opinion", "Opinion:"),
    ("Hong Kong is burning | Editorial | The Guardian", "editorial", "| Editorial"),
    ("Analysis: why rates rose", "analysis", "Analysis:"),
])
def test_a_title_marker_declares_the_genre(title, kind, marker):
    assert declared_genre(title=title) == Genre(kind, f"the page's title marker “{marker}”")


def test_nothing_declared_is_unknown_and_nothing_is_guessed_from_words():
    # Words that name a genre inside a headline or a slug are not markers.
    assert declared_genre(title="Analysis shows the opinion of voters", url="https://e.com/news/opinion-poll",
                          author="Ada Writer") == UNKNOWN
    assert extract.page_genre(_page(_json_ld({"@type": "NewsArticle"})), None, None, None) == UNKNOWN
    assert extract.page_genre("", None, None, None) == UNKNOWN  # nothing lxml can parse
    assert UNKNOWN.line == "Genre not declared by the page"


def test_an_editorial_byline_or_section_makes_an_opinion_an_editorial():
    assert declared_genre(schema_types=["OpinionNewsArticle"], author="The Editorial Board") == Genre(
        "editorial", "the byline “The Editorial Board”")
    assert declared_genre(author="Editorial") == Genre("editorial", "the byline “Editorial”")
    # A more specific declaration of another kind is not overridden.
    assert declared_genre(schema_types=["AnalysisNewsArticle"], author="Editorial board").kind == "analysis"


def test_loaded_html_carries_the_genre_and_pasted_text_none():
    html = article_html("Hong Kong is burning", PARAGRAPHS).replace(
        "</head>", _json_ld({"@type": ["NewsArticle", "OpinionNewsArticle"]}) + "</head>")
    article = extract.load_html(html, url="https://news.example.com/world/hong-kong").article
    assert article.genre == Genre("opinion", "the page's schema.org type OpinionNewsArticle")
    plain = extract.load_html(article_html("Council votes", PARAGRAPHS),
                              url="https://news.example.com/commentisfree/council").article
    assert plain.genre.line == "Opinion · declared by the page's URL /commentisfree/"
    text = "Opinion: the council is wrong\n" + " ".join(PARAGRAPHS)
    assert extract.load_text(text).article.genre == UNKNOWN  # a first line is no title the page declared


def _opinion(analysis: Analysis) -> Analysis:
    return replace(analysis, article=replace(analysis.article, genre=Genre("opinion", "the page's URL /commentisfree/")))


def test_the_genre_round_trips_and_an_older_document_loads_as_unknown():
    analysis = _opinion(make_analysis(2))
    document = json.loads(json.dumps(analysis.to_dict()))
    assert Analysis.from_dict(document).article.genre == analysis.article.genre
    assert validate_document(document, get_settings()).article.genre == analysis.article.genre
    del document["article"]["genre"]  # as written before issue 28
    assert Analysis.from_dict(document).article.genre == UNKNOWN
    assert validate_document(document, get_settings()).article.genre == UNKNOWN
    assert Article.from_dict({"text": "x"}).genre == UNKNOWN
    document["article"]["genre"] = {"kind": "propaganda", "declared_by": None}
    with pytest.raises(ValueError, match="genre"):
        validate_document(document, get_settings())


def test_the_persuasion_wording_says_an_opinion_piece_is_compared_with_news_reports():
    opinion = Genre("opinion", "the page's URL /commentisfree/")
    caveat = genre_caveat(opinion, Persuasion(5.0, 0.93))
    assert caveat is not None
    assert "an opinion piece is expected to read as more persuasive than news reports" in caveat
    assert "/commentisfree/" in caveat and "no reference of opinion pieces" in caveat
    assert genre_caveat(Genre("report", "the page's schema.org type ReportageNewsArticle"), Persuasion(5.0, 0.93)) is None
    assert genre_caveat(UNKNOWN, Persuasion(5.0, 0.93)) is None
    assert genre_caveat(opinion, Persuasion(5.0, None)) is None  # no reference: no percentile to qualify
    analysis = _opinion(make_analysis(2))
    for shown in (format_summary(analysis), to_markdown([analysis]), "\n".join(_summary_lines(analysis))):
        assert "expected to read as more persuasive than news reports" in shown
    assert ("Genre", "Opinion · declared by the page's URL /commentisfree/", None) in _cover_rows(analysis)
    assert "Genre:** Opinion · declared by the page's URL /commentisfree/" in to_markdown([analysis]).replace("\\", "")


def test_the_header_shows_the_genre_and_what_declared_it():
    store(_opinion(make_analysis(2, id="op1")), make_analysis(2, id="plain1"))
    test = AppTest.from_file(APP, default_timeout=TIMEOUT)
    test.query_params["analysis"] = "op1"
    test.run()
    assert not test.exception
    shown = texts(test)
    assert "Opinion · declared by the page's URL /commentisfree/" in shown
    assert "an opinion piece is expected to read as more persuasive than news reports" in shown
    test = AppTest.from_file(APP, default_timeout=TIMEOUT)
    test.query_params["analysis"] = "plain1"
    test.run()
    assert "Genre not declared by the page" in texts(test)
    assert "more persuasive than news reports" not in texts(test)
