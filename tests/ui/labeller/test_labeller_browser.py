"""The labeller as a real server (``python -m vrdndi_ui.labeller``) in headless Chromium."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tests.harness.paths import REPO_ROOT
from tests.harness.ports import free_port
from tests.harness.process import ServerProcess
from vrdndi_pipeline.core.records import WatchEntry
from vrdndi_pipeline.core.store.database import (
    make_engine,
    open_database,
    read_transaction,
    write_transaction,
)
from vrdndi_pipeline.core.store.schema import interest_labels
from vrdndi_pipeline.core.store.source_tables import write_watch_history

T0 = datetime(2024, 5, 1, 12, tzinfo=UTC)
TITLES = [
    "<script>document.title='pwned'</script> first video",
    "مرحبا 🎉 日本語 second video",
    "Third video",
]
IDS = ["browserA001", "browserB002", "browserC003"]


def watch(url: str, ids: list[str], titles: list[str]) -> None:
    engine = open_database(url)
    with write_transaction(engine) as conn:
        write_watch_history(
            conn,
            [
                WatchEntry(video_id, T0 - timedelta(hours=n), title, "A channel", None)
                for n, (video_id, title) in enumerate(zip(ids, titles, strict=True))
            ],
        )
    engine.dispose()


def labeller_server(url: str, folder: Path) -> tuple[ServerProcess, int]:
    port = free_port()
    env = {
        **os.environ,
        "VRDNDI_DATABASE_URL": url,
        "VRDNDI_DATA_DIR": str(folder / "data"),
        "VRDNDI_TIMEZONE": "UTC",
        "HOME": str(folder / "home"),  # Streamlit keeps nothing in the real home
    }
    server = ServerProcess(
        [sys.executable, "-m", "vrdndi_ui.labeller", "--port", str(port)],
        url=f"http://127.0.0.1:{port}/_stcore/health",
        log_path=folder / "labeller.log",
        env=env,
        cwd=REPO_ROOT,
    )
    return server, port


def click(page: Any, key: str) -> None:
    # Streamlit marks each widget's container with its key; the button's accessible name
    # also carries the keyboard shortcut ("Interest I").
    page.locator(f".st-key-{key} button").click()


@pytest.mark.browser
@pytest.mark.slow
def test_label_two_videos_in_a_real_browser(chromium: Any, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'vrdndi.db'}"
    watch(url, IDS, TITLES)
    engine = make_engine(url)
    server, port = labeller_server(url, tmp_path)
    shots = tmp_path / "screenshots"
    shots.mkdir()
    with server:
        page = chromium.new_page(viewport={"width": 1280, "height": 1000})
        try:
            page.goto(f"http://127.0.0.1:{port}/", wait_until="domcontentloaded")
            page.get_by_text(TITLES[0], exact=True).wait_for(timeout=60_000)
            page.screenshot(path=str(shots / "1-first-video.png"), full_page=True)
            assert page.title() != "pwned"  # the <script> title is text, never run
            player = page.locator("iframe[src*='youtube-nocookie.com']")
            assert player.first.get_attribute("src") == (
                f"https://www.youtube-nocookie.com/embed/{IDS[0]}"
            )

            click(page, "interest")
            page.get_by_text(TITLES[1], exact=True).wait_for(timeout=30_000)
            page.screenshot(path=str(shots / "2-after-interest.png"), full_page=True)

            click(page, "uninterest")
            page.get_by_text(TITLES[2], exact=True).wait_for(timeout=30_000)
            page.screenshot(path=str(shots / "3-after-uninterest.png"), full_page=True)

            click(page, "save")  # every label was written already
            page.get_by_text("Everything is saved.").wait_for(timeout=30_000)
            page.screenshot(path=str(shots / "4-saved.png"), full_page=True)
        finally:
            page.close()

    with read_transaction(engine) as conn:
        query = select(interest_labels.c.video_id, interest_labels.c.label)
        rows = {video_id: label for video_id, label in conn.execute(query)}
    engine.dispose()
    assert rows == {IDS[0]: 1, IDS[1]: 0}
    assert (tmp_path / "data" / "labeller-progress.json").is_file()
    assert sorted(p.name for p in shots.iterdir()) == [
        "1-first-video.png",
        "2-after-interest.png",
        "3-after-uninterest.png",
        "4-saved.png",
    ]


# -- one server for the layout and reload checks ---------------------------------------------

LONG_TITLE = "A rather long video title that wraps onto two or three lines on a phone " * 2
MORE_IDS = [f"layoutV{n:04d}" for n in range(6)]
MORE_TITLES = [f"{LONG_TITLE.strip()} #{n}" for n in range(6)]


@dataclass(frozen=True)
class Served:
    url: str  # the database
    page_url: str
    shots: Path


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("labeller")
    url = f"sqlite:///{folder / 'vrdndi.db'}"
    watch(url, MORE_IDS, MORE_TITLES)
    server, port = labeller_server(url, folder)
    shots = folder / "screenshots"
    shots.mkdir()
    with server:
        yield Served(url, f"http://127.0.0.1:{port}/", shots)


def open_page(chromium: Any, served: Served, width: int, height: int) -> Any:
    page = chromium.new_page(viewport={"width": width, "height": height})
    page.goto(served.page_url, wait_until="domcontentloaded")
    page.locator(".st-key-interest button").wait_for(timeout=60_000)
    page.locator(".st-key-video_title").wait_for(timeout=30_000)
    return page


def rgb(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text[text.index("(") + 1 : text.index(")")].split(",")[:3])


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize(("width", "height"), [(1366, 900), (390, 844)])
def test_interest_is_on_the_first_screen(
    chromium: Any, served: Served, width: int, height: int
) -> None:
    page = open_page(chromium, served, width, height)
    try:
        page.wait_for_timeout(300)  # let the page settle (fonts, the player's frame)
        page.screenshot(path=str(served.shots / f"first-screen-{width}x{height}.png"))
        box = page.locator(".st-key-interest button").bounding_box()
        assert box is not None
        assert 0 <= box["x"] and box["x"] + box["width"] <= width, box
        assert 0 <= box["y"] and box["y"] + box["height"] <= height, box  # no scrolling
        assert page.evaluate("window.scrollY") == 0
        # No sideways scrolling on a phone either.
        assert page.evaluate("document.documentElement.scrollWidth") <= width

        style = page.locator(".st-key-interest button").evaluate(
            "b => [getComputedStyle(b).backgroundColor, getComputedStyle(b).color]"
        )
        background, text = rgb(style[0]), rgb(style[1])
        assert background == (0x1D, 0x5F, 0xA8) and text == (255, 255, 255), style  # not red

        player = page.locator(".st-key-player iframe").bounding_box()
        assert player is not None
        assert abs(player["width"] / player["height"] - 16 / 9) < 0.05, player
        assert player["width"] > 300
        if width >= 1000:  # side by side: the actions right of the player, not below it
            assert box["x"] >= player["x"] + player["width"], (box, player)
        else:  # stacked: the title and the actions right under the player
            title = page.locator(".st-key-video_title").bounding_box()
            assert title is not None
            assert title["y"] - (player["y"] + player["height"]) < 40, (title, player)
        bar = page.locator(".st-key-session_progress [role='progressbar']")
        assert bar.count() == 1
    finally:
        page.close()


@pytest.mark.browser
@pytest.mark.slow
def test_reload_right_after_a_label_loses_nothing(chromium: Any, served: Served) -> None:
    page = open_page(chromium, served, 1366, 900)
    try:
        first = page.locator(".st-key-video_title").inner_text().strip()
        index = MORE_TITLES.index(first)
        click(page, "interest")
        following = MORE_TITLES[index + 1]
        page.get_by_text(following, exact=True).wait_for(timeout=30_000)
        page.reload(wait_until="domcontentloaded")  # at once: nothing waits to be batched
        page.get_by_text(following, exact=True).wait_for(timeout=60_000)
        page.screenshot(path=str(served.shots / "after-reload.png"))
    finally:
        page.close()
    engine = make_engine(served.url)
    with read_transaction(engine) as conn:
        query = select(interest_labels.c.video_id, interest_labels.c.label)
        rows = {video_id: label for video_id, label in conn.execute(query)}
    engine.dispose()
    assert rows == {MORE_IDS[index]: 1}
