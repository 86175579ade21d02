"""Trainer(config, model, train, val).fit() -> TrainingResult.

One epoch: weighted sampling of interest and productive rows, class-weighted losses, gradient
accumulation, clipping, AdamW with warm-up + cosine, mixed precision on CUDA only. After each
epoch the validation metrics give a weighted F1 whose EMA chooses the checkpoint: the trainable
parameters of the best epoch are kept in memory and restored at the end. Callbacks registered
for ``"on_epoch_end"`` receive each :class:`EpochReport` (e.g. to log to MLflow).
"""

from __future__ import annotations

import logging
import math
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Any, cast

import torch
from torch.utils.data import DataLoader

from vrdndi_pipeline.core.model.batching import EncodedDataset, ModelBatch
from vrdndi_pipeline.core.model.config import ModelConfig
from vrdndi_pipeline.core.model.examples import TrainingExample
from vrdndi_pipeline.core.model.hybrid_model import HybridProductiveModel
from vrdndi_pipeline.core.model.runtime import configure_threads, pick_device, seed_everything
from vrdndi_pipeline.core.training.evaluation import evaluate_dataset
from vrdndi_pipeline.core.training.losses import HybridLoss, class_weights
from vrdndi_pipeline.core.training.metrics import EmaTracker, Evaluation, weighted_f1
from vrdndi_pipeline.core.training.optimization import build_optimizer, warmup_cosine
from vrdndi_pipeline.core.training.sampling import make_sampler
from vrdndi_pipeline.core.training.splits import NotEnoughData

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class EpochReport:
    epoch: int
    train_loss: float  # mean over the epoch's batches
    train_interest_loss: float
    train_productive_loss: float
    val: Evaluation
    weighted_f1: float
    ema: float
    is_best: bool
    lr: float
    optimizer_steps: int  # cumulative
    seconds: float

    def metrics(self) -> dict[str, float]:
        """Flat numbers for metric logging (``val_productive_f1``, ``ema``, ...)."""
        return {
            "train_loss": self.train_loss,
            "train_interest_loss": self.train_interest_loss,
            "train_productive_loss": self.train_productive_loss,
            "weighted_f1": self.weighted_f1,
            "ema": self.ema,
            "lr": self.lr,
            "epoch_seconds": self.seconds,
            **self.val.flat("val_"),
        }


@dataclass(frozen=True, slots=True)
class TrainingResult:
    history: list[EpochReport]
    best_epoch: int
    best_ema: float
    best_val: Evaluation  # validation metrics of the restored (best) epoch
    stopped_early: bool
    optimizer_steps: int
    seconds: float
    device: str


class Trainer:
    """Trains a :class:`HybridProductiveModel` in place (minGPT-style, with callbacks)."""

    def __init__(
        self,
        config: ModelConfig,
        model: HybridProductiveModel,
        train: Sequence[TrainingExample],
        val: Sequence[TrainingExample],
        *,
        callbacks: Sequence[Callable[[EpochReport], None]] = (),
    ) -> None:
        self.config = config
        self.model = model
        self.train_examples = list(train)
        self.val_examples = list(val)
        self.callbacks: dict[str, list[Callable[[EpochReport], None]]] = defaultdict(list)
        for callback in callbacks:
            self.add_callback("on_epoch_end", callback)
        self.optimizer_steps = 0

    def add_callback(self, event: str, callback: Callable[[EpochReport], None]) -> None:
        if event != "on_epoch_end":
            raise ValueError(f"unknown callback event {event!r} (known: on_epoch_end)")
        self.callbacks[event].append(callback)

    def fit(self) -> TrainingResult:
        """Train for up to ``total_epoch`` epochs; the model ends in eval mode at its best epoch."""
        c, model = self.config, self.model
        self._check_data()
        started = time.perf_counter()
        generator = seed_everything(c.seed)
        configure_threads(c.num_threads)
        self.device = pick_device(c.device)
        model.to(self.device)
        train_ds, val_ds = model.encode(self.train_examples), model.encode(self.val_examples)
        loader = DataLoader(
            train_ds,
            batch_size=c.batch_size,
            sampler=make_sampler(train_ds, c, generator),
            collate_fn=model.collator(train_ds),
        )
        self.loss_fn = self._loss(train_ds)
        steps_per_epoch = math.ceil(len(loader) / c.accumulation_steps)
        self.optimizer = build_optimizer(model, c)
        self.scheduler = warmup_cosine(
            self.optimizer, steps_per_epoch * c.total_epoch, c.warmup_ratio
        )
        self.amp_dtype: torch.dtype | None = None  # mixed precision on CUDA only
        if self.device.type == "cuda":
            self.amp_dtype = torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
        self.scaler = torch.amp.GradScaler("cuda", enabled=self.amp_dtype == torch.float16)
        log.info(
            "training on %s: %d train / %d val rows, %d batches and %d optimizer steps per epoch",
            self.device, len(train_ds), len(val_ds), len(loader), steps_per_epoch,
        )  # fmt: skip
        tracker = EmaTracker(c.ema_alpha)
        best_state, best_val = model.trainable_state(), None
        history: list[EpochReport] = []
        stopped_early = False
        backbone_params = [p for p in model.backbone.parameters() if p.requires_grad]
        for epoch in range(1, c.total_epoch + 1):
            epoch_start = time.perf_counter()
            probing = epoch <= c.probe_epochs  # probe, then fine-tune: the backbone waits
            for param in backbone_params:
                param.requires_grad_(not probing)
            losses = self._train_epoch(loader, epoch)
            for param in backbone_params:  # trainable again for the best-epoch snapshot
                param.requires_grad_(True)
            val = evaluate_dataset(model, val_ds, c.batch_size)
            score = weighted_f1(val, c.ema_productive_weight) or 0.0
            improved = tracker.update(epoch, score)
            if improved:
                best_state, best_val = model.trainable_state(), val
            assert tracker.value is not None
            report = EpochReport(
                epoch, *losses, val=val, weighted_f1=score, ema=tracker.value, is_best=improved,
                lr=float(self.scheduler.get_last_lr()[0]), optimizer_steps=self.optimizer_steps,
                seconds=time.perf_counter() - epoch_start,
            )  # fmt: skip
            history.append(report)
            _log_epoch(report, c.total_epoch)
            for callback in self.callbacks["on_epoch_end"]:
                callback(report)
            patience = c.early_stopping_patience
            if patience and tracker.epochs_since_best >= patience and epoch < c.total_epoch:
                log.info("early stop: the EMA has not improved for %d epochs", patience)
                stopped_early = True
                break
        model.load_trainable_state(best_state)
        model.eval()
        assert tracker.best_epoch is not None and tracker.best is not None and best_val is not None
        return TrainingResult(
            history=history, best_epoch=tracker.best_epoch, best_ema=tracker.best,
            best_val=best_val, stopped_early=stopped_early, optimizer_steps=self.optimizer_steps,
            seconds=time.perf_counter() - started, device=str(self.device),
        )  # fmt: skip

    def _check_data(self) -> None:
        def kinds(rows: list[TrainingExample]) -> str:
            p = sum(ex.is_productive for ex in rows)
            return f"{p} productive and {len(rows) - p} interest rows"

        if not self.train_examples or not self.val_examples:
            raise NotEnoughData(
                f"training needs rows in both parts: train has {kinds(self.train_examples)}, "
                f"validation has {kinds(self.val_examples)}; at least 1 each is needed"
            )

    def _loss(self, train: EncodedDataset) -> HybridLoss:
        c = self.config
        interest = [it.interest_label for it in train.items]
        productive = [it.productive_label for it in train.items]
        return HybridLoss(
            c,
            class_weights(interest, c.interest_out_feature, c.ignore_index),
            class_weights(productive, c.productive_out_feature, c.ignore_index),
        )

    def _autocast(self) -> AbstractContextManager[object]:
        if self.amp_dtype is None:
            return nullcontext()
        return torch.autocast("cuda", dtype=self.amp_dtype)

    def _train_epoch(self, loader: DataLoader[Any], epoch: int) -> tuple[float, float, float]:
        """One pass over ``loader``; mean (total, interest, productive) loss per batch."""
        c, model = self.config, self.model
        model.train()
        sums = torch.zeros(3)
        self.optimizer.zero_grad(set_to_none=True)
        for i, batch in enumerate(loader):
            batch = cast(ModelBatch, batch).to(self.device)
            with self._autocast():
                logits = model(**batch.inputs())
            parts = self.loss_fn(
                logits.interest, logits.productive, batch.interest_labels, batch.productive_labels
            )
            # the last group of an epoch may be short: average over the micro-batches it has
            group_start = (i // c.accumulation_steps) * c.accumulation_steps
            group_size = min(c.accumulation_steps, len(loader) - group_start)
            self.scaler.scale(parts.total / group_size).backward()
            sums += torch.stack([p.detach().float().cpu() for p in parts])
            if i + 1 == group_start + group_size:
                self._optimizer_step()
                if self.optimizer_steps % c.log_every_steps == 0:
                    loss = float(parts.total.detach())
                    log.info("epoch %d step %d: loss %.4f", epoch, self.optimizer_steps, loss)
        mean = (sums / max(1, len(loader))).tolist()
        return mean[0], mean[1], mean[2]

    def _optimizer_step(self) -> None:
        self.scaler.unscale_(self.optimizer)
        if self.config.grad_clip_norm is not None:
            params = [p for p in self.model.parameters() if p.requires_grad]
            torch.nn.utils.clip_grad_norm_(params, self.config.grad_clip_norm)
        self.scaler.step(self.optimizer)
        self.scaler.update()
        self.optimizer.zero_grad(set_to_none=True)
        self.scheduler.step()
        self.optimizer_steps += 1


def _log_epoch(report: EpochReport, total: int) -> None:
    def f1(head: str) -> str:
        metrics = getattr(report.val, head)
        return "-" if metrics is None else f"{metrics.f1:.3f}"

    log.info(
        "epoch %d/%d  loss %.4f (interest %.4f, productive %.4f)  val F1 productive %s "
        "interest %s  weighted %.3f  ema %.3f%s  %.1fs",
        report.epoch, total, report.train_loss, report.train_interest_loss,
        report.train_productive_loss, f1("productive"), f1("interest"), report.weighted_f1,
        report.ema, "  *best*" if report.is_best else "", report.seconds,
    )  # fmt: skip
