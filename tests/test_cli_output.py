"""``vrdndi feed`` and ``vrdndi summary`` print stored text without its control characters;
``db`` and ``seed-demo-labels`` open the database only as far as they must.

A title or channel name from YouTube may hold ANSI escapes (``\\x1b[2J`` clears the screen) or
NUL; the CLI prints them through ``terminal_text``, so the terminal shows text, nothing else.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.ui.feed.test_feed_site import database, feed_rows, write_feed
from vrdndi_pipeline import cli
from vrdndi_pipeline.core.feed.reasons import Reason, reasons_to_json
from vrdndi_pipeline.core.store.database import make_engine, write_transaction
from vrdndi_pipeline.core.store.migrate import head_revision
from vrdndi_pipeline.core.store.schema import videos

TITLE = "Clear\x1b[2J the screen\x00 and ring\x07 the bell"
CHANNEL = "Channel\x1b]0;owned\x07 name\x00"
REASON = "like \x1b[31mred\x1b[0m text"


@pytest.fixture
def hostile_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'vrdndi.db'}"
    monkeypatch.setenv("VRDNDI_DATABASE_URL", url)
    monkeypatch.setenv("VRDNDI_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("VRDNDI_TIMEZONE", "UTC")
    engine = database(url)
    rows = feed_rows(2, titles=[TITLE, "A plain title"])
    rows[0]["channel_title"] = CHANNEL
    rows[0]["reasons"] = reasons_to_json([Reason("video", REASON, 0.1)])
    write_feed(engine, rows)
    with write_transaction(engine) as conn:
        conn.execute(
            videos.insert().values(
                video_id="dQw4w9WgXcQ",
                title=TITLE,
                channel_title=CHANNEL,
                published_at=datetime(2024, 5, 1, tzinfo=UTC),
                source="api",
                details_from="api",
                first_seen_at=datetime(2024, 5, 1, tzinfo=UTC),
            )
        )
    engine.dispose()


def assert_plain(out: str) -> None:
    assert "\x1b" not in out and "\x00" not in out and "\x07" not in out
    assert all(char.isprintable() or char == "\n" for char in out)


def test_feed_prints_titles_without_control_characters(
    hostile_database: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["feed", "--top", "2"]) == 0
    out = capsys.readouterr().out
    assert_plain(out)
    assert "Clear[2J the screen and ring the bell" in out
    assert "[Channel]0;owned name]" in out
    assert "- like [31mred[0m text" in out
    assert "A plain title" in out


def test_summary_prints_titles_without_control_characters(
    hostile_database: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["summary"]) == 0
    out = capsys.readouterr().out
    assert_plain(out)
    assert "Channel]0;owned name: Clear[2J the screen and ring the bell" in out


def _use_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **env: str) -> Path:
    path = tmp_path / "vrdndi.db"
    monkeypatch.setenv("VRDNDI_DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.setenv("VRDNDI_DATA_DIR", str(tmp_path / "data"))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return path


def test_db_revision_only_reports_and_db_upgrade_migrates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _use_database(tmp_path, monkeypatch)
    bare = make_engine(f"sqlite:///{path}")
    bare.connect().close()  # an empty database file, no schema
    bare.dispose()
    assert cli.main(["db", "revision"]) == 0
    assert capsys.readouterr().out.startswith("schema revision None ")
    assert cli.main(["db", "upgrade"]) == 0
    assert capsys.readouterr().out.startswith(f"schema revision {head_revision()} ")
    assert cli.main(["db", "revision"]) == 0
    assert capsys.readouterr().out.startswith(f"schema revision {head_revision()} ")


def test_seed_demo_labels_outside_the_demo_refuses_and_creates_no_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _use_database(tmp_path, monkeypatch, VRDNDI_SOURCES="live")
    assert cli.main(["seed-demo-labels"]) == 2
    assert "run it with VRDNDI_SOURCES=demo" in capsys.readouterr().err
    assert not path.exists()
