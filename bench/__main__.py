"""Run the benchmarks and merge their figures into a JSON file (default ``data/bench.json``).

Each benchmark runs in its own process so its peak RSS is its own.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

BENCHMARKS = {
    "ingest": "bench.bench_ingest",
    "model": "bench.bench_model",
    "feed": "bench.bench_feed",
    "feed_site": "bench.bench_feed_site",
    "fusion_quality": "bench.bench_fusion_quality",
    "ranker": "bench.bench_ranker",
    "lora_probe": "bench.bench_lora_probe",
    "feed_diversity": "bench.bench_feed_diversity",
    "durability": "bench.bench_durability",
}


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--out", type=Path, default=Path("data/bench.json"), help="JSON file to update"
    )
    parser.add_argument(
        "names", nargs="*", choices=[*BENCHMARKS, []], help="benchmarks to run (default: all)"
    )
    args = parser.parse_args()
    figures = json.loads(args.out.read_text()) if args.out.exists() else {}
    for name in args.names or list(BENCHMARKS):
        print(f"== {name}", flush=True)
        started = time.perf_counter()
        output = subprocess.run(
            [sys.executable, "-m", BENCHMARKS[name]], check=True, capture_output=True, text=True
        )
        sys.stderr.write(output.stderr)
        figures[name] = json.loads(output.stdout)
        figures[name]["benchmark_wall_s"] = round(time.perf_counter() - started, 2)
        print(json.dumps(figures[name], indent=2), flush=True)
    figures["machine"] = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(figures, indent=2) + "\n")
    print(f"figures written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
