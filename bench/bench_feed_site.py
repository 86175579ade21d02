"""Feed site benchmark: the real server (``python -m vrdndi_ui.feed``) on a SQLite feed of
1,000 videos, driven by headless Chromium (Debian's ``/usr/bin/chromium`` via Playwright).

Prints one JSON object:

* ``first_render_ms``: navigation start -> 21 cards in the page (``performance.now()`` when
  the 21st card has a layout box), ``LOADS`` loads with an empty browser cache and ``LOADS``
  with NiceGUI's static files cached (a returning user);
* ``feedback_browser_ms``: click on a feedback button -> "Saved" acknowledgement on screen,
  ``CLICKS`` clicks through the browser (p50/p95/max);
* ``feedback_write_ms``: the server's write path alone (``FeedbackOutbox.submit`` in one
  write transaction on the same database file while the server runs), ``WRITES`` clicks;
* the rows stored (must equal the clicks) and the server's peak RSS.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from vrdndi_pipeline.core.feed.reasons import Reason, reasons_to_json
from vrdndi_pipeline.core.store.database import (
    make_engine,
    open_database,
    read_transaction,
    write_transaction,
)
from vrdndi_pipeline.core.store.feed_tables import replace_feed
from vrdndi_pipeline.core.store.schema import feedback
from vrdndi_ui.feed.feed_cards import KEYS
from vrdndi_ui.feed.feedback_outbox import FeedbackOutbox, database_writer, new_click

ROWS, LOADS, CLICKS, WRITES = 1_000, 10, 40, 200
CHROMIUM = os.environ.get("VRDNDI_CHROMIUM", "/usr/bin/chromium")
LABELS = ["Interesting", "Not interested", "Good time now", "Not now"]


def feed_rows(n: int) -> list[dict[str, Any]]:
    now = datetime.now(UTC)
    return [
        {
            "video_id": f"b{i:010d}",
            "rank": i + 1,
            "title": f"Benchmark video {i + 1}: a title of ordinary length 🎬",
            "channel_id": f"UC{i % 50:022d}",
            "channel_title": f"Channel {i % 50}",
            "duration_s": 60 + (i * 97) % 5400,
            "published_at": now - timedelta(minutes=37 * (i + 1)),
            "interest_score": 0.9 - i / 2000,
            "productive_score": 0.5,
            "combined_score": 1.0 - i / 2000,
            "ranking": "champion",
            "model_version": "1",
            "generation": "bench",
            "generated_at": now,
            "reasons": reasons_to_json(
                [
                    Reason("activity", "1 h 40 min of Work > Programming in the last hour", 0.6),
                    Reason("video", f"Channel {i % 50}: you liked 3 of its 4 videos", 0.4),
                    Reason("similar", "like “a video you liked”, which you liked on YouTube", 0.2),
                ]
            ),
            "explored": i % 10 == 0,
            "propensity": 0.9,
        }
        for i in range(n)
    ]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(folder: Path, url: str, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "VRDNDI_DATABASE_URL": url,
        "VRDNDI_DATA_DIR": str(folder / "data"),
        "VRDNDI_SECRETS_DIR": str(folder / "secrets"),
    }
    env.pop("PYTEST_CURRENT_TEST", None)
    log = open(folder / "server.log", "wb")  # closed when the process ends
    proc = subprocess.Popen(
        [sys.executable, "-m", "vrdndi_ui.feed", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        env=env,
        cwd=folder,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError((folder / "server.log").read_text()[-3000:])
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).close()
            return proc
        except (urllib.error.URLError, OSError):
            time.sleep(0.25)
    stop_server(proc)
    raise RuntimeError("the feed site did not answer within 120 s")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    for sig, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, 10)):
        if proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            continue


def peak_rss_mib(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "n": len(ordered),
        "p50": round(statistics.median(ordered), 1),
        "p95": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 1),
        "max": round(ordered[-1], 1),
    }


FIRST_21 = (
    "() => { const c = document.querySelectorAll('.vr-card');"
    " return c.length >= 21 && c[20].getBoundingClientRect().height > 0"
    " ? performance.now() : false; }"
)


def first_render(page: Any, base: str) -> float:
    """Milliseconds from navigation start until the 21st card has a layout box."""
    page.goto(base, wait_until="commit")
    handle = page.wait_for_function(FIRST_21, polling="raf", timeout=60_000)
    elapsed = float(handle.json_value())
    page.close()
    return elapsed


def measure_browser(base: str) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            cold = []  # a fresh browser context each time: nothing cached
            for _ in range(LOADS):
                context = browser.new_context(viewport={"width": 1280, "height": 900})
                cold.append(first_render(context.new_page(), base))
                context.close()
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            first_render(context.new_page(), base)  # fills the cache
            warm = [first_render(context.new_page(), base) for _ in range(LOADS)]

            page = context.new_page()
            page.goto(base)
            page.locator(".vr-card").first.click()
            page.locator("iframe").wait_for(state="attached")
            clicks = []
            for k in range(CLICKS):
                label = LABELS[k % 4]
                started = time.perf_counter()
                page.get_by_role("button", name=f"{label} ({KEYS[label]})", exact=True).click()
                page.wait_for_function(
                    "n => [...document.querySelectorAll('.q-dialog .text-sm')]"
                    ".filter(e => e.textContent.startsWith('Saved: ')).length >= n",
                    arg=k + 1,
                    polling="raf",
                )
                clicks.append((time.perf_counter() - started) * 1000)
            page.close()
            context.close()
        finally:
            browser.close()
    return {
        "first_render_ms": {"cold_cache": summary(cold), "warm_cache": summary(warm)},
        "feedback_browser_ms": summary(clicks),
    }


def measure_write_path(url: str) -> dict[str, float]:
    engine = make_engine(url)
    outbox = FeedbackOutbox(database_writer(engine))
    times = []
    for k in range(WRITES):
        click = new_click(f"b{k % ROWS:010d}", LABELS[k % 4], "UTC")
        started = time.perf_counter()
        result = outbox.submit(click)
        times.append((time.perf_counter() - started) * 1000)
        assert result.saved, result.error
    engine.dispose()
    return summary(times)


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-feed-site-") as tmp:
        folder = Path(tmp)
        url = f"sqlite:///{folder / 'vrdndi.db'}"
        engine = open_database(url)
        with write_transaction(engine) as conn:
            replace_feed(conn, feed_rows(ROWS))
        port = free_port()
        started = time.perf_counter()
        server = start_server(folder, url, port)
        startup_s = time.perf_counter() - started
        try:
            figures = measure_browser(f"http://127.0.0.1:{port}/")
            figures["feedback_write_ms"] = measure_write_path(url)
            rss = peak_rss_mib(server.pid)
        finally:
            stop_server(server)
        with read_transaction(engine) as conn:
            stored = conn.execute(select(func.count()).select_from(feedback)).scalar_one()
        engine.dispose()
    if stored != CLICKS + WRITES:  # a fast site that loses clicks is no result
        raise SystemExit(f"{CLICKS + WRITES} feedback clicks made, but {stored} rows stored")
    json.dump(
        {
            "feed_rows": ROWS,
            "server_start_s": round(startup_s, 2),
            **figures,
            "feedback_rows_stored": int(stored),
            "feedback_clicks_made": CLICKS + WRITES,
            "server_peak_rss_mib": rss,
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
