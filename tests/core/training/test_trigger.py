"""When to train, from the label counts alone (no database, no Dagster instance)."""

from vrdndi_pipeline.core.training.trigger import train_run_config, training_trigger


def test_trains_once_enough_labels_arrived_since_the_last_training() -> None:
    below = training_trigger(119, 100, min_new_labels=20, preset="cpu-small")
    assert (below.new_labels, below.train, below.run_config) == (19, False, {})
    at = training_trigger(120, 100, min_new_labels=20, preset="cpu-small")
    assert (at.labels_now, at.new_labels, at.train) == (120, 20, True)
    assert at.run_config == {"ops": {"trained_lora_adapter": {"config": {"preset": "cpu-small"}}}}


def test_a_pending_request_counts_as_the_last_training() -> None:
    """A sensor's cursor (the count when it last asked for a training) holds back a second
    request until enough labels arrived after it too."""
    pending = training_trigger(130, 100, min_new_labels=20, preset="p", requested_at=120)
    assert (pending.new_labels, pending.train) == (10, False)
    finished = training_trigger(130, 125, min_new_labels=20, preset="p", requested_at=120)
    assert finished.new_labels == 5  # the newer of the two counts
    first = training_trigger(25, 0, min_new_labels=20, preset="p")
    assert first.train and first.new_labels == 25


def test_deleted_labels_are_no_new_labels() -> None:
    fewer = training_trigger(80, 100, min_new_labels=1, preset="p")
    assert (fewer.new_labels, fewer.train) == (0, False)


def test_the_run_config_sets_the_preset_of_the_lora_asset() -> None:
    config = train_run_config("bge-m3-gpu")
    assert config["ops"]["trained_lora_adapter"]["config"] == {"preset": "bge-m3-gpu"}
