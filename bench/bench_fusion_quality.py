"""Fusion quality on the demo data: early vs late fusion vs the context-free TF-IDF baseline.

The demo's training examples are built once (the bundled demo data ingested into a temporary
SQLite database, the demo labels seeded, as ``bench_model`` does). The default preset
(``cpu-small``) then trains twice with the preset's seed — ``fusion: early`` and
``fusion: late`` — each through ``run_training``, so both see the same deterministic split and
the baseline is fitted on the same train rows. Reported per fusion and for the baseline: the
holdout (latest time slice) ROC-AUC and F1 of both heads, and per fusion the best epoch, the
seconds per epoch and the training seconds.

Verdict (the issue's rule): late fusion may lose at most ``MAX_LOSS`` productive holdout ROC-AUC
against early fusion on the main seed; otherwise early stays the default.

The demo holdout is small (about a hundred rows), so one seed is noisy: while the time budget
(``BUDGET_S``, env ``VRDNDI_BENCH_FUSION_BUDGET_S``) allows, both fusions are trained again with
``EXTRA_SEEDS`` and the mean ± population std of the holdout productive ROC-AUC is reported per
fusion over the seeds that ran. The seed also shuffles the interest rows before they are split,
so the interest holdout (and the baseline's interest figures) differ between seeds; the
productive split is ordered by time and is the same for every seed.

Threads: torch uses the available cores unless the 1-minute load average is above
``BUSY_LOAD`` at start (another benchmark running), then 1 thread; the JSON says which.
Prints one JSON object on stdout; logs go to stderr.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench.bench_model import demo_database
from vrdndi_pipeline.core.model.examples import examples_from_frames
from vrdndi_pipeline.core.model.presets import build_config
from vrdndi_pipeline.core.model.runtime import available_cores
from vrdndi_pipeline.core.store.database import read_transaction
from vrdndi_pipeline.core.training.lora_run import TrainingRun, run_training
from vrdndi_pipeline.core.training.training_data import interest_rows, productive_rows

PRESET = "cpu-small"
FUSIONS = ("early", "late")
HEADS = ("productive", "interest")
MAX_LOSS = 0.02
EXTRA_SEEDS = (7, 1234)
BUDGET_S = float(os.environ.get("VRDNDI_BENCH_FUSION_BUDGET_S", "720"))
BUSY_LOAD = 1.0

log = logging.getLogger("bench.fusion_quality")


def head_figures(evaluation: Any) -> dict[str, Any]:
    """ROC-AUC, F1 and row counts of both heads of an Evaluation (None where absent)."""
    out: dict[str, Any] = {}
    for head in HEADS:
        metrics = getattr(evaluation, head) if evaluation is not None else None
        out[head] = (
            {
                "roc_auc": None if metrics.roc_auc is None else round(metrics.roc_auc, 4),
                "f1": round(metrics.f1, 4),
                "n": metrics.n,
                "positives": metrics.positives,
            }
            if metrics is not None
            else None
        )
    return out


def productive_auc(evaluation: Any) -> float | None:
    metrics = evaluation.productive if evaluation is not None else None
    return None if metrics is None else metrics.roc_auc


def train(examples: list[Any], fusion: str, seed: int, threads: int | None) -> dict[str, Any]:
    config = build_config(PRESET, {"fusion": fusion, "seed": seed, "num_threads": threads})
    log.info("training fusion=%s seed=%d", fusion, seed)
    started = time.perf_counter()
    run: TrainingRun = run_training(config, examples)
    wall_s = time.perf_counter() - started
    epoch_s = [report.seconds for report in run.result.history]
    log.info(
        "fusion=%s seed=%d: %.0f s, holdout productive ROC-AUC %s",
        fusion, seed, wall_s, productive_auc(run.holdout),
    )  # fmt: skip
    return {"run": run, "wall_s": wall_s, "epoch_s": epoch_s}


def model_figures(trained: dict[str, Any]) -> dict[str, Any]:
    run: TrainingRun = trained["run"]
    epoch_s = trained["epoch_s"]
    return {
        "holdout": head_figures(run.holdout),
        "best_epoch": run.result.best_epoch,
        "epochs_run": len(epoch_s),
        "stopped_early": run.result.stopped_early,
        "seconds_per_epoch": round(float(np.mean(epoch_s)), 1),
        "epoch_seconds": [round(s, 1) for s in epoch_s],
        "train_s": round(run.result.seconds, 1),
        "run_training_s": round(trained["wall_s"], 1),
        "device": run.result.device,
    }


def verdict(late_minus_early: float | None) -> str:
    if late_minus_early is None:
        return "undecided: a fusion has no productive holdout ROC-AUC"
    if late_minus_early >= -MAX_LOSS:
        return f"late within {MAX_LOSS} of early"
    return f"late loses {-late_minus_early:.3f}; early stays the default"


def mean_std(values: list[float | None]) -> dict[str, Any]:
    known = [v for v in values if v is not None]
    if not known:
        return {"mean": None, "std": None, "seeds": 0}
    return {
        "mean": round(float(np.mean(known)), 4),
        "std": round(float(np.std(known)), 4),  # population std, as cross_validation reports
        "seeds": len(known),
    }


def main() -> None:
    logging.basicConfig(
        level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(name)s %(message)s"
    )
    started = time.perf_counter()
    load_at_start = os.getloadavg()
    threads = 1 if load_at_start[0] > BUSY_LOAD else None  # None: the available cores
    with tempfile.TemporaryDirectory() as folder:
        engine = demo_database(Path(folder))
        with read_transaction(engine) as conn:
            interest, _ = interest_rows(conn)
            productive, _ = productive_rows(conn, 6.0)
        engine.dispose()
    examples = examples_from_frames(interest, productive)
    setup_s = time.perf_counter() - started
    main_seed = build_config(PRESET).seed

    # main comparison: both fusions, the preset's seed, the same split
    main_runs = {fusion: train(examples, fusion, main_seed, threads) for fusion in FUSIONS}
    early_run: TrainingRun = main_runs["early"]["run"]
    late_run: TrainingRun = main_runs["late"]["run"]
    same_split = early_run.split.counts() == late_run.split.counts() and [
        ex.video_id for ex in early_run.split.holdout
    ] == [ex.video_id for ex in late_run.split.holdout]
    early_auc, late_auc = productive_auc(early_run.holdout), productive_auc(late_run.holdout)
    late_minus_early = (
        None if early_auc is None or late_auc is None else round(late_auc - early_auc, 4)
    )

    # more seeds while the budget allows (a pair costs about what the main pair did)
    pair_s = sum(main_runs[f]["wall_s"] for f in FUSIONS)
    per_seed: dict[str, dict[int, float | None]] = {
        f: {main_seed: productive_auc(main_runs[f]["run"].holdout)} for f in FUSIONS
    }
    baseline_per_seed = {main_seed: productive_auc(early_run.baseline_holdout)}
    skipped = []
    for seed in EXTRA_SEEDS:
        elapsed = time.perf_counter() - started
        if elapsed + 1.1 * pair_s > BUDGET_S:
            log.info("seed %d skipped: %.0f s elapsed, a pair takes ~%.0f s", seed, elapsed, pair_s)
            skipped.append(seed)
            continue
        for fusion in FUSIONS:
            run = train(examples, fusion, seed, threads)["run"]
            per_seed[fusion][seed] = productive_auc(run.holdout)
            baseline_per_seed[seed] = productive_auc(run.baseline_holdout)

    seeds_run = sorted(per_seed["early"])
    summary = {f: mean_std(list(per_seed[f].values())) for f in FUSIONS}
    diffs = [
        per_seed["late"][s] - per_seed["early"][s]  # type: ignore[operator]
        for s in seeds_run
        if per_seed["late"][s] is not None and per_seed["early"][s] is not None
    ]
    out = {
        "preset": PRESET,
        "seed": main_seed,
        "torch_threads": threads if threads is not None else available_cores(),
        "load_average_at_start": [round(x, 2) for x in load_at_start],
        "rows": early_run.split.counts(),
        "same_split_both_fusions": same_split,
        "holdout": {
            "early": model_figures(main_runs["early"]),
            "late": model_figures(main_runs["late"]),
            "baseline_tfidf": head_figures(early_run.baseline_holdout),
        },
        "late_minus_early_productive_roc_auc": late_minus_early,
        "max_allowed_loss": MAX_LOSS,
        "verdict": verdict(late_minus_early),
        "seeds": {
            "seeds_run": seeds_run,
            "seeds_skipped_for_time": skipped,
            "budget_s": BUDGET_S,
            "holdout_productive_roc_auc": {
                f: {str(s): None if v is None else round(v, 4) for s, v in per_seed[f].items()}
                for f in FUSIONS
            },
            "baseline_holdout_productive_roc_auc": {
                str(s): None if v is None else round(v, 4) for s, v in baseline_per_seed.items()
            },
            "mean_std_holdout_productive_roc_auc": summary,
            "std_kind": "population",
            "mean_late_minus_early": round(float(np.mean(diffs)), 4) if diffs else None,
            "verdict_on_mean": verdict(round(float(np.mean(diffs)), 4) if diffs else None)
            if len(diffs) > 1
            else None,
        },
        "setup_s": round(setup_s, 1),
        "total_s": round(time.perf_counter() - started, 1),
    }
    sys.stdout.write(json.dumps(out) + "\n")


if __name__ == "__main__":
    main()
