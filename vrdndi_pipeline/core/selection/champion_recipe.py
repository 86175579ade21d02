"""The current champion's recipe (family + configuration) as a family of this evaluation.

A champion trained earlier saw rows that are now in the test folds, so its stored model cannot
be scored on them; its *recipe* is re-fitted per fold instead, like every candidate. When a
candidate of this run has the same recipe, its predictions are the champion's.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from pathlib import Path

from vrdndi_pipeline.core.ranker.model import MODEL_FILE, RankerRow, is_ranker_folder
from vrdndi_pipeline.core.selection.heldout import FitPredict

log = logging.getLogger(__name__)


def champion_fit_predict(
    folder: Path,
    encoder: str,
    ranker_rows: Callable[[], Mapping[str, RankerRow]],
) -> FitPredict | None:
    """``fit_predict`` of the model saved in ``folder``'s recipe, or ``None`` when it cannot be
    re-fitted on this run's features (a ranker trained with another sentence encoder)."""
    if is_ranker_folder(folder):
        from vrdndi_pipeline.core.ranker.config import RankerConfig
        from vrdndi_pipeline.core.ranker.training import ranker_fit_predict

        document = json.loads((folder / MODEL_FILE).read_text(encoding="utf-8"))
        if document.get("encoder") != encoder:
            log.warning(
                "the champion ranker used encoder %s, the features now %s: not re-evaluated",
                document.get("encoder"),
                encoder,
            )
            return None
        return ranker_fit_predict(RankerConfig.from_dict(document["config"]), ranker_rows())
    from vrdndi_pipeline.core.model.adapter_files import read_config
    from vrdndi_pipeline.core.training.lora_run import lora_fit_predict

    return lora_fit_predict(read_config(folder))
