"""Complaints: acknowledgement and resolution in working days, backlog, and outcomes."""

import streamlit as st

from pages._shared import compute, table, view
from ptx import charts, complaints, query, spc, survival, timing
from ptx.disclosure import count_text

COMPARE = {"department_id": "Department", "subject": "Subject", "severity": "Severity"}
MAX_CURVES = 6

v = view()
settings = v.source.config.complaints
calendar = settings.calendar
st.title("Complaints")
st.caption(
    f"{v.scope} · received {v.filters.start:%d %b %Y} to {v.filters.end:%d %b %Y} · as of "
    f"{v.as_of:%d %b %Y} · days are working days: weekends and {calendar.country}"
    f"{'-' + calendar.subdivision if calendar.subdivision else ''} public holidays excluded"
)

acknowledged = compute(timing.stage_counts, v, v.filters, v.as_of, "acknowledged")
open_stage = compute(
    timing.stage_counts, v, v.filters.between(None, v.as_of), v.as_of, "resolved", ()
)


def pct(share: complaints.Share) -> str:
    if share.due < v.disclosure.min_rate_n and v.disclosure.enabled:
        return "–"
    return f"{share.pct:.1f}%"


def draw_summary(resolved) -> None:
    """The tiles and the sentence on the medians, from the resolution stage counts in any
    grouping (every summary sums over it; received = resolved + still pending)."""
    overall = complaints.resolution_summary(resolved).iloc[0]
    ack = complaints.within_target(acknowledged, settings.acknowledge_working_days)
    in_target = complaints.within_target(resolved, settings.resolve_working_days)
    backstop = complaints.within_backstop(resolved)
    received = resolved["done"].sum() + resolved["pending"].sum()
    tiles = st.columns(5)
    tiles[0].metric("Received", count_text(received, v.disclosure), border=True)
    tiles[1].metric(
        f"Acknowledged in {settings.acknowledge_working_days} days",
        pct(ack),
        help=f"{ack.met:,} of {ack.due:,} due; 95% interval {ack.low:.1f}% to {ack.high:.1f}%.",
        border=True,
    )
    tiles[2].metric(
        f"Resolved in {settings.resolve_working_days} days",
        pct(in_target),
        help=f"{in_target.met:,} of {in_target.due:,} due; 95% interval {in_target.low:.1f}% to "
        f"{in_target.high:.1f}%. Within the {settings.backstop_months}-month backstop: "
        f"{backstop.pct:.1f}%.",
        border=True,
    )
    median_text = "–" if overall["median"] != overall["median"] else f"{overall['median']:.0f} days"
    tiles[3].metric(
        "Median days to resolve",
        median_text,
        help=f"Kaplan-Meier, open complaints counted: 95% interval {overall['median_low']:.0f} to "
        f"{overall['median_high']:.0f}. Median of resolved complaints only: "
        f"{overall['naive_median']:.0f}. 90th percentile: {overall['p90']:.0f}.",
        border=True,
    )
    beyond = int(open_stage.loc[open_stage["beyond_backstop"] == 1, "pending"].sum())
    tiles[4].metric(
        "Open now",
        count_text(open_stage["pending"].sum(), v.disclosure),
        help=f"Open at {v.as_of:%d %b %Y}, whenever received; {beyond:,} open for more than "
        f"{settings.backstop_months} months.",
        border=True,
    )
    st.info(complaints.why_medians_differ(overall))


# The tiles sit above the tabs but are drawn last: the open tab decides which grouping of the
# resolution stage is queried, and the tiles sum whichever it is.
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

if tabs["resolution"].open:
    with tabs["resolution"]:
        by = st.segmented_control(
            "Compare by",
            list(COMPARE),
            default="department_id",
            format_func=COMPARE.get,
            key="compare",
            bind="query-params",
        )
        by = by or "department_id"
        stage_by = compute(timing.stage_counts, v, v.filters, v.as_of, "resolved", (by,))
        resolved = stage_by
        summary = complaints.resolution_summary(stage_by, (by,))
        labels = {}
        if by == "department_id":
            deps = compute(query.departments, v)
            labels = dict(zip(deps["department_id"], deps["department_name"], strict=True))
        summary.insert(0, "group", summary[by].map(lambda g: labels.get(g, g)))
        summary = summary.sort_values("complaints", ascending=False).reset_index(drop=True)
        largest = summary.sort_values("complaints", ascending=False).head(MAX_CURVES - 1)
        curves = {"All complaints": survival.curve(resolved)}
        for row in largest.itertuples():
            part = stage_by[stage_by[by] == getattr(row, by)]
            curves[row.group] = survival.curve(part)
        st.plotly_chart(
            charts.survival_curves(
                curves,
                title="Share still open by working days since receipt",
                target=settings.resolve_working_days,
            ),
            key="complaints_km",
            theme=None,
        )
        st.caption(f"Kaplan-Meier curves for all complaints and the {len(largest)} largest groups.")
        table(
            summary.drop(columns=[by]),
            key="complaints_km_table",
            file_name=f"ptx-resolution-by-{by}.csv",
            rule=v.disclosure,
            count_cols=survival.SUMMARY_COUNTS,
            rate_cols=survival.SUMMARY_DAYS,
            n_col="complaints",
            decimals=0,
        )

else:
    resolved = compute(timing.stage_counts, v, v.filters, v.as_of, "resolved", ("month",))

if tabs["trend"].open:
    with tabs["trend"]:
        key = st.selectbox(
            "Measure",
            list(complaints.SERIES),
            key="complaint_measure",
            format_func=lambda k: complaints.SERIES[k][0],
            bind="query-params",
        )
        label, unit, improvement = complaints.SERIES[key]
        received = compute(query.complaint_counts, v, v.filters, v.as_of, ("month",))
        episodes = compute(query.activity_totals, v, v.filters, ("month",))
        series = complaints.monthly_series(
            key, received, episodes, resolved, settings.resolve_working_days
        )
        if len(series) >= 2:
            options = spc.SpcOptions(improvement=improvement)
            chart = (
                spc.p_chart(series[["period", "numerator", "denominator"]], options)
                if unit == "%"
                else spc.xmr(series[["period", "value"]], options)
            )
            st.plotly_chart(
                charts.spc_chart(chart, title=f"{label} by month", y_title=label),
                key="complaints_spc",
                theme=None,
            )
            for sentence in spc.signal_sentences(chart, options)[:5]:
                st.markdown(f"- {sentence}")
        else:
            st.info("Too few months in the range for a trend.")

if tabs["backlog"].open:
    with tabs["backlog"]:
        left, right = st.columns(2)
        history = compute(
            query.complaint_counts, v, v.filters.between(None, v.as_of), v.as_of, ("month",)
        )
        resolutions = compute(
            query.resolutions_by_month, v, v.filters.between(None, v.as_of), v.as_of
        )
        backlog = complaints.backlog(history, resolutions, v.as_of)
        backlog = backlog[backlog["month"] >= v.filters.start.replace(day=1)]
        with left:
            st.plotly_chart(
                charts.count_bars(
                    backlog,
                    x="month_end",
                    y="open",
                    title="Open complaints at each month end",
                    y_title="open complaints",
                ),
                key="complaints_backlog",
                theme=None,
            )
        with right:
            ageing = complaints.ageing(open_stage)
            st.plotly_chart(
                charts.count_bars(
                    ageing,
                    x="bucket",
                    y="open",
                    title=f"Open at {v.as_of:%d %b %Y} by working days open",
                    y_title="open complaints",
                ),
                key="complaints_ageing",
                theme=None,
            )

if tabs["mix"].open:
    with tabs["mix"]:
        cols = st.columns(3)
        categories = ("outcome", "subject", "severity")
        counts = compute(query.complaint_counts, v, v.filters, v.as_of, categories)
        for col, column, title, order in (
            (cols[0], "outcome", "Outcome", complaints.OUTCOME_ORDER),
            (cols[1], "subject", "Subject (KO41a)", ()),
            (cols[2], "severity", "Severity", ("low", "moderate", "high", "extreme")),
        ):
            share = complaints.mix(counts, column, order)
            with col:
                st.plotly_chart(
                    charts.share_bars(
                        share, group="group", value="pct", title=title, x_title="% of complaints"
                    ),
                    key=f"complaints_{column}",
                    theme=None,
                )
        reopened = counts["reopened"].sum()
        closed = counts["received"].sum() - counts["open"].sum()
        st.caption(
            f"Reopened: {count_text(reopened, v.disclosure)} of "
            f"{count_text(closed, v.disclosure)} closed complaints. Open complaints have no "
            "outcome yet ('not recorded')."
        )

if tabs["oldest"].open:
    with tabs["oldest"]:
        oldest = compute(timing.oldest_open, v, v.filters.between(None, v.as_of), v.as_of)
        if len(oldest):
            table(oldest, key="complaints_oldest", file_name="ptx-oldest-open.csv")
        else:
            st.write("None open.")

with summary_area:
    draw_summary(resolved)
