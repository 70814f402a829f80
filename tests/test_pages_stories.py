"""The Story and Outlet pages (issue 31) under AppTest, and the Library's way to a story."""
from __future__ import annotations

from streamlit.testing.v1 import AppTest

from core.settings import get_settings
from core.storage import Storage
from testkit.apptest import APP, TIMEOUT, app, select_rows, texts
from testkit.factories import make_analysis
from testkit.stories import store_on_topic


def open_at(page: str, **params: str) -> AppTest:
    test = AppTest.from_file(APP, default_timeout=TIMEOUT)
    test.run()
    test.switch_page(page)
    for name, value in params.items():
        test.query_params[name] = value
    test.run()
    assert not test.exception, test.exception
    return test


def two_outlets_one_story() -> tuple[Storage, int]:
    storage = Storage(get_settings().db_path)
    store_on_topic(storage, make_analysis(id="s1", title="Council spends on roads", outlet="Daily Post",
                                          url="https://post.example/roads",
                                          claims=["The council spent 5 million pounds on roads in 2025."]), topic=1, seed=1)
    store_on_topic(storage, make_analysis(id="s2", title="Road spending row", outlet="Evening Star",
                                          url="https://star.example/roads",
                                          claims=["The council spent 9 million pounds on roads in 2025."]), topic=1, seed=2)
    store_on_topic(storage, make_analysis(id="o1", title="Festival opens", outlet="Daily Post",
                                          url="https://post.example/festival"), topic=2, seed=3)
    return storage, storage.stories.story_of("https://post.example/roads")


def test_story_page_shows_the_timeline_outlets_and_the_conflict_first_with_both_figures():
    storage, story_id = two_outlets_one_story()
    storage.feeds.add("https://post.example/feed.xml")
    storage.feeds.add("https://www.gazette.example/rss")
    test = open_at("pages/story.py", id=str(story_id))
    shown = texts(test)
    assert test.subheader[0].value == "Council spends on roads"
    timeline = test.dataframe[0].value
    assert list(timeline["Outlet"]) == ["Daily Post", "Evening Star"]
    assert "**Daily Post**" in shown and "**Evening Star**" in shown
    assert "Conflict" in shown and "5 million" in shown and "9 million" in shown
    profiles = [link.proto.label for link in test.get("page_link")]
    assert "Daily Post" in profiles and "Evening Star" in profiles  # techniques per outlet, under their profiles
    assert "Festival opens" not in shown
    assert {b.proto.label for b in test.get("download_button")} == {"PDF of the story", "CSV of the story"}
    assert "with no article in this story: gazette.example" in shown  # a blindspot; post.example covered it


def test_story_csv_lists_each_outlets_wording_conflicts_first_then_the_articles():
    import csv
    import io

    from core.stories.view import story_csv, story_view

    storage, story_id = two_outlets_one_story()
    rows = list(csv.DictReader(io.StringIO(story_csv(story_view(storage, story_id)).decode())))
    claims = [r for r in rows if r["kind"] == "claim"]
    assert [r["outlet_or_article"] for r in claims] == ["Daily Post", "Evening Star"]
    assert all(r["conflict"] == "True" and "5 million" in r["figures_differ"] for r in claims)
    assert [r["outlet_or_article"] for r in rows if r["kind"] == "article"] == ["Daily Post", "Evening Star"]


def test_story_page_without_an_id_lists_the_stories_and_a_wrong_id_says_so():
    two_outlets_one_story()
    test = open_at("pages/story.py")
    assert set(test.dataframe[0].value["Title"]) == {"Council spends on roads", "Festival opens"}
    test = open_at("pages/story.py", id="9999")
    assert "No story has the id 9999" in texts(test)
    test = open_at("pages/story.py", id="abc")
    assert "not a story id" in texts(test)


def test_outlet_page_profiles_its_articles_and_says_a_handful_is_a_handful():
    two_outlets_one_story()
    test = open_at("pages/outlet.py", name="Daily Post")
    shown = texts(test)
    assert "rests on 2 articles" in shown
    assert set(test.dataframe[0].value["Title"]) == {"Council spends on roads", "Festival opens"}
    assert set(test.dataframe[0].value["Persuasion"]) == {"90 %"}  # make_analysis: the 0.9 percentile
    verdicts = test.dataframe[2].value
    assert "95 % interval" in verdicts.columns and all(" of " in c for c in verdicts["Claims"])
    test.button(key="outlet_cross").click().run()
    assert not test.exception, test.exception
    assert "On 1 story: 1 claim shared with other outlets" in texts(test) and "1 in conflict" in texts(test)
    test = open_at("pages/outlet.py", name="Nobody Times")
    assert "No stored article is from Nobody Times" in texts(test)


def test_story_page_draws_its_pdf_only_when_the_button_is_pressed(monkeypatch):
    """Drawn with the page, the PDF was most of a first visit (0.3-0.7 s, issue 31): the button draws it."""
    from core.stories import pdf

    drawn = []
    monkeypatch.setattr(pdf, "story_pdf", lambda view: drawn.append(view.story.id) or b"%PDF-")
    _, story_id = two_outlets_one_story()
    test = open_at("pages/story.py", id=str(story_id))
    assert "PDF of the story" in {b.proto.label for b in test.get("download_button")}
    assert drawn == []


def test_outlet_page_reads_the_outlet_once_per_state_of_the_library(monkeypatch):
    """Thousands of articles at 100,000 stored (issue 31): read at the first visit, not at every rerun; an article
    stored since is shown."""
    from core.stories import outlets

    reads = []
    real = outlets.outlet_profile
    monkeypatch.setattr(outlets, "outlet_profile", lambda storage, name: reads.append(name) or real(storage, name))
    storage, _ = two_outlets_one_story()
    test = open_at("pages/outlet.py", name="Evening Star")
    test.run()
    assert reads == ["Evening Star"] and list(test.dataframe[0].value["Title"]) == ["Road spending row"]
    store_on_topic(storage, make_analysis(id="s3", title="Roads again", outlet="Evening Star",
                                          url="https://star.example/roads-2"), topic=4, seed=4)
    test.run()
    assert reads == ["Evening Star"] * 2 and set(test.dataframe[0].value["Title"]) == {"Road spending row", "Roads again"}


def test_library_leads_to_an_articles_story():
    _, story_id = two_outlets_one_story()
    test = app("pages/library.py")
    titles = list(test.dataframe[0].value["Title"])
    select_rows(test, titles.index("Road spending row"))
    links = [link for link in test.get("page_link")]
    assert any(f"id={story_id}" in str(link.proto) or "Its story" in str(link.proto) for link in links)
    test.toggle(key="library_more_columns").set_value(True).run()
    assert f"/story?id={story_id}" in list(test.dataframe[0].value["Story"])


# ---------------------------------------------------------------- an analyst's corrections on the Story page

def story_ids(storage: Storage) -> dict[str, int]:
    return {title: storage.stories.story_of(url) for title, url in (("roads", "https://post.example/roads"),
                                                                    ("festival", "https://post.example/festival"))}


def correct(test: AppTest, action: str, *, why: str = "", name: str | None = "Ana Analyst", **choices) -> AppTest:
    """Fill the Story page's correction form (with the analyst's name typed into it) and apply it."""
    from components import story_corrections as fix

    test.radio(key="story_fix_action").set_value(getattr(fix, action)).run()
    if name is not None:
        test.text_input(key="story_fix_name").input(name).run()
    for key, value in choices.items():
        widget = test.multiselect(key=key) if key == "story_fix_split" else test.selectbox(key=key)
        widget.set_value(value).run()
    test.text_area(key="story_fix_why").input(why).run()
    test.button(key="story_fix_apply").click().run()
    assert not test.exception, test.exception
    return test


def story_log(storage: Storage, analysis_id: str) -> list[tuple[str, str, str, str]]:
    return [(a.who, a.action, a.what, a.why) for a in storage.reviews.get(analysis_id).activity]


def test_moving_an_article_needs_a_name_and_a_reason_and_is_kept_in_the_review_log():
    storage, _ = two_outlets_one_story()
    ids = story_ids(storage)
    test = open_at("pages/story.py", id=str(ids["roads"]))
    assert test.button(key="story_fix_apply").disabled  # no analyst name yet
    correct(test, "MOVE", story_fix_article="https://star.example/roads", story_fix_target=ids["festival"])
    assert "Say why" in texts(test)  # no reason: nothing moved
    assert storage.stories.story_of("https://star.example/roads") == ids["roads"]
    correct(test, "MOVE", why="a comment piece on the festival budget", name=None,
            story_fix_article="https://star.example/roads", story_fix_target=ids["festival"])
    assert storage.stories.story_of("https://star.example/roads") == ids["festival"]
    assert f"to story {ids['festival']}" in texts(test)
    assert story_log(storage, "s2") == [("Ana Analyst", "story", f"moved from story {ids['roads']} to story {ids['festival']}",
                                         "a comment piece on the festival budget")]
    assert list(test.dataframe[0].value["Outlet"]) == ["Daily Post"]  # the timeline without it


def test_merging_another_story_into_this_one_moves_its_articles_with_the_analysts_name():
    storage, _ = two_outlets_one_story()
    ids = story_ids(storage)
    test = open_at("pages/story.py", id=str(ids["roads"]))
    correct(test, "MERGE", why="one council meeting", story_fix_other=ids["festival"])
    assert storage.stories.story_of("https://post.example/festival") == ids["roads"]
    assert storage.stories.count() == 1
    assert set(test.dataframe[0].value["Title"]) == {"Council spends on roads", "Road spending row", "Festival opens"}
    assert "Ana Analyst" in list(test.dataframe[0].value["Placed by"])
    ((who, action, what, why),) = story_log(storage, "o1")
    assert (who, action, why) == ("Ana Analyst", "story", "one council meeting")
    assert what == f"merged story {ids['festival']} into story {ids['roads']}"  # once read "into 2 to story 1"


def test_splitting_articles_off_makes_a_new_story_and_the_page_links_to_it():
    storage, _ = two_outlets_one_story()
    ids = story_ids(storage)
    test = open_at("pages/story.py", id=str(ids["roads"]))
    correct(test, "SPLIT", why="a different vote", story_fix_split=["https://star.example/roads"])
    new = storage.stories.story_of("https://star.example/roads")
    assert new not in ids.values() and storage.stories.story_of("https://post.example/roads") == ids["roads"]
    assert f"into story {new}" in texts(test)
    assert any(f"id={new}" in str(link.proto) for link in test.get("page_link"))
    assert story_log(storage, "s2")[0][:3] == ("Ana Analyst", "story", f"split out of story {ids['roads']} into story {new}")


def test_moving_a_storys_last_article_out_opens_the_story_it_went_to():
    storage, _ = two_outlets_one_story()
    ids = story_ids(storage)
    test = open_at("pages/story.py", id=str(ids["festival"]))
    correct(test, "MOVE", why="same council", story_fix_article="https://post.example/festival",
            story_fix_target=ids["roads"])
    assert str(ids["roads"]) in str(test.query_params["id"])
    assert not test.error and test.subheader[0].value == "Council spends on roads"


def test_story_and_outlet_pages_show_an_articles_markup_as_text():
    from components.escape import md_escape

    storage = Storage(get_settings().db_path)
    title, outlet = "**Bold** ![x](https://tracker.example/p.png)", ":red[Evil] <b>Times</b>"
    store_on_topic(storage, make_analysis(id="h1", title=title, outlet=outlet, url="https://evil.example/a"), topic=3)
    store_on_topic(storage, make_analysis(id="h2", title="Plain", outlet="Plain Times", url="https://plain.example/a"),
                   topic=3, seed=2)
    test = open_at("pages/story.py", id=str(storage.stories.story_of("https://evil.example/a")))
    assert test.subheader[0].value == md_escape(title)
    assert any(f"**{md_escape(outlet)}**" in e.value for e in test.markdown)  # the outlets line
    assert md_escape(outlet) in [link.proto.label for link in test.get("page_link")]
    test = open_at("pages/outlet.py", name=outlet)
    assert test.subheader[0].value == md_escape(outlet)


# ---------------------------------------------------------------- followed outlets (Settings) and blindspots

def test_outlets_followed_in_settings_are_a_storys_blindspots_when_they_did_not_cover_it():
    storage, story_id = two_outlets_one_story()
    test = app("pages/settings.py")
    for name in ("Evening Star", "Morning Herald", "gazette.example", "evening star"):
        test.text_input(key="settings_follow_name").input(name).run()
        test.button(key="settings_follow").click().run()
    assert not test.exception, test.exception
    assert "You already follow evening star" in texts(test)  # names are one outlet whatever their case
    assert storage.followed.list() == ["Evening Star", "gazette.example", "Morning Herald"]
    test = open_at("pages/story.py", id=str(story_id))
    # Evening Star covered it (by name); the other two did not.
    assert "with no article in this story: gazette.example, Morning Herald" in texts(test)
    test = app("pages/settings.py")
    test.button(key="settings_unfollow_2").click().run()  # Morning Herald
    assert storage.followed.list() == ["Evening Star", "gazette.example"]
    storage.feeds.add("https://post.example/feed.xml")  # a feed's site covered it
    test = open_at("pages/story.py", id=str(story_id))
    assert "with no article in this story: gazette.example" in texts(test)
    assert "post.example" not in texts(test).split("no article in this story:")[1]
