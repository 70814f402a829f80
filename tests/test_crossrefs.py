"""Cross-references both ways: storing a second outlet's article re-checks the first one's claims against the library."""
from __future__ import annotations

import pytest

from core import crossrefs
from core.engines.base import ENGINES, Reading, StanceJudgement
from core.job_status import QUEUED
from core.jobs.queue import get_queue
from core.records import Article, Persuasion, SourceType, Span, Stance, Technique, Verdict
from core.pipeline import ArticleInput
from core.settings import get_settings
from core.storage import Storage
from tests.test_evidence import ARTICLE_TEXT, CLAIM, RuleEngine

SECOND = ("Bridge disaster\nForty-three people died in Genoa. " + CLAIM +
          " The mayor declared a day of mourning and flags flew at half mast across the city.")
THIRD = ("Genoa mourns\nThe death toll stands at 43. " + CLAIM +
         " Prosecutors opened an inquiry into the maintenance of the viaduct on Wednesday morning, and engineers "
         "began to inspect the remaining pylons.")


@pytest.fixture
def queue(monkeypatch, tmp_path):
    monkeypatch.setitem(ENGINES._classes, RuleEngine.name, RuleEngine)
    return get_queue(get_settings(), Storage(tmp_path / "lib.db"))


def analyse(queue, text: str, outlet: str, sources=("library",), engine: str = RuleEngine.name) -> str:
    url = f"https://{outlet.lower().replace(' ', '')}.example/{abs(hash(text)) % 10_000}"
    article = Article(text=text, url=url, title=text.split("\n", 1)[0], outlet=outlet, language="en")
    (job,) = queue.submit_analyses([ArticleInput(article)], engine=engine, evidence_sources=list(sources))
    done = queue.storage.jobs.get(job.id)
    assert done.status == "done", done.error
    return done.analysis_id


def latest(storage: Storage, analysis_id: str):
    article_key = next(s.article_key for s in storage.summaries(latest_only=False) if s.id == analysis_id)
    return storage.get(storage.summaries(article_key=article_key)[0].id)


def test_a_second_outlets_article_turns_the_first_ones_claim_single_source_then_corroborated(queue):
    storage = queue.storage
    first = analyse(queue, ARTICLE_TEXT, "Morning Post")
    assert storage.get(first).claims[0].verdict == Verdict.UNVERIFIED  # nothing else in the library yet

    analyse(queue, SECOND, "Evening Star")
    rechecked = latest(storage, first)
    assert rechecked.id != first and storage.exists(first)  # a new analysis; the first stays in the history
    claim = rechecked.claims[0]
    assert claim.verdict == Verdict.SINGLE_SOURCE and "Evening Star" in claim.assessment.rationale
    assert {e.outlet for e in claim.evidence if e.source_type == SourceType.LIBRARY} == {"Evening Star"}
    assert rechecked.warnings[0].startswith("Re-checked against the library") and "Evening Star" in rechecked.warnings[0]
    assert rechecked.techniques == storage.get(first).techniques and rechecked.article == storage.get(first).article
    assert [j.kind for j in storage.jobs.list(limit=10)].count("recheck") == 1

    analyse(queue, THIRD, "Daily Planet")
    assert latest(storage, first).claims[0].verdict == Verdict.CORROBORATED
    # The second article learnt of the third the same way.
    second = next(s for s in storage.summaries() if s.outlet == "Evening Star")
    assert storage.get(second.id).claims[0].verdict == Verdict.CORROBORATED


def test_new_evidence_is_flagged_until_the_recheck_has_run(queue, monkeypatch):
    storage = queue.storage
    first = analyse(queue, ARTICLE_TEXT, "Morning Post")
    run_now = queue.enqueue
    held: list[str] = []

    def no_worker_for_rechecks(job_id, delay=None):
        if storage.jobs.get(job_id).kind == crossrefs.KIND:
            held.append(job_id)
        else:
            run_now(job_id, delay=delay)

    monkeypatch.setattr(queue, "enqueue", no_worker_for_rechecks)
    analyse(queue, SECOND, "Evening Star")
    flagged = storage.crossrefs.new_evidence([first])
    assert flagged[first].cited == (("Bridge disaster", "Evening Star"),)
    (job,) = [j for j in storage.jobs.list(statuses=(QUEUED,)) if j.kind == crossrefs.KIND]
    # A third article while the re-check still waits joins the same job.
    analyse(queue, THIRD, "Daily Planet")
    assert len([j for j in storage.jobs.list(statuses=(QUEUED,)) if j.kind == crossrefs.KIND]) == 2  # first's and second's
    assert len(storage.crossrefs.new_evidence([first])[first].cited) == 2
    run_now(job.id)
    assert storage.jobs.get(job.id).status == "done"
    assert first not in storage.crossrefs.new_evidence([first])
    assert latest(storage, first).claims[0].verdict == Verdict.CORROBORATED


def test_same_outlet_rerun_and_analyses_without_the_library_are_not_rechecked(queue):
    storage = queue.storage
    analyse(queue, ARTICLE_TEXT, "Morning Post", sources=())
    analyse(queue, SECOND, "Morning Post")  # the same outlet: never independent
    analyse(queue, SECOND + " ", "Evening Star")  # another outlet, but the first analysis did not use the library
    assert not [j for j in storage.jobs.list(limit=50) if j.kind == crossrefs.KIND]


def test_a_rerun_of_a_stored_article_brings_no_new_text(queue):
    storage = queue.storage
    first = analyse(queue, ARTICLE_TEXT, "Morning Post")
    second = analyse(queue, SECOND, "Evening Star")
    jobs_before = len(storage.jobs.list(limit=50))
    queue.submit_rerun(second, engine=RuleEngine.name, evidence_sources=["library"])
    assert len(storage.jobs.list(limit=50)) == jobs_before + 1  # the re-run only, no re-check
    assert latest(storage, first).id != first


MISSING = "not counted: does not mention Tuesday"


class ReadingEngine(RuleEngine):
    """Reads a persuasion score and a technique, and gives its supports a reason not to count."""

    name = "reading-test"

    def read(self, article, on_progress=None, *, fresh=False) -> Reading:
        claims = super().read(article).claims
        loaded = Technique("Loaded_Language", 0.8, (Span(0, 8, article.text[:8], 0.8),), strength=4.2, percentile=0.97,
                           found=True)
        return Reading(techniques=(loaded,), claims=claims, persuasion=Persuasion(12.5, 0.97))

    def judge_stance(self, pairs, *, fresh=False) -> list[StanceJudgement]:
        return [StanceJudgement(j.stance, j.confidence, j.scores, decisive=False, reason=MISSING)
                if j.stance == Stance.SUPPORTS else j for j in super().judge_stance(pairs)]


def test_a_recheck_keeps_every_field_of_the_run_it_replaces_but_what_it_rechecked(queue, monkeypatch):
    monkeypatch.setitem(ENGINES._classes, ReadingEngine.name, ReadingEngine)
    storage = queue.storage
    first = analyse(queue, ARTICLE_TEXT, "Morning Post", engine=ReadingEngine.name)
    analyse(queue, SECOND, "Evening Star", engine=ReadingEngine.name)
    before, after = storage.get(first).to_dict(), latest(storage, first).to_dict()
    assert after["id"] != before["id"] and after["created_at"] > before["created_at"]

    rechecked = {"id", "created_at", "claims", "warnings", "source_runs"}
    assert before.keys() == after.keys()
    for key in before.keys() - rechecked:
        assert after[key] == before[key], key
    assert after["persuasion"] == {"score": 12.5, "percentile": 0.97} and after["techniques"][0]["found"]
    assert after["source_runs"][-1]["name"] == "library" and after["warnings"][0].startswith(crossrefs.RECHECK_NOTE)

    decided = {"evidence", "verdict", "verdict_confidence", "rationale"}
    for old, new in zip(before["claims"], after["claims"], strict=True):
        assert old.keys() == new.keys()
        for key in old.keys() - decided:
            assert new[key] == old[key], key
        assert [e for e in new["evidence"] if e["source_type"] != "library"] == \
               [e for e in old["evidence"] if e["source_type"] != "library"]
    # The re-check judges the new library passage on the one path: the engine gave its support a reason not
    # to count, but the passage restates the claim's death toll and day, so the facts rule counts it, and
    # the re-check's rationale says so with the figures.
    claim = latest(storage, first).claims[0]
    (library,) = [e for e in claim.evidence if e.source_type == SourceType.LIBRARY and e.decisive]
    assert library.reason is None and library.facts == "agrees: 43; Tuesday"
    assert "(agrees: 43; Tuesday)" in claim.assessment.rationale


ASSANGE = ("Assange loses extradition case\nAssange's lawyers said they would appeal the decision of the High Court in "
           "London. The ruling means he can be sent to the United States to face charges under the Espionage Act.")
IAAF = ("IAAF will contest Greek decision\nLawyers for the IAAF said they would appeal the decision of the Greek court. "
        "The athletes had missed three doping tests before the Athens Olympics, the federation says.")


class SentenceEngine(RuleEngine):
    """Reads the first sentence after the title as the article's one claim."""

    name = "sentence-test"

    def read(self, article, on_progress=None, *, fresh=False) -> Reading:
        from core.engines.base import ClaimCandidate

        body = article.text.split("\n", 1)[1]
        claim = body.split(". ")[0] + "."
        start = article.text.find(claim)
        return Reading(techniques=(), claims=(ClaimCandidate(claim, start, start + len(claim), 0.9),))


def test_an_article_alike_only_in_form_does_not_recheck_another_story(queue, monkeypatch):
    """Issue 30: "IAAF will contest Greek decision" re-checked an Assange story (their sentences score 0.55)."""
    monkeypatch.setitem(ENGINES._classes, SentenceEngine.name, SentenceEngine)
    storage = queue.storage
    assange = analyse(queue, ASSANGE, "Courier", engine=SentenceEngine.name)
    iaaf = analyse(queue, IAAF, "Sports Desk", engine=SentenceEngine.name)
    assert crossrefs.bears_on(storage.get(iaaf), storage) == []
    assert not [j for j in storage.jobs.list(limit=50) if j.kind == crossrefs.KIND]
    # Another outlet's report of the Assange story itself does re-check it.
    analyse(queue, ASSANGE.replace("Assange's lawyers", "Lawyers for Assange") + " His wife called it a dark day.",
            "Evening Star", engine=SentenceEngine.name)
    assert latest(storage, assange).id != assange


def test_a_recheck_that_changes_no_claim_stores_no_new_run(queue):
    storage = queue.storage
    first = analyse(queue, ARTICLE_TEXT, "Morning Post")
    analyse(queue, SECOND, "Evening Star")
    rechecked = latest(storage, first)
    runs = len(storage.summaries(latest_only=False, article_key=next(
        s.article_key for s in storage.summaries() if s.id == rechecked.id)))
    key = next(s.article_key for s in storage.summaries() if s.id == rechecked.id)
    # Asked again with nothing new in the library: the latest run stays, no run is added.
    again = crossrefs.recheck(key, "recheck-again", storage=storage, settings=get_settings())
    assert again.id == rechecked.id and not storage.exists("recheck-again")
    assert len(storage.summaries(latest_only=False, article_key=key)) == runs
