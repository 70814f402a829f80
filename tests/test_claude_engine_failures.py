"""The claude engine when the Messages API misbehaves: malformed or cut-off answers, 429/529/500 retried
as the API asks, a refused key, a hang, a Retry-After too long to wait, and the token budget."""
from __future__ import annotations

import time

import pytest

from core.errors import EngineError
from core.settings import get_settings
from testkit.fake_anthropic import (
    FAKE_KEY,
    Reply,
    error_reply,
    fake_anthropic,  # noqa: F401 (fixture)
    malformed_reply,
    overloaded,
    rate_limited,
    server_error,
    text_reply,
    tool_reply,
)
from tests.test_claude_engine import ARTICLE, engine, reading_input


def test_two_malformed_answers_mark_the_reading_partial_instead_of_crashing(fake_anthropic):
    fake_anthropic.script(malformed_reply(), text_reply("I would rather not use the tool."))
    reading = engine().read(ARTICLE)
    assert reading.partial and reading.techniques == () and reading.claims == ()
    assert "reading step failed" in reading.warnings[0] and "did not call record_reading" in reading.warnings[0]
    assert len(fake_anthropic.requests) == 2


def test_a_malformed_body_is_retried_once_and_then_succeeds(fake_anthropic):
    fake_anthropic.script(malformed_reply(), tool_reply("record_reading", reading_input()))
    eng = engine()
    reading = eng.read(ARTICLE)
    assert not reading.partial and len(reading.claims) == 2
    assert eng.info().usage.calls == 2


def test_a_cut_off_answer_is_sent_back_with_its_errors(fake_anthropic):
    fake_anthropic.script(
        tool_reply("record_reading", {"techniques": []}, stop_reason="max_tokens"),
        tool_reply("record_reading", reading_input()),
    )
    reading = engine().read(ARTICLE)
    assert not reading.partial
    retry = fake_anthropic.requests[1].body["messages"]
    assert [m["role"] for m in retry] == ["user", "assistant", "user"]
    assert "cut off" in retry[2]["content"][0]["content"] and "claims" in retry[2]["content"][0]["content"]


def test_429_is_retried_after_the_time_retry_after_asks(fake_anthropic):
    fake_anthropic.script(rate_limited(retry_after=0.4), tool_reply("record_reading", reading_input()))
    started = time.monotonic()
    reading = engine().read(ARTICLE)
    assert not reading.partial
    first, second = fake_anthropic.requests
    assert second.started - first.finished >= 0.35
    assert second.headers["x-stainless-retry-count"] == "1"
    assert time.monotonic() - started < 3


def test_529_and_500_are_retried_with_backoff(fake_anthropic):
    fake_anthropic.script(overloaded(retry_after_ms=None), server_error(retry_after_ms=None),
                          tool_reply("record_reading", reading_input()))
    reading = engine().read(ARTICLE)
    assert not reading.partial and len(fake_anthropic.requests) == 3
    gaps = [b.started - a.finished for a, b in zip(fake_anthropic.requests, fake_anthropic.requests[1:])]
    # SDK backoff: 0.5 s then 1 s, each shortened by up to 25 % jitter.
    assert 0.35 <= gaps[0] <= 0.9 and 0.7 <= gaps[1] <= 1.5


def test_a_retry_after_longer_than_the_timeout_fails_at_once(fake_anthropic):
    fake_anthropic.script(rate_limited(retry_after=3600))
    started = time.monotonic()
    with pytest.raises(EngineError) as caught:
        engine().read(ARTICLE)
    assert "asks to wait 3600 s" in caught.value.message and "HTTP 429" in caught.value.message
    assert len(fake_anthropic.requests) == 1 and time.monotonic() - started < 2


def test_an_api_that_stays_down_raises_engine_error_without_the_key(fake_anthropic):
    fake_anthropic.script(overloaded(), overloaded(), overloaded())
    with pytest.raises(EngineError) as caught:
        engine().read(ARTICLE)
    assert "529" in caught.value.message and "after 2 retries" in caught.value.message
    assert FAKE_KEY not in caught.value.user_message()
    assert len(fake_anthropic.requests) == 3


def test_a_rejected_key_fails_at_once_with_a_hint(fake_anthropic):
    fake_anthropic.script(error_reply(401, "authentication_error", "invalid x-api-key"))
    with pytest.raises(EngineError) as caught:
        engine().read(ARTICLE)
    assert "API key" in caught.value.message and "ANTHROPIC_API_KEY" in caught.value.hint
    assert FAKE_KEY not in caught.value.user_message()
    assert len(fake_anthropic.requests) == 1


def test_a_hanging_api_times_out(fake_anthropic, monkeypatch):
    monkeypatch.setenv("CROSSCHECK_CLAUDE_TIMEOUT", "0.3")
    monkeypatch.setenv("CROSSCHECK_CLAUDE_MAX_RETRIES", "1")
    get_settings.cache_clear()
    fake_anthropic.script(Reply(hang=True), Reply(hang=True))
    started = time.monotonic()
    with pytest.raises(EngineError) as caught:
        engine().read(ARTICLE)
    assert "did not answer within 0.3 s" in caught.value.message
    assert time.monotonic() - started < 3 and len(fake_anthropic.requests) == 2


def test_the_token_budget_stops_calls_and_marks_the_step_partial(fake_anthropic, monkeypatch):
    monkeypatch.setenv("CROSSCHECK_CLAUDE_MAX_TOKENS_PER_ANALYSIS", "5000")
    get_settings.cache_clear()
    reading = engine().read(ARTICLE)
    assert reading.partial and "token budget of 5,000" in reading.warnings[0]
    assert fake_anthropic.requests == []
