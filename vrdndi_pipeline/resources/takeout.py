"""The Google Takeout watch history file as a Dagster resource."""

from __future__ import annotations

import logging
from pathlib import Path

import dagster as dg

from vrdndi_pipeline.core.sources.import_files import DEFAULT_MAX_IMPORT_MB
from vrdndi_pipeline.core.sources.takeout.history import TakeoutHistory, load_watch_history

logger = logging.getLogger(__name__)


class TakeoutWatchHistory(dg.ConfigurableResource):
    """`watch-history.json` from a Google Takeout export ("My Activity", JSON format), in
    any account language, gzip'd or not, or a pre-2017 history of playlist items.

    The file is optional: without it, vrdndi learns from likes, dislikes and feedback only. A
    file (or gzip content) larger than `max_import_mb` megabytes is refused.
    """

    path: str
    max_import_mb: int = DEFAULT_MAX_IMPORT_MB

    def load(self) -> TakeoutHistory | None:
        """The parsed history, or `None` when no file is at `path`; raises
        :class:`~vrdndi_pipeline.core.sources.takeout.history.TakeoutFormatError` for an unusable file."""
        path = Path(self.path).expanduser()
        if not path.exists():
            logger.info(
                "No Takeout watch history at %s (set VRDNDI_TAKEOUT_PATH to import one)", path
            )
            return None
        return load_watch_history(path, self.max_import_mb)
