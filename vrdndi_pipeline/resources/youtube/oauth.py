"""The user's YouTube OAuth token: authorise once, load and refresh it, save it safely.

The token is stored as the JSON of `Credentials.to_json()` (never pickled: unpickling a file
runs code). It holds a refresh token, so it is written with mode 0600 through a temporary file
in the same folder and `os.replace`: at no moment is it world-readable or half-written.

Note: google-auth ignores `token_uri` in an authorised-user file and always refreshes at
Google's endpoint; `token_uri=` here overrides that (a local fake server in tests).
"""

from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path

from google.auth import exceptions as auth_exceptions
from google.auth.transport.requests import Request
from google.oauth2.credentials import Credentials

from vrdndi_pipeline.resources.youtube.errors import YouTubeAuthError

logger = logging.getLogger(__name__)

YOUTUBE_READONLY_SCOPE = "https://www.googleapis.com/auth/youtube.readonly"
SCOPES = [YOUTUBE_READONLY_SCOPE]
AUTH_COMMAND = "vrdndi auth youtube"


def missing_token_message(token_file: Path, client_secret_file: Path) -> str:
    if client_secret_file.is_file():
        setup = f"The OAuth client secret is at {client_secret_file}."
    else:
        setup = (
            f"First put an OAuth client secret at {client_secret_file}: in the Google Cloud "
            "console enable the YouTube Data API v3, then APIs & Services → Credentials → "
            "Create credentials → OAuth client ID → application type 'Desktop app', and "
            "download its JSON to that path."
        )
    return (
        f"No YouTube token at {token_file}. {setup} Then run `{AUTH_COMMAND}` to authorise "
        "read-only access to your YouTube account."
    )


def save_credentials(creds: Credentials, token_file: Path) -> None:
    """Write `creds.to_json()` to `token_file` atomically, readable by the owner only."""
    token_file = Path(token_file)
    token_file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    data = creds.to_json().encode("utf-8")
    temp = token_file.with_name(f".{token_file.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    fd = os.open(temp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            if hasattr(os, "fchmod"):  # exactly 0600, whatever the umask
                os.fchmod(handle.fileno(), 0o600)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, token_file)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
        raise
    _fsync_dir(token_file.parent)
    logger.info("saved the YouTube token to %s", token_file)


def _fsync_dir(folder: Path) -> None:
    # Makes the rename itself durable; not possible on every platform (Windows).
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def load_credentials(
    token_file: Path, client_secret_file: Path, *, token_uri: str | None = None
) -> Credentials:
    """The saved token, refreshed (and saved again) when its access token has expired."""
    token_file, client_secret_file = Path(token_file), Path(client_secret_file)
    if not token_file.is_file():
        raise YouTubeAuthError(missing_token_message(token_file, client_secret_file))
    try:
        creds = Credentials.from_authorized_user_file(str(token_file), scopes=SCOPES)
    except (ValueError, KeyError, TypeError) as error:  # json.JSONDecodeError is a ValueError
        raise YouTubeAuthError(
            f"The YouTube token at {token_file} is unreadable ({error}); "
            f"run `{AUTH_COMMAND}` to authorise again."
        ) from error
    if token_uri:
        expiry = creds.expiry
        creds = creds.with_token_uri(token_uri)
        creds.expiry = expiry  # the copy google-auth makes drops the expiry
    if creds.expired and creds.refresh_token:
        try:
            creds.refresh(Request())
        except auth_exceptions.RefreshError as error:
            raise YouTubeAuthError(
                f"Google refused to refresh the YouTube token at {token_file} ({error}); it may "
                f"have been revoked. Run `{AUTH_COMMAND}` to authorise again."
            ) from error
        save_credentials(creds, token_file)
    return creds


def authorize_installed_app(
    client_secret_file: Path,
    token_file: Path,
    *,
    port: int = 0,
    open_browser: bool = True,
    timeout_seconds: float | None = None,
) -> Credentials:
    """Run Google's consent screen in the browser and save the token it grants.

    The redirect server listens on 127.0.0.1 only, on `port` (0: any free port), for at
    most `timeout_seconds` (`None`: until the browser comes back).
    """
    from google_auth_oauthlib.flow import InstalledAppFlow

    client_secret_file, token_file = Path(client_secret_file), Path(token_file)
    if not client_secret_file.is_file():
        raise YouTubeAuthError(missing_token_message(token_file, client_secret_file))
    flow = InstalledAppFlow.from_client_secrets_file(str(client_secret_file), scopes=SCOPES)
    creds = flow.run_local_server(
        host="127.0.0.1",
        bind_addr="127.0.0.1",
        port=port,
        open_browser=open_browser,
        timeout_seconds=timeout_seconds,
    )
    save_credentials(creds, token_file)
    return creds
