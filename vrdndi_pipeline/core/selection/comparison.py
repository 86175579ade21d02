"""The comparison table the champion was chosen from: one row per model, with intervals."""

from __future__ import annotations

from collections.abc import Mapping

from vrdndi_pipeline.core.selection.scorecard import Estimate, HeadScore, Scorecard

COLUMNS = (
    "model",
    "good time now ROC-AUC [95 % CI]",
    "gain over baseline",
    "F1",
    "Brier",
    "interest ROC-AUC [95 % CI]",
    "F1",
    "Brier",
)


def _auc(head: HeadScore | None) -> str:
    return head.roc_auc.text() if head is not None and head.roc_auc is not None else "n/a"


def _number(head: HeadScore | None, name: str) -> str:
    return f"{getattr(head, name):.3f}" if head is not None else "n/a"


def comparison_rows(
    cards: Mapping[str, Scorecard],
    gains: Mapping[str, Estimate | None],
    labels: Mapping[str, str],
) -> list[tuple[str, ...]]:
    """One row per scorecard (in the mapping's order); ``labels`` names each row."""
    rows: list[tuple[str, ...]] = []
    for name, card in cards.items():
        gain = gains.get(name)
        rows.append(
            (
                labels.get(name, name),
                _auc(card.productive),
                gain.text(signed=True) if gain is not None else "—",
                _number(card.productive, "f1"),
                _number(card.productive, "brier"),
                _auc(card.interest),
                _number(card.interest, "f1"),
                _number(card.interest, "brier"),
            )
        )
    return rows


def markdown_table(rows: list[tuple[str, ...]], footer: str = "") -> str:
    lines = [
        "| " + " | ".join(COLUMNS) + " |",
        "|" + "---|" * len(COLUMNS),
        *("| " + " | ".join(row) + " |" for row in rows),
    ]
    return "\n".join(lines) + (f"\n\n{footer}" if footer else "") + "\n"


def plain_table(rows: list[tuple[str, ...]]) -> str:
    """Aligned columns for a terminal."""
    table = [COLUMNS, *rows]
    widths = [max(len(r[i]) for r in table) for i in range(len(COLUMNS))]
    return "\n".join(
        "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in table
    )
