"""Refuse other sites: the Host and Origin check of vrdndi's two local servers.

The feed site and the labeller have no login: whoever talks to them reads the feed and presses
its buttons. They bind 127.0.0.1, yet a web page open in the user's browser can reach them in
two ways, and :class:`LocalOriginMiddleware` (pure ASGI, for HTTP and websockets) stops both:

* DNS rebinding: a page on ``evil.example`` points its own name at 127.0.0.1 and then reads
  ``http://evil.example:8080/`` as its own site. The browser sends ``Host: evil.example:8080``,
  and only the server's own names are accepted: 127.0.0.1, localhost and [::1] (with or without
  a port), the address the server is bound to, and the names given with ``--allowed-host`` or
  in ``VRDNDI_ALLOWED_HOSTS`` (comma-separated), e.g. for a reverse proxy.
* Cross-site requests: a page on another site opens ``ws://127.0.0.1:8080/...`` or posts a
  form to it. Browsers name that page in an ``Origin`` header (always on a websocket handshake,
  a cross-site request and any same-site ``POST``): a request that carries one is served only
  when the Origin's host is allowed and its port is the one the request was sent to. A request
  without ``Origin`` (curl, a health check, a page load) needs only an allowed Host: only a
  program on this machine can send one, and it could read the database anyway.

A refused HTTP request gets ``403`` with a one-line plain-text reason; a refused websocket
handshake is closed before it is accepted (the server answers it ``403``). Both are logged with
their reason.
"""

from __future__ import annotations

import argparse
import ipaddress
import logging
import os
import re
from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Receive, Scope, Send

logger = logging.getLogger(__name__)

ENV_ALLOWED_HOSTS = "VRDNDI_ALLOWED_HOSTS"
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")
WILDCARD_ADDRESSES = {"", "0.0.0.0", "::"}  # bound to every address: no single name to allow
_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}
_LABEL = r"[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?"
_HOST_NAME = re.compile(rf"{_LABEL}(\.{_LABEL})*")


def host_name(text: str) -> str:
    """``text`` as the middleware compares names: lower case, no trailing dot, IP addresses in
    their short form, IPv6 without brackets. :class:`ValueError` when it is no host name."""
    name = text.strip().lower().rstrip(".")
    if name.startswith("[") and name.endswith("]"):
        name = name[1:-1]
    try:
        return str(ipaddress.ip_address(name))
    except ValueError:
        pass
    if len(name) > 253 or not _HOST_NAME.fullmatch(name):
        raise ValueError(f"{text.strip()!r} is not a host name (give a name, without port)")
    return name


def add_allowed_host_argument(parser: argparse.ArgumentParser, served: str) -> None:
    """``--allowed-host NAME`` (repeatable) on a server's command line; ``served`` names what
    the server shows ("the feed", "the labeller") in its help."""

    def name(text: str) -> str:
        try:
            return host_name(text)
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error)) from None

    parser.add_argument(
        "--allowed-host",
        action="append",
        default=[],
        metavar="NAME",
        type=name,
        help=f"another host name {served} may be opened under, e.g. behind a reverse proxy "
        f"(repeatable; also {ENV_ALLOWED_HOSTS}, comma-separated). Always allowed: 127.0.0.1, "
        "localhost, [::1] and the bound address. Other Host headers, and requests from pages "
        f"of other sites (Origin), get 403: a web page cannot read {served} or press its "
        "buttons by DNS rebinding",
    )


def parse_host_names(text: str) -> list[str]:
    """The names of a comma- or space-separated list such as ``VRDNDI_ALLOWED_HOSTS``."""
    return [host_name(part) for part in re.split(r"[,\s]+", text) if part]


def allowed_hosts(
    bind_host: str = "127.0.0.1",
    extra: Iterable[str] = (),
    environ: Mapping[str, str] | None = None,
) -> frozenset[str]:
    """The loopback names, ``bind_host`` (unless it is a wildcard such as 0.0.0.0), ``extra``
    and the names in ``VRDNDI_ALLOWED_HOSTS``; :class:`ValueError` names a bad entry."""
    env = os.environ if environ is None else environ
    names = {host_name(name) for name in LOOPBACK_NAMES}
    if bind_host.strip() not in WILDCARD_ADDRESSES:
        names.add(host_name(bind_host))
    names.update(host_name(name) for name in extra)
    names.update(parse_host_names(env.get(ENV_ALLOWED_HOSTS, "")))
    return frozenset(names)


def _split_authority(text: str) -> tuple[str, int | None] | None:
    """``host[:port]`` of a Host header, or ``None`` when it is malformed."""
    if text.startswith("["):
        end = text.find("]")
        if end < 0:
            return None
        host, rest = text[: end + 1], text[end + 1 :]
        if rest and not rest.startswith(":"):
            return None
        port_text = rest[1:] if rest else None
    elif text.count(":") == 1:
        host, port_text = text.split(":")
    elif ":" in text:
        return None  # an IPv6 address must be in brackets
    else:
        host, port_text = text, None
    if port_text is not None and not (port_text.isascii() and port_text.isdigit()):
        return None
    port = int(port_text) if port_text else None
    if port is not None and not 0 < port < 65536:
        return None
    try:
        return host_name(host), port
    except ValueError:
        return None


def _origin(text: str) -> tuple[str, str, int | None] | None:
    """(scheme, host, explicit port) of an Origin header, ``None`` when it names no site
    (``null`` from a sandboxed frame or a file, or anything malformed)."""
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    if parts.username is not None or parts.path or parts.query or parts.fragment:
        return None
    try:
        return parts.scheme, host_name(parts.hostname), port
    except ValueError:
        return None


def refusal(scope: Scope, allowed: frozenset[str]) -> str | None:
    """Why the request of ``scope`` is refused, or ``None`` when it is served."""
    hosts: list[bytes] = []
    origins: list[bytes] = []
    for name, value in scope.get("headers", ()):
        if name == b"host":
            hosts.append(value)
        elif name == b"origin":
            origins.append(value)
    if len(hosts) != 1:
        return "the request must carry one Host header"
    host = _split_authority(hosts[0].decode("latin-1"))
    if host is None or host[0] not in allowed:
        return "the Host header does not name this server (see --allowed-host)"
    if not origins:
        return None
    origin = _origin(origins[0].decode("latin-1")) if len(origins) == 1 else None
    if origin is None or origin[1] not in allowed:
        return "requests from other sites are refused (Origin)"
    scheme, _, origin_port = origin
    default = _DEFAULT_PORTS[scheme]
    if (origin_port or default) != (host[1] or default):
        return "requests from other sites are refused (Origin)"
    return None


class LocalOriginMiddleware:
    """Serve only requests addressed to this server by name, from its own pages."""

    def __init__(self, app: ASGIApp, allowed_hosts: Iterable[str] = LOOPBACK_NAMES) -> None:
        self.app = app
        self.allowed = frozenset(host_name(name) for name in allowed_hosts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        reason = refusal(scope, self.allowed)
        if reason is None:
            await self.app(scope, receive, send)
            return
        logger.warning(
            "refused %s %r: %s",
            scope.get("method", "websocket"),
            str(scope.get("path", ""))[:100],
            reason,
        )
        if scope["type"] == "http":
            body = f"Forbidden: {reason}\n".encode()
            headers = [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                (b"x-content-type-options", b"nosniff"),
                (b"cache-control", b"no-store"),
            ]
            await send({"type": "http.response.start", "status": 403, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        # A close before the accept: the server answers the handshake with a bare 403. (A page's
        # script never sees a handshake's body, and uvicorn's websockets-sansio logs a false
        # error after the websocket.http.response extension.)
        await receive()  # websocket.connect
        await send({"type": "websocket.close", "code": 1008, "reason": reason})
