"""Feeds: a body is parsed as the bytes it is, items are seen only once queued, big feeds and bad sources."""
from __future__ import annotations

import io
from contextlib import redirect_stderr, redirect_stdout

import pytest

from core.cli import main
from core.errors import CrosscheckError, InputError
from core.jobs import feeds
from core.jobs.queue import get_queue
from core.settings import get_settings
from core.storage import Storage
from core.storage.feeds import FeedItem
from testkit.local_server import LocalServer, Reply

RSS = """<?xml version="1.0"?><rss version="2.0"><channel><title>Gazette</title>
{items}</channel></rss>"""


def rss(links: list[str]) -> str:
    return RSS.format(items="".join(f"<item><title>Item {n}</title><link>{link}</link><guid>{link}</guid></item>"
                                    for n, link in enumerate(links)))


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


def test_a_body_naming_a_local_file_is_not_opened(tmp_path):
    local = tmp_path / "local.xml"
    local.write_text(rss(["https://secret.example/internal"]), encoding="utf-8")
    with pytest.raises(InputError, match="not an RSS or Atom feed"):  # feedparser opens bytes that name a file
        feeds.parse(str(local).encode(), "https://feed.example/rss")


def test_a_feed_body_over_the_download_limit_is_refused(monkeypatch):
    monkeypatch.setenv("CROSSCHECK_MAX_DOWNLOAD_BYTES", "2000")
    get_settings.cache_clear()
    with LocalServer() as server:
        server.routes["/rss"] = Reply(body=rss([f"{server.base_url}/{n}" for n in range(200)]),
                                      content_type="application/rss+xml")
        assert run("feeds", "add", server.url("/rss"), "--sources", "none")[0] == 0
        code, _, err = run("feeds", "poll")
    assert code == 1 and "limit" in err
    assert "limit" in Storage(get_settings().database).feeds.list()[0].last_error


def test_unknown_sources_are_refused_when_the_feed_is_added():
    code, _, err = run("feeds", "add", "https://news.example/rss", "--sources", "bogus")
    assert code == 1 and "bogus" in err and "library" in err  # the known names are listed
    assert Storage(get_settings().database).feeds.list() == []


def test_items_are_seen_only_once_queued_and_a_failed_poll_is_listed():
    storage = Storage(get_settings().database)
    queue = get_queue(get_settings(), storage)
    with LocalServer() as server:
        links = [f"{server.base_url}/story{n}" for n in range(3)]
        server.routes["/rss"] = Reply(body=rss(links), content_type="application/rss+xml")
        feed = storage.feeds.add(server.url("/rss"), sources=())

        def broken_queue(*args, **kwargs):
            raise CrosscheckError("the queue (Redis) is unreachable: connection refused.")

        with pytest.raises(CrosscheckError):
            feeds.poll_feed(feed.id, storage=storage, settings=get_settings(), submit=broken_queue)
        code, out, _ = run("feeds", "list")
        assert "error: the queue (Redis) is unreachable" in out
        assert storage.feeds.get(feed.id).items_seen == 0
        queued: list[str] = []

        def submit(sources, **kwargs):
            queued.extend(source.url for source in sources)
            return queue.submit_analyses(sources, **kwargs)

        fresh = feeds.poll_feed(feed.id, storage=storage, settings=get_settings(), submit=submit)
    assert [item.url for item in fresh] == links == queued  # nothing was lost to the failed poll
    assert storage.feeds.get(feed.id).items_seen == 3 and storage.feeds.get(feed.id).last_error == ""


def test_items_past_one_polls_share_wait_for_the_next_poll(monkeypatch):
    monkeypatch.setattr(feeds, "MAX_ITEMS_PER_POLL", 2)
    storage = Storage(get_settings().database)
    links = [f"https://news.example/{n}" for n in range(5)]
    feed = storage.feeds.add("https://news.example/rss")
    monkeypatch.setattr(feeds, "_fetch", lambda *args: ("Gazette", [FeedItem(link, link, "", "") for link in links],
                                                           '"v1"', None))
    submitted: list[str] = []

    def submit(sources, **kwargs):
        submitted.extend(source.url for source in sources)
        return [storage.jobs.create("analyze", source.url, {})[0] for source in sources]

    for _ in range(3):
        feeds.poll_feed(feed.id, storage=storage, settings=get_settings(), submit=submit)
    assert submitted == links and storage.feeds.get(feed.id).items_seen == 5


def test_a_feed_of_more_items_than_one_query_may_name(database_url):
    """PostgreSQL takes at most 65,535 parameters in one statement; SQLite 32,766."""
    storage = Storage(database_url)
    feed = storage.feeds.add("https://news.example/rss")
    items = [FeedItem(f"item-{n}", f"https://news.example/{n}", "", "") for n in range(70_000)]
    first = storage.feeds.unseen(feed.id, items)
    assert first == items
    storage.feeds.mark_seen(feed.id, [(item, f"job{n}") for n, item in enumerate(items[:3])])
    assert storage.feeds.unseen(feed.id, items) == items[3:]
