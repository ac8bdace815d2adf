"""Overview: the state of the organisation (or the chosen department) on one screen."""

import streamlit as st

from pages._shared import compute, format_value, view
from ptx import charts, kpis
from ptx.disclosure import count_text
from ptx.feedback import fft_summary

v = view()
start, end = v.filters.start, v.filters.end
st.title("Overview")
st.caption(
    f"{v.scope} · {start:%d %b %Y} to {end:%d %b %Y} · compared with the {(end - start).days + 1} "
    "days before · data as of " + f"{v.as_of:%d %b %Y}"
)

# One cached set of statements serves the tiles and the monthly charts.
# The acknowledgement stage has no tile here, so its statement is not run.
counts = compute(kpis.headline_counts, v, v.filters, v.as_of, ("resolved",))
table = kpis.headline_table(counts, v.source.config.complaints, v.disclosure)


def tile(container, row) -> None:
    """One KPI tile: value, change since the previous period, interval and n on hover."""
    has_previous = row.change == row.change  # NaN where there is nothing to compare
    change = format_value(row.change, row.unit)
    if row.unit == "%":
        change = change.replace("%", " pp")  # a change of a percentage is in points
    notes = []
    if row.low == row.low and row.unit == "%":
        notes.append(f"95% Wilson interval {row.low:.1f}% to {row.high:.1f}%.")
    elif row.low == row.low:
        notes.append(
            f"95% interval {row.low:.0f} to {row.high:.0f} (Kaplan-Meier, open complaints counted)."
        )
    if row.n == row.n and row.n is not None:
        notes.append(f"Denominator: {row.n:,.0f}.")
    if has_previous:
        notes.append(f"Previous period: {format_value(row.previous, row.unit)}.")
    value = format_value(row.value, row.unit)
    if row.unit == "count":
        value = count_text(row.value, v.disclosure)
    elif row.value != row.value and row.n == row.n:
        notes.insert(0, f"Not shown: fewer than {v.disclosure.min_rate_n} responses.")
    container.metric(
        row.label,
        value,
        delta=change if has_previous else None,
        delta_color={"higher": "normal", "lower": "inverse"}.get(row.better, "off"),
        help=" ".join(notes) or None,
        border=True,
    )


for group in (kpis.FEEDBACK_TILES, kpis.COMPLAINT_TILES):
    rows = table[table["kpi"].isin(group)]
    for container, row in zip(st.columns(4), rows.itertuples(), strict=False):
        tile(container, row)

fft = fft_summary(counts.current("feedback"), by=["month"])
fft = fft[fft["responses"] > 0]
complaints = counts.complaints_by_month()

left, right = st.columns(2)
panels = [
    (
        left,
        fft,
        "overview_fft",
        "No FFT responses for this selection.",
        lambda: charts.interval_trend(
            fft,
            x="month",
            y="pct_positive",
            low="pct_positive_low",
            high="pct_positive_high",
            title="FFT % positive by month",
            y_title="% positive",
            name="% positive",
        ),
    ),
    (
        right,
        complaints,
        "overview_complaints",
        "No complaints for this selection.",
        lambda: charts.count_bars(
            complaints,
            x="month",
            y="received",
            title="Complaints received by month",
            y_title="complaints",
        ),
    ),
]
for container, frame, key, empty, figure in panels:
    with container:
        if len(frame):
            st.plotly_chart(figure(), key=key, theme=None)
        else:
            st.info(empty)
