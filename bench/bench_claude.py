"""Round trips and wall time of the claude engine against the local fake Messages API.

An article with 12 check-worthy claims, each with 2 evidence passages, is read
and its evidence judged the way the pipeline does it (``read``, then one
``judge_stance`` call with every pair), with a fixed latency on every API
call. Three runs: a first one, a second one of the same article on a new
engine (served by the response cache), and one with ``fresh=True``.

    .venv/bin/python -m bench.bench_claude [--latency 1.0] [--claims 12]
"""
from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from testkit.fake_anthropic import FAKE_KEY, FakeAnthropic


def article(claims: int) -> str:
    facts = [
        f"The ministry said {1000 + 37 * i} homes were built in district {i + 1} in {2012 + i}."
        for i in range(claims)
    ]
    return "\n\n".join(
        [f"{fact} This is an outrageous betrayal of every family!" for fact in facts]
    )


def evidence_for(claim: str) -> list[str]:
    return [
        f"Official statistics: {claim.removeprefix('The ministry said ')}",
        "A local newspaper reported on the weather in the region that year.",
    ]


def run(server: FakeAnthropic, text: str, *, fresh: bool) -> dict[str, float]:
    from core.engines import get_engine
    from core.records import Article
    from core.settings import get_settings

    server.reset()
    engine = get_engine("claude", get_settings())
    started = time.monotonic()
    reading = engine.read(Article(text=text), fresh=fresh)
    pairs = [(c.text, passage) for c in reading.claims for passage in evidence_for(c.text)]
    judgements = engine.judge_stance(pairs, fresh=fresh)
    wall = time.monotonic() - started
    assert len(judgements) == len(pairs)
    usage = engine.info().usage
    return {
        "claims": len(reading.claims),
        "pairs": len(pairs),
        "wall": wall,
        "waves": server.waves(),
        "calls": len(server.requests),
        "peak": server.max_concurrency(),
        "cost": usage.cost_usd,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=1.0, help="seconds added to every API call")
    parser.add_argument("--claims", type=int, default=12)
    args = parser.parse_args()

    text = article(args.claims)
    with tempfile.TemporaryDirectory() as home, FakeAnthropic(latency=args.latency) as server:
        os.environ.update(
            ANTHROPIC_API_KEY=FAKE_KEY,
            ANTHROPIC_BASE_URL=server.base_url,
            CROSSCHECK_HOME=home,
            CROSSCHECK_SECRETS_FILE=str(Path(home) / "none.toml"),
        )
        from core.settings import get_settings

        get_settings.cache_clear()
        settings = get_settings()
        rows = [
            ("first run", run(server, text, fresh=False)),
            ("second run, same article", run(server, text, fresh=False)),
            ("second run, fresh=True", run(server, text, fresh=True)),
        ]

    print(f"claude engine vs fake Messages API: {args.latency:g} s latency per call, "
          f"model {settings.claude_model}, claude_concurrency {settings.claude_concurrency}")
    header = f"{'run':<26} {'claims':>6} {'pairs':>5} {'wall s':>7} {'seq. round trips':>16} {'API calls':>9} {'peak parallel':>13} {'est. USD':>9}"
    print(header)
    print("-" * len(header))
    for name, r in rows:
        print(f"{name:<26} {r['claims']:>6} {r['pairs']:>5} {r['wall']:>7.2f} {r['waves']:>16} {r['calls']:>9} "
              f"{r['peak']:>13} {r['cost']:>9.4f}")


if __name__ == "__main__":
    main()
