"""Departments: fair comparisons with funnel plots, ranked with intervals, and a heatmap."""

import streamlit as st

import ptx
from pages._shared import compute, table, view
from ptx import charts, compare, departments, query, timing

v = view()
settings = v.source.config.complaints
# Every department in scope is compared: the department filter itself is not applied here.
scope = ptx.Filters(
    v.filters.start, v.filters.end, v.filters.sites, v.filters.divisions, (), v.filters.channels
)
deps = compute(query.departments, v)
names = dict(zip(deps["department_id"], deps["department_name"], strict=True))


def select_department(chart_key: str) -> None:
    """A click on a department's point sets the shared department filter (and its site and
    division), so every other page drills into it."""
    points = st.session_state[chart_key].selection.get("points", [])
    if not points:
        return
    chosen = points[0].get("customdata")
    if isinstance(chosen, list):
        chosen = chosen[0]
    row = deps.loc[deps["department_id"] == chosen]
    if len(row):
        st.session_state["dept"] = chosen
        st.session_state["site"] = row["site"].iloc[0]
        st.session_state["division"] = row["division"].iloc[0]


st.title("Departments")
st.caption(
    f"{v.scope.split(' › ')[0] if v.filters.sites else 'Whole organisation'} · "
    f"{v.filters.start:%d %b %Y} to {v.filters.end:%d %b %Y} · departments of different sizes "
    "compared with funnel plots (Spiegelhalter 2005)"
)
if v.filters.departments:
    name = names.get(v.filters.departments[0], v.filters.departments[0])
    st.markdown(f"**Selected: {name}** — open it in")
    links = st.columns([1, 1, 4])
    links[0].page_link("pages/feedback.py", label="Feedback", icon=":material/reviews:")
    links[1].page_link("pages/complaints.py", label="Complaints", icon=":material/report:")

left, right = st.columns([3, 1])
key = left.selectbox(
    "Measure",
    list(departments.COMPARISONS),
    key="compare_measure",
    format_func=lambda k: departments.COMPARISONS[k].label,
    bind="query-params",
)
adjust = right.toggle(
    "Widen limits for overdispersion", value=True, key="overdispersion", bind="query-params"
)
spec = departments.COMPARISONS[key]

# Two views as tabs: only the open one is computed, and the URL names it. The funnel and ranking
# need only the chosen measure's counts; the heatmap needs every measure's.
funnel_tab, heatmap_tab = st.tabs(
    ["Funnel and ranking", "Every measure at a glance"],
    key="view",
    on_change="rerun",
    bind="query-params",
)
by = ("department_id",)
statements = {
    "feedback": lambda: compute(query.feedback_counts, v, scope, by),
    "complaints": lambda: compute(query.complaint_counts, v, scope, v.as_of, by),
    "activity": lambda: compute(query.activity_totals, v, scope, by),
    "acknowledged": lambda: compute(timing.stage_counts, v, scope, v.as_of, "acknowledged", by),
    "resolved": lambda: compute(timing.stage_counts, v, scope, v.as_of, "resolved", by),
}
needed = spec.inputs if funnel_tab.open else departments.INPUTS
inputs, ltr_sd = departments.measure_inputs(
    {name: statements[name]() for name in needed},
    settings.acknowledge_working_days,
    settings.resolve_working_days,
)
results = departments.funnels(inputs, ltr_sd, adjust=adjust)
if key not in results:
    st.info("No data for this measure in the selection.")
    st.stop()
result = results[key]

if funnel_tab.open:
    with funnel_tab:
        st.plotly_chart(
            charts.funnel_plot(
                result,
                names=names,
                scores=departments.scores(result, key),
                title=f"{spec.label}: funnel plot",
                x_title="size (n, log scale)",
                y_title=spec.label,
                scale=spec.scale,
            ),
            key="funnel",
            theme=None,
            on_select=lambda: select_department("funnel"),
            selection_mode="points",
        )
        st.caption(
            f"Organisation: {result.target * spec.scale:.1f}{spec.unit}. Limits at 95% and "
            f"99.8% ({result.kind} scale); {result.method}. Departments with fewer than "
            f"{compare.MIN_N} are light grey and not judged; blue is better than the "
            "organisation, orange worse. Click a point to select that department."
        )

        st.subheader("Ranking, with intervals")
        ranking = departments.ranking(inputs, key, result, ltr_sd, names)
        table(
            ranking.drop(columns=["department_id"]),
            key="ranking",
            file_name=f"ptx-ranking-{key}.csv",
            rule=v.disclosure,
            count_cols=["n"],
            rate_cols=["value", "estimate", "low", "high"],
            n_col="n",
        )
        method = (
            "Estimates are shrunk towards the organisation's value (empirical-Bayes "
            "beta-binomial) with 95% posterior intervals."
            if spec.kind == "proportion"
            else "Estimates with 95% intervals (exact Poisson for rates, normal for means)."
        )
        st.caption(
            f"{method} Departments with fewer than {compare.MIN_N} are listed as too few, unranked."
        )

if heatmap_tab.open:
    with heatmap_tab:
        heat = departments.heatmap_frame(results, names)
        if v.disclosure.enabled:
            heat.loc[heat["n"] < v.disclosure.min_rate_n, ["score"]] = float("nan")
        st.plotly_chart(
            charts.verdict_heatmap(heat, title="Funnel verdict by department and measure"),
            key="heatmap",
            theme=None,
            on_select=lambda: select_department("heatmap"),
            selection_mode="points",
        )
        st.caption(
            "Blue: better than the organisation beyond the limits; orange: worse; grey: within; "
            "* too few responses to judge."
        )
