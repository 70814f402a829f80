"""What a job analyses, as JSON that a worker on another machine can read: a URL, a text, a file, a stored article.

Each kind of input is a small class, registered by its kind name (the ``kind`` key of the JSON): it writes
itself as job parameters and reads itself back, names itself for people, says which inputs of a batch are
the same, and gives the pipeline its source. Stored jobs keep the parameters they were written with, so
the JSON of each kind never changes.
"""
from __future__ import annotations

import base64
import hashlib
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar

from .. import extract
from ..identity import article_key
from ..pipeline import ArticleInput, FileInput, PathInput, Provenance, SourceInput, StdinInput, TextInput, UrlInput
from ..records import Article
from ..registry import Registry
from ..settings import Settings
from ..storage import Storage


class JobInput(ABC):
    """One kind of job input; ``name`` is its kind, the ``kind`` key of its parameters."""

    name: ClassVar[str]

    @abstractmethod
    def to_params(self) -> dict[str, Any]:
        """The job parameters, as JSON."""

    @classmethod
    @abstractmethod
    def from_params(cls, params: dict[str, Any]) -> JobInput:
        """The input the parameters describe (KeyError or ValueError when they do not)."""

    @abstractmethod
    def label(self) -> str:
        """What the job works on, for people."""

    @abstractmethod
    def dedupe_key(self) -> str:
        """Same input, same key: one analysis per batch."""

    @abstractmethod
    def source(self, storage: Storage) -> SourceInput:
        """What the pipeline analyses."""


KINDS: Registry[JobInput] = Registry("job input kind")


def _sha256(text: str) -> str:
    return hashlib.sha256(text.strip().encode("utf-8")).hexdigest()


def _stated(stated: Provenance) -> dict[str, str]:
    return {key: value for key, value in (("outlet", stated.outlet), ("url", stated.url), ("published", stated.published))
            if value}


def _stated_in(params: dict[str, Any]) -> Provenance:
    return Provenance(params.get("outlet"), params.get("url"), params.get("published"))


@KINDS.register
@dataclass(frozen=True)
class UrlJob(JobInput):
    name: ClassVar[str] = "url"
    url: str

    def to_params(self) -> dict[str, Any]:
        return {"kind": self.name, "url": self.url}

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> UrlJob:
        return cls(params["url"])

    def label(self) -> str:
        return self.url

    def dedupe_key(self) -> str:
        return "url:" + article_key(Article(text="", url=self.url))

    def source(self, storage: Storage) -> SourceInput:
        return UrlInput(self.url)


@KINDS.register
@dataclass(frozen=True)
class TextJob(JobInput):
    name: ClassVar[str] = "text"
    text: str
    stated: Provenance = Provenance()

    def to_params(self) -> dict[str, Any]:
        return {"kind": self.name, "text": self.text, **_stated(self.stated)}

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> TextJob:
        return cls(params["text"], _stated_in(params))

    def label(self) -> str:
        first_line = next((line.strip() for line in self.text.splitlines() if line.strip()), "")
        return f"pasted text: {first_line[:120]}" if first_line else "pasted text"

    def dedupe_key(self) -> str:
        return "text:" + _sha256(self.text)

    def source(self, storage: Storage) -> SourceInput:
        return TextInput(self.text, self.stated)


@KINDS.register
@dataclass(frozen=True)
class FileJob(JobInput):
    """A file travels as its bytes (the worker may run elsewhere), read by the worker as the file it is."""

    name: ClassVar[str] = "file"
    filename: str
    data: bytes
    stated: Provenance = Provenance()

    def to_params(self) -> dict[str, Any]:
        return {"kind": self.name, "name": self.filename, "data": base64.b64encode(self.data).decode("ascii"),
                **_stated(self.stated)}

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> FileJob:
        return cls(params["name"], base64.b64decode(params["data"]), _stated_in(params))

    def label(self) -> str:
        return f"file {self.filename}"

    def dedupe_key(self) -> str:
        return "file:" + hashlib.sha256(self.data).hexdigest()

    def source(self, storage: Storage) -> SourceInput:
        return FileInput(self.filename, self.data, self.stated)


@KINDS.register
@dataclass(frozen=True)
class StoredJob(JobInput):
    """A re-run: the article of a stored analysis, read by the worker from the database."""

    name: ClassVar[str] = "stored"
    analysis_id: str

    def to_params(self) -> dict[str, Any]:
        return {"kind": self.name, "analysis_id": self.analysis_id}

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> StoredJob:
        return cls(params["analysis_id"])

    def label(self) -> str:
        return f"re-run of analysis {self.analysis_id}"

    def dedupe_key(self) -> str:
        return "stored:" + self.analysis_id

    def source(self, storage: Storage) -> SourceInput:
        return ArticleInput(storage.get(self.analysis_id).article)


@KINDS.register
@dataclass(frozen=True)
class ArticleJob(JobInput):
    name: ClassVar[str] = "article"
    article: Article

    def to_params(self) -> dict[str, Any]:
        return {"kind": self.name, "article": self.article.to_dict()}

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> ArticleJob:
        return cls(Article.from_dict(params["article"]))

    def label(self) -> str:
        return f"article {(self.article.title or '')[:120]}"

    def dedupe_key(self) -> str:
        return "article:" + _sha256(self.article.text)

    def source(self, storage: Storage) -> SourceInput:
        return ArticleInput(self.article)


def job_input(source: SourceInput, settings: Settings | None = None) -> JobInput:
    """The job input of a pipeline source; a local file or standard input travels as its bytes."""
    match source:
        case UrlInput(url):
            return UrlJob(url)
        case TextInput(text, stated):
            return TextJob(text, stated)
        case FileInput(name, data, stated):
            # Refused now when too large: a job that could only fail would keep the bytes in its parameters.
            return FileJob(name, extract.require_within_limit(data, name, settings), stated)
        case StdinInput(data, stated):
            # Read by the worker as the .txt file it is: encoding detected.
            return FileJob("standard-input.txt", extract.require_within_limit(data, "standard input", settings), stated)
        case PathInput(path, stated):
            # Size checked before reading: a file over the limit is refused now, not stored in a job that fails.
            return FileJob(path.name, extract.read_file(path, settings), stated)
        case ArticleInput(article):
            return ArticleJob(article)
    raise TypeError(f"unsupported source {source!r}")


def from_params(params: dict[str, Any]) -> JobInput:
    """The job input stored as ``params`` (ValueError for an unknown kind)."""
    try:
        kind = KINDS.get(params["kind"])
    except KeyError:
        raise ValueError(f"unknown job input kind {params['kind']!r}") from None
    return kind.from_params(params)


def to_params(source: SourceInput, settings: Settings | None = None) -> dict[str, Any]:
    """The job parameters of a pipeline source (a local file's size is checked against ``settings``)."""
    return job_input(source, settings).to_params()


def stored(analysis_id: str) -> dict[str, Any]:
    """Parameters of a re-run: the article of a stored analysis, read by the worker from the database."""
    return StoredJob(analysis_id).to_params()


def resolve(params: dict[str, Any], storage: Storage) -> SourceInput:
    """What the pipeline analyses for a job's parameters."""
    return from_params(params).source(storage)


def label(params: dict[str, Any]) -> str:
    """What the job works on, for people."""
    return from_params(params).label()


def dedupe_key(params: dict[str, Any]) -> str:
    """Same URL or same text: one analysis per batch."""
    return from_params(params).dedupe_key()
