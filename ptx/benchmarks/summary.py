"""The organisation's published results as catalog measures, one row each, for the board pack.

Each published measure the organisation's unit has becomes the catalog measure
``published:<measure id>:<answer>`` (:func:`ptx.catalog.published_measure`): its headline answer
(top box, % positive, else the first published), in the latest release that has it for the
unit, with the national value and the unit's percentile rank among its peers, all read from
``benchmark_results`` by :func:`ptx.benchmarks.api.benchmark`. Nothing here reads the
organisation's responses, and nothing computed from responses reads these rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ptx.api._common import readable
from ptx.benchmarks.api import benchmark
from ptx.benchmarks.choices import benchmark_choices
from ptx.catalog import Measure, published_measure, publisher
from ptx.sources import Source

HEADLINE_ANSWERS = ("top", "positive", "linear mean")  # the answer a measure is shown by
METHOD = (
    "as published (release, publisher); percentile rank = 100 x (peers below + half of peers "
    "equal) / peers at the unit's level, imputed score sets left out"
)
COLUMNS = ("key", "label", "category", "release", "publisher", "value", "national", "rank")


@dataclass(frozen=True)
class PublishedResults:
    """The unit's published results: ``rows`` has one row per measure (columns
    :data:`COLUMNS`); ``unavailable`` says why there are none."""

    unit: str
    rows: pd.DataFrame
    unavailable: str | None = None
    method: str = METHOD

    @property
    def measures(self) -> dict[str, Measure]:
        """The catalog measure of each row, by key."""
        return {
            key: published_measure(*key.split(":", 2)[1:], label=label)
            for key, label in zip(self.rows["key"], self.rows["label"], strict=True)
        }

    def table(self, *, export: bool = False) -> pd.DataFrame:
        """One row per published measure, headed in words."""
        return readable(
            self.rows,
            {
                "label": "Published measure",
                "category": "Answer",
                "release": "Release",
                "publisher": "Published by",
                "value": "Yours",
                "national": "National",
                "rank": "Percentile rank",
            },
            decimals=0,
        )


def published_results(source: Source, unit: str | None = None) -> PublishedResults:
    """The organisation's unit's published results, one headline answer per measure."""
    choices = benchmark_choices(source)
    unit = unit or choices.own_unit
    empty = pd.DataFrame(columns=list(COLUMNS))
    if choices.unavailable or unit is None:
        why = choices.unavailable or (
            "No published unit is yours yet: name it in ptx.toml ([benchmarks] unit) or record "
            "it with `ptx benchmarks import --unit`."
        )
        return PublishedResults(unit or "", empty, why)
    rows = []
    for measure_id, categories in choices.categories.items():
        category = next((c for c in HEADLINE_ANSWERS if c in categories), categories[0])
        for release in reversed(choices.releases):
            result = benchmark(source, measure_id, category=category, release=release, unit=unit)
            if result.unavailable is None and np.isfinite(result.value):
                label = result.measure_label or measure_id
                rows.append(
                    (
                        published_measure(measure_id, category, label).key,
                        label,
                        category,
                        result.window,
                        publisher(measure_id),
                        result.value,
                        result.national,
                        result.rank,
                    )
                )
                break
    frame = pd.DataFrame(rows, columns=list(COLUMNS)) if rows else empty
    text = choices.units.get(unit, unit)
    if frame.empty:
        return PublishedResults(text, frame, f"No published value for {text}.")
    return PublishedResults(text, frame.astype({"value": float, "national": float, "rank": float}))


__all__ = ["PublishedResults", "published_results"]
