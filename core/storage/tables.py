"""The database schema as SQLAlchemy Core tables: what the migrations build and the queries use.

The tables mirror the migrations in ``core/storage/migrations/versions``; a test
compares the two (an upgraded database has exactly these tables and columns).
"""
from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)

metadata = MetaData()

articles = Table(
    "articles", metadata,
    Column("id", Integer, primary_key=True),
    Column("key", Text, nullable=False, unique=True),  # normalised URL, else sha256 of the text
    Column("url", Text),
    Column("title", Text),
    Column("outlet", Text),
    Column("first_seen", Text, nullable=False),
    Column("text_hash", Text),  # sha256 of the latest analysed text: the same story under another address
)

analyses = Table(
    "analyses", metadata,
    Column("id", String(64), primary_key=True),
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", Text, nullable=False),
    Column("engine", Text, nullable=False),
    Column("partial", Integer, nullable=False),
    Column("document", Text, nullable=False),  # the crosscheck.analysis JSON document
    Column("summary", Text, nullable=False, server_default="{}"),  # kept for older readers; columns below are queried
    # Summary columns, so that the Library filters, sorts and counts in the database.
    Column("latest", Boolean, nullable=False, server_default="0"),  # the newest analysis of its article
    Column("published", Text, nullable=False, server_default=""),
    Column("claims_count", Integer, nullable=False, server_default="0"),
    Column("techniques_found", Integer, nullable=False, server_default="0"),
    Column("top_technique", Text, nullable=False, server_default=""),
    Column("persuasion_percentile", Float),  # against ordinary news (crosscheck.analysis/2); None without a reference
    Column("found_techniques", Text, nullable=False, server_default="[]"),  # JSON: the found techniques' names, strongest first
    Column("corroborated", Integer, nullable=False, server_default="0"),
    Column("single_source", Integer, nullable=False, server_default="0"),
    Column("contradicted", Integer, nullable=False, server_default="0"),
    Column("disputed", Integer, nullable=False, server_default="0"),
    Column("unverified", Integer, nullable=False, server_default="0"),
    Column("job_id", String(64)),  # the job that made it, if any: a re-run job finds its analysis here
)

claims = Table(
    "claims", metadata,
    Column("analysis_id", String(64), ForeignKey("analyses.id", ondelete="CASCADE"), primary_key=True),
    Column("claim_id", String(64), primary_key=True),
    Column("text", Text, nullable=False),
    Column("verdict", Text, nullable=False),
    Column("verdict_confidence", Float),  # None for an unverified claim: nothing decided it
)

evidence = Table(
    "evidence", metadata,
    Column("analysis_id", String(64), ForeignKey("analyses.id", ondelete="CASCADE"), nullable=False),
    Column("claim_id", String(64), nullable=False),
    Column("source_type", Text, nullable=False),
    Column("title", Text),
    Column("url", Text),
    Column("outlet", Text),
    Column("snippet", Text),
    Column("stance", Text, nullable=False),
    Column("stance_confidence", Float, nullable=False),
    Column("domain", Text, nullable=False, server_default=""),  # the URL's host, else the outlet: a filter
    # What the Evidence page shows of each passage's weight (issue 27): whether it counted toward the verdict
    # (core.verdict.counts), why a side-taking passage did not (core.verdict.not_counted_reason; else None),
    # and what its figures say of the claim's (Evidence.facts).
    Column("counted", Boolean, nullable=False, server_default=false()),
    Column("reason", Text),
    Column("facts", Text),
)

revision = Table(
    "revision", metadata,
    Column("id", Integer, primary_key=True),
    Column("value", Integer, nullable=False),
    # The stories' change record (core.storage.story_cache, migration 0015): the newest generation, the one after
    # which story_changes holds every change, and a token drawn when the database was made (a database made again
    # at the same URL counts its generations anew).
    Column("story_generation", Integer, nullable=False, server_default="0"),
    Column("story_changes_since", Integer, nullable=False, server_default="0"),
    Column("story_epoch", Text, nullable=False, server_default=""),
)

# What the Library and Evidence pages count unfiltered, kept up to date at save and delete (core.storage.page_counts).
page_counts = Table(
    "page_counts", metadata,
    Column("kind", Text, primary_key=True),
    Column("key", Text, primary_key=True),
    Column("value", Text, primary_key=True),
    Column("n", Integer, nullable=False),
)

# What the Evidence page counts under its filters, kept up to date at save and delete like page_counts
# (core.storage.evidence_tallies): the evidence of latest analyses by every filter but the article and the search...
evidence_tallies = Table(
    "evidence_tallies", metadata,
    Column("source_type", Text, primary_key=True),
    Column("stance", Text, primary_key=True),
    Column("counted", Boolean, primary_key=True),
    Column("verdict", Text, primary_key=True),  # its claim's
    Column("domain", Text, primary_key=True),
    Column("web", Boolean, primary_key=True),  # it has a web address (the domain chart counts only those)
    Column("n", Integer, nullable=False),
)

# ... and their claims with evidence by the article's outlet, the claim's verdict and which kinds of evidence it has
# (a bit per source type, stance and counted: core.storage.evidence_tallies.kind_bit), for the outlet chart, which
# counts each claim once however many of its pieces of evidence match.
claim_tallies = Table(
    "claim_tallies", metadata,
    Column("outlet", Text, primary_key=True),
    Column("verdict", Text, primary_key=True),
    Column("kinds", Integer, primary_key=True),
    Column("n", Integer, nullable=False),
)

# The words the Evidence page's search looks in, one row per claim with evidence of every latest analysis: the claim
# and its evidence's passages (core.storage.evidence_tallies), indexed for substrings: SQLite's FTS5 trigram table
# evidence_words_fts, PostgreSQL's trigram index evidence_words_search (migration 0019).
evidence_words = Table(
    "evidence_words", metadata,
    Column("id", Integer, primary_key=True),
    Column("analysis_id", String(64), ForeignKey("analyses.id", ondelete="CASCADE"), nullable=False),
    Column("claim_id", String(64), nullable=False),
    Column("words", Text, nullable=False),
    Index("evidence_words_by_analysis", "analysis_id"),
)

jobs = Table(
    "jobs", metadata,
    Column("id", String(64), primary_key=True),
    Column("kind", Text, nullable=False),  # analyze, recheck, poll_feed
    Column("status", Text, nullable=False),  # queued, running, done, failed
    Column("label", Text, nullable=False),  # what the job works on, for people: a URL, a file name, a title
    Column("params", Text, nullable=False),  # JSON
    Column("batch_id", String(64)),
    Column("stage", Text, nullable=False, server_default=""),
    Column("message", Text, nullable=False, server_default=""),
    Column("fraction", Float),
    Column("analysis_id", String(64)),
    Column("error", Text, nullable=False, server_default=""),
    Column("hint", Text, nullable=False, server_default=""),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("worker", Text, nullable=False, server_default=""),
    Column("heartbeat_at", Float),  # epoch seconds: a running job whose heartbeat stops is re-queued
    Column("created_at", Text, nullable=False),
    Column("started_at", Text),
    Column("finished_at", Text),
    Column("dedupe_key", Text),  # same URL or same text: analysed once per batch
)

feeds = Table(
    "feeds", metadata,
    Column("id", Integer, primary_key=True),
    Column("url", Text, nullable=False, unique=True),
    Column("title", Text, nullable=False, server_default=""),
    Column("engine", Text, nullable=False, server_default="local"),
    Column("sources", Text, nullable=False, server_default=""),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("last_polled_at", Text),
    Column("last_error", Text, nullable=False, server_default=""),
    Column("items_seen", Integer, nullable=False, server_default="0"),
    Column("created_at", Text, nullable=False),
)

# The outlets an analyst follows (Settings): with the feeds' sites, whose absence from a story is a blindspot.
followed_outlets = Table(
    "followed_outlets", metadata,
    Column("name", Text, primary_key=True),
    Column("added_at", Text, nullable=False),
)

feed_items = Table(
    "feed_items", metadata,
    Column("feed_id", Integer, ForeignKey("feeds.id", ondelete="CASCADE"), nullable=False),
    Column("item_key", Text, nullable=False),  # the entry's id, else its link
    Column("url", Text, nullable=False),
    Column("title", Text, nullable=False, server_default=""),
    Column("published", Text, nullable=False, server_default=""),
    Column("job_id", String(64)),
    Column("seen_at", Text, nullable=False),
    UniqueConstraint("feed_id", "item_key", name="feed_items_once"),
)

library_sentences = Table(
    "library_sentences", metadata,
    Column("id", Integer, primary_key=True),
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
    Column("analysis_id", String(64), nullable=False),
    Column("position", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("embedding", LargeBinary, nullable=False),  # float16 MiniLM vector, 768 bytes
)

crossrefs = Table(
    "crossrefs", metadata,
    Column("id", Integer, primary_key=True),
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),  # to re-check
    Column("cited_article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),  # stored later
    Column("found_at", Text, nullable=False),
    Column("job_id", String(64)),  # the recheck job
    UniqueConstraint("article_id", "cited_article_id", name="crossrefs_once"),
)

# Analyst review (issue 22): kept beside the stored documents, which keep the machine's output unchanged.
review_decisions = Table(
    "review_decisions", metadata,
    Column("id", Integer, primary_key=True),
    Column("analysis_id", String(64), ForeignKey("analyses.id", ondelete="CASCADE"), nullable=False),
    Column("target", Text, nullable=False),  # core.review.Target.key: verdict:C1, stance:C1:0, technique:NAME:0
    Column("component", Text, nullable=False),  # verdict, stance, technique
    Column("machine_value", Text, nullable=False),
    Column("analyst_value", Text, nullable=False),
    Column("reason", Text, nullable=False, server_default=""),
    Column("reviewer", Text, nullable=False),
    Column("decided_at", Text, nullable=False),
    UniqueConstraint("analysis_id", "target", name="review_decisions_once"),  # the latest decision; history is the log
)

review_notes = Table(
    "review_notes", metadata,
    Column("id", Integer, primary_key=True),
    Column("analysis_id", String(64), ForeignKey("analyses.id", ondelete="CASCADE"), nullable=False),
    Column("claim_id", Text, nullable=False, server_default=""),  # "" for a note on the whole analysis
    Column("text", Text, nullable=False),
    Column("author", Text, nullable=False),
    Column("written_at", Text, nullable=False),
)

review_marks = Table(
    "review_marks", metadata,
    Column("analysis_id", String(64), ForeignKey("analyses.id", ondelete="CASCADE"), primary_key=True),
    Column("reviewer", Text, nullable=False),
    Column("reviewed_at", Text, nullable=False),
)

review_activity = Table(
    "review_activity", metadata,
    Column("id", Integer, primary_key=True),
    Column("analysis_id", String(64), ForeignKey("analyses.id", ondelete="CASCADE"), nullable=False),
    Column("at", Text, nullable=False),
    Column("who", Text, nullable=False),
    Column("action", Text, nullable=False),  # confirmed, overridden, note, reviewed, unreviewed
    Column("what", Text, nullable=False),
    Column("why", Text, nullable=False, server_default=""),
)

# Each deleted analysis (issue 30): who deleted it and when, and its review as it was (JSON: core.review.Review's
# to_dict). No foreign key: the record outlives the analysis, whose review rows the deletion cascades away.
analysis_deletions = Table(
    "analysis_deletions", metadata,
    Column("id", Integer, primary_key=True),
    Column("analysis_id", String(64), nullable=False),
    Column("article_url", Text, nullable=False, server_default=""),
    Column("title", Text, nullable=False, server_default=""),
    Column("deleted_by", Text, nullable=False),
    Column("deleted_at", Text, nullable=False),
    Column("review", Text, nullable=False),
    Index("analysis_deletions_by_analysis", "analysis_id"),
)

# Stories (issue 31): see core.story_clusters and migration 0012.
stories = Table(
    "stories", metadata,
    Column("id", Integer, primary_key=True),
    Column("title", Text, nullable=False, server_default=""),  # its first article's title
    Column("created_at", Text, nullable=False),
    Column("size", Integer, nullable=False, server_default="0"),
    Column("first_day", Integer),  # ordinal days of its dated members; None when none is dated
    Column("last_day", Integer),
    Index("stories_by_last_day", "last_day"),
)

story_members = Table(
    "story_members", metadata,
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("story_id", Integer, ForeignKey("stories.id", ondelete="CASCADE"), nullable=False),
    Column("vector", LargeBinary, nullable=False),  # float16 lead vector
    Column("day", Integer),
    Column("actors", Text, nullable=False, server_default="[]"),
    Column("terms", Text, nullable=False, server_default="{}"),
    Column("placed_by", Text, nullable=False, server_default=""),  # "" the machine, else the analyst's name
    Column("joined_at", Text, nullable=False),
    Index("story_members_by_story", "story_id"),
)

# Which article left or joined which story, by generation: what a process's cache of the lead vectors reads to
# stay in step (core.storage.story_cache).
story_changes = Table(
    "story_changes", metadata,
    Column("generation", Integer, nullable=False),
    Column("article_id", Integer, nullable=False),
    Column("story_id", Integer, nullable=False),
    Index("story_changes_by_generation", "generation"),
)

story_words = Table(
    "story_words", metadata,
    Column("term", Text, primary_key=True),  # a lead word stem
    Column("articles", Integer, nullable=False),  # in how many stored articles' leads it occurs
)
