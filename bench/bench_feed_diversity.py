"""Feed diversity and exploration, measured offline on the demo data.

Setup (not measured): the bundled demo data is ingested into a temporary SQLite database by the
pipeline's own assets and its labels seeded (``bench_ranker.ingested_demo``); the training
tables are built with their context features (``bench_ranker.training_tables``), which also
stores the frozen MiniLM embedding of every labelled video in ``video_embeddings``. The vectors
used below are read back from that table for the default text encoder (``SentenceEncoder``'s
``model_name``), as the feed reads them.

1. **MMR: diversity against relevance.** The productive clicks ("good time now" = 1, "not now"
   = 0) are time-ordered and the newest ``TEST_SHARE`` of them cut into ``FOLDS`` consecutive
   blocks (``rolling_origin_folds``). For each block the project's ranker (``RankerConfig()``,
   ``ranker_fit_predict``) is fitted on the clicks before the block only (and the interest
   labels outside the block's interest share) and scores the block's clicks (P(good time now),
   each click in its own context). A block is one candidate list: its held-out videos, as if
   they competed for one feed (every video occurs once: a video's latest click is its row).
   Each list is ordered by the feed's own ``ranking.diversify`` (score order, then
   ``diversity.mmr_order``) with the channel cap (3 per page of 21) at MMR relevance weights
   λ in ``LAMBDAS`` (λ = 1 is the plain channel cap). Per λ, over the lists: the
   intra-list similarity of page 1 (mean pairwise cosine, ``intra_list_similarity``; mean and
   standard deviation over the lists), NDCG@21 against the held-out clicks (gain 1 for a
   positive click, ideal = the list's positives first) with a percentile bootstrap 95 %
   interval over lists, and the paired NDCG difference to λ = 1 (per-list differences,
   bootstrapped over lists the same way). For reference: score order without the cap, MMR at
   λ = 0 (similarity only: how low page-1 similarity can go) and random orders (expected
   values over ``RANDOM_ORDERS`` shuffles). With a handful of lists the intervals are wide:
   they say how much the data can tell.
2. **Inverse-propensity estimate from a simulated exploration log.** The same candidate lists.
   Per seed, a known true click probability per video: ``sigmoid(BASE + z_ranker + z_random)``,
   with ``z_ranker`` the standardised logit of the ranker's held-out score and ``z_random`` a
   standardised seeded random linear function of the embedding (so the ranker is partly
   right). The logging policy is the feed's default order (MMR λ = 0.8 of the ranker's scores)
   placed slot by slot by ``exploration.place_with_exploration`` at exploration share ε; each
   of the first ``PAGE`` slots of a generation is logged with its propensity, and its reward
   drawn from the true probability. Two deterministic target policies: ``oracle`` (by true
   probability) and ``score_order`` (by the ranker's score, no diversity). A target's
   probability of the logged video in a slot is 1 when its best video among those not yet
   placed in the logged feed is the logged one, else 0; ``exploration.ips_estimate`` gives the
   estimate of the target's mean reward per slot and its standard error. The value it
   estimates, computed directly from the true probabilities, is ``true_value_on_logged_slots``:
   the mean true probability of the target's choice in every logged slot (same remaining
   videos); ``true_value_deployed`` is what the target would get on page 1 if it ran itself
   (the mean true probability of its own first 21): slot-level IPS is unbiased for the first,
   not for the second (the target would meet other remaining videos than the logged feed
   left it). Reported per ε over ``IPS_SEEDS`` seeds: the estimate, its reported standard
   error, the true values, the error, its spread over seeds, how often the 95 % interval
   covers the true value, and a standard error clustered by generation (slots of one feed are
   not independent).
3. **Speed of ``mmr_order``** on 500 candidates with 384-d vectors (stored embeddings of the
   demo's labelled videos, their channels, random relevance): median milliseconds of
   ``TIMING_RUNS`` runs at λ = 0.8 and at λ = 1 (the plain channel cap).

Prints one JSON object on stdout; logs go to stderr.
"""

from __future__ import annotations

import json
import logging
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import select

from bench.bench_ranker import _round, ingested_demo, training_tables
from vrdndi_pipeline.core.embeddings.vector_store import stored_video_vectors, video_texts
from vrdndi_pipeline.core.feed.diversity import intra_list_similarity, mmr_order
from vrdndi_pipeline.core.feed.exploration import ips_estimate, place_with_exploration
from vrdndi_pipeline.core.feed.ranking import FeedOrder, ScoredCandidate, diversify
from vrdndi_pipeline.core.model.examples import examples_from_frames, productive_key
from vrdndi_pipeline.core.ranker.config import RankerConfig
from vrdndi_pipeline.core.ranker.training import ranker_fit_predict, ranker_rows
from vrdndi_pipeline.core.records import Video
from vrdndi_pipeline.core.selection.folds import rolling_origin_folds
from vrdndi_pipeline.core.selection.heldout import held_out_predictions
from vrdndi_pipeline.core.store.database import read_transaction
from vrdndi_pipeline.core.store.schema import videos
from vrdndi_pipeline.demo import DEMO_DATA_DIR
from vrdndi_pipeline.resources.text_encoder import SentenceEncoder

FOLDS = 8  # candidate lists: one per rolling-origin test block
TEST_SHARE = 0.75  # newest share of the clicks held out (8 blocks of 30 clicks on the demo)
PAGE = 21
MAX_PER_CHANNEL = 3
LAMBDAS = (1.0, 0.9, 0.8, 0.7, 0.5)
BOOTSTRAP = 2000
RANDOM_ORDERS = 200
SHARES = (0.05, 0.1, 0.2)
IPS_SEEDS = 10
GENERATIONS = 200  # simulated feed generations per list and seed
BASE_LOGIT = -1.0
TIMING_CANDIDATES = 500
TIMING_RUNS = 5
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
log = logging.getLogger("bench.feed_diversity")


@dataclass(frozen=True)
class CandidateList:
    """The held-out clicks of one rolling-origin block, scored by a ranker fitted before it."""

    fold: int
    candidates: list[ScoredCandidate]  # in the table's time order
    labels: dict[str, int]  # video id -> productive label


def _ndcg(order: list[ScoredCandidate], labels: dict[str, int], k: int = PAGE) -> float | None:
    gains = np.array([labels[c.video.video_id] for c in order], float)
    ideal = np.sort(gains)[::-1][:k]
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    best = float(ideal @ discounts[: len(ideal)])
    if best == 0.0:
        return None
    top = gains[:k]
    return float(top @ discounts[: len(top)]) / best


def _bootstrap(values: np.ndarray, rng: np.random.Generator) -> list[float]:
    """Percentile 95 % interval of the mean over resampled lists."""
    idx = rng.integers(len(values), size=(BOOTSTRAP, len(values)))
    means = values[idx].mean(axis=1)
    return [float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))]


def _channel(c: ScoredCandidate) -> str:
    return c.video.channel_id or c.video.channel_title or c.video.video_id


def candidate_lists(
    engine: Any, interest: pd.DataFrame, productive: pd.DataFrame, vectors: dict[str, Any]
) -> list[CandidateList]:
    """Held-out ranker scores of the productive clicks, one list per rolling-origin block."""
    examples = examples_from_frames(interest, productive)
    folds = rolling_origin_folds(examples, folds=FOLDS, test_share=TEST_SHARE)
    rows = ranker_rows(interest, productive, vectors)
    frame = held_out_predictions(
        "ranker", "ranker", examples, folds, ranker_fit_predict(RankerConfig(), rows)
    )
    frame = frame[frame["kind"] == "productive"]
    records = {productive_key(r): r for r in productive.to_dict("records")}
    with read_transaction(engine) as conn:
        meta = {
            vid: (channel_id, published)
            for vid, channel_id, published in conn.execute(
                select(videos.c.video_id, videos.c.channel_id, videos.c.published_at)
            )
        }
    out = []
    for fold, group in frame.groupby("fold", sort=True):
        candidates, labels = [], {}
        for key, label, probability in zip(
            group["row_key"], group["label"], group["probability"], strict=True
        ):
            record = records[key]
            vid = str(record["video_id"])
            channel_id, published = meta.get(vid, (None, None))
            video = Video(
                video_id=vid,
                title=str(record["title"]),
                channel_id=channel_id,
                channel_title=record["channel_title"],
                description=record["description"],
                published_at=published or _EPOCH,
            )
            p = float(probability)
            candidates.append(ScoredCandidate(video, None, p, p))
            labels[vid] = int(label)
        out.append(CandidateList(int(fold), candidates, labels))
    return out


def _order_summary(
    orders: list[list[ScoredCandidate]],
    lists: list[CandidateList],
    stored: dict[str, np.ndarray],
) -> dict[str, Any]:
    ils, ndcg, worst = [], [], []
    for order, cl in zip(orders, lists, strict=True):
        page = order[:PAGE]
        ils.append(intra_list_similarity([stored.get(c.video.video_id) for c in page]))
        ndcg.append(_ndcg(order, cl.labels))
        counts: dict[str, int] = {}
        for c in page:
            counts[_channel(c)] = counts.get(_channel(c), 0) + 1
        worst.append(max(counts.values()))
    return {"ils": ils, "ndcg": ndcg, "max_per_channel": worst}


def mmr_sweep(lists: list[CandidateList], stored: dict[str, np.ndarray]) -> dict[str, Any]:
    """Part 1 of the module docstring."""
    rng = np.random.default_rng(0)
    raw: dict[str, dict[str, Any]] = {}
    for lam in LAMBDAS:
        orders = [
            diversify(
                cl.candidates,
                rule="mmr" if lam < 1.0 else "channel_cap",
                max_per_channel=MAX_PER_CHANNEL,
                page_size=PAGE,
                vectors=stored,
                relevance_weight=lam,
            )
            for cl in lists
        ]
        raw[f"{lam:.1f}"] = _order_summary(orders, lists, stored)
    raw["score_order_no_cap"] = _order_summary(
        [diversify(cl.candidates, rule="none") for cl in lists], lists, stored
    )
    raw["diversity_only_lambda_0"] = _order_summary(
        [
            diversify(
                cl.candidates,
                rule="mmr",
                max_per_channel=MAX_PER_CHANNEL,
                page_size=PAGE,
                vectors=stored,
                relevance_weight=0.0,
            )
            for cl in lists
        ],
        lists,
        stored,
    )
    usable = [i for i, v in enumerate(raw["1.0"]["ndcg"]) if v is not None]
    cap = np.array([raw["1.0"]["ndcg"][i] for i in usable])
    out: dict[str, Any] = {}
    for name, r in raw.items():
        ils = np.array([v for v in r["ils"] if v is not None])
        ndcg = np.array([r["ndcg"][i] for i in usable])
        diff = ndcg - cap
        out[name] = {
            "page1_ils_mean": float(ils.mean()),
            "page1_ils_sd": float(ils.std(ddof=1)),
            "ndcg21_mean": float(ndcg.mean()),
            "ndcg21_ci95": _bootstrap(ndcg, rng),
            "ndcg21_diff_to_cap": float(diff.mean()),
            "ndcg21_diff_to_cap_ci95": _bootstrap(diff, rng),
            "page1_most_of_one_channel": int(max(r["max_per_channel"])),
            "per_list_ndcg21": [r["ndcg"][i] for i in usable],
            "per_list_ils": r["ils"],
        }
    # random orders: expected NDCG@21 and page-1 ILS of a list shuffled uniformly
    random_ndcg, random_ils = [], []
    for i in usable:
        cl = lists[i]
        ndcgs, sims = [], []
        for _ in range(RANDOM_ORDERS):
            perm = [cl.candidates[j] for j in rng.permutation(len(cl.candidates))]
            ndcgs.append(_ndcg(perm, cl.labels))
            sims.append(intra_list_similarity([stored.get(c.video.video_id) for c in perm[:PAGE]]))
        random_ndcg.append(float(np.mean(ndcgs)))
        random_ils.append(float(np.mean([s for s in sims if s is not None])))
    out["random_order"] = {
        "page1_ils_mean": float(np.mean(random_ils)),
        "ndcg21_mean": float(np.mean(random_ndcg)),
        "ndcg21_ci95": _bootstrap(np.array(random_ndcg), rng),
    }
    out["lists_with_a_positive"] = len(usable)
    return out


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _standardise(x: np.ndarray) -> np.ndarray:
    return (x - x.mean()) / (x.std() or 1.0)


def _simulate(
    logged_orders: list[list[str]],
    targets: dict[str, list[list[str]]],
    truth: dict[str, float],
    share: float,
    rng: np.random.Generator,
) -> dict[str, dict[str, Any]]:
    """One seed and share: log ``GENERATIONS`` feeds per list, estimate every target."""
    rewards, propensity, cluster = [], [], []
    matched: dict[str, list[float]] = {name: [] for name in targets}
    state_value: dict[str, list[float]] = {name: [] for name in targets}
    for li, logged in enumerate(logged_orders):
        n = len(logged)
        index = {vid: i for i, vid in enumerate(logged)}
        preference = {
            name: [index[vid] for vid in order[li]] for name, order in targets.items()
        }  # each target's order, as indices into the logged order
        for g in range(GENERATIONS):
            placements = place_with_exploration(n, share, int(rng.integers(2**63)))
            placed = [False] * n
            first = dict.fromkeys(targets, 0)  # position of each target's best unplaced video
            for p in placements[:PAGE]:
                vid = logged[p.index]
                rewards.append(float(rng.random() < truth[vid]))
                propensity.append(p.propensity)
                cluster.append(li * GENERATIONS + g)
                for name, prefs in preference.items():
                    while placed[prefs[first[name]]]:
                        first[name] += 1
                    best = prefs[first[name]]
                    matched[name].append(float(best == p.index))
                    state_value[name].append(truth[logged[best]])
                placed[p.index] = True
    out = {}
    r, mu, groups = np.array(rewards), np.array(propensity), np.array(cluster)
    for name in targets:
        pi = np.array(matched[name])
        estimate, se = ips_estimate(r, mu, pi)
        values = r * pi / mu
        sums = np.bincount(groups, weights=values - estimate)
        clustered_se = float(np.sqrt((sums**2).sum()) / len(values))
        out[name] = {
            "estimate": estimate,
            "se": se,
            "se_by_generation": clustered_se,
            "true_value_on_logged_slots": float(np.mean(state_value[name])),
            "matched_slots": int(pi.sum()),
        }
    out["_logging"] = {"on_policy_mean_reward": float(r.mean()), "logged_slots": len(r)}
    return out


def ips_simulation(lists: list[CandidateList], stored: dict[str, np.ndarray]) -> dict[str, Any]:
    """Part 2 of the module docstring."""
    default = FeedOrder()
    logged_orders = [
        [
            c.video.video_id
            for c in diversify(
                cl.candidates,
                rule=default.diversity,
                max_per_channel=default.max_per_channel,
                page_size=default.page_size,
                vectors=stored,
                relevance_weight=default.relevance_weight,
            )
        ]
        for cl in lists
    ]
    ids = [c.video.video_id for cl in lists for c in cl.candidates]
    scores = np.clip([c.combined for cl in lists for c in cl.candidates], 1e-4, 1 - 1e-4)
    z_ranker = _standardise(np.log(scores / (1 - scores)))
    matrix = np.stack([stored[v] for v in ids]).astype(np.float64)
    score_order = [
        [c.video.video_id for c in diversify(cl.candidates, rule="none")] for cl in lists
    ]
    per_share: dict[str, Any] = {}
    runs: dict[float, list[dict[str, Any]]] = {share: [] for share in SHARES}
    for seed in range(IPS_SEEDS):
        rng = np.random.default_rng(1000 + seed)
        z_random = _standardise(matrix @ rng.standard_normal(matrix.shape[1]))
        p_true = _sigmoid(BASE_LOGIT + z_ranker + z_random)
        truth = dict(zip(ids, p_true.tolist(), strict=True))
        oracle = [sorted(order, key=lambda v: -truth[v]) for order in logged_orders]
        targets = {"oracle": oracle, "score_order": score_order}
        deployed = {
            name: float(np.mean([np.mean([truth[v] for v in o[:PAGE]]) for o in orders]))
            for name, orders in targets.items()
        }
        logging_expected = float(
            np.mean([np.mean([truth[v] for v in o[:PAGE]]) for o in logged_orders])
        )
        for share in SHARES:
            result = _simulate(
                logged_orders, targets, truth, share, np.random.default_rng([seed, 7])
            )
            for name in targets:
                result[name]["true_value_deployed"] = deployed[name]
            result["_logging"]["greedy_page1_true_value"] = logging_expected
            runs[share].append(result)
        log.info("ips: seed %d/%d done", seed + 1, IPS_SEEDS)
    for share, results in runs.items():
        summary: dict[str, Any] = {
            "logged_slots_per_seed": results[0]["_logging"]["logged_slots"],
            "logging_on_policy_mean_reward": float(
                np.mean([r["_logging"]["on_policy_mean_reward"] for r in results])
            ),
            "logging_greedy_page1_true_value": float(
                np.mean([r["_logging"]["greedy_page1_true_value"] for r in results])
            ),
        }
        for name in ("oracle", "score_order"):
            est = np.array([r[name]["estimate"] for r in results])
            se = np.array([r[name]["se"] for r in results])
            se_g = np.array([r[name]["se_by_generation"] for r in results])
            on_logged = np.array([r[name]["true_value_on_logged_slots"] for r in results])
            deployed_v = np.array([r[name]["true_value_deployed"] for r in results])
            err = est - on_logged
            summary[name] = {
                "estimate_mean": float(est.mean()),
                "estimate_sd": float(est.std(ddof=1)),
                "se_mean": float(se.mean()),
                "se_by_generation_mean": float(se_g.mean()),
                "true_value_on_logged_slots_mean": float(on_logged.mean()),
                "true_value_deployed_mean": float(deployed_v.mean()),
                "error_mean": float(err.mean()),
                "error_sd": float(err.std(ddof=1)),
                "rmse": float(np.sqrt((err**2).mean())),
                "ci95_covers_true_share": float(np.mean(np.abs(err) <= 1.96 * se)),
                "matched_slots_mean": float(np.mean([r[name]["matched_slots"] for r in results])),
                "per_seed_estimate": est.tolist(),
                "per_seed_se": se.tolist(),
                "per_seed_true_value_on_logged_slots": on_logged.tolist(),
            }
        per_share[f"{share:g}"] = summary
    return {
        "seeds": IPS_SEEDS,
        "generations_per_list_and_seed": GENERATIONS,
        "slots_logged_per_generation": PAGE,
        "logging_policy": (
            f"ranker score, MMR λ={default.relevance_weight}, {default.max_per_channel} per "
            "channel, then place_with_exploration"
        ),
        "true_probability": f"sigmoid({BASE_LOGIT} + z(logit ranker score) + z(random·embedding))",
        "by_exploration_share": per_share,
    }


def mmr_timing(stored: dict[str, np.ndarray], channels: dict[str, str]) -> dict[str, Any]:
    """Part 3 of the module docstring."""
    ids = sorted(stored)[:TIMING_CANDIDATES]
    rng = np.random.default_rng(3)
    relevance = np.sort(rng.random(len(ids)))[::-1]
    vecs = [stored[v] for v in ids]
    out: dict[str, Any] = {"candidates": len(ids), "dim": int(len(vecs[0])), "runs": TIMING_RUNS}
    for name, lam in (("mmr_lambda_0.8_ms", 0.8), ("channel_cap_lambda_1_ms", 1.0)):
        times = []
        for _ in range(TIMING_RUNS):
            t0 = time.perf_counter()
            mmr_order(
                ids,
                relevance,
                vecs,
                lambda v: channels.get(v) or v,
                relevance_weight=lam,
                max_per_channel=MAX_PER_CHANNEL,
                page_size=PAGE,
            )
            times.append(1000 * (time.perf_counter() - t0))
        out[name] = float(np.median(times))
    return out


def stored_vectors(engine: Any, video_ids: list[str]) -> tuple[dict[str, np.ndarray], str]:
    """The stored unit embeddings of ``video_ids`` for the default text encoder."""
    encoder = SentenceEncoder().model_name
    with read_transaction(engine) as conn:
        vectors = stored_video_vectors(conn, encoder, video_texts(conn, video_ids))
    return vectors, encoder


def run(engine: Any, interest: pd.DataFrame, productive: pd.DataFrame) -> dict[str, Any]:
    ids = [*map(str, interest["video_id"]), *map(str, productive["video_id"])]
    stored, encoder = stored_vectors(engine, ids)
    norms = np.linalg.norm(np.stack(list(stored.values())), axis=1)
    t0 = time.perf_counter()
    lists = candidate_lists(engine, interest, productive, stored)
    scorer_s = time.perf_counter() - t0
    labels = np.array([cl.labels[c.video.video_id] for cl in lists for c in cl.candidates])
    scores = np.array([c.combined for cl in lists for c in cl.candidates])
    from sklearn.metrics import roc_auc_score

    t0 = time.perf_counter()
    sweep = mmr_sweep(lists, stored)
    sweep_s = time.perf_counter() - t0
    log.info("mmr sweep: %.1f s", sweep_s)
    t0 = time.perf_counter()
    ips = ips_simulation(lists, stored)
    ips_s = time.perf_counter() - t0
    with read_transaction(engine) as conn:
        channels = {
            vid: channel_id or title or vid
            for vid, channel_id, title in conn.execute(
                select(videos.c.video_id, videos.c.channel_id, videos.c.channel_title)
            )
        }
    return {
        "encoder": encoder,
        "stored_vectors": len(stored),
        "vector_norm_range": [float(norms.min()), float(norms.max())],
        "scorer": (
            "project ranker (RankerConfig defaults) via ranker_fit_predict, fitted per "
            "rolling-origin block on earlier clicks only; relevance = P(good time now)"
        ),
        "folds": FOLDS,
        "test_share": TEST_SHARE,
        "lists": len(lists),
        "candidates_per_list": [len(cl.candidates) for cl in lists],
        "positives_per_list": [sum(cl.labels.values()) for cl in lists],
        "page_size": PAGE,
        "max_per_channel": MAX_PER_CHANNEL,
        "scorer_heldout_productive_roc_auc": float(roc_auc_score(labels, scores)),
        "mmr": sweep,
        "ips": ips,
        "mmr_order_timing": mmr_timing(stored, channels),
        "scorer_fit_s": scorer_s,
        "mmr_sweep_s": sweep_s,
        "ips_simulation_s": ips_s,
    }


def main() -> None:
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(message)s")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-diversity-") as tmp:
        engine = ingested_demo(Path(tmp) / "db", DEMO_DATA_DIR)
        tables = training_tables(engine)
        setup_s = time.perf_counter() - started
        figures = run(engine, tables.interest, tables.productive)
        engine.dispose()
    figures["setup_s"] = setup_s
    figures["total_s"] = time.perf_counter() - started
    json.dump(_round(figures), sys.stdout)
    print()


if __name__ == "__main__":
    main()
