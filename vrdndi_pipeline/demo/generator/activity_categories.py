"""ActivityWatch category rules (``aw-categories.json``) that match the generated apps."""

from __future__ import annotations

from typing import Any


def category_rules() -> list[dict[str, Any]]:
    """The web UI's category rules (server setting ``classes``), matching the generated apps.

    Rules match any string in an event's data; on equal depth the later rule wins, so Video
    comes after Programming (a video about GitHub is still a video) and Music after Video.
    """
    rows: list[tuple[list[str], str | None, bool, str]] = [
        (["Work"], r"Jira|Confluence|Google Docs|LibreOffice", False, "#0F0"),
        (
            ["Work", "Programming"],
            r"^(Code|jetbrains-pycharm-ce|Alacritty|Gnome-terminal)$|GitHub|Stack Overflow|"
            r"documentation|Docs|JupyterLab|Dagster|NiceGUI|PyPI|Grafana|Sentry|localhost",
            False,
            "#0F0",
        ),
        (
            ["Work", "Research"],
            r"arxiv|^\[\d{4}\.\d{4,5}\]|\.pdf\b|^evince$|obsidian|openreview|papers with code",
            True,
            "#3B3",
        ),
        (["Comms"], None, False, "#0FF"),
        (["Comms", "IM"], r"Slack|Discord|Signal|Telegram|WhatsApp", True, "#0FF"),
        (["Comms", "Email"], r"Thunderbird|Gmail", True, "#0FF"),
        (["Comms", "Meetings"], r"^zoom$|Zoom Meeting|Zoom Workplace|Google Meet", False, "#0FF"),
        (["Media"], None, False, "#F33"),
        (
            ["Media", "Games"],
            r"^steam$|^steam_app_\d+$|Minecraft|Factorio|Stardew Valley",
            False,
            "#F80",
        ),
        (["Media", "Social Media"], r"Reddit|\br/\w+|Hacker News|Mastodon|Bluesky", True, "#F33"),
        (["Media", "Video"], r"YouTube(?! Music)|^vlc$|VLC media player|Netflix", False, "#F33"),
        (["Media", "Music"], r"^Spotify$|YouTube Music|Deezer|Bandcamp", False, "#F33"),
        (["Uncategorized"], None, False, "#CCC"),
    ]
    rules = []
    for i, (name, regex, ignore_case, color) in enumerate(rows, start=1):
        rule: dict[str, Any] = {"type": None}
        if regex is not None:
            rule = {"type": "regex", "regex": regex, "ignore_case": ignore_case}
        rules.append({"id": i, "name": name, "rule": rule, "data": {"color": color}})
    return rules
