"""Losses, sampler, splits, EMA checkpoint choice, the trainer, cross-validation, baseline."""

from __future__ import annotations

import logging
import math
import random
from dataclasses import replace
from datetime import timedelta

import pandas as pd
import pytest
import torch

from tests.harness.model_support import (
    START,
    HashEncoder,
    minilm_config,
    synthetic_examples,
    tiny_config,
    tiny_model,
)
from vrdndi_pipeline.core.model.examples import TrainingExample, examples_from_frames
from vrdndi_pipeline.core.model.hybrid_model import HybridProductiveModel
from vrdndi_pipeline.core.training import trainer as training_module
from vrdndi_pipeline.core.training.baseline import evaluate_baseline, train_baseline
from vrdndi_pipeline.core.training.evaluation import evaluate
from vrdndi_pipeline.core.training.lora_run import run_training
from vrdndi_pipeline.core.training.losses import HybridLoss, class_weights, head_loss
from vrdndi_pipeline.core.training.metrics import (
    EmaTracker,
    Evaluation,
    HeadMetrics,
    choose_epoch,
    weighted_f1,
)
from vrdndi_pipeline.core.training.optimization import build_optimizer
from vrdndi_pipeline.core.training.sampling import make_sampler, row_weights
from vrdndi_pipeline.core.training.splits import NotEnoughData, split_examples
from vrdndi_pipeline.core.training.trainer import Trainer, TrainingResult

IGNORE = -100


# --- losses ---


def _logits_and_labels() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(0)
    interest, productive = torch.randn(6, 2, generator=g), torch.randn(6, 2, generator=g)
    return (
        interest,
        productive,
        torch.tensor([1, 0, IGNORE, IGNORE, 1, 1]),
        torch.tensor([IGNORE, IGNORE, 0, 1, IGNORE, IGNORE]),
    )


def test_loss_weights_scale_each_head() -> None:
    args = _logits_and_labels()
    base = HybridLoss(tiny_config())(*args)
    weighted = HybridLoss(tiny_config(interest_loss_weight=0.25, productive_loss_weight=3.0))(*args)
    assert torch.equal(weighted.interest, base.interest) and torch.equal(
        weighted.productive, base.productive
    )
    torch.testing.assert_close(weighted.total, 0.25 * base.interest + 3.0 * base.productive)
    torch.testing.assert_close(base.total, base.interest + base.productive)


@pytest.mark.parametrize("head", ["interest", "productive"])
def test_label_smoothing_changes_that_heads_loss(head: str) -> None:
    args = _logits_and_labels()
    plain = HybridLoss(tiny_config())(*args)
    smooth = HybridLoss(tiny_config(**{f"{head}_label_smooth": 0.2}))(*args)
    other = "productive" if head == "interest" else "interest"
    assert not torch.isclose(getattr(smooth, head), getattr(plain, head))
    assert torch.equal(getattr(smooth, other), getattr(plain, other))


def test_a_head_without_labels_adds_zero_not_nan() -> None:
    logits = torch.randn(3, 2, requires_grad=True)
    loss = head_loss(
        logits, torch.full((3,), IGNORE), weight=None, ignore_index=IGNORE, label_smoothing=0.1
    )
    assert loss.item() == 0.0
    loss.backward()
    assert logits.grad is not None and torch.equal(logits.grad, torch.zeros(3, 2))


def test_class_weights_are_balanced() -> None:
    weights = class_weights([0, 0, 0, 1, IGNORE], 2, IGNORE)
    torch.testing.assert_close(weights, torch.tensor([4 / 6, 4 / 2]))
    assert class_weights([1, 1], 3, IGNORE).tolist() == [1.0, 1.0, 1.0]


# --- sampler ---


def test_sampler_ratios_change_batch_composition() -> None:
    model = tiny_model()
    dataset = model.encode(synthetic_examples(16, 16))

    def productive_share(ratio: float) -> float:
        config = tiny_config(sampler_productive_ratio=ratio, sampler_interest_ratio=1 - ratio)
        sampler = make_sampler(dataset, config, torch.Generator().manual_seed(0))
        draws = [i for _ in range(20) for i in sampler]  # 20 epochs of 32 draws
        return sum(dataset.items[i].is_productive for i in draws) / len(draws)

    assert productive_share(0.2) == pytest.approx(0.2, abs=0.06)
    assert productive_share(0.8) == pytest.approx(0.8, abs=0.06)
    assert productive_share(1.0) == 1.0
    assert row_weights([True, True], 1.0, 0.0).tolist() == [1.0, 1.0]  # no interest rows: uniform


# --- splits ---


def test_productive_holdout_never_precedes_training_rows() -> None:
    for seed in range(5):
        rows = synthetic_examples(40, 10, seed=seed)
        random.Random(seed).shuffle(rows)
        split = split_examples(rows, tiny_config(seed=seed))
        train = [ex.moment for ex in split.train if ex.is_productive]
        val = [ex.moment for ex in split.val if ex.is_productive]
        hold = [ex.moment for ex in split.holdout if ex.is_productive]
        assert train and val and hold
        assert max(train) <= min(val) and max(val) <= min(hold)
        assert len(split.train) + len(split.val) + len(split.holdout) == 50


def test_interest_rows_split_randomly_but_reproducibly() -> None:
    rows = synthetic_examples(0, 40)
    first = split_examples(rows, tiny_config(seed=1))
    assert first == split_examples(rows, tiny_config(seed=1))
    assert [ex.video_id for ex in first.val] != [
        ex.video_id for ex in split_examples(rows, tiny_config(seed=2)).val
    ]
    assert sorted(ex.video_id for ex in first.val) != sorted(
        ex.video_id for ex in rows[: len(first.val)]
    )


def test_not_enough_data_names_the_counts() -> None:
    rows = synthetic_examples(3, 5)
    with pytest.raises(NotEnoughData, match="3 productive and 5 interest rows; need at least 8"):
        split_examples(rows, tiny_config(min_rows_per_kind=8))
    split = split_examples(synthetic_examples(3, 20), tiny_config(min_rows_per_kind=8))
    assert split.counts()["train_productive"] == 3  # too few to split: all train
    with pytest.raises(NotEnoughData, match="validation has 0 productive and 0 interest rows"):
        Trainer(tiny_config(), tiny_model(), rows, []).fit()


def test_ema_alpha_changes_the_chosen_epoch() -> None:
    history = [0.70, 0.50, 0.80, 0.40, 0.45]
    assert choose_epoch(history, alpha=1.0)[0] == 3
    best, emas = choose_epoch(history, alpha=0.3)
    assert best == 1 and emas[0] == 0.70
    assert emas[1] == pytest.approx(0.3 * 0.5 + 0.7 * 0.7)


def test_ema_productive_weight_changes_the_chosen_epoch() -> None:
    def metrics(f1: float) -> HeadMetrics:
        return HeadMetrics(
            n=10, positives=5, accuracy=f1, precision=f1, recall=f1, f1=f1, roc_auc=None
        )

    # (productive F1, interest F1) per epoch: epoch 1 is best for interest, epoch 2 for productive
    history = [
        Evaluation(interest=metrics(0.9), productive=metrics(0.5)),
        Evaluation(interest=metrics(0.3), productive=metrics(0.7)),
    ]
    assert choose_epoch([weighted_f1(ev, 0.9) or 0 for ev in history], 1.0)[0] == 2
    assert choose_epoch([weighted_f1(ev, 0.1) or 0 for ev in history], 1.0)[0] == 1
    assert weighted_f1(Evaluation(None, metrics(0.4)), 0.65) == 0.4


def test_ema_keeps_the_best_epoch_when_a_later_one_is_worse() -> None:
    tracker = EmaTracker(alpha=0.6)
    assert tracker.update(1, 0.5) and tracker.update(2, 0.9)
    assert not tracker.update(3, 0.1) and not tracker.update(4, 0.2)
    assert tracker.best_epoch == 2 and tracker.best == pytest.approx(0.6 * 0.9 + 0.4 * 0.5)
    assert tracker.epochs_since_best == 2


# --- trainer ---


def _scripted_scores(monkeypatch: pytest.MonkeyPatch, scores: list[float]) -> None:
    remaining = iter(scores)
    monkeypatch.setattr(training_module, "weighted_f1", lambda evaluation, weight: next(remaining))


def test_trainer_restores_the_best_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    _scripted_scores(monkeypatch, [0.5, 0.9, 0.2, 0.1])
    config = tiny_config(total_epoch=4, ema_alpha=1.0)
    model = tiny_model(config)
    snapshots = {}
    rows = synthetic_examples(16, 8)
    trainer = Trainer(config, model, rows[:12] + rows[16:20], rows[12:16] + rows[20:])
    trainer.add_callback(
        "on_epoch_end", lambda report: snapshots.update({report.epoch: model.trainable_state()})
    )
    result = trainer.fit()
    assert result.best_epoch == 2 and [r.is_best for r in result.history] == [
        True,
        True,
        False,
        False,
    ]
    final = model.trainable_state()
    assert all(torch.equal(final[k], snapshots[2][k]) for k in final)
    assert any(not torch.equal(final[k], snapshots[4][k]) for k in final)
    assert not model.training


def test_early_stopping_after_patience(monkeypatch: pytest.MonkeyPatch) -> None:
    _scripted_scores(monkeypatch, [0.9, 0.5, 0.4, 0.3, 0.2, 0.1])
    config = tiny_config(total_epoch=6, early_stopping_patience=2)
    rows = synthetic_examples(16, 8)
    result = Trainer(config, tiny_model(config), rows[:20], rows[20:]).fit()
    assert result.stopped_early and len(result.history) == 3 and result.best_epoch == 1


def test_accumulation_steps_changes_optimizer_step_count() -> None:
    rows = synthetic_examples(24, 8)  # 28 train rows, batch 4 → 7 batches per epoch
    steps = {}
    for accumulation in (1, 2, 7):
        config = tiny_config(batch_size=4, accumulation_steps=accumulation, total_epoch=1)
        steps[accumulation] = (
            Trainer(config, tiny_model(config), rows[:20] + rows[24:], rows[20:24])
            .fit()
            .optimizer_steps
        )
    assert steps == {1: 7, 2: 4, 7: 1}
    config = tiny_config(batch_size=14, accumulation_steps=1, total_epoch=1)
    assert (
        Trainer(config, tiny_model(config), rows[:20] + rows[24:], rows[20:24])
        .fit()
        .optimizer_steps
        == 2
    )


def test_weight_decay_applies_to_matrices_only() -> None:
    optimizer = build_optimizer(tiny_model(weight_decay=0.3), tiny_config(weight_decay=0.3))
    decays = {group["weight_decay"]: len(group["params"]) for group in optimizer.param_groups}
    assert set(decays) == {0.3, 0.0} and all(decays.values())


def test_same_seed_same_training_other_seed_other_training() -> None:
    rows = synthetic_examples(16, 8)
    train, val = rows[:12] + rows[16:20], rows[12:16] + rows[20:]

    def fit(seed: int) -> tuple[list[float], dict[str, torch.Tensor]]:
        config = tiny_config(seed=seed, total_epoch=2)
        model = tiny_model(config)
        result = Trainer(config, model, train, val).fit()
        return [r.train_loss for r in result.history], model.trainable_state()

    (loss_a, state_a), (loss_b, state_b), (loss_c, _) = fit(7), fit(7), fit(8)
    assert loss_a == loss_b and all(torch.equal(state_a[k], state_b[k]) for k in state_a)
    assert loss_a != loss_c


@pytest.mark.slow
def test_runtime_and_optimiser_fields_take_effect(caplog: pytest.LogCaptureFixture) -> None:
    rows = synthetic_examples(16, 8)
    train, val = rows[:12] + rows[16:20], rows[12:16] + rows[20:]

    def fit(**overrides: object) -> tuple[HybridProductiveModel, TrainingResult]:
        config = tiny_config(total_epoch=2, batch_size=4, **overrides)
        model = tiny_model(config)
        return model, Trainer(config, model, train, val).fit()

    threads = torch.get_num_threads()
    try:
        _, result = fit(num_threads=1, device="cpu")
        assert torch.get_num_threads() == 1 and result.device == "cpu"
    finally:
        torch.set_num_threads(threads)
    lr_warm = fit(warmup_ratio=0.9)[1].history[0].lr
    lr_cold = fit(warmup_ratio=0.0)[1].history[0].lr
    assert fit(warmup_ratio=0.0, lr=2e-3)[1].history[0].lr == pytest.approx(2 * lr_cold)
    # after epoch 1: still warming up (0.6 lr) vs half-way down the cosine (0.5 lr)
    assert lr_warm != lr_cold
    clipped, _ = fit(grad_clip_norm=1e-6)
    free, _ = fit(grad_clip_norm=None)
    a, b = clipped.trainable_state(), free.trainable_state()
    assert any(not torch.equal(a[k], b[k]) for k in a)
    with caplog.at_level(logging.INFO, logger="vrdndi_pipeline.core.training.trainer"):
        fit(log_every_steps=1)
    assert caplog.text.count(" step ") == 8  # 16 rows in batches of 4, 2 epochs


def test_split_fractions_take_effect() -> None:
    rows = synthetic_examples(40, 40)
    small = split_examples(rows, tiny_config(val_fraction=0.1, holdout_fraction=0.0)).counts()
    large = split_examples(rows, tiny_config(val_fraction=0.3, holdout_fraction=0.2)).counts()
    assert (small["val_productive"], small["holdout_productive"]) == (4, 0)
    assert (large["val_productive"], large["holdout_productive"]) == (12, 8)


@pytest.mark.minilm
@pytest.mark.slow
def test_tiny_config_trains_end_to_end_and_the_loss_falls() -> None:
    rows = synthetic_examples(48, 16)
    config = minilm_config(total_epoch=4, batch_size=8)
    reports = []
    run = run_training(config, rows, callbacks=[reports.append], event_encoder=HashEncoder())
    losses = [r.train_loss for r in run.result.history]
    assert len(reports) == 4 and losses[-1] < 0.75 * losses[0]
    assert all(math.isfinite(v) for v in run.metrics().values())
    assert {"val_productive_f1", "holdout_productive_f1", "baseline_val_productive_f1"} <= set(
        run.metrics()
    )
    assert set(reports[0].metrics()) >= {"train_loss", "ema", "val_productive_f1"}


@pytest.mark.minilm
@pytest.mark.slow
def test_a_small_batch_can_be_overfitted() -> None:
    rows = synthetic_examples(8, 0)
    config = minilm_config(productive_output_layer_dropout=0.0, lr=1e-3)
    model = tiny_model(config).train()
    dataset = model.encode(rows)
    batch = model.collator(dataset)(dataset.items)
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-3)
    loss_fn = HybridLoss(config)
    for _ in range(30):
        out = model(**batch.inputs())
        loss = loss_fn(
            out.interest, out.productive, batch.interest_labels, batch.productive_labels
        ).total
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert loss.item() < 0.05
    assert evaluate(model, rows).productive.accuracy == 1.0  # type: ignore[union-attr]


def test_baseline_trains_and_reports_on_the_same_split() -> None:
    rows = synthetic_examples(40, 40)
    split = split_examples(rows, tiny_config())
    baseline = train_baseline(split.train)
    evaluation = evaluate_baseline(baseline, split.val)
    counts = split.counts()
    assert evaluation.productive is not None and evaluation.productive.n == counts["val_productive"]
    assert evaluation.interest is not None and evaluation.interest.n == counts["val_interest"]
    # tech vs game titles: the text alone decides interest
    assert evaluation.interest.roc_auc == 1.0
    one_class = train_baseline(
        [replace(ex, productive_label=1) for ex in split.train if ex.is_productive]
    )
    assert (one_class.predict_proba(split.val[:3])["productive"] == 1.0).all()


# --- frames → examples ---


def test_examples_from_frames() -> None:
    interest = pd.DataFrame(
        {
            "video_id": ["a", "b", "c"],
            "title": ["Rust", "Cats", None],
            "channel_title": ["X", None, "Z"],
            "description": ["d", "e", "f"],
            "duration_s": [60.0, float("nan"), None],
            "interest_label": pd.array([1, 0, None], dtype="Int64"),
        }
    )
    productive = pd.DataFrame(
        {
            "feedback_id": [1],
            "video_id": ["d"],
            "title": ["Go"],
            "channel_title": ["Y"],
            "description": [""],
            "duration_s": [300],
            "productive_label": [1],
            "feedback_at": [pd.Timestamp(START + timedelta(hours=2))],
            "timezone": ["Europe/Berlin"],
            "context_events": [
                '[{"timestamp": "2026-10-01T09:00:00+00:00", "duration_s": 60, "app": "Code",'
                ' "title": "x", "url": null, "category": ["Work"]}]'
            ],
        }
    )
    rows = examples_from_frames(interest, productive)
    assert [ex.video_id for ex in rows] == ["a", "b", "d"]  # c has no label
    assert rows[0].text == "Rust | X | d" and rows[1].video_duration_s is None
    assert rows[2].moment == START + timedelta(hours=2) and rows[2].timezone == "Europe/Berlin"
    assert rows[2].context[0].category == ("Work",) and rows[2].interest_label is None
    dataset = tiny_model().encode(rows)
    assert [it.productive_label for it in dataset.items] == [IGNORE, IGNORE, 1]
    assert [it.interest_label for it in dataset.items] == [1, 0, IGNORE]
    assert len(dataset.items[2].event_index) == 1 and len(dataset.items[0].event_index) == 0
    with pytest.raises(ValueError, match="interest_label must be 0, 1 or missing"):
        examples_from_frames(interest.assign(interest_label=[2, 0, 1]), None)


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_mixed_precision_training_on_cuda() -> None:
    config = tiny_config(device="cuda", total_epoch=2)
    rows = synthetic_examples(16, 8)
    model = tiny_model(config)
    result = Trainer(config, model, rows[:20], rows[20:]).fit()
    assert result.device.startswith("cuda") and all(
        math.isfinite(r.train_loss) for r in result.history
    )
    assert isinstance(TrainingExample, type)
