"""``champion_model``: every candidate and the context-free baseline on the same rolling-origin
folds; the ``champion`` alias moves only to a candidate that beats both the baseline and the
current champion there."""

from functools import partial

import dagster as dg
import pandas as pd
from pydantic import Field

from vrdndi_pipeline.assets.asset_tags import asset_catalog
from vrdndi_pipeline.assets.candidate_runs import examples_and_folds, load_ranker_rows
from vrdndi_pipeline.assets.trained_lora_adapter import trained_lora_adapter
from vrdndi_pipeline.assets.trained_ranker import trained_ranker
from vrdndi_pipeline.core.selection.promotion import Promotion, promote
from vrdndi_pipeline.core.selection.selection import (
    SelectionError,
    SelectionResult,
    select_champion,
)
from vrdndi_pipeline.core.store.database import read_transaction, write_transaction
from vrdndi_pipeline.core.store.model_selections import record_selection
from vrdndi_pipeline.core.store.people_tables import count_labels
from vrdndi_pipeline.resources.clock import Clock
from vrdndi_pipeline.resources.database import AppDatabase
from vrdndi_pipeline.resources.evaluation_plan import EvaluationPlan
from vrdndi_pipeline.resources.mlflow_tracking import ChampionInfo, MlflowTracking
from vrdndi_pipeline.resources.text_encoder import SentenceEncoder

PROMOTION_CHECK = "beats_champion_and_baseline"
LABELS_TOTAL = "labels_total"  # feedback clicks + labeller labels when training started


def labels_at_last_training(instance: dg.DagsterInstance) -> int:
    """``labels_total`` of the newest ``champion_model`` materialization; 0 before the first."""
    event = instance.get_latest_materialization_event(champion_model.key)
    materialization = event.asset_materialization if event else None
    if materialization is None:
        return 0
    value = materialization.metadata.get(LABELS_TOTAL)
    return int(getattr(value, "value", value) or 0)


def current_label_count(database: AppDatabase) -> int:
    """Feedback clicks + labeller labels in the application database now."""
    with read_transaction(database.engine()) as conn:
        return count_labels(conn)


class ChampionConfig(dg.Config):
    min_gain: float = Field(
        default=0.0,
        ge=0,
        description="ROC-AUC a candidate must gain over the baseline and over the champion.",
    )


def champion_data_version(champion: ChampionInfo | None) -> dg.DataVersion:
    """The champion as this asset's data version: it changes only when the alias moves, which
    is what the feed's automation condition watches. The MLflow run id is part of it because a
    reset MLflow store numbers versions from 1 again."""
    if champion is None:
        return dg.DataVersion("none")
    run = f"-{champion.run_id}" if champion.run_id else ""
    return dg.DataVersion(f"{champion.version}{run}")


def champion_materialization(
    result: SelectionResult, promotion: Promotion[ChampionInfo], labels_total: int
) -> dg.MaterializeResult:
    """The decision as the asset's metadata, check result and data version."""
    decision = result.decision
    return dg.MaterializeResult(
        data_version=champion_data_version(promotion.champion),
        metadata={
            "champion_version": promotion.champion.version if promotion.champion else "none",
            "promoted_to_champion": decision.promote,
            "winner": decision.winner or "none",
            "winner_version": result.versions.get(decision.winner or "", "none"),
            "reason": decision.reason,
            LABELS_TOTAL: labels_total,
            "comparison": dg.MetadataValue.md(result.table_markdown),
            "scores": dg.MetadataValue.json(
                {name: card.to_dict() for name, card in result.cards.items()}
            ),
        },
        check_results=[
            dg.AssetCheckResult(
                check_name=PROMOTION_CHECK,
                passed=decision.promote,
                severity=dg.AssetCheckSeverity.WARN,
                metadata={"reason": decision.reason},
            )
        ],
    )


@dg.asset(
    **asset_catalog("training"),
    kinds={"mlflow"},
    deps=[trained_ranker, trained_lora_adapter],
    check_specs=[
        dg.AssetCheckSpec(
            PROMOTION_CHECK,
            asset="champion_model",
            description="The best candidate beat the baseline and the champion on the folds.",
        )
    ],
)
def champion_model(
    context: dg.AssetExecutionContext,
    config: ChampionConfig,
    trained_ranker: pd.DataFrame,
    trained_lora_adapter: pd.DataFrame,
    interest_data: pd.DataFrame,
    productive_data: pd.DataFrame,
    database: AppDatabase,
    tracking: MlflowTracking,
    evaluation: EvaluationPlan,
    text_encoder: SentenceEncoder,
    clock: Clock,
) -> dg.MaterializeResult:
    """The registered version the feed is served from (alias `champion` of `vrdndi-productive`),
    chosen on the `comparison` table in this asset's metadata: good time now and interest
    ROC-AUC with bootstrap 95 % intervals, F1 and Brier per model on the same held-out rows. The
    decision is tagged on every candidate version; the data version names the champion."""
    with read_transaction(database.engine()) as conn:
        labels_total = count_labels(conn)  # what the "enough new labels" sensor compares with
    examples, folds = examples_and_folds(interest_data, productive_data, evaluation)
    rows = partial(load_ranker_rows, interest_data, productive_data, database, text_encoder, clock)
    try:
        result = select_champion(
            {"ranker": trained_ranker, "lora": trained_lora_adapter},
            examples,
            folds,
            champion=tracking.champion(),
            encoder=text_encoder.model_name,
            ranker_rows=rows,
            resamples=evaluation.resamples,
            seed=evaluation.seed,
            min_gain=config.min_gain,
        )
    except SelectionError as error:
        raise dg.Failure(description=str(error)) from error
    promotion = promote(result, tracking, labels_total=labels_total, at=clock.now())
    with write_transaction(database.engine()) as conn:
        record_selection(conn, promotion.selection)
    context.log.info("%s\n%s", result.decision.reason, result.table_plain)
    return champion_materialization(result, promotion, labels_total)


__all__ = [
    "LABELS_TOTAL",
    "PROMOTION_CHECK",
    "champion_data_version",
    "champion_model",
]
