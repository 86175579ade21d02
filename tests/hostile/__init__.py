"""The hostile-input corpus: malformed and adversarial files, one folder per input kind.

Each folder (``takeout``, ``activitywatch``, ``youtube_api``, ``outbox``) holds the files and a
``cases.json`` mapping each file name to its expected outcome, for example::

    {"truncated.json": {"outcome": "error", "match": "truncated"},
     "one-ad.json": {"outcome": "skipped", "counts": {"ad": 1}, "accepted": 2}}

``outcome`` is ``"error"`` (the project's own error type, whose message matches the regular
expression ``match``, and nothing written) or ``"skipped"`` (the bad items counted under their
reasons in ``counts``, the good ones accepted). The test of each kind reads its folder with
:func:`corpus_cases`; ``tests/hostile/test_hostile_corpus.py`` checks the corpus as a whole.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

CORPUS = Path(__file__).resolve().parent
KINDS = ("takeout", "activitywatch", "youtube_api", "outbox")


def corpus_cases(kind: str) -> list[tuple[Path, dict[str, Any]]]:
    """(file, expectation) for every file of ``kind``, in name order."""
    folder = CORPUS / kind
    cases = json.loads((folder / "cases.json").read_text(encoding="utf-8"))
    return [(folder / name, cases[name]) for name in sorted(cases)]
