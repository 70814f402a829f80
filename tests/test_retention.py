"""Retention (core.retention): over simulated months of daily work the jobs and feed-item tables stay bounded, the
rows still needed stay, and expired HTTP cache entries are deleted while fresh ones are kept."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import func, insert, select, update

from core import http
from core.retention import apply_retention
from core.settings import get_settings
from core.storage import Storage
from core.job_status import DONE
from core.storage.tables import feed_items, jobs
from testkit.factories import make_analysis
from testkit.local_server import LocalServer, Reply

PER_DAY = 5
DAYS = 90
START = datetime(2026, 1, 1, tzinfo=timezone.utc)


def _rows(store: Storage, table) -> int:
    with store.database.read() as db:
        return db.execute(select(func.count()).select_from(table)).scalar_one()


def _day_of_work(store: Storage, feed_id: int, day: int) -> None:
    """PER_DAY analyse jobs finished and PER_DAY feed items seen on ``day`` (as if then), in one transaction."""
    at = (START + timedelta(days=day)).isoformat(timespec="seconds")
    ids = [f"d{day}n{n}" for n in range(PER_DAY)]
    with store.database.write() as db:
        db.execute(insert(jobs), [{"id": i, "kind": "analyze", "status": DONE, "label": i, "params": "{}", "attempts": 1,
                                   "created_at": at, "started_at": at, "finished_at": at} for i in ids])
        db.execute(insert(feed_items), [{"feed_id": feed_id, "item_key": i, "url": f"https://g.example/{i}", "job_id": i,
                                         "seen_at": at} for i in ids])


def test_months_of_daily_work_keep_the_job_and_feed_tables_bounded(database_url):
    settings = get_settings().model_copy(update={"job_retention_days": 10, "feed_item_retention_days": 20})
    store = Storage(database_url)
    feed = store.feeds.add("https://g.example/rss")
    # A re-check job a cross-reference names, and a job still queued: both old, both kept.
    store.save(make_analysis(id="a1", url="https://g.example/old"))
    store.save(make_analysis(id="b1", url="https://g.example/new"))
    recheck, _ = store.jobs.create("recheck", "old", {})
    store.jobs.claim(recheck.id, "w")
    store.jobs.finish(recheck.id, "w", None)
    store.crossrefs.add("https://g.example/old", "https://g.example/new", recheck.id)
    waiting, _ = store.jobs.create("analyze", "waiting", {"input": {"kind": "url", "url": "https://g.example/w"}})
    with store.database.write() as db:
        db.execute(update(jobs).where(jobs.c.id == recheck.id).values(finished_at=START.isoformat()))
    most_jobs = most_items = 0
    for day in range(DAYS):
        _day_of_work(store, feed.id, day)
        apply_retention(settings, store, now=START + timedelta(days=day, hours=12))
        most_jobs, most_items = max(most_jobs, _rows(store, jobs)), max(most_items, _rows(store, feed_items))
    assert most_jobs == 2 + PER_DAY * 10 and most_items == PER_DAY * 20  # the retention windows
    kept = {job.id for job in store.jobs.list(limit=1000)}
    assert recheck.id in kept and waiting.id in kept
    assert not store.crossrefs.new_evidence(["a1"])  # its re-check still reads as finished

    forever = settings.model_copy(update={"job_retention_days": 0, "feed_item_retention_days": 0})
    before = (_rows(store, jobs), _rows(store, feed_items))
    apply_retention(forever, store, now=START + timedelta(days=3650))
    assert (_rows(store, jobs), _rows(store, feed_items)) == before


def test_expired_http_cache_entries_are_deleted_and_fresh_ones_kept(tmp_path, monkeypatch):
    monkeypatch.setenv("CROSSCHECK_HOME", str(tmp_path))
    get_settings.cache_clear()
    http._sessions.clear()
    settings = get_settings()
    with LocalServer() as site:
        for n in range(3):
            site.routes[f"/old{n}"] = Reply(body=f"<p>old {n}</p>")
        site.routes["/fresh"] = Reply(body="<p>fresh</p>")
        for n in range(3):
            http.get(site.url(f"/old{n}"), settings=settings)
        http.get_session(settings).cache.reset_expiration(timedelta(seconds=-1))  # as if a day had passed
        http.get(site.url("/fresh"), settings=settings)
        assert http.cache_stats(settings)["responses"] == 4
        retained = apply_retention(settings, Storage(tmp_path / "crosscheck.db"))
        assert retained.http_responses == 3 and http.cache_stats(settings)["responses"] == 1
        hits = dict(site.hits)
        http.get(site.url("/fresh"), settings=settings)  # still served from the cache
        assert site.hits == hits
    http._sessions.clear()
