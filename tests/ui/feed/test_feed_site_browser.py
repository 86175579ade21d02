"""The feed site as a real server (``python -m vrdndi_ui.feed``) in headless Chromium.

Screenshots of every page land in the test's ``tmp_path`` (``feed.png``, ``player.png``, ...).
"""

from __future__ import annotations

import os
import re
import stat
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.harness.ports import free_port
from tests.harness.process import ServerProcess
from tests.ui.feed.test_feed_site import database, feed_rows, feedback_rows, video_id, write_feed

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CARD = ".vr-card"
TITLE = ".vr-card [dir=auto]"


@pytest.fixture
def feed_server(tmp_path: Path) -> Iterator[Callable[[], tuple[str, Any]]]:
    """``start()`` -> (base URL, engine): the site on a fresh SQLite file, cwd ``tmp_path``."""
    servers: list[ServerProcess] = []
    db = tmp_path / "vrdndi.db"
    engine = database(f"sqlite:///{db}")

    def start() -> tuple[str, Any]:
        port = free_port()
        env = {
            **os.environ,
            "VRDNDI_DATABASE_URL": f"sqlite:///{db}",
            "VRDNDI_DATA_DIR": str(tmp_path / "data"),
            "VRDNDI_TIMEZONE": "Europe/Berlin",
        }
        env.pop("VRDNDI_SECRETS_DIR", None)  # the default: secrets/ under the working folder
        env.pop("PYTEST_CURRENT_TEST", None)  # else NiceGUI believes it runs inside pytest
        server = ServerProcess(
            [sys.executable, "-m", "vrdndi_ui.feed", "--port", str(port), "--poll-seconds", "1"],
            url=f"http://127.0.0.1:{port}/",
            log_path=tmp_path / "feed-site.log",
            env=env,
            cwd=tmp_path,
        )
        servers.append(server.start())
        return f"http://127.0.0.1:{port}", engine

    yield start
    for server in servers:
        server.stop()
    engine.dispose()


def card_count(page: Any) -> int:
    return int(page.locator(CARD).count())


def test_open_click_good_time_now_back(feed_server: Any, chromium: Any, tmp_path: Path) -> None:
    url, engine = feed_server()
    secret = tmp_path / "secrets" / "feed-storage-secret"
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600  # made on the first start
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    # no internet, whatever this machine has: thumbnails fail as they would offline
    page.route(re.compile(r"^https://i\.ytimg\.com/"), lambda route: route.abort("failed"))
    try:
        page.goto(url)
        page.get_by_text("No feed yet.").wait_for()
        page.screenshot(path=str(tmp_path / "empty.png"))
        write_feed(engine, feed_rows(60))
        page.get_by_role("button", name="Show new feed").click(timeout=15_000)
        page.locator(CARD).nth(20).wait_for(state="visible")
        assert card_count(page) == 21
        assert page.locator(TITLE).first.inner_text() == "Video 1 of gen-1"
        # offline every thumbnail in view hides itself over the placeholder tile (no broken
        # image icon), and the tile keeps the card's 16:9 shape
        page.wait_for_function(
            "() => { const shown = [...document.querySelectorAll('.vr-thumb img')]"
            ".filter(i => i.getBoundingClientRect().top < innerHeight);"
            " return shown.length >= 3"
            " && shown.every(i => getComputedStyle(i).display === 'none'); }",
            timeout=20_000,
        )
        tile = page.locator(".vr-thumb").first.bounding_box()
        assert tile is not None and abs(tile["width"] / tile["height"] - 16 / 9) < 0.05
        page.screenshot(path=str(tmp_path / "feed.png"), full_page=True)

        page.get_by_role("button", name="Load more").click()
        page.locator(CARD).nth(41).wait_for(state="visible")
        target = page.locator(CARD).nth(30)  # rank 31
        target.scroll_into_view_if_needed()
        scrolled = page.evaluate("window.scrollY")
        assert scrolled > 0
        target.click()
        frame = page.locator("iframe")
        frame.wait_for(state="attached")
        assert frame.get_attribute("src") == (
            f"https://www.youtube-nocookie.com/embed/{video_id('v', 30)}"
        )
        page.get_by_text("Why this video").wait_for()
        page.screenshot(path=str(tmp_path / "player.png"))

        page.get_by_role("button", name="Good time now (g)").click()
        page.get_by_text("Saved: Good time now ✓").wait_for()
        rows = feedback_rows(engine)
        assert [(r["video_id"], r["kind"], r["value"], r["timezone"]) for r in rows] == [
            (video_id("v", 30), "productive", 1, "Europe/Berlin")
        ]
        page.screenshot(path=str(tmp_path / "acknowledged.png"))

        page.get_by_role("button", name="Back to feed (Esc)").click()
        frame.wait_for(state="detached")
        page.wait_for_timeout(400)  # the dialog's closing animation restores the scroll
        assert card_count(page) == 42
        assert abs(page.evaluate("window.scrollY") - scrolled) <= 2
        page.screenshot(path=str(tmp_path / "back.png"))

        # a refresh of the feed announces itself; a reload shows it
        write_feed(engine, feed_rows(5, generation="gen-2", prefix="n"))
        page.get_by_text("A new feed is available.").wait_for(timeout=15_000)
        page.screenshot(path=str(tmp_path / "new-feed.png"))
        page.reload()
        page.locator(CARD).nth(4).wait_for(state="visible")
        assert card_count(page) == 5
        assert page.locator(TITLE).first.inner_text() == "Video 1 of gen-2"
        page.get_by_text("No more videos.").wait_for()
    finally:
        page.close()


HOSTILE = [
    '<script>window.__pwned = "script"</script>',
    "<img src=x onerror=\"window.__pwned = 'img'\">",
    "Emoji 🎬🔥 and more 🧑‍💻",
    "日本語のタイトル：中文标题",
    "عنوان عربي طويل للفيديو",
    "כותרת בעברית",
]


def test_hostile_titles_render_as_text(feed_server: Any, chromium: Any, tmp_path: Path) -> None:
    url, engine = feed_server()
    write_feed(engine, feed_rows(len(HOSTILE), titles=HOSTILE, ranking="interest-baseline"))
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(url)
        page.locator(CARD).nth(len(HOSTILE) - 1).wait_for(state="visible")
        titles = page.locator(TITLE)
        assert titles.all_inner_texts() == HOSTILE
        assert page.evaluate("window.__pwned") is None
        assert page.locator(".vr-card script").count() == 0
        assert page.locator(".vr-card img:not(.vr-thumb img)").count() == 0
        directions = titles.evaluate_all("els => els.map(e => getComputedStyle(e).direction)")
        assert directions == ["ltr", "ltr", "ltr", "ltr", "rtl", "rtl"]
        page.get_by_text("Fallback ranking:").wait_for()
        page.screenshot(path=str(tmp_path / "hostile-titles.png"), full_page=True)

        titles.nth(0).click()
        page.get_by_role("button", name="Interesting (i)", exact=True).wait_for()
        assert page.locator(".q-dialog [dir=auto]").first.inner_text() == HOSTILE[0]
        assert page.evaluate("window.__pwned") is None
        page.screenshot(path=str(tmp_path / "hostile-player.png"))
    finally:
        page.close()


# Every element with its own text: its colour over the composited backgrounds of its
# ancestors (WCAG 2 contrast of relative luminances); those under 4.5:1 come back.
LOW_CONTRAST_JS = """
() => {
  // a canvas turns any CSS colour (rgb, oklch, color()) into sRGB bytes
  const ctx = document.createElement('canvas').getContext('2d', {willReadFrequently: true});
  const parse = c => { ctx.clearRect(0, 0, 1, 1); ctx.fillStyle = 'rgba(0,0,0,0)';
    ctx.fillStyle = c; ctx.fillRect(0, 0, 1, 1); const d = ctx.getImageData(0, 0, 1, 1).data;
    return [d[0], d[1], d[2], d[3] / 255]; };
  const over = (top, bottom) => { const a = top[3];
    return [0, 1, 2].map(i => top[i] * a + bottom[i] * (1 - a)).concat([1]); };
  const lum = c => { const f = v => { v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); };
  const background = el => { const chain = [];
    for (let e = el; e; e = e.parentElement) chain.push(e);
    let bg = [255, 255, 255, 1];
    for (const e of chain.reverse()) { const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c[3] > 0) bg = over(c, bg); }
    return bg; };
  const bad = [];
  for (const el of document.querySelectorAll('body *')) {
    const text = [...el.childNodes].filter(n => n.nodeType === 3)
      .map(n => n.textContent.trim()).join('');
    const style = getComputedStyle(el);
    if (!text || style.visibility === 'hidden' || !el.getClientRects().length) continue;
    const bg = background(el);
    const fg = over(parse(style.color), bg);
    const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
    const ratio = (hi + 0.05) / (lo + 0.05);
    if (ratio < 4.5) bad.push([text.slice(0, 40), Math.round(ratio * 100) / 100]);
  }
  return bad;
}
"""


def test_keyboard_toggles_undo_and_contrast(
    feed_server: Any, chromium: Any, tmp_path: Path
) -> None:
    url, engine = feed_server()
    write_feed(engine, feed_rows(30, ranking="interest-baseline"))
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    page.route(re.compile(r"^https://i\.ytimg\.com/"), lambda route: route.abort("failed"))
    try:
        page.goto(url)
        page.locator(CARD).nth(20).wait_for(state="visible")
        assert page.evaluate(LOW_CONTRAST_JS) == []  # the grid, the fallback notice, badges

        # Tab reaches the first card (after the header's button), Enter opens it
        for _ in range(6):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.classList.contains('vr-card')"):
                break
        focused = page.evaluate("document.activeElement.getAttribute('aria-label')")
        assert focused == "Open Video 1 of gen-1"
        outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert outline != "none"  # focus is visible
        page.keyboard.press("Enter")
        page.locator("iframe").wait_for(state="attached")
        page.get_by_text("Why this video").wait_for()
        assert page.evaluate(LOW_CONTRAST_JS) == []  # the player

        page.keyboard.press("g")  # Good time now, on its key
        page.get_by_text("Saved: Good time now ✓").wait_for()
        page.keyboard.press("i")
        page.get_by_text("Saved: Interesting ✓").wait_for()
        good = page.get_by_role("button", name="Good time now (g)")
        assert good.get_attribute("aria-pressed") == "true"
        assert page.get_by_role("button", name="Not now (n)").get_attribute("aria-pressed") == (
            "false"
        )
        page.keyboard.press("Escape")
        page.locator("iframe").wait_for(state="detached")
        first = page.locator(CARD).first
        assert sorted(first.locator(".vr-mark").all_inner_texts()) == [
            "Good time now",
            "Interesting",
        ]
        page.reload()  # the state comes back from the database
        page.locator(CARD).nth(20).wait_for(state="visible")
        assert sorted(page.locator(CARD).first.locator(".vr-mark").all_inner_texts()) == [
            "Good time now",
            "Interesting",
        ]
        page.locator(CARD).first.click()
        good.wait_for()
        assert good.get_attribute("aria-pressed") == "true"
        assert [(r["kind"], r["value"]) for r in feedback_rows(engine)] == [
            ("productive", 1),
            ("interest", 1),
        ]

        page.keyboard.press("h")  # hide, then undo right where the card was
        page.get_by_text("Hidden: “Video 1 of gen-1”.").wait_for()
        assert page.evaluate(LOW_CONTRAST_JS) == []  # the undo card and notification
        page.get_by_role("button", name="Undo").click()
        page.locator(TITLE).first.wait_for()
        page.wait_for_function(
            "() => document.querySelector('.vr-card [dir=auto]').innerText === 'Video 1 of gen-1'"
        )
        page.screenshot(path=str(tmp_path / "keyboard.png"), full_page=True)

        page.set_viewport_size({"width": 390, "height": 844})
        page.get_by_role("button", name="Hidden").click()
        page.get_by_text("Hidden videos and channels").wait_for()
        assert page.evaluate(LOW_CONTRAST_JS) == []
        page.screenshot(path=str(tmp_path / "narrow-hidden.png"))
    finally:
        page.close()
