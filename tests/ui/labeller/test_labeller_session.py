"""The labeller's pure parts: the session state machine, the progress file, display text."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from vrdndi_ui.labeller.__main__ import streamlit_command
from vrdndi_ui.labeller.display_text import (
    embed_url,
    format_duration,
    format_time,
    isolate,
    markdown_literal,
)
from vrdndi_ui.labeller.labelling_session import (
    INTEREST,
    UNINTEREST,
    Label,
    LabellingSession,
    PendingChanges,
)
from vrdndi_ui.labeller.progress_file import (
    Progress,
    ProgressFileError,
    progress_path,
    read_progress,
    write_progress,
)
from vrdndi_ui.labeller.unlabelled_queue import QueueEntry, resume_position, skipped_last

T0 = datetime(2024, 5, 1, 12, tzinfo=UTC)


def entry(n: int) -> QueueEntry:
    return QueueEntry(
        video_id=f"video{n:06d}",
        title=f"Title {n}",
        channel_title="Channel",
        last_watched_at=T0 - timedelta(hours=n),
        times_watched=1,
        duration_s=60,
        description_excerpt=None,
        published_at=None,
    )


def session_of(count: int, progress: Progress | None = None) -> LabellingSession:
    return LabellingSession.resume([entry(n) for n in range(count)], progress or Progress())


def ids(session: LabellingSession) -> list[str]:
    return [e.video_id for e in session.queue]


def test_label_moves_on_and_is_pending() -> None:
    session = session_of(3)
    session.label(INTEREST, T0)
    session.label(UNINTEREST, T0 + timedelta(seconds=1))
    assert session.position == 2
    assert session.current() == entry(2)
    assert session.counts() == {INTEREST: 1, UNINTEREST: 1}
    assert session.pending_changes().rows() == [
        {"video_id": "video000000", "label": 1, "labelled_at": T0},
        {"video_id": "video000001", "label": 0, "labelled_at": T0 + timedelta(seconds=1)},
    ]
    assert session.unsaved_labels == 2
    assert session.last_labelled_title() == "Title 1"


def test_label_past_the_end_does_nothing() -> None:
    session = session_of(1)
    assert session.label(INTEREST, T0) is not None
    assert session.finished and session.current() is None
    assert session.label(UNINTEREST, T0) is None
    assert session.skip() is None
    assert session.pending_changes().rows()[0]["label"] == INTEREST


def test_label_refuses_bad_values() -> None:
    session = session_of(1)
    with pytest.raises(ValueError, match="label must be"):
        session.label(2, T0)
    with pytest.raises(ValueError, match="timezone-aware"):
        session.label(INTEREST, datetime(2024, 1, 1))
    assert session.position == 0 and not session.labels


def test_previous_then_relabel_keeps_only_the_latest() -> None:
    session = session_of(3)
    session.label(INTEREST, T0)
    assert session.previous()
    assert session.current() == entry(0)
    session.label(UNINTEREST, T0 + timedelta(minutes=1))
    assert session.position == 1
    assert session.pending_changes().rows() == [
        {"video_id": "video000000", "label": 0, "labelled_at": T0 + timedelta(minutes=1)}
    ]
    assert session.counts() == {INTEREST: 0, UNINTEREST: 1}


def test_previous_at_the_start_and_from_the_end() -> None:
    session = session_of(2)
    assert not session.previous()
    session.label(INTEREST, T0)
    session.label(INTEREST, T0)
    assert session.finished
    assert session.previous()
    assert session.current() == entry(1)


def test_skip_then_label_unskips() -> None:
    session = session_of(3)
    session.skip()
    assert session.skipped == ["video000000"]
    assert session.current() == entry(1)
    session.previous()
    session.label(INTEREST, T0)
    assert session.skipped == []
    assert session.current() == entry(1)


def test_skip_on_a_labelled_video_only_moves_on() -> None:
    session = session_of(3)
    session.label(INTEREST, T0)
    session.previous()
    assert session.skip() is None
    assert session.position == 1
    assert session.skipped == []
    assert session.labels["video000000"].value == INTEREST


def test_undo_label_skip_and_relabel() -> None:
    session = session_of(4)
    session.label(INTEREST, T0)
    session.skip()
    session.previous()
    session.label(UNINTEREST, T0 + timedelta(seconds=5))  # labels the skipped video
    session.previous()
    session.previous()
    session.label(UNINTEREST, T0 + timedelta(seconds=9))  # relabels video 0

    assert session.undo().video_id == "video000000"  # back to its first label
    assert session.labels["video000000"] == Label(INTEREST, T0)
    assert session.position == 0
    assert session.undo().video_id == "video000001"  # the label of the skipped video
    assert "video000001" not in session.labels
    assert session.skipped == ["video000001"]
    assert session.position == 1
    assert session.undo().kind == "skip"
    assert session.skipped == []
    assert session.undo().kind == "label"
    assert session.labels == {}
    assert session.position == 0
    assert session.undo() is None
    assert not session.pending_changes()


def test_undo_of_a_saved_label_becomes_a_removal() -> None:
    session = session_of(2)
    session.label(INTEREST, T0)
    session.mark_saved(session.pending_changes())
    assert not session.pending_changes()
    session.undo()
    changes = session.pending_changes()
    assert changes.upserts == () and changes.removals == ("video000000",)
    assert session.unsaved_labels == 1
    session.mark_saved(changes)
    assert session.unsaved_labels == 0
    assert session.stored["video000000"] is None


def test_relabel_after_save_is_pending_again() -> None:
    session = session_of(2)
    session.label(INTEREST, T0)
    session.mark_saved(session.pending_changes())
    session.previous()
    session.label(UNINTEREST, T0 + timedelta(seconds=1))
    assert session.pending_changes().rows() == [
        {"video_id": "video000000", "label": 0, "labelled_at": T0 + timedelta(seconds=1)}
    ]


def test_autosave_is_due_after_every_k_actions() -> None:
    session = session_of(10)
    for _ in range(4):
        session.label(INTEREST, T0)
    assert not session.autosave_due(5)
    session.skip()
    assert session.autosave_due(5)
    session.mark_saved(session.pending_changes())
    assert session.autosave_due(5)  # labels saved, position not yet: still due
    session.mark_progress_saved()
    assert not session.autosave_due(5)
    session.previous()  # navigation is not an action
    assert session.actions_since_save == 0


def test_counts_add_labels_from_before_the_session() -> None:
    session = LabellingSession.resume(
        [entry(0)], Progress(), {INTEREST: 3, UNINTEREST: 2}, "Old title"
    )
    assert session.last_labelled_title() == "Old title"
    session.label(UNINTEREST, T0)
    assert session.counts() == {INTEREST: 3, UNINTEREST: 3}
    assert session.last_labelled_title() == "Title 0"


def test_resume_puts_skipped_last_and_returns_to_the_current_video() -> None:
    progress = Progress(current_video_id="video000003", skipped_ids=("video000000", "gone0000000"))
    session = session_of(5, progress)
    assert ids(session) == [f"video{n:06d}" for n in (1, 2, 3, 4, 0)]
    assert session.current() == entry(3)
    assert session.skipped == ["video000000"]  # ids no longer in the queue are dropped
    assert session.progress(T0) == Progress("video000003", ("video000000",), T0)


def test_resume_without_the_current_video_starts_at_the_top() -> None:
    entries = [entry(n) for n in range(3)]
    assert resume_position(entries, "labelled000") == 0
    assert resume_position(entries, None) == 0
    assert resume_position(entries, "video000002") == 2
    assert [e.video_id for e in skipped_last(entries, ["video000001"])] == [
        "video000000",
        "video000002",
        "video000001",
    ]


def test_pending_changes_is_false_when_empty() -> None:
    assert not PendingChanges((), ())
    assert PendingChanges((), ("video000000",))


# -- progress file ------------------------------------------------------------------------


def test_progress_round_trip_is_atomic(tmp_path: Path) -> None:
    path = progress_path(tmp_path / "data")
    assert path.name == "labeller-progress.json"
    assert read_progress(path) == Progress()  # no file yet
    progress = Progress("video000001", ("video000002", "video000003"), T0)
    write_progress(path, progress)
    write_progress(path, Progress("video000004", (), T0))
    assert read_progress(path) == Progress("video000004", (), T0)
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file left
    assert json.loads(path.read_text())["version"] == 1


def test_failed_progress_write_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "labeller-progress.json"
    write_progress(path, Progress("video000001", (), T0))

    def broken_dump(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(json, "dump", broken_dump)
    with pytest.raises(OSError, match="disk full"):
        write_progress(path, Progress("video000009", (), T0))
    monkeypatch.undo()
    assert read_progress(path).current_video_id == "video000001"
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


@pytest.mark.parametrize(
    "content",
    [
        "{not json",
        "[]",
        '{"version": 2}',
        '{"version": 1, "current_video_id": "<script>"}',
        '{"version": 1, "skipped_ids": ["ok", 3]}',
        '{"version": 1, "saved_at": "yesterday"}',
    ],
)
def test_unusable_progress_files_are_refused(tmp_path: Path, content: str) -> None:
    path = tmp_path / "labeller-progress.json"
    path.write_text(content)
    with pytest.raises(ProgressFileError):
        read_progress(path)


# -- display text and the launcher --------------------------------------------------------


def test_embed_url_only_from_a_valid_id() -> None:
    assert embed_url("dQw4w9WgXcQ") == "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"
    for bad in ("dQw4w9WgXc", "dQw4w9WgXcQ1", '"><script>', "dQw4w9WgX/Q", ""):
        assert embed_url(bad) is None


def test_formats() -> None:
    assert format_duration(None) == "unknown"
    assert format_duration(0) == "live"
    assert format_duration(65) == "1:05"
    assert format_duration(3723) == "1:02:03"
    assert format_time(T0, "Europe/Berlin") == "2024-05-01 14:00 Europe/Berlin"
    assert format_time(None, "UTC") == "unknown"
    assert isolate("مرحبا") == "\u2068مرحبا\u2069"


def test_markdown_literal_escapes_every_markup_character() -> None:
    title = "<script>x</script> **b** [l](javascript:1) $x$ :red[r] #h\nnext"
    literal = markdown_literal(title)
    assert literal == (
        "\u2068\\<script\\>x\\<\\/script\\> \\*\\*b\\*\\* \\[l\\]\\(javascript\\:1\\) "
        "\\$x\\$ \\:red\\[r\\] \\#h next\u2069"
    )
    assert markdown_literal("日本語 🎉") == "\u2068日本語 🎉\u2069"


def test_session_titles_and_count() -> None:
    session = session_of(3)
    assert session.title_of("video000001") == "Title 1"
    assert session.title_of("unknown0000") == "unknown0000"
    session.label(INTEREST, T0)
    session.skip()
    assert session.labelled_in_session() == 1


def test_launcher_binds_loopback_headless_without_usage_stats() -> None:
    command = streamlit_command(8765)
    options = dict(zip(command[5::2], command[6::2], strict=True))
    assert command[1:4] == ["-m", "streamlit", "run"]
    # the ASGI app that serves streamlit_app.py behind the Host/Origin check
    assert command[4].endswith("asgi_app.py") and Path(command[4]).is_file()
    assert options["--server.address"] == "127.0.0.1"
    assert options["--server.port"] == "8765"
    assert options["--server.headless"] == "true"
    assert options["--browser.gatherUsageStats"] == "false"
