"""Data: where the numbers come from, what was loaded and quarantined and why, how each answer
value was read, and importing a new export.

Quarantined rows are shown with demographic and identifying columns dropped and personal
details in their text masked (ptx.privacy), unless ``reveal`` is on: the switch a role allowed
to see rows as they are (an analyst fixing an export) will turn.
"""

import streamlit as st

import ptx
from pages._shared import compute, download, md, stale_notice, view

MAPPING_EXAMPLE = """[tables.feedback]
id = "generate"

[tables.feedback.columns]
received_date = "Date"
department_id = "Ward"
rating = "How was your experience?"
comment = "Why?"

[tables.feedback.constants]
channel = "FFT card"

[tables.feedback.values.rating]
labels = "fft"
"""


# Off: personal details of quarantined rows are masked. The roles work switches it per user.
REVEAL_PERSONAL = False


def show_report(report: ptx.ValidationReport, key: str, *, reveal: bool = False) -> None:
    """Rows read, loaded and quarantined; the reasons (example values masked unless
    ``reveal``); the answer values as read; the notes."""
    st.dataframe(
        report.tables,
        hide_index=True,
        key=f"{key}_tables",
        column_config={
            "table": "Table",
            "rows_read": st.column_config.NumberColumn("Rows read", format="localized"),
            "rows_loaded": st.column_config.NumberColumn("Rows loaded", format="localized"),
            "rows_quarantined": st.column_config.NumberColumn(
                "Rows quarantined", format="localized"
            ),
            "records": st.column_config.NumberColumn(
                "Records",
                format="localized",
                help="Rows in the table: responses, where several rows of an export were one.",
            ),
        },
    )
    if report.ok:
        st.success("Every row passed validation.")
    else:
        st.warning(f"{report.quarantined:,} row(s) quarantined: they are left out of every figure.")
        st.dataframe(
            ptx.mask_reasons(report.reasons, reveal=reveal),
            hide_index=True,
            key=f"{key}_reasons",
            column_config={
                "table": "Table",
                "reason": "Reason",
                "rows": st.column_config.NumberColumn("Rows", format="localized"),
                "example": "Example value",
            },
        )
    for warning in report.warnings:
        st.warning(md(warning if reveal else ptx.mask_personal_text(warning)), icon="⚠️")
    if len(report.values):
        st.markdown("**Answer values as read** — check that the best answer became the best code.")
        st.dataframe(
            report.values,
            hide_index=True,
            key=f"{key}_values",
            column_config={
                "table": "Table",
                "column": "Column",
                "source_value": "In the export",
                "model_value": "Read as",
                "label": "Meaning",
                "rows": st.column_config.NumberColumn("Rows", format="localized"),
                "share": st.column_config.NumberColumn("Share", format="%.1f %%"),
            },
        )
    if report.notes:
        with st.expander("How the source was read"):
            st.text("\n".join(report.notes))


v = view()
stale_notice()
st.title("Data")
first, last = compute(ptx.data_range, v)
about = st.columns(4)
about[0].metric("Source", v.source.kind)
about[1].metric("As-of date", f"{v.as_of:%d %b %Y}")
about[2].metric("First date", f"{first:%d %b %Y}" if first else "–")
about[3].metric("Last date", f"{last:%d %b %Y}" if last else "–")
st.caption(f"Location: {md(v.source.label)}")

st.subheader("Rows read, loaded and quarantined")
st.caption("Every row is either loaded or quarantined: rows read = rows loaded + rows quarantined.")
show_report(compute(ptx.validation_report, v), "data", reveal=REVEAL_PERSONAL)

st.subheader("Quarantined rows")
rows = ptx.mask_quarantined_rows(compute(ptx.quarantined_rows, v), reveal=REVEAL_PERSONAL)
if not REVEAL_PERSONAL:
    st.caption(
        "Demographic and identifying columns are left out, and emails, phone and NHS numbers, "
        "postcodes, dates of birth and names after a title are masked."
    )
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

st.subheader("Import an export")
st.caption(
    "CSV, Excel (.xlsx) or Parquet files from a survey tool or a complaints system, with the "
    "mapping that says which column is which (the same ptx.toml as `ptx import`; see the "
    "examples/ folder for ready ones). The import is written to data/imports/ and reported "
    "here; open it with PTX_SOURCE=data/imports/\\<name\\>.duckdb."
)
with st.form("import"):
    uploads = st.file_uploader(
        "Export files",
        type=["csv", "tsv", "txt", "xlsx", "parquet"],
        accept_multiple_files=True,
    )
    mapping = st.text_area("Mapping (ptx.toml)", height=260, placeholder=MAPPING_EXAMPLE)
    name = st.text_input("Name of the import", value="import")
    go = st.form_submit_button("Import", type="primary")
if go and not uploads:
    st.warning("Choose the export files first.")
elif go:
    result = None
    with st.status("Importing…", expanded=True) as status:

        def progress(table: str, rows_read: int) -> None:
            status.update(label=f"Importing {md(table)}: {rows_read:,} rows read…")

        try:
            target = ptx.import_target(name)
            result = ptx.import_exports(
                {u.name: u.getvalue() for u in uploads},
                target,
                mapping=mapping or None,
                progress=progress,
            )
        except ptx.PtxError as exc:
            status.update(label="The import stopped", state="error")
            st.error(md(exc), icon="⚠️")
        else:
            status.update(label=f"Imported into {md(target)}", state="complete", expanded=False)
    if result is not None:
        st.markdown(f"**Import report** — open it with PTX\\_SOURCE={md(target)}")
        show_report(result, "import", reveal=REVEAL_PERSONAL)
