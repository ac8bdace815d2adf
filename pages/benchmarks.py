"""Benchmarks: the organisation's published unit among its peers (CMS HCAHPS, NHS FFT)."""

import streamlit as st

import ptx
from pages._shared import chart, compute, md, stale_notice, table, view

v = view()
stale_notice()
st.title("Benchmarks")
st.caption(
    "Published survey results (CMS HCAHPS, NHS England FFT): where your unit stands among its "
    "peers, nationally and in its state or region. Published results are percentages per "
    "hospital or trust, never read as patient responses; the sidebar filters do not apply."
)
choices = compute(ptx.benchmark_choices, v)
if choices.unavailable:
    st.info(md(choices.unavailable), icon=":material/info:")
    st.stop()

if choices.report:
    with st.expander("How the published files were read"):
        for line in choices.report:
            st.markdown("- " + md(line))

left, middle, right = st.columns([3, 1, 2])
measure = left.selectbox(
    "Measure",
    list(choices.measures),
    format_func=lambda m: choices.measures[m],
    key="bench_measure",
    bind="query-params",
)
category = middle.selectbox(
    "Answer", list(choices.categories[measure]), key="bench_answer", bind="query-params"
)
releases = list(reversed(list(choices.releases)))
release = right.selectbox(
    "Release",
    releases,
    format_func=lambda r: choices.releases[r],
    key="bench_release",
    bind="query-params",
)
units = list(choices.units)
unit_col, imputed_col = st.columns([3, 2])
unit = unit_col.selectbox(
    "Your unit",
    units,
    index=units.index(choices.own_unit) if choices.own_unit in choices.units else None,
    format_func=lambda u: choices.units[u],
    key="bench_unit",
    bind="query-params",
    placeholder="Choose your hospital, trust or state",
)
include_imputed = imputed_col.toggle(
    "Count units with imputed score sets", value=False, key="bench_imputed"
)
result = compute(
    ptx.benchmark,
    v,
    measure,
    category=category,
    release=release,
    unit=unit,
    include_imputed=include_imputed,
)
if result.unavailable:
    st.info(md(result.unavailable), icon=":material/info:")
    st.stop()

st.subheader(md(f"{result.unit_text}: {result.measure_label}, {result.window}"))
for column, (label, value, hint) in zip(
    st.columns(len(result.tiles())), result.tiles(), strict=True
):
    column.metric(md(label), value, help=md(hint))
if result.notes:
    st.caption(md(" ".join(result.notes)))

among, funnel_tab, trend_tab = st.tabs(
    ["Among all units", "Funnel by completed surveys", "Across releases"],
    key="bench_view",
    on_change="rerun",
    bind="query-params",
)
if among.open:
    with among:
        chart(result.figure(), key="bench_dots")
        st.caption(md(result.method))
        table(result, key="bench_table", file_name=f"ptx-benchmark-{measure}-{release}.csv")
if funnel_tab.open:
    with funnel_tab:
        figure = result.funnel_figure()
        if figure is None:
            st.info("No funnel: the measure is not a percentage, or too few units publish n.")
        else:
            chart(figure, key="bench_funnel")
            st.caption(md(result.method))
if trend_tab.open:
    with trend_tab:
        figure = result.trend_figure()
        if figure is None:
            st.info("No earlier releases of this measure.")
        else:
            chart(figure, key="bench_trend")
