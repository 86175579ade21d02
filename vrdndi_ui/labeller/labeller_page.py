"""The labeller page: what Streamlit draws on every run, and what each button does.

Streamlit runs the script again after every click, so the :class:`LabellingSession` lives in
``st.session_state`` and the buttons change it in ``on_click`` callbacks (which run before the
page is drawn again). Nothing happens at import; :func:`render_page` is called by the script.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import streamlit as st
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import SQLAlchemyError

from vrdndi_pipeline.core.settings import Settings, load_settings
from vrdndi_pipeline.core.store.database import (
    make_engine,
    read_transaction,
    write_transaction,
)
from vrdndi_pipeline.core.store.migrate import upgrade_schema
from vrdndi_pipeline.core.store.schema import watch_history
from vrdndi_ui.labeller.display_text import (
    embed_url,
    format_duration,
    format_time,
    isolate,
    watch_url,
)
from vrdndi_ui.labeller.label_saving import save_session, start_session, write_changes
from vrdndi_ui.labeller.labelling_session import (
    AUTOSAVE_EVERY,
    INTEREST,
    UNINTEREST,
    LabellingSession,
)
from vrdndi_ui.labeller.progress_file import (
    Progress,
    ProgressFileError,
    progress_path,
    read_progress,
)

SESSION_KEY = "labeller_session"
NOTICES_KEY = "labeller_notices"


@st.cache_resource(show_spinner=False)
def database_engine(url: str) -> Engine:
    """One engine per database for the server process; the schema is upgraded once."""
    engine = make_engine(url)
    upgrade_schema(engine)
    return engine


def _now() -> datetime:
    return datetime.now(UTC)


def _notify(kind: str, text: str) -> None:
    st.session_state.setdefault(NOTICES_KEY, []).append((kind, text))


def _session() -> LabellingSession:
    session: LabellingSession = st.session_state[SESSION_KEY]
    return session


def _load(engine: Engine, path: Path) -> None:
    """(Re)build the session from the database and the progress file."""
    try:
        progress = read_progress(path)
    except ProgressFileError as error:
        _notify("warning", f"Starting from the top: the saved progress is unusable ({error}).")
        progress = Progress()
    st.session_state[SESSION_KEY] = start_session(engine, progress)


def _save(engine: Engine, path: Path, *, automatic: bool) -> None:
    session = _session()
    try:
        changes = save_session(engine, session, path, _now())
    except (SQLAlchemyError, OSError) as error:
        _notify(
            "error",
            f"Could not save ({type(error).__name__}: {error}). Your labels are kept in this "
            "tab; press Save to try again.",
        )
        return
    if not automatic:
        _notify("success", f"Saved {len(changes.upserts) + len(changes.removals)} change(s).")


def _after_action(engine: Engine, path: Path) -> None:
    if _session().autosave_due(AUTOSAVE_EVERY):
        _save(engine, path, automatic=True)


def _on_label(value: int, engine: Engine, path: Path) -> None:
    if _session().label(value, _now()) is None:
        _notify("info", "Nothing left to label here: press Previous to go back.")
        return
    _after_action(engine, path)


def _on_skip(engine: Engine, path: Path) -> None:
    if _session().skip() is not None:
        _after_action(engine, path)


def _on_previous() -> None:
    if not _session().previous():
        _notify("info", "This is the first video.")


def _on_undo(engine: Engine, path: Path) -> None:
    action = _session().undo()
    if action is None:
        _notify("info", "Nothing to undo.")
        return
    _notify("info", f"Undid the {action.kind} of {action.video_id}.")
    _after_action(engine, path)


def _on_load_progress(engine: Engine, path: Path) -> None:
    # Unsaved labels are written first: loading never throws a label away.
    changes = _session().pending_changes()
    try:
        if changes:
            with write_transaction(engine) as conn:
                write_changes(conn, changes)
        _load(engine, path)
    except (SQLAlchemyError, OSError) as error:
        _notify("error", f"Could not load the progress ({type(error).__name__}: {error}).")
        return
    _notify("success", "Loaded the saved progress.")


def _render_empty(engine: Engine, settings: Settings) -> None:
    with read_transaction(engine) as conn:
        watched = conn.execute(select(func.count()).select_from(watch_history)).scalar_one()
    if watched:
        st.success("Every video of your watch history has a label. Well done!")
        return
    st.info("Your watch history is empty, so there is nothing to label yet.")
    st.markdown(
        "To import it: in [Google Takeout](https://takeout.google.com) export *YouTube and "
        "YouTube Music* → *history* as **JSON**, put `watch-history.json` at the path below "
        "(or set `VRDNDI_TAKEOUT_PATH`), run the pipeline's `ingest_job` (`make dev`, or "
        "`make demo` for the sample data) and reload this page."
    )
    st.code(settings.takeout_path, language=None)


def _render_video(session: LabellingSession, timezone: str) -> None:
    entry = session.current()
    if entry is None:
        st.success("You reached the end of the queue. Save, or go back with Previous.")
        return
    url = embed_url(entry.video_id)
    if url is not None:
        st.iframe(url, height=360, alt="YouTube player")
    st.caption("Title")
    st.text(entry.title or "(no title known)")
    st.text(f"Channel: {isolate(entry.channel_title or 'unknown')}")
    watched = format_time(entry.last_watched_at, timezone)
    times = f" ({entry.times_watched} times)" if entry.times_watched > 1 else ""
    st.text(f"Watched: {watched}{times}")
    st.text(f"Duration: {format_duration(entry.duration_s)}")
    if entry.published_at is not None:
        st.text(f"Published: {format_time(entry.published_at, timezone)}")
    if entry.description_excerpt:
        st.caption("Description")
        st.text(entry.description_excerpt)
    link = watch_url(entry.video_id)
    if link is not None:
        st.link_button("Open on YouTube", link)


def _render_buttons(session: LabellingSession, engine: Engine, path: Path) -> None:
    context = (engine, path)
    done = session.finished
    first, second, third = st.columns(3)
    first.button(
        "Interest",
        key="interest",
        type="primary",
        disabled=done,
        shortcut="I",
        on_click=_on_label,
        args=(INTEREST, *context),
        width="stretch",
    )
    second.button(
        "Uninterest",
        key="uninterest",
        disabled=done,
        shortcut="U",
        on_click=_on_label,
        args=(UNINTEREST, *context),
        width="stretch",
    )
    third.button(
        "Skip",
        key="skip",
        disabled=done,
        shortcut="S",
        on_click=_on_skip,
        args=context,
        width="stretch",
    )
    back, undo, save, load = st.columns(4)
    back.button("Previous", key="previous", shortcut="P", on_click=_on_previous, width="stretch")
    undo.button("Undo", key="undo", shortcut="Z", on_click=_on_undo, args=context, width="stretch")
    save.button(
        "Save",
        key="save",
        on_click=_save,
        args=context,
        kwargs={"automatic": False},
        width="stretch",
    )
    load.button(
        "Load progress",
        key="load_progress",
        on_click=_on_load_progress,
        args=context,
        width="stretch",
    )
    st.caption(
        f"Saved automatically every {AUTOSAVE_EVERY} actions; Save writes the rest now. "
        "Keys: I interest, U uninterest, S skip, P previous, Z undo."
    )


def _render_sidebar(session: LabellingSession) -> None:
    total = len(session.queue)
    counts = session.counts()
    with st.sidebar:
        st.header("Progress")
        st.metric("Position", f"{min(session.position + 1, total)} of {total}")
        left, right = st.columns(2)
        left.metric("Interest", counts[INTEREST])
        right.metric("Uninterest", counts[UNINTEREST])
        st.metric("Skipped", len(session.skipped))
        st.metric("Unsaved", session.unsaved_labels)
        st.caption("Last labelled")
        st.text(session.last_labelled_title() or "nothing yet")


def render_page() -> None:
    """Draw the labeller for the database and data folder of the ``VRDNDI_*`` settings."""
    st.set_page_config(page_title="vrdndi labeller", layout="centered")
    settings = load_settings()
    engine = database_engine(settings.database_url)
    path = progress_path(settings.data_dir)
    if SESSION_KEY not in st.session_state:
        _load(engine, path)
    session = _session()

    st.title("Label your watch history")
    for kind, text in st.session_state.pop(NOTICES_KEY, []):
        getattr(st, kind)(text)
    _render_sidebar(session)
    if not session.queue:
        _render_empty(engine, settings)
    else:
        _render_video(session, settings.user_timezone)
    _render_buttons(session, engine, path)
