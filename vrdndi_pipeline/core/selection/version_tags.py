"""The tags a registered model version carries: what it is (set when it is registered) and the
selection that judged it (set by :mod:`.promotion`). The MLflow UI, ``vrdndi summary`` and the
champion lookup read them."""

FAMILY_TAG = "family"  # "ranker" or "lora"
RECIPE_TAG = "recipe"  # the family and configuration (see `heldout.recipe_id`)
PROMOTED_TAG = "promoted"  # "true" on the version that became the champion, else "false"
REASON_TAG = "reason"  # the decision in one sentence with the numbers
COMPARISON_TAG = "comparison"  # the comparison table of the training that made the version
