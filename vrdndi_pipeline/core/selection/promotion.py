"""Applying a selection to the model registry.

The ``champion`` alias moves to the winner only when the rule (:mod:`.champion_rule`) promoted
it; nothing moves otherwise. Every candidate version is tagged with the decision (``promoted``,
``reason``) and the comparison table; every candidate run keeps the table and its plots against
the baseline on the same held-out rows. The selection row for the feed's status line names the
champion the registry holds afterwards.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, Protocol, TypeVar

from vrdndi_pipeline.core.selection.champion_rule import BASELINE
from vrdndi_pipeline.core.selection.plots import candidate_plots
from vrdndi_pipeline.core.selection.selection import SelectionResult, selection_record
from vrdndi_pipeline.core.selection.version_tags import COMPARISON_TAG, PROMOTED_TAG, REASON_TAG
from vrdndi_pipeline.core.store.model_selections import ModelSelection

COMPARISON_FILE = "comparison.md"  # the comparison table, in every candidate run
PLOTS_FOLDER = "plots"  # each candidate run's ROC, precision-recall, confusion, calibration


class Champion(Protocol):
    """The champion as promotion reads it back (``ChampionInfo`` has it)."""

    @property
    def version(self) -> str: ...

    @property
    def family(self) -> str: ...


ChampionT = TypeVar("ChampionT", bound=Champion)
ChampionT_co = TypeVar("ChampionT_co", bound=Champion, covariant=True)


class ModelRegistry(Protocol[ChampionT_co]):
    """The registry operations promotion needs (``MlflowTracking`` has them)."""

    def champion(self) -> ChampionT_co | None: ...

    def set_champion(self, version: str) -> None: ...

    def set_version_tags(self, version: str, tags: Mapping[str, str]) -> None: ...

    def log_text(self, run_id: str, text: str, artifact_file: str) -> None: ...

    def log_image(self, run_id: str, png: bytes, artifact_file: str) -> None: ...


@dataclass(frozen=True, slots=True)
class Promotion(Generic[ChampionT]):
    champion: ChampionT | None  # the champion after promotion (the old one when none won)
    selection: ModelSelection  # what the feed's status line shows of this selection


def promote(
    result: SelectionResult,
    registry: ModelRegistry[ChampionT],
    *,
    labels_total: int,
    at: datetime,
) -> Promotion[ChampionT]:
    """Apply ``result``'s decision to ``registry`` (see the module docstring) and return the
    champion that holds now with the selection row to record (``labels_total``: the labels
    the candidates were trained on, ``at``: when)."""
    decision = result.decision
    if decision.promote and decision.winner:
        registry.set_champion(result.versions[decision.winner])
    for family, version in result.versions.items():
        promoted = decision.promote and family == decision.winner
        registry.set_version_tags(
            version,
            {
                PROMOTED_TAG: str(promoted).lower(),
                REASON_TAG: decision.reason,
                COMPARISON_TAG: result.table_markdown,
            },
        )
        registry.log_text(result.run_ids[family], result.table_markdown, COMPARISON_FILE)
    baseline = result.heldout[BASELINE]
    for family, run_id in result.run_ids.items():
        plots = candidate_plots(result.heldout[family], baseline, result.labels[family])
        for file, png in plots.items():
            registry.log_image(run_id, png, f"{PLOTS_FOLDER}/{file}")
    champion = registry.champion()
    held = (champion.version, champion.family) if champion is not None else None
    return Promotion(champion, selection_record(result, held, labels_total, at))
