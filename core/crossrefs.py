"""Cross-references both ways: when an article is stored, the earlier analyses whose claims it bears on are re-checked.

Finding them stays cheap however large the library: each claim of the new
article is one full-text query on the library index (``Storage.search_library``,
the query the library source runs), which proposes stored articles sharing its
words; at most :data:`CANDIDATE_ARTICLES` of them are looked at. An earlier
analysis is re-checked when it consulted the library, comes from another
outlet, and one of its claims could be affected: a sentence of the new
article restates or denies it (:data:`RESTATES` or above: background on the
same subject, which scores from :data:`~core.policy.MIN_RELEVANCE`, takes no
side and changes no verdict), or states one of its figures (from
:data:`~core.policy.FIGURE_RELEVANCE`, as the library source takes such a
sentence). The sentences' MiniLM vectors are the ones the index already stores.

The re-check runs as a job of kind :data:`KIND` (core/jobs schedules it and
hands over an ``enqueue`` callable; nothing here knows the queue): no page is
fetched and nothing is re-read. The stored claims are judged again against the
library, with the analysis's engine, and the result is stored as a **new
analysis of the same article** (the earlier one stays in its history; stored
analyses never change). The new run is the earlier one with only what was
re-checked replaced: library evidence, the verdicts (decided by the same
:func:`core.evidence.assess_claim` as an analysis), warnings, source runs, id
and time; persuasion, techniques, article and claim ids are kept as they were.
A claim that was single-source becomes corroborated once a second outlet's
article is in. A re-check that finds every claim as it was stores nothing: the
article's history gains no run identical to the one before.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timezone

import numpy as np

from . import evidence
from .engine_usage import EngineInfo
from .engines import get_engine
from .engines.base import ClaimCandidate, ProgressCallback, ignore_progress
from .errors import CrosscheckError
from .identity import article_key, is_own_outlet
from .job_status import QUEUED
from .policy import FIGURE_RELEVANCE
from .records import Analysis, Evidence, SourceRun, SourceType, Stance
from .settings import Settings
from .sources.library import LIBRARY
from .sources.ranking import claim_embedding, figures, tokenize
from .storage import IndexedSentence, Storage, text_hash
from .storage.jobs import Job

logger = logging.getLogger(__name__)

KIND = "recheck"
# Stored articles the full-text index proposes that are compared claim by claim, and hits asked per claim.
CANDIDATE_ARTICLES = 20
HITS_PER_CLAIM = 40
RECHECK_NOTE = "Re-checked against the library"
# MiniLM cosine from which a sentence restates or denies a claim (0.6-0.95 in core.policy's measurements); two
# stories' sentences alike in form only ("Lawyers for the IAAF said they would appeal the decision of the Greek
# court" / "Assange's lawyers said they would appeal the decision of the High Court in London": 0.55) stay below.
RESTATES = 0.6

# Puts a stored job on the queue (core.jobs.queue.JobQueue.enqueue): the scheduler hands it in.
Enqueue = Callable[[str], None]


def bears_on(analysis: Analysis, storage: Storage) -> list[Analysis]:
    """The latest analyses of earlier articles whose claims the newly stored ``analysis``'s article bears on."""
    key = article_key(analysis.article)
    sentences = storage.indexed_sentences(key)
    if not sentences or not analysis.claims:
        return []
    vectors = np.stack([np.frombuffer(s.embedding, dtype=np.float16).astype(np.float32) for s in sentences])
    proposed: dict[str, str] = {}  # article key -> its latest analysis id, in order of first appearance
    for claim in analysis.claims:
        words = tokenize([claim.text], analysis.article.language)[0]
        for hit in storage.search_library(words, exclude_key=key, exclude_text_hash=text_hash(analysis.article.text),
                                          limit=HITS_PER_CLAIM):
            if hit.analysis_id and len(proposed) < CANDIDATE_ARTICLES:
                proposed.setdefault(hit.article_key, hit.analysis_id)
    affected = []
    for analysis_id in proposed.values():
        earlier = storage.get(analysis_id)
        if LIBRARY not in earlier.sources or not earlier.claims or is_own_outlet(
                _as_evidence(analysis), earlier.article):
            continue
        if _could_affect(earlier, sentences, vectors):
            affected.append(earlier)
    return affected


def _could_affect(earlier: Analysis, sentences: list[IndexedSentence], vectors: np.ndarray) -> bool:
    """Whether a sentence of the new article could change the evidence of one of ``earlier``'s claims: it restates
    or denies the claim, or states one of its figures."""
    similarity = np.stack([claim_embedding(c.text) for c in earlier.claims]) @ vectors.T
    if float(similarity.max()) >= RESTATES:
        return True
    stated = [figures(sentence.text) for sentence in sentences]
    for row, claim in zip(similarity, earlier.claims):
        claimed = figures(claim.text)
        if claimed and any(cosine >= FIGURE_RELEVANCE and claimed & found for cosine, found in zip(row, stated)):
            return True
    return False


def _as_evidence(analysis: Analysis) -> Evidence:
    """The new article seen as a piece of evidence, for the own-outlet rule."""
    article = analysis.article
    return Evidence(SourceType.LIBRARY, article.title or "", article.url, article.outlet, "", Stance.NEUTRAL, 0.0)


def cross_reference(analysis: Analysis, storage: Storage, enqueue: Enqueue) -> list[Job]:
    """Mark the earlier analyses the new article bears on and queue their re-checks (one queued job per article).

    Only an article new to the library counts: a re-run of a stored one brings no new text.
    """
    key = article_key(analysis.article)
    if len(storage.summaries(latest_only=False, article_key=key)) > 1:
        return []
    waiting = {job.params.get("article_key"): job for job in storage.jobs.list(statuses=(QUEUED,), limit=1000)
               if job.kind == KIND}
    jobs: list[Job] = []
    for earlier in bears_on(analysis, storage):
        earlier_key = article_key(earlier.article)
        job = waiting.get(earlier_key)
        if job is None:
            job, _ = storage.jobs.create(KIND, f"re-check of {earlier.article.title or earlier.id} against the library",
                                         {"article_key": earlier_key})
            storage.crossrefs.add(earlier_key, key, job.id)
            enqueue(job.id)
            jobs.append(job)
        else:
            storage.crossrefs.add(earlier_key, key, job.id)
    if jobs:
        logger.info("%d earlier analyses to re-check after storing %s", len(jobs), analysis.id)
    return jobs


def after_store(analysis: Analysis, storage: Storage, enqueue: Enqueue) -> list[Job]:
    """:func:`cross_reference`, for the places that store analyses: a failure there never fails the analysis."""
    try:
        return cross_reference(analysis, storage, enqueue)
    except CrosscheckError as exc:
        logger.warning("cross-references of %s not found: %s", analysis.id, exc.message)
        return []


def recheck(article_key: str, new_id: str, *, storage: Storage, settings: Settings,
            on_progress: ProgressCallback = ignore_progress) -> Analysis:
    """Judge the claims of the article's latest analysis again against the library; store the result as ``new_id``.

    ``new_id`` is the re-check job's id, under which the newer articles that prompted it are recorded. When no
    claim comes out different, nothing is stored and the latest analysis, unchanged, is returned.
    """
    old = storage.get(storage.summaries(article_key=article_key)[0].id)
    engine = get_engine(old.engine.name, settings)
    candidates = [ClaimCandidate(c.text, c.start, c.end, c.checkworthiness) for c in old.claims]
    found = evidence.gather(old.article, candidates, engine=engine, source_names=(LIBRARY,), settings=settings,
                            storage=storage, on_progress=on_progress)
    library_run = found.source_runs[0]
    others = [run for run in old.source_runs if run.name != LIBRARY]
    consulted = [run.name for run in others if run.status in ("ok", "partial")] + [LIBRARY]
    failed_everywhere = [run.name for run in others if run.status == "failed"]
    claims = []
    for before, now in zip(old.claims, found.claims):
        kept = tuple(e for e in before.evidence if e.source_type != SourceType.LIBRARY)
        merged = kept + now.evidence
        failed = failed_everywhere + ([LIBRARY] if now.partial else [])
        assessment = evidence.assess_claim(merged, claim=before.text, article=old.article, consulted=consulted,
                                           failed=failed, stance_failed=found.stance_failed and bool(now.evidence))
        claims.append(replace(before, evidence=merged, partial=before.partial or now.partial, assessment=assessment))
    cited = storage.crossrefs.cited_for(new_id)
    newer = "; ".join(f"{title or 'untitled'} ({outlet or 'unknown outlet'})" for title, outlet in cited) or "newer articles"
    note = (f"{RECHECK_NOTE} on {datetime.now(timezone.utc).date()} because newer articles bear on its "
            f"claims: {newer}. Evidence from the other sources is from the analysis of {old.created_at[:10]}.")
    if tuple(claims) == old.claims:
        # Nothing the library holds now changes a claim: a run like the one before would only crowd the history.
        logger.info("re-check of %s changed no claim; %s stays the latest run", article_key, old.id)
        return old
    info = engine.info()
    # The earlier run with only what was re-checked replaced: every other field (persuasion,
    # techniques, article, and any added later) is kept as it was.
    analysis = replace(
        old, id=new_id, created_at=datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
        engine=EngineInfo(old.engine.name, info.model or old.engine.model, info.prompt_version or old.engine.prompt_version,
                          info.usage),
        sources=old.sources if LIBRARY in old.sources else (*old.sources, LIBRARY),
        claims=tuple(claims), partial=any(c.partial for c in claims),
        warnings=(note, *found.warnings, *(w for w in old.warnings if not w.startswith(RECHECK_NOTE))),
        source_runs=(*others, SourceRun(LIBRARY, library_run.status, library_run.detail, library_run.requests)),
    )
    storage.save(analysis, job_id=new_id)
    return analysis
