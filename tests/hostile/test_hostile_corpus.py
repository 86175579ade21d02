"""The hostile-input corpus as a whole: big enough, every file has an expected outcome.

Each kind's own test (``test_hostile_<kind>.py``) runs its files through the real parsers
and the store; this one checks that no file sits in the corpus untested.
"""

from __future__ import annotations

import json
from collections import Counter

from tests.hostile import CORPUS, KINDS, corpus_cases

MINIMUM_FILES = 60


def test_every_corpus_file_has_an_expected_outcome_and_there_are_enough():
    outcomes: Counter[tuple[str, str]] = Counter()
    for kind in KINDS:
        folder = CORPUS / kind
        listed = set(json.loads((folder / "cases.json").read_text(encoding="utf-8")))
        present = {p.name for p in folder.iterdir() if p.is_file() and p.name != "cases.json"}
        assert listed <= present, f"{kind}: cases without a file: {sorted(listed - present)}"
        assert present <= listed, (
            f"{kind}: files without an expected outcome: {sorted(present - listed)}"
        )
        for _path, expected in corpus_cases(kind):
            assert expected["outcome"] in ("error", "skipped"), expected
            outcomes[kind, expected["outcome"]] += 1
    assert sum(outcomes.values()) >= MINIMUM_FILES, dict(outcomes)
    assert all(outcomes[kind, "error"] + outcomes[kind, "skipped"] > 0 for kind in KINDS)
