"""``python -m vrdndi_ui.feed``: the feed site on http://127.0.0.1:8080."""

from __future__ import annotations

import argparse
import logging
import os
import sys

from vrdndi_pipeline.core.private_files import private_dir
from vrdndi_pipeline.core.settings import SettingsError, load_settings
from vrdndi_ui.local_origin import add_allowed_host_argument, allowed_hosts


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m vrdndi_ui.feed",
        description=(
            "vrdndi's feed site: the ranked feed from the table feed_predictions, a player, and "
            "feedback buttons whose clicks go to the table feedback. The database is "
            "VRDNDI_DATABASE_URL (default: <VRDNDI_DATA_DIR>/vrdndi.db); the session secret is "
            "made on the first start in secrets/feed-storage-secret (or VRDNDI_SECRETS_DIR). "
            "The site answers only requests addressed to this machine's own names and coming "
            "from its own pages: any other Host or a page of another site (Origin) gets 403."
        ),
    )
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to bind (default: %(default)s, this machine only)",
    )
    parser.add_argument("--port", type=int, default=8080, help="port (default: %(default)s)")
    add_allowed_host_argument(parser, "the feed")
    parser.add_argument(
        "--poll-seconds",
        type=float,
        default=10.0,
        help="how often an open page checks for a new feed and run failures (default: %(default)s)",
    )
    parser.add_argument(
        "--retry-seconds",
        type=float,
        default=10.0,
        help="how often unsaved feedback clicks are written again (default: %(default)s)",
    )
    parser.add_argument(
        "--write-timeout",
        type=float,
        default=5.0,
        help="seconds a click waits for a locked SQLite database before it is queued for "
        "retry (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    for name in ("poll_seconds", "retry_seconds", "write_timeout"):
        if getattr(args, name) <= 0:
            parser.error(f"--{name.replace('_', '-')} must be positive")
    try:
        args.allowed_hosts = allowed_hosts(args.host, args.allowed_host)
    except ValueError as error:  # a bad VRDNDI_ALLOWED_HOSTS or --host
        parser.error(str(error))
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("alembic").setLevel(logging.WARNING)
    try:
        settings = load_settings()
    except SettingsError as error:
        logging.getLogger("vrdndi_ui.feed").error("%s", error)
        return 2
    # NiceGUI reads its storage folder when it is imported: keep it in the data folder. Both
    # are this user's only (0700): they hold the feed, the clicks and the session data.
    private_dir(settings.data_dir)
    storage = private_dir(settings.data_dir / "nicegui")
    os.environ.setdefault("NICEGUI_STORAGE_PATH", str(storage.resolve()))

    from vrdndi_pipeline.resources.for_settings import clock_for
    from vrdndi_ui.feed.feed_page import FeedSiteOptions
    from vrdndi_ui.feed.feed_site import build_feed_site, serve
    from vrdndi_ui.feed.storage_secret import load_or_create_secret, secrets_dir

    secret = load_or_create_secret(secrets_dir())
    options = FeedSiteOptions(
        poll_s=args.poll_seconds,
        retry_s=args.retry_seconds,
        timezone=settings.user_timezone,
        now=clock_for(settings).now,  # the pipeline's clock: the demo reads as fresh
        train_threshold=settings.train_min_new_labels,
    )
    site = build_feed_site(settings, options, write_timeout_s=args.write_timeout)
    serve(
        site,
        host=args.host,
        port=args.port,
        storage_secret=secret,
        allowed_hosts=args.allowed_hosts,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
