"""What a job analyses, as JSON that a worker on another machine can read: a URL, a text, a file, a stored article."""
from __future__ import annotations

import base64
import hashlib
from typing import Any

from ..errors import InputError
from ..pipeline import ArticleInput, FileInput, PathInput, Provenance, SourceInput, StdinInput, TextInput, UrlInput
from ..models import Article
from ..identity import article_key
from ..storage import Storage


def to_params(source: SourceInput) -> dict[str, Any]:
    """The job parameters of a source; a local file travels as its bytes (the worker may run elsewhere)."""
    match source:
        case UrlInput(url):
            return {"kind": "url", "url": url}
        case TextInput(text, stated):
            return {"kind": "text", "text": text, **_stated(stated)}
        case FileInput(name, data, stated):
            return {"kind": "file", "name": name, "data": base64.b64encode(data).decode("ascii"), **_stated(stated)}
        case StdinInput(data, stated):
            # Read by the worker as the .txt file it is: encoding detected, size checked.
            return {"kind": "file", "name": "standard-input.txt", "data": base64.b64encode(data).decode("ascii"), **_stated(stated)}
        case PathInput(path, stated):
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise InputError(f"{path} cannot be read: {exc.strerror}.") from None
            return {"kind": "file", "name": path.name, "data": base64.b64encode(data).decode("ascii"), **_stated(stated)}
        case ArticleInput(article):
            return {"kind": "article", "article": article.to_dict()}
    raise TypeError(f"unsupported source {source!r}")


def _stated(stated: Provenance) -> dict[str, str]:
    return {key: value for key, value in (("outlet", stated.outlet), ("url", stated.url)) if value}


def from_params(params: dict[str, Any]) -> SourceInput:
    kind = params["kind"]
    stated = Provenance(params.get("outlet"), params.get("url"))
    if kind == "url":
        return UrlInput(params["url"])
    if kind == "text":
        return TextInput(params["text"], stated)
    if kind == "file":
        return FileInput(params["name"], base64.b64decode(params["data"]), stated)
    if kind == "stored":
        raise ValueError("stored analyses are resolved by the runner")  # needs the database
    if kind == "article":
        return ArticleInput(Article.from_dict(params["article"]))
    raise ValueError(f"unknown job input kind {kind!r}")


def stored(analysis_id: str) -> dict[str, Any]:
    """Parameters of a re-run: the article of a stored analysis, read by the worker from the database."""
    return {"kind": "stored", "analysis_id": analysis_id}


def resolve(params: dict[str, Any], storage: Storage) -> SourceInput:
    if params["kind"] == "stored":
        return ArticleInput(storage.get(params["analysis_id"]).article)
    return from_params(params)


def label(params: dict[str, Any]) -> str:
    """What the job works on, for people."""
    kind = params["kind"]
    if kind == "url":
        return params["url"]
    if kind == "text":
        first_line = next((line.strip() for line in params["text"].splitlines() if line.strip()), "")
        return f"pasted text: {first_line[:120]}" if first_line else "pasted text"
    if kind == "file":
        return f"file {params['name']}"
    if kind == "stored":
        return f"re-run of analysis {params['analysis_id']}"
    return f"article {(params['article'].get('title') or '')[:120]}"


def dedupe_key(params: dict[str, Any]) -> str:
    """Same URL or same text: one analysis per batch."""
    kind = params["kind"]
    if kind == "url":
        return "url:" + article_key(Article(text="", url=params["url"]))
    if kind == "text":
        return "text:" + hashlib.sha256(params["text"].strip().encode("utf-8")).hexdigest()
    if kind == "file":
        return "file:" + hashlib.sha256(base64.b64decode(params["data"])).hexdigest()
    if kind == "stored":
        return "stored:" + params["analysis_id"]
    return "article:" + hashlib.sha256(params["article"]["text"].strip().encode("utf-8")).hexdigest()


