"""When to train: labels (feedback clicks + labeller labels) added since the last training.

The last training's count is the ``labels_total`` metadata of the newest ``champion_model``
materialization in the Dagster instance; the current count is one ``SELECT count(*)`` per
table of the local database. No API calls: sensors and schedules may use this.
"""

from typing import Any

import dagster as dg

from vrdndi_pipeline.assets.champion_model import LABELS_TOTAL, champion_model
from vrdndi_pipeline.core.settings import Settings
from vrdndi_pipeline.core.store.database import read_transaction
from vrdndi_pipeline.core.store.people_tables import count_labels
from vrdndi_pipeline.resources.database import AppDatabase


def labels_at_last_training(instance: dg.DagsterInstance) -> int:
    """``labels_total`` of the newest training; 0 before the first one."""
    event = instance.get_latest_materialization_event(champion_model.key)
    materialization = event.asset_materialization if event else None
    if materialization is None:
        return 0
    value = materialization.metadata.get(LABELS_TOTAL)
    return int(getattr(value, "value", value) or 0)


def current_label_count(database: AppDatabase) -> int:
    with read_transaction(database.engine()) as conn:
        return count_labels(conn)


def new_labels_since_training(instance: dg.DagsterInstance, database: AppDatabase) -> int:
    return max(0, current_label_count(database) - labels_at_last_training(instance))


def train_run_config(settings: Settings) -> dict[str, Any]:
    """Run config that trains with the configured preset (``VRDNDI_TRAIN_PRESET``)."""
    return {"ops": {"trained_lora_adapter": {"config": {"preset": settings.train_preset}}}}
