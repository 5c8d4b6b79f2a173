"""Measuring the classifier on the labelled evaluation set (moderation/evaluation/)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from announcements.lines import lines_of

from .classifier import CATEGORIES, Decision

EVALUATION_SET = Path(__file__).parent / "evaluation" / "comments.txt"


@dataclass(frozen=True)
class Labelled:
    id: str
    post_text: str
    text: str
    labels: frozenset[str]


def load_labelled(path: Path = EVALUATION_SET) -> list[Labelled]:
    items: list[Labelled] = []
    post = ""
    for number, raw in enumerate(lines_of(path.read_text(encoding="utf-8")), start=1):
        line = raw.strip()
        if line.startswith("# post:"):
            post = line.removeprefix("# post:").strip()
        elif line and not line.startswith("#"):
            labels, _, text = line.partition(" | ")
            names = frozenset() if labels.strip() == "-" else frozenset(labels.split(","))
            unknown = names - set(CATEGORIES)
            if unknown or not text:
                raise ValueError(
                    f"{path}:{number}: expected '<labels> | <comment>'; "
                    f"unknown labels {sorted(unknown)}"
                )
            items.append(Labelled(f"eval-{number}", post, text.strip(), names))
    return items


@dataclass(frozen=True)
class Score:
    category: str
    precision: float
    recall: float
    support: int


def scores(items: Iterable[Labelled], decisions: Iterable[Decision]) -> dict[str, Score]:
    """Precision and recall per category (a category is predicted when it is in `categories`)."""
    by_id = {d.id: d for d in decisions}
    result = {}
    items = list(items)
    for category in CATEGORIES:
        true_pos = false_pos = false_neg = 0
        for item in items:
            predicted = category in by_id[item.id].categories
            actual = category in item.labels
            true_pos += predicted and actual
            false_pos += predicted and not actual
            false_neg += actual and not predicted
        precision = true_pos / (true_pos + false_pos) if true_pos + false_pos else 1.0
        recall = true_pos / (true_pos + false_neg) if true_pos + false_neg else 1.0
        result[category] = Score(category, precision, recall, true_pos + false_neg)
    return result
