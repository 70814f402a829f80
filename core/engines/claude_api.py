"""One structured step against the Messages API: prompt, forced tool call, validation, cache, cost.

The SDK does the transport resilience: with ``max_retries`` it retries 408,
409, 429 and 5xx answers (529 "overloaded" included) and timeouts, with
exponential backoff from 0.5 s to 8 s and up to 25 % jitter, and it waits
exactly what a ``retry-after`` (or ``retry-after-ms``) header asks instead
(anthropic 2.10.0, ``_base_client._calculate_retry_timeout``), with no upper
limit; :class:`PatienceLimit` gives up instead when that wait is longer than
one call's timeout, so an analyst is never left waiting an hour. This module
adds what the SDK does not know about: a tool answer that does not follow its
schema is sent back once with the validation errors, a token budget per
analysis, the project's own answer cache and the cost log.
"""
from __future__ import annotations

import json
import logging
import math
import threading
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Generic, TypeVar

import anthropic
from pydantic import BaseModel, ValidationError

from ..engine_usage import Usage
from ..errors import EngineError, is_retryable_status, retry_after_seconds
from ..settings import Settings
from .claude_store import ResponseStore, cost_usd, request_key

logger = logging.getLogger(__name__)

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"
# Budget reservations only: Anthropic's guide gives about 3.5 characters per
# token for English; JSON and other scripts have fewer, so this errs high.
CHARS_PER_TOKEN = 3.0

KEY_HINT = (
    "Check ANTHROPIC_API_KEY (environment variable or .streamlit/secrets.toml), "
    "or choose the local engine, which needs no key."
)

A = TypeVar("A", bound=BaseModel)


@dataclass(frozen=True)
class Prompt:
    """A versioned prompt file ``core/prompts/claude_<step>.toml``."""

    step: str
    version: str
    system: str
    instructions: str
    tool_name: str
    tool_description: str
    max_tokens: int

    @classmethod
    def load(cls, step: str) -> Prompt:
        with (PROMPTS_DIR / f"claude_{step}.toml").open("rb") as handle:
            data = tomllib.load(handle)
        return cls(
            step=step,
            version=data["version"],
            system=data["system"].strip(),
            instructions=data["instructions"].strip(),
            tool_name=data["tool_name"],
            tool_description=data["tool_description"],
            max_tokens=int(data["max_tokens"]),
        )


@dataclass(frozen=True)
class StepResult(Generic[A]):
    """A validated answer, or None with the reason the step failed."""

    answer: A | None
    problem: str = ""


class BudgetExhausted(Exception):
    """The next call could take the analysis past its token budget."""


class RetryAfterTooLong(Exception):
    """The API asked to wait longer before a retry than the engine will."""

    def __init__(self, status: int, wait: float) -> None:
        super().__init__(f"HTTP {status}, retry after {wait:.0f} s")
        self.status = status
        self.wait = wait


class PatienceLimit(anthropic.Middleware):
    """Stops the SDK's retry loop when a retryable answer asks for a wait over ``limit`` seconds.

    Raising a non-SDK exception from middleware ends the loop at once
    (anthropic 2.10.0 retries only its own error types).
    """

    def __init__(self, limit: float) -> None:
        self.limit = limit

    def handle(self, request: anthropic.APIRequest, call_next: Any) -> Any:
        response = call_next(request)
        if is_retryable_status(response.status_code):
            wait = retry_after_seconds(response.headers)
            if wait is not None and wait > self.limit:
                response.http_response.close()
                raise RetryAfterTooLong(response.status_code, wait)
        return response


class ClaudeClient:
    """The SDK client plus the per-analysis usage, budget, answer cache and call log."""

    def __init__(self, settings: Settings, api_key: str) -> None:
        self._key = api_key
        self.model = settings.claude_model
        self._timeout = settings.claude_timeout
        self._retries = settings.claude_max_retries
        self._sdk = anthropic.Anthropic(
            api_key=self._key,
            base_url=settings.anthropic_base_url,
            max_retries=settings.claude_max_retries,
            timeout=settings.claude_timeout,
            middleware=[PatienceLimit(settings.claude_timeout)],
        )
        self._store = ResponseStore(settings)
        self._budget = settings.claude_max_tokens_per_analysis
        self._lock = threading.Lock()
        self._spent = 0
        self._reserved = 0
        self.usage = Usage()

    def ask(
        self,
        prompt: Prompt,
        system: str,
        content: list[dict[str, Any]],
        answer_type: type[A],
        *,
        check: Callable[[A], None] | None = None,
        fresh: bool = False,
    ) -> StepResult[A]:
        """Force ``prompt``'s tool on ``content`` and validate the answer as ``answer_type``.

        ``check`` adds rules a JSON schema cannot say (it raises ValueError).
        A malformed answer is sent back once with the errors; a second one
        fails the step. API failures raise :class:`EngineError`.
        """
        request = {
            "max_tokens": prompt.max_tokens,
            "system": [{"type": "text", "text": system}],
            "tools": [
                {
                    "name": prompt.tool_name,
                    "description": prompt.tool_description,
                    "input_schema": answer_type.model_json_schema(),
                }
            ],
            "tool_choice": {"type": "tool", "name": prompt.tool_name, "disable_parallel_tool_use": True},
            "messages": [{"role": "user", "content": content}],
        }
        key = request_key(self.model, prompt.version, request)
        if not fresh:
            cached = self._store.get(key)
            if cached is not None:
                try:
                    return StepResult(self._validate(cached, answer_type, check))
                except ValueError:
                    logger.info("ignoring a cached %s answer that no longer validates", prompt.step)

        attempt = request
        problem = ""
        for _ in range(2):
            try:
                message = self._send(prompt.step, attempt)
            except BudgetExhausted as exc:
                return StepResult(None, str(exc))
            if message is None:
                problem = "the API answered with a body that is not valid JSON"
                attempt = request
                continue
            tool_use = next((b for b in message.content if b.type == "tool_use" and b.name == prompt.tool_name), None)
            if tool_use is None:
                problem = f"the answer did not call {prompt.tool_name}"
                attempt = request
                continue
            try:
                answer = self._validate(tool_use.input, answer_type, check)
            except ValueError as exc:
                problem = _describe(exc)
                if message.stop_reason == "max_tokens":
                    problem = f"the answer was cut off at {prompt.max_tokens} tokens ({problem})"
                logger.info("%s answer rejected: %s", prompt.step, problem)
                attempt = _correction(request, tool_use, problem) if isinstance(tool_use.input, dict) else request
                continue
            self._store.put(key, self.model, prompt.version, answer.model_dump(mode="json"))
            return StepResult(answer)
        return StepResult(None, f"two malformed answers; last: {problem}")

    def ask_with_server_tools(self, prompt: Prompt, request: dict[str, Any], read: Callable[[Any], Any], *,
                              fresh: bool = False, refused: type[EngineError] = EngineError) -> tuple[Any, bool]:
        """Send ``request`` as it is (server tools such as web search run inside the call) and keep what ``read``
        takes from the message, a JSON value, in the answer cache; returns it and whether it came from the cache.

        A 400 or 403 answer raises ``refused`` (the account or request does not allow the tool); other API
        failures raise :class:`EngineError`, as does a body that is not JSON or a spent token budget.
        """
        key = request_key(self.model, prompt.version, request)
        if not fresh:
            cached = self._store.get(key)
            if cached is not None:
                return cached["value"], True
        try:
            message = self._send(prompt.step, request, refused=refused)
        except BudgetExhausted as exc:
            raise EngineError(f"Claude's {prompt.step} step was not run: {exc}.") from None
        if message is None:
            raise EngineError("The Anthropic API answered with a body that is not valid JSON.")
        value = read(message)
        self._store.put(key, self.model, prompt.version, {"value": value})
        return value, False

    @staticmethod
    def _validate(data: object, answer_type: type[A], check: Callable[[A], None] | None) -> A:
        answer = answer_type.model_validate(data)  # ValidationError is a ValueError
        if check is not None:
            check(answer)
        return answer

    def _send(self, step: str, request: dict[str, Any], *,
              refused: type[EngineError] | None = None) -> anthropic.types.Message | None:
        """One paid call (the SDK may retry it); None when the body was not JSON.

        ``refused``: the error a 400 or 403 answer raises instead of the usual one (a server tool the account lacks).
        """
        estimate = math.ceil(len(json.dumps(request)) / CHARS_PER_TOKEN) + int(request["max_tokens"])
        with self._lock:
            if self._spent + self._reserved + estimate > self._budget:
                raise BudgetExhausted(
                    f"the token budget of {self._budget:,} per analysis would be exceeded "
                    f"({self._spent:,} used; this call may need up to {estimate:,}); "
                    "raise CROSSCHECK_CLAUDE_MAX_TOKENS_PER_ANALYSIS to allow more"
                )
            self._reserved += estimate
        usage = Usage(calls=1)
        try:
            message = self._sdk.messages.create(model=self.model, **request)
            u = message.usage
            usage = Usage(
                calls=1,
                input_tokens=u.input_tokens,
                output_tokens=u.output_tokens,
                cache_read_tokens=u.cache_read_input_tokens or 0,
                cache_write_tokens=u.cache_creation_input_tokens or 0,
                web_searches=u.server_tool_use.web_search_requests if u.server_tool_use else 0,
            )
            return message
        except (json.JSONDecodeError, anthropic.APIResponseValidationError) as exc:
            logger.warning("%s: unreadable response from the Anthropic API (%s)", step, type(exc).__name__)
            return None
        except (anthropic.BadRequestError, anthropic.PermissionDeniedError) as exc:
            if refused is None:
                raise self._engine_error(exc) from None
            raise refused(f"HTTP {exc.status_code}: {self._scrub(_api_message(exc))}") from None
        except anthropic.APIError as exc:
            raise self._engine_error(exc) from None
        except RetryAfterTooLong as exc:
            raise EngineError(
                f"The Anthropic API is overloaded or rate-limited (HTTP {exc.status}) and asks to wait "
                f"{exc.wait:.0f} s, longer than the {self._timeout:g} s this engine waits.",
                hint="Try again later, or choose the local engine.",
            ) from None
        finally:
            usage = replace(usage, cost_usd=cost_usd(self.model, usage))
            with self._lock:
                self._reserved -= estimate
                self._spent += (
                    usage.input_tokens + usage.output_tokens + usage.cache_read_tokens + usage.cache_write_tokens
                )
                self.usage = self.usage + usage
            self._store.record_call(self.model, step, usage)

    def _engine_error(self, exc: anthropic.APIError) -> EngineError:
        after = f"after {self._retries} retries" if self._retries else "with retries off"
        if isinstance(exc, (anthropic.AuthenticationError, anthropic.PermissionDeniedError)):
            return EngineError(f"Anthropic did not accept the API key (HTTP {exc.status_code}).", hint=KEY_HINT)
        if isinstance(exc, anthropic.NotFoundError):
            return EngineError(
                f"The Anthropic API does not offer the model {self.model!r} to this key (HTTP 404).",
                hint="Set CROSSCHECK_CLAUDE_MODEL to a model your key can use, or choose the local engine.",
            )
        if isinstance(exc, anthropic.APITimeoutError):
            return EngineError(f"The Anthropic API did not answer within {self._timeout:g} s, {after}.")
        if isinstance(exc, anthropic.APIConnectionError):
            return EngineError(f"Cannot reach the Anthropic API ({self._scrub(str(exc))}), {after}.")
        if isinstance(exc, anthropic.APIStatusError):
            if is_retryable_status(exc.status_code):
                return EngineError(f"The Anthropic API is overloaded or failing (HTTP {exc.status_code}), {after}.")
            return EngineError(
                f"The Anthropic API refused the request (HTTP {exc.status_code}): {self._scrub(_api_message(exc))}"
            )
        return EngineError(f"The Anthropic API call failed: {self._scrub(str(exc))}")

    def _scrub(self, text: str) -> str:
        # Belt and braces: no SDK message carries the key today, but none may ever show it.
        return text.replace(self._key, "[key]") if self._key else text


def _api_message(exc: anthropic.APIStatusError) -> str:
    body = exc.body
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        return str(body["error"].get("message", ""))[:300]
    return str(exc.message)[:300]


def _describe(exc: ValueError) -> str:
    """The validation errors without the rejected values (they are model output)."""
    if isinstance(exc, ValidationError):
        errors = exc.errors(include_input=False, include_url=False)
        parts = [f"{'.'.join(str(p) for p in e['loc']) or 'input'}: {e['msg']}" for e in errors[:6]]
        more = f" (+{len(errors) - 6} more)" if len(errors) > 6 else ""
        return "; ".join(parts) + more
    return str(exc)


def _correction(request: dict[str, Any], tool_use: Any, problem: str) -> dict[str, Any]:
    """The original request plus the rejected tool call and why it was rejected."""
    return {
        **request,
        "messages": [
            *request["messages"],
            {
                "role": "assistant",
                "content": [{"type": "tool_use", "id": tool_use.id, "name": tool_use.name, "input": tool_use.input}],
            },
            {
                "role": "user",
                "content": [
                    {
                        "type": "tool_result",
                        "tool_use_id": tool_use.id,
                        "is_error": True,
                        "content": f"Rejected: {problem}. Call {tool_use.name} again with input that follows its schema.",
                    }
                ],
            },
        ],
    }
