"""Loading articles from URLs, files and pasted text, and the bad inputs around them."""
from __future__ import annotations

import pytest

from core import extract
from core.errors import BlockedURLError, ExtractionError, FetchError, InputError, UnsupportedContentError
from core.settings import Settings, get_settings
from testkit.articles import PARAGRAPHS
from testkit.local_server import LocalServer, Reply, article_html



def test_url_gives_text_and_metadata():
    with LocalServer() as server:
        server.routes["/news/library"] = Reply(body=article_html("Council votes to close library", PARAGRAPHS))
        loaded = extract.load_url(server.url("/news/library"))
    article = loaded.article
    assert article.title == "Council votes to close library"
    assert article.author == "Ada Writer"
    assert article.published == "2024-03-05"
    assert article.outlet == "Test Gazette"
    assert article.language == "en"
    assert article.url.endswith("/news/library")
    assert "voted 7 to 2" in article.text
    assert "Copyright" not in article.text and "Home" not in article.text


def test_page_without_article_text():
    with LocalServer() as server:
        server.routes["/"] = Reply(body="<html><body><nav><a href='/a'>A</a> <a href='/b'>B</a></nav></body></html>")
        with pytest.raises(ExtractionError, match="no article text"):
            extract.load_url(server.url("/"))


def test_pdf_url():
    with LocalServer() as server:
        server.routes["/report.pdf"] = Reply(body=b"%PDF-1.7 binary", content_type="application/pdf")
        with pytest.raises(UnsupportedContentError, match="PDF document"):
            extract.load_url(server.url("/report.pdf"))


def test_image_url():
    with LocalServer() as server:
        server.routes["/photo.jpg"] = Reply(body=b"\xff\xd8\xff", content_type="image/jpeg")
        with pytest.raises(UnsupportedContentError, match="an image"):
            extract.load_url(server.url("/photo.jpg"))


def test_plain_text_url_is_kept_as_text():
    text = "Headline here\n" + " ".join(PARAGRAPHS)
    with LocalServer() as server:
        server.routes["/story.txt"] = Reply(body=text, content_type="text/plain; charset=utf-8")
        article = extract.load_url(server.url("/story.txt")).article
    assert article.text == text
    assert article.title == "Headline here"


def test_loopback_refused_without_the_setting(tmp_path):
    with LocalServer() as server:
        server.routes["/"] = Reply(body=article_html("x", PARAGRAPHS))
        with pytest.raises(BlockedURLError):
            extract.load_url(server.url("/"), Settings(home=tmp_path, allow_private_urls=False))


def test_404():
    with LocalServer() as server:
        with pytest.raises(FetchError, match="404"):
            extract.load_url(server.url("/missing"))


def test_text_file_is_kept_exactly(tmp_path):
    text = "  Title line\n\nBody " + " ".join(PARAGRAPHS) + "\n"
    path = tmp_path / "story.txt"
    path.write_text(text, encoding="utf-8")
    article = extract.load_file(path).article
    assert article.text == text
    assert article.title == "Title line"


def test_non_utf8_text_file_is_decoded_with_a_warning(tmp_path):
    text = "Café owners protest\n" + " ".join(PARAGRAPHS) + " The mayor's café déjà vu."
    path = tmp_path / "latin.txt"
    path.write_bytes(text.encode("cp1252"))
    loaded = extract.load_file(path)
    assert "Café" in loaded.article.text and "déjà" in loaded.article.text
    assert any("not UTF-8" in w for w in loaded.warnings)


def test_binary_file_with_txt_name_is_refused(tmp_path):
    path = tmp_path / "image.txt"
    path.write_bytes(bytes(range(256)) * 20)
    with pytest.raises(InputError, match="not a text file"):
        extract.load_file(path)


def test_unsupported_file_type(tmp_path):
    path = tmp_path / "story.docx"
    path.write_bytes(b"PK\x03\x04")
    with pytest.raises(InputError, match="neither an .html/.htm nor a .txt"):
        extract.load_file(path)


def test_html_file(tmp_path):
    path = tmp_path / "saved.htm"
    path.write_text(article_html("Saved page", PARAGRAPHS, outlet="Saved Times"), encoding="utf-8")
    article = extract.load_file(path).article
    assert article.title == "Saved page" and article.outlet == "Saved Times"


def test_a_guardian_page_gives_the_headline(tmp_path):
    path = tmp_path / "editorial.html"
    # The page's title as the Guardian writes it, the section and the outlet after the headline.
    path.write_text(article_html("Greek decision shocks athletics | Opinion | The Guardian", PARAGRAPHS,
                                 outlet="The Guardian", author="Editorial"), encoding="utf-8")
    article = extract.load_file(path).article
    assert article.title == "Greek decision shocks athletics"


@pytest.mark.parametrize("byline, outlet, author", [
    ("Editorial", "The Guardian", "The Guardian editorial board"),
    ("The Editorial Board", None, "Editorial board"),
    ("Ada Writer", "The Guardian", "Ada Writer"),
    (None, "The Guardian", None),
])
def test_a_byline_naming_the_editorial_is_the_outlets_editorial_board(byline, outlet, author):
    assert extract.clean_author(byline, outlet) == author


@pytest.mark.parametrize("title, outlet, url, cleaned", [
    ("Greek decision | Editorial | The Guardian", "The Guardian", None, "Greek decision"),
    ("Assange appeal | World news | theguardian.com", None, "https://www.theguardian.com/x", "Assange appeal"),
    ("Storm hits coast - BBC News", "BBC News", None, "Storm hits coast"),
    # A headline's own dash or bar stays: only parts after it that name the outlet go.
    ("Trump - Biden debate | The Guardian", "The Guardian", None, "Trump - Biden debate"),
    ("Left | right", "The Guardian", None, "Left | right"),
    ("Greek decision | Editorial", "The Guardian", None, "Greek decision | Editorial"),
])
def test_titles_lose_the_outlet_and_section_the_site_appends(title, outlet, url, cleaned):
    assert extract.clean_title(title, outlet, url) == cleaned


def test_a_hosted_ap_page_is_from_ap(tmp_path):
    with LocalServer() as server:
        server.routes["/story"] = Reply(body=article_html("Quake hits", PARAGRAPHS, outlet="Hosted"))
        loaded = extract.load_html(server.routes["/story"].body, url="https://hosted.ap.org/article/1/quake-hits")
    assert loaded.article.outlet == "AP" and loaded.article.title == "Quake hits"


@pytest.mark.parametrize("text", ["", "   \n\t  "])
def test_empty_paste(text):
    with pytest.raises(InputError, match="empty"):
        extract.load_text(text)


def test_too_short_paste():
    with pytest.raises(InputError, match="at least"):
        extract.load_text("Just one sentence.")


def test_huge_paste():
    huge = "word " * 1_000_000  # 5 MB
    with pytest.raises(InputError, match="5,000,000 characters; the limit is 200,000"):
        extract.load_text(huge)


def test_non_english_article_is_detected():
    text = (
        "Der Stadtrat hat am Montag mit sieben zu zwei Stimmen beschlossen, die öffentliche Bibliothek zu schließen. "
        "Die Verwaltung erklärte, dass die Schließung jährlich etwa 1,2 Millionen Euro einsparen werde. "
        "Anwohner nannten die Entscheidung einen Verrat an den arbeitenden Familien."
    )
    assert extract.load_text(text).article.language == "de"


def test_limits_come_from_settings(monkeypatch):
    monkeypatch.setenv("CROSSCHECK_MAX_TEXT_CHARS", "300")
    get_settings.cache_clear()
    with pytest.raises(InputError, match="limit is 300"):
        extract.load_text("a " * 200)
