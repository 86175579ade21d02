"""Identifiers in YouTube's shapes (video and channel ids, etags) and URL slugs."""

from __future__ import annotations

import base64
import hashlib
import random
import re

_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def _new_id(rng: random.Random, length: int, last: str, taken: set[str], prefix: str = "") -> str:
    """A fresh id; ``last`` holds the characters YouTube's base64 encoding allows at the end."""
    while True:
        value = prefix + "".join(rng.choice(_B64) for _ in range(length - 1)) + rng.choice(last)
        if value not in taken:
            taken.add(value)
            return value


def new_video_id(rng: random.Random, taken: set[str]) -> str:
    return _new_id(rng, 11, "AEIMQUYcgkosw048", taken)


def new_channel_id(rng: random.Random, taken: set[str]) -> str:
    return _new_id(rng, 22, "AQgw", taken, prefix="UC")


def digest(*parts: str, length: int) -> str:
    raw = hashlib.sha256("\x1f".join(parts).encode()).digest()
    return base64.urlsafe_b64encode(raw).decode()[:length]


def etag(*parts: str) -> str:
    return digest("etag", *parts, length=27)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "video"
