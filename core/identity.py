"""Who said it: hosts, outlets, independent sources and article keys, by one set of rules.

The verdict's rules (docs/evidence.md): an independent source is an outlet's
name, else its domain (``www.``, ``m.`` and a leading "the " dropped,
case and spacing ignored); every Wikipedia page is the one source Wikipedia.
Evidence from the article's own outlet (the same outlet name or the same
domain) is never independent, and the sources that leave out the article's
own site before the verdict sees anything (web search, Claude's web search,
the coverage finder) decide it by the same rule.

Two identities are stored and keep their exact form: :func:`article_key` (the
articles table's key) and :func:`evidence_domain` (the evidence table's domain
column).
"""
from __future__ import annotations

import hashlib
from urllib.parse import urlsplit, urlunsplit

from .records import Article, Evidence, SourceType

WIKIPEDIA = "wikipedia"
# Dropped from the front of outlet names and host names: "www.bbc.com", "m.bbc.com" and "bbc.com" are one outlet.
_PREFIXES = ("www.", "m.", "the ")


def normalise(name: str) -> str:
    """An outlet or host name as the verdict compares it: lower case, single spaces, no ``www.``, ``m.`` or "the "."""
    name = " ".join(name.lower().split())
    for prefix in _PREFIXES:
        name = name.removeprefix(prefix)
    return name


def domain(url: str | None) -> str:
    """The outlet a URL belongs to, as the verdict compares it ("" for none)."""
    if not url:
        return ""
    return normalise(urlsplit(url).hostname or "")


# Hosts whose pages name no outlet, or a wrong one, mapped to the outlet: AP's syndication pages on
# hosted.ap.org call themselves "Hosted".
_KNOWN_OUTLETS = {"ap.org": "AP", "apnews.com": "AP", "reuters.com": "Reuters"}


def outlet_name(stated: str | None, url: str | None) -> str | None:
    """The outlet of a page: the known outlet of its host, else the name the page states (None if it states none).

    A stated name that is only the first label of the page's host ("Hosted" for hosted.ap.org,
    "Edition" for edition.cnn.com) names a sub-site, not the outlet: the host's domain is then used.
    """
    host = domain(url)
    labels = host.split(".")
    for start in range(len(labels) - 1):
        known = _KNOWN_OUTLETS.get(".".join(labels[start:]))
        if known:
            return known
    stated = " ".join((stated or "").split()) or None
    if stated and len(labels) > 2 and normalise(stated) == labels[0]:
        return ".".join(labels[1:])
    return stated


def site(url: str | None) -> str:
    """A URL's host without ``www.``: how a page found on the web is named when it does not name its outlet."""
    return (urlsplit(url).hostname or "").removeprefix("www.") if url else ""


def independence_key(evidence: Evidence) -> str:
    """Which independent source a piece of evidence belongs to."""
    if evidence.source_type == SourceType.WIKIPEDIA:
        return WIKIPEDIA
    if evidence.outlet and evidence.outlet.strip():
        return normalise(evidence.outlet)
    return domain(evidence.url) or normalise(evidence.title)


def own_outlet(article: Article | None) -> frozenset[str]:
    """The article's own outlet: its normalised outlet name and its domain (empty when neither is known)."""
    if article is None:
        return frozenset()
    return frozenset(k for k in (normalise(article.outlet or ""), domain(article.url)) if k)


def is_own_outlet(evidence: Evidence, article: Article | None) -> bool:
    """Whether ``evidence`` comes from the article's own outlet, by name or by domain."""
    own = own_outlet(article)
    return bool(own) and (independence_key(evidence) in own or domain(evidence.url) in own)


def is_own_page(url: str | None, article: Article | None) -> bool:
    """Whether a page found by a search is on the article's own outlet: its domain is the article's outlet or domain.

    For a page named by its host (:func:`site`) this is what :func:`is_own_outlet` decides for its evidence.
    """
    key = domain(url)
    return bool(key) and key in own_outlet(article)


def article_key(article: Article) -> str:
    """Identity of an article across re-analyses: its normalised URL, else a hash of its text."""
    if article.url:
        parts = urlsplit(article.url.strip())
        return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path.rstrip("/") or "/", parts.query, ""))
    return "sha256:" + hashlib.sha256(article.text.encode("utf-8")).hexdigest()


def evidence_domain(url: str | None, outlet: str | None) -> str:
    """Where a piece of evidence comes from, for filtering: the URL's host without ``www.``, else the outlet."""
    host = (urlsplit(url).hostname or "") if isinstance(url, str) and url.startswith(("http://", "https://")) else ""
    return host.lower().removeprefix("www.") or (outlet or "")
