"""Page builders: each turns a random stream into one focused window (a native app or a
Firefox page), drawing titles and URLs from the activity catalogue."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence

from vrdndi_pipeline.demo.anchor import HOSTNAME
from vrdndi_pipeline.demo.generator.catalogue_activity import (
    ARXIV_PAPERS,
    FIREFOX,
    GITHUB_PUBLIC,
    HN_STORIES,
    INTERNAL_PAGES,
    ISSUE_TITLES,
    MISC_WINDOWS,
    OTHER_DOCS,
    PR_TITLES,
    PYTHON_DOCS,
    REDDIT_POSTS,
    SEARCHES,
    SO_QUESTIONS,
    TERMINAL_TITLES,
)
from vrdndi_pipeline.demo.generator.identifiers import digest, slug
from vrdndi_pipeline.demo.generator.records import Page

Builder = Callable[[random.Random], Page]


def ff(title: str, url: str, audible: bool = False) -> Page:
    return Page(FIREFOX, title, url, audible)


def editor(project: tuple[str, str, tuple[str, ...]]) -> Builder:
    name, app, files = project

    state = {"file": files[0], "dirty": False}

    def build(rng: random.Random) -> Page:
        # Mostly the same file; VS Code marks unsaved edits with "●", and every save changes
        # the title back, which is why real editor events are short.
        if rng.random() < 0.3:
            state["file"] = rng.choice(files)
        state["dirty"] = rng.random() < 0.5
        if app == "Code":
            dirty = "● " if state["dirty"] else ""
            return Page(app, f"{dirty}{state['file']} - {name} - Visual Studio Code")
        return Page(app, f"{name} – {state['file']}")

    return build


def terminal(project: tuple[str, str, tuple[str, ...]]) -> Builder:
    name, _, files = project

    def build(rng: random.Random) -> Page:
        if rng.random() < 0.25:
            return Page("Gnome-terminal", f"demo@{HOSTNAME}: ~/src/{name}")
        return Page(
            "Alacritty", rng.choice(TERMINAL_TITLES).format(project=name, file=rng.choice(files))
        )

    return build


def github_page(owner_repo: str) -> Builder:
    def build(rng: random.Random) -> Page:
        number = rng.randint(40, 900)
        kind = rng.choice(("pull", "issues", "actions"))
        if kind == "pull":
            title = f"{rng.choice(PR_TITLES)} by {rng.choice(('jweber', 'aylind', 'demo-dev'))} · Pull Request #{number} · {owner_repo} · GitHub"
            return ff(title, f"https://github.com/{owner_repo}/pull/{number}")
        if kind == "issues":
            title = f"{rng.choice(ISSUE_TITLES)} · Issue #{number} · {owner_repo} · GitHub"
            return ff(title, f"https://github.com/{owner_repo}/issues/{number}")
        return ff(
            f"Workflow runs · {owner_repo} · GitHub", f"https://github.com/{owner_repo}/actions"
        )

    return build


def public_repo(rng: random.Random) -> Page:
    repo, about = rng.choice(GITHUB_PUBLIC)
    return ff(f"GitHub - {repo}: {about}", f"https://github.com/{repo}")


def stack_overflow(rng: random.Random) -> Page:
    tag, question, number = rng.choice(SO_QUESTIONS)
    return ff(
        f"{tag} - {question} - Stack Overflow",
        f"https://stackoverflow.com/questions/{number}/{slug(question)}",
    )


def docs_page(rng: random.Random) -> Page:
    if rng.random() < 0.5:
        module, about = rng.choice(PYTHON_DOCS)
        return ff(
            f"{module} — {about} — Python 3.11.14 documentation",
            f"https://docs.python.org/3.11/library/{module}.html",
        )
    return ff(*rng.choice(OTHER_DOCS))


def internal_page(rng: random.Random) -> Page:
    title, url = rng.choice(INTERNAL_PAGES)
    number = str(rng.randint(1200, 1900))
    return ff(title.replace("{n}", number), url.replace("{n}", number))


def google_search(rng: random.Random) -> Page:
    query = rng.choice(SEARCHES)
    return ff(
        f"{query} - Google Search", "https://www.google.com/search?q=" + query.replace(" ", "+")
    )


def side_web(rng: random.Random) -> Page:
    roll = rng.random()
    if roll < 0.25:
        return public_repo(rng)
    if roll < 0.45:
        return ff(
            *rng.choice(
                (
                    ("Assets | Dagster", "http://localhost:3000/assets"),
                    ("Runs | Dagster", "http://localhost:3000/runs"),
                    ("peft · PyPI", "https://pypi.org/project/peft/"),
                    ("ui.table | NiceGUI", "https://nicegui.io/documentation/table"),
                )
            )
        )
    if roll < 0.6:
        return github_page("demo-dev/vrdndi")(rng)
    return docs_page(rng) if roll < 0.8 else stack_overflow(rng)


def arxiv_page(rng: random.Random) -> Page:
    number, title = rng.choice(ARXIV_PAPERS)
    if rng.random() < 0.3:
        return ff(f"{number}v2.pdf", f"https://arxiv.org/pdf/{number}v2")
    return ff(f"[{number}] {title}", f"https://arxiv.org/abs/{number}")


def reddit_page(rng: random.Random) -> Page:
    sub, post = rng.choice(REDDIT_POSTS)
    roll = rng.random()
    if roll < 0.15:
        return ff("Reddit - The heart of the internet", "https://www.reddit.com/")
    if roll < 0.35:
        return ff(f"r/{sub}", f"https://www.reddit.com/r/{sub}/")
    post_id = digest(sub, post, length=7).lower().replace("-", "x").replace("_", "y")
    return ff(
        f"{post} : r/{sub}", f"https://www.reddit.com/r/{sub}/comments/{post_id}/{slug(post)}/"
    )


def hacker_news(rng: random.Random) -> Page:
    if rng.random() < 0.4:
        return ff("Hacker News", "https://news.ycombinator.com/")
    story = rng.choice(HN_STORIES)
    return ff(
        f"{story} | Hacker News",
        f"https://news.ycombinator.com/item?id={45_000_000 + HN_STORIES.index(story) * 7919}",
    )


def native(app: str, titles: Sequence[str]) -> Builder:
    return lambda rng: Page(app, rng.choice(titles))


def misc_window(rng: random.Random) -> Page:
    return Page(*rng.choice(MISC_WINDOWS))
