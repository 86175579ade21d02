"""``champion_model``: every candidate and the context-free baseline on the same rolling-origin
folds; the ``champion`` alias moves only to a candidate that beats both the baseline and the
current champion there."""

import dagster as dg
import pandas as pd
from pydantic import Field

from vrdndi_pipeline.asset_tags import OWNERS, asset_tags
from vrdndi_pipeline.assets.candidate_runs import examples_and_folds, load_ranker_rows
from vrdndi_pipeline.assets.trained_lora_adapter import trained_lora_adapter
from vrdndi_pipeline.assets.trained_ranker import trained_ranker
from vrdndi_pipeline.core.model.examples import TrainingExample
from vrdndi_pipeline.core.selection.champion_rule import BASELINE
from vrdndi_pipeline.core.selection.folds import Fold
from vrdndi_pipeline.core.selection.heldout import baseline_fit_predict, held_out_predictions
from vrdndi_pipeline.core.selection.plots import candidate_plots
from vrdndi_pipeline.core.selection.selection import (
    CHAMPION,
    SelectionError,
    select_champion,
    selection_record,
)
from vrdndi_pipeline.core.store.database import read_transaction, write_transaction
from vrdndi_pipeline.core.store.model_selections import record_selection
from vrdndi_pipeline.core.store.people_tables import count_labels
from vrdndi_pipeline.resources.clock import Clock
from vrdndi_pipeline.resources.database import AppDatabase
from vrdndi_pipeline.resources.evaluation_plan import EvaluationPlan
from vrdndi_pipeline.resources.mlflow_tracking import COMPARISON_TAG, ChampionInfo, MlflowTracking
from vrdndi_pipeline.resources.text_encoder import SentenceEncoder

PROMOTION_CHECK = "beats_champion_and_baseline"
LABELS_TOTAL = "labels_total"  # feedback clicks + labeller labels when training started
PLOTS_FOLDER = "plots"  # each candidate run's ROC, precision-recall, confusion, calibration


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


@dg.asset(
    group_name="training",
    owners=OWNERS,
    tags=asset_tags("training"),
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
    """The registered version the feed is served from (alias `champion` of
    `vrdndi-productive`), chosen on the comparison table in this asset's metadata: good time
    now and interest ROC-AUC with bootstrap 95 % intervals, F1 and Brier per model, on the same
    held-out rows. The decision and its numbers are tagged on every candidate version. Its
    data version names the champion (unchanged when nothing was promoted)."""
    with read_transaction(database.engine()) as conn:
        labels_total = count_labels(conn)  # what the "enough new labels" sensor compares with
    examples, folds = examples_and_folds(interest_data, productive_data, evaluation)
    try:
        candidates = {"ranker": trained_ranker, "lora": trained_lora_adapter}
        result = select_champion(
            candidates,
            examples,
            folds,
            champion=tracking.champion(),
            encoder=text_encoder.model_name,
            ranker_rows=lambda: load_ranker_rows(
                interest_data, productive_data, database, text_encoder, clock
            ),
            resamples=evaluation.resamples,
            seed=evaluation.seed,
            min_gain=config.min_gain,
        )
    except SelectionError as error:
        raise dg.Failure(description=str(error)) from error
    decision = result.decision
    if decision.promote and decision.winner:
        tracking.set_champion(result.versions[decision.winner])
    for family, version in result.versions.items():
        promoted = decision.promote and family == decision.winner
        tracking.set_version_tags(
            version,
            {"promoted": str(promoted).lower(), "reason": decision.reason},
        )
        tracking.set_version_tags(version, {COMPARISON_TAG: result.table_markdown})
        tracking.log_text(result.run_ids[family], result.table_markdown, "comparison.md")
    _log_plots(tracking, result.run_ids, result.labels, candidates, examples, folds, evaluation)
    info = tracking.champion()
    champion = info.version if info else None
    with write_transaction(database.engine()) as conn:
        held = (info.version, info.family) if info else None
        record_selection(conn, selection_record(result, held, labels_total, clock.now()))
    context.log.info("%s\n%s", decision.reason, result.table_plain)
    return dg.MaterializeResult(
        data_version=champion_data_version(info),
        metadata={
            "champion_version": champion or "none",
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


def _log_plots(
    tracking: MlflowTracking,
    run_ids: dict[str, str],
    labels: dict[str, str],
    candidates: dict[str, pd.DataFrame],
    examples: list[TrainingExample],
    folds: list[Fold],
    evaluation: EvaluationPlan,
) -> None:
    """Each candidate's plots against the baseline on the same held-out rows, as artifacts of
    its run (the baseline is re-fitted here: TF-IDF and a logistic regression per fold, the
    same seed as in the selection, so the same predictions)."""
    baseline = held_out_predictions(
        BASELINE, BASELINE, examples, folds, baseline_fit_predict(evaluation.seed)
    )
    for family, frame in candidates.items():
        for file, png in candidate_plots(frame, baseline, labels[family]).items():
            tracking.log_image(run_ids[family], png, f"{PLOTS_FOLDER}/{file}")


__all__ = [
    "BASELINE",
    "CHAMPION",
    "LABELS_TOTAL",
    "PLOTS_FOLDER",
    "PROMOTION_CHECK",
    "champion_data_version",
    "champion_model",
]
