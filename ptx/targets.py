"""Targets per measure: organisation-wide, with per-department overrides (``[targets]`` in
``ptx.toml``), for Making Data Count's assurance icon ("will the process meet the target?").

::

    [targets]
    fft_pct_positive = 90          # a catalog measure key = the target, in the measure's unit
    complaints_ack_pct = 95

    [targets.departments."Respiratory Ward"]   # a department's name or id
    fft_pct_positive = 85

A department's own target applies when the view is that one department; any other view (the
organisation, a site, a division, several departments) uses the organisation's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from ptx.catalog import CATALOG, measures_for
from ptx.errors import ConfigError

# The units a target can be checked against: a percentage lies within 0-100; other units need
# only be a number of 0 or more, except scores (NPS runs from -100 to 100).
RANGES = {"%": (0.0, 100.0), "score": (-100.0, 100.0)}


@dataclass(frozen=True)
class Targets:
    """Target per measure key for the organisation, and per department (name or id)."""

    organisation: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    departments: Mapping[str, Mapping[str, float]] = field(
        default_factory=lambda: MappingProxyType({})
    )

    def __post_init__(self) -> None:
        check(self.organisation, "[targets]")
        for name, values in self.departments.items():
            check(values, f'[targets.departments."{name}"]')

    def for_view(self, measure_key: str, departments: tuple[str, ...] = ()) -> float | None:
        """The target of a measure for a view of ``departments`` (names or ids, as the view
        names them): the department's own when the view is one department that has one."""
        if len(departments) == 1:
            own = self.departments.get(departments[0], {})
            if measure_key in own:
                return own[measure_key]
        return self.organisation.get(measure_key)

    def __bool__(self) -> bool:
        return bool(self.organisation or self.departments)


def check(values: Mapping[str, float], where: str) -> None:
    """A ConfigError for a key that is not a trend measure or a value outside its unit's range."""
    trends = measures_for("trend")
    for key, value in values.items():
        if key not in trends:
            raise ConfigError(
                f"{where}: {key!r} is not a measure with a trend; use one of "
                f"{', '.join(sorted(trends))}."
            )
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"{where} {key} must be a number, not {value!r}.")
        low, high = RANGES.get(CATALOG[key].unit, (0.0, float("inf")))
        if not low <= value <= high:
            raise ConfigError(
                f"{where} {key} = {value} is outside {low:g} to {high:g} ({CATALOG[key].unit})."
            )
