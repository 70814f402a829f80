"""Does cross-checking decide? Real stories (judged sentence pairs) and the three-outlet world, end to end.

Everything runs in process through core.pipeline.analyze with the local engine, the library source only,
and a temporary SQLite library per story (testkit/crosscheck_eval.py says how: every article of a story
is stored first, then each is analysed again against the others, unstored).

- Three-outlet world (testkit/story_world.py): each article's claims with verdicts, against ground
  truth: overclaims, the four conflicts (flagged in every article that states them, both figures in
  the rationale) and the shared 9.4 km figure (corroborated).
- Real stories (tests/data/story_clusters.json, texts from ../shared/data): for each judged pair
  (sentence a of article A, sentence b of article B): whether a became a claim of A, its verdict,
  and what B's article contributed as evidence (stance, confidence, counted or why not, whether the
  passage is sentence b). Summaries per label; verdict counts over every claim. PTC articles are each
  their own outlet (their id); Wikinews articles are one outlet, "Wikinews" (their pairs are all
  judged one origin, so none of their evidence can count).
- The stories are split by a stable hash of the cluster id into a dev half and a held-out half,
  printed apart. Tune on dev only; read held-out to report. "Held-out, never tuned on" sums the held-out
  stories that scripts/eval_facts.py's own split (SHA-1) also held out: seven held-out stories were its dev.

    PYTHONPATH=$PWD .venv/bin/python scripts/eval_crosscheck.py [--data ../shared/data] [--only world|stories]
        [--story CLUSTER_ID ...]
"""
from __future__ import annotations

import argparse
import shlex
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from core.records import Analysis, Stance, Verdict
from testkit import crosscheck_eval as ev
from testkit import story_world as world
from testkit.story_clusters import DEFAULT_DATA_ROOT, load_story_clusters

ROOT = Path(__file__).resolve().parent.parent
VERDICTS = tuple(Verdict)


def _git(*args: str) -> str:
    try:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"


def header() -> None:
    dirty = _git("status", "--porcelain", "--", "core", "testkit", "scripts")
    print("command: " + " ".join(shlex.quote(a) for a in [Path(sys.executable).name, *sys.argv]))
    print(f"commit:  {_git('rev-parse', 'HEAD')} ({_git('rev-parse', '--abbrev-ref', 'HEAD')})"
          + ("  + uncommitted changes in core/testkit/scripts" if dirty else ""))
    print(f"engine:  {ev.ENGINE}, sources: {', '.join(ev.SOURCES)}, time budget {ev.TIME_BUDGET_S:g} s per article")
    print()


def table(rows: Sequence[Sequence[object]], head: Sequence[str]) -> None:
    cells = [[str(c) for c in head], *[[str(c) for c in r] for r in rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(head))]
    for n, row in enumerate(cells):
        print("  " + "  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())
        if n == 0:
            print("  " + "  ".join("-" * w for w in widths))


def short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def pct(n: int, total: int) -> str:
    return f"{n}/{total} ({100 * n / total:.0f} %)" if total else "0/0 (-)"


# ---------------------------------------------------------------- the three-outlet world

def report_world() -> ev.WorldReport:
    print("=" * 100)
    print("THREE-OUTLET WORLD (testkit/story_world.py): Courier and Ledger agree, Metro Post contradicts on cost, start,")
    print("state share and vote; all three give 9.4 km. Each article checked with the other two in the library.")
    print("=" * 100)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="eval-world-") as home:
        report = ev.judge_world(ev.analyse_world(Path(home)))
    for article in world.ARTICLES:
        print(f"\n{article.outlet} ({article.key})")
        rows = [(c.claim.id, c.claim.verdict.value, c.expected, ",".join(f.point for f in c.figures) or "-",
                 "OVERCLAIM" if c.overclaim else ("decided, no truth" if c.decided_outside_truth else ""),
                 _world_evidence(c, article), short(c.claim.text, 60)) for c in report.claims if c.article == article.key]
        table(rows, ("claim", "verdict", "truth", "figures", "check", "evidence (outlet stance conf, +: counted)", "text"))
    print("\nConflicts (every article that states the point; flagged = disputed/contradicted; both = both values in "
          "the rationale)")
    table([(c.point, c.article, c.figure.written, c.claim.id if c.claim else "no claim",
            c.claim.verdict.value if c.claim else "-", "yes" if c.flagged else "no", "yes" if c.both_figures else "no")
           for c in report.conflicts], ("point", "article", "figure", "claim", "verdict", "flagged", "both"))
    print("\nShared figure (9.4 km): corroborated where the claim holds only it; flagged where it also holds a conflict")
    table([(corr.claim.article, corr.claim.written, c.claim.id if c else "no claim", c.expected if c else "-",
            c.claim.verdict.value if c else "-", "ok" if ok else "MISSED")
           for corr, c, ok in zip(world.CORROBORATED, report.shared, report.shared_corroborated)],
          ("article", "figure", "claim", "truth", "verdict", "check"))
    print("\nRationales of the claims holding a figure:")
    for c in report.claims:
        if c.figures:
            print(f"  {c.article}/{c.claim.id} [{c.claim.verdict.value}]: {short(c.claim.assessment.rationale, 300)}")
    any_flagged = sum(any(c.flagged for c in report.conflicts if c.point == p) for p in world.CONFLICT_POINTS)
    print("\nWORLD SUMMARY")
    print(f"  claims: {len(report.claims)}; verdicts: {_verdict_counts(c.claim.verdict for c in report.claims)}")
    print(f"  overclaims: {len(report.overclaims)} (target 0)"
          + "".join(f"\n    {c.article}/{c.claim.id} {c.claim.verdict.value}, truth {c.expected}" for c in report.overclaims))
    print(f"  conflicts flagged in every article with both figures: "
          f"{sum(report.conflict_flagged(p) for p in world.CONFLICT_POINTS)}/4 (target 4); "
          f"flagged in at least one article: {any_flagged}/4; cells flagged: "
          f"{sum(c.flagged for c in report.conflicts)}/{len(report.conflicts)}, with both figures: "
          f"{sum(c.flagged and c.both_figures for c in report.conflicts)}/{len(report.conflicts)}")
    print(f"  shared figure corroborated: {sum(report.shared_corroborated)}/3 (target 3)")
    print(f"  decided on the support side with no ground-truth figure (not judged): "
          f"{sum(c.decided_outside_truth for c in report.claims)}")
    print(f"  ({time.perf_counter() - started:.0f} s)\n")
    return report


def _world_evidence(claim: ev.WorldClaim, article: world.WorldArticle) -> str:
    stored = ev.world_articles()[article.key]
    outlets = {a.outlet: a.key for a in world.ARTICLES}
    return "; ".join(f"{outlets.get(e.outlet, e.outlet)} {e.stance.value[:3]} {e.stance_confidence:.2f}"
                     + ("+" if ev.counts(e, stored) else "") for e in claim.claim.evidence) or "-"


def _verdict_counts(verdicts) -> str:
    counted = Counter(verdicts)
    return ", ".join(f"{v.value} {counted[v]}" for v in VERDICTS)


# ---------------------------------------------------------------- real stories

def _article_id(key: str) -> str:
    name = key.rsplit("/", 1)[-1]
    return name.removeprefix("article").removesuffix(".txt") if key.startswith("ptc/") else "wn:" + name[:14]


def _evidence_cell(outcome: ev.PairOutcome) -> str:
    if outcome.claim is None:
        return ""
    if not outcome.from_b:
        return "none from B"
    parts = []
    for e in outcome.from_b:
        note = ev.reason(e, outcome.article) or "no side"
        parts.append(f"{e.stance.value} {e.stance_confidence:.2f} [{note}]" + (" =b" if outcome.b_matches_sentence(e) else ""))
    return "; ".join(parts)


def pair_table(outcomes: Sequence[ev.PairOutcome], numbers: dict[int, int]) -> None:
    rows = [(f"P{numbers[id(o.pair)]:02d}", o.pair.label[:5], "1o" if o.pair.one_origin else "",
             f"{_article_id(o.pair.a.article)}>{_article_id(o.pair.b.article)}", short(o.pair.point, 28),
             f"{o.claim.id} {o.claim.verdict.value}" if o.claim else "not a claim", _evidence_cell(o))
            for o in outcomes]
    evidence_head = "B's evidence (stance conf [counted / why not]; =b: the passage is sentence b)"
    table(rows, ("pair", "label", "", "A>B", "point", "claim of A", evidence_head))


def pair_summary(outcomes: Sequence[ev.PairOutcome]) -> None:
    def restates(group: Sequence[ev.PairOutcome], name: str, target: str = "   [target >= 60 %]") -> None:
        claimed = [o for o in group if o.claim]
        print(f"  restates, {name}: {len(group)} pairs, sentence a a claim in {pct(len(claimed), len(group))}; of those:")
        print(f"    decided on the support side (corroborated/single source): "
              f"{pct(sum(o.support_side for o in claimed), len(claimed))}{target}")
        print(f"    B's evidence counted as support: {pct(sum(o.b_counted_support for o in claimed), len(claimed))}; "
              f"B's evidence found at all: {pct(sum(bool(o.from_b) for o in claimed), len(claimed))}")
        print(f"    shown as refuting (B's passage refutes, counted or not): {sum(o.b_refutes for o in claimed)}"
              f"   [target 0]; counted: {sum(o.b_counted_refutes for o in claimed)}; "
              f"claim disputed/contradicted: {sum(o.claim_flagged for o in claimed)}")

    by_label = {label: [o for o in outcomes if o.pair.label == label] for label in ("restates", "conflicts", "compatible")}
    independent = [o for o in by_label["restates"] if not o.pair.one_origin]
    restates(independent, "independent")
    restates([o for o in independent if o.digits_all_restated],
             "independent, every number of a (in digits) also in b")
    restates([o for o in by_label["restates"] if o.pair.one_origin],
             "one origin (copies, one outlet: B's support should not count as independent once origins are wired)",
             "")
    for label, target in (("conflicts", "flagged"), ("compatible", "wrongly flagged")):
        group = by_label[label]
        claimed = [o for o in group if o.claim]
        print(f"  {label}: {len(group)} pairs, sentence a a claim in {pct(len(claimed), len(group))}; {target} "
              f"(claim disputed/contradicted, or B's passage counted as refuting): "
              f"{pct(sum(o.flagged for o in claimed), len(claimed))}; B's passage refutes, counted or not: "
              f"{sum(o.b_refutes for o in claimed)}")


def claims_summary(analyses: Sequence[Analysis]) -> None:
    claims = [c for a in analyses for c in a.claims]
    evidence = [(e, a.article) for a in analyses for c in a.claims for e in c.evidence]
    stances = Counter(e.stance for e, _ in evidence)
    counted = Counter(e.stance for e, article in evidence if ev.counts(e, article))
    partial = sum(c.partial for c in claims)
    print(f"  all claims of {len(analyses)} checked articles: {len(claims)}; {_verdict_counts(c.verdict for c in claims)}"
          + (f"; {partial} partial (a look-up failed or ran out of time)" if partial else ""))
    print(f"  library passages: {len(evidence)} (supports {stances[Stance.SUPPORTS]}, refutes {stances[Stance.REFUTES]}, "
          f"neutral {stances[Stance.NEUTRAL]}); counted: supports {counted[Stance.SUPPORTS]}, "
          f"refutes {counted[Stance.REFUTES]}")


def report_stories(data_root: Path, only: Sequence[str] = ()) -> None:
    stories = load_story_clusters(data_root)
    print("=" * 100)
    print(f"REAL STORIES (tests/data/story_clusters.json): {len(stories.clusters)} stories, "
          f"{sum(len(c.articles) for c in stories.clusters)} articles, {len(stories.pairs)} judged pairs; "
          "one library per story (members and thread)")
    print("=" * 100)
    started = time.perf_counter()
    unknown = set(only) - {c.id for c in stories.clusters}
    if unknown:
        raise SystemExit(f"no such story: {', '.join(sorted(unknown))}")
    outcomes, checked = ev.judge_pairs(stories, data_root, only=only,
                                       on_story=lambda cid, s: print(f"  {cid}: {s:.1f} s", file=sys.stderr))
    numbers = {id(p): n for n, p in enumerate(stories.pairs, start=1)}  # the pair's place in the labels file
    for half in ("dev", "held-out"):
        in_half = [o for o in outcomes if o.half == half]
        clusters = sorted(c.id for c in stories.clusters if ev.cluster_half(c.id) == half and (not only or c.id in only))
        print(f"\n--- {half.upper()} HALF: {len(clusters)} stories, {len(in_half)} judged pairs"
              + (" (report only: do not tune on it)" if half == "held-out" else ""))
        print("  stories: " + ", ".join(clusters))
        pair_table(in_half, numbers)
        print(f"\n{half.upper()} SUMMARY")
        pair_summary(in_half)
        claims_summary(checked[half])
    clean = [o for o in outcomes if ev.never_tuned_on(o.pair.cluster)]
    print(f"\nHELD-OUT, NEVER TUNED ON ({len({o.pair.cluster for o in clean})} stories also held out by "
          "scripts/eval_facts.py's split)")
    pair_summary(clean)
    print("\nBOTH HALVES")
    pair_summary(outcomes)
    claims_summary([*checked["dev"], *checked["held-out"]])
    print(f"  ({time.perf_counter() - started:.0f} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA_ROOT, help="the shared data folder")
    parser.add_argument("--only", choices=("world", "stories"), help="run one part only")
    parser.add_argument("--story", action="append", default=[], metavar="ID",
                        help="run only this story (repeatable; a quick look, not a measurement)")
    args = parser.parse_args()
    header()
    if args.only != "stories":
        report_world()
    if args.only != "world":
        report_stories(args.data, args.story)


if __name__ == "__main__":
    main()
