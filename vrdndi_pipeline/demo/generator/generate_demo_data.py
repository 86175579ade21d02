"""Write the bundled demo data: a plausible person's computer activity and YouTube history.

The person is a software developer in Europe/Berlin who studies ML in the evenings, plays games,
cooks and watches a lot of YouTube. Everything is relative to the fixed anchor
(:data:`vrdndi_pipeline.demo.anchor.ANCHOR`, the moment the data was "exported"); nothing reads
the clock, and one ``random.Random`` per part is seeded from ``--seed``, so the same seed always
writes byte-identical files::

    python -m vrdndi_pipeline.demo.generator.generate_demo_data [--out DIR] [--seed N]

Files (formats as the real sources write them):

* ``activitywatch-export.json.gz``: ``GET /api/0/export`` of aw-server, 21 days, three buckets
  (window, AFK, Firefox web), events newest first as aw-server exports them.
* ``aw-categories.json``: the web UI's category rules (the server setting ``classes``).
* ``youtube/*.json``: YouTube Data API v3 resources (subscriptions, channels, uploads playlist
  items, videos, the user's ratings), see ``demo/youtube_snapshot.py``.
* ``takeout/watch-history.json``: Google Takeout "My Activity" JSON, newest first.
* ``MANIFEST.json``: anchor, seed, timezone, counts, and the size and SHA-256 of every file.

This module is only the command line; the parts live beside it: the content catalogue
(``catalogue_*.py``, data) and :mod:`~vrdndi_pipeline.demo.generator.catalogue` (channels and videos),
:mod:`~vrdndi_pipeline.demo.generator.day_plan`, :mod:`~vrdndi_pipeline.demo.generator.watch_sessions`,
``activity_*.py`` (ActivityWatch), :mod:`~vrdndi_pipeline.demo.generator.youtube_resources`,
:mod:`~vrdndi_pipeline.demo.generator.ratings`, :mod:`~vrdndi_pipeline.demo.generator.takeout_export`, and
:mod:`~vrdndi_pipeline.demo.generator.demo_files`, which assembles them.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

from vrdndi_pipeline.demo import DEMO_DATA_DIR, MANIFEST_FILE
from vrdndi_pipeline.demo.anchor import ANCHOR_MS, DEFAULT_SEED, TIMEZONE
from vrdndi_pipeline.demo.generator.demo_files import build_demo_data, write_demo_data
from vrdndi_pipeline.demo.generator.timestamps import iso_api

__all__ = ["DEFAULT_SEED", "build_demo_data", "main", "parse_args", "write_demo_data"]


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m vrdndi_pipeline.demo.generator.generate_demo_data",
        description=(
            "Write the demo data: 21 days of ActivityWatch events, ActivityWatch category rules, "
            "YouTube Data API resources and a 120-day Google Takeout watch history of a made-up "
            f"developer in {TIMEZONE}, all relative to the fixed anchor {iso_api(ANCHOR_MS)}. "
            "The same seed always writes byte-identical files."
        ),
        epilog="The bundled data is checked against this script by tests/demo/test_demo_data.py; "
        "after changing the script, regenerate it with the default options.",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=DEMO_DATA_DIR,
        help="folder to write into (default: the package's demo/data folder)",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=DEFAULT_SEED,
        help=f"random seed; the bundled data uses the default, {DEFAULT_SEED}",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    files = write_demo_data(args.out, args.seed)
    manifest = json.loads(files[MANIFEST_FILE])
    for name, info in manifest["files"].items():
        print(f"{info['bytes']:>10,} bytes  {args.out / name}")
    print(f"activitywatch events: {manifest['activitywatch']['events']}")
    print(f"youtube: {manifest['youtube']}")
    print(
        f"takeout: { {k: v for k, v in manifest['takeout'].items() if k != 'deleted_video_ids'} }"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
