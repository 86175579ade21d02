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
    open_database,
    read_transaction,
    write_transaction,
)
from vrdndi_pipeline.core.store.schema import watch_history
from vrdndi_ui.labeller.display_text import (
    CALM,
    CALM_DARK,
    embed_url,
    format_duration,
    format_time,
    isolate,
    markdown_literal,
    watch_url,
)
from vrdndi_ui.labeller.label_saving import save_session, start_session, write_changes
from vrdndi_ui.labeller.labelling_session import (
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
# A calm blue for Interest (white text on it: 6.4:1, hovered 8.7:1), the same for the progress
# bar, and a 16:9 player as wide as its column. Streamlit's theme.primaryColor is a server
# option (config.toml or --theme.primaryColor), so the page sets its colours here.
PAGE_CSS = f"""<style>
.st-key-interest button {{
  background-color: {CALM}; border-color: {CALM}; color: #ffffff;
}}
.st-key-interest button:hover, .st-key-interest button:active {{
  background-color: {CALM_DARK}; border-color: {CALM_DARK}; color: #ffffff;
}}
.st-key-interest button:focus-visible {{ box-shadow: 0 0 0 0.2rem #9cc3ee; }}
.st-key-session_progress [role="progressbar"] > div > div > div {{
  background-color: {CALM};
}}
.st-key-player div {{ height: auto !important; flex: 0 0 auto !important; }}
.st-key-player iframe {{
  width: 100%; height: auto !important; aspect-ratio: 16 / 9; border: 0;
}}
.st-key-video_title p, .st-key-video_title div {{ font-size: 1.15rem; font-weight: 600; }}
.block-container, [data-testid="stMainBlockContainer"] {{ padding-top: 2.5rem; }}
</style>"""
NOTICES_KEY = "labeller_notices"


@st.cache_resource(show_spinner=False)
def database_engine(url: str) -> Engine:
    """One engine per database for the server process; the schema is upgraded once."""
    return open_database(url)


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
            "tab until they are written; press Save to try again.",
        )
        return
    if not automatic:
        written = len(changes.upserts) + len(changes.removals)
        _notify("success", f"Saved {written} change(s)." if written else "Everything is saved.")


def _after_action(engine: Engine, path: Path) -> None:
    """Write every action at once: a reload or a closed tab loses no label."""
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
    title = markdown_literal(_session().title_of(action.video_id))
    _notify("info", f"Undid the {action.kind} of {title}.")
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


def _render_player(session: LabellingSession) -> None:
    entry = session.current()
    url = embed_url(entry.video_id) if entry is not None else None
    if url is not None:
        with st.container(key="player"):  # 16:9 and as wide as its column (see PAGE_CSS)
            st.iframe(url, alt="YouTube player")


def _render_details(session: LabellingSession, timezone: str) -> None:
    entry = session.current()
    if entry is None:
        return
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


def _render_title(session: LabellingSession) -> None:
    entry = session.current()
    if entry is None:
        st.success("You reached the end of the queue. Go back with Previous to change a label.")
        return
    with st.container(key="video_title"):
        st.text(entry.title or "(no title known)")


def _render_buttons(session: LabellingSession, engine: Engine, path: Path) -> None:
    context = (engine, path)
    done = session.finished
    label_actions = (  # (text, shortcut, callback, its args)
        ("Interest", "I", _on_label, (INTEREST, *context)),
        ("Uninterest", "U", _on_label, (UNINTEREST, *context)),
        ("Skip", "S", _on_skip, context),
    )
    with st.container(horizontal=True, key="label_actions"):
        for text, shortcut, on_click, args in label_actions:
            st.button(
                text,
                key=text.lower(),
                # Interest is the primary action, coloured calm by PAGE_CSS, not the theme's red
                type="primary" if text == "Interest" else "secondary",
                disabled=done,
                shortcut=shortcut,
                on_click=on_click,
                args=args,
                width="stretch",
            )
    total = len(session.queue)
    labelled = session.labelled_in_session()
    with st.container(key="session_progress"):
        st.progress(labelled / total if total else 0.0, text=f"{labelled} of {total} labelled")
    with st.container(horizontal=True, key="other_actions"):
        st.button("Previous", key="previous", shortcut="P", on_click=_on_previous)
        st.button("Undo", key="undo", shortcut="Z", on_click=_on_undo, args=context)
        st.button(
            "Save",
            key="save",
            on_click=_save,
            args=context,
            kwargs={"automatic": False},
        )
        st.button("Load progress", key="load_progress", on_click=_on_load_progress, args=context)


def _render_notices() -> None:
    for kind, text in st.session_state.pop(NOTICES_KEY, []):
        getattr(st, kind)(text)


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
    """Draw the labeller for the database and data folder of the ``VRDNDI_*`` settings.

    Wide screens: the player on the left, the title and the actions beside it. Narrow ones
    (a phone): the columns stack, so the actions come right under the player. Notices and the
    video's details come after the actions, so they never push them off the first screen.
    """
    st.set_page_config(page_title="vrdndi labeller", layout="wide")
    st.html(PAGE_CSS)
    settings = load_settings()
    engine = database_engine(settings.database_url)
    path = progress_path(settings.data_dir)
    if SESSION_KEY not in st.session_state:
        _load(engine, path)
    session = _session()

    st.subheader("Label your watch history")
    _render_sidebar(session)
    if not session.queue:
        _render_notices()
        _render_empty(engine, settings)
        _render_buttons(session, engine, path)
        return
    player, actions = st.columns([3, 2], gap="medium")
    with player:
        _render_player(session)
    with actions:
        _render_title(session)
        _render_buttons(session, engine, path)
        _render_notices()
        _render_details(session, settings.user_timezone)
        st.caption(
            "Every label is saved the moment you give it. "
            "Keys: I interest, U uninterest, S skip, P previous, Z undo."
        )
