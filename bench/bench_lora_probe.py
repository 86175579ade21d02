"""Probe, then fine-tune: does training the LoRA model's heads first (backbone frozen) close part
of its gap to the ranker? Per rolling-origin fold of the demo data.

The demo database is built as in ``bench_ranker``. On the same 4 folds (newest half of the
clicks): the ranker, the context-free baseline, and the LoRA model twice — the ``cpu-small``
preset shortened to ``EPOCHS`` epochs and ``MAX_LENGTH`` tokens (the full preset takes ~20 min
per variant on 2 cores), once as it is (``probe_epochs: 0``) and once with
``probe_epochs: PROBE`` (heads and context branch first, LoRA joining after). Reported per fold:
each model's productive ROC-AUC, and the share of the LoRA model's gap to the ranker that the
probe closed, ``(probe - plain) / (ranker - plain)`` (negative: it widened).
Prints one JSON object on stdout; logs go to stderr.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import pandas as pd

from bench.bench_model import demo_database
from bench.bench_ranker import training_tables
from vrdndi_pipeline.core.model.examples import examples_from_frames
from vrdndi_pipeline.core.model.presets import build_config
from vrdndi_pipeline.core.ranker.config import RankerConfig
from vrdndi_pipeline.core.ranker.training import ranker_fit_predict, ranker_rows
from vrdndi_pipeline.core.selection.folds import rolling_origin_folds
from vrdndi_pipeline.core.selection.heldout import baseline_fit_predict, held_out_predictions
from vrdndi_pipeline.core.selection.scorecard import scorecard
from vrdndi_pipeline.core.training.lora_run import lora_fit_predict

EPOCHS = int(os.environ.get("VRDNDI_BENCH_PROBE_EPOCHS", "3"))
MAX_LENGTH = int(os.environ.get("VRDNDI_BENCH_PROBE_MAX_LENGTH", "32"))
PROBE = 1
log = logging.getLogger("bench.lora_probe")


def main() -> None:
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(message)s")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-probe-") as tmp:
        engine = demo_database(Path(tmp))
        tables = training_tables(engine)
        engine.dispose()
    interest, productive, vectors = tables.interest, tables.productive, tables.vectors
    examples = examples_from_frames(interest, productive)
    folds = rolling_origin_folds(examples)
    base = build_config("cpu-small", {"total_epoch": EPOCHS, "max_length": MAX_LENGTH})
    frames = [
        held_out_predictions(
            "ranker", "r", examples, folds, ranker_fit_predict(RankerConfig(), ranker_rows(interest, productive, vectors))
        ),
        held_out_predictions("baseline", "b", examples, folds, baseline_fit_predict()),
    ]  # fmt: skip
    seconds = {}
    for name, probe in (("lora", 0), ("lora_probe", PROBE)):
        t0 = time.perf_counter()
        config = replace(base, probe_epochs=probe)
        frames.append(held_out_predictions(name, name, examples, folds, lora_fit_predict(config)))
        seconds[name] = round(time.perf_counter() - t0, 1)
        log.info("%s: %.0f s", name, seconds[name])
    frame = pd.concat(frames)
    names = ("ranker", "baseline", "lora", "lora_probe")
    cards = {name: scorecard(frame, name) for name in names}
    per_fold = []
    for k in range(len(folds)):
        aucs = {name: cards[name].fold_roc_auc[k] for name in names}
        gap = aucs["ranker"] - aucs["lora"]
        closed = (aucs["lora_probe"] - aucs["lora"]) / gap if gap else None
        per_fold.append(
            {"fold": k + 1, **{n: round(v, 4) for n, v in aucs.items()}, "closed_share": closed}
        )
    pooled = {
        name: None
        if cards[name].productive is None or cards[name].productive.roc_auc is None
        else [round(x, 4) for x in (cards[name].productive.roc_auc.value, cards[name].productive.roc_auc.low, cards[name].productive.roc_auc.high)]
        for name in names
    }  # fmt: skip
    json.dump(
        {
            "epochs": EPOCHS,
            "max_length": MAX_LENGTH,
            "probe_epochs": PROBE,
            "per_fold_productive_roc_auc": per_fold,
            "pooled_productive_roc_auc": pooled,
            "lora_seconds": seconds,
            "total_s": round(time.perf_counter() - started, 1),
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
