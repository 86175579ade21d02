"""Feed refresh benchmark, early vs late fusion vs the ranker: 1,000 candidate videos, 6 h of
context (500 events), default preset, all three on the same data in one run.

Setup (this process, not measured): in a temporary folder, one sub-folder per fusion, each with
its own SQLite database (so the late-fusion ``video_encodings`` cache is its own), MLflow and
inference store. Both hold the same 1,000 videos published in the 7 days before ``NOW`` (titles,
channels and descriptions of the demo data) and the same 500 ActivityWatch window events in the
6 h before ``NOW`` (demo window titles, categorised by the demo category rules), and an untrained
``cpu-small`` model of that fusion (bundled MiniLM; an untrained adapter costs what a trained one
does) registered as champion.

Measured, each in a fresh child process (so that setup does not count in its peak RSS):

* early: the Dagster assets ``encoded_inference_tensors`` then ``feed_predictions`` (each
  materialized on its own, as ``feed_refresh_job`` runs them), twice: the first refresh pays
  one-off imports and loads. Then, in the same warm process, the inner pieces, the FLOPs of the
  two scoring passes (``FlopCounterMode``) and a float32 matrix-multiply peak with the same
  threads (before and after, best): achieved GFLOP/s of the scoring against that peak.
* late: refresh 1 on a cold cache (every video a miss: the backbone encodes all of them, and
  the process is fresh too), refreshes 2 and 3 on a warm cache (all hits) in the same process.
  Then the encoding step alone: ``encode_video_vectors`` over the 1,000 rows after a warm-up,
  its FLOPs counted with ``FlopCounterMode``, against a matmul peak measured in that process;
  and a table of variants (batch size, threads, LoRA merged as in production or unmerged,
  ``torch.compile``; bf16 is left out:
  a bfloat16 ``torch.mm`` dies with SIGILL on this VM, whose CPU flags AMX but does not enable it)
  that change nothing in the project (monkeypatching inside this process only).
* late, warm cache in a fresh process: one refresh, as a Dagster run launched on its own pays it.
* ranker: its champion fitted in setup on the bench's own activity, with every candidate and
  event text embedded in setup (warm embeddings); one refresh in a fresh process (what a
  Dagster run pays, imports measured apart; the first one after a training also asks MLflow
  for the champion), one more in the same process, and one in another fresh process (the
  champion lookup remembered, as for every later refresh until the next training).

Every refresh reports per-phase seconds measured inside the assets (the functions the assets
call, wrapped with timers in the child process: champion lookup, candidate/context queries,
tokenizer and sentence-encoder loads, context encoding, cache reads/writes, adapter loads,
scoring, feed write) and Dagster's own overhead (wall time less the asset's ``seconds``).
The figures are noisy on a shared machine: see the load averages.

Prints one JSON object; logs go to stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

CANDIDATES, CONTEXT_EVENTS = 1000, 500
CONTEXT_HOURS, CANDIDATE_DAYS = 6.0, 7.0
NOW = datetime(2026, 11, 15, 14, tzinfo=UTC)
ZONE = "Europe/Berlin"
PRESET = "cpu-small"
BATCH_SIZE = 32  # FeedConfig.batch_size default
DEMO = Path(__file__).resolve().parent.parent / "vrdndi_pipeline" / "demo" / "data"


def _log(message: str) -> None:
    sys.stderr.write(f"[bench feed] {message}\n")
    sys.stderr.flush()


def _rss_mib() -> float:
    """This process's peak resident memory (``VmHWM``). Not ``ru_maxrss``: Linux carries the
    parent's peak over ``fork`` + ``exec`` into it, so every child would report at least the
    setup process's peak."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)  # kB
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # KiB on Linux


# --- setup -------------------------------------------------------------------------------------


def make_videos(rng: random.Random) -> list[Any]:
    """``CANDIDATES`` demo videos (real titles, channels, descriptions, durations), published at
    random moments of the ``CANDIDATE_DAYS`` before ``NOW``."""
    from vrdndi_pipeline.core.records import Video
    from vrdndi_pipeline.core.sources.durations import parse_duration_seconds

    items = json.loads((DEMO / "youtube" / "videos.json").read_text(encoding="utf-8"))
    rng.shuffle(items)
    window_s = CANDIDATE_DAYS * 86400
    videos = []
    for item in items[:CANDIDATES]:
        snippet = item["snippet"]
        videos.append(
            Video(
                video_id=item["id"],
                title=snippet["title"],
                channel_id=snippet.get("channelId"),
                channel_title=snippet.get("channelTitle"),
                description=snippet.get("description"),
                duration_s=parse_duration_seconds(item.get("contentDetails", {}).get("duration")),
                published_at=NOW - timedelta(seconds=rng.uniform(60, window_s - 3600)),
                source="subscription",
            )
        )
    if len(videos) != CANDIDATES:
        raise RuntimeError(f"the demo data has {len(videos)} videos, {CANDIDATES} needed")
    return videos


def _categoriser() -> Any:
    """ActivityWatch-like categorisation with the demo rules: the deepest matching category."""
    rules = []
    for rule in json.loads((DEMO / "aw-categories.json").read_text(encoding="utf-8")):
        if rule["rule"].get("type") == "regex" and rule["rule"].get("regex"):
            flags = re.IGNORECASE if rule["rule"].get("ignore_case") else 0
            rules.append((tuple(rule["name"]), re.compile(rule["rule"]["regex"], flags)))

    def categorise(app: str | None, title: str | None) -> tuple[str, ...]:
        found = [name for name, rx in rules if any(v and rx.search(v) for v in (app, title))]
        return max(found, key=len) if found else ("Uncategorized",)

    return categorise


def make_events(rng: random.Random) -> list[Any]:
    """``CONTEXT_EVENTS`` window events spread over the ``CONTEXT_HOURS`` before ``NOW`` (demo
    apps and window titles, one after the other with short gaps)."""
    from vrdndi_pipeline.core.records import AwEvent

    with gzip.open(DEMO / "activitywatch-export.json.gz", "rt", encoding="utf-8") as f:
        buckets = json.load(f)["buckets"]
    window = [
        e
        for name, bucket in sorted(buckets.items())
        if name.startswith("aw-watcher-window")
        for e in bucket["events"]
        if e["data"].get("title")
    ]
    picks = rng.sample(window, CONTEXT_EVENTS)
    categorise = _categoriser()
    slot = CONTEXT_HOURS * 3600 / CONTEXT_EVENTS  # 43.2 s per event
    start = NOW - timedelta(hours=CONTEXT_HOURS)
    events = []
    for j, e in enumerate(picks):
        app, title = e["data"].get("app"), e["data"]["title"]
        events.append(
            AwEvent(
                bucket_id="aw-watcher-window_bench",
                event_id=j,
                hostname="bench",
                timestamp=start + timedelta(seconds=(j + 0.02) * slot),
                duration_s=round(rng.uniform(0.2, 0.95) * slot, 3),
                app=app,
                title=title,
                url=None,
                category=categorise(app, title),
            )
        )
    return events


def _bench_database(folder: Path, videos: list[Any], events: list[Any]) -> Any:
    """A migrated SQLite database under ``folder`` holding ``videos`` and ``events``."""
    from vrdndi_pipeline.core.store.database import open_database, write_transaction
    from vrdndi_pipeline.core.store.source_tables import write_aw_events, write_videos

    folder.mkdir(parents=True, exist_ok=True)
    engine = open_database(f"sqlite:///{folder / 'vrdndi.db'}")
    with write_transaction(engine) as conn:
        write_videos(conn, videos, NOW - timedelta(days=CANDIDATE_DAYS))
        write_aw_events(conn, events)
    return engine


def setup(folder: Path, fusion: str, videos: list[Any], events: list[Any]) -> dict[str, Any]:
    """Database, champion adapter of ``fusion`` and MLflow registry under ``folder``."""
    from vrdndi_pipeline.core.model.adapter_files import save_adapter
    from vrdndi_pipeline.core.model.hybrid_model import HybridProductiveModel
    from vrdndi_pipeline.core.model.presets import build_config

    _bench_database(folder, videos, events).dispose()

    config = build_config(PRESET, {"fusion": fusion})
    model = HybridProductiveModel.from_config(config)
    adapter = save_adapter(model, folder / "adapter-src")
    tracking = _tracking(folder)
    with tracking.start_run(f"bench-feed-{fusion}", {}) as run:
        run.log_artifacts(adapter, "adapter")
    tracking.set_champion(tracking.register_version(run.run_id, "adapter"))
    return {
        "fusion": config.fusion,
        "max_length": config.max_length,
        "max_context_events": config.max_context_events,
        "parameters": model.num_parameters(),
        "trainable_parameters": model.num_parameters(trainable=True),
    }


def _tracking(folder: Path) -> Any:
    from vrdndi_pipeline.resources.mlflow_tracking import MlflowTracking

    return MlflowTracking(
        tracking_uri=f"sqlite:///{folder / 'mlflow.db'}",
        artifact_location=str(folder / "mlartifacts"),
    )


def setup_ranker(folder: Path, videos: list[Any], events: list[Any]) -> dict[str, Any]:
    """Database, a ranker champion and warm embeddings (every candidate and event text stored).

    The ranker is fitted on 400 clicks at random moments of the bench's own 6 h of activity,
    with the real features of those moments and the real embeddings of 400 of the videos; the
    label follows the video's similarity to the last hour (so the trees grow as on real data)."""
    from vrdndi_pipeline.core.embeddings.vector_store import stored_title_vectors
    from vrdndi_pipeline.core.feed.candidates import context_at
    from vrdndi_pipeline.core.feed.ranker_inputs import ranker_refresh_inputs
    from vrdndi_pipeline.core.model.config import BUNDLED_MINILM
    from vrdndi_pipeline.core.model.context_encoder import shared_context_encoder
    from vrdndi_pipeline.core.model.context_features import event_text
    from vrdndi_pipeline.core.ranker.config import RankerConfig
    from vrdndi_pipeline.core.ranker.model import FAMILY, RankerRow, fit_ranker
    from vrdndi_pipeline.core.ranker.moment_features import moment_context, row_features
    from vrdndi_pipeline.core.store.database import read_transaction
    from vrdndi_pipeline.resources.mlflow_tracking import FAMILY_TAG

    engine = _bench_database(folder, videos, events)
    with read_transaction(engine) as conn:
        context = context_at(conn, NOW, CONTEXT_HOURS)
    t0 = time.perf_counter()
    vectors, _, counts = ranker_refresh_inputs(
        engine, BUNDLED_MINILM, lambda: shared_context_encoder(BUNDLED_MINILM),
        videos, context, NOW, ZONE,
    )  # fmt: skip
    embed_s = time.perf_counter() - t0
    with read_transaction(engine) as conn:
        titles = stored_title_vectors(conn, BUNDLED_MINILM, [event_text(e) for e in context])
    engine.dispose()
    rng = random.Random(5)
    rows = []
    for i in range(400):
        moment = NOW - timedelta(seconds=rng.uniform(0, CONTEXT_HOURS * 3600))
        at = moment_context(context, moment, ZONE, titles)
        features = row_features(at, vectors[i], videos[i].duration_s)
        label = int(features["similarity@1h"] > 0.25) ^ int(rng.random() < 0.15)
        rows.append(RankerRow(f"productive:{i}", vectors[i], None, features, None, label))
        rows.append(
            RankerRow(f"interest:{i}", vectors[i], videos[i].channel_title, None, i % 3 > 0, None)
        )
    model = fit_ranker(RankerConfig(), rows)
    saved = model.save(folder / "ranker-src", extra={"encoder": BUNDLED_MINILM})
    tracking = _tracking(folder)
    with tracking.start_run("bench-feed-ranker", {}) as run:
        run.log_artifacts(saved, FAMILY)
    version = tracking.register_version(run.run_id, FAMILY, tags={FAMILY_TAG: FAMILY})
    tracking.set_champion(version)
    return {
        "warm_up_embedding_s": round(embed_s, 1),
        "warm_up": counts,
        "boosting_rounds": model.rounds,
        "columns": len(model.spec.columns()) if model.spec else 0,
    }


# --- measured child ----------------------------------------------------------------------------


class Phases:
    """Seconds spent in the functions the assets call, per asset (``label``), by wrapping them
    with timers in this process. Nested calls are counted on their own too (e.g. the
    tokenizer load inside ``encode_candidates``): the phases of an asset do not add up."""

    def __init__(self) -> None:
        self.label = "outside"
        self.seconds: dict[str, float] = {}
        self.calls: dict[str, int] = {}

    def wrap(self, owner: Any, name: str, key: str | None = None) -> None:
        original = getattr(owner, name)
        phase = key or name

        def timed(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                k = f"{self.label}.{phase}"
                self.seconds[k] = self.seconds.get(k, 0.0) + time.perf_counter() - t0
                self.calls[k] = self.calls.get(k, 0) + 1

        setattr(owner, name, timed)

    def take(self) -> dict[str, float]:
        out = {k: round(v, 3) for k, v in self.seconds.items()}
        self.seconds, self.calls = {}, {}
        return out


def install_phases() -> Phases:
    """Timers around what ``encoded_inference_tensors`` and ``feed_predictions`` call."""
    import transformers

    import vrdndi_pipeline.assets.encoded_inference_tensors as eit
    import vrdndi_pipeline.assets.feed_predictions as feed_asset
    import vrdndi_pipeline.core.feed.generation_inputs as gi
    import vrdndi_pipeline.core.feed.late_fusion_cache as cache
    import vrdndi_pipeline.core.feed.refresh as fp
    import vrdndi_pipeline.core.model as model_pkg
    import vrdndi_pipeline.core.model.batching as batching
    import vrdndi_pipeline.core.model.context_encoder as context_encoder
    import vrdndi_pipeline.core.model.late_inference as late_scoring
    from vrdndi_pipeline.resources.mlflow_tracking import MlflowTracking

    phases = Phases()
    for name in ("champion", "version_info"):
        phases.wrap(MlflowTracking, name, f"mlflow_{name}")
    for name in ("select_candidates", "context_at", "remove_old_generations"):
        phases.wrap(eit, name)
    phases.wrap(gi, "write_generation")
    phases.wrap(gi, "late_fusion_tensors")
    for name in ("encode_candidates", "load_adapter", "score_encoded"):
        getattr(model_pkg, name)  # resolve the lazy name first
        phases.wrap(model_pkg, name)
    phases.wrap(transformers.AutoTokenizer, "from_pretrained", "tokenizer_load")
    phases.wrap(context_encoder, "shared_context_encoder", "sentence_encoder_load_or_lookup")
    phases.wrap(batching, "encode_examples", "encode_examples(tokenize+embed_context)")
    for name in ("cached_vectors", "store_vectors", "forget_other_versions"):
        phases.wrap(cache, name, f"cache_{name}")
    for name in ("encode_video_vectors", "shared_context", "score_late"):
        phases.wrap(late_scoring, name)
    phases.wrap(gi, "ranker_refresh_inputs")
    import vrdndi_pipeline.core.feed.ranker_inputs as ranker_inputs
    import vrdndi_pipeline.core.ranker.model as ranker_model

    phases.wrap(ranker_inputs, "ranker_scores")
    phases.wrap(ranker_model, "load_ranker")
    phases.wrap(feed_asset, "read_generation")
    for name in ("select_candidates", "champion_scores", "order_feed"):
        phases.wrap(fp, name)
    for name in ("candidate_vectors", "liked_videos", "neighbour_reasons"):
        phases.wrap(fp, name)
    phases.wrap(fp, "feed_rows")
    phases.wrap(fp, "replace_feed")
    phases.wrap(fp, "record_exposures")
    return phases


def _metadata(result: Any, node: str) -> dict[str, Any]:
    [materialization] = result.asset_materializations_for_node(node)
    return {k: v.value for k, v in materialization.metadata.items()}


def refresh(resources: dict[str, Any], phases: Phases) -> dict[str, Any]:
    """One feed refresh as ``feed_refresh_job`` does it: the two assets, one after the other."""
    import dagster as dg

    from vrdndi_pipeline.assets.encoded_inference_tensors import encoded_inference_tensors
    from vrdndi_pipeline.assets.feed_predictions import feed_predictions

    assets = [encoded_inference_tensors, feed_predictions]
    out: dict[str, Any] = {}
    started = time.perf_counter()
    phases.take()
    for asset in assets:
        name = asset.key.to_user_string()
        phases.label = name
        t0 = time.perf_counter()
        result = dg.materialize(assets, resources=resources, selection=[asset.key])
        wall = time.perf_counter() - t0
        if not result.success:
            raise RuntimeError(f"{name} failed")
        meta = _metadata(result, name)
        out[f"{name}_s"] = round(wall, 2)
        out[f"{name}_asset_s"] = meta["seconds"]  # inside the asset, without Dagster's run
        out[f"{name}_dagster_overhead_s"] = round(wall - meta["seconds"], 2)
        if name == "encoded_inference_tensors":
            out["candidates"] = meta["candidates"]
            out["context_events"] = meta["context_events"]
            out["encoded"] = meta["encoded"]
            out["fusion"] = meta.get("fusion")
            for key in ("hits", "misses", "dropped"):
                if f"video_cache_{key}" in meta:
                    out[f"video_cache_{key}"] = meta[f"video_cache_{key}"]
            out["tensor_bytes"] = meta["bytes"]
        else:
            out["scoring_s"] = meta["scoring_seconds"]  # adapter load + scoring + bookkeeping
            out["videos"] = meta["videos"]
            out["ranking"] = meta["ranking"]
    phases.label = "outside"
    out["refresh_s"] = round(time.perf_counter() - started, 2)
    out["videos_per_s"] = round(out["videos"] / out["refresh_s"], 1)
    out["phases_s"] = phases.take()
    out["peak_rss_mib_so_far"] = _rss_mib()
    return out


def _timed(fn: Any, *args: Any, **kwargs: Any) -> tuple[Any, float]:
    t0 = time.perf_counter()
    value = fn(*args, **kwargs)
    return value, time.perf_counter() - t0


def padding(dataset: Any, batch_size: int) -> dict[str, Any]:
    """Text tokens per row and the share of the scored positions that are padding (batches in
    dataset order, as ``predict`` makes them; +1 position for the context token)."""
    lengths = [len(it.input_ids) for it in dataset.items]
    real = padded = 0
    for start in range(0, len(lengths), batch_size):
        chunk = lengths[start : start + batch_size]
        real += sum(chunk) + len(chunk)
        padded += (max(chunk) + 1) * len(chunk)
    return {
        "text_tokens_mean": round(sum(lengths) / len(lengths), 1),
        "text_tokens_max": max(lengths),
        "rows_at_max_length": sum(n == max(lengths) for n in lengths),
        "padding_share": round(1 - real / padded, 3),
    }


def sorted_padding(dataset: Any, batch_size: int) -> float:
    """Padding share of ``encode_video_vectors``' batches (rows sorted by length)."""
    lengths = sorted(len(it.input_ids) for it in dataset.items)
    real = sum(lengths)
    padded = sum(
        max(lengths[s : s + batch_size]) * len(lengths[s : s + batch_size])
        for s in range(0, len(lengths), batch_size)
    )
    return round(1 - real / padded, 4)


def count_flops(fn: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """FLOPs of ``fn(*args, **kwargs)``, per operator. The CPU flash-attention kernel has no
    formula in torch's table: it is given the SDPA one."""
    import torch
    from torch.utils.flop_counter import FlopCounterMode, sdpa_flop_count

    aten = torch.ops.aten

    def cpu_flash(query: Any, key: Any, value: Any, *args: Any, **kwargs: Any) -> int:
        return int(sdpa_flop_count(query, key, value))  # shapes (B, heads, S, d)

    mapping = {}
    if hasattr(aten, "_scaled_dot_product_flash_attention_for_cpu"):
        mapping[aten._scaled_dot_product_flash_attention_for_cpu] = cpu_flash
    counter = FlopCounterMode(display=False, custom_mapping=mapping)
    with counter:
        fn(*args, **kwargs)
    by_op = {str(op): n for op, n in counter.get_flop_counts().get("Global", {}).items()}
    return {"total": counter.get_total_flops(), "by_op": by_op}


def matmul_peak(
    seconds: float = 1.0, trials: int = 3, sizes: tuple[int, ...] = (1024, 2048), dtype: Any = None
) -> dict[str, Any]:
    """Best ``torch.mm`` GFLOP/s (float32 unless ``dtype``) over ``trials`` bursts of
    ``seconds``, per size, with torch's current threads."""
    import torch

    dtype = dtype or torch.float32
    best: dict[str, float] = {}
    with torch.inference_mode():
        for n in sizes:
            a, b = torch.randn(n, n, dtype=dtype), torch.randn(n, n, dtype=dtype)
            out = torch.empty(n, n, dtype=dtype)
            torch.mm(a, b, out=out)  # warm-up
            rates = []
            for _ in range(trials):
                iterations, t0 = 0, time.perf_counter()
                while (elapsed := time.perf_counter() - t0) < seconds:
                    torch.mm(a, b, out=out)
                    iterations += 1
                rates.append(2 * n**3 * iterations / elapsed / 1e9)
            best[str(n)] = round(max(rates), 1)
    return {"gflops": max(best.values()), "by_size": best, "threads": torch.get_num_threads()}


def _resources(folder: Path) -> dict[str, Any]:
    from vrdndi_pipeline.resources.clock import FixedClock
    from vrdndi_pipeline.resources.database import AppDatabase
    from vrdndi_pipeline.resources.inference_store import InferenceTensorStore
    from vrdndi_pipeline.resources.text_encoder import SentenceEncoder

    return {
        "database": AppDatabase(url=f"sqlite:///{folder / 'vrdndi.db'}"),
        "tracking": _tracking(folder),
        "inference_store": InferenceTensorStore(root=str(folder / "inference"), keep=3),
        "clock": FixedClock(moment=NOW.isoformat()),
        "user_timezone": ZONE,
        "text_encoder": SentenceEncoder(),
    }


def _imports() -> float:
    t0 = time.perf_counter()
    import dagster as dg  # noqa: F401  (timed: the import cost of a refresh process)
    import torch  # noqa: F401

    from vrdndi_pipeline.assets.feed_predictions import feed_predictions  # noqa: F401

    return round(time.perf_counter() - t0, 2)


def _candidates_and_context(folder: Path) -> tuple[list[Any], list[Any], float]:
    from vrdndi_pipeline.core.feed.candidates import context_at, select_candidates
    from vrdndi_pipeline.core.store.database import make_engine, read_transaction

    engine = make_engine(f"sqlite:///{folder / 'vrdndi.db'}")
    t0 = time.perf_counter()
    with read_transaction(engine) as conn:
        selection = select_candidates(conn, NOW, CANDIDATE_DAYS)
        events = context_at(conn, NOW, CONTEXT_HOURS)
    query_s = time.perf_counter() - t0
    engine.dispose()
    return selection.candidates, events, query_s


def child_early(folder: Path) -> dict[str, Any]:
    import torch

    import_s = _imports()
    phases = install_phases()
    resources = _resources(folder)
    _log("early: refresh 1 (fresh process)")
    first = refresh(resources, phases)
    rss_first = _rss_mib()
    _log(f"early: refresh 1: {first['refresh_s']} s; refresh 2 (warm process)")
    second = refresh(resources, phases)
    _log(f"early: refresh 2: {second['refresh_s']} s; inner pieces")
    rss_refreshes = _rss_mib()
    threads = torch.get_num_threads()

    from vrdndi_pipeline.core.feed.inference_tensors import read_generation, without_context
    from vrdndi_pipeline.core.model.adapter_files import load_adapter
    from vrdndi_pipeline.core.model.inference import encode_candidates, score_encoded

    tracking = resources["tracking"]
    champion, champion_s = _timed(tracking.champion)
    videos, events, query_s = _candidates_and_context(folder)
    _, encode_s = _timed(encode_candidates, champion.local_path, videos, NOW, events, ZONE)
    inputs, read_s = _timed(read_generation, folder / "inference")
    model, load_s = _timed(
        load_adapter, champion.local_path, compile_model=False, merge_lora=True
    )  # as feed_predictions loads it
    dataset = inputs.dataset
    interest = without_context(dataset)
    _log("early: matmul peak (before)")
    peak_before = matmul_peak()
    _log("early: counting FLOPs (a separate, un-timed scoring run)")
    t0 = time.perf_counter()
    flops = count_flops(score_encoded, model, dataset, interest, batch_size=BATCH_SIZE)
    counted_s = time.perf_counter() - t0
    load_avg = os.getloadavg()
    _log("early: matmul peak (after)")
    peak_after = matmul_peak()
    peak = max(peak_before["gflops"], peak_after["gflops"])
    gflop = flops["total"] / 1e9
    # The timed scoring: the two passes inside the second refresh's feed_predictions, less the
    # adapter load timed above (scoring_s also holds the load and the score bookkeeping).
    timed_scoring_s = max(second["scoring_s"] - load_s, 1e-9)
    achieved = gflop / timed_scoring_s
    return {
        "candidates": second["candidates"],
        "context_events": second["context_events"],
        "context_events_used": len(dataset.items[0].event_index) if dataset.items else 0,
        "encoded_inference_tensors_s": first["encoded_inference_tensors_s"],
        "feed_predictions_s": first["feed_predictions_s"],
        "refresh_s": first["refresh_s"],
        "videos_per_s": first["videos_per_s"],
        "second_encoded_inference_tensors_s": second["encoded_inference_tensors_s"],
        "second_feed_predictions_s": second["feed_predictions_s"],
        "second_refresh_s": second["refresh_s"],
        "second_videos_per_s": second["videos_per_s"],
        "first_refresh": first,
        "second_refresh": second,
        "child_import_s": import_s,
        "inner_warm_s": {
            "champion_lookup": round(champion_s, 3),
            "candidates_and_context_query": round(query_s, 3),
            "encode_candidates": round(encode_s, 3),
            "read_generation": round(read_s, 3),
            "load_adapter": round(load_s, 3),
            "score_encoded_under_flop_counter": round(counted_s, 3),
        },
        "timed_scoring_s": round(timed_scoring_s, 2),
        "scoring_videos_per_s": round(len(dataset) / timed_scoring_s, 1),
        **padding(dataset, BATCH_SIZE),
        "batch_size": BATCH_SIZE,
        "peak_rss_mib_first_refresh": rss_first,
        "peak_rss_mib": rss_refreshes,
        "peak_rss_includes": "child process: imports + 2 refreshes (no setup, no FLOP count)",
        "peak_rss_mib_end": _rss_mib(),
        "model_gflop": round(gflop, 2),
        "model_gflop_by_op": {k: round(v / 1e9, 3) for k, v in sorted(flops["by_op"].items())},
        "achieved_gflops": round(achieved, 2),
        "achieved_gflops_counted_run": round(gflop / counted_s, 2),
        "matmul_peak_gflops": peak,
        "matmul_peak_before": peak_before,
        "matmul_peak_after": peak_after,
        "ratio_of_peak": round(achieved / peak, 3),
        "threads": threads,
        "loadavg_after_scoring": [round(x, 2) for x in load_avg],
    }


def _encode_pass(model: Any, dataset: Any, batch_size: int) -> tuple[Any, float]:
    from vrdndi_pipeline.core.model.late_inference import encode_video_vectors

    return _timed(encode_video_vectors, model, dataset, batch_size=batch_size)


@contextlib.contextmanager
def _threads(n: int) -> Any:
    """``n`` intra-op threads for ``encode_video_vectors`` (which sets the model's own count:
    ``configure_threads`` is bypassed here, in this process only)."""
    import torch

    import vrdndi_pipeline.core.model.late_inference as late_scoring

    original, before = late_scoring.configure_threads, torch.get_num_threads()
    late_scoring.configure_threads = lambda _wanted: n  # type: ignore[assignment]
    torch.set_num_threads(n)
    try:
        yield
    finally:
        late_scoring.configure_threads = original
        torch.set_num_threads(before)


def encoding_bench(folder: Path, resources: dict[str, Any]) -> dict[str, Any]:
    """``encode_video_vectors`` over the 1,000 rows: timed, FLOPs counted, against the matmul
    peak of this process; then the variants."""
    import torch

    from vrdndi_pipeline.core.model.adapter_files import load_adapter
    from vrdndi_pipeline.core.model.batching import EncodedDataset
    from vrdndi_pipeline.core.model.inference import encode_candidates

    champion = resources["tracking"].champion()
    videos, events, _ = _candidates_and_context(folder)
    dataset = encode_candidates(champion.local_path, videos, NOW, events, ZONE)
    # as the feed assets load it: LoRA folded into the backbone
    model = load_adapter(champion.local_path, compile_model=False, merge_lora=True)
    n = len(dataset)
    threads = torch.get_num_threads()
    _log(f"encoding: matmul peak (before), {threads} threads")
    peak_before = matmul_peak()
    warm = EncodedDataset(dataset.items[:: max(1, n // 128)], dataset.event_table)
    _encode_pass(model, warm, BATCH_SIZE)  # warm-up: every length bucket's kernels
    _log("encoding: timed passes (batch 32)")
    reference, first_s = _encode_pass(model, dataset, BATCH_SIZE)
    _, second_s = _encode_pass(model, dataset, BATCH_SIZE)
    encode_s = min(first_s, second_s)
    load_avg = os.getloadavg()
    flops_by_bs: dict[tuple[str, int], dict[str, Any]] = {}

    def flops(batch_size: int, eager: Any = None, tag: str = "merged") -> float:
        """GFLOP of one pass, counted on the eager model ``eager`` (the default: ``model``);
        cached per (``tag``, batch size)."""
        if (tag, batch_size) not in flops_by_bs:
            from vrdndi_pipeline.core.model.late_inference import encode_video_vectors

            flops_by_bs[tag, batch_size] = count_flops(
                encode_video_vectors, eager or model, dataset, batch_size=batch_size
            )
        return flops_by_bs[tag, batch_size]["total"] / 1e9

    _log("encoding: counting FLOPs")
    gflop = flops(BATCH_SIZE)
    _log("encoding: matmul peak (after)")
    peak_after = matmul_peak()
    peak = max(peak_before["gflops"], peak_after["gflops"])
    with _threads(1):
        peak_1 = matmul_peak(trials=2, sizes=(1024,))

    def load(merge_lora: bool) -> Any:
        return load_adapter(champion.local_path, compile_model=False, merge_lora=merge_lora)

    variants = encoding_variants(
        model, load, dataset, warm, reference, flops, peak, peak_1["gflops"]
    )
    by_op = flops_by_bs["merged", BATCH_SIZE]["by_op"]
    lengths = [len(it.input_ids) for it in dataset.items]
    return {
        "rows": n,
        "batch_size": BATCH_SIZE,
        "threads": threads,
        "text_tokens_mean": round(sum(lengths) / n, 1),
        "text_tokens_max": max(lengths),
        "padding_share_sorted_batches": sorted_padding(dataset, BATCH_SIZE),
        "seconds": round(encode_s, 3),
        "seconds_each_pass": [round(first_s, 3), round(second_s, 3)],
        "videos_per_s": round(n / encode_s, 1),
        "gflop": round(gflop, 2),
        "gflop_by_op": {k: round(v / 1e9, 3) for k, v in sorted(by_op.items())},
        "achieved_gflops": round(gflop / encode_s, 2),
        "matmul_peak_gflops": peak,
        "matmul_peak_before": peak_before,
        "matmul_peak_after": peak_after,
        "matmul_peak_1_thread": peak_1,
        "ratio_of_peak": round(gflop / encode_s / peak, 3),
        "target_ratio": 0.4,
        "loadavg_after_timed_passes": [round(x, 2) for x in load_avg],
        "variants": variants,
    }


def encoding_variants(
    model: Any,
    load: Any,
    dataset: Any,
    warm: Any,
    reference: Any,
    flops: Any,
    peak: float,
    peak_1_thread: float,
) -> list[dict[str, Any]]:
    """One timed pass per variant, after a warm-up (a full pass when compiled, else a row
    sample of every length); nothing in the project changes.
    ``max_abs_diff``: largest difference of the vectors from the default's (float32, eager,
    LoRA merged as the feed assets load it)."""
    import torch

    def run(
        name: str,
        m: Any,
        batch_size: int,
        threads: int,
        compiled: bool = False,
        counted_on: tuple[Any, str] = (None, "merged"),
        **extra: Any,
    ) -> dict[str, Any]:
        """``counted_on``: the eager model whose FLOPs ``m`` runs (compiled code cannot be
        counted by the dispatch-level counter), and its tag."""
        _log(f"encoding variant: {name}")
        gflop = flops(batch_size, *counted_on)
        row: dict[str, Any] = {"variant": name, "batch_size": batch_size, "threads": threads}
        try:
            with _threads(threads), extra.pop("context", contextlib.nullcontext()):
                t0 = time.perf_counter()
                _encode_pass(m, warm if not compiled else dataset, batch_size)  # (compiles)
                row["warmup_s"] = round(time.perf_counter() - t0, 2)
                vectors, seconds = _encode_pass(m, dataset, batch_size)
        except Exception as exc:  # noqa: BLE001 - a failing variant is a figure, not a crash
            row["error"] = f"{type(exc).__name__}: {exc}"[:300]
            return row
        peak_here = peak if threads > 1 else peak_1_thread
        row.update(
            seconds=round(seconds, 3),
            videos_per_s=round(len(dataset) / seconds, 1),
            gflop=round(gflop, 2),
            achieved_gflops=round(gflop / seconds, 2),
            ratio_of_peak=round(gflop / seconds / peak_here, 3),
            peak_used=peak_here,
            max_abs_diff=float((vectors - reference).abs().max()),
            **extra,
        )
        return row

    rows = [run(f"LoRA merged, eager fp32, batch {bs}", model, bs, 2) for bs in (16, 32, 64, 128)]
    rows.append(run("LoRA merged, eager fp32, batch 32, 1 thread", model, 32, 1))

    unmerged = load(merge_lora=False)
    on_unmerged = (unmerged, "lora")  # more FLOPs: the rank-8 LoRA products
    for bs in (32, 128):
        rows.append(
            run(f"LoRA unmerged (peft), fp32, batch {bs}", unmerged, bs, 2, counted_on=on_unmerged)
        )
    compiled = load(merge_lora=False)
    compiled._run_backbone = torch.compile(compiled.backbone.forward, dynamic=True)
    rows.append(
        run(
            "torch.compile(dynamic), LoRA unmerged, fp32, batch 32",
            compiled,
            32,
            2,
            True,
            on_unmerged,
        )
    )
    del compiled
    compiled = load(merge_lora=True)
    compiled._run_backbone = torch.compile(compiled.backbone.forward, dynamic=True)
    for bs in (64, 32):  # one dynamic-shape compile serves both
        rows.append(
            run(
                f"torch.compile(dynamic), LoRA merged, fp32, batch {bs}",
                compiled,
                bs,
                2,
                True,
            )
        )
    return rows


def child_late(folder: Path) -> dict[str, Any]:
    import torch

    import_s = _imports()
    phases = install_phases()
    resources = _resources(folder)
    _log("late: refresh 1 (cold cache, fresh process)")
    cold = refresh(resources, phases)
    rss_cold = _rss_mib()
    _log(f"late: refresh 1: {cold['refresh_s']} s; refresh 2 (warm cache)")
    warm2 = refresh(resources, phases)
    _log(f"late: refresh 2: {warm2['refresh_s']} s; refresh 3 (warm cache)")
    warm3 = refresh(resources, phases)
    _log(f"late: refresh 3: {warm3['refresh_s']} s; encoding step")
    rss_refreshes = _rss_mib()
    threads = torch.get_num_threads()
    encoding = encoding_bench(folder, resources)
    return {
        "child_import_s": import_s,
        "threads": threads,
        "cold": {**cold, "peak_rss_mib": rss_cold, "peak_rss_includes": "imports + refresh 1"},
        "warm": {
            "refresh_2": warm2,
            "refresh_3": warm3,
            "peak_rss_mib_after_3_refreshes": rss_refreshes,
        },
        "encoding": encoding,
    }


def child_late_fresh(folder: Path) -> dict[str, Any]:
    import_s = _imports()
    phases = install_phases()
    _log("late: refresh on a warm cache in a fresh process")
    fresh = refresh(_resources(folder), phases)
    return {**fresh, "child_import_s": import_s, "peak_rss_mib": _rss_mib()}


def child_ranker(folder: Path) -> dict[str, Any]:
    """A ranker refresh on warm embeddings in a fresh process (what one Dagster run pays),
    then a second one in the same process."""
    import_s = _imports()
    phases = install_phases()
    resources = _resources(folder)
    _log("ranker: refresh 1 (fresh process, warm embeddings)")
    first = refresh(resources, phases)
    rss_first = _rss_mib()
    second = refresh(resources, phases)
    _log(f"ranker: {first['refresh_s']} s fresh, {second['refresh_s']} s warm process")
    return {
        "refresh_s": first["refresh_s"],
        "second_refresh_s": second["refresh_s"],
        "first_refresh": first,
        "second_refresh": second,
        "child_import_s": import_s,
        "peak_rss_mib_first_refresh": rss_first,
        "peak_rss_mib": _rss_mib(),
    }


def child_ranker_fresh(folder: Path) -> dict[str, Any]:
    """One more ranker refresh in a fresh process, after ``child_ranker``'s: the champion
    lookup is remembered now, as for every refresh after the first one since a training."""
    import_s = _imports()
    phases = install_phases()
    _log("ranker: refresh in a fresh process, champion lookup remembered")
    fresh = refresh(_resources(folder), phases)
    return {**fresh, "child_import_s": import_s, "peak_rss_mib": _rss_mib()}


CHILDREN = {
    "early": child_early,
    "late": child_late,
    "late-fresh": child_late_fresh,
    "ranker": child_ranker,
    "ranker-fresh": child_ranker_fresh,
}


# --- entry point -------------------------------------------------------------------------------


def _run_child(kind: str, folder: Path) -> dict[str, Any]:
    result_file = folder / f"result-{kind}.json"
    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "bench.bench_feed", "--child", str(folder)]
        + ["--kind", kind, "--result", str(result_file)],
        check=True,
        stdout=sys.stderr,
    )
    measured = json.loads(result_file.read_text(encoding="utf-8"))
    measured["child_wall_s"] = round(time.perf_counter() - t0, 1)
    return measured


def _summary(
    early: dict[str, Any], late: dict[str, Any], fresh: dict[str, Any], ranker: dict[str, Any]
) -> dict[str, Any]:
    cold = late["cold"]
    warm = late["warm"]["refresh_2"], late["warm"]["refresh_3"]
    return {
        "refresh_s": {
            "early_fresh_process": early["refresh_s"],
            "early_warm_process": early["second_refresh_s"],
            "late_cold_cache_fresh_process": cold["refresh_s"],
            "late_warm_cache_warm_process": [w["refresh_s"] for w in warm],
            "late_warm_cache_fresh_process": fresh["refresh_s"],
            "ranker_warm_embeddings_fresh_process_first_after_training": ranker["refresh_s"],
            "ranker_warm_embeddings_fresh_process": ranker["fresh_process_champion_remembered"][
                "refresh_s"
            ],
            "ranker_warm_embeddings_warm_process": ranker["second_refresh_s"],
        },
        "ranker_target_refresh_s": 2.0,
        "ranker_child_import_s": ranker["child_import_s"],
        "target_refresh_s": 3.0,
        "encoding_ratio_of_peak": late["encoding"]["ratio_of_peak"],
        "target_ratio": 0.4,
        "peak_rss_mib": {
            "early": early["peak_rss_mib_first_refresh"],
            "late_cold": cold["peak_rss_mib"],
            "late_warm_fresh_process": fresh["peak_rss_mib"],
            "ranker_fresh_process": ranker["peak_rss_mib_first_refresh"],
            "ranker_fresh_process_champion_remembered": ranker["fresh_process_champion_remembered"][
                "peak_rss_mib"
            ],
        },
        "ranker_target_peak_rss_mib": 1024,
        "target_peak_rss_mib": 1536,
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_feed")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--kind", choices=list(CHILDREN), help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    parser.add_argument(
        "--only-ranker",
        action="store_true",
        help="measure the ranker's refresh alone (a quick run; no early/late comparison)",
    )
    args = parser.parse_args()
    if args.child:
        with contextlib.redirect_stdout(sys.stderr):
            measured = CHILDREN[args.kind](args.child)
        args.result.write_text(json.dumps(measured), encoding="utf-8")
        return
    started = time.perf_counter()
    load_start = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="bench-feed-") as tmp:
        root = Path(tmp)
        _log(f"setup in {root}")
        rng = random.Random(11)
        with contextlib.redirect_stdout(sys.stderr):
            videos, events = make_videos(rng), make_events(rng)
            fusions = () if args.only_ranker else ("early", "late")
            made = {f: setup(root / f, f, videos, events) for f in fusions}
            made["ranker"] = setup_ranker(root / "ranker", videos, events)
        setup_s = time.perf_counter() - started
        _log(f"setup done in {setup_s:.1f} s; measuring in child processes")
        ranker = {**made["ranker"], **_run_child("ranker", root / "ranker")}
        ranker["fresh_process_champion_remembered"] = _run_child("ranker-fresh", root / "ranker")
        if args.only_ranker:
            json.dump(
                {"ranker": ranker, "total_s": round(time.perf_counter() - started, 1)}, sys.stdout
            )
            return
        early = _run_child("early", root / "early")
        late = _run_child("late", root / "late")
        late["warm_fresh_process"] = _run_child("late-fresh", root / "late")
    early.update(made["early"])
    late["model"] = made["late"]
    json.dump(
        {
            "summary": _summary(early, late, late["warm_fresh_process"], ranker),
            "early": early,
            "late": late,
            "ranker": ranker,
            "matmul_peak_gflops": late["encoding"]["matmul_peak_gflops"],
            "channels": len({v.channel_id for v in videos}),
            "preset": PRESET,
            "candidates": CANDIDATES,
            "context_events": CONTEXT_EVENTS,
            "setup_s": round(setup_s, 1),
            "total_s": round(time.perf_counter() - started, 1),
            "load": {
                "loadavg_start": [round(x, 2) for x in load_start],
                "loadavg_end": [round(x, 2) for x in os.getloadavg()],
            },
            "cpus": os.cpu_count(),
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
