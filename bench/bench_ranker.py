"""Ranker quality and speed on the demo data and on two other seeds of its generator.

For each seed the demo data is generated (the bundled files for the default seed; the others
with ``generate_demo_data``'s ``write_demo_data`` into a temporary folder, so the bundled data
never changes), ingested by the pipeline's own assets into a temporary SQLite database and its
labels seeded. Then, as the pipeline does it:

* the frozen embeddings (bundled MiniLM) of every labelled video and of the event texts in the
  clicks' contexts, timed apart from training (``embed_videos_s``, ``embed_event_texts_s``);
* the context features of every click (``context_features_s``);
* the ranker and the context-free TF-IDF baseline on the same rolling-origin folds (4 folds over
  the newest half of the clicks), productive and interest ROC-AUC with bootstrap 95 %
  intervals, F1 and Brier, and the ranker's paired gain over the baseline;
* the ranker's training time once embeddings exist: the fold evaluation and the final fit.

The LoRA model is not repeated here (it takes minutes per fold on 2 cores): the demo's
comparison table (``make demo``) and ``bench_lora_probe`` have it.
Prints one JSON object on stdout; logs go to stderr.
"""

from __future__ import annotations

import json
import logging
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from vrdndi_pipeline.core.embeddings.cached import EmbeddingCounts, title_vectors, video_vectors
from vrdndi_pipeline.core.embeddings.vector_store import video_texts
from vrdndi_pipeline.core.model.config import BUNDLED_MINILM
from vrdndi_pipeline.core.model.context_encoder import shared_context_encoder
from vrdndi_pipeline.core.model.examples import examples_from_frames
from vrdndi_pipeline.core.ranker.config import RankerConfig
from vrdndi_pipeline.core.ranker.model import fit_ranker
from vrdndi_pipeline.core.ranker.training import ranker_fit_predict, ranker_rows
from vrdndi_pipeline.core.selection.folds import rolling_origin_folds
from vrdndi_pipeline.core.selection.heldout import baseline_fit_predict, held_out_predictions
from vrdndi_pipeline.core.selection.scorecard import paired_gain, scorecard
from vrdndi_pipeline.core.store.database import read_transaction
from vrdndi_pipeline.core.training.training_data import (
    context_feature_column,
    context_texts,
    interest_rows,
    productive_rows,
)
from vrdndi_pipeline.demo import DEMO_DATA_DIR
from vrdndi_pipeline.demo.anchor import ANCHOR, DEFAULT_SEED

OTHER_SEEDS = (7, 2027)
log = logging.getLogger("bench.ranker")


def _round(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, dict):
        return {k: _round(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_round(v) for v in value]
    return value


def ingested_demo(folder: Path, data_dir: Path) -> Any:
    """The demo data of ``data_dir`` ingested by the pipeline's own assets (ActivityWatch
    export, YouTube snapshot, Takeout history), with its labels seeded."""
    import dagster as dg

    from vrdndi_pipeline.assets.raw_aw_events import raw_aw_events
    from vrdndi_pipeline.assets.youtube_videos import youtube_videos
    from vrdndi_pipeline.core.store.database import make_engine
    from vrdndi_pipeline.demo.seed_labels import seed_demo_labels
    from vrdndi_pipeline.resources.activitywatch import ActivityWatchExport
    from vrdndi_pipeline.resources.database import AppDatabase
    from vrdndi_pipeline.resources.takeout import TakeoutWatchHistory
    from vrdndi_pipeline.resources.youtube.source import YouTubeSnapshot

    folder.mkdir()
    url = f"sqlite:///{folder / 'bench.db'}"
    resources = {
        "database": AppDatabase(url=url),
        "activitywatch": ActivityWatchExport(
            path=str(data_dir / "activitywatch-export.json.gz"),
            categories_file=str(data_dir / "aw-categories.json"),
        ),
        "youtube": YouTubeSnapshot(snapshot_dir=str(data_dir / "youtube")),
        "takeout": TakeoutWatchHistory(path=str(data_dir / "takeout" / "watch-history.json")),
    }
    if not dg.materialize([raw_aw_events, youtube_videos], resources=resources).success:
        raise RuntimeError(f"ingesting {data_dir} failed")
    engine = make_engine(url)
    seed_demo_labels(engine, data_dir)
    return engine


@dataclass
class TrainingTables:
    """``interest_data`` and ``productive_data`` (with ``context_features``) as the pipeline
    builds them, the labelled videos' embeddings and what computing them cost."""

    interest: pd.DataFrame
    productive: pd.DataFrame
    vectors: dict[str, Any]
    video_counts: EmbeddingCounts
    title_counts: EmbeddingCounts
    features_s: float


def training_tables(engine: Any) -> TrainingTables:
    with read_transaction(engine) as conn:
        interest, _ = interest_rows(conn)
        productive, _ = productive_rows(conn, 6.0)
        texts = video_texts(conn, [*interest["video_id"], *productive["video_id"]])

    def load() -> Any:
        return shared_context_encoder(BUNDLED_MINILM)

    vectors, video_counts = video_vectors(engine, BUNDLED_MINILM, texts, load, ANCHOR)
    titles, title_counts = title_vectors(
        engine, BUNDLED_MINILM, context_texts(productive), load, ANCHOR
    )
    t0 = time.perf_counter()
    productive["context_features"] = context_feature_column(productive, vectors, titles)
    return TrainingTables(
        interest, productive, vectors, video_counts, title_counts, time.perf_counter() - t0
    )


def evaluate_seed(seed: int, root: Path) -> dict[str, Any]:
    data_dir = DEMO_DATA_DIR
    started = time.perf_counter()
    if seed != DEFAULT_SEED:
        from vrdndi_pipeline.demo.generator.generate_demo_data import write_demo_data

        data_dir = root / f"data-{seed}"
        write_demo_data(data_dir, seed)
    generate_s = time.perf_counter() - started
    engine = ingested_demo(root / f"db-{seed}", data_dir)
    tables = training_tables(engine)
    interest, productive, vectors = tables.interest, tables.productive, tables.vectors
    video_counts, title_counts, features_s = (
        tables.video_counts,
        tables.title_counts,
        tables.features_s,
    )
    engine.dispose()

    examples = examples_from_frames(interest, productive)
    folds = rolling_origin_folds(examples)
    rows = ranker_rows(interest, productive, vectors)
    config = RankerConfig()
    t0 = time.perf_counter()
    ranker = held_out_predictions("ranker", "r", examples, folds, ranker_fit_predict(config, rows))
    evaluation_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    model = fit_ranker(config, list(rows.values()))
    final_s = time.perf_counter() - t0
    baseline = held_out_predictions("baseline", "b", examples, folds, baseline_fit_predict())
    frame = pd.concat([ranker, baseline])
    cards = {name: scorecard(frame, name).to_dict() for name in ("ranker", "baseline")}
    gain = paired_gain(frame, "ranker", "baseline")
    interest_gain = paired_gain(frame, "ranker", "baseline", head="interest")
    log.info("seed %d: ranker %s", seed, cards["ranker"]["productive"])
    return _round(
        {
            "seed": seed,
            "bundled": seed == DEFAULT_SEED,
            "clicks": int(len(productive)),
            "interest_rows": int(len(interest)),
            "scores": cards,
            "productive_gain_over_baseline": None if gain is None else asdict(gain),
            "interest_gain_over_baseline": None if interest_gain is None else asdict(interest_gain),
            "generate_data_s": generate_s,
            "embed_videos_s": video_counts.seconds,
            "videos_embedded": video_counts.embedded,
            "embed_event_texts_s": title_counts.seconds,
            "event_texts_embedded": title_counts.embedded,
            "context_features_s": features_s,
            "ranker_evaluation_s": evaluation_s,
            "ranker_final_fit_s": final_s,
            "ranker_training_s": evaluation_s + final_s,
            "boosting_rounds": model.rounds,
            "columns": len(model.spec.columns()) if model.spec else 0,
        }
    )


def main() -> None:
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(message)s")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-ranker-") as tmp:
        results = [evaluate_seed(seed, Path(tmp)) for seed in (DEFAULT_SEED, *OTHER_SEEDS)]
    summary = {
        str(r["seed"]): {
            "ranker_productive_roc_auc": r["scores"]["ranker"]["productive"]["roc_auc"],
            "baseline_productive_roc_auc": r["scores"]["baseline"]["productive"]["roc_auc"],
            "gain": r["productive_gain_over_baseline"],
            "ranker_interest_roc_auc": r["scores"]["ranker"]["interest"]["roc_auc"],
            "baseline_interest_roc_auc": r["scores"]["baseline"]["interest"]["roc_auc"],
            "ranker_training_s": r["ranker_training_s"],
        }
        for r in results
    }
    json.dump(
        {"summary": summary, "seeds": results, "total_s": round(time.perf_counter() - started, 1)},
        sys.stdout,
    )


if __name__ == "__main__":
    main()
