"""Complaints: acknowledgement and resolution in working days, backlog, and outcomes."""

import streamlit as st

import ptx
from pages._shared import chart, compute, md, stale_notice, table, view

v = view()
stale_notice()
st.title("Complaints")
missing = ptx.unavailable(v.source, "complaints")
if missing:  # a feedback-only source: nothing else to show
    st.info(md(missing))
    st.stop()
calendar = v.source.config.complaints.calendar
st.caption(
    f"{md(v.scope)} · received {v.filters.start:%d %b %Y} to {v.filters.end:%d %b %Y} · as of "
    f"{v.as_of:%d %b %Y} · days are working days: weekends and {md(calendar.country)}"
    f"{'-' + md(calendar.subdivision) if calendar.subdivision else ''} public holidays excluded"
)


def draw_summary(timing: ptx.ComplaintTiming) -> None:
    """The tiles, each with its change since the previous period as on the Overview, and the
    sentence on the medians."""
    # Each tile as wide as its label needs, so that none is cut short on a 1440-pixel screen.
    widths = [0.85, 1.4, 1.0, 1.0, 0.8]
    # A change takes the colour of the measure's variation icon, as on the Overview.
    trends = compute(
        ptx.what_changed, v, v.filters, since=None, rule=v.disclosure, departments=False
    ).trends
    for container, tile in zip(st.columns(widths), timing.tiles(), strict=True):
        trend = trends.get(tile.key)
        container.metric(
            md(tile.label),
            tile.value,
            delta=tile.change,
            delta_color=trend.colour if trend else "off",
            delta_arrow="off" if tile.better == "neither" else "auto",  # no change shown
            help=md(tile.note) or None,
            border=True,
        )
    st.info(md(timing.why_medians_differ()))


# The tiles sit above the tabs but are drawn last: the resolution tab's grouping serves them.
summary_area = st.container()

# The sections are tabs: only the open one is computed (a click reruns the page), and the URL
# names it, so a shared link opens the same section.
SECTIONS = {
    "resolution": "Time to resolution",
    "trend": "Trend",
    "backlog": "Backlog",
    "mix": "Outcomes and subjects",
    "oldest": "Oldest open",
}
tabs = dict(
    zip(
        SECTIONS,
        st.tabs(list(SECTIONS.values()), key="section", on_change="rerun", bind="query-params"),
        strict=True,
    )
)

by = None
if tabs["resolution"].open:
    with tabs["resolution"]:
        by = st.segmented_control(
            "Compare by",
            list(ptx.COMPARE_BY),
            default="department_id",
            format_func=ptx.COMPARE_BY.get,
            key="compare",
            bind="query-params",
        )
        by = by or "department_id"
timing = compute(ptx.complaint_timing, v, v.filters, by=by, rule=v.disclosure)

if tabs["resolution"].open:
    with tabs["resolution"]:
        if timing.curves:
            chart(timing.figure(), key="complaints_km")
        st.caption(md(timing.curves_note))
        table(timing, key="complaints_km_table", file_name=f"ptx-resolution-by-{by}.csv")

if tabs["trend"].open:
    with tabs["trend"]:
        measures = compute(ptx.trend_measures, v, "complaints")
        key = st.selectbox(
            "Measure",
            list(measures),
            key="complaint_measure",
            format_func=lambda k: measures[k].label,
            bind="query-params",
        )
        spc_chart = "p" if measures[key].proportion else "xmr"
        trend = compute(ptx.trend, v, key, v.filters, chart=spc_chart, rule=v.disclosure)
        if len(trend.chart) >= 2:
            chart(trend.figure(), key="complaints_spc")
            st.caption(md(trend.method))
            for sentence in trend.signals[:5]:
                st.markdown(f"- {md(sentence)}")
        else:
            st.info("Too few months in the range to show a trend.")

if tabs["backlog"].open:
    with tabs["backlog"]:
        backlog = compute(ptx.complaint_backlog, v, v.filters, rule=v.disclosure)
        figures = backlog.figures()
        for container, name in zip(st.columns(2), ("backlog", "ageing"), strict=True):
            if name in figures:
                chart(figures[name], key=f"complaints_{name}", where=container)
            else:
                container.info(md(backlog.empty_note(name)))
        table(backlog, key="complaints_backlog_table", file_name="ptx-backlog.csv")

if tabs["mix"].open:
    with tabs["mix"]:
        mix = compute(ptx.complaint_mix, v, v.filters, rule=v.disclosure)
        figures = mix.figures()
        # Outcome and severity side by side; the KO41a subjects, whose names are long, across
        # the whole width so that their bars are not squeezed out by their labels.
        for col, name in zip(st.columns(2), ("outcome", "severity"), strict=True):
            chart(figures[name], key=f"complaints_{name}", where=col)
        chart(figures["subject"], key="complaints_subject")
        st.caption(md(mix.reopened_text()))
        table(mix, key="complaints_mix_table", file_name="ptx-outcomes-subjects.csv")

if tabs["oldest"].open:
    with tabs["oldest"]:
        oldest = compute(ptx.oldest_open, v, v.filters, rule=v.disclosure)
        if len(oldest.rows):
            table(oldest, key="complaints_oldest", file_name="ptx-oldest-open.csv")
        else:
            st.info(md(oldest.note))

with summary_area:
    draw_summary(timing)
