"""Every video topic of the demo catalogue, and the title slots all topics share.

A topic is a dict with:

* ``category``: the YouTube category id; ``lang``: the language of titles and descriptions;
* ``watch``, ``like``, ``dislike``: how much this person watches, likes and dislikes the topic;
* ``durations``: ``(weight, min_s, max_s)`` bands; a band below 60 s is a Short;
* ``tags``, ``emoji``, ``templates`` (titles with ``{slot}`` placeholders), ``slots`` (values
  for the placeholders, on top of :data:`COMMON_SLOTS`) and ``sentences`` (for descriptions).

The topics live in one module per theme; this one joins them.
"""

from __future__ import annotations

from typing import Any

from vrdndi_pipeline.demo.generator.catalogue_topics_entertainment import ENTERTAINMENT_TOPICS
from vrdndi_pipeline.demo.generator.catalogue_topics_learning import LEARNING_TOPICS
from vrdndi_pipeline.demo.generator.catalogue_topics_lifestyle import LIFESTYLE_TOPICS
from vrdndi_pipeline.demo.generator.catalogue_topics_tech import TECH_TOPICS

TOPICS: dict[str, dict[str, Any]] = {
    **TECH_TOPICS,
    **LEARNING_TOPICS,
    **LIFESTYLE_TOPICS,
    **ENTERTAINMENT_TOPICS,
}

COMMON_SLOTS: dict[str, tuple[str, ...]] = {
    "part": tuple(str(i) for i in range(1, 13)),
    "ep": tuple(str(i) for i in range(1, 90)),
    "year": ("2025", "2026"),
    "n": ("3", "5", "7", "10"),
}
