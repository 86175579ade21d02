"""The feed page driven by NiceGUI's simulated ``User`` (no browser, the real page code).

Each test builds the site on its own SQLite database and hands ``site.page`` (the root page
that ``python -m vrdndi_ui.feed`` serves) to ``nicegui.testing.user_simulation``, the same
simulation NiceGUI's ``user`` fixture uses.

Each async test runs on a fresh event loop in a thread of its own (:func:`on_own_loop`): the
session's Playwright browser (``chromium`` fixture, sync API) keeps an event loop running in
the main thread once a browser test has run, and a second loop cannot run in that thread.
"""

from __future__ import annotations

import asyncio
import functools
import gc
import sqlite3
import threading
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from nicegui import ui
from nicegui.testing import User, user_simulation

from tests.ui.feed.test_feed_site import (
    NOW,
    feed_rows,
    feedback_rows,
    settings_for,
    video_id,
    write_feed,
)
from vrdndi_pipeline.core.store.database import read_transaction, write_transaction
from vrdndi_pipeline.core.store.feed_tables import FeedGeneration, replace_feed
from vrdndi_pipeline.core.store.people_tables import RunFailure, record_run_failure
from vrdndi_pipeline.core.store.schema import visibility_changes
from vrdndi_ui.feed.feed_page import FeedSite, FeedSiteOptions
from vrdndi_ui.feed.feed_site import build_feed_site


def on_own_loop(test: Callable[..., Awaitable[None]]) -> Callable[..., None]:
    """Run the async ``test`` with ``asyncio.run`` in its own thread; close its users after."""

    @functools.wraps(test)
    def run(*args: Any, **kwargs: Any) -> None:
        async def body() -> None:
            try:
                await test(*args, **kwargs)
            finally:
                if isinstance(kwargs.get("open_feed"), FeedUsers):
                    await kwargs["open_feed"].close()

        failure: list[BaseException] = []

        def target() -> None:
            try:
                asyncio.run(body())
            except BaseException as error:
                failure.append(error)

        thread = threading.Thread(target=target, name=test.__name__)
        thread.start()
        thread.join(timeout=300)
        assert not thread.is_alive(), f"{test.__name__} did not finish in 300 s"
        if failure:
            raise failure[0]

    return run


@pytest.fixture(autouse=True, scope="module")
def frozen_heap() -> Any:
    """Freeze what earlier tests left on the heap (torch, MLflow, Dagster) for the length of
    this module: the simulated page allocates enough to trigger many garbage collections, and
    each would walk the whole heap (measured: 1.8 s instead of 0.4 s a test after the feed
    asset tests). Once per module, not per test: the full collection before freezing takes
    about a second on that heap. Unfrozen after, so later tests collect as usual."""
    gc.collect()
    gc.freeze()
    yield
    gc.unfreeze()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """The site's database: the file ``sqlite_engine`` makes, when a test asks for it."""
    return tmp_path / "vrdndi.db"


@pytest.fixture
def make_site(tmp_path: Path, db_path: Path) -> Callable[..., FeedSite]:
    sites: list[FeedSite] = []

    def make(**options: Any) -> FeedSite:
        write_timeout = options.pop("write_timeout_s", 5.0)
        site = build_feed_site(
            settings_for(tmp_path, f"sqlite:///{db_path}"),
            FeedSiteOptions(**{"timezone": "Europe/Berlin", **options}),
            write_timeout_s=write_timeout,
        )
        sites.append(site)
        return site

    make.sites = sites  # type: ignore[attr-defined]
    yield make
    for site in sites:
        site.store.engine.dispose()


class FeedUsers:
    """``await open_feed(**options)`` -> a ``User`` looking at the feed page of a new site."""

    def __init__(self, make_site: Callable[..., FeedSite]) -> None:
        self.make_site = make_site
        self.simulations: list[Any] = []

    async def __call__(self, **options: Any) -> User:
        site = self.make_site(**options)
        simulation = user_simulation(root=site.page)
        user = await simulation.__aenter__()
        self.simulations.append(simulation)
        await user.open("/")
        return user

    async def close(self) -> None:
        while self.simulations:
            await self.simulations.pop().__aexit__(None, None, None)


@pytest.fixture
def open_feed(make_site: Callable[..., FeedSite], caplog: pytest.LogCaptureFixture) -> Any:
    users = FeedUsers(make_site)
    yield users
    errors = [r for r in caplog.get_records("call") if r.levelname == "ERROR"]
    assert not errors, [r.getMessage() for r in errors]


def cards(user: User) -> list[ui.element]:
    """The feed cards on the page, in page order."""
    try:
        found = user.find(marker="feed-card").elements
    except AssertionError:
        return []
    return sorted(found, key=lambda e: e.id)


def acks(user: User) -> list[Any]:
    """The acknowledgement lines under the feedback buttons, oldest first."""
    return sorted(user.find(marker="ack").elements, key=lambda e: e.id)


async def eventually(check: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.05)


def card_titles(user: User) -> list[str]:
    titles = user.find(marker="card-title").elements
    return [e.text for e in sorted(titles, key=lambda e: e.id)]


# ---- the grid --------------------------------------------------------------------------------


@on_own_loop
async def test_feed_pages_by_21_in_rank_order_until_no_more(
    sqlite_engine: Any, open_feed: Any
) -> None:
    write_feed(sqlite_engine, feed_rows(50))
    user = await open_feed()
    assert len(cards(user)) == 21
    assert card_titles(user) == [f"Video {r} of gen-1" for r in range(1, 22)]
    await user.should_see("Load more")
    await user.should_not_see("No more videos.")
    await user.should_see("0:01:05")  # duration of rank 1 (65 s), as h:mm:ss
    await user.should_see("Channel 0 · 1 h ago")
    await user.should_see("model v3")
    await user.should_see("90 % match")

    user.find("Load more").click()
    assert len(cards(user)) == 42
    assert card_titles(user)[21:] == [f"Video {r} of gen-1" for r in range(22, 43)]
    user.find("Load more").click()
    assert len(cards(user)) == 50
    await user.should_see("No more videos.")
    await user.should_not_see("Load more")


@on_own_loop
async def test_empty_feed_says_how_to_make_one(sqlite_engine: Any, open_feed: Any) -> None:
    user = await open_feed()
    await user.should_see("No feed yet.")
    await user.should_see("make demo")
    await user.should_see("feed_refresh_job")
    await user.should_not_see("Load more")
    assert cards(user) == []


@on_own_loop
async def test_fallback_ranking_is_clearly_visible(sqlite_engine: Any, open_feed: Any) -> None:
    write_feed(sqlite_engine, feed_rows(5, ranking="recency"))
    user = await open_feed()
    await user.should_see("Fallback ranking: newest first")
    badges = {e.text for e in user.find(marker="ranking-badge").elements}
    assert badges == {"fallback: recency"}
    await user.should_not_see("model v3")


@on_own_loop
async def test_latest_run_failure_of_the_last_day_is_shown(
    sqlite_engine: Any, open_feed: Any
) -> None:
    write_feed(sqlite_engine, feed_rows(3, generated_at=NOW - timedelta(hours=2)))
    with write_transaction(sqlite_engine) as conn:
        record_run_failure(
            conn, RunFailure("old", "feed_refresh_job", NOW - timedelta(days=2), "stale")
        )
        record_run_failure(
            conn,
            RunFailure("new", "feed_refresh_job", NOW - timedelta(hours=1), "quota spent\nTrace"),
        )
    user = await open_feed()
    await user.should_see("A pipeline run failed: quota spent")
    await user.should_not_see("stale")


@on_own_loop
async def test_a_feed_written_after_the_failure_hides_it(
    sqlite_engine: Any, open_feed: Any
) -> None:
    write_feed(sqlite_engine, feed_rows(3, generated_at=NOW))
    with write_transaction(sqlite_engine) as conn:
        record_run_failure(
            conn, RunFailure("fixed", "feed_refresh_job", NOW - timedelta(hours=1), "was down")
        )
    user = await open_feed()
    await user.should_see("Video 1 of gen-1")
    await user.should_not_see("A pipeline run failed")


@on_own_loop
async def test_hostile_titles_are_text(sqlite_engine: Any, open_feed: Any) -> None:
    titles = ['<script>alert("x")</script>', "Emoji 🎬🔥 title", "日本語のタイトル", "عنوان عربي"]
    write_feed(sqlite_engine, feed_rows(4, titles=titles))
    user = await open_feed()
    assert card_titles(user) == titles
    assert all(e.props.get("dir") == "auto" for e in user.find(marker="card-title").elements)


# ---- the player and feedback -----------------------------------------------------------------


@on_own_loop
async def test_card_opens_the_player_with_a_nocookie_embed(
    sqlite_engine: Any, open_feed: Any
) -> None:
    write_feed(sqlite_engine, feed_rows(30))
    user = await open_feed()
    await user.should_not_see(marker="player-frame")
    user.find(marker=f"card-{video_id('v', 2)}").click()
    await user.should_see(marker="player-frame")
    frame = next(iter(user.find(marker="player-frame").elements))
    assert frame.tag == "iframe"
    assert frame.props["src"] == f"https://www.youtube-nocookie.com/embed/{video_id('v', 2)}"
    titles = {e.text for e in user.find(marker="player-title").elements}
    assert titles == {"Video 3 of gen-1"}
    await user.should_see("Why this video")
    await user.should_see("a 3 min video")  # its stored reason
    for label in ("Interesting", "Not interested", "Good time now", "Not now", "Back to feed"):
        await user.should_see(label)
    await user.should_see("Hide")
    await user.should_see("Not interested in Channel 2")


BUTTONS = [
    ("feedback-interest-1", "Interesting", "interest", 1),
    ("feedback-interest-0", "Not interested", "interest", 0),
    ("feedback-productive-1", "Good time now", "productive", 1),
    ("feedback-productive-0", "Not now", "productive", 0),
]


@on_own_loop
async def test_each_feedback_button_appends_exactly_one_row(
    sqlite_engine: Any, open_feed: Any
) -> None:
    write_feed(sqlite_engine, feed_rows(5))
    user = await open_feed()
    user.find(marker=f"card-{video_id('v', 1)}").click()
    assert feedback_rows(sqlite_engine) == []
    for count, (marker, label, kind, value) in enumerate(BUTTONS, start=1):
        user.find(marker=marker).click()
        await user.should_see(f"Saved: {label} ✓", retries=50)
        rows = feedback_rows(sqlite_engine)
        assert len(rows) == count
        row = rows[-1]
        assert (row["video_id"], row["kind"], row["value"], row["timezone"]) == (
            video_id("v", 1),
            kind,
            value,
            "Europe/Berlin",
        )
        assert abs(row["created_at"] - NOW.now(row["created_at"].tzinfo)) < timedelta(minutes=1)
        assert row["created_at"].utcoffset() == timedelta(0)
        assert len(row["click_id"]) == 32
        assert pressed(user, kind) == value
    assert len({r["click_id"] for r in feedback_rows(sqlite_engine)}) == 4

    user.find(marker="feedback-productive-0").click()  # pressed already: nothing new to say
    await user.should_see("“Not now” is already saved for this video")
    assert len(feedback_rows(sqlite_engine)) == 4


def pressed(user: User, kind: str) -> int | None:
    """The value of the pressed toggle of ``kind`` in the open player (``None``: neither)."""
    values = [
        value
        for value in (0, 1)
        for e in user.find(marker=f"feedback-{kind}-{value}").elements
        if e.props.get("aria-pressed") == "true"
    ]
    assert len(values) <= 1
    return values[0] if values else None


def card_marks(user: User, video: str) -> list[str]:
    """The toggle marks shown on the grid card of ``video``."""
    found = []
    for kind in ("interest", "productive"):
        try:
            elements = user.find(marker=f"mark-{kind}").elements
        except AssertionError:
            continue
        found += [
            e.text for e in elements if any(f"card-{video}" in a._markers for a in e.ancestors())
        ]
    return sorted(found)


@on_own_loop
async def test_toggles_are_either_or_and_keep_their_state_across_reopen_and_reload(
    sqlite_engine: Any, open_feed: Any
) -> None:
    write_feed(sqlite_engine, feed_rows(5))
    user = await open_feed()
    video = video_id("v", 2)
    user.find(marker=f"card-{video}").click()
    assert pressed(user, "interest") is None and pressed(user, "productive") is None
    user.find(marker="feedback-interest-1").click()
    await user.should_see("Saved: Interesting ✓", retries=50)
    user.find(marker="feedback-productive-0").click()
    await user.should_see("Saved: Not now ✓", retries=50)
    user.find(marker="feedback-productive-1").click()  # changed my mind: a new row
    await user.should_see("Saved: Good time now ✓", retries=50)
    assert (pressed(user, "interest"), pressed(user, "productive")) == (1, 1)
    assert [(r["kind"], r["value"]) for r in feedback_rows(sqlite_engine)] == [
        ("interest", 1),
        ("productive", 0),
        ("productive", 1),
    ]  # append-only: the earlier "Not now" is kept, the latest wins
    user.find(marker="back").click()
    assert card_marks(user, video) == ["Good time now", "Interesting"]
    user.find(marker=f"card-{video}").click()  # reopened
    assert (pressed(user, "interest"), pressed(user, "productive")) == (1, 1)
    await user.open("/")  # a reload reads the state from the database
    assert card_marks(user, video) == ["Good time now", "Interesting"]
    assert card_marks(user, video_id("v", 1)) == []
    user.find(marker=f"card-{video}").click()
    assert (pressed(user, "interest"), pressed(user, "productive")) == (1, 1)


@on_own_loop
async def test_back_to_feed_keeps_the_loaded_cards(sqlite_engine: Any, open_feed: Any) -> None:
    write_feed(sqlite_engine, feed_rows(60))
    user = await open_feed()
    user.find("Load more").click()
    assert len(cards(user)) == 42
    user.find(marker=f"card-{video_id('v', 30)}").click()
    await user.should_see(marker="player-frame")
    user.find(marker="back").click()
    await user.should_not_see(marker="player-frame")
    assert len(cards(user)) == 42  # the grid was not rebuilt
    user.find(marker=f"card-{video_id('v', 40)}").click()  # and still works
    await user.should_see("Video 41 of gen-1")


@on_own_loop
async def test_back_right_after_a_click_still_saves_and_acknowledges(
    sqlite_engine: Any, open_feed: Any
) -> None:
    write_feed(sqlite_engine, feed_rows(5))
    user = await open_feed()
    user.find(marker=f"card-{video_id('v', 4)}").click()
    user.find(marker="feedback-productive-0").click()
    user.find(marker="back").click()  # before the write has answered
    await user.should_see("Saved: Not now", retries=50)  # the notification
    rows = feedback_rows(sqlite_engine)
    assert [(r["video_id"], r["kind"], r["value"]) for r in rows] == [
        (video_id("v", 4), "productive", 0)
    ]


def visibility_rows(engine: Any) -> list[tuple[str, str, bool]]:
    with read_transaction(engine) as conn:
        rows = conn.execute(visibility_changes.select().order_by(visibility_changes.c.id))
        return [(r.target, r.target_id, bool(r.hidden)) for r in rows]


@on_own_loop
async def test_hide_removes_the_video_and_undo_brings_it_back(
    sqlite_engine: Any, open_feed: Any
) -> None:
    write_feed(sqlite_engine, feed_rows(25))
    user = await open_feed()
    hidden = video_id("v", 0)
    user.find(marker=f"card-{hidden}").click()
    user.find(marker="hide").click()
    await user.should_not_see(marker=f"card-{hidden}", retries=50)
    await user.should_see("Hidden: “Video 1 of gen-1”.")  # where the card was, with Undo
    assert visibility_rows(sqlite_engine) == [("video", hidden, True)]
    await user.open("/")
    await user.should_not_see(marker=f"card-{hidden}")
    assert card_titles(user)[0] == "Video 2 of gen-1" and len(cards(user)) == 21

    user.find(marker="show-hidden").click()  # the place to see and restore what was hidden
    await user.should_see("Video: Video 1 of gen-1")
    user.find(marker=f"restore-{hidden}").click()
    await user.should_see("Restored: Video 1 of gen-1", retries=50)
    assert visibility_rows(sqlite_engine) == [("video", hidden, True), ("video", hidden, False)]
    await user.open("/")
    assert card_titles(user)[0] == "Video 1 of gen-1"

    user.find(marker=f"card-{hidden}").click()
    user.find(marker="hide").click()
    await user.should_see("Hidden: “Video 1 of gen-1”.", retries=50)
    user.find(marker="undo").click()  # the short undo right where it was clicked
    await user.should_see(marker=f"card-{hidden}", retries=50)
    assert visibility_rows(sqlite_engine)[-1] == ("video", hidden, False)


@on_own_loop
async def test_not_interested_in_a_channel_keeps_it_out_until_undone(
    sqlite_engine: Any, open_feed: Any
) -> None:
    write_feed(sqlite_engine, feed_rows(30))  # channel k holds ranks k+1, k+8, k+15, ...
    user = await open_feed()
    channel = f"UC{3:022d}"
    of_channel = [video_id("v", k) for k in (3, 10, 17)]  # its cards on page 1
    user.find(marker=f"card-{video_id('v', 3)}").click()
    user.find(marker="block-channel").click()
    await user.should_see("Channel 3: kept out of every future feed", retries=50)
    for video in of_channel:
        await user.should_not_see(marker=f"card-{video}")
    user.find(marker="undo").click()  # Undo where a card of the channel was: all come back
    await user.should_see("Channel 3 is back in your feed", retries=50)
    for video in of_channel:
        await user.should_see(marker=f"card-{video}")
    assert visibility_rows(sqlite_engine) == [
        ("channel", channel, True),
        ("channel", channel, False),
    ]

    user.find(marker=f"card-{video_id('v', 3)}").click()
    user.find(marker="block-channel").click()
    for video in of_channel:  # placeholders again, once the change is written
        await user.should_not_see(marker=f"card-{video}", retries=50)
    assert visibility_rows(sqlite_engine)[-1] == ("channel", channel, True)
    await user.open("/")
    shown = [e for e in card_titles(user)]
    assert len(shown) == 21
    assert not any(f"Video {k} of" in t for k in (4, 11, 18, 25) for t in shown)
    user.find(marker="show-hidden").click()
    await user.should_see("Channel: Channel 3")
    user.find(marker=f"restore-{channel}").click()
    await user.should_see("Nothing hidden.", retries=50)  # the list, redrawn after the write
    assert visibility_rows(sqlite_engine)[-1] == ("channel", channel, False)
    await user.open("/")
    assert "Video 4 of gen-1" in card_titles(user)


@on_own_loop
async def test_the_status_line_and_ages_use_the_pipeline_clock(
    sqlite_engine: Any, open_feed: Any
) -> None:
    write_feed(sqlite_engine, feed_rows(3))
    user = await open_feed(now=lambda: NOW + timedelta(days=2), train_threshold=20)
    await user.should_see("Channel 0 · 2 d ago")  # the pipeline's "now", not the machine's
    await user.should_see("Ranked by the trained model, version 3.")
    await user.should_see("20 more labels start the next training.")


# ---- notices and failures --------------------------------------------------------------------


@on_own_loop
async def test_new_feed_notice_then_the_new_feed(sqlite_engine: Any, open_feed: Any) -> None:
    write_feed(sqlite_engine, feed_rows(30))
    user = await open_feed(poll_s=0.1)
    await user.should_not_see("A new feed is available.")
    await user.should_not_see(marker="failure-banner")
    with write_transaction(
        sqlite_engine
    ) as conn:  # a failed refresh shows up while the page is open
        record_run_failure(conn, RunFailure("r1", "feed_refresh_job", NOW, "model missing"))
    await user.should_see("A pipeline run failed: model missing", retries=50)
    write_feed(sqlite_engine, feed_rows(10, generation="gen-2", prefix="n"))
    await user.should_see("A new feed is available.", retries=50)
    assert card_titles(user)[0] == "Video 1 of gen-1"  # nothing changes under the user's eyes
    user.find(marker="show-new-feed").click()
    await user.should_not_see("A new feed is available.")
    assert card_titles(user) == [f"Video {r} of gen-2" for r in range(1, 11)]
    await user.should_see("No more videos.")
    await user.open("/")  # a reload shows the new feed too
    assert card_titles(user)[0] == "Video 1 of gen-2"


@on_own_loop
async def test_a_refresh_with_nothing_new_is_a_new_feed_not_no_feed(
    sqlite_engine: Any, open_feed: Any
) -> None:
    write_feed(sqlite_engine, feed_rows(30))
    user = await open_feed(poll_s=0.1)
    empty = FeedGeneration("gen-2", NOW, "champion", "3", 0)
    with write_transaction(sqlite_engine) as conn:
        replace_feed(conn, [], empty_feed=empty)
    await user.should_see("A new feed is available.", retries=50)
    user.find(marker="show-new-feed").click()
    await user.should_see("No new videos")
    [info] = user.find(marker="feed-info").elements
    assert info.text.startswith("0 videos · refreshed")  # not the old feed's "30 videos"
    await user.should_not_see("No feed yet.")
    assert cards(user) == []
    await user.open("/")  # a reload says the same
    await user.should_see("No new videos")
    await user.should_not_see("No feed yet.")


@on_own_loop
async def test_load_more_after_a_refresh_does_not_mix_feeds(
    sqlite_engine: Any, open_feed: Any
) -> None:
    write_feed(sqlite_engine, feed_rows(30))
    user = await open_feed(poll_s=60)
    write_feed(sqlite_engine, feed_rows(30, generation="gen-2", prefix="n"))
    user.find("Load more").click()
    await user.should_see("A new feed is available.")
    assert len(cards(user)) == 21 and all("gen-1" in t for t in card_titles(user))


@on_own_loop
async def test_a_click_the_database_refuses_is_kept_and_retried(
    sqlite_engine: Any, db_path: Path, open_feed: Any, make_site: Any
) -> None:
    write_feed(sqlite_engine, feed_rows(5))
    user = await open_feed(write_timeout_s=0.2, retry_s=3600)
    outbox = make_site.sites[-1].outbox
    user.find(marker=f"card-{video_id('v', 3)}").click()

    locker = sqlite3.connect(db_path, isolation_level=None, timeout=0.1)
    locker.execute("BEGIN IMMEDIATE")  # another writer holds the database
    try:
        user.find(marker="feedback-productive-1").click()
        await user.should_see("Not saved yet: Good time now (database is locked)", retries=100)
        await user.should_see("1 feedback click not saved yet (database is locked)")
        await user.should_see(marker="retry")
    finally:
        locker.rollback()
        locker.close()
    assert feedback_rows(sqlite_engine) == []
    queued = [c.click_id for c in outbox.pending()]
    assert len(queued) == 1

    user.find(marker="retry").click()
    await user.should_see("Saved: Good time now ✓ (on retry)", retries=100)
    await user.should_not_see(marker="retry")
    rows = feedback_rows(sqlite_engine)
    assert [(r["click_id"], r["video_id"], r["kind"], r["value"]) for r in rows] == [
        (queued[0], video_id("v", 3), "productive", 1)
    ]  # written once, with the id the click got when it was made


@on_own_loop
async def test_queued_clicks_are_retried_automatically(
    sqlite_engine: Any, db_path: Path, open_feed: Any
) -> None:
    write_feed(sqlite_engine, feed_rows(5))
    user = await open_feed(write_timeout_s=0.2, retry_s=0.3)
    user.find(marker=f"card-{video_id('v', 0)}").click()
    locker = sqlite3.connect(db_path, isolation_level=None, timeout=0.1)
    locker.execute("BEGIN IMMEDIATE")
    try:
        user.find(marker="feedback-interest-0").click()
        user.find(marker="feedback-interest-1").click()
        await user.should_see("2 feedback clicks not saved yet", retries=100)
        assert feedback_rows(sqlite_engine) == []
    finally:
        locker.rollback()
        locker.close()
    await user.should_see("Saved: Not interested ✓ (on retry)", retries=100)
    await user.should_see("Saved: Interesting ✓ (on retry)", retries=100)
    await user.should_not_see("not saved yet")
    rows = feedback_rows(sqlite_engine)
    assert sorted((r["kind"], r["value"]) for r in rows) == [("interest", 0), ("interest", 1)]
