"""The thresholds the product decides by, in one place, each with why it has its value.

Thresholds that training chooses from data stay in the trained artifacts with
their model cards (the local stance model's decisive rule, the check-worthiness
threshold, the news reference's cut-offs); these are the ones set by hand.
This module imports nothing, so any layer may read it.
"""
from __future__ import annotations

# --- Verdicts (core/verdict.py) -------------------------------------------------------------

# Refutation must weigh this many times the support to overrule it (else: disputed): a single
# refuting outlet must not overrule one supporting outlet of the same confidence.
OUTWEIGH = 1.5

# --- The facts rule (core/fact_stance.py) --------------------------------------------------

# The confidence of a passage that restates every figure and date of a claim (support), or gives
# another value for the same point (refutation): the rule's precision on held-out pairs, so that
# the verdict's noisy-OR reads these as it reads the engines' calibrated probabilities.
# Measured by scripts/eval_facts.py on the held-out half of the Wikinews pairs (agreement 0.935,
# conflict 0.996) and by scripts/eval_crosscheck.py on judged pairs of real outlets (docs/evidence.md);
# set to the lower of the two readings, rounded down.
FACT_AGREEMENT_PRECISION = 0.9
FACT_CONFLICT_PRECISION = 0.9

# --- Evidence retrieval (core/sources) -------------------------------------------------------

# MiniLM cosine from which a sentence is taken to address the claim. Restatements
# and denials of a claim score about 0.6-0.95, background on the same subject
# about 0.45-0.5, sentences sharing only a place or topic below 0.3 (docs/evidence.md).
# The library cross-references (core/crossrefs.py) use the same bar.
MIN_RELEVANCE = 0.45
# A sentence that states one of the claim's figures (the same digits) is relevant from this cosine:
# other outlets restate a figure in other words ("31 votes to 14" / "backed the extension by 31-14":
# cosine 0.24 in the test world of testkit/story_world.py), and the facts rule judges it precisely.
FIGURE_RELEVANCE = 0.2

# Cosine between the reviewed claim and the claim being checked from which a fact-check is shown.
# Measured with MiniLM: restatements 0.81-0.89, the same claim negated 0.93 (the stance
# judgement tells those apart), another claim about the same event 0.64, another claim on
# the same subject 0.46-0.58.
FACTCHECK_MATCH = 0.6

# --- Claims (core/pipeline.py, core/presentation.py) -----------------------------------------

# Claims checked per article at most, the most check-worthy first: every claim costs a look-up
# in each source and a stance judgement per passage, so a 200,000-character text (which gave
# 1,929 claims before this cap) must not cost 50 times a news article. A 1,000-word article
# has 10-30 claims above the threshold.
MAX_CLAIMS = 40

# The claims an analyst sees first: the most check-worthy, about one per 100 words of the
# article and 5 to 12 in all (10 for a 1,000-word article); the others are under "show all".
TOP_CLAIMS_PER_WORD = 1 / 100
TOP_CLAIMS_RANGE = (5, 12)

# --- The claude engine (core/engines/claude.py) ----------------------------------------------

# When Claude's stated stance counts toward a verdict (its DecisiveRule). Unlike the local
# engine's thresholds, these are not chosen from data (there are no labelled Claude judgements
# to choose them on): they are the 0.6 the verdict rules used for every engine before, with the
# coverage check added.
CLAUDE_SUPPORTS_AT = 0.6
CLAUDE_REFUTES_AT = 0.6

# A technique is found at or above this stated probability of standing out (and of occurring):
# the model's own even odds, since Claude cannot be run on a reference of ordinary news here.
CLAUDE_FOUND_AT = 0.5
