"""Start a labelling session from the database, and save one back.

Labels go to ``interest_labels`` through :func:`upsert_interest_labels` (one row per video, the
latest label wins); the position goes to the progress file. Everything here goes through
``vrdndi_pipeline.core``: its engine, transactions and schema.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Connection, Engine, delete, func, select

from vrdndi_pipeline.core.store.database import read_transaction, write_transaction
from vrdndi_pipeline.core.store.people_tables import upsert_interest_labels
from vrdndi_pipeline.core.store.schema import interest_labels, videos, watch_history
from vrdndi_ui.labeller.labelling_session import LabellingSession, PendingChanges
from vrdndi_ui.labeller.progress_file import Progress, write_progress
from vrdndi_ui.labeller.unlabelled_queue import unlabelled_videos

logger = logging.getLogger(__name__)

LABELLER_SOURCE = "labeller"


@dataclass(frozen=True, slots=True)
class StoredLabels:
    """What ``interest_labels`` already holds: counts per label and the newest label's title."""

    counts: dict[int, int]
    last_title: str | None


def stored_labels(conn: Connection) -> StoredLabels:
    by_label = select(interest_labels.c.label, func.count()).group_by(interest_labels.c.label)
    counts = {int(label): int(count) for label, count in conn.execute(by_label)}
    newest = conn.execute(
        select(interest_labels.c.video_id)
        .order_by(interest_labels.c.labelled_at.desc(), interest_labels.c.video_id)
        .limit(1)
    ).scalar_one_or_none()
    title = None
    if newest is not None:
        title = conn.execute(
            select(videos.c.title).where(videos.c.video_id == newest)
        ).scalar_one_or_none()
        title = (
            title
            or conn.execute(
                select(func.max(watch_history.c.title)).where(watch_history.c.video_id == newest)
            ).scalar_one_or_none()
        )
    return StoredLabels(counts, title or newest)


def start_session(engine: Engine, progress: Progress) -> LabellingSession:
    """A session over the videos not labelled yet, resuming ``progress``."""
    with read_transaction(engine) as conn:
        entries = unlabelled_videos(conn)
        earlier = stored_labels(conn)
    return LabellingSession.resume(entries, progress, earlier.counts, earlier.last_title)


def write_changes(conn: Connection, changes: PendingChanges) -> None:
    """Upsert the new labels and remove the ones undone after they were saved."""
    if changes.upserts:
        upsert_interest_labels(conn, changes.rows())
    if changes.removals:
        # Only the labeller's own rows: an undo never removes a label from another source.
        conn.execute(
            delete(interest_labels).where(
                interest_labels.c.video_id.in_(changes.removals),
                interest_labels.c.source == LABELLER_SOURCE,
            )
        )


def save_session(
    engine: Engine, session: LabellingSession, progress_file: Path, now: datetime
) -> PendingChanges:
    """Write the session's unsaved labels (one transaction), then its position; returns what
    was written. Labels first: if the progress file cannot be written, no label is lost."""
    changes = session.pending_changes()
    if changes:
        with write_transaction(engine) as conn:
            write_changes(conn, changes)
        session.mark_saved(changes)
    write_progress(progress_file, session.progress(now))
    session.mark_progress_saved()
    logger.info(
        "saved %d label(s), removed %d, position %d of %d",
        len(changes.upserts),
        len(changes.removals),
        session.position + 1,
        len(session.queue),
    )
    return changes
