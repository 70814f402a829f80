"""Claude's server-side web search for one claim: the request, and what is kept of the answer.

The Messages API ``web_search`` tool (type ``web_search_20250305``) runs the
searches inside the call. The answer holds ``server_tool_use`` blocks (the
queries), ``web_search_tool_result`` blocks (each result's url, title and
``page_age``, its content encrypted) and text blocks whose ``citations`` of
type ``web_search_result_location`` carry the url, title and ``cited_text``
(up to 150 characters quoted from the page) behind each statement.

Only the citations are kept: the words quoted from the pages, with their
address, title and the result's page age. Claude's own sentences are not
evidence and are dropped.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from ..errors import WebSearchFailed

WEB_SEARCH_TOOL = "web_search_20250305"


@dataclass(frozen=True)
class WebCitation:
    url: str
    title: str
    cited_text: str
    page_age: str | None


@dataclass(frozen=True)
class WebSearchAnswer:
    citations: tuple[WebCitation, ...]
    from_cache: bool  # no API call was made: the answer was in the engine's response cache


def search_request(claim: str, *, system: str, instructions: str, max_tokens: int, max_uses: int,
                   blocked_domain: str | None) -> dict[str, Any]:
    """The Messages API request that lets Claude search the web for ``claim`` (never citing ``blocked_domain``)."""
    tag = f"claim_{hashlib.sha256(claim.encode('utf-8')).hexdigest()[:12]}"
    tool: dict[str, Any] = {"type": WEB_SEARCH_TOOL, "name": "web_search", "max_uses": max_uses}
    if blocked_domain:
        tool["blocked_domains"] = [blocked_domain]
    return {
        "max_tokens": max_tokens,
        "system": [{"type": "text", "text": system}],
        "tools": [tool],
        "messages": [{"role": "user", "content": [
            {"type": "text", "text": f"<{tag}>\n{claim}\n</{tag}>"},
            {"type": "text", "text": instructions.replace("{tag}", tag)},
        ]}],
    }


def read_citations(message: Any) -> list[dict[str, Any]]:
    """The cited passages of an answer, as JSON (see :class:`WebCitation`), in the order Claude cited them.

    A search that failed on every attempt (``web_search_tool_result_error``)
    raises :class:`~core.errors.WebSearchFailed`; one failed search among others does not.
    """
    page_age: dict[str, str | None] = {}
    errors: list[str] = []
    searches = 0
    for block in message.content:
        if block.type == "web_search_tool_result":
            searches += 1
            content = block.content
            if isinstance(content, list):
                for result in content:
                    page_age[result.url] = result.page_age
            else:
                errors.append(str(getattr(content, "error_code", "unknown error")))
    cited: dict[tuple[str, str], dict[str, Any]] = {}
    for block in message.content:
        if block.type != "text":
            continue
        for citation in block.citations or ():
            if citation.type != "web_search_result_location" or not citation.url.startswith(("http://", "https://")):
                continue
            text = " ".join(citation.cited_text.split())
            if text:
                cited.setdefault((citation.url, text), {"url": citation.url, "title": citation.title or "",
                                                        "cited_text": text, "page_age": page_age.get(citation.url)})
    if errors and len(errors) == searches and not cited:
        raise WebSearchFailed(f"Claude's web search failed ({', '.join(sorted(set(errors)))}).")
    return list(cited.values())
