"""``vrdndi``: the command line: the jobs for people who do not open Dagster (``ingest``,
``train``, ``refresh``; see :mod:`vrdndi_pipeline.cli_jobs`), auth, schema, summaries.

Only the jobs, ``db upgrade`` and ``seed-demo-labels`` create the database; the commands that
read it (``feed``, ``summary``, ``db revision``) fail with exit code 2 when it is missing.

Text that comes from the database or MLflow (titles, channel names, reasons, error messages)
is printed through :func:`terminal_text`: a title cannot move the cursor, clear the screen or
ring the bell of the terminal it is printed in.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlalchemy.engine import make_url

from vrdndi_pipeline.cli_jobs import (
    JOB_COMMANDS,
    add_job_arguments,
    apply_demo_environment,
    run_job_command,
    stderr_line,
    terminal_status,
)
from vrdndi_pipeline.cli_jobs import stdout_line as _out
from vrdndi_pipeline.core.settings import Settings, SettingsError, load_settings
from vrdndi_pipeline.core.store.database import make_engine, open_database, read_transaction
from vrdndi_pipeline.core.store.migrate import head_revision, schema_revision
from vrdndi_pipeline.core.store.schema import aw_events, metadata, videos, watch_history
from vrdndi_pipeline.core.validation import terminal_text


def _summary(settings: Settings, engine: Engine) -> int:
    _out(f"Database: {engine.url.render_as_string(hide_password=True)}")
    with read_transaction(engine) as conn:
        for table in metadata.sorted_tables:
            count = conn.execute(select(func.count()).select_from(table)).scalar_one()
            _out(f"  {table.name:<15} {count:>8} rows")
        first, last = conn.execute(
            select(func.min(aw_events.c.timestamp), func.max(aw_events.c.timestamp))
        ).one()
        if first:
            _out(f"  ActivityWatch events from {first:%Y-%m-%d %H:%M} to {last:%Y-%m-%d %H:%M} UTC")
        newest = conn.execute(
            select(videos.c.published_at, videos.c.channel_title, videos.c.title)
            .where(videos.c.published_at.is_not(None))
            .order_by(videos.c.published_at.desc())
            .limit(5)
        ).all()
        if newest:
            _out("  Newest videos:")
            for published, channel, title in newest:
                _out(
                    f"    {published:%Y-%m-%d}  {terminal_text(channel or '?')}: "
                    f"{terminal_text(title)}"
                )
        watched = conn.execute(
            select(func.count(func.distinct(watch_history.c.video_id)))
        ).scalar_one()
        _out(f"  {watched} distinct videos in the watch history")
    _model_summary(settings)
    return 0


def _model_summary(settings: Settings) -> None:
    from vrdndi_pipeline.resources.mlflow_tracking import COMPARISON_TAG, FAMILY_TAG, tracking_for

    tracking = tracking_for(settings)
    local_file = tracking.tracking_uri.removeprefix("sqlite:///")
    if local_file != tracking.tracking_uri and not Path(local_file).exists():
        _out("Models: none trained yet (run vrdndi train)")
        return
    versions = sorted(
        tracking.client().search_model_versions(f"name = '{tracking.model_name}'"),
        key=lambda v: int(v.version),
    )
    champion = tracking.champion_version()
    family = {str(v.version): terminal_text(v.tags.get(FAMILY_TAG, "lora")) for v in versions}
    _out(
        f"Models: {len(versions)} version(s) of {tracking.model_name}; champion: "
        + (f"v{terminal_text(champion)} ({family.get(champion, '?')})" if champion else "none yet")
    )
    for version in versions[-4:]:
        promoted = " (champion)" if str(version.version) == champion else ""
        _out(f"  v{version.version} {family[str(version.version)]}{promoted}")
    comparison = versions[-1].tags.get(COMPARISON_TAG) if versions else None
    if comparison:
        _out("\nThe last training, evaluated on the newest clicks in time-ordered folds:")
        for line in comparison.rstrip().splitlines():
            _out(terminal_text(line))


def _db(engine: Engine) -> int:
    _out(f"schema revision {schema_revision(engine)} (newest shipped: {head_revision()})")
    return 0


def _seed_demo_labels(engine: Engine) -> int:
    from vrdndi_pipeline.demo.seed_labels import seed_demo_labels

    counts = seed_demo_labels(engine)
    _out("Demo labels seeded: " + ", ".join(f"{n} {table}" for table, n in counts.items()))
    return 0


def _auth(settings: Settings, args: argparse.Namespace) -> int:
    from vrdndi_pipeline.resources.youtube.oauth import authorize_installed_app

    authorize_installed_app(
        Path(settings.youtube_client_secret),
        Path(settings.youtube_token),
        port=args.port,
        open_browser=not args.no_browser,
    )
    _out(f"YouTube token saved to {settings.youtube_token} (mode 0600)")
    return 0


def _feed(engine: Engine, args: argparse.Namespace) -> int:
    from vrdndi_pipeline.core.store.feed_tables import current_generation, read_feed_page
    from vrdndi_pipeline.core.store.people_tables import recent_run_failures

    with read_transaction(engine) as conn:
        generation = current_generation(conn)
        items = read_feed_page(conn, 0, args.top)
        failures = recent_run_failures(conn, limit=1)
    if failures:
        f = failures[0]
        _out(
            f"Last failed run: {terminal_text(f.job_name)} at {f.failed_at:%Y-%m-%d %H:%M} UTC: "
            f"{terminal_text(f.message)}"
        )
    if generation is None:
        _out("The feed is empty: run vrdndi refresh (or make demo, or make dev and wait).")
        return 1
    label = (
        f"champion model v{terminal_text(generation.model_version)}"
        if generation.ranking == "champion"
        else f"FALLBACK {terminal_text(generation.ranking)} (no champion model yet)"
    )
    _out(
        f"Feed of {generation.videos} videos, generated {generation.generated_at:%Y-%m-%d %H:%M}"
        f" UTC, ranked by {label}:"
    )
    if generation.videos == 0:
        _out("No new videos: every recent upload is already rated, watched, hidden or clicked.")
    for item in items:
        scores = ", ".join(
            text
            for text, value in (
                (f"{round(100 * (item.interest_score or 0))} % match", item.interest_score),
                (
                    f"good time now {round(100 * (item.productive_score or 0))} %",
                    item.productive_score,
                ),
            )
            if value is not None
        )
        explored = "  [exploring]" if item.explored else ""
        title = terminal_text(item.video.title)[:70]
        channel = terminal_text(item.video.channel_title or "?")
        _out(f"{item.rank:>4}. {title}  [{channel}]  {scores}{explored}")
        for reason in item.reasons:
            if reason.kind != "explore":
                _out(f"        - {terminal_text(reason.text)}")
    return 0


def _missing_database(settings: Settings) -> Path | None:
    """The SQLite file of ``VRDNDI_DATABASE_URL`` when it does not exist (None: it does, or
    the database is not a SQLite file, e.g. PostgreSQL)."""
    url = make_url(settings.database_url)
    database = url.database
    if url.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    if database.startswith("file:"):
        return None
    path = Path(database).expanduser()
    return None if path.exists() else path


def _require_database(settings: Settings, command: str) -> bool:
    """False, with an error that names the file and what creates it, when the SQLite
    database is missing: commands that only read never create an empty one."""
    missing = _missing_database(settings)
    if missing is None:
        return True
    demo_hint = (
        "vrdndi --demo ingest (or make demo)"
        if settings.sources == "demo"
        else "vrdndi ingest (your data), or make demo / vrdndi --demo ingest (the demo data)"
    )
    stderr_line(
        f"vrdndi {command}: no database at {terminal_text(missing)}.\n"
        f"  Create it with {demo_hint}; or point VRDNDI_DATA_DIR / VRDNDI_DATABASE_URL "
        "at the folder or database you already have."
    )
    return False


def _may_open_database(settings: Settings, args: argparse.Namespace) -> bool:
    """False, with the error printed, when ``args.command`` must not touch the database: a
    command that only reads it and finds no SQLite file, or demo labels outside the demo."""
    if args.command == "seed-demo-labels" and settings.sources != "demo":
        stderr_line(
            "vrdndi: seed-demo-labels writes sample clicks; run it with VRDNDI_SOURCES=demo "
            "(or vrdndi --demo seed-demo-labels)"
        )
        return False
    if args.command in ("summary", "feed") or (args.command == "db" and args.action == "revision"):
        return _require_database(settings, args.command)
    return True


def _open_database_for(settings: Settings, args: argparse.Namespace) -> Engine:
    """The database of a command, its schema brought up to date, except for ``db revision``,
    which only reports the revision."""
    if args.command == "db" and args.action == "revision":
        return make_engine(settings.database_url)
    return open_database(settings.database_url)


def _run_database_command(settings: Settings, args: argparse.Namespace) -> int:
    """``summary``, ``feed``, ``db`` or ``seed-demo-labels`` on the database they share."""
    if not _may_open_database(settings, args):
        return 2
    engine = _open_database_for(settings, args)
    try:
        if args.command == "summary":
            return _summary(settings, engine)
        if args.command == "feed":
            return _feed(engine, args)
        if args.command == "db":
            return _db(engine)
        return _seed_demo_labels(engine)
    finally:
        engine.dispose()


def _add_command(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    help: str,
    description: str,
) -> argparse.ArgumentParser:
    return commands.add_parser(name, help=help, description=description)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vrdndi",
        description="vrdndi: a local-first personal YouTube feed. Settings come from VRDNDI_* "
        "environment variables (see README.md). The pipelines run in Dagster (make dev), or "
        "one at a time here: vrdndi ingest, vrdndi train, vrdndi refresh.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="use the bundled demo data: sets VRDNDI_SOURCES=demo and, unless VRDNDI_DATA_DIR "
        "is set, VRDNDI_DATA_DIR=data/demo (as make demo does)",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, spec in JOB_COMMANDS.items():
        add_job_arguments(_add_command(commands, name, spec.help, spec.description), name)
    feed = _add_command(
        commands,
        "feed",
        "print the top of the current feed",
        "Print the top of the feed that the last refresh (vrdndi refresh, or Dagster's "
        "schedule) ranked, with each video's scores and reasons.",
    )
    feed.add_argument("--top", type=int, default=10, help="how many videos (default 10)")
    _add_command(
        commands,
        "summary",
        "what the database holds now",
        "Print the row count of every table, the span of the ActivityWatch events, the newest "
        "videos and the trained model versions.",
    )
    _add_command(
        commands,
        "seed-demo-labels",
        "insert the demo's simulated feedback clicks and labels (demo only)",
        "Insert the demo person's simulated feedback clicks and labels, so train has labels "
        "to learn from. Demo data only (vrdndi --demo seed-demo-labels); creates the database "
        "when missing.",
    )
    db = _add_command(
        commands,
        "db",
        "database schema: apply migrations or show the revision",
        "db upgrade: apply the schema migrations (creates the database when missing). "
        "db revision: show the database's schema revision and the newest shipped one.",
    )
    db.add_argument(
        "action", choices=["upgrade", "revision"], help="apply migrations / show revision"
    )
    auth = _add_command(
        commands,
        "auth",
        "connect an account",
        "Connect an account through OAuth in the browser: youtube saves a token that lets "
        "ingest read your subscriptions, ratings and playlists.",
    )
    auth.add_argument("service", choices=["youtube"], help="the account to connect")
    auth.add_argument(
        "--port", type=int, default=0, help="loopback port for the OAuth redirect (0: any)"
    )
    auth.add_argument(
        "--no-browser", action="store_true", help="print the URL instead of opening a browser"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, format="%(message)s")
    if not args.verbose:
        logging.getLogger("alembic").setLevel(logging.WARNING)
    if args.demo:
        apply_demo_environment()
    try:
        settings = load_settings()
    except SettingsError as error:
        stderr_line(f"vrdndi: {terminal_text(error)}")
        return 2
    if args.command in JOB_COMMANDS:
        if not args.verbose:  # the assets' own progress logs: -v shows them
            logging.getLogger().setLevel(logging.WARNING)
        status = terminal_status if sys.stdout.isatty() else None  # a bar only on a terminal
        return run_job_command(args.command, args, settings, _out, stderr_line, status)
    if args.command == "auth":
        return _auth(settings, args)
    return _run_database_command(settings, args)


if __name__ == "__main__":
    sys.exit(main())
