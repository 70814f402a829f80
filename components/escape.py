"""The one place where untrusted text (article titles, URLs, outlets, authors, claims, snippets,
notes, warnings) becomes Markdown in the dashboard (HTML for ``st.html`` is escaped with
``html.escape`` where components/render.py builds it).

Streamlit renders Markdown in headings, captions, alerts, expander and metric
labels, with more than CommonMark: images, links and autolinks, raw HTML,
KaTeX (``$…$``), coloured text and icons (``:red[…]``, ``:material/…:``). A
pasted title like ``![x](http://tracker/p.png)`` would make every reader's
browser fetch the tracker. Everything from an article, a source or an import
therefore goes through these helpers, and only http(s) addresses ever become
links.
"""
from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

# Every ASCII punctuation character may be backslash-escaped in CommonMark, and an escaped one
# is shown literally; escaping them all also stops Streamlit's extensions, which start with
# ':' (colours, icons, emoji) or '$' (math), and the parser's own literal autolinks.
_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
_WHITESPACE = re.compile(r"\s+")
# Escapes do not stop all autolinks: Streamlit's renderer (react-markdown with remark-gfm) also finds
# 'www.', 'http(s)://' and e-mail addresses in the text once it is parsed, escapes resolved, with
# mdast-util-gfm-autolink-literal's find-and-replace. An invisible WORD JOINER (U+2060) after 'www',
# '://' and '@' breaks those patterns ('www(?=\.)', '://' then a word character, '@' then one) and
# shows nothing; tests/test_markup_injection.py runs the patterns read from Streamlit's own bundle.
_AUTOLINK_TRIGGERS = re.compile(r"(www(?=\.)|://|@)", re.IGNORECASE)
_WORD_JOINER = "\u2060"
# Characters a link destination may hold as they are; everything else is percent-encoded.
_URL_SAFE = ":/?#[]@!$&'*+,;=%-._~"


def md_escape(text: str | None) -> str:
    """Untrusted text as inline Markdown that Streamlit shows literally, on one line, and never as a link."""
    plain = _AUTOLINK_TRIGGERS.sub(lambda match: match.group() + _WORD_JOINER, _WHITESPACE.sub(" ", text or "").strip())
    return _PUNCTUATION.sub(r"\\\1", plain)


def md_code(text: str | None) -> str:
    """Untrusted text as an inline code span: a backtick fence longer than any backtick run inside."""
    content = _WHITESPACE.sub(" ", text or "").strip()
    fence = "`" * (max((len(run) for run in re.findall("`+", content)), default=0) + 1)
    return f"{fence} {content} {fence}"


def web_url(url: str | None) -> str | None:
    """``url`` when it is an http(s) address, else None: the only addresses the dashboard links to."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    return url.strip() if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def md_link(label: str | None, url: str | None) -> str:
    """A Markdown link for an http(s) ``url`` (label escaped, address percent-encoded); plain text otherwise."""
    target = web_url(url)
    if target is None:
        return md_escape(label or url)
    return f"[{md_escape(label or target)}]({quote(target, safe=_URL_SAFE)})"
