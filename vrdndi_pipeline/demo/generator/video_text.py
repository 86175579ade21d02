"""Titles and descriptions of demo videos, and channel descriptions, from the topic templates."""

from __future__ import annotations

import random
import re
from collections.abc import Sequence

from vrdndi_pipeline.demo.generator.catalogue_activity import ARXIV_PAPERS
from vrdndi_pipeline.demo.generator.catalogue_topics import COMMON_SLOTS, TOPICS
from vrdndi_pipeline.demo.generator.identifiers import digest, slug
from vrdndi_pipeline.demo.generator.records import DemoChannel

# fmt: off
STYLE_SUFFIXES = ("!!", "?!", "", "")
CHAPTER_LABELS = (
    "Intro", "Background", "The problem", "First attempt", "What went wrong", "The fix",
    "Deep dive", "Results", "Q&A", "Outro",
)
# fmt: on


CHANNEL_BLURBS = {
    "en": "Videos about {0}, {1} and {2}. New uploads every week.",
    "de": "Videos rund um {0} und {1}. Jede Woche neu.",
    "ja": "{0}と{1}の動画を毎週投稿しています。",
    "ar": "قناة عن {0} و{1}. فيديو جديد كل أسبوع.",
}


def _fill(template: str, slots: dict[str, Sequence[str]], rng: random.Random) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: rng.choice(slots[m.group(1)]), template)


def _styled(title: str, style: str, emoji: Sequence[str], rng: random.Random) -> str:
    if style == "lower":
        return title.lower()
    if style == "caps" and rng.random() < 0.7:
        shouty = title.upper()
        return shouty + (rng.choice(STYLE_SUFFIXES) if shouty[-1].isalnum() else "")
    if emoji and rng.random() < (0.7 if style == "emoji" else 0.06):
        return f"{title} {rng.choice(emoji)}"
    return title


_SAME_BOTH_SIDES = re.compile(r"\b(\S+) vs\.? \1\b", re.IGNORECASE)  # "Go vs Go"


def make_title(topic: str, style: str, rng: random.Random, taken: set[str]) -> str:
    spec = TOPICS[topic]
    slots = {**COMMON_SLOTS, **spec["slots"]}
    for _ in range(40):
        title = _styled(_fill(rng.choice(spec["templates"]), slots, rng), style, spec["emoji"], rng)
        if title not in taken and not _SAME_BOTH_SIDES.search(title):
            taken.add(title)
            return title
    title = f"{title} (Part {len(taken) % 7 + 2})"
    taken.add(title)
    return title


def _chapters(duration_s: int, rng: random.Random) -> str:
    count = rng.randint(3, 7)
    marks = sorted(rng.sample(range(30, max(31 + count, duration_s - 30)), count - 1))
    middle = sorted(rng.sample(range(1, len(CHAPTER_LABELS)), count - 1))  # in story order
    labels = [CHAPTER_LABELS[0], *(CHAPTER_LABELS[i] for i in middle)]
    lines = []
    for mark, label in zip([0, *marks], labels, strict=True):
        hours, rest = divmod(mark, 3600)
        clock = (
            f"{hours}:{rest // 60:02d}:{rest % 60:02d}"
            if hours
            else f"{rest // 60}:{rest % 60:02d}"
        )
        lines.append(f"{clock} {label}")
    return "\n".join(lines)


def make_description(
    channel: DemoChannel,
    title: str,
    duration_s: int | None,
    tags: Sequence[str],
    rng: random.Random,
) -> str:
    spec = TOPICS[channel.topic]
    sentences = list(spec["sentences"])
    count = min(len(sentences), rng.choices((1, 2, 3, 4, 5, 6), weights=(3, 4, 3, 2, 1, 1))[0])
    parts = [" ".join(rng.sample(sentences, count))]
    if duration_s and duration_s > 420 and rng.random() < 0.35:
        parts.append(_chapters(duration_s, rng))
    if rng.random() < 0.4:
        links = [
            f"Support the channel: https://www.patreon.com/{channel.handle}",
            f"Discord: https://discord.gg/{digest(channel.handle, length=8)}",
        ]
        if channel.topic in ("programming", "ml", "systems", "conf_talks"):
            links.append(f"Code: https://github.com/{channel.handle}/{slug(title)}")
        if channel.topic in ("cooking", "cooking_de"):
            links.append(f"Recipe: https://www.{channel.handle}.com/recipes/{slug(title)}")
        if channel.topic == "ml":
            links.append(f"Paper: https://arxiv.org/abs/{rng.choice(ARXIV_PAPERS)[0]}")
        parts.append("\n".join(rng.sample(links, rng.randint(1, len(links)))))
    if tags and rng.random() < 0.3:
        parts.append(" ".join("#" + re.sub(r"\W", "", t) for t in tags[:3]))
    return "\n\n".join(parts)


def channel_description(channel: DemoChannel) -> str:
    if channel.kind == "music":
        return ""  # auto-generated Topic channels have no description
    spec = TOPICS[channel.topic]
    return CHANNEL_BLURBS[spec["lang"]].format(*spec["tags"][:3], "", "")
