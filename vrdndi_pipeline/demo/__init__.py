"""Bundled demo data, so the pipeline runs with no ActivityWatch, no Google account and no internet.

The files under :data:`DEMO_DATA_DIR` were written by ``python -m
vrdndi_pipeline.demo.generator.generate_demo_data`` (see ``MANIFEST.json`` there for the anchor time, the seed
and the counts). Never edit them by hand: ``tests/demo/test_demo_data.py`` regenerates them and compares
bytes.
"""

from __future__ import annotations

from pathlib import Path

DEMO_DATA_DIR = Path(__file__).resolve().parent / "data"

AW_EXPORT_FILE = "activitywatch-export.json.gz"
AW_CATEGORIES_FILE = "aw-categories.json"
YOUTUBE_DIR = "youtube"
TAKEOUT_WATCH_HISTORY_FILE = "takeout/watch-history.json"
MANIFEST_FILE = "MANIFEST.json"
# the people's labels in the bundled data, written by the generator, read by `vrdndi seed-demo-labels`
FEEDBACK_FILE = "labels/feedback.json"
INTEREST_LABELS_FILE = "labels/interest_labels.json"
