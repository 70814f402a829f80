"""gather(): sources in parallel, skipped and failing sources, the time budget, caching, verdicts."""
from __future__ import annotations

import json
import re
import time
from collections.abc import Sequence
from dataclasses import replace

import pytest

from core import cli, evidence, sources
from core.caches import cache_stats, clear_caches
from core.engines.base import ENGINES, ClaimCandidate, Engine, Reading, StanceJudgement
from core.errors import EngineError, InputError
from core.engine_usage import EngineInfo
from core.policy import FACT_AGREEMENT_PRECISION
from core.records import Analysis, Article, SourceType, Stance, Verdict
from core.settings import get_settings
from core.storage import Storage
from testkit.fake_http import json_reply
from testkit.fake_search import FakeSearxng
from testkit.fake_services import FakeSite, FakeWikipedia, running, use_services

CLAIM = "The Morandi bridge in Genoa collapsed on Tuesday, killing 43 people."
OTHER_CLAIM = "The city of Genoa will build a new bridge within a year."
_NEGATIONS = re.compile(r"\b(no|not|denied|false|never|nobody)\b", re.IGNORECASE)
_WORD = re.compile(r"\w+")


class RuleEngine(Engine):
    """Test double: stance by rules a test can predict (negation refutes, shared numbers support; both decisive)."""

    name = "rules-test"
    description = "test double"

    def read(self, article, on_progress=None, *, fresh=False) -> Reading:
        claims = []
        for claim in (CLAIM, OTHER_CLAIM):
            start = article.text.find(claim)
            if start >= 0:
                claims.append(ClaimCandidate(claim, start, start + len(claim), 0.9))
        return Reading(techniques=(), claims=tuple(claims))

    def judge_stance(self, pairs: Sequence[tuple[str, str]], *, fresh: bool = False) -> list[StanceJudgement]:
        out = []
        for claim, passage in pairs:
            shared_numbers = set(re.findall(r"\d+", claim)) & set(re.findall(r"\d+", passage))
            if _NEGATIONS.search(passage):
                stance, confidence = Stance.REFUTES, 0.9
            elif shared_numbers or "forty-three" in passage.lower():
                stance, confidence = Stance.SUPPORTS, 0.85
            else:
                stance, confidence = Stance.NEUTRAL, 0.7
            out.append(StanceJudgement(stance, confidence, {stance: confidence}, decisive=stance != Stance.NEUTRAL))
        return out


class BrokenStanceEngine(RuleEngine):
    name = "broken-stance-test"

    def judge_stance(self, pairs, *, fresh=False):
        raise EngineError("The stance model is missing.")


ARTICLE_TEXT = (
    "Disaster in Genoa\n"
    f"{CLAIM} Rescue teams worked through the night. "
    f"{OTHER_CLAIM} Residents were evacuated from nearby buildings while engineers inspected the remaining pylons."
)


def article(outlet: str = "Morning Post", url: str = "https://morningpost.example/genoa") -> Article:
    return Article(text=ARTICLE_TEXT, url=url, title="Disaster in Genoa", outlet=outlet, language="en")


def candidates(text: str = ARTICLE_TEXT) -> list[ClaimCandidate]:
    return list(RuleEngine(get_settings()).read(Article(text=text)).claims)


def store(storage: Storage, number: int, outlet: str, url: str, text: str) -> None:
    stored = Article(text=text, url=url, title=f"Story {number}", outlet=outlet, language="en")
    storage.save(Analysis(id=f"a{number}", created_at=f"2024-03-0{number}T10:00:00+00:00", article=stored,
                          engine=EngineInfo("rules-test")))


PLANET = ("Rescuers searched the rubble all night. The Morandi bridge in Genoa collapsed on Tuesday and 43 people were killed. "
          "Traffic was diverted through the city centre.")
STAR = ("Forty-three people died when the Morandi bridge collapsed in Genoa on Tuesday. "
        "The mayor declared a day of mourning.")


def gather(sources, *, engine=None, storage=None, art=None, fresh=False, progress=None):
    settings = get_settings()
    return evidence.gather(art or article(), candidates(), engine=engine or RuleEngine(settings), source_names=sources,
                           settings=settings, storage=storage, fresh=fresh,
                           on_progress=progress or (lambda message, fraction=None: None))


def test_no_sources_keeps_every_claim_unverified():
    result = gather(())
    assert [c.id for c in result.claims] == ["c1", "c2"]
    assert all(c.verdict == Verdict.UNVERIFIED and "No evidence sources" in c.assessment.rationale for c in result.claims)
    assert result.source_runs == () and not result.partial


def test_unknown_source_names_the_known_ones():
    with pytest.raises(InputError) as error:
        gather(("library", "oracle"))
    assert "oracle" in error.value.message and "library" in error.value.hint and "wikipedia" in error.value.hint


def test_library_two_outlets_corroborate_a_shared_claim(tmp_path):
    storage = Storage(tmp_path / "lib.db")
    store(storage, 1, "Daily Planet", "https://dailyplanet.example/genoa", PLANET)
    store(storage, 2, "Evening Star", "https://eveningstar.example/bridge", STAR)
    events = []
    result = gather(("library",), storage=storage, progress=lambda m, f=None: events.append(f))
    shared, other = result.claims
    assert shared.verdict == Verdict.CORROBORATED
    assert {e.outlet for e in shared.evidence} == {"Daily Planet", "Evening Star"}
    assert all(e.source_type == SourceType.LIBRARY and e.stance == Stance.SUPPORTS for e in shared.evidence)
    assert "Daily Planet" in shared.assessment.rationale and "Evening Star" in shared.assessment.rationale
    # Both restate the claim's day and death toll, so the facts rule counts them at its measured precision
    # (at least the engine's 0.85); the verdict is the noisy-OR of the two (docs/evidence.md).
    assert all(e.facts and e.facts.startswith("agrees") for e in shared.evidence)
    each = max(0.85, FACT_AGREEMENT_PRECISION)
    assert shared.assessment.confidence == pytest.approx(1 - (1 - each) ** 2, abs=1e-3)
    assert other.verdict == Verdict.UNVERIFIED and not other.evidence
    assert result.source_runs[0].status == "ok" and not result.partial
    assert 1.0 in events and events[0] == 0.0


def test_library_same_outlet_counts_once_and_own_outlet_not_at_all(tmp_path):
    storage = Storage(tmp_path / "lib.db")
    store(storage, 1, "Daily Planet", "https://dailyplanet.example/genoa", PLANET)
    store(storage, 2, "Daily Planet", "https://dailyplanet.example/genoa-update", STAR)
    shared = gather(("library",), storage=storage).claims[0]
    assert len(shared.evidence) == 2 and shared.verdict == Verdict.SINGLE_SOURCE
    # The same two stories, now from the analysed article's own outlet: not independent at all.
    own = gather(("library",), storage=storage, art=article(outlet="Daily Planet", url="https://dailyplanet.example/x")).claims[0]
    assert own.verdict == Verdict.UNVERIFIED and "own outlet" in own.assessment.rationale


def test_library_never_cites_the_article_itself(tmp_path):
    storage = Storage(tmp_path / "lib.db")
    store(storage, 1, "Morning Post", "https://morningpost.example/genoa", ARTICLE_TEXT)
    result = gather(("library",), storage=storage)
    assert all(not c.evidence for c in result.claims)


def test_another_articles_headline_is_never_evidence(tmp_path):
    storage = Storage(tmp_path / "lib.db")
    # The Planet's headline restates the claim; its body is about something else.
    headline = "The Morandi bridge in Genoa collapsed on Tuesday, killing 43 people"
    body = "Traffic in the city centre was diverted for the whole week while the council met."
    stored = Article(text=f"{headline}\n{body}", url="https://dailyplanet.example/g", title=headline,
                     outlet="Daily Planet", language="en")
    storage.save(Analysis(id="a1", created_at="2024-03-01T10:00:00+00:00", article=stored, engine=EngineInfo("rules-test")))
    shared = gather(("library",), storage=storage).claims[0]
    assert all(headline not in e.snippet for e in shared.evidence)
    assert shared.verdict == Verdict.UNVERIFIED


def test_a_stated_outlet_makes_a_pasted_text_independent_of_its_own_stories(tmp_path):
    storage = Storage(tmp_path / "lib.db")
    store(storage, 1, "Daily Planet", "https://dailyplanet.example/genoa", PLANET)
    store(storage, 2, "Evening Star", "https://eveningstar.example/bridge", STAR)
    pasted = Article(text=ARTICLE_TEXT, title="Disaster in Genoa", language="en")
    assert gather(("library",), storage=storage, art=pasted).claims[0].verdict == Verdict.CORROBORATED
    stated = Article(text=ARTICLE_TEXT, title="Disaster in Genoa", language="en", outlet="Daily Planet")
    claim = gather(("library",), storage=storage, art=stated).claims[0]
    assert claim.verdict == Verdict.SINGLE_SOURCE and "own outlet" in claim.assessment.rationale


def test_unconfigured_source_is_skipped_with_the_reason(tmp_path):
    result = gather(("library", "web"), storage=Storage(tmp_path / "lib.db"))
    runs = {r.name: r for r in result.source_runs}
    assert runs["web"].status == "skipped" and "CROSSCHECK_SEARXNG_URL" in runs["web"].detail
    assert runs["library"].status == "ok"
    assert result.warnings[0].startswith("Skipped web (set CROSSCHECK_SEARXNG_URL") and not result.partial


def wiki_and_web(wikipedia: FakeWikipedia, searxng: FakeSearxng, planet: FakeSite, star: FakeSite) -> None:
    wikipedia.add_page("Ponte Morandi", "== History ==\nThe Ponte Morandi was a road viaduct in Genoa, Italy. "
                       "On 14 August 2018 a section of the Morandi bridge in Genoa collapsed, killing 43 people. "
                       "The bridge was designed by Riccardo Morandi.")
    planet_url = planet.add_article("/genoa", "Genoa bridge collapse", [PLANET, "Engineers had warned about corrosion for years."])
    star_url = star.add_article("/bridge", "Bridge disaster", [STAR, "Flags flew at half mast across Liguria on Wednesday, and schools stayed closed.",
                                                               "Prosecutors opened an inquiry into the maintenance of the viaduct."])
    searxng.add_result(planet_url, "Genoa bridge collapse", "The Morandi bridge in Genoa collapsed")
    searxng.add_result(star_url, "Bridge disaster", "Forty-three people died when the Morandi bridge collapsed")


def test_wikipedia_and_web_then_rerun_from_cache(monkeypatch):
    with running(FakeWikipedia(), FakeSearxng(), FakeSite("Daily Planet"), FakeSite("Evening Star", host="127.0.0.2")) as services:
        wikipedia, searxng, planet, star = services
        wiki_and_web(wikipedia, searxng, planet, star)
        use_services(monkeypatch, wikipedia=wikipedia, searxng=searxng)
        first = gather(("wikipedia", "web"))
        shared = first.claims[0]
        assert shared.verdict == Verdict.CORROBORATED
        kinds = {(e.source_type, e.outlet) for e in shared.evidence if e.stance == Stance.SUPPORTS}
        assert {(SourceType.WIKIPEDIA, "Wikipedia"), (SourceType.WEB, "Daily Planet"), (SourceType.WEB, "Evening Star")} <= kinds
        wiki_evidence = next(e for e in shared.evidence if e.source_type == SourceType.WIKIPEDIA)
        assert wiki_evidence.url.endswith("/en/wiki/Ponte_Morandi") and "==" not in wiki_evidence.snippet
        runs = {r.name: r for r in first.source_runs}
        assert runs["wikipedia"].status == runs["web"].status == "ok"
        assert runs["wikipedia"].requests > 0 and runs["web"].requests > 0
        served = [s.requests for s in services]
        assert all(served)

        second = gather(("wikipedia", "web"))
        assert [s.requests for s in services] == served  # zero requests: all from the HTTP cache
        assert [r.requests for r in second.source_runs] == [0, 0]
        assert [c.to_dict() for c in second.claims] == [c.to_dict() for c in first.claims]

        # fresh=True revalidates every cached answer (the fakes send ETags and answer 304).
        third = gather(("wikipedia", "web"), fresh=True)
        assert all(s.requests > before for s, before in zip(services, served))
        assert [c.to_dict() for c in third.claims] == [c.to_dict() for c in first.claims]


def test_rate_limited_source_does_not_stop_the_others(monkeypatch):
    with running(FakeWikipedia(), FakeSearxng(), FakeSite("Daily Planet"), FakeSite("Evening Star", host="127.0.0.2")) as services:
        wikipedia, searxng, planet, star = services
        wiki_and_web(wikipedia, searxng, planet, star)
        searxng.fail(429, retry_after=120)
        use_services(monkeypatch, wikipedia=wikipedia, searxng=searxng)
        result = gather(("wikipedia", "web"))
        runs = {r.name: r for r in result.source_runs}
        assert runs["web"].status == "failed" and "429" in runs["web"].detail and "Retry after 120 s" in runs["web"].detail
        assert runs["wikipedia"].status == "ok"
        assert result.partial and all(c.partial for c in result.claims)
        assert any(w.startswith("The web source failed") for w in result.warnings)
        shared = result.claims[0]
        assert shared.verdict == Verdict.SINGLE_SOURCE and "Wikipedia" in shared.assessment.rationale
        assert "web failed" in shared.assessment.rationale
        assert planet.requests == star.requests == 0


def test_slow_source_is_cut_off_by_the_time_budget(monkeypatch):
    with running(FakeWikipedia(latency=6.0), FakeSearxng(), FakeSite("Daily Planet"), FakeSite("Evening Star", host="127.0.0.2")) as services:
        wikipedia, searxng, planet, star = services
        wiki_and_web(wikipedia, searxng, planet, star)
        use_services(monkeypatch, wikipedia=wikipedia, searxng=searxng)
        monkeypatch.setenv("CROSSCHECK_SOURCE_TIME_BUDGET", "2.5")
        get_settings.cache_clear()
        started = time.monotonic()
        result = gather(("wikipedia", "web"))
        assert time.monotonic() - started < 5.5  # well before Wikipedia's first answer
        runs = {r.name: r for r in result.source_runs}
        assert runs["wikipedia"].status == "failed" and "time budget" in runs["wikipedia"].detail
        assert runs["web"].status == "ok"
        assert result.claims[0].verdict == Verdict.CORROBORATED and result.claims[0].partial


def test_source_that_is_down_fails_alone(monkeypatch, tmp_path):
    storage = Storage(tmp_path / "lib.db")
    store(storage, 1, "Daily Planet", "https://dailyplanet.example/genoa", PLANET)
    wikipedia = FakeWikipedia().start()
    wikipedia.stop()  # nothing listens on its port any more
    use_services(monkeypatch, wikipedia=wikipedia)
    result = gather(("library", "wikipedia"), storage=storage)
    runs = {r.name: r for r in result.source_runs}
    assert runs["wikipedia"].status == "failed" and "Could not connect" in runs["wikipedia"].detail
    assert runs["library"].status == "ok"
    assert result.claims[0].verdict == Verdict.SINGLE_SOURCE and result.partial


def test_stance_failure_keeps_passages_as_neutral(tmp_path):
    storage = Storage(tmp_path / "lib.db")
    store(storage, 1, "Daily Planet", "https://dailyplanet.example/genoa", PLANET)
    result = gather(("library",), storage=storage, engine=BrokenStanceEngine(get_settings()))
    shared = result.claims[0]
    assert shared.evidence and all(e.stance == Stance.NEUTRAL and e.stance_confidence == 0.0 for e in shared.evidence)
    assert shared.verdict == Verdict.UNVERIFIED and shared.partial and result.partial
    assert any("stance" in w and "missing" in w for w in result.warnings)


def test_cli_analyze_with_every_source(monkeypatch, tmp_path, capsys):
    # Registered for this test only, so the engine lists of other tests stay real.
    monkeypatch.setitem(ENGINES._classes, RuleEngine.name, RuleEngine)
    with running(FakeWikipedia(), FakeSearxng(), FakeSite("Daily Planet"), FakeSite("Evening Star", host="127.0.0.2")) as services:
        wikipedia, searxng, planet, star = services
        wiki_and_web(wikipedia, searxng, planet, star)
        use_services(monkeypatch, wikipedia=wikipedia, searxng=searxng)
        db = tmp_path / "cli.db"
        store(Storage(db), 1, "Evening Star", "https://eveningstar.example/bridge", STAR)
        source = tmp_path / "article.txt"
        source.write_text(ARTICLE_TEXT + " " + "The investigation will take months. " * 5, encoding="utf-8")
        code = cli.main(["analyze", str(source), "--engine", RuleEngine.name, "--sources", "library,wikipedia,web",
                         "--json", "--db", str(db)])
        assert code == 0
        document = json.loads(capsys.readouterr().out)
        assert document["sources"] == ["library", "wikipedia", "web"]
        assert [r["status"] for r in document["source_runs"]] == ["ok", "ok", "ok"]
        shared = document["claims"][0]
        assert shared["verdict"] == "corroborated"
        assert {e["source_type"] for e in shared["evidence"]} == {"library", "wikipedia", "web"}


def test_cache_statistics_and_clearing(monkeypatch, tmp_path):
    storage = Storage(tmp_path / "lib.db")
    store(storage, 1, "Daily Planet", "https://dailyplanet.example/genoa", PLANET)
    with running(FakeWikipedia()) as (wikipedia,):
        wikipedia.add_page("Ponte Morandi", "On 14 August 2018 the Morandi bridge in Genoa collapsed, killing 43 people.")
        use_services(monkeypatch, wikipedia=wikipedia)
        settings = get_settings()
        gather(("library", "wikipedia"), storage=storage)
        stats = cache_stats(settings)
        # Two claims may fetch the same page at the same moment: one cached answer, two requests.
        assert 0 < stats.pages <= wikipedia.requests and stats.page_bytes > 0 and stats.claim_embeddings >= 1
        served = wikipedia.requests
        assert clear_caches(settings) == stats
        assert cache_stats(settings).empty
        again = gather(("library", "wikipedia"), storage=storage)
        assert wikipedia.requests >= served + stats.pages
        assert again.claims[0].verdict == Verdict.CORROBORATED


def test_malformed_answer_fails_only_that_source(monkeypatch, tmp_path, caplog):
    storage = Storage(tmp_path / "lib.db")
    store(storage, 1, "Daily Planet", "https://dailyplanet.example/genoa", PLANET)
    with running(FakeSearxng()) as (searxng,):
        monkeypatch.setattr(searxng, "handle", lambda request: json_reply({"results": ["not an object"]}))
        use_services(monkeypatch, searxng=searxng)
        result = gather(("library", "web"), storage=storage)
    runs = {r.name: r for r in result.source_runs}
    assert runs["web"].status == "failed" and "unexpectedly (AttributeError)" in runs["web"].detail
    assert runs["library"].status == "ok" and result.claims[0].verdict == Verdict.SINGLE_SOURCE
    assert "web source failed unexpectedly" in caplog.text


def test_each_passage_keeps_the_one_reason_its_stance_was_judged_with():
    from core.engines.base import BELOW_CONFIDENCE, not_counted

    missing = not_counted(Stance.SUPPORTS, False, ("Tuesday", "43"))
    assert missing == "not counted: does not mention Tuesday, 43"
    assert not_counted(Stance.SUPPORTS, False, (), "the claim says 43, the passage 42") == \
        "not counted: the claim says 43, the passage 42"
    assert not_counted(Stance.REFUTES, False, ("Tuesday",)) == BELOW_CONFIDENCE  # a refutation need not repeat them
    assert not_counted(Stance.SUPPORTS, True, ("Tuesday",)) is None and not_counted(Stance.NEUTRAL, False) is None

    judged = StanceJudgement(Stance.SUPPORTS, 0.7, {Stance.SUPPORTS: 0.7}, decisive=False, reason=missing)
    page = sources.Passage(SourceType.WEB, "A page", "https://planet.example/a", "Daily Planet", "Genoa mourns.", 0.8)
    assert evidence._evidence(page, judged).reason == missing
    # A fact-check's rating gives the direction: the same judged restatement, rated true, keeps its reason;
    # rated false it becomes a refutation, short of the rule on confidence alone.
    review = sources.Passage(SourceType.FACTCHECK, "A review", "https://checks.example/r", "Checks", "Genoa mourns.", 0.9)
    rated_true = evidence._evidence(replace(review, rating="True"), judged)
    rated_false = evidence._evidence(replace(review, rating="False"), judged)
    assert (rated_true.stance, rated_true.reason) == (Stance.SUPPORTS, missing)
    assert (rated_false.stance, rated_false.reason) == (Stance.REFUTES, BELOW_CONFIDENCE)
    assert evidence._evidence(page, None).reason is None  # not judged: neutral, no side, no reason
