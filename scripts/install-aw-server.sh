#!/usr/bin/env bash
# Install the real ActivityWatch server (PyPI `aw-server` 0.12.0) into its own virtualenv.
#
# aw-server 0.12.0 only works with flask<2.3 and peewee<4, which clash with the project's
# own environment, so it lives in `.venv-aw` (repo root), installed from the exact lock file
# `requirements-aw-server.txt` with `--no-deps`. The test harness (tests/harness/aw_server.py)
# starts `.venv-aw/bin/aw-server` on a free loopback port.
#
# Idempotent: does nothing when `.venv-aw/bin/aw-server` exists and `.venv-aw/.installed`
# holds the sha256 of the lock file. Otherwise the virtualenv is rebuilt from scratch, and the
# marker is only written after a real aw-server has started and answered /api/0/info.
#
# Environment: PYTHON (default python3.11) is the interpreter used to create the virtualenv.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv-aw"
LOCK="$ROOT/requirements-aw-server.txt"
MARKER="$VENV/.installed"
PYTHON="${PYTHON:-python3.11}"

[ -f "$LOCK" ] || { echo "install-aw-server: missing lock file $LOCK" >&2; exit 1; }
WANT="$(sha256sum "$LOCK" | cut -d' ' -f1)"

if [ -x "$VENV/bin/aw-server" ] && [ -f "$MARKER" ] && [ "$(cat "$MARKER")" = "$WANT" ]; then
    echo "install-aw-server: $VENV is up to date"
    exit 0
fi

echo "install-aw-server: building $VENV from $LOCK"
rm -rf "$VENV"
if "$PYTHON" -m venv "$VENV"; then
    "$VENV/bin/python" -m pip install --quiet --no-deps -r "$LOCK"
    "$VENV/bin/python" -m pip check
elif [ -x "$ROOT/.venv/bin/python" ] && rm -rf "$VENV" && "$PYTHON" -m venv --without-pip "$VENV"; then
    # Debian's python3.11 without python3.11-venv has no ensurepip: drive the project's pip.
    echo "install-aw-server: no ensurepip; installing with the pip of $ROOT/.venv" >&2
    "$ROOT/.venv/bin/python" -m pip --python "$VENV/bin/python" install --quiet --no-deps -r "$LOCK"
    "$ROOT/.venv/bin/python" -m pip --python "$VENV/bin/python" check
else
    echo "install-aw-server: '$PYTHON -m venv' failed (on Debian: apt-get install python3.11-venv)" >&2
    exit 1
fi

# Smoke test: the server must start on a free loopback port and answer /api/0/info.
SMOKE="$(mktemp -d)"
AW_PID=""
cleanup() {
    if [ -n "$AW_PID" ] && kill -0 "$AW_PID" 2>/dev/null; then
        kill -TERM "$AW_PID" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$AW_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$AW_PID" 2>/dev/null || true
        wait "$AW_PID" 2>/dev/null || true
    fi
    rm -rf "$SMOKE"
}
trap cleanup EXIT

PORT="$("$VENV/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
env -u PYTHONPATH -u PYTHONHOME -u VIRTUAL_ENV \
    HOME="$SMOKE" XDG_DATA_HOME="$SMOKE/data" XDG_CONFIG_HOME="$SMOKE/config" \
    XDG_CACHE_HOME="$SMOKE/cache" \
    "$VENV/bin/aw-server" --testing --host 127.0.0.1 --port "$PORT" >"$SMOKE/aw-server.log" 2>&1 &
AW_PID=$!

ok=""
for _ in $(seq 1 300); do
    if ! kill -0 "$AW_PID" 2>/dev/null; then break; fi
    if "$VENV/bin/python" - "$PORT" <<'PY' 2>/dev/null
import json, sys, urllib.request
with urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/api/0/info", timeout=1) as r:
    assert "version" in json.load(r)
PY
    then ok=1; break; fi
    sleep 0.1
done
if [ -z "$ok" ]; then
    echo "install-aw-server: aw-server did not answer /api/0/info; log:" >&2
    tail -n 40 "$SMOKE/aw-server.log" >&2 || true
    exit 1
fi

echo "$WANT" >"$MARKER"
echo "install-aw-server: aw-server $("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("aw-server"))') OK ($VENV)"
