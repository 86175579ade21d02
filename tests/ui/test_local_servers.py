"""The feed site and the labeller, as real servers, refuse other hosts and other sites.

Both are started once (``python -m vrdndi_ui.feed`` and ``python -m vrdndi_ui.labeller`` on
free loopback ports, on a migrated SQLite file) and asked with plain HTTP and websocket
clients: a forged ``Host`` (DNS rebinding) gets 403, a websocket or a ``POST`` whose
``Origin`` is another site is refused, and the server's own names, its own pages' websockets
(NiceGUI's socket.io, Streamlit's stream) and socket.io's polling still work. The pure checks
of :mod:`vrdndi_ui.local_origin` are tested at the end without a server.
"""

from __future__ import annotations

import json
import os
import socket
import stat
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from tests.harness.paths import REPO_ROOT
from tests.harness.ports import free_port
from tests.harness.process import ServerProcess
from vrdndi_pipeline.core.store.database import open_database
from vrdndi_ui.local_origin import allowed_hosts, host_name, parse_host_names, refusal

pytestmark = pytest.mark.slow

SOCKET_IO = "/_nicegui_ws/socket.io/?EIO=4&transport="
STREAM = "/_stcore/stream"


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The servers' working folder: ``data/`` (database, NiceGUI storage) and ``secrets/``."""
    return tmp_path_factory.mktemp("servers")


@pytest.fixture(scope="module")
def servers(folder: Path) -> Iterator[dict[str, int]]:
    """``{"feed": port, "labeller": port}``: both servers on one migrated database."""
    tmp = folder
    url = f"sqlite:///{tmp / 'data' / 'vrdndi.db'}"
    engine = open_database(url)
    engine.dispose()
    env = {
        **os.environ,
        "VRDNDI_DATABASE_URL": url,
        "VRDNDI_DATA_DIR": str(tmp / "data"),
        "VRDNDI_TIMEZONE": "UTC",
        "HOME": str(tmp / "home"),  # Streamlit keeps nothing in the real home
    }
    env.pop("VRDNDI_SECRETS_DIR", None)
    env.pop("PYTEST_CURRENT_TEST", None)  # else NiceGUI believes it runs inside pytest
    ports = {"feed": free_port(), "labeller": free_port()}
    feed = ServerProcess(
        [sys.executable, "-m", "vrdndi_ui.feed", "--port", str(ports["feed"])],
        url=f"http://127.0.0.1:{ports['feed']}/",
        log_path=tmp / "feed-site.log",
        env={**env, "VRDNDI_ALLOWED_HOSTS": "feed.test"},
        cwd=tmp,
    )
    labeller = ServerProcess(
        [
            sys.executable,
            "-m",
            "vrdndi_ui.labeller",
            "--port",
            str(ports["labeller"]),
            "--allowed-host",
            "labeller.test",
        ],
        url=f"http://127.0.0.1:{ports['labeller']}/_stcore/health",
        log_path=tmp / "labeller.log",
        env=env,
        cwd=REPO_ROOT,
    )
    with ThreadPoolExecutor(2) as pool:  # both start at once: half the waiting
        started = [pool.submit(server.start) for server in (feed, labeller)]
        try:
            for future in started:
                future.result()
            yield ports
        finally:
            feed.stop()
            labeller.stop()


def get(port: int, path: str = "/", **headers: str) -> httpx.Response:
    return httpx.get(f"http://127.0.0.1:{port}{path}", headers=headers, timeout=30)


def open_websocket(port: int, path: str, origin: str | None, host: str | None = None) -> str:
    """The first message of a websocket to the server on ``port`` (``"open"`` when the server
    sends none first), sent with ``origin`` and, if given, a forged ``host`` name."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    uri = f"ws://{host or '127.0.0.1'}:{port}{path}"
    with connect(uri, sock=sock, origin=origin, open_timeout=10) as ws:
        if path.startswith(SOCKET_IO):
            return str(ws.recv(timeout=10))
        return "open"


SERVERS = ["feed", "labeller"]
PATHS = {"feed": "/", "labeller": "/"}
WEBSOCKETS = {"feed": SOCKET_IO + "websocket", "labeller": STREAM}
EXTRA_NAME = {"feed": "feed.test", "labeller": "labeller.test"}


@pytest.mark.parametrize("server", SERVERS)
def test_a_forged_host_gets_403(servers: dict[str, int], server: str) -> None:
    port = servers[server]
    for host in (f"evil.example:{port}", "evil.example", "127.0.0.1.evil.example", "[::2]"):
        response = get(port, PATHS[server], Host=host)
        assert response.status_code == 403, host
        assert response.headers["content-type"].startswith("text/plain")
        assert "Host header" in response.text and len(response.text) < 200


@pytest.mark.parametrize("server", SERVERS)
def test_the_servers_own_names_are_served(servers: dict[str, int], server: str) -> None:
    port = servers[server]
    names = ["127.0.0.1", "localhost", "[::1]", "LOCALHOST", EXTRA_NAME[server]]
    for host in [f"{name}:{port}" for name in names] + ["localhost"]:
        response = get(port, PATHS[server], Host=host)
        assert response.status_code == 200, host
        assert "<html" in response.text.lower()


@pytest.mark.parametrize("server", SERVERS)
def test_a_websocket_from_another_site_is_refused(servers: dict[str, int], server: str) -> None:
    port, path = servers[server], WEBSOCKETS[server]
    own = open_websocket(port, path, f"http://127.0.0.1:{port}")
    assert own.startswith('0{"sid"') if server == "feed" else own == "open"
    assert open_websocket(port, path, f"http://localhost:{port}", host="localhost")
    assert open_websocket(port, path, None)  # no Origin: not a browser
    for origin, host in [
        ("http://evil.example", None),
        (f"http://evil.example:{port}", None),
        (f"http://127.0.0.1:{port + 1}", None),  # another local site
        ("null", None),  # a sandboxed frame or a file:// page
        (f"http://evil.example:{port}", "evil.example"),  # DNS rebinding
    ]:
        with pytest.raises(InvalidStatus) as refused:
            open_websocket(port, path, origin, host=host)
        assert refused.value.response.status_code == 403, (origin, host)


def test_socket_io_polling_works_from_the_page_and_not_from_another_site(
    servers: dict[str, int],
) -> None:
    port = servers["feed"]
    own = {"Origin": f"http://127.0.0.1:{port}"}
    base = f"http://127.0.0.1:{port}{SOCKET_IO}polling"
    opened = httpx.get(base, headers=own, timeout=30)
    assert opened.status_code == 200 and opened.text.startswith("0{")
    sid = json.loads(opened.text[1:])["sid"]
    posted = httpx.post(f"{base}&sid={sid}", content="40", headers=own, timeout=30)
    assert posted.status_code == 200 and posted.text == "OK"
    evil = {"Origin": "http://evil.example"}
    assert httpx.post(f"{base}&sid={sid}", content="40", headers=evil).status_code == 403
    refused = httpx.get(base, headers=evil, timeout=30)  # CORS "*" would have let it read
    assert refused.status_code == 403 and "Origin" in refused.text


@pytest.mark.parametrize("server", SERVERS)
def test_a_post_from_another_site_is_refused(servers: dict[str, int], server: str) -> None:
    port = servers[server]
    response = httpx.post(
        f"http://127.0.0.1:{port}/", headers={"Origin": "https://evil.example"}, timeout=30
    )
    assert response.status_code == 403 and "other sites" in response.text


def test_the_servers_keep_their_folders_private(servers: dict[str, int], folder: Path) -> None:
    modes = {
        name: stat.S_IMODE((folder / name).stat().st_mode)
        for name in ("data", "data/nicegui", "secrets", "data/vrdndi.db")
    }
    assert modes == {
        "data": 0o700,
        "data/nicegui": 0o700,
        "secrets": 0o700,
        "data/vrdndi.db": 0o600,
    }


# ---- the checks without a server -------------------------------------------------------------


def scope(host: str | None, origin: str | None = None, scheme: str = "http") -> dict[str, object]:
    headers = [(b"host", host.encode())] if host is not None else []
    if origin is not None:
        headers.append((b"origin", origin.encode()))
    return {"type": "http", "scheme": scheme, "method": "GET", "path": "/", "headers": headers}


def test_refusal_rules() -> None:
    allowed = allowed_hosts("127.0.0.1", ["feed.lan"], environ={})
    served = [
        scope("127.0.0.1:8080"),
        scope("[::1]:8080", "http://[::1]:8080"),
        scope("[0:0:0:0:0:0:0:1]"),
        scope("localhost.", "http://LOCALHOST"),
        scope("feed.lan", "https://feed.lan"),  # behind a TLS proxy that keeps the Host
        scope("feed.lan:443", "https://feed.lan"),
        scope("localhost:8080", "http://127.0.0.1:8080"),  # both names are this server's
    ]
    refused = [
        scope(None),
        scope(""),
        scope("evil.example"),
        scope("::1"),  # IPv6 without brackets
        scope("127.0.0.1:0"),
        scope("127.0.0.1:99999"),
        scope("127.0.0.1:80a"),
        scope("127.0.0.1:8080", "http://evil.example:8080"),
        scope("127.0.0.1:8080", "http://127.0.0.1:8081"),
        scope("127.0.0.1:8080", "http://127.0.0.1"),
        scope("127.0.0.1:8080", "null"),
        scope("127.0.0.1:8080", "file://"),
        scope("127.0.0.1:8080", "http://127.0.0.1:8080/path"),
        scope("127.0.0.1:8080", "http://user@127.0.0.1:8080"),
        scope("127.0.0.1:8080", "ftp://127.0.0.1:8080"),
    ]
    assert [refusal(s, allowed) for s in served] == [None] * len(served)
    assert all(refusal(s, allowed) for s in refused)
    two_hosts = scope("127.0.0.1")
    two_hosts["headers"] = [(b"host", b"127.0.0.1"), (b"host", b"evil.example")]
    assert refusal(two_hosts, allowed)


def test_allowed_host_configuration() -> None:
    assert allowed_hosts(environ={}) == {"127.0.0.1", "localhost", "::1"}
    assert allowed_hosts("0.0.0.0", environ={}) == {"127.0.0.1", "localhost", "::1"}
    assert "192.168.1.5" in allowed_hosts("192.168.1.5", environ={})
    env = {"VRDNDI_ALLOWED_HOSTS": " Feed.LAN., other.lan  [::1]"}
    assert allowed_hosts(environ=env) >= {"feed.lan", "other.lan"}
    assert parse_host_names("") == []
    assert host_name("[0:0::1]") == "::1"
    for bad in ("evil.example:8080", "*", "http://x", "a b", "-x.lan", ""):
        with pytest.raises(ValueError):
            host_name(bad)
    with pytest.raises(ValueError):
        allowed_hosts(environ={"VRDNDI_ALLOWED_HOSTS": "ok.lan,*"})


def test_help_documents_the_allowed_hosts() -> None:
    import subprocess

    for module in ("vrdndi_ui.feed", "vrdndi_ui.labeller"):
        out = subprocess.run(
            [sys.executable, "-m", module, "--help"],
            capture_output=True,
            text=True,
            check=True,
            cwd=REPO_ROOT,
            timeout=120,
        ).stdout
        assert "--allowed-host" in out and "VRDNDI_ALLOWED_HOSTS" in out, module
