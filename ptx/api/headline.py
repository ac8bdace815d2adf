"""The headline: every tile measure for the dates, beside the period before; a measure the
source has no data for is left off the tiles and said in ``notes``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from ptx import charts, kpis
from ptx.api._common import HIDDEN_NOTE, dates, format_value, rule_for
from ptx.catalog import CATALOG, measure
from ptx.disclosure import SUPPRESSED, Disclosure, Roles, apply, as_table
from ptx.measures import evaluate
from ptx.query import Filters
from ptx.sources import Source

MONTHLY = ("fft_pct_positive", "complaints_received")  # the headline's monthly charts
MONTHLY_COLUMNS = ["month", "numerator", "denominator", "value", "low", "high"]


@dataclass(frozen=True)
class Tile:
    """One KPI as shown on a tile."""

    key: str
    label: str
    value: str
    change: str | None
    better: str  # higher, lower or neither: which way a change is good
    note: str
    subject: str = ""  # "feedback" or "complaints": the headline's tiles are laid out by it
    arrow: str = "auto"  # "off" when the change, as shown, is nothing (no arrow for "0.0 pp")


@dataclass(frozen=True)
class Headline:
    """Every tile measure for the dates, beside the previous period of the same length."""

    start: date
    end: date
    as_of: date
    rule: Disclosure
    kpis: pd.DataFrame  # kpis.COLUMNS, the rule applied
    fft_by_month: pd.DataFrame  # month, numerator, denominator, value, low, high
    complaints_by_month: pd.DataFrame  # the same for complaints received
    hidden_months: tuple[int, int] = (0, 0)  # months each chart leaves out under the rule
    method: str = "each tile's own definition; previous period of the same length"

    @property
    def notes(self) -> tuple[str, ...]:
        """What the source has no data for, each sentence once ("No complaints data in this
        source."): the tiles of those measures are left out."""
        return tuple(dict.fromkeys(n for n in self.kpis["note"] if n))

    def empty_note(self, name: str) -> str:
        """Why a monthly chart ("fft" or "complaints") has nothing to draw."""
        what = {"fft": "FFT responses", "complaints": "complaints"}[name]
        key = MONTHLY[0 if name == "fft" else 1]
        missing = self.kpis.set_index("kpi")["note"].get(key)
        if missing:
            return missing
        hidden = self.hidden_months[0 if name == "fft" else 1]
        if hidden:
            return f"Every month has too few {what} to show without identifying people."
        return f"No {what} for this selection."

    @property
    def suppressed(self) -> int:
        """Tiles whose value the small-number rule hides."""
        return int(self.kpis["suppressed"].sum())

    def to_frame(self) -> pd.DataFrame:
        return self.kpis.copy()

    def table(self, *, export: bool = False) -> pd.DataFrame:
        """The KPIs as text in their units: "*" for a hidden count, "–" for a hidden rate; for
        export, counts rounded as the rule asks. Where the source lacks the data for some
        measures, a last column says so beside each of them."""
        rows = []
        for row in self.kpis.itertuples():
            tile = self._tile(row)
            value, previous = tile.value, format_value(row.previous, row.unit)
            if export and row.unit == "count":
                counts = pd.DataFrame({"value": [row.value], "previous": [row.previous]})
                shown = as_table(
                    counts, Roles(counts=("value", "previous")), self.rule, export=True
                )
                value = SUPPRESSED if row.suppressed else shown["value"].iloc[0] or "–"
                previous = shown["previous"].iloc[0] or "–"
            interval = (
                ""
                if pd.isna(row.low)
                else f"{format_value(row.low, row.unit)} to {format_value(row.high, row.unit)}"
            )
            rows.append(
                {
                    "Measure": row.label,
                    "Value": value,
                    "95% interval": interval,
                    "n": "" if pd.isna(row.n) else f"{row.n:,.0f}",
                    "Previous period": previous,
                    "Change": tile.change or "–",
                    "Note": row.note,
                }
            )
        table = pd.DataFrame(rows)
        return table if self.notes else table.drop(columns="Note")

    def unit(self, key: str) -> str:
        """A tile measure's unit ("%", "count", "days"...)."""
        return str(self.kpis.set_index("kpi").loc[key, "unit"])

    def value_text(self, key: str) -> str:
        """A tile's value as shown: "*" for a suppressed count, "–" where hidden."""
        row = self.kpis.set_index("kpi").loc[key]
        if row["suppressed"] and row["unit"] == "count":
            return SUPPRESSED
        return format_value(row["value"], row["unit"])

    def tiles(self) -> list[Tile]:
        """Each KPI the source has data for as a tile: value, change since the previous
        period, and a note with its interval, denominator and previous value."""
        return [self._tile(row) for row in self.kpis.itertuples() if not row.note]

    def _tile(self, row) -> Tile:
        has_previous = not pd.isna(row.change)
        change = format_value(row.change, row.unit)
        if row.unit == "%":
            change = change.replace("%", " pp")  # a change of a percentage is in points
        notes = [row.note] if row.note else []
        if not pd.isna(row.low):
            kind = "Wilson" if row.unit == "%" else "Kaplan-Meier, open complaints counted"
            notes.append(
                f"95% interval ({kind}) {format_value(row.low, row.unit)} to "
                f"{format_value(row.high, row.unit)}."
            )
        if not pd.isna(row.n):
            notes.append(f"Denominator: {row.n:,.0f}.")
        if has_previous:
            notes.append(f"Previous period: {format_value(row.previous, row.unit)}.")
        if row.suppressed:
            notes.insert(0, HIDDEN_NOTE)
        notes.append(f"Method: {row.method}.")
        return Tile(
            key=row.kpi,
            label=row.label,
            value=self.value_text(row.kpi),
            change=change if has_previous else None,
            better=row.better if row.change else "neither",  # no change: no colour
            note=" ".join(notes),
            subject=CATALOG[row.kpi].subject if row.kpi in CATALOG else "",
            arrow="auto" if has_previous and any(c in "123456789" for c in change) else "off",
        )

    def tile_rows(self, per_row: int = 5) -> list[list[Tile]]:
        """The tiles in rows of at most ``per_row``: feedback first, then complaints, each
        subject starting a row of its own and split into rows of even length (six complaint
        tiles are two rows of three: how many, then how quickly)."""
        tiles = self.tiles()
        groups = [[t for t in tiles if t.subject == s] for s in ("feedback", "complaints")]
        groups.append([t for t in tiles if t.subject not in ("feedback", "complaints")])
        rows = []
        for group in groups:
            if group:
                count = -(-len(group) // per_row)  # rows needed
                size = -(-len(group) // count)  # tiles per row, as even as can be
                rows += [group[i : i + size] for i in range(0, len(group), size)]
        return rows

    def charts(self) -> tuple[str, ...]:
        """The monthly charts ("fft", "complaints") the source has the data for; one of them may
        still have nothing to draw in the dates (see :meth:`empty_note`)."""
        notes = self.kpis.set_index("kpi")["note"]
        return tuple(
            name for name, key in zip(("fft", "complaints"), MONTHLY, strict=True) if not notes[key]
        )

    def figures(self) -> dict[str, object]:
        """The monthly charts: FFT % positive with its interval, complaints received."""
        out = {}
        fft, received = (CATALOG[k] for k in MONTHLY)
        if len(self.fft_by_month):
            out["fft"] = charts.interval_trend(
                self.fft_by_month,
                x="month",
                y="value",
                low="low",
                high="high",
                title=f"{fft.label} by month",
                y_title=fft.label,
                name=fft.label,
            )
        if len(self.complaints_by_month):
            out["complaints"] = charts.count_bars(
                self.complaints_by_month,
                x="month",
                y="value",
                title=f"{received.label} by month",
                y_title=received.label,
            )
        return out

    def figure(self):
        return next(iter(self.figures().values()), None)


def headline(
    source: Source,
    filters: Filters = Filters(),
    *,
    rule: Disclosure = Disclosure(),
    as_of: date | None = None,
) -> Headline:
    """The headline KPIs (every catalog measure shown as a tile) and the monthly charts."""
    rule = rule_for(rule, filters)
    filters, end_of_data = dates(source, filters, whole_history=False, as_of=as_of)
    c = kpis.headline_counts(source, filters, end_of_data)
    table = kpis.headline_table(c, source.config.complaints, rule)
    monthly, hidden = {}, []  # the Overview's two monthly charts
    for key, frame in zip(MONTHLY, ("feedback", "resolved"), strict=True):
        m = measure(key)
        if frame not in c.frames:  # the source has no data for it (see Headline.empty_note)
            monthly[key], hidden = pd.DataFrame(columns=MONTHLY_COLUMNS), [*hidden, 0]
            continue
        values = evaluate(m, {frame: c.current(frame)}, ["month"], source.config.complaints)
        shown = apply(values, m.roles, rule)
        monthly[key] = shown[shown["value"].notna()].reset_index(drop=True)
        hidden.append(int(shown["value"].isna().sum() - values["value"].isna().sum()))
    return Headline(
        start=filters.start,
        end=filters.end,
        as_of=end_of_data,
        rule=rule,
        kpis=table,
        fft_by_month=monthly[MONTHLY[0]],
        complaints_by_month=monthly[MONTHLY[1]],
        hidden_months=(hidden[0], hidden[1]),
    )
