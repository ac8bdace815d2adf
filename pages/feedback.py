"""Feedback: a measure over time as an SPC chart that tells signal from noise, and breakdowns."""

from datetime import date

import streamlit as st

import ptx
from pages._shared import chart, compute, md, stale_notice, table, view

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

v = view()
stale_notice()
st.title("Feedback")
st.caption(f"{md(v.scope)} · {v.filters.start:%d %b %Y} to {v.filters.end:%d %b %Y}")

period = (
    st.segmented_control(
        "Period",
        ("week", "month", "quarter"),
        default="month",
        key="period",
        bind="query-params",
        format_func=str.capitalize,
    )
    or "month"
)
available = compute(ptx.trend_measures, v, "feedback")
left, middle, right = st.columns([2, 1, 1])
key = left.selectbox(
    "Measure",
    list(available),
    index=list(available).index("fft_pct_positive"),
    format_func=lambda k: available[k].label,
    key="measure",
    bind="query-params",
)
measure = available[key]
if period not in measure.periods:  # the response rate's eligible patients are counted by month
    st.caption(
        f"{md(measure.label)} is measured by {' or '.join(measure.periods)}: shown by "
        f"{measure.periods[0]}."
    )
    period = measure.periods[0]
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
run_length = right.radio(
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

result = compute(
    ptx.trend,
    v,
    key,
    v.filters,
    period=period,
    chart=chart_type,
    target=target,
    rebase_at=(rebase,) if isinstance(rebase, date) else (),
    run_length=run_length,
    rule=v.disclosure,
)
hidden_note = (
    f" {result.suppressed} {period}(s) not shown: too few to show without identifying people."
    if result.suppressed
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
        badges += " :gray-badge[Trial limits: too few points for fixed limits]"
    st.markdown(badges)
    chart(result.figure(), key="feedback_spc")
    st.caption(md(result.method) + hidden_note)
    if result.signals:
        st.markdown(
            "**What the chart shows**\n\n" + "\n".join(f"- {md(s)}" for s in result.signals)
        )
    else:
        st.markdown("**What the chart shows**: only common-cause variation — no signal to act on.")

st.subheader("Breakdowns")
breakdowns = ptx.measures_for("breakdown")
breakdown_key = key if key in breakdowns else "fft_pct_positive"
labels = ptx.BREAKDOWNS
# Only the open tab is computed (a click reruns the page), and the URL names it.
tabs = st.tabs(list(labels.values()), key="breakdown", on_change="rerun", bind="query-params")
for tab, by in zip(tabs, labels, strict=True):
    if not tab.open:
        continue
    groups = compute(ptx.breakdown, v, breakdown_key, by, v.filters, rule=v.disclosure)
    with tab:
        if groups.values.empty:
            st.info("No responses for this selection.")
            continue
        chart(groups.figure(), key=f"breakdown_{by}")
        table(groups, key=f"breakdown_table_{by}", file_name=f"ptx-{breakdown_key}-by-{by}.csv")

st.subheader("The numbers behind the chart")
table(result, key="feedback_table", file_name=f"ptx-{key.replace(':', '-')}-{period}.csv")
