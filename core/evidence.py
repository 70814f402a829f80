"""Evidence for claims: ask the chosen sources, judge stance, and decide verdicts.

Every (claim, source) look-up runs in its source's own bounded thread pool
under the article's time budget, so a source that hangs cannot starve the
others, and a source still working at the deadline is stopped; :mod:`core.http`
bounds each host's concurrency and every request's duration, and caches every
answer, so re-analysing an article sends no request. A source that fails, is
rate-limited or runs out of time only marks the claims it could not answer
(and the analysis) partial.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field

from . import fact_stance, ratings, verdict
from .engines.base import ClaimCandidate, Engine, ProgressCallback, StanceJudgement, ignore_progress, not_counted
from .errors import CrosscheckError, EngineError, InputError, SourceError, SourceUnavailableError
from .records import Article, Assessment, Claim, Evidence, FactPoint, SourceRun, Stance, Verdict
from .settings import Settings
from .sources import SOURCES, Passage, Source, SourceContext, source_status
from .storage import Storage
from .text import count_noun

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class EvidenceResult:
    claims: tuple[Claim, ...]
    source_runs: tuple[SourceRun, ...] = ()
    warnings: tuple[str, ...] = ()
    partial: bool = False
    stance_failed: bool = False  # the engine could not judge the stance of the passages found


class _TimedOut(SourceError):
    """A look-up that had not finished when the article's time budget ran out."""


@dataclass
class _Outcomes:
    """What each (claim index, source name) look-up returned."""

    passages: dict[tuple[int, str], list[Passage]] = field(default_factory=dict)
    errors: dict[tuple[int, str], CrosscheckError] = field(default_factory=dict)


def require_known_sources(names: Sequence[str]) -> None:
    """Raise :class:`InputError` naming any source that does not exist."""
    unknown = [n for n in names if n not in SOURCES.names()]
    if unknown:
        raise InputError(f"Unknown evidence source(s): {', '.join(unknown)}.", hint=f"Choose from: {', '.join(SOURCES.names())}.")


def gather(
    article: Article,
    candidates: Sequence[ClaimCandidate],
    *,
    engine: Engine,
    source_names: Sequence[str],
    settings: Settings,
    storage: Storage | None,
    on_progress: ProgressCallback = ignore_progress,
    fresh: bool = False,
) -> EvidenceResult:
    """Check every claim against the named sources and give each a verdict."""
    names = list(dict.fromkeys(source_names))
    if not names:
        no_sources = Assessment(Verdict.UNVERIFIED, None, "No evidence sources were consulted for this analysis.")
        return EvidenceResult(claims=tuple(_claim(i, c, no_sources) for i, c in enumerate(candidates, start=1)))
    require_known_sources(names)

    runs: dict[str, SourceRun] = {}
    warnings: list[str] = []
    context = SourceContext(settings=settings, article=article, storage=storage, fresh=fresh, engine=engine)
    active: dict[str, Source] = {}
    for name in names:
        ready, reason = source_status(name, settings, engine.name)
        if ready:
            active[name] = SOURCES.get(name)(context)
        else:
            runs[name] = SourceRun(name, "skipped", reason)

    outcomes = _look_up(candidates, active, settings, on_progress) if active else _Outcomes()
    for name, source in active.items():
        runs[name] = _source_run(name, source, len(candidates), outcomes, settings, warnings)
    # A source with no network, or that the service does not offer to this account, was skipped: its
    # claims are not partial, and it is no source that "answered" for the unverified rule.
    active = {name: source for name, source in active.items() if runs[name].status != "skipped"}
    if any(run.status == "skipped" for run in runs.values()):
        warnings.insert(0, _skipped_line(runs))
    if not active:
        skipped = "; ".join(f"{r.name}: {r.detail}" for r in runs.values())
        none_ran = Assessment(Verdict.UNVERIFIED, None, f"No evidence source could run ({skipped}).")
        claims = tuple(_claim(i, c, none_ran) for i, c in enumerate(candidates, start=1))
        return EvidenceResult(claims=claims, source_runs=tuple(runs[n] for n in names), warnings=tuple(warnings))

    passages = [_dedupe([p for name in active for p in outcomes.passages.get((i, name), [])]) for i in range(len(candidates))]
    judgements = _judge(engine, candidates, passages, fresh, on_progress, warnings)
    stance_failed = judgements is None

    claims: list[Claim] = []
    cursor = 0
    for i, candidate in enumerate(candidates):
        found = passages[i]
        evidence = judged_evidence(article, candidate.text, found,
                                   None if judgements is None else judgements[cursor:cursor + len(found)])
        cursor += len(found)
        failed = [name for name in active if (i, name) in outcomes.errors]
        assessment = assess_claim(evidence, claim=candidate.text, article=article, consulted=list(active),
                                  failed=failed, stance_failed=stance_failed)
        claims.append(_claim(i + 1, candidate, assessment, evidence, partial=bool(failed) or (stance_failed and bool(evidence))))

    partial = any(c.partial for c in claims)
    return EvidenceResult(claims=tuple(claims), source_runs=tuple(runs[n] for n in names),
                          warnings=tuple(dict.fromkeys(warnings)), partial=partial, stance_failed=stance_failed)


def judged_evidence(article: Article, claim: str, found: Sequence[Passage],
                    judgements: Sequence[StanceJudgement] | None) -> tuple[Evidence, ...]:
    """A claim's passages as evidence: the engine's judgements (None: it could not judge) read by the facts rule."""
    if judgements is None:
        return tuple(_evidence(p, None) for p in found)
    readings = [fact_stance.read_pair(claim, p.snippet, j, p.title, claim_published=article.published,
                                      passage_published=p.published, claim_outlet=article.outlet or "",
                                      passage_outlet=p.outlet or "") for p, j in zip(found, judgements)]
    evidence = tuple(_evidence(p, r.judgement, r.facts, r.points) for p, r in zip(found, readings))
    return fact_stance.combine_article_passages(claim, evidence, [r.comparison for r in readings])


def assess_claim(evidence: Sequence[Evidence], *, claim: str, article: Article, consulted: Sequence[str],
                 failed: Sequence[str], stance_failed: bool = False) -> Assessment:
    """The verdict on one claim from its evidence: the one path for an analysis and a re-check alike.

    ``stance_failed``: the engine could not judge the stance of this claim's new passages, so they
    took no side; the rationale says so.
    """
    assessment = verdict.assess(evidence, claim=claim, article=article, consulted=consulted, failed=failed)
    if stance_failed and evidence:
        assessment = Assessment(assessment.verdict, assessment.confidence,
                                assessment.rationale + " Stance could not be judged, so no passage took a side.")
    return assessment


def _claim(number: int, candidate: ClaimCandidate, assessment: Assessment, evidence: tuple[Evidence, ...] = (),
           *, partial: bool = False) -> Claim:
    return Claim(id=f"c{number}", text=candidate.text, start=candidate.start, end=candidate.end,
                 checkworthiness=candidate.checkworthiness, assessment=assessment, evidence=evidence, partial=partial)


def _look_up(candidates: Sequence[ClaimCandidate], active: dict[str, Source], settings: Settings,
             on_progress: ProgressCallback) -> _Outcomes:
    """Every (claim, source) look-up, concurrently, until done or the time budget runs out.

    Each source has its own pool of workers and the whole budget, in parallel
    with the others, so a source that hangs holds only its own workers and
    cannot starve the rest. At the deadline every source is stopped: work
    still running ends at its next request or step instead of running on.
    """
    outcomes = _Outcomes()
    total = len(candidates) * len(active)
    if not total:
        return outcomes
    deadline = time.monotonic() + settings.source_time_budget
    pools = {name: ThreadPoolExecutor(max_workers=settings.source_workers, thread_name_prefix=f"evidence-{name}")
             for name in active}
    pending: dict[Future[list[Passage]], tuple[int, str]] = {}
    try:
        # Claim by claim, so that early claims finish first and progress reads naturally.
        for i, candidate in enumerate(candidates):
            for name, source in active.items():
                pending[pools[name].submit(_find, source, candidate.text)] = (i, name)
        done = 0
        on_progress(f"Checking {count_noun(len(candidates), 'claim')} against {', '.join(active)}", 0.0)
        while pending:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            finished, _ = wait(pending, timeout=remaining, return_when=FIRST_COMPLETED)
            for future in finished:
                key = pending.pop(future)
                try:
                    outcomes.passages[key] = future.result()
                except CrosscheckError as exc:
                    outcomes.errors[key] = exc
                done += 1
            on_progress(f"Checked {done} of {total} claim look-ups", done / total)
        for key in pending.values():
            outcomes.errors[key] = _TimedOut(f"did not finish within the {settings.source_time_budget:g}-second time budget")
    finally:
        for source in active.values():
            source.close()
        for pool in pools.values():
            pool.shutdown(wait=False, cancel_futures=True)
    return outcomes


def _find(source: Source, claim: str) -> list[Passage]:
    try:
        return source.find(claim)
    except CrosscheckError:
        raise
    except Exception as exc:  # malformed answers from a service must not stop the other sources
        logger.warning("%s source failed unexpectedly", source.name, exc_info=True)
        raise SourceError(f"failed unexpectedly ({exc.__class__.__name__})") from exc


def _skipped_line(runs: dict[str, SourceRun]) -> str:
    """The one line an analysis carries about the sources that did not run, with their reasons."""
    skipped = [run for run in runs.values() if run.status == "skipped"]
    return "Skipped " + "; ".join(f"{run.name} ({run.detail.rstrip('.')})" for run in skipped) + "."


def _source_run(name: str, source: Source, claims: int, outcomes: _Outcomes, settings: Settings,
                warnings: list[str]) -> SourceRun:
    errors = [exc for (i, n), exc in outcomes.errors.items() if n == name]
    found = [p for (i, n), ps in outcomes.passages.items() if n == name for p in ps]
    answered = claims - len(errors)
    requests = source.requests
    if errors and not found and all(isinstance(e, SourceUnavailableError) for e in errors):
        return SourceRun(name, "skipped", errors[0].message, requests)
    if not errors:
        return SourceRun(name, "ok", f"{count_noun(len(found), 'passage')} for {count_noun(claims, 'claim')}", requests)
    timeouts = sum(isinstance(e, _TimedOut) for e in errors)
    first = next((e for e in errors if not isinstance(e, _TimedOut)), errors[0])
    reason = first.message + (f" ({timeouts} look-ups ran out of time)" if timeouts and not isinstance(first, _TimedOut) else "")
    if answered == 0:
        warnings.append(f"The {name} source failed for every claim: {reason}")
        return SourceRun(name, "failed", reason, requests)
    warnings.append(f"The {name} source failed for {len(errors)} of {claims} claims: {reason}")
    return SourceRun(name, "partial", f"{count_noun(len(found), 'passage')} for {answered} of {claims} claims; {reason}", requests)


def _dedupe(passages: list[Passage]) -> list[Passage]:
    seen: set[tuple[str | None, str]] = set()
    unique = []
    for passage in passages:
        key = (passage.url, passage.snippet)
        if key not in seen:
            seen.add(key)
            unique.append(passage)
    return unique


def _judge(engine: Engine, candidates: Sequence[ClaimCandidate], passages: list[list[Passage]], fresh: bool,
           on_progress: ProgressCallback, warnings: list[str]) -> list[StanceJudgement] | None:
    """One batched stance call for every (claim, passage) pair; None when the engine cannot judge."""
    pairs = [(candidates[i].text, p.snippet) for i, found in enumerate(passages) for p in found]
    if not pairs:
        return []
    on_progress(f"Judging the stance of {count_noun(len(pairs), 'passage')}", None)
    try:
        judgements = engine.judge_stance(pairs, fresh=fresh)
        if len(judgements) != len(pairs):
            raise EngineError(f"The {engine.name} engine judged {len(judgements)} of {len(pairs)} passages.")
    except CrosscheckError as exc:
        logger.warning("stance judging failed: %s", exc.message)
        warnings.append(f"The stance of the evidence could not be judged: {exc.user_message()}")
        return None
    return judgements


def _evidence(passage: Passage, judgement: StanceJudgement | None, facts: str | None = None,
              points: tuple[FactPoint, ...] = ()) -> Evidence:
    """``facts``, ``points``: what the passage's figures say of the claim's (core/fact_stance.py), already folded into
    ``judgement``."""
    # Without a judgement the passage is still shown, as neutral with zero confidence:
    # the verdict rules then count it as relevant but taking no side.
    if judgement is None:
        stance, confidence, decisive, reason = Stance.NEUTRAL, 0.0, False, None
    else:
        stance, confidence, decisive, reason = judgement.stance, judgement.confidence, judgement.decisive, judgement.reason
    if passage.rating is not None:
        # A fact-check counts as its publisher's word when the engine is sure (decisive) that the
        # reviewed claim restates this one; the rating then gives the direction (core/ratings.py).
        judged = stance
        stance, confidence = ratings.publisher_stance(passage.rating, stance, confidence)
        decisive = decisive and stance != Stance.NEUTRAL
        if stance != judged:
            # The engine's reason was about the restatement; a false-class rating that turns it into a
            # refutation falls short of the decisive rule on confidence alone.
            reason = not_counted(stance, decisive)
    return Evidence(source_type=passage.source_type, title=passage.title, url=passage.url, outlet=passage.outlet,
                    snippet=passage.snippet, stance=stance, stance_confidence=round(float(confidence), 3),
                    decisive=decisive, published=passage.published, relevance=passage.relevance, rating=passage.rating,
                    analysis_id=passage.analysis_id, reason=reason, facts=facts, points=points,
                    origin=passage.origin, origin_note=passage.origin_note)
