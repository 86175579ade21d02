"""Training examples of the training tables' rows, and the feedback row of a click: what each
kind of row carries (its key, moment, context and zone), beyond ``test_examples_from_frames``."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd

from vrdndi_pipeline.core.model.examples import examples_from_frames
from vrdndi_pipeline.core.store.people_tables import FeedbackClick

AT = datetime(2026, 10, 1, 11, 0, tzinfo=UTC)
VIDEO = {"title": "Go", "channel_title": "Y", "description": "", "duration_s": 300}


def test_each_kind_of_row_keeps_its_own_fields_and_key() -> None:
    interest = pd.DataFrame([{"video_id": "a", **VIDEO, "interest_label": 0}])
    productive = pd.DataFrame(
        [
            {
                "feedback_id": 7,
                "video_id": "b",
                **VIDEO,
                "productive_label": 0,
                "feedback_at": pd.Timestamp(AT),
                "timezone": None,
                "context_events": "[]",
            },
            {
                "feedback_id": None,
                "video_id": "c",
                **VIDEO,
                "productive_label": 1,
                "feedback_at": pd.Timestamp(AT),
                "timezone": "Asia/Tokyo",
                "context_events": "[]",
            },
        ]
    )
    liked, not_now, good_time = examples_from_frames(interest, productive)
    assert (liked.key, liked.interest_label, liked.productive_label) == ("interest:a", 0, None)
    assert (liked.moment, liked.context, liked.timezone) == (None, (), "UTC")
    assert (not_now.key, not_now.timezone, not_now.moment) == ("productive:7", "UTC", AT)
    assert (not_now.interest_label, not_now.productive_label) == (None, 0)
    assert good_time.key == f"productive:c@{AT.isoformat()}"
    assert good_time.timezone == "Asia/Tokyo" and good_time.video_duration_s == 300.0


def test_a_click_row_holds_every_field_of_the_click() -> None:
    click = FeedbackClick("k1", "dQw4w9WgXcQ", "productive", 1, AT, "Europe/Berlin")
    assert click.row() == {
        "click_id": "k1",
        "video_id": "dQw4w9WgXcQ",
        "kind": "productive",
        "value": 1,
        "created_at": AT,
        "timezone": "Europe/Berlin",
    }
