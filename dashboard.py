"""ptx dashboard: the frame. Page config, navigation and the shared filters, then the page."""

import streamlit as st

from pages._shared import frame

st.set_page_config(
    page_title="ptx · patient experience", page_icon=":material/monitoring:", layout="wide"
)
frame().run()
