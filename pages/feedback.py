"""Feedback: a measure over time as an SPC chart that tells signal from noise, and breakdowns."""

from datetime import date

import streamlit as st

from pages._shared import compute, table, view
from ptx import charts, measures, query, spc

VARIATION_TEXT = {
    "common_cause": ("gray", "Common cause variation: no signal"),
    "improvement_high": ("blue", "Special cause: improvement (higher)"),
    "improvement_low": ("blue", "Special cause: improvement (lower)"),
    "concern_high": ("orange", "Special cause: concern (higher)"),
    "concern_low": ("orange", "Special cause: concern (lower)"),
    "neutral_high": ("violet", "Special cause: neutral (higher)"),
    "neutral_low": ("violet", "Special cause: neutral (lower)"),
}
ASSURANCE_TEXT = {
    "consistent_pass": ("blue", "Assurance: will consistently meet the target"),
    "consistent_fail": ("orange", "Assurance: will consistently miss the target"),
    "inconsistent": ("gray", "Assurance: will sometimes meet and sometimes miss the target"),
}
BREAKDOWN_LABELS = {
    "channel": "Channel",
    "age_band": "Age band",
    "sex": "Sex",
    "ethnicity": "Ethnicity",
}

v = view()
st.title("Feedback")
st.caption(f"{v.scope} · {v.filters.start:%d %b %Y} to {v.filters.end:%d %b %Y}")

period = (
    st.segmented_control(
        "Period",
        measures.PERIODS,
        default="month",
        key="period",
        bind="query-params",
        format_func=str.capitalize,
    )
    or "month"
)
grain = measures.query_grain(period)
counts = compute(query.feedback_counts, v, v.filters, (grain,))
answers = compute(query.answer_counts, v, v.filters, (grain,))
available = {**measures.FIXED, **measures.question_measures(answers)}

left, middle, right = st.columns([2, 1, 1])
key = left.selectbox(
    "Measure",
    list(available),
    format_func=lambda k: available[k].label,
    key="measure",
    bind="query-params",
)
measure = available[key]
chart_type = "xmr"
if measure.proportion:
    chart_type = middle.radio(
        "Chart",
        ["xmr", "p"],
        key="chart",
        bind="query-params",
        horizontal=True,
        format_func={"xmr": "XmR (MDC)", "p": "p-chart"}.get,
        help="XmR: Making Data Count's default. p-chart: limits from each period's own number "
        "of responses, for periods whose sizes vary a lot.",
    )
shift = right.radio(
    "Run rule",
    [7, 6],
    key="run",
    bind="query-params",
    horizontal=True,
    format_func=lambda n: f"{n} points",
)

with st.expander("Target and rebasing"):
    target = st.number_input(
        f"Target ({measure.unit})",
        value=None,
        key="target",
        bind="query-params",
        placeholder="none",
        help="Sets the assurance icon: will the process meet it?",
    )
    rebase = st.date_input(
        "Rebase limits from (e.g. the date of an improvement action)",
        value=None,
        key="rebase",
        bind="query-params",
        min_value=v.filters.start,
        max_value=v.filters.end,
    )

options = spc.SpcOptions(
    improvement=measure.improvement,
    shift_length=shift,
    trend_length=shift,
    target=target,
    rebase_at=(rebase,) if isinstance(rebase, date) else (),
)
result = measures.trend(
    measure,
    counts,
    answers,
    period=period,
    start=v.filters.start,
    end=v.filters.end,
    options=options,
    chart_type=chart_type,
    rule=v.disclosure,
)

hidden_note = (
    f" {result.hidden_periods} {period}(s) with fewer than {v.disclosure.min_rate_n} responses "
    "are not shown."
    if result.hidden_periods
    else ""
)
if result.chart.empty:
    st.info("No data for this measure and selection." + hidden_note)
else:
    colour, text = VARIATION_TEXT[result.variation]
    badges = f":{colour}-badge[{text}]"
    if result.assurance:
        colour, text = ASSURANCE_TEXT[result.assurance]
        badges += f" :{colour}-badge[{text}]"
    if result.chart["trial_limits"].any():
        badges += f" :gray-badge[Trial limits: fewer than {spc.MIN_BASELINE} points]"
    st.markdown(badges)
    st.plotly_chart(
        charts.spc_chart(
            result.chart,
            title=f"{measure.label} by {period}",
            y_title=measure.label,
            band=result.series if measure.proportion else None,
            target=target,
        ),
        key="feedback_spc",
        theme=None,
    )
    method = (
        "XmR chart, Making Data Count rules (NHS England 2023 update)."
        if chart_type == "xmr"
        else "p-chart with limits from each period's responses."
    )
    st.caption(f"{measure.label}: {measure.definition}. {method}{hidden_note}")
    if result.signals:
        st.markdown("**What the chart shows**\n\n" + "\n".join(f"- {s}" for s in result.signals))
    else:
        st.markdown("**What the chart shows**: only common-cause variation — no signal to act on.")

st.subheader("Breakdowns")
breakdown_key = (
    key if key in ("fft_pct_positive", "fft_pct_negative", "nps") else ("fft_pct_positive")
)
breakdown_label = available[breakdown_key].label
# Only the open tab is computed (a click reruns the page), and the URL names it.
tabs = st.tabs(
    [BREAKDOWN_LABELS[b] for b in measures.BREAKDOWNS],
    key="breakdown",
    on_change="rerun",
    bind="query-params",
)
for tab, by in zip(tabs, measures.BREAKDOWNS, strict=True):
    if not tab.open:
        continue
    grouped = compute(query.feedback_counts, v, v.filters, (by,))
    groups = measures.breakdown(grouped, by, breakdown_key, v.disclosure)
    with tab:
        if groups.empty:
            st.info("No responses for this selection.")
            continue
        st.plotly_chart(
            charts.breakdown_bars(
                groups,
                group="group",
                value="value",
                low="low",
                high="high",
                title=f"{breakdown_label} by {BREAKDOWN_LABELS[by].lower()}",
                x_title=breakdown_label,
            ),
            key=f"breakdown_{by}",
            theme=None,
        )
        table(
            groups,
            key=f"breakdown_table_{by}",
            file_name=f"ptx-{breakdown_key}-by-{by}.csv",
            rule=v.disclosure,
            count_cols=["responses"],
            rate_cols=["value", "low", "high"],
            n_col="responses",
        )

st.subheader("The numbers behind the chart")
table(
    result.numbers(),
    key="feedback_table",
    file_name=f"ptx-{key.replace(':', '-')}-{period}.csv",
    rule=v.disclosure,
    count_cols=["numerator", "denominator"] if measure.proportion else ["denominator"],
    rate_cols=["value", "low", "high", "mean", "lpl", "upl"],
    n_col="denominator",
)
