"""The Google Takeout watch history file as a Dagster resource."""

from __future__ import annotations

import logging
from pathlib import Path

import dagster as dg

from vrdndi_pipeline.core.import_files import DEFAULT_MAX_IMPORT_MB
from vrdndi_pipeline.core.takeout import TakeoutHistory, load_watch_history

logger = logging.getLogger(__name__)


class TakeoutWatchHistory(dg.ConfigurableResource):
    """``watch-history.json`` from a Google Takeout export ("My Activity", JSON format).

    The file is optional: without it, vrdndi learns from likes, dislikes and feedback only.
    """

    path: str
    max_import_mb: int = DEFAULT_MAX_IMPORT_MB

    def load(self) -> TakeoutHistory | None:
        """The parsed history, or ``None`` when no file is at ``path``."""
        path = Path(self.path).expanduser()
        if not path.exists():
            logger.info(
                "No Takeout watch history at %s (set VRDNDI_TAKEOUT_PATH to import one)", path
            )
            return None
        return load_watch_history(path)
