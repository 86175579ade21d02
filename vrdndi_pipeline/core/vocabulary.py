"""The people's names of the model's ideas, in one place.

In code the timing head is ``productive`` (the seed's name, kept in columns and configs); people
read "Good time now" everywhere they look: the site, the CLI, the README and MLflow.
"""

from __future__ import annotations

GOOD_TIME = "Good time now"  # P(now is a good time for this video): the productive head
_METRIC_WORD = "good_time_now"


def metric_key(key: str) -> str:
    """An MLflow metric key in the people's words: ``heldout.productive_roc_auc`` →
    ``heldout.good_time_now_roc_auc``."""
    return key.replace("productive", _METRIC_WORD)
