"""The feed site's parts without a browser: formatting, paging, the feedback outbox, the
storage secret, import safety, and feedback clicks racing feed rewrites.

The page itself is tested with NiceGUI's ``User`` in ``test_feed_site_user.py`` and in a real
browser in ``test_feed_site_browser.py``; both use the helpers defined here.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from tests.harness.paths import REPO_ROOT
from vrdndi_pipeline.core.feed.reasons import Reason, reasons_to_json
from vrdndi_pipeline.core.records import Video
from vrdndi_pipeline.core.settings import load_settings
from vrdndi_pipeline.core.store.database import (
    make_engine,
    open_database,
    read_transaction,
    write_transaction,
)
from vrdndi_pipeline.core.store.feed_tables import (
    FeedItem,
    current_generation,
    feed_item,
    replace_feed,
)
from vrdndi_pipeline.core.store.people_tables import (
    FeedbackClick,
    VisibilityChange,
    record_visibility,
)
from vrdndi_pipeline.core.store.schema import feedback

NOW = datetime.now(UTC).replace(microsecond=0)


# ---- helpers shared by the feed site tests ---------------------------------------------------


def video_id(prefix: str, i: int) -> str:
    """An 11-character id: ``prefix`` then ``i`` zero-padded."""
    return f"{prefix}{i:0{11 - len(prefix)}d}"


def feed_rows(
    n: int,
    *,
    generation: str = "gen-1",
    prefix: str = "v",
    ranking: str = "champion",
    titles: list[str] | None = None,
    generated_at: datetime | None = None,
) -> list[dict[str, Any]]:
    """``n`` rows of one feed in rank order; title ``Video <rank>`` unless ``titles``."""
    model_version = "3" if ranking == "champion" else "none"
    rows = []
    for i in range(n):
        rows.append(
            {
                "video_id": video_id(prefix, i),
                "rank": i + 1,
                "title": titles[i] if titles else f"Video {i + 1} of {generation}",
                "channel_id": f"UC{i % 7:022d}",
                "channel_title": f"Channel {i % 7}",
                "duration_s": 65 + 37 * i,
                "published_at": NOW - timedelta(hours=i + 1),
                "interest_score": None if ranking == "recency" else round(0.9 - i / 2000, 4),
                "productive_score": 0.6 if ranking == "champion" else None,
                "combined_score": round(1.0 - i / 2000, 4),
                "ranking": ranking,
                "model_version": model_version,
                "generation": generation,
                "generated_at": generated_at or NOW,
                "reasons": reasons_to_json(
                    [Reason("video", f"a {1 + i} min video", 0.1)] if i % 2 == 0 else []
                ),
                "explored": False,
                "propensity": None,
            }
        )
    return rows


def database(url: str) -> Engine:
    engine = open_database(url)
    return engine


def write_feed(engine: Engine, rows: list[dict[str, Any]]) -> None:
    with write_transaction(engine) as conn:
        replace_feed(conn, rows)


def feedback_rows(engine: Engine) -> list[dict[str, Any]]:
    with read_transaction(engine) as conn:
        return [dict(r._mapping) for r in conn.execute(select(feedback).order_by(feedback.c.id))]


def settings_for(tmp_path: Path, url: str) -> Any:
    return load_settings(
        {
            "VRDNDI_DATA_DIR": str(tmp_path / "data"),
            "VRDNDI_DATABASE_URL": url,
            "VRDNDI_TIMEZONE": "Europe/Berlin",
        }
    )


def item(**overrides: Any) -> FeedItem:
    return replace(feed_item(feed_rows(1)[0]), **overrides)


# ---- formatting ------------------------------------------------------------------------------


def test_durations_read_as_hours_minutes_seconds() -> None:
    from vrdndi_ui.feed.feed_format import format_duration

    assert format_duration(5) == "0:00:05"
    assert format_duration(245) == "0:04:05"
    assert format_duration(3 * 3600 + 7) == "3:00:07"
    assert format_duration(0) == "live"
    assert format_duration(None) == "?"


def test_ages_are_short_and_relative() -> None:
    from vrdndi_pipeline.core.feed.reasons import format_age

    assert format_age(NOW - timedelta(hours=3, minutes=20), NOW) == "3 h ago"
    assert format_age(NOW - timedelta(minutes=12), NOW) == "12 min ago"
    assert format_age(NOW - timedelta(days=2, hours=5), NOW) == "2 d ago"
    assert format_age(NOW - timedelta(seconds=20), NOW) == "just now"
    assert format_age(NOW + timedelta(hours=2), NOW) == "upcoming"
    assert format_age(None, NOW) == "date unknown"


def test_urls_are_built_only_from_valid_video_ids() -> None:
    from vrdndi_ui.feed.feed_format import embed_url, thumbnail_url

    assert thumbnail_url("dQw4w9WgXcQ") == "https://i.ytimg.com/vi/dQw4w9WgXcQ/mqdefault.jpg"
    assert embed_url("dQw4w9WgXcQ") == "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"
    for bad in ['x" onload="', "../../evil", "dQw4w9WgXcQ/", "short", "dQw4w9WgXc\n"]:
        with pytest.raises(ValueError):
            embed_url(bad)
        with pytest.raises(ValueError):
            thumbnail_url(bad)


def test_reasons_come_from_the_row_and_scores_read_as_people_say_them() -> None:
    from vrdndi_ui.feed.feed_format import ranking_badge, reason_lines, score_badges

    stored = item(reasons=(Reason("time", "Sunday evening", 0.4),))
    assert reason_lines(stored) == [("schedule", "Sunday evening")]
    assert reason_lines(item(reasons=())) == [("info", "#1 by the trained model")]
    texts = [b.text for b in score_badges(item(interest_score=0.886, productive_score=0.72))]
    assert texts == ["89 % match", "good time now 72 %"]
    recency = item(ranking="recency", interest_score=None, productive_score=None)
    assert score_badges(recency) == []
    assert ranking_badge("recency", "none") == "fallback: recency"
    assert ranking_badge("champion", "7") == "model v7"


def test_the_status_line_says_which_model_ranks_what_was_not_promoted_and_what_is_missing() -> None:
    from vrdndi_pipeline.core.store.feed_tables import FeedGeneration
    from vrdndi_pipeline.core.store.model_selections import ModelSelection
    from vrdndi_ui.feed.feed_data import ModelStatus
    from vrdndi_ui.feed.feed_format import status_lines

    gen = FeedGeneration("g", NOW, "champion", "3", 21)
    selection = ModelSelection(
        NOW - timedelta(hours=2),
        "3",
        "ranker",
        labels_total=440,
        summary={
            "promoted": False,
            "reason": "ranker 0.790 vs baseline 0.560 but not champion v3 (0.790 vs 0.812)",
            "versions": {"ranker": "5", "lora": "6"},
        },
    )
    lines = status_lines(
        gen,
        ModelStatus(selection, NOW - timedelta(days=3), labels_now=448),
        train_threshold=20,
        timezone="Europe/Berlin",
    )
    assert lines[0].startswith("Ranked by the ranker model, version 3, champion since 2026-")
    assert "not promoted: lora v6, ranker v5" in lines[1] and "0.812" in lines[1]
    assert lines[2] == "12 more labels start the next training."
    cold = FeedGeneration("g", NOW, "recency", "none", 21)
    lines = status_lines(cold, ModelStatus(None, None, 25), train_threshold=20, timezone="UTC")
    assert lines[0].startswith("Fallback ranking: newest first")
    assert lines[1] == "25 new labels: the next training starts at its next check."


# ---- reading the feed ------------------------------------------------------------------------


def test_pages_skip_hidden_videos_and_know_the_end(tmp_path: Path) -> None:
    from vrdndi_ui.feed.feed_data import FeedStore

    engine = database(f"sqlite:///{tmp_path / 'vrdndi.db'}")
    rows = feed_rows(46)
    rows[43]["video_id"] = "bad'id\"<x>"  # rank 44: a malformed id never reaches the page
    write_feed(engine, rows)
    with write_transaction(engine) as conn:
        for i, rank in ((1, "2"), (30, "31")):
            change = VisibilityChange(f"h{rank}", "video", video_id("v", i), None, True, NOW)
            record_visibility(conn, change)
        # a restored video is shown again; a blocked channel's videos are not
        restored = VisibilityChange("r", "video", video_id("v", 30), None, False, NOW)
        hidden_again = VisibilityChange("h31b", "video", video_id("v", 30), None, True, NOW)
        for change in (restored, hidden_again):
            record_visibility(conn, change)
    store = FeedStore(engine)
    first = store.page(0)
    assert [i.rank for i in first.items] == [1, *range(3, 23)]
    assert first.has_more and first.next_offset == 22
    second = store.page(first.next_offset)
    assert [i.rank for i in second.items] == [*range(23, 31), *range(32, 44), 45]
    assert second.has_more
    third = store.page(second.next_offset)
    assert [i.rank for i in third.items] == [46] and not third.has_more
    assert store.page(0, 43).has_more is False  # exactly all visible rows
    empty = FeedStore(database(f"sqlite:///{tmp_path / 'empty.db'}"))
    assert empty.page(0).items == [] and empty.generation() is None


LOUD_VIDEOS, QUIET_VIDEOS = 30, 200


def site_pages_of_a_capped_feed(url: str) -> list[list[str | None]]:
    """The channel of every card, page by page, as the site pages a feed the ranking ordered
    with its defaults (no exploration): channel ``loud`` holds the 30 best scores, 200 more
    videos come from 100 quiet channels (2 each)."""
    from vrdndi_pipeline.core.feed.ranking import FeedOrder, ScoredCandidate, order_feed
    from vrdndi_pipeline.core.feed.rows import feed_rows as ranked_rows
    from vrdndi_ui.feed.feed_data import FeedStore

    def scored(i: int, channel: str, score: float) -> ScoredCandidate:
        published = NOW - timedelta(hours=i)
        video = Video(video_id("c", i), f"video {i}", channel, channel, None, 600, published)
        return ScoredCandidate(video, score, score, score)

    items = [scored(i, "loud", 0.99 - i / 1000) for i in range(LOUD_VIDEOS)]
    items += [
        scored(LOUD_VIDEOS + i, f"quiet{i % 100}", 0.5 - i / 1000) for i in range(QUIET_VIDEOS)
    ]
    ranked = order_feed(items, FeedOrder(exploration_share=0.0), generation="g")
    engine = database(url)
    write_feed(
        engine,
        ranked_rows(
            ranked, ranking="champion", model_version="3", generation="g", generated_at=NOW
        ),
    )
    store, pages, offset = FeedStore(engine), [], 0
    while True:
        page = store.page(offset)  # what the feed page asks for: the next page
        pages.append([item.video.channel_id for item in page.items])
        if not page.has_more:
            break
        offset = page.next_offset
    engine.dispose()
    return pages


# Changed in a fresh interpreter before anything else imports it: as if page.py said so.
_CHANGED_PAGE_SIZE = """
import json, sys
import vrdndi_pipeline.core.feed.page as page
page.PAGE_SIZE = int(sys.argv[1])
from tests.ui.feed.test_feed_site import site_pages_of_a_capped_feed
print(json.dumps(site_pages_of_a_capped_feed(sys.argv[2])))
"""


@pytest.mark.slow
@pytest.mark.parametrize("changed_to", [None, 10], ids=["page.py's", "changed to 10"])
def test_every_page_of_the_site_keeps_the_channel_cap(
    tmp_path: Path, changed_to: int | None
) -> None:
    from vrdndi_pipeline.core.feed.page import MAX_PER_CHANNEL, PAGE_SIZE

    url = f"sqlite:///{tmp_path / 'vrdndi.db'}"
    if changed_to is None:
        size, pages = PAGE_SIZE, site_pages_of_a_capped_feed(url)
    else:
        out = _python("-c", _CHANGED_PAGE_SIZE, str(changed_to), url)
        size, pages = changed_to, json.loads(out)
    assert [len(p) for p in pages[:-1]] == [size] * (len(pages) - 1)  # the site pages by it
    assert sum(map(len, pages)) == LOUD_VIDEOS + QUIET_VIDEOS
    # the cap counts per page of the site: the loud channel fills its share of every page
    # until it runs out (a ranking paged otherwise leaves pages without it or with more)
    loud_pages = LOUD_VIDEOS // MAX_PER_CHANNEL
    assert [p.count("loud") for p in pages] == [MAX_PER_CHANNEL] * loud_pages + [0] * (
        len(pages) - loud_pages
    )
    assert all(max(p.count(c) for c in p) <= MAX_PER_CHANNEL for p in pages)


# ---- the feedback outbox ---------------------------------------------------------------------


def test_feedback_buttons_make_the_documented_clicks() -> None:
    from vrdndi_ui.feed.feedback_outbox import new_click

    made = {
        label: new_click("dQw4w9WgXcQ", label, "Asia/Tokyo")
        for label in ("Interesting", "Not interested", "Good time now", "Not now")
    }
    assert {k: (c.kind, c.value) for k, c in made.items()} == {
        "Interesting": ("interest", 1),
        "Not interested": ("interest", 0),
        "Good time now": ("productive", 1),
        "Not now": ("productive", 0),
    }
    assert len({c.click_id for c in made.values()}) == 4
    assert all(c.created_at.utcoffset() == timedelta(0) for c in made.values())


def test_a_failed_write_keeps_the_click_on_disk_and_retries_with_the_same_id(
    tmp_path: Path,
) -> None:
    from vrdndi_ui.feed.feedback_outbox import FeedbackOutbox, database_writer, new_click

    engine = database(f"sqlite:///{tmp_path / 'vrdndi.db'}")
    real_write = database_writer(engine)
    failing = {"on": True}

    def write(clicks: Any) -> int:
        if failing["on"]:
            raise OSError("database unreachable")
        return real_write(clicks)

    queue = tmp_path / "queue.json"
    outbox = FeedbackOutbox(write, queue)
    click = new_click("dQw4w9WgXcQ", "Not now", "UTC")
    result = outbox.submit(click)
    assert not result.saved and result.error == "database unreachable"
    assert [c.click_id for c in outbox.pending()] == [click.click_id]
    [line] = queue.read_text().splitlines()  # JSON Lines: one click per line
    assert json.loads(line)["click_id"] == click.click_id

    # the process restarts: the queue comes back from disk and is written with the same id
    failing["on"] = False
    again = FeedbackOutbox(write, queue)
    assert again.flush() is None and len(again) == 0 and not queue.exists()
    again.flush()
    rows = feedback_rows(engine)
    assert [(r["click_id"], r["kind"], r["value"]) for r in rows] == [
        (click.click_id, "productive", 0)
    ]
    assert real_write([click]) == 0  # the same click again adds nothing


# ---- storage secret and import safety --------------------------------------------------------


def test_storage_secret_is_made_once_with_mode_0600(tmp_path: Path) -> None:
    from vrdndi_ui.feed.storage_secret import SECRET_FILE, load_or_create_secret, secrets_dir

    folder = secrets_dir({"VRDNDI_SECRETS_DIR": str(tmp_path / "s")})
    first = load_or_create_secret(folder)
    path = folder / SECRET_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(first) >= 32 and load_or_create_secret(folder) == first
    assert secrets_dir({}) == Path("secrets")
    other = load_or_create_secret(tmp_path / "t")
    assert other != first
    source = "\n".join(p.read_text() for p in (REPO_ROOT / "vrdndi_ui" / "feed").glob("*.py"))
    assert first not in source and 'storage_secret="' not in source


@pytest.mark.slow
def test_importing_the_site_connects_to_nothing_and_makes_no_folder(tmp_path: Path) -> None:
    env = {**os.environ, "VRDNDI_DATA_DIR": str(tmp_path / "data")}
    env.pop("VRDNDI_DATABASE_URL", None)
    code = (
        "import vrdndi_ui.feed, vrdndi_ui.feed.feed_site, vrdndi_ui.feed.feed_page, "
        "vrdndi_ui.feed.__main__ as m; import sys; "
        "assert m.parse_args([]).host == '127.0.0.1' and m.parse_args([]).port == 8080"
    )
    subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, check=True, timeout=120)
    assert list(tmp_path.iterdir()) == []  # no data/, no secrets/, no .nicegui/


def _python(*args: str) -> str:
    """What `python *args` prints, run in the repository (fails the test if it fails)."""
    command = [sys.executable, *args]
    return subprocess.run(
        command, capture_output=True, text=True, check=True, cwd=REPO_ROOT, timeout=120
    ).stdout


def test_help_names_the_flags() -> None:
    out = _python("-m", "vrdndi_ui.feed", "--help")
    for flag in ("--host", "--port", "--poll-seconds", "127.0.0.1", "8080"):
        assert flag in out


# ---- concurrency -----------------------------------------------------------------------------

CLICKS, THREADS, REWRITES, FEED_SIZE = 200, 8, 20, 300


def test_concurrent_clicks_lose_no_row_while_the_feed_is_rewritten(
    database_url: str, tmp_path: Path
) -> None:
    from vrdndi_ui.feed.feed_page import FeedSiteOptions
    from vrdndi_ui.feed.feed_site import build_feed_site
    from vrdndi_ui.feed.feedback_outbox import new_click

    site = build_feed_site(settings_for(tmp_path, database_url), FeedSiteOptions())
    engine = make_engine(database_url)  # the pipeline's own connection
    write_feed(engine, feed_rows(FEED_SIZE, generation="gen-0"))
    ids = [video_id("v", i) for i in range(FEED_SIZE)]
    labels = ["Interesting", "Not interested", "Good time now", "Not now"]
    made: list[FeedbackClick] = []
    unsaved: list[str] = []
    feed_sizes: list[int] = []
    saved_at: list[float] = []
    rewritten_at: list[float] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(THREADS + 2)

    def clicker(t: int) -> None:
        try:
            start.wait()
            for k in range(CLICKS // THREADS):
                click = new_click(ids[(t * 31 + k) % FEED_SIZE], labels[k % 4], "Europe/Berlin")
                result = site.outbox.submit(click)  # the site's write path
                with lock:
                    saved_at.append(time.perf_counter())
                    made.append(click)
                    if not result.saved:
                        unsaved.append(click.click_id)
        except BaseException as error:
            errors.append(error)

    def rewriter() -> None:
        try:
            start.wait()
            for g in range(1, REWRITES + 1):
                write_feed(engine, feed_rows(FEED_SIZE, generation=f"gen-{g}"))
                rewritten_at.append(time.perf_counter())
                with read_transaction(engine) as conn:  # a reader never sees a half feed
                    gen = current_generation(conn)
                feed_sizes.append(gen.videos if gen else 0)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=clicker, args=(t,)) for t in range(THREADS)]
    threads.append(threading.Thread(target=rewriter))
    for thread in threads:
        thread.start()
    started = time.perf_counter()
    start.wait()
    for thread in threads:
        thread.join(timeout=300)
    elapsed = time.perf_counter() - started
    assert not errors, errors
    stored = feedback_rows(engine)
    during = sum(rewritten_at[0] < t < rewritten_at[-1] for t in saved_at)
    print(
        f"\n{database_url.split(':')[0]}: {len(made)} clicks from {THREADS} threads, "
        f"{len(stored)} rows stored, {len(unsaved)} queued, {len(feed_sizes)} feed rewrites, "
        f"{during} clicks saved between the first and the last rewrite, {elapsed:.2f} s"
    )
    assert during > 0, "the clicks and the rewrites did not overlap: nothing was tested"
    assert len(made) == CLICKS and unsaved == [] and len(site.outbox) == 0
    assert sorted(r["click_id"] for r in stored) == sorted(c.click_id for c in made)
    by_id = {c.click_id: c for c in made}
    for row in stored:
        click = by_id[row["click_id"]]
        assert (row["video_id"], row["kind"], row["value"], row["timezone"]) == (
            click.video_id,
            click.kind,
            click.value,
            "Europe/Berlin",
        )
        assert row["created_at"] == click.created_at
    assert feed_sizes == [FEED_SIZE] * REWRITES
    with read_transaction(engine) as conn:
        assert current_generation(conn).generation == f"gen-{REWRITES}"
        assert conn.execute(select(func.count()).select_from(feedback)).scalar_one() == CLICKS
    site.store.engine.dispose()
    engine.dispose()
