"""What time it is for the pipeline: the real clock, or a fixed one (demo data, tests)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import UTC, datetime

import dagster as dg


class Clock(dg.ConfigurableResource, ABC):
    @abstractmethod
    def now(self) -> datetime:
        """The current moment, timezone-aware UTC."""


class SystemClock(Clock):
    """The machine's clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock(Clock):
    """Always the same moment: the demo data's "now", or `VRDNDI_NOW`."""

    moment: str  # ISO 8601 with an offset

    def now(self) -> datetime:
        moment = datetime.fromisoformat(self.moment.replace("Z", "+00:00"))
        if moment.tzinfo is None:
            raise ValueError(f"FixedClock moment {self.moment!r} needs a UTC offset")
        return moment.astimezone(UTC)
