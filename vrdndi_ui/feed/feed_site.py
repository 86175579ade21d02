"""Wiring: the feed site on the configured database, and the NiceGUI server around it.

Called by ``python -m vrdndi_ui.feed`` (see ``__main__``); tests build a :class:`FeedSite`
with :func:`build_feed_site` and hand its ``page`` to NiceGUI's ``user_simulation``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

from vrdndi_pipeline.core.settings import Settings
from vrdndi_pipeline.core.store.database import open_database
from vrdndi_ui.feed.feed_data import FeedStore
from vrdndi_ui.feed.feed_page import FeedSite, FeedSiteOptions
from vrdndi_ui.feed.feedback_outbox import FeedbackOutbox, database_writer
from vrdndi_ui.local_origin import LocalOriginMiddleware

logger = logging.getLogger(__name__)

QUEUE_FILE = "feed-feedback-queue.json"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def build_feed_site(
    settings: Settings,
    options: FeedSiteOptions,
    *,
    write_timeout_s: float = 5.0,
    queue_file: Path | None = None,
) -> FeedSite:
    """Connect to the database (upgrading its schema), load queued clicks, try them once.

    SQLite writes wait at most ``write_timeout_s`` for a lock: a click that cannot be written
    soon is queued and retried rather than left hanging."""
    engine = open_database(
        settings.database_url, sqlite_busy_timeout_ms=int(write_timeout_s * 1000)
    )
    outbox = FeedbackOutbox(database_writer(engine), queue_file or settings.data_dir / QUEUE_FILE)
    if len(outbox):
        outbox.flush()
    return FeedSite(FeedStore(engine), outbox, options)


def serve(
    site: FeedSite,
    *,
    host: str,
    port: int,
    storage_secret: str,
    allowed_hosts: Iterable[str] = LOOPBACK,
) -> None:
    """Run the NiceGUI server until it is stopped. It serves only requests whose Host is one
    of ``allowed_hosts`` and whose Origin, if any, is too (see :mod:`vrdndi_ui.local_origin`):
    pages, socket.io's polling and its websocket alike."""
    from nicegui import app, ui

    app.add_middleware(LocalOriginMiddleware, allowed_hosts=frozenset(allowed_hosts))
    app.timer(site.options.retry_s, site.flush_outbox)  # also when no tab is open
    app.on_shutdown(site.store.engine.dispose)
    logger.info("feed site on http://%s:%d", host, port)
    logger.info("it answers to the host names %s", ", ".join(sorted(allowed_hosts)))
    if host not in LOOPBACK:
        logger.warning(
            "binding %s: the feed site has no login, so anyone who can reach this address "
            "sees your feed and can click feedback buttons",
            host,
        )
    ui.run(
        root=site.page,
        host=host,
        port=port,
        title="vrdndi feed",
        favicon="▶️",
        reload=False,
        show=False,
        storage_secret=storage_secret,
        show_welcome_message=False,
    )
