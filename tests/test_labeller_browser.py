"""The labeller as a real server (``python -m vrdndi_ui.labeller``) in headless Chromium."""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tests.harness.ports import free_port
from tests.harness.process import ServerProcess
from vrdndi_pipeline.core.records import WatchEntry
from vrdndi_pipeline.core.store.database import make_engine, read_transaction, write_transaction
from vrdndi_pipeline.core.store.migrate import upgrade_schema
from vrdndi_pipeline.core.store.schema import interest_labels
from vrdndi_pipeline.core.store.source_tables import write_watch_history

ROOT = Path(__file__).resolve().parents[1]
T0 = datetime(2024, 5, 1, 12, tzinfo=UTC)
TITLES = [
    "<script>document.title='pwned'</script> first video",
    "مرحبا 🎉 日本語 second video",
    "Third video",
]
IDS = ["browserA001", "browserB002", "browserC003"]


def click(page: Any, key: str) -> None:
    # Streamlit marks each widget's container with its key; the button's accessible name
    # also carries the keyboard shortcut ("Interest I").
    page.locator(f".st-key-{key} button").click()


@pytest.mark.browser
@pytest.mark.slow
def test_label_two_videos_in_a_real_browser(chromium: Any, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'vrdndi.db'}"
    engine = make_engine(url)
    upgrade_schema(engine)
    with write_transaction(engine) as conn:
        write_watch_history(
            conn,
            [
                WatchEntry(video_id, T0 - timedelta(hours=n), title, "A channel", None)
                for n, (video_id, title) in enumerate(zip(IDS, TITLES, strict=True))
            ],
        )

    port = free_port()
    env = {
        **os.environ,
        "VRDNDI_DATABASE_URL": url,
        "VRDNDI_DATA_DIR": str(tmp_path / "data"),
        "VRDNDI_TIMEZONE": "UTC",
        "HOME": str(tmp_path / "home"),  # Streamlit keeps nothing in the real home
    }
    server = ServerProcess(
        [sys.executable, "-m", "vrdndi_ui.labeller", "--port", str(port)],
        url=f"http://127.0.0.1:{port}/_stcore/health",
        log_path=tmp_path / "labeller.log",
        env=env,
        cwd=ROOT,
    )
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

            click(page, "save")
            page.get_by_text("Saved 2 change(s).").wait_for(timeout=30_000)
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
