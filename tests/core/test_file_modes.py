"""What vrdndi writes only its owner may read: folders 0700, files 0600, under a usual umask.

The SQLite database and its ``-wal``/``-shm``, the data folder, ``secrets/`` (even when it was
0755 before), the click queue and its ``.unreadable`` file, the labeller's progress file and the
inference folder; and folders that are not vrdndi's (a shared ``/tmp``-like folder) are left as
they are. The servers' own folders are checked in ``test_local_servers.py``.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import dagster as dg
import pytest

from vrdndi_pipeline.core.private_files import private_dir, private_file
from vrdndi_pipeline.core.store.database import make_engine, open_database, write_transaction
from vrdndi_pipeline.core.store.people_tables import FeedbackClick, insert_feedback
from vrdndi_pipeline.resources.inference_store import InferenceTensorStore
from vrdndi_ui.feed.feedback_outbox import FeedbackOutbox
from vrdndi_ui.feed.storage_secret import load_or_create_secret
from vrdndi_ui.labeller.progress_file import Progress, write_progress


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    """umask 022, as most desktops have: without care, files would be 0644."""
    before = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(before)


def click(n: int = 0) -> FeedbackClick:
    return FeedbackClick(
        click_id=f"click-{n}",
        video_id="dQw4w9WgXcQ",
        kind="interest",
        value=1,
        created_at=datetime(2024, 5, 1, 12, n, tzinfo=UTC),
        timezone="UTC",
    )


def test_a_new_database_its_wal_and_shm_and_its_folder_are_private(tmp_path: Path) -> None:
    data = tmp_path / "home" / "data"
    engine = open_database(f"sqlite:///{data / 'vrdndi.db'}")
    with write_transaction(engine) as conn:
        insert_feedback(conn, [click()])
    with engine.connect() as conn:  # the WAL and the shared memory exist while it is open
        names = {p.name: mode(p) for p in data.iterdir()}
        assert names == {"vrdndi.db": 0o600, "vrdndi.db-wal": 0o600, "vrdndi.db-shm": 0o600}
    engine.dispose()
    assert mode(data) == 0o700
    assert mode(tmp_path / "home") == 0o755  # a folder above is made as mkdir -p would


def test_an_existing_readable_database_is_tightened_on_connect(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'vrdndi.db'}"
    engine = open_database(url)
    engine.dispose()
    # another program holds the database open: its -wal and -shm stay, all 0644 as an
    # earlier version made them
    holder = sqlite3.connect(tmp_path / "vrdndi.db")
    try:
        holder.execute("SELECT count(*) FROM feedback").fetchall()
        for name in ("vrdndi.db", "vrdndi.db-wal", "vrdndi.db-shm"):
            (tmp_path / name).chmod(0o644)
        tmp_path.chmod(0o755)
        again = make_engine(url)
        with again.connect():
            for name in ("vrdndi.db", "vrdndi.db-wal", "vrdndi.db-shm"):
                assert mode(tmp_path / name) == 0o600, name
        again.dispose()
    finally:
        holder.close()
    assert mode(tmp_path) == 0o755  # the folder of a database named by URL is not changed


def test_an_existing_secrets_folder_becomes_private(tmp_path: Path) -> None:
    folder = tmp_path / "secrets"
    folder.mkdir(mode=0o755)
    (folder / "README.md").write_text("kept")
    folder.chmod(0o755)
    load_or_create_secret(folder)
    assert mode(folder) == 0o700
    assert mode(folder / "feed-storage-secret") == 0o600
    assert (folder / "README.md").read_text() == "kept"


def test_the_click_queue_and_its_unreadable_lines_are_private(tmp_path: Path) -> None:
    def refuse(_clicks: Any) -> int:
        raise OSError("database unreachable")

    queue = tmp_path / "data" / "feed-feedback-queue.json"
    outbox = FeedbackOutbox(refuse, queue)
    assert not outbox.submit(click()).saved
    assert mode(queue) == 0o600 and mode(queue.parent) == 0o700
    with open(queue, "a", encoding="utf-8") as fh:
        fh.write("not a click\n")
    queue.chmod(0o644)  # a queue an earlier version wrote
    again = FeedbackOutbox(refuse, queue)
    assert len(again) == 1 and again.set_aside == {"not_json": 1}
    assert mode(queue) == 0o600
    assert mode(queue.with_name(queue.name + ".unreadable")) == 0o600


def test_the_labeller_progress_file_is_private(tmp_path: Path) -> None:
    path = tmp_path / "data" / "labeller-progress.json"
    write_progress(path, Progress(current_video_id="dQw4w9WgXcQ"))
    assert mode(path) == 0o600 and mode(path.parent) == 0o700
    path.chmod(0o644)
    write_progress(path, Progress())  # a rewrite replaces the file, with mode 0600
    assert mode(path) == 0o600


def test_the_inference_folder_is_private_when_a_run_starts(tmp_path: Path) -> None:
    root = tmp_path / "data" / "inference"
    root.mkdir(parents=True, mode=0o755)
    root.chmod(0o755)
    InferenceTensorStore(root=str(root)).setup_for_execution(dg.build_init_resource_context())
    assert mode(root) == 0o700


def test_folders_that_are_not_vrdndis_keep_their_mode(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)  # as /tmp: pointing VRDNDI_DATA_DIR there must not lock others out
    assert private_dir(shared) == shared and mode(shared) == 0o1777
    kept = tmp_path / "kept"
    kept.mkdir(mode=0o755)
    private_dir(kept, tighten=False)
    assert mode(kept) == 0o755
    made = private_dir(tmp_path / "a" / "b")
    assert mode(made) == 0o700 and mode(tmp_path / "a") == 0o755
    file = private_file(tmp_path / "f")
    assert mode(file) == 0o600 and file.read_bytes() == b""
    file.write_text("x")
    file.chmod(0o664)
    assert mode(private_file(file)) == 0o600 and file.read_text() == "x"


def test_the_pipeline_makes_an_existing_data_folder_private(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from vrdndi_pipeline.definitions import defs

    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    data.chmod(0o755)
    monkeypatch.setenv("VRDNDI_DATA_DIR", str(data))
    defs()
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
