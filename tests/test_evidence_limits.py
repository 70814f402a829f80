"""Evidence within its bounds: each source's own workers, the deadline that stops work, a bounded library index, no network."""
from __future__ import annotations

import time

from core import evidence
from core.engines.base import ClaimCandidate
from core.records import Verdict
from core.settings import get_settings
from core.storage import Storage
from testkit.fake_services import FakeWikipedia, running, use_services
from tests.test_evidence import (
    ARTICLE_TEXT,
    CLAIM,
    PLANET,
    RuleEngine,
    article,
    gather,
    store,
)

# --- bounded per source (audit item 9) ----------------------------------------------------------------

def claim_variants(n: int) -> list[ClaimCandidate]:
    """``n`` claims about the collapse, at offsets inside ARTICLE_TEXT (their text is what sources search)."""
    start = ARTICLE_TEXT.index(CLAIM)
    texts = [CLAIM, "The Morandi bridge collapsed in Genoa on Tuesday.", "43 people were killed when the bridge in Genoa collapsed.",
             "The collapse of the Morandi bridge killed 43 people.", "Genoa's Morandi bridge fell on Tuesday."]
    return [ClaimCandidate(t, start, start + len(CLAIM), 0.9) for t in texts[:n]]


def test_a_hanging_source_does_not_starve_the_others(monkeypatch, tmp_path):
    """Two workers: with one pool for all sources, Wikipedia's hanging look-ups held both and the library
    answered one claim of five; each source now has its own workers."""
    from core.ml.loading import get_embedder

    storage = Storage(tmp_path / "lib.db")
    store(storage, 1, "Daily Planet", "https://dailyplanet.example/genoa", PLANET)
    get_embedder().encode(["the model is loaded before the clock starts"])
    with running(FakeWikipedia(latency=8.0)) as (wikipedia,):
        wikipedia.add_page("Ponte Morandi", "The Morandi bridge in Genoa collapsed on 14 August 2018, killing 43 people.")
        use_services(monkeypatch, wikipedia=wikipedia)
        monkeypatch.setenv("CROSSCHECK_SOURCE_WORKERS", "2")
        monkeypatch.setenv("CROSSCHECK_SOURCE_TIME_BUDGET", "4")
        get_settings.cache_clear()
        settings = get_settings()
        result = evidence.gather(article(), claim_variants(5), engine=RuleEngine(settings), source_names=("library", "wikipedia"),
                                 settings=settings, storage=storage)
    runs = {r.name: r for r in result.source_runs}
    assert runs["library"].status == "ok", runs["library"].detail
    assert runs["wikipedia"].status == "failed" and "time budget" in runs["wikipedia"].detail


def test_work_past_the_deadline_is_stopped_not_left_running(monkeypatch):
    """At the deadline every source is stopped: a look-up waiting on its first answer sends no second request."""
    with running(FakeWikipedia(latency=1.0)) as (wikipedia,):
        wikipedia.add_page("Ponte Morandi", "The Morandi bridge in Genoa collapsed on 14 August 2018, killing 43 people.")
        use_services(monkeypatch, wikipedia=wikipedia)
        monkeypatch.setenv("CROSSCHECK_SOURCE_TIME_BUDGET", "0.4")
        get_settings.cache_clear()
        result = gather(("wikipedia",))
        sent_by_the_deadline = wikipedia.requests
        time.sleep(2.5)  # the first answers arrive after 1 s; a look-up left running would ask for the pages next
        assert wikipedia.requests == sent_by_the_deadline
    assert result.source_runs[0].status == "failed"


def test_a_huge_stored_article_costs_a_bounded_index(tmp_path):
    """A stored article is indexed with at most MAX_SENTENCES_PER_ARTICLE sentences, embedded once; its passages are found."""
    from sqlalchemy import func, select

    from core.sources import library
    from core.storage.tables import library_sentences

    filler = " ".join(f"Paragraph {i} describes the weather in a distant town, which was mild for the season." for i in range(3000))
    text = filler[:20_000] + " " + PLANET + " " + filler[20_000:]
    storage = Storage(tmp_path / "lib.db")
    store(storage, 1, "Daily Planet", "https://dailyplanet.example/genoa", text)
    result = gather(("library",), storage=storage)
    shared = result.claims[0]
    assert [e.outlet for e in shared.evidence] == ["Daily Planet"] and "43 people were killed" in shared.evidence[0].snippet
    with storage.database.read() as db:
        indexed = db.execute(select(func.count()).select_from(library_sentences)).scalar_one()
    assert indexed == library.MAX_SENTENCES_PER_ARTICLE  # of about 3,000 sentences


def without_network(monkeypatch):
    """A machine with no network: names other than loopback do not resolve (no packet leaves the test)."""
    import socket

    real = socket.getaddrinfo

    def resolve(host, *args, **kwargs):
        if host in ("localhost",) or str(host).startswith("127."):
            return real(host, *args, **kwargs)
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", resolve)


def test_a_source_without_network_is_skipped_in_one_line_not_failed(monkeypatch, tmp_path):
    without_network(monkeypatch)
    monkeypatch.setenv("CROSSCHECK_WIKIPEDIA_API_URL", "https://{lang}.wikipedia.org/w/api.php")
    get_settings.cache_clear()
    storage = Storage(tmp_path / "lib.db")
    store(storage, 1, "Daily Planet", "https://dailyplanet.example/genoa", PLANET)
    result = gather(("library", "wikipedia"), storage=storage)
    runs = {r.name: r for r in result.source_runs}
    assert runs["wikipedia"].status == "skipped" and "no network" in runs["wikipedia"].detail
    assert runs["wikipedia"].detail.count("en.wikipedia.org") == 1
    assert runs["library"].status == "ok"
    assert not result.partial and not any(c.partial for c in result.claims)
    skipped = [w for w in result.warnings if w.startswith("Skipped")]
    assert skipped == [result.warnings[0]] and "wikipedia (no network" in skipped[0]
    # The unreachable host is tried once per analysis, not once per claim.
    assert result.claims[0].verdict == Verdict.SINGLE_SOURCE and "incomplete" not in result.claims[0].assessment.rationale


def test_with_no_source_able_to_run_every_claim_stays_unverified_without_confidence(monkeypatch):
    without_network(monkeypatch)
    monkeypatch.setenv("CROSSCHECK_WIKIPEDIA_API_URL", "https://{lang}.wikipedia.org/w/api.php")
    get_settings.cache_clear()
    result = gather(("wikipedia",))
    assert all(c.verdict == Verdict.UNVERIFIED and c.assessment.confidence is None for c in result.claims)
    assert "No evidence source could run" in result.claims[0].assessment.rationale and not result.partial
