"""One exception hierarchy for everything Crosscheck reports to a user.

Every error carries a message that says what happened and a hint that says
what to do next; pages show both with ``st.error`` and the CLI prints them on
one line.
"""
from __future__ import annotations

import email.utils
import time
from collections.abc import Mapping


class CrosscheckError(Exception):
    """Base class: a failure the user should read about, never a traceback."""

    hint: str = ""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        if hint is not None:
            self.hint = hint

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else self.__class__.__name__

    def user_message(self) -> str:
        return f"{self.message} {self.hint}".strip()


class InputError(CrosscheckError):
    """The source given by the user cannot be analysed as it is."""

    hint = "Check the input and try again."


class FetchError(CrosscheckError):
    """A page could not be downloaded. ``url`` is the address asked for, when known.

    The subclasses say why, in the spirit of httpx's exceptions: the address
    policy refused it, the transport failed (connect, timeout, TLS, redirects),
    the server answered an error status, or the answer was unusable.
    """

    hint = "Check the address, or paste the article text instead."

    def __init__(self, message: str, *, url: str | None = None, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.url = url


class BlockedURLError(FetchError):
    """The URL points at a private, loopback or link-local address."""

    hint = (
        "Crosscheck does not fetch addresses on private networks. Set "
        "CROSSCHECK_ALLOW_PRIVATE_URLS=true if you really mean to."
    )


class TransportError(FetchError):
    """No usable answer came back: the connection, TLS or redirects failed."""


class NetworkUnreachableError(TransportError):
    """There is no route to the host: its name does not resolve, or the network is down or unreachable.

    Unlike a refused connection (the host is there, the service is not), this
    is what a machine without internet access sees.
    """

    hint = "Check the network connection; sources that need the network are skipped without it."


class FetchTimeoutError(TransportError):
    """The server did not answer, or did not finish answering, in time."""

    hint = "Try again later."


def is_retryable_status(status: int) -> bool:
    """Whether an answer with this HTTP status may succeed when asked again later.

    408 (request timeout), 409 (a conflict: the Anthropic API's lock timeout), 429 (too many
    requests) and every 5xx (529, "overloaded", included): the statuses the Anthropic SDK retries.
    """
    return status in (408, 409, 429) or status >= 500


def retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    """How long an answer asks to wait before the next request, in seconds (None when it does not say).

    ``retry-after-ms`` first (the Anthropic API's), then ``Retry-After`` as seconds or as an HTTP
    date; a date in the past is no wait (0). ``headers`` must look names up case-insensitively, as
    the headers of requests and httpx do.
    """
    try:
        return max(0.0, float(headers["retry-after-ms"]) / 1000)
    except (KeyError, TypeError, ValueError):
        pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        parsed = email.utils.parsedate_tz(value)
        return None if parsed is None else max(0.0, email.utils.mktime_tz(parsed) - time.time())


class HTTPStatusError(FetchError):
    """The server answered with an error status (4xx or 5xx); ``status`` is that code.

    ``retry_after`` is the wait the answer asked for, in seconds, when it said (see :func:`retry_after_seconds`).
    """

    def __init__(self, message: str, *, status: int, url: str | None = None, hint: str | None = None,
                 retry_after: float | None = None) -> None:
        super().__init__(message, url=url, hint=hint)
        self.status = status
        self.retry_after = retry_after

    @property
    def retryable(self) -> bool:
        """Whether the same request may succeed later (:func:`is_retryable_status`)."""
        return is_retryable_status(self.status)


class RateLimitedError(HTTPStatusError):
    """A service answered 429 Too Many Requests; ``retry_after`` is its wait in seconds, when it said."""

    hint = "Wait a little and try again."

    def __init__(self, message: str, *, retry_after: float | None = None, url: str | None = None, hint: str | None = None) -> None:
        super().__init__(message, status=429, url=url, hint=hint, retry_after=retry_after)


class UnsupportedContentError(FetchError):
    """The URL answered with something that is not a web page or text."""

    hint = "Open the document yourself and paste its text instead."


class ResponseTooLargeError(FetchError):
    """The response is larger than the configured download cap."""

    hint = "Paste the part of the page you need instead."


class ExtractionError(CrosscheckError):
    """The page has no article text that could be extracted."""

    hint = "Paste the article text instead, or try the article's own page rather than a home or index page."


class EngineUnavailableError(CrosscheckError):
    """The chosen analysis engine cannot run here (missing key or model)."""

    hint = "Choose the local engine, which needs no key."


class EngineError(CrosscheckError):
    """The analysis engine failed while working on an article."""

    hint = "Try again, or choose the local engine."


class WebSearchRefused(EngineError):
    """The API refused Claude's web search tool (HTTP 400/403): not enabled for this account or organisation.

    The claude engine raises it and the claude_web source reads it, so it lives here, where both may look.
    """

    hint = "An administrator can enable web search in the Anthropic Console; the other sources still ran."


class WebSearchFailed(EngineError):
    """Claude's web search itself reported an error (``web_search_tool_result_error``: too many requests, unavailable…)."""


class SourceError(CrosscheckError):
    """An evidence source failed."""

    hint = "The other sources still ran; try again later for this one."


class SourceUnavailableError(SourceError):
    """An evidence source cannot run here at all: no network, or the service does not offer it to this account.

    The analysis records the source as skipped, not failed: nothing is wrong
    with the claims it would have checked.
    """


class ModelError(CrosscheckError):
    """A shipped model artifact is missing or corrupt."""

    hint = "Reinstall Crosscheck, or retrain with `python -m core train`."


class StorageError(CrosscheckError):
    """The analysis database could not be read or written."""

    hint = "Check CROSSCHECK_DB points to a writable file."


class QueueUnavailableError(CrosscheckError):
    """The task queue (Redis, or the SQLite queue file) did not take a job: nothing was queued."""

    hint = ("Start it (`redis-server`, or check CROSSCHECK_QUEUE_URL), or leave CROSSCHECK_QUEUE_URL unset to use "
            "the SQLite queue beside the database; then submit again.")


class NotFoundError(CrosscheckError):
    """A stored analysis was asked for by an id that does not exist."""

    hint = "List stored analyses on the Library page."


class ReviewError(CrosscheckError):
    """An analyst's review cannot be recorded as given (no name, no reason, a target the analysis lacks)."""

    hint = "Check the review and try again."


class ImportFileError(CrosscheckError):
    """A file given to ``python -m core import`` is not an export Crosscheck can read back."""

    hint = "Import a JSON file exported by Crosscheck."
