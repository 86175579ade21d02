"""``trained_lora_adapter``: train, evaluate, track in MLflow, register, promote on merit."""

import tempfile
from pathlib import Path

import dagster as dg
import pandas as pd

from vrdndi_pipeline.assets.train_config import TrainConfig
from vrdndi_pipeline.core.model import (
    ConfigError,
    NotEnoughData,
    cross_validate,
    evaluate,
    examples_from_frames,
    load_adapter,
    run_training,
    save_adapter,
    split_examples,
)
from vrdndi_pipeline.core.promotion import decide_promotion, holdout_score
from vrdndi_pipeline.core.store.database import read_transaction
from vrdndi_pipeline.core.store.people_tables import count_labels
from vrdndi_pipeline.resources.database import AppDatabase
from vrdndi_pipeline.resources.mlflow_tracking import MlflowTracking

PROMOTION_CHECK = "beats_champion_and_baseline"
LABELS_TOTAL = "labels_total"  # feedback clicks + labeller labels when training started


@dg.asset(
    group_name="training",
    kinds={"pytorch", "mlflow"},
    check_specs=[
        dg.AssetCheckSpec(
            PROMOTION_CHECK,
            asset="trained_lora_adapter",
            description="The new adapter beat the baseline and the champion on the holdout.",
        )
    ],
)
def trained_lora_adapter(
    context: dg.AssetExecutionContext,
    config: TrainConfig,
    interest_data: pd.DataFrame,
    productive_data: pd.DataFrame,
    tracking: MlflowTracking,
    database: AppDatabase,
) -> dg.MaterializeResult:
    """A LoRA adapter of the HybridProductiveModel, registered in MLflow as a version of
    ``vrdndi-productive``; the ``champion`` alias moves to it only when it beats the current
    champion and the context-free baseline on the newest time slice. The metadata holds the
    version, the run id and the holdout metrics; the files live in MLflow's artifact store."""
    try:
        model_config = config.build_model_config()
    except ConfigError as error:
        raise dg.Failure(description=f"Invalid training config: {error}") from error
    with read_transaction(database.engine()) as conn:
        labels_total = count_labels(conn)  # what the "enough new labels" sensor compares with
    examples = examples_from_frames(interest_data, productive_data)
    try:
        split_examples(examples, model_config)  # fail before any model is loaded
    except NotEnoughData as error:
        raise dg.Failure(
            description=f"Too little labelled data to train: {error}. Label more videos in the "
            "labeller or give feedback in the feed site, then run train_job again."
        ) from error

    params = {**model_config.tracking_params(), "preset": config.preset}
    with tracking.start_run(
        "trained_lora_adapter", params, tags={"dagster_run_id": context.run_id}
    ) as run:

        def log_epoch(report) -> None:  # type: ignore[no-untyped-def]
            run.log_metrics(report.metrics(), step=report.epoch)
            context.log.info(
                "epoch %d: weighted F1 %.3f, EMA %.3f%s",
                report.epoch,
                report.weighted_f1,
                report.ema,
                " (best)" if report.is_best else "",
            )

        training = run_training(model_config, examples, callbacks=[log_epoch])
        candidate = holdout_score(training.holdout)
        baseline = holdout_score(training.baseline_holdout)
        final = training.metrics()
        if config.cross_validation_folds:
            folds = cross_validate(model_config, examples, folds=config.cross_validation_folds)
            final.update({f"cv_{k}": v for k, v in folds.flat().items()})
        run.log_metrics(
            {**final, **(candidate.to_metrics() if candidate else {})},
            step=training.result.best_epoch,
        )

        with tempfile.TemporaryDirectory() as folder:
            adapter = save_adapter(
                training.model,
                Path(folder) / "adapter",
                metrics=final,
                extra_metadata={"mlflow_run_id": run.run_id, "preset": config.preset},
            )
            run.log_artifacts(adapter, "adapter")
        version = tracking.register_version(run.run_id, "adapter", tags={"preset": config.preset})

        champion = tracking.champion()
        champion_score = None
        if champion is not None:
            champion_model = load_adapter(champion.local_path, compile_model=False, merge_lora=True)
            champion_score = holdout_score(evaluate(champion_model, training.split.holdout))
        if candidate is None or baseline is None:
            promote, reason = False, "the holdout lacks rows of a head, so nothing can be compared"
        else:
            decision = decide_promotion(
                candidate,
                champion_score,
                baseline,
                min_gain=config.min_gain,
                champion_version=champion.version if champion else None,
            )
            promote, reason = decision.promote, decision.reason
        if promote:
            tracking.set_champion(version)
        tracking.set_version_tags(version, {"promoted": str(promote).lower(), "reason": reason})
    context.log.info("version %s: %s", version, reason)

    comparison = {
        "candidate": candidate.primary if candidate else None,
        "baseline": baseline.primary if baseline else None,
        "champion": champion_score.primary if champion_score else None,
        "champion_version": champion.version if champion else None,
    }
    return dg.MaterializeResult(
        metadata={
            "model_version": version,
            LABELS_TOTAL: labels_total,
            "mlflow_run_id": run.run_id,
            "promoted_to_champion": promote,
            "reason": reason,
            "best_epoch": training.result.best_epoch,
            "train_seconds": round(training.result.seconds, 1),
            "device": training.result.device,
            "rows": dg.MetadataValue.json(training.split.counts()),
            "holdout": dg.MetadataValue.json({k: v for k, v in final.items() if "holdout" in k}),
        },
        check_results=[
            dg.AssetCheckResult(
                check_name=PROMOTION_CHECK,
                passed=promote,
                severity=dg.AssetCheckSeverity.WARN,
                metadata={
                    "reason": reason,
                    **{k: v for k, v in comparison.items() if v is not None},
                },
            )
        ],
    )
