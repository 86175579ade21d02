"""Folders and files only their owner may read: vrdndi keeps a person's watch history.

* :func:`private_dir` makes a folder (mode 0700) or tightens one vrdndi owns to 0700.
* :func:`private_file` makes a file (mode 0600) or tightens an existing one to 0600.
* :func:`open_private` opens a new file for writing with mode 0600 from the start.

What is tightened: the folders and files vrdndi names itself (its data folder, ``secrets/``, the
SQLite database and its ``-wal``/``-shm``, the click queue, the labeller's progress, model
folders). Only paths owned by the user running vrdndi are changed, and never a shared folder
(sticky bit, as ``/tmp``), the file system root or the home folder: pointing ``VRDNDI_DATA_DIR``
at such a folder does not change its mode. A folder above a created one is made with the
default mode, as ``mkdir -p`` would.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path
from typing import IO

logger = logging.getLogger(__name__)

DIR_MODE = 0o700
FILE_MODE = 0o600


def _ours(path: Path, mode: int, uid: int) -> bool:
    """Whether vrdndi may tighten ``path``: owned by this user, not shared, not a root."""
    if uid != os.getuid() or mode & stat.S_ISVTX:
        return False
    resolved = path.resolve()
    try:
        home: Path | None = Path.home().resolve()
    except (RuntimeError, KeyError):  # no home folder known
        home = None
    return resolved != Path(resolved.anchor) and resolved != home


def _tighten(path: Path, wanted: int) -> None:
    try:
        info = path.stat()
    except FileNotFoundError:
        return
    mode = stat.S_IMODE(info.st_mode)
    if (mode & ~wanted & 0o777) == 0 or not _ours(path, info.st_mode, info.st_uid):
        return
    try:
        path.chmod(mode & wanted)
    except OSError as error:  # a read-only mount: the file works, it is only less private
        logger.warning("could not make %s private (mode %o): %s", path, mode, error)
        return
    logger.info("%s was readable by others (mode %o): now %o", path, mode, mode & wanted)


def private_dir(path: Path, *, tighten: bool = True) -> Path:
    """``path`` as a folder only its owner can open: created with mode 0700 (its missing parents
    with the default mode), an existing one tightened to 0700 unless ``tighten`` is false."""
    path = Path(path).expanduser()
    try:
        path.mkdir(mode=DIR_MODE)
    except FileExistsError:
        if tighten:
            _tighten(path, DIR_MODE)
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.mkdir(mode=DIR_MODE, exist_ok=True)
    return path


def private_file(path: Path) -> Path:
    """``path`` as a file only its owner can read: created empty with mode 0600 when missing,
    an existing one tightened to 0600. Its folder must exist."""
    path = Path(path).expanduser()
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    except FileExistsError:
        _tighten(path, FILE_MODE)
    return path


def tighten_file(path: Path) -> None:
    """An existing file made 0600 (if vrdndi may change it); a missing one is left missing."""
    _tighten(Path(path).expanduser(), FILE_MODE)


def open_private(path: Path, flags: int = os.O_WRONLY | os.O_CREAT | os.O_EXCL) -> IO[str]:
    """``path`` opened for writing text (UTF-8); a file it creates has mode 0600 from the start.
    ``flags`` default to a new file only; pass ``os.O_APPEND`` etc. for other uses."""
    fd = os.open(path, flags, FILE_MODE)
    try:
        return os.fdopen(fd, "a" if flags & os.O_APPEND else "w", encoding="utf-8")
    except BaseException:
        os.close(fd)
        raise
