"""The organisation's tree, its feedback channels and the dates its data covers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ptx import query
from ptx.access import Access
from ptx.sources import Source


@dataclass(frozen=True)
class Department:
    department_id: str
    name: str
    division: str
    site: str
    label: str  # the name shown (and put in a URL); unique


@dataclass(frozen=True)
class Hierarchy:
    """The organisation's site > division > department tree, for choosing a scope."""

    departments: tuple[Department, ...]

    def sites(self) -> list[str]:
        return sorted({d.site for d in self.departments})

    def divisions(self, site: str | None = None) -> list[str]:
        return sorted({d.division for d in self.departments if site in (None, d.site)})

    def labels(self, site: str | None = None, division: str | None = None) -> dict[str, str]:
        """department id -> label, for the departments in the site and division, by label."""
        chosen = [
            d for d in self.departments if site in (None, d.site) and division in (None, d.division)
        ]
        return {d.department_id: d.label for d in sorted(chosen, key=lambda d: d.label)}

    def get(self, department_id: str) -> Department | None:
        return next((d for d in self.departments if d.department_id == department_id), None)


def hierarchy(source: Source, *, access: Access | None = None) -> Hierarchy:
    """The valid departments the access allows (all by default); a name shared by several
    departments gets its division and site in its label."""
    deps = query.departments(source, access)
    repeated = deps["department_name"].duplicated(keep=False).to_numpy()
    out = []
    for row, twin in zip(deps.itertuples(), repeated, strict=True):
        label = (
            f"{row.department_name} ({row.division}, {row.site})" if twin else row.department_name
        )
        out.append(
            Department(row.department_id, row.department_name, row.division, row.site, label)
        )
    return Hierarchy(tuple(out))


def channels(source: Source, *, access: Access | None = None) -> list[str]:
    """The feedback channels present in the departments the access allows (all by default)."""
    return query.channels(source, access)


def data_range(source: Source, *, access: Access | None = None) -> tuple[date | None, date | None]:
    """The first and last received dates of valid feedback and complaints, in the
    departments the access allows (all by default)."""
    return query.data_range(source, access)
