"""Which windows each kind of segment shows, and for how long: weighted mixes of page builders."""

from __future__ import annotations

from vrdndi_pipeline.demo.generator.activity_pages import (
    Builder,
    arxiv_page,
    docs_page,
    editor,
    ff,
    github_page,
    google_search,
    hacker_news,
    internal_page,
    misc_window,
    native,
    reddit_page,
    side_web,
    stack_overflow,
    terminal,
)
from vrdndi_pipeline.demo.generator.catalogue_activity import (
    ARXIV_PAPERS,
    DISCORD_TITLES,
    NOTEBOOKS,
    SIDE_PROJECT,
    SLACK_TITLES,
    SPOTIFY_TITLES,
    STEAM_TITLES,
    STUDY_PROJECT,
    THUNDERBIRD_TITLES,
)
from vrdndi_pipeline.demo.generator.records import Page

Mix = tuple[tuple[float, float, float, Builder], ...]  # (weight, median s, sigma, page builder)


def work_mix(project: tuple[str, str, tuple[str, ...]]) -> Mix:
    repo = f"acme-analytics/{project[0]}"
    return (
        (0.36, 14, 1.0, editor(project)),
        (0.17, 8, 0.9, terminal(project)),
        (0.08, 15, 1.0, github_page(repo)),
        (0.06, 20, 1.0, stack_overflow),
        (0.06, 20, 1.0, docs_page),
        (0.05, 15, 1.0, internal_page),
        (0.10, 8, 0.9, native("Slack", SLACK_TITLES)),
        (0.04, 15, 0.8, native("thunderbird", THUNDERBIRD_TITLES)),
        (0.04, 8, 0.6, google_search),
        (0.02, 5, 0.4, native("Spotify", SPOTIFY_TITLES)),
        (0.02, 8, 0.6, misc_window),
    )


def meeting_mix(project: tuple[str, str, tuple[str, ...]]) -> Mix:
    return (
        (0.85, 300, 0.7, native("zoom", ("Zoom Meeting", "Zoom Workplace"))),
        (0.10, 15, 0.7, native("Slack", SLACK_TITLES)),
        (0.05, 20, 0.8, github_page(f"acme-analytics/{project[0]}")),
    )


def study_mix() -> Mix:
    return (
        (0.27, 45, 0.9, arxiv_page),
        (0.18, 80, 0.9, lambda rng: Page("Evince", f"{rng.choice(ARXIV_PAPERS)[0]}v2.pdf")),
        (
            0.18,
            120,
            1.0,
            lambda rng: ff(
                f"{rng.choice(NOTEBOOKS)} - JupyterLab",
                "http://localhost:8888/lab/tree/" + rng.choice(NOTEBOOKS),
            ),
        ),
        (
            0.10,
            60,
            0.8,
            native(
                "obsidian",
                (
                    "LoRA notes - ml-notes - Obsidian v1.9.10",
                    "Reading list - ml-notes - Obsidian v1.9.10",
                ),
            ),
        ),
        (0.12, 60, 1.0, editor(STUDY_PROJECT)),
        (0.05, 12, 0.6, google_search),
        (0.03, 6, 0.4, native("Spotify", SPOTIFY_TITLES)),
        (0.05, 15, 0.7, native("discord", DISCORD_TITLES)),
    )


def side_project_mix() -> Mix:
    return (
        (0.40, 20, 1.0, editor(SIDE_PROJECT)),
        (0.18, 10, 1.0, terminal(SIDE_PROJECT)),
        (0.25, 20, 1.0, side_web),
        (0.04, 6, 0.4, native("Spotify", SPOTIFY_TITLES)),
        (0.08, 15, 0.7, native("discord", DISCORD_TITLES)),
        (0.05, 10, 0.6, google_search),
    )


def gaming_mix(game: tuple[str, str]) -> Mix:
    return (
        (0.65, 600, 0.6, lambda rng: Page(*game)),
        (0.20, 20, 0.8, native("discord", DISCORD_TITLES)),
        (0.10, 40, 0.7, native("steam", STEAM_TITLES)),
        (0.05, 6, 0.4, native("Spotify", SPOTIFY_TITLES)),
    )


LEISURE_MIXES: dict[str, Mix] = {
    "reddit": (
        (0.75, 40, 0.9, reddit_page),
        (0.15, 40, 0.9, hacker_news),
        (0.10, 15, 0.7, native("discord", DISCORD_TITLES)),
    ),
    "chat": (
        (0.7, 30, 0.8, native("discord", DISCORD_TITLES)),
        (0.2, 40, 0.9, reddit_page),
        (0.1, 6, 0.4, native("Spotify", SPOTIFY_TITLES)),
    ),
}
