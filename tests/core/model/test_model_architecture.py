"""HybridProductiveModel's structure: every architecture field changes what it should."""

from __future__ import annotations

import logging
import math
from datetime import UTC, datetime, timedelta

import pytest
import torch

from tests.harness.model_support import (
    HASH_DIM,
    TINY_HIDDEN,
    synthetic_examples,
    tiny_model,
)
from vrdndi_pipeline.core.model.batching import ModelBatch
from vrdndi_pipeline.core.model.context_features import (
    ContextEvent,
    condition_features,
    context_window,
    event_features,
    event_text,
    parse_context_events,
)
from vrdndi_pipeline.core.model.examples import TrainingExample
from vrdndi_pipeline.core.model.hybrid_model import HybridProductiveModel, insert_context_token


def batch_of(model: HybridProductiveModel, examples: list[TrainingExample]) -> ModelBatch:
    dataset = model.encode(examples)
    return model.collator(dataset)(dataset.items)


@pytest.fixture(scope="module")
def examples() -> list[TrainingExample]:
    return synthetic_examples(8, 4)


def test_logits_width_follows_out_features(examples: list[TrainingExample]) -> None:
    model = tiny_model(interest_out_feature=3, productive_out_feature=5).eval()
    out = model(**batch_of(model, examples).inputs())
    assert out.interest.shape == (12, 3) and out.productive.shape == (12, 5)


def test_widths_come_from_the_backbone_and_the_encoder() -> None:
    model = tiny_model(num_out_feature=24, num_in_feature=5, cond_dim=3)
    channels = HASH_DIM + 24
    assert model.context.numeric.weight.shape == (24, 5)
    assert model.context.blocks[0].norm.modulation.weight.shape == (2 * channels, 3)
    assert model.context.blocks[0].conv.weight.shape == (channels, channels, 3)
    assert len(model.context.blocks) == 3
    assert model.context.to_token[0].weight.shape == (TINY_HIDDEN, channels)
    assert model.productive_head.net[1].weight.shape == (TINY_HIDDEN, TINY_HIDDEN)


def test_context_token_sits_after_the_text_and_is_masked_without_context() -> None:
    tokens = torch.arange(2 * 3 * 1, dtype=torch.float32).reshape(2, 3, 1) + 1  # (B=2, T=3, H=1)
    mask = torch.tensor([[1, 1, 1], [1, 0, 0]])
    context = torch.tensor([[-1.0], [-2.0]])
    embeds, ext = insert_context_token(tokens, mask, context, torch.tensor([True, False]))
    assert embeds[:, :, 0].tolist() == [[1, 2, 3, -1], [4, -2, 5, 6]]
    assert ext.tolist() == [[1, 1, 1, 1], [1, 0, 0, 0]]


def test_a_row_scores_the_same_whatever_its_batch(examples: list[TrainingExample]) -> None:
    model = tiny_model().eval()
    alone = model(**batch_of(model, examples[:1]).inputs())
    # batched with interest rows: other text lengths, no context
    together = model(**batch_of(model, examples[:1] + examples[8:10]).inputs())
    torch.testing.assert_close(alone.productive[0], together.productive[0], atol=1e-5, rtol=1e-5)


def test_rows_without_context_ignore_the_context_branch(examples: list[TrainingExample]) -> None:
    model = tiny_model().eval()
    with torch.no_grad():  # make the AdaLN condition matter (it starts at zero)
        for block in model.context.blocks:
            block.norm.modulation.weight.normal_()
    inputs = batch_of(model, [examples[0], examples[8]]).inputs()
    before = model(**inputs)
    inputs["condition"] = inputs["condition"] + 3.0
    after = model(**inputs)
    # the context row feels the condition; the interest row has no context token to change
    assert not torch.allclose(before.productive[0], after.productive[0])
    assert torch.equal(before.productive[1], after.productive[1])


@pytest.mark.parametrize("head", ["productive", "interest"])
def test_dropout_fields_change_train_mode_outputs(
    examples: list[TrainingExample], head: str
) -> None:
    other = "interest" if head == "productive" else "productive"
    model = tiny_model(
        lora_dropout=0.0,
        **{f"{head}_output_layer_dropout": 0.5, f"{other}_output_layer_dropout": 0.0},
    ).train()
    inputs = batch_of(model, examples).inputs()
    first, second = model(**inputs), model(**inputs)
    assert not torch.equal(getattr(first, head), getattr(second, head))
    assert torch.equal(getattr(first, other), getattr(second, other))
    model.eval()
    assert torch.equal(model(**inputs).productive, model(**inputs).productive)


def test_lora_fields_shape_the_trainable_parameters() -> None:
    def lora_params(model: HybridProductiveModel) -> int:
        return sum(
            p.numel() for n, p in model.named_parameters() if "lora_" in n and p.requires_grad
        )

    r4, r8 = tiny_model(lora_rank=4), tiny_model(lora_rank=8)
    assert lora_params(r8) == 2 * lora_params(r4) > 0
    assert r8.num_parameters(trainable=True) > r4.num_parameters(trainable=True)
    few = tiny_model(lora_target_modules=["query", "value"])
    assert 0 < lora_params(few) < lora_params(r4)
    assert {n.split(".")[-4] for n, _ in few.named_parameters() if "lora_A" in n} == {
        "query",
        "value",
    }
    layer = next(
        m for n, m in tiny_model(lora_rank=4, lora_alpha=32).named_modules() if n.endswith("query")
    )
    assert layer.scaling["default"] == 32 / 4
    backbone_trainable = [
        p.requires_grad
        for n, p in r4.named_parameters()
        if n.startswith("backbone.") and "lora_" not in n
    ]
    assert backbone_trainable and not any(backbone_trainable)  # only LoRA trains in the backbone


def test_use_lora_false_trains_the_whole_backbone() -> None:
    model = tiny_model(use_lora=False)
    assert not any("lora_" in n for n, _ in model.named_parameters())
    assert all(p.requires_grad for p in model.parameters())
    assert model.num_parameters(trainable=True) == model.num_parameters()


def test_max_length_truncates_the_video_text() -> None:
    long_text = " ".join(["word"] * 200)
    example = TrainingExample("v", long_text, 60.0, None, (), 1, None)
    for max_length in (8, 20):
        dataset = tiny_model(max_length=max_length).encode([example])
        assert len(dataset.items[0].input_ids) == max_length


def test_context_fields_choose_the_events(examples: list[TrainingExample]) -> None:
    productive = examples[0]  # 6 events in the 3 hours before its moment
    assert len(tiny_model().encode([productive]).items[0].event_index) == 6
    assert len(tiny_model(max_context_events=2).encode([productive]).items[0].event_index) == 2
    assert len(tiny_model(context_hours=1.0).encode([productive]).items[0].event_index) < 6
    item = tiny_model(ignore_index=-1).encode([productive]).items[0]
    assert item.interest_label == -1 and item.productive_label in (0, 1)


def test_compile_failure_falls_back_to_eager(
    examples: list[TrainingExample],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    eager = tiny_model().eval()
    expected = eager(**batch_of(eager, examples).inputs())

    def broken_compile(*args: object, **kwargs: object) -> object:
        raise RuntimeError("no compiler here")

    monkeypatch.setattr(torch, "compile", broken_compile)
    with caplog.at_level(logging.WARNING):
        model = tiny_model(compile_model=True).eval()
    assert "torch.compile failed (RuntimeError: no compiler here)" in caplog.text
    torch.testing.assert_close(
        model(**batch_of(model, examples).inputs()).productive, expected.productive
    )


def test_compile_errors_at_first_call_fall_back_too(
    examples: list[TrainingExample],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    calls = []

    def lazy_compile(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(fn)

        def compiled(*a, **k):  # type: ignore[no-untyped-def]
            raise RuntimeError("inductor backend crashed")

        return compiled

    monkeypatch.setattr(torch, "compile", lazy_compile)
    assert tiny_model(compile_model=False) and not calls  # off: never compiled
    model = tiny_model(compile_model=True).eval()
    assert len(calls) == 1
    with caplog.at_level(logging.WARNING):
        out = model(**batch_of(model, examples).inputs())
    assert "falling back to eager" in caplog.text and torch.isfinite(out.productive).all()


# --- context features ---


def test_event_text_format() -> None:
    event = ContextEvent(
        datetime(2026, 1, 1, tzinfo=UTC),
        10.0,
        "Code",
        "model.py",
        "http://x",
        ("Work", "Programming"),
    )
    assert event_text(event) == "Code | model.py | Work > Programming"
    assert (
        event_text(ContextEvent(datetime(2026, 1, 1, tzinfo=UTC), 1.0, None, " ", None, ())) == ""
    )


def test_time_of_day_is_local_and_dst_correct() -> None:
    # Europe/Berlin switches to summer time at 01:00 UTC on 2026-03-29.
    before = ContextEvent(datetime(2026, 3, 29, 0, 30, tzinfo=UTC), 60.0, "a", "b")  # 01:30 CET
    after = ContextEvent(datetime(2026, 3, 29, 1, 30, tzinfo=UTC), 60.0, "a", "b")  # 03:30 CEST
    feats = event_features([before, after], None, "Europe/Berlin", 6.0, 3)
    for row, hours in zip(feats, (1.5, 3.5), strict=True):
        angle = 2 * math.pi * hours / 24
        assert row[1].item() == pytest.approx(math.sin(angle), abs=1e-6)
        assert row[2].item() == pytest.approx(math.cos(angle), abs=1e-6)
    assert feats[0, 0].item() == pytest.approx(math.log1p(60) / math.log1p(3600))
    assert event_features([before], None, "UTC", 6.0, 6).shape == (1, 6)


def test_context_window_keeps_recent_past_events_only() -> None:
    moment = datetime(2026, 5, 1, 12, tzinfo=UTC)
    events = [
        ContextEvent(moment + timedelta(minutes=m), 60.0, "a", str(m))
        for m in (-500, -300, -20, -10, 5)
    ]
    window = context_window(list(reversed(events)), moment, hours=6.0, max_events=10)
    assert [e.title for e in window] == [
        "-300",
        "-20",
        "-10",
    ]  # oldest first, none after the moment
    assert [e.title for e in context_window(events, moment, 6.0, 2)] == ["-20", "-10"]
    features = event_features(window, moment, "UTC", 6.0, 4)
    assert features[-1, 3].item() == pytest.approx(10 / 360)  # recency


def test_condition_and_json_parsing() -> None:
    assert condition_features(None, 4).tolist() == [0.0, 1.0, 0.0, 0.0]
    assert (
        condition_features(30.0, 4)[2].item() == 1.0
        and condition_features(1800.0, 4)[3].item() == 1.0
    )
    assert condition_features(30.0, 1).shape == (1,)
    parsed = parse_context_events(
        '[{"timestamp": "2026-05-01T10:00:00Z", "duration_s": 12.5, "app": "Code", "title": "x",'
        ' "url": null, "category": ["Work", "Programming"]}]'
    )
    assert parsed == (
        ContextEvent(
            datetime(2026, 5, 1, 10, tzinfo=UTC), 12.5, "Code", "x", None, ("Work", "Programming")
        ),
    )
    assert parse_context_events(None) == () and parse_context_events("[]") == ()
