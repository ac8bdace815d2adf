"""Departments: fair comparisons with funnel plots, ranked with intervals, and a heatmap."""

import streamlit as st

import ptx
from pages._shared import chart, compute, md, stale_notice, table, view

v = view()
stale_notice()
tree = compute(ptx.hierarchy, v)


def select_department(chart_key: str) -> None:
    """A click on a department's point chooses it in the shared department filter, so every
    other page drills into it. The site and division stay as the user chose them: they are
    the group the departments are compared within, which a click must not narrow."""
    points = st.session_state[chart_key].selection.get("points", [])
    if not points:
        return
    chosen = points[0].get("customdata")
    if isinstance(chosen, list):
        chosen = chosen[0]
    department = tree.get(chosen)
    if department is not None:
        st.session_state["dept"] = department.department_id


st.title("Departments")
# The group compared: the site and division chosen (a chosen department is highlighted in it).
whole = "All your departments" if v.access.restricted else "Whole organisation"
group = " › ".join(md(p) for p in (*v.filters.sites, *v.filters.divisions)) or whole
st.caption(
    f"Compared within: {group} · {v.filters.start:%d %b %Y} to {v.filters.end:%d %b %Y} · "
    "departments of different sizes compared with funnel plots (Spiegelhalter 2005)"
)
if v.filters.departments:
    chosen = tree.get(v.filters.departments[0])
    st.markdown(
        f"**Selected: {md(chosen.label if chosen else v.filters.departments[0])}** — open it in"
    )
    links = st.columns([1, 1, 4])
    links[0].page_link("pages/feedback.py", label="Feedback", icon=":material/reviews:")
    links[1].page_link("pages/complaints.py", label="Complaints", icon=":material/report:")

# Two views as tabs: only the open one is computed, and the URL names it. The funnel and ranking
# need only the chosen measure's counts; the heatmap needs every measure's.
funnel_tab, heatmap_tab = st.tabs(
    ["Funnel and ranking", "Every measure at a glance"],
    key="view",
    on_change="rerun",
    bind="query-params",
)

if funnel_tab.open:
    with funnel_tab:
        # Only the measures the source has the data for are offered; the page says what it
        # lacks. The heatmap shows every measure, its limits always widened where needed.
        comparisons = ptx.available_measures(v.source, "funnel")
        missing = ptx.missing_data(v.source, "funnel")
        if missing:
            st.caption(md(" ".join(missing)) + " Measures without their data are not offered.")
        left, right = st.columns([3, 1])
        key = left.selectbox(
            "Measure",
            list(comparisons),
            key="compare_measure",
            format_func=lambda k: comparisons[k].label,
            bind="query-params",
        )
        adjust = right.toggle(
            "Widen limits for overdispersion",
            value=True,
            key="overdispersion",
            bind="query-params",
        )
        result = compute(
            ptx.compare_departments, v, key, v.filters, adjust=adjust, rule=v.disclosure
        )
        if result.funnel is None:
            st.info("No data for this measure in the selection.")
        else:
            chart(
                result.figure(),
                key="funnel",
                on_select=lambda: select_department("funnel"),
                selection_mode="points",
            )
            hidden = (
                f" {result.suppressed} department(s) with too few to show are not drawn."
                if result.suppressed
                else ""
            )
            st.caption(
                f"Organisation: {ptx.format_value(result.organisation, result.measure.unit)}. "
                f"{md(result.method)} Blue is better than the organisation, orange worse, dark "
                f"grey within the limits, light grey too few to judge.{hidden} Click a point to "
                "select that department."
            )
            st.subheader("Ranking, with intervals")
            table(result, key="ranking", file_name=f"ptx-ranking-{key}.csv")

if heatmap_tab.open:
    with heatmap_tab:
        heat = compute(ptx.department_heatmap, v, v.filters, rule=v.disclosure)
        chart(
            heat.figure(),
            key="heatmap",
            on_select=lambda: select_department("heatmap"),
            selection_mode="points",
        )
        st.caption(
            "Blue: better than the organisation beyond the limits; orange: worse; grey: within; "
            "* too few responses to judge."
        )
        table(heat, key="heatmap_table", file_name="ptx-every-measure.csv")
        published = compute(ptx.published_results, v)
        if not published.unavailable:
            st.subheader("Published results beside your own")
            st.caption(
                f"{md(published.unit)}, not computed from your responses: {md(published.method)}."
            )
            table(published, key="published_table", file_name="ptx-published-results.csv")
