"""The NiceGUI storage secret: random, made on the first start, kept in ``secrets/``.

It signs the site's session cookie. It lives in ``secrets/feed-storage-secret`` (mode 0600;
the folder is ``VRDNDI_SECRETS_DIR`` when set, and is kept at mode 0700 even when it existed)
and is never written in code.
"""

from __future__ import annotations

import logging
import os
import secrets
import stat
from collections.abc import Mapping
from pathlib import Path

from vrdndi_pipeline.core.private_files import private_dir

logger = logging.getLogger(__name__)

SECRET_FILE = "feed-storage-secret"


def secrets_dir(environ: Mapping[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    return Path(env.get("VRDNDI_SECRETS_DIR", "").strip() or "secrets").expanduser()


def load_or_create_secret(folder: Path) -> str:
    """The secret in ``folder/feed-storage-secret``, created (mode 0600) if missing; the folder
    is made (or tightened to) mode 0700."""
    path = folder / SECRET_FILE
    private_dir(folder)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_secret(path)
    secret = secrets.token_urlsafe(48)
    with os.fdopen(fd, "w") as fh:
        fh.write(secret + "\n")
    logger.info("made a new storage secret in %s", path)
    return secret


def _read_secret(path: Path) -> str:
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        logger.warning("%s was readable by others (mode %o); setting 0600", path, mode)
        path.chmod(0o600)
    secret = path.read_text().strip()
    if len(secret) < 32:
        raise RuntimeError(f"{path} holds no usable secret: delete it to make a new one")
    return secret
