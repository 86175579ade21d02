"""The fixed frame of the demo data: the export moment, the spans, the machine and the seed.

Everything is relative to :data:`ANCHOR`; nothing reads the clock. Times are UTC milliseconds.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime

from vrdndi_pipeline.core.settings import DEMO_TIMEZONE

ANCHOR = datetime(2026, 11, 15, tzinfo=UTC)
ANCHOR_MS = int(ANCHOR.timestamp()) * 1000
DEFAULT_SEED = 20261115
HOSTNAME = "demo-laptop"
TIMEZONE = DEMO_TIMEZONE  # defined in core: settings use it on demo data
AW_DAYS = 21
UPLOAD_DAYS = 90
TAKEOUT_DAYS = 120
SECOND = 1000
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE
DAY = 24 * HOUR


def part_rng(seed: int, part: str) -> random.Random:
    """An independent random stream per part, so changing one part leaves the others alone."""
    return random.Random(f"{seed}/{part}")
