"""What changed between two runs of the same article: techniques found, claims added or removed, verdicts changed.

Re-running an article (another engine, new evidence, a re-check) stores a new
analysis beside the old ones. Claims carry no identity across runs (their ids
are positions), so a claim is "the same" in both runs when its text is, after
folding case and whitespace; a reworded claim shows as one removed and one added.
"""
from __future__ import annotations

from dataclasses import dataclass

from .records import Analysis, Verdict


@dataclass(frozen=True)
class VerdictChange:
    claim: str  # the claim's text, as the newer run has it
    before: Verdict
    after: Verdict


@dataclass(frozen=True)
class RunDiff:
    """``newer`` compared with ``older``; every list is in the order the analyses hold them."""

    older_id: str
    newer_id: str
    techniques_now_found: tuple[str, ...]  # technique labels found in the newer run only
    techniques_no_longer_found: tuple[str, ...]
    claims_added: tuple[str, ...]
    claims_removed: tuple[str, ...]
    verdicts_changed: tuple[VerdictChange, ...]

    @property
    def unchanged(self) -> bool:
        return not (self.techniques_now_found or self.techniques_no_longer_found or self.claims_added
                    or self.claims_removed or self.verdicts_changed)


def _claim_key(text: str) -> str:
    return " ".join(text.split()).casefold()


def diff_runs(older: Analysis, newer: Analysis) -> RunDiff:
    """What ``newer`` finds that ``older`` did not, and the other way round."""
    found_before = {t.name for t in older.found_techniques()}
    found_after = {t.name for t in newer.found_techniques()}
    old_claims = {_claim_key(c.text): c for c in older.claims}
    new_claims = {_claim_key(c.text): c for c in newer.claims}
    return RunDiff(
        older_id=older.id,
        newer_id=newer.id,
        techniques_now_found=tuple(t.label for t in newer.found_techniques() if t.name not in found_before),
        techniques_no_longer_found=tuple(t.label for t in older.found_techniques() if t.name not in found_after),
        claims_added=tuple(c.text for key, c in new_claims.items() if key not in old_claims),
        claims_removed=tuple(c.text for key, c in old_claims.items() if key not in new_claims),
        verdicts_changed=tuple(
            VerdictChange(c.text, old_claims[key].verdict, c.verdict)
            for key, c in new_claims.items()
            if key in old_claims and old_claims[key].verdict != c.verdict
        ),
    )
