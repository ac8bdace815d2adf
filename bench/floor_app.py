"""The floor for a first chart: a minimal Streamlit app that draws one constant plotly figure.

``bench/page_floor.py`` times it beside the dashboard's pages in the same run: no page can
show its first chart sooner than Streamlit shows this one on the same machine.
"""

import plotly.graph_objects as go
import streamlit as st

st.set_page_config(page_title="floor", layout="wide")
st.plotly_chart(go.Figure(go.Scatter(x=[1, 2, 3], y=[2, 1, 3])), theme=None)
