"""Screenshots of the demo feed for the docs: ``make screenshots`` (after ``make demo``).

Starts the feed site on the demo data (``data/demo``) on a free loopback port, opens it in
Debian's Chromium (Playwright, no browser download) at desktop width and at 390 px, and writes
``docs/feed-desktop.png``, ``docs/feed-player.png`` and ``docs/feed-390px.png``. Thumbnails are
blocked, as on a machine without internet, so the pictures do not depend on YouTube.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.harness.browser import chromium_browser  # noqa: E402
from tests.harness.ports import free_port  # noqa: E402
from tests.harness.process import ServerProcess  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=ROOT / "data" / "demo")
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    args = parser.parse_args(argv)
    if not (args.data_dir / "vrdndi.db").exists():
        parser.error(f"no demo database in {args.data_dir}: run make demo first")
    args.out.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = {**os.environ, "VRDNDI_SOURCES": "demo", "VRDNDI_DATA_DIR": str(args.data_dir)}
    site = ServerProcess(
        [sys.executable, "-m", "vrdndi_ui.feed", "--port", str(port)],
        url=f"http://127.0.0.1:{port}/",
        log_path=args.data_dir / "feed-screenshots.log",
        env=env,
        cwd=ROOT,
    )
    with site, chromium_browser() as browser:
        for name, viewport in (("desktop", (1280, 1000)), ("390px", (390, 844))):
            page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
            page.route(re.compile(r"^https://i\.ytimg\.com/"), lambda r: r.abort("failed"))
            page.goto(f"http://127.0.0.1:{port}/")
            page.locator(".vr-card").nth(3).wait_for(state="visible")
            page.wait_for_timeout(500)
            page.screenshot(path=str(args.out / f"feed-{name}.png"))
            sys.stdout.write(f"wrote {args.out / f'feed-{name}.png'}\n")
            if name == "desktop":
                page.locator(".vr-card").first.click()
                page.get_by_text("Why this video").wait_for()
                page.wait_for_timeout(500)
                page.screenshot(path=str(args.out / "feed-player.png"))
                sys.stdout.write(f"wrote {args.out / 'feed-player.png'}\n")
            page.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
