"""Data: where the numbers come from, what was loaded, and what was quarantined and why."""

import streamlit as st

import ptx
from pages._shared import compute, download, view

v = view()
st.title("Data")
first, last = compute(ptx.data_range, v)
about = st.columns(4)
about[0].metric("Source", v.source.kind)
about[1].metric("As-of date", f"{v.as_of:%d %b %Y}")
about[2].metric("First date", f"{first:%d %b %Y}" if first else "–")
about[3].metric("Last date", f"{last:%d %b %Y}" if last else "–")
st.caption(f"Location: `{v.source.label}`")

report = compute(ptx.validation_report, v)
st.subheader("Rows read, loaded and quarantined")
st.caption("Every row is either loaded or quarantined: rows read = rows loaded + rows quarantined.")
st.dataframe(
    report.tables,
    hide_index=True,
    key="data_tables",
    column_config={
        "table": "Table",
        "rows_read": st.column_config.NumberColumn("Rows read", format="localized"),
        "rows_loaded": st.column_config.NumberColumn("Rows loaded", format="localized"),
        "rows_quarantined": st.column_config.NumberColumn("Rows quarantined", format="localized"),
    },
)
if report.ok:
    st.success("Every row passed validation.")
else:
    st.warning(f"{report.quarantined:,} row(s) quarantined: they are left out of every figure.")
    st.dataframe(
        report.reasons,
        hide_index=True,
        key="data_reasons",
        column_config={"table": "Table", "reason": "Reason", "rows": "Rows"},
    )
for warning in report.warnings:
    st.info(warning)

st.subheader("Quarantined rows")
rows = compute(ptx.quarantined_rows, v)
if len(rows):
    st.dataframe(rows, hide_index=True, key="data_quarantine")
    download(
        rows,
        key="data_quarantine",
        file_name="ptx-quarantine.csv",
        label="Download quarantined rows (CSV)",
    )
else:
    st.write("None.")
