"""Read an import file (Takeout, ActivityWatch export) with a size limit, gzip or not.

A file over the limit, or a gzip file that would inflate past it, is refused before it is
held in memory: a 300 KB gzip bomb must not become a gigabyte.
"""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

DEFAULT_MAX_IMPORT_MB = 1024
MAX_IMPORT_SETTING = "VRDNDI_MAX_IMPORT_MB"
_CHUNK = 1 << 20


class ImportTooLarge(ValueError):
    """An import file (or what it inflates to) is larger than the configured limit."""


class ImportUnreadable(ValueError):
    """An import file that cannot be read or decompressed."""


def limit_message(path: Path, what: str, limit_mb: int) -> str:
    return (
        f"{path} {what} more than the import limit of {limit_mb} MB. If the file is genuine, "
        f"raise the limit: {MAX_IMPORT_SETTING}={limit_mb * 4}."
    )


def read_import_file(path: Path, limit_mb: int = DEFAULT_MAX_IMPORT_MB) -> bytes:
    """The bytes of ``path``, decompressed when it is gzip; raises :class:`ImportTooLarge`
    when the file or its content is over ``limit_mb`` megabytes, :class:`ImportUnreadable`
    when it cannot be read or inflated, and ``FileNotFoundError`` when it is missing."""
    limit = limit_mb * 1024 * 1024
    try:
        size = path.stat().st_size
        if size > limit:
            raise ImportTooLarge(limit_message(path, f"is {size / 2**20:.0f} MB,", limit_mb))
        with path.open("rb") as handle:
            head = handle.read(2)
            handle.seek(0)
            if head != b"\x1f\x8b":
                return handle.read(limit + 1)
            parts: list[bytes] = []
            total = 0
            with gzip.GzipFile(fileobj=handle) as inflated:
                while chunk := inflated.read(_CHUNK):
                    total += len(chunk)
                    if total > limit:
                        raise ImportTooLarge(limit_message(path, "inflates (gzip) to", limit_mb))
                    parts.append(chunk)
            return b"".join(parts)
    except FileNotFoundError:
        raise
    except (OSError, EOFError, zlib.error) as error:
        raise ImportUnreadable(f"{path} cannot be read ({type(error).__name__}: {error})") from None
