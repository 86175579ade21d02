"""Headless Debian Chromium driven by Playwright (which cannot download browsers here)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CHROMIUM = Path(os.environ.get("VRDNDI_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
INSTALL_HINT = (
    "install Debian's browser: apt-get update && apt-get install chromium chromium-driver"
)


@contextmanager
def chromium_browser() -> Iterator[Any]:
    """A Playwright ``Browser`` on the system Chromium; closed (process gone) on exit."""
    if not CHROMIUM.exists():
        raise RuntimeError(f"{CHROMIUM} is missing: {INSTALL_HINT}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            browser.close()
