"""One labelling session: the queue, where the user is, and the labels not yet saved.

Pure Python (no Streamlit, no database): the page keeps one :class:`LabellingSession` in
``st.session_state`` and calls its methods from the buttons; after every action it writes what
:meth:`pending_changes` returns through :mod:`~vrdndi_ui.labeller.label_saving`, so the database
holds every label the moment it is given (a reload rebuilds the session from it).

The session remembers, for every video it touched, the label the database holds (``stored``).
A label is unsaved when it differs from that, so labelling a video twice writes only the latest,
and undoing a saved label makes "remove it again" an unsaved change too.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from vrdndi_ui.labeller.progress_file import Progress
from vrdndi_ui.labeller.unlabelled_queue import QueueEntry, resume_position, skipped_last

INTEREST = 1
UNINTEREST = 0
LABEL_NAMES = {INTEREST: "interest", UNINTEREST: "uninterest"}

# The page writes after every action (label, skip, undo): a reload or a closed tab loses
# nothing. ``autosave_due`` still takes a larger count for callers that batch.
AUTOSAVE_EVERY = 1


@dataclass(frozen=True, slots=True)
class Label:
    value: int  # INTEREST | UNINTEREST
    labelled_at: datetime  # timezone-aware


@dataclass(frozen=True, slots=True)
class Action:
    """One undoable step, with what it replaced."""

    kind: Literal["label", "skip"]
    video_id: str
    position: int  # where the user was when they took it
    previous_label: Label | None
    was_skipped: bool


@dataclass(frozen=True, slots=True)
class PendingChanges:
    """What a save must write: labels to upsert and labels to remove (undone after a save)."""

    upserts: tuple[tuple[str, Label], ...]
    removals: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.upserts or self.removals)

    def rows(self) -> list[dict[str, object]]:
        """``interest_labels`` rows for :func:`upsert_interest_labels`."""
        return [
            {"video_id": video_id, "label": label.value, "labelled_at": label.labelled_at}
            for video_id, label in self.upserts
        ]


@dataclass
class LabellingSession:
    queue: tuple[QueueEntry, ...]
    position: int = 0  # index into queue; len(queue) means "all done"
    labels: dict[str, Label] = field(default_factory=dict)  # this session's latest labels
    stored: dict[str, Label | None] = field(default_factory=dict)  # the database's, per video
    skipped: list[str] = field(default_factory=list)
    history: list[Action] = field(default_factory=list)
    earlier_counts: dict[int, int] = field(default_factory=dict)  # labels before this session
    earlier_last_title: str | None = None
    actions_since_save: int = 0

    @classmethod
    def resume(
        cls,
        entries: list[QueueEntry],
        progress: Progress,
        earlier_counts: dict[int, int] | None = None,
        earlier_last_title: str | None = None,
    ) -> LabellingSession:
        """A session over the unlabelled ``entries`` that continues the saved ``progress``:
        earlier skips at the end, the position on the video the user was at."""
        queue = tuple(skipped_last(entries, progress.skipped_ids))
        in_queue = {e.video_id for e in queue}
        return cls(
            queue=queue,
            position=resume_position(queue, progress.current_video_id),
            skipped=[v for v in progress.skipped_ids if v in in_queue],
            earlier_counts=dict(earlier_counts or {}),
            earlier_last_title=earlier_last_title,
        )

    # -- what is on screen --------------------------------------------------------------

    def current(self) -> QueueEntry | None:
        """The video to label now, or ``None`` when the user is past the end."""
        return self.queue[self.position] if self.position < len(self.queue) else None

    @property
    def finished(self) -> bool:
        return self.position >= len(self.queue)

    def counts(self) -> dict[int, int]:
        """Labels per value: those from before the session plus this session's latest."""
        counts = Counter(self.earlier_counts)
        counts.update(label.value for label in self.labels.values())
        return {INTEREST: counts[INTEREST], UNINTEREST: counts[UNINTEREST]}

    def title_of(self, video_id: str) -> str:
        """The title of a video of the queue as the page shows it (its id if none is known)."""
        entry = next((e for e in self.queue if e.video_id == video_id), None)
        return (entry.title if entry else None) or video_id

    def labelled_in_session(self) -> int:
        """How many videos of the queue have a label from this session."""
        return len(self.labels)

    def last_labelled_title(self) -> str | None:
        for action in reversed(self.history):
            if action.kind == "label":
                entry = next(e for e in self.queue if e.video_id == action.video_id)
                return entry.title or entry.video_id
        return self.earlier_last_title

    # -- buttons ------------------------------------------------------------------------

    def label(self, value: int, now: datetime) -> Action | None:
        """Label the current video and move on; ``None`` past the end of the queue."""
        if value not in LABEL_NAMES:
            raise ValueError(f"label must be {INTEREST} or {UNINTEREST}, got {value!r}")
        if now.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        entry = self.current()
        if entry is None:
            return None
        action = Action(
            "label",
            entry.video_id,
            self.position,
            self.labels.get(entry.video_id),
            entry.video_id in self.skipped,
        )
        self.stored.setdefault(entry.video_id, None)  # unlabelled when the queue was read
        self.labels[entry.video_id] = Label(value, now)
        if action.was_skipped:
            self.skipped.remove(entry.video_id)
        return self._done(action)

    def skip(self) -> Action | None:
        """Leave the current video for later and move on (it comes last in the next session).

        A video already labelled in this session keeps its label; Skip only moves on.
        """
        entry = self.current()
        if entry is None:
            return None
        if entry.video_id in self.labels or entry.video_id in self.skipped:
            self.position += 1
            return None
        action = Action("skip", entry.video_id, self.position, None, False)
        self.skipped.append(entry.video_id)
        return self._done(action)

    def previous(self) -> bool:
        """Go back one video (to look again or relabel it); ``False`` at the start."""
        if self.position == 0:
            return False
        self.position = min(self.position, len(self.queue)) - 1
        return True

    def undo(self) -> Action | None:
        """Take back the last label or skip and return to that video; ``None`` if none."""
        if not self.history:
            return None
        action = self.history.pop()
        if action.kind == "label":
            if action.previous_label is None:
                self.labels.pop(action.video_id, None)
            else:
                self.labels[action.video_id] = action.previous_label
        if action.kind == "skip" or action.was_skipped:
            if action.kind == "skip":
                self.skipped.remove(action.video_id)
            else:
                self.skipped.append(action.video_id)
        self.position = action.position
        self.actions_since_save += 1
        return action

    def _done(self, action: Action) -> Action:
        self.history.append(action)
        self.position += 1
        self.actions_since_save += 1
        return action

    # -- saving -------------------------------------------------------------------------

    def pending_changes(self) -> PendingChanges:
        """Labels that differ from what the database holds."""
        upserts = tuple(
            (video_id, label)
            for video_id, label in self.labels.items()
            if self.stored.get(video_id) != label
        )
        removals = tuple(
            video_id
            for video_id, stored in self.stored.items()
            if stored is not None and video_id not in self.labels
        )
        return PendingChanges(upserts, removals)

    @property
    def unsaved_labels(self) -> int:
        changes = self.pending_changes()
        return len(changes.upserts) + len(changes.removals)

    def autosave_due(self, every: int = AUTOSAVE_EVERY) -> bool:
        return self.actions_since_save >= every

    def progress(self, now: datetime | None = None) -> Progress:
        """The position to save: the video on screen and the skipped videos."""
        entry = self.current()
        return Progress(
            current_video_id=entry.video_id if entry else None,
            skipped_ids=tuple(self.skipped),
            saved_at=now,
        )

    def mark_saved(self, changes: PendingChanges) -> None:
        """Record that ``changes`` are in the database now."""
        for video_id, label in changes.upserts:
            self.stored[video_id] = label
        for video_id in changes.removals:
            self.stored[video_id] = None

    def mark_progress_saved(self) -> None:
        """Record that the position is saved too: the autosave count starts again."""
        self.actions_since_save = 0
