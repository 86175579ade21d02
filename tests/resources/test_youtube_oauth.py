"""The OAuth token: saved atomically with mode 0600, loaded, refreshed at a local endpoint."""

from __future__ import annotations

import json
import os
import stat
import threading
import urllib.request
import webbrowser
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from google.oauth2.credentials import Credentials

from tests.harness.fake_youtube_server import (
    SCOPE,
    FakeYouTubeServer,
    allow_only_loopback,
    write_token,
)
from vrdndi_pipeline.resources.youtube import oauth as youtube_oauth
from vrdndi_pipeline.resources.youtube.errors import YouTubeAuthError
from vrdndi_pipeline.resources.youtube.oauth import (
    authorize_installed_app,
    load_credentials,
    save_credentials,
)


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    allow_only_loopback(monkeypatch)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[FakeYouTubeServer]:
    with FakeYouTubeServer(tmp_path / "no-youtube-data") as fake:
        yield fake


def _creds(token: str = "access-1") -> Credentials:
    return Credentials(
        token=token,
        refresh_token="refresh-1",
        token_uri="https://oauth2.googleapis.com/token",
        client_id="id.apps.googleusercontent.com",
        client_secret="secret",
        scopes=[SCOPE],
        expiry=datetime(2030, 1, 1),
    )


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_saved_token_is_0600_json_that_google_auth_reads(tmp_path: Path) -> None:
    token_file = tmp_path / "secrets" / "youtube_token.json"
    save_credentials(_creds(), token_file)
    assert _mode(token_file) == 0o600
    info = json.loads(token_file.read_text())
    again = Credentials.from_authorized_user_info(info)
    assert (again.token, again.refresh_token, again.client_id) == (
        "access-1",
        "refresh-1",
        _creds().client_id,
    )
    assert again.expiry == datetime(2030, 1, 1)
    assert sorted(p.name for p in token_file.parent.iterdir()) == ["youtube_token.json"]


def test_world_readable_token_is_replaced_by_a_0600_one(tmp_path: Path) -> None:
    token_file = tmp_path / "youtube_token.json"
    token_file.write_text("old")
    token_file.chmod(0o644)
    save_credentials(_creds("access-2"), token_file)
    assert _mode(token_file) == 0o600
    assert json.loads(token_file.read_text())["token"] == "access-2"


def test_mode_is_0600_whatever_the_umask(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        save_credentials(_creds(), tmp_path / "t.json")
    finally:
        os.umask(old)
    assert _mode(tmp_path / "t.json") == 0o600


def test_crash_before_replace_keeps_the_old_token_and_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    token_file = tmp_path / "youtube_token.json"
    save_credentials(_creds("old-token"), token_file)
    before = token_file.read_bytes()

    def crash(src: object, dst: object) -> None:
        raise OSError("disk full, or the power went out")

    monkeypatch.setattr(youtube_oauth.os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        save_credentials(_creds("new-token"), token_file)
    assert token_file.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["youtube_token.json"]


def test_missing_token_says_where_and_what_to_run(tmp_path: Path) -> None:
    token_file = tmp_path / "secrets" / "youtube_token.json"
    secret = tmp_path / "secrets" / "client_secret.json"
    with pytest.raises(YouTubeAuthError) as raised:
        load_credentials(token_file, secret)
    message = str(raised.value)
    assert str(token_file) in message and str(secret) in message
    assert "vrdndi auth youtube" in message
    assert "Desktop app" in message and "YouTube Data API v3" in message


def test_unreadable_token_is_an_auth_error(tmp_path: Path) -> None:
    token_file = tmp_path / "youtube_token.json"
    token_file.write_text("{not json")
    with pytest.raises(YouTubeAuthError, match="unreadable.*vrdndi auth youtube"):
        load_credentials(token_file, tmp_path / "client_secret.json")


def test_valid_token_is_used_as_is(tmp_path: Path, server: FakeYouTubeServer) -> None:
    token_file = write_token(tmp_path / "youtube_token.json", token="still-good")
    before = token_file.read_bytes()
    creds = load_credentials(token_file, tmp_path / "cs.json", token_uri=server.token_url)
    assert creds.token == "still-good" and creds.valid
    assert server.token_requests == []
    assert token_file.read_bytes() == before


def test_expired_token_is_refreshed_locally_and_saved(
    tmp_path: Path, server: FakeYouTubeServer
) -> None:
    token_file = write_token(
        tmp_path / "youtube_token.json",
        token="expired",
        refresh_token="refresh-me",
        expiry=datetime.now(UTC) - timedelta(hours=2),
    )
    token_file.chmod(0o644)
    creds = load_credentials(token_file, tmp_path / "cs.json", token_uri=server.token_url)

    assert creds.token == "fake-access-1" and creds.valid
    [refresh] = server.token_requests
    assert refresh["grant_type"] == "refresh_token" and refresh["refresh_token"] == "refresh-me"
    saved = json.loads(token_file.read_text())
    assert saved["token"] == "fake-access-1" and saved["refresh_token"] == "refresh-me"
    assert Credentials.from_authorized_user_info(saved).expiry > datetime.now(UTC).replace(
        tzinfo=None
    )
    assert _mode(token_file) == 0o600


def test_revoked_refresh_token_is_an_auth_error(tmp_path: Path, server: FakeYouTubeServer) -> None:
    token_file = write_token(
        tmp_path / "t.json", refresh_token="revoked", expiry=datetime.now(UTC) - timedelta(hours=1)
    )
    before = token_file.read_bytes()
    with pytest.raises(YouTubeAuthError, match="revoked.*vrdndi auth youtube"):
        load_credentials(token_file, tmp_path / "cs.json", token_uri=server.token_url)
    assert token_file.read_bytes() == before


def test_installed_app_flow_runs_on_loopback_and_saves_the_token(
    tmp_path: Path, server: FakeYouTubeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = tmp_path / "client_secret.json"
    secret.write_text(
        json.dumps(
            {
                "installed": {
                    "client_id": "id.apps.googleusercontent.com",
                    "client_secret": "secret",
                    "auth_uri": f"{server.url}/auth",
                    "token_uri": server.token_url,
                    "redirect_uris": ["http://localhost"],
                }
            }
        )
    )
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # the fake token endpoint is http
    opened: list[str] = []
    visits: list[threading.Thread] = []

    class Browser:  # the user: opens the consent page, which redirects back to the app
        def open(self, url: str, new: int = 0, autoraise: bool = True) -> bool:
            opened.append(url)
            visit = threading.Thread(target=lambda: urllib.request.urlopen(url, timeout=5).read())
            visit.start()
            visits.append(visit)
            return True

    monkeypatch.setattr(webbrowser, "get", lambda using=None: Browser())
    token_file = tmp_path / "secrets" / "youtube_token.json"
    creds = authorize_installed_app(secret, token_file, timeout_seconds=10)
    for visit in visits:
        visit.join(timeout=5)

    [url] = opened
    query = parse_qs(urlsplit(url).query)
    assert query["redirect_uri"][0].startswith("http://127.0.0.1:")
    assert query["scope"] == [SCOPE]
    assert [r["grant_type"] for r in server.token_requests] == ["authorization_code"]
    assert creds.refresh_token == "fake-refresh-from-code"
    assert _mode(token_file) == 0o600
    assert json.loads(token_file.read_text())["token"] == creds.token
