"""The periodic tasks run in every worker's scheduler; with several workers, each feed is still polled once per interval."""
from __future__ import annotations

from core.jobs.queue import JobQueue
from core.settings import get_settings
from core.storage import Storage
from testkit.local_server import LocalServer, Reply

EMPTY_FEED = """<?xml version="1.0"?><rss version="2.0"><channel><title>Gazette</title>
<link>https://gazette.example/</link><description>news</description></channel></rss>"""


def test_two_workers_schedulers_queue_one_poll_per_feed(database_url):
    settings = get_settings()
    storage = Storage(database_url)
    with LocalServer() as site:
        for name in ("world", "politics"):
            site.routes[f"/{name}.xml"] = Reply(body=EMPTY_FEED, content_type="application/rss+xml")
            storage.feeds.add(site.url(f"/{name}.xml"))
        first_worker, second_worker = JobQueue(settings, storage), JobQueue(settings, storage)
        assert len(first_worker.poll_feeds()) == 2
        assert second_worker.poll_feeds() == []  # the same minute, another worker's scheduler
        assert sum(site.hits.values()) == 2
    assert [job.kind for job in storage.jobs.list()] == ["poll_feed", "poll_feed"]
    assert all(feed.last_polled_at for feed in storage.feeds.list())
