"""The claude engine: techniques, claims and stance from Anthropic's Messages API.

Round trips per analysis: one ``read`` call (the article goes once, with a
prompt-cache mark on its block, for techniques and claims together), then one
concurrent wave of stance calls; claims are packed into at most
``claude_concurrency`` calls so the wave stays one wave whatever the number of
claims.

Confidence rules (see docs/claude-engine.md):

* a technique's confidence is the probability the model states for it (the
  prompt asks for all 14); a technique the model leaves out gets 0.0;
  duplicates keep the highest value. Techniques come sorted by confidence,
  highest first, ties in the corpus order.
* a technique is found (core.techniques_catalogue.FOUND_RULE) when the model's stated
  probability that the article uses it clearly more than ordinary news does
  (``stands_out``) is at least 0.5, its confidence is at least 0.5, and at least
  one of its quoted passages is in the article. Claude cannot be run on a
  reference of ordinary news here, so its techniques and persuasion score
  have no percentile (None); their strength is computed from its passages as
  for the local engine (core.ml.reference).
* a passage's confidence is the model's stated value for that passage;
  a claim's check-worthiness is the model's stated value.
* a stance is the highest of the three stated probabilities after they are
  normalised to sum to 1 (ties go to neutral), and its confidence is that
  probability. It is decisive (counts toward a verdict) by CLAUDE_RULE: a
  probability of at least 0.6, and for support a passage that covers the
  claim's numbers and names and contradicts none of its details
  (core/ml/stance.supportable); a stance that does not count says why (base.not_counted). A pair whose stance call failed gets neutral with confidence
  0.0 and all scores 0.0, and a warning on ``self.warnings``.

Warnings: ``read`` reports dropped quotes and unknown technique names in
``Reading.warnings`` (they do not make the analysis partial); failures of the
stance step go to ``self.warnings``, which the pipeline treats as partial.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..errors import EngineError, EngineUnavailableError, WebSearchRefused
from ..ml.reference import persuasion_score, technique_strength, word_count
from ..engine_usage import EngineInfo
from ..ml.stance import DecisiveRule, coverage, find_conflict, supportable
from ..policy import CLAUDE_FOUND_AT, CLAUDE_REFUTES_AT, CLAUDE_SUPPORTS_AT
from ..records import Article, Persuasion, Span, Stance, Technique
from ..techniques_catalogue import TECHNIQUE_DEFINITIONS, TECHNIQUES
from ..registry import Needs
from ..settings import Settings
from .base import ENGINES, ClaimCandidate, Engine, ProgressCallback, Reading, StanceJudgement, ignore_progress, not_counted
from .claude_quotes import QuoteLocator
from .claude_search import WebCitation, WebSearchAnswer, read_citations, search_request
from .claude_store import clear_response_cache, cost_by_day

__all__ = ["ClaudeEngine", "clear_response_cache", "cost_by_day"]

NO_KEY_MESSAGE = "The claude engine needs an Anthropic API key, and none is set."
NO_KEY_HINT = (
    "Set ANTHROPIC_API_KEY in the environment (export ANTHROPIC_API_KEY=sk-ant-...) or add the line "
    'ANTHROPIC_API_KEY = "sk-ant-..." to .streamlit/secrets.toml, then restart. '
    "The local engine needs no key and stays available."
)

Probability = Annotated[float, Field(ge=0.0, le=1.0)]
Quote = Annotated[str, Field(min_length=1, max_length=1500, description="Copied character for character from the article.")]


class _Answer(BaseModel):
    # Extra keys are harmless and ignored; the bounds below are what is enforced.
    model_config = ConfigDict(extra="ignore")


class PassageAnswer(_Answer):
    quote: Quote
    confidence: Probability


class TechniqueAnswer(_Answer):
    # The schema shows the model the 14 names; an unknown one is dropped and
    # counted rather than failing the whole answer.
    name: str = Field(json_schema_extra={"enum": list(TECHNIQUES)})
    confidence: Probability
    stands_out: Probability = Field(description="Probability that the article uses the technique clearly more than ordinary news reporting does.")
    passages: list[PassageAnswer] = Field(default_factory=list, max_length=8)


class ClaimAnswer(_Answer):
    quote: Quote
    checkworthiness: Probability


class ReadAnswer(_Answer):
    techniques: list[TechniqueAnswer] = Field(max_length=len(TECHNIQUES))
    claims: list[ClaimAnswer] = Field(max_length=15)


class StanceItem(_Answer):
    id: int = Field(ge=1, description="The evidence id.")
    supports: Probability
    refutes: Probability
    neutral: Probability

    @model_validator(mode="after")
    def _some_mass(self) -> StanceItem:
        if self.supports + self.refutes + self.neutral <= 0:
            raise ValueError("the three probabilities are all 0")
        return self


class StanceAnswer(_Answer):
    judgements: list[StanceItem] = Field(min_length=1, max_length=500)


NOT_JUDGED = StanceJudgement(Stance.NEUTRAL, 0.0, {s: 0.0 for s in Stance})
# When Claude's stated stance counts toward a verdict (thresholds and why: core/policy.py).
CLAUDE_RULE = DecisiveRule(supports=CLAUDE_SUPPORTS_AT, refutes=CLAUDE_REFUTES_AT)
# Ties go to the first of these: neutral claims least.
_STANCE_ORDER = (Stance.NEUTRAL, Stance.SUPPORTS, Stance.REFUTES)


@ENGINES.register
class ClaudeEngine(Engine):
    name = "claude"
    description = "Anthropic Claude: stronger technique detection, claim extraction and stance (needs ANTHROPIC_API_KEY)."
    needs = Needs(settings=("anthropic_api_key",), network=True)

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        key = settings.anthropic_api_key.get_secret_value() if settings.anthropic_api_key else ""
        if not key:
            raise EngineUnavailableError(NO_KEY_MESSAGE, hint=NO_KEY_HINT)
        # Here, not at the top: the Anthropic SDK takes about 0.9 s to import, which what only lists the engines and
        # their needs (the Settings page's first visit, --help) should not pay.
        from .claude_api import ClaudeClient, Prompt

        self.warnings: list[str] = []
        self._read_prompt = Prompt.load("read")
        self._stance_prompt = Prompt.load("stance")
        self._search_prompt = Prompt.load("web_search")
        self._client = ClaudeClient(settings, key)

    def info(self) -> EngineInfo:
        return EngineInfo(
            name=self.name,
            model=self._client.model,
            prompt_version=f"{self._read_prompt.version}+{self._stance_prompt.version}",
            usage=self._client.usage,
        )

    def read(self, article: Article, on_progress: ProgressCallback = ignore_progress, *, fresh: bool = False) -> Reading:
        prompt = self._read_prompt
        text = article.text
        # A tag derived from the text itself: the article cannot contain its own closing tag.
        tag = f"article_{hashlib.sha256(text.encode('utf-8')).hexdigest()[:12]}"
        techniques = "\n".join(f"- {name}: {TECHNIQUE_DEFINITIONS[name]}" for name in TECHNIQUES)
        content = [
            {"type": "text", "text": f"<{tag}>\n{text}\n</{tag}>", "cache_control": {"type": "ephemeral"}},
            {"type": "text", "text": prompt.instructions.replace("{tag}", tag)},
        ]
        on_progress("Claude is reading the article", None)
        result = self._client.ask(
            prompt, prompt.system.replace("{techniques}", techniques), content, ReadAnswer, fresh=fresh
        )
        if result.answer is None:
            return Reading(
                techniques=(),
                claims=(),
                warnings=(f"Claude's reading step failed ({result.problem}); techniques and claims are missing.",),
                partial=True,
            )
        on_progress("Checking Claude's quotes against the article", 1.0)
        return _reading(text, result.answer)

    def judge_stance(self, pairs: Sequence[tuple[str, str]], *, fresh: bool = False) -> list[StanceJudgement]:
        if not pairs:
            return []
        by_claim: dict[str, list[int]] = {}
        for index, (claim, _) in enumerate(pairs):
            by_claim.setdefault(claim, []).append(index)
        claims = list(by_claim)
        n_calls = min(len(claims), self.settings.claude_concurrency)
        batches = [[(claim, by_claim[claim]) for claim in claims[b::n_calls]] for b in range(n_calls)]
        judgements: list[StanceJudgement] = [NOT_JUDGED] * len(pairs)
        failure: EngineError | None = None
        with ThreadPoolExecutor(max_workers=n_calls, thread_name_prefix="claude-stance") as pool:
            futures = [pool.submit(self._judge_batch, batch, pairs, fresh) for batch in batches]
            for future in futures:
                try:
                    for index, judgement in future.result().items():
                        judgements[index] = judgement
                except EngineError as exc:
                    failure = failure or exc
        if failure is not None:
            raise failure
        return judgements

    def search_web(self, claim: str, *, blocked_domain: str | None = None, fresh: bool = False) -> WebSearchAnswer:
        """What the web says about ``claim``, through Claude's server-side web search: the passages it cited.

        Raises :class:`~core.errors.WebSearchRefused` when the account does not allow the tool,
        and :class:`~core.errors.EngineError` when the call or the search fails. Its searches and tokens count
        in this analysis's usage and cost, and the answer is cached like the engine's other answers.
        """
        prompt = self._search_prompt
        request = search_request(claim, system=prompt.system, instructions=prompt.instructions,
                                 max_tokens=prompt.max_tokens, max_uses=self.settings.claude_web_searches,
                                 blocked_domain=blocked_domain)
        found, from_cache = self._client.ask_with_server_tools(prompt, request, read_citations, fresh=fresh,
                                                               refused=WebSearchRefused)
        return WebSearchAnswer(tuple(WebCitation(**item) for item in found), from_cache)

    def _judge_batch(
        self, batch: list[tuple[str, list[int]]], pairs: Sequence[tuple[str, str]], fresh: bool
    ) -> dict[int, StanceJudgement]:
        prompt = self._stance_prompt
        pair_of: dict[int, int] = {}
        document: list[dict[str, Any]] = []
        for claim, indexes in batch:
            evidence = []
            for index in indexes:
                pair_of[len(pair_of) + 1] = index
                evidence.append({"id": len(pair_of), "passage": pairs[index][1]})
            document.append({"claim": claim, "evidence": evidence})
        data = json.dumps({"claims": document}, ensure_ascii=False, indent=1)
        tag = f"data_{hashlib.sha256(data.encode('utf-8')).hexdigest()[:12]}"
        ids = f"1 to {len(pair_of)}" if len(pair_of) > 1 else "1"
        content = [
            {"type": "text", "text": f"<{tag}>\n{data}\n</{tag}>"},
            {"type": "text", "text": prompt.instructions.replace("{tag}", tag).replace("{ids}", ids)},
        ]

        def check(answer: StanceAnswer) -> None:
            given = [item.id for item in answer.judgements]
            if sorted(given) != sorted(pair_of):
                raise ValueError(f"expected exactly one judgement for each id {ids}, got ids {sorted(given)[:50]}")

        result = self._client.ask(prompt, prompt.system, content, StanceAnswer, check=check, fresh=fresh)
        if result.answer is None:
            self.warnings.append(
                f"Claude could not judge the evidence of {len(batch)} claim(s) ({result.problem}); "
                "those passages count as neutral with confidence 0."
            )
            return {index: NOT_JUDGED for index in pair_of.values()}
        return {pair_of[item.id]: _judgement(item, *pairs[pair_of[item.id]]) for item in result.answer.judgements}


def _judgement(item: StanceItem, claim: str, evidence: str) -> StanceJudgement:
    total = item.supports + item.refutes + item.neutral
    scores = {
        Stance.SUPPORTS: item.supports / total,
        Stance.REFUTES: item.refutes / total,
        Stance.NEUTRAL: item.neutral / total,
    }
    stance = max(_STANCE_ORDER, key=lambda s: scores[s])
    probabilities = (scores[Stance.SUPPORTS], scores[Stance.REFUTES], scores[Stance.NEUTRAL])
    missing, conflict = coverage(claim, evidence).missing, find_conflict(claim, evidence)
    decisive = CLAUDE_RULE.decisive(stance.value, probabilities, supportable(missing, conflict))
    return StanceJudgement(stance=stance, confidence=scores[stance], scores=scores, decisive=decisive,
                           reason=not_counted(stance, decisive, missing, conflict.detail if conflict is not None else None))


def _reading(text: str, answer: ReadAnswer) -> Reading:
    """Techniques and claims with offsets computed here; unfound quotes and unknown names dropped."""
    locator = QuoteLocator(text)
    confidence: dict[str, float] = {name: 0.0 for name in TECHNIQUES}
    stands_out: dict[str, float] = {name: 0.0 for name in TECHNIQUES}
    spans: dict[str, dict[tuple[int, int], Span]] = {name: {} for name in TECHNIQUES}
    unknown = dropped_passages = dropped_claims = 0
    for finding in answer.techniques:
        if finding.name not in confidence:
            unknown += 1
            continue
        confidence[finding.name] = max(confidence[finding.name], finding.confidence)
        stands_out[finding.name] = max(stands_out[finding.name], finding.stands_out)
        found = spans[finding.name]
        for passage in finding.passages:
            where = locator.find(passage.quote, set(found))
            if where is None:
                dropped_passages += 1
            elif where not in found or found[where].confidence < passage.confidence:
                found[where] = Span(where[0], where[1], text[where[0] : where[1]], passage.confidence)
    n_words = word_count(text)
    techniques = []
    for name in TECHNIQUES:
        passages = tuple(sorted(spans[name].values(), key=lambda s: s.start))
        techniques.append(Technique(
            name, confidence[name], passages, strength=technique_strength(passages, n_words), percentile=None,
            found=bool(passages) and confidence[name] >= CLAUDE_FOUND_AT and stands_out[name] >= CLAUDE_FOUND_AT,
        ))
    techniques.sort(key=lambda t: (-t.confidence, TECHNIQUES.index(t.name)))
    persuasion = Persuasion(score=persuasion_score(techniques, n_words), percentile=None)

    claims: dict[tuple[int, int], ClaimCandidate] = {}
    for claim in answer.claims:
        where = locator.find(claim.quote, set(claims))
        if where is None:
            dropped_claims += 1
        elif where not in claims or claims[where].checkworthiness < claim.checkworthiness:
            claims[where] = ClaimCandidate(text[where[0] : where[1]], where[0], where[1], claim.checkworthiness)

    warnings = []
    if unknown:
        warnings.append(f"Claude named {unknown} technique(s) that are not among the 14; they were dropped.")
    if dropped_passages:
        warnings.append(f"{dropped_passages} technique passage(s) quoted by Claude are not in the article text; they were dropped.")
    if dropped_claims:
        warnings.append(f"{dropped_claims} claim(s) quoted by Claude are not in the article text; they were dropped.")
    return Reading(
        techniques=tuple(techniques),
        claims=tuple(sorted(claims.values(), key=lambda c: c.start)),
        warnings=tuple(warnings),
        persuasion=persuasion,
    )
