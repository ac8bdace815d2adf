"""The floor for a first chart: a minimal Streamlit app that draws one constant plotly figure.

``bench/page_floor.py`` times it beside the dashboard's pages in the same run: no page can
show its first chart sooner than Streamlit shows this one on the same machine.

``PTX_FLOOR_PARTS`` (``bench/floor_parts.py`` sets it) adds the kinds of element the dashboard's
pages draw, in the order given, comma-separated: ``chart`` (the figure), ``filters`` (the
sidebar's date range, three select boxes, multiselect and toggle, as the dashboard has them) and
``tiles`` (six metrics with a sparkline). Unset: the chart alone.
"""

import os

import plotly.graph_objects as go
import streamlit as st


def chart() -> None:
    st.plotly_chart(go.Figure(go.Scatter(x=[1, 2, 3], y=[2, 1, 3])), theme=None)


def filters() -> None:
    bar = st.sidebar
    bar.date_input("Dates", value=None, key="dates")
    for name in ("Site", "Division", "Department"):
        bar.selectbox(name, ["All", "A", "B"], key=name)
    bar.multiselect("Channels", ["Survey", "Comment card"], key="channels")
    bar.toggle("Suppress small numbers", key="suppress")


def tiles() -> None:
    for column in st.columns(6):
        column.metric("Measure", "89.2 %", delta="0.1 pp", chart_data=[1, 3, 2, 4])


PARTS = {"chart": chart, "filters": filters, "tiles": tiles}

st.set_page_config(page_title="floor", layout="wide")
for part in os.environ.get("PTX_FLOOR_PARTS", "chart").split(","):
    PARTS[part.strip()]()
