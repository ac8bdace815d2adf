"""ptx dashboard: the frame. Page config, navigation, the shared filters, then the page."""

import streamlit as st

import ptx
from pages._shared import frame_done, show_error, sidebar

st.set_page_config(
    page_title="ptx · patient experience", page_icon=":material/monitoring:", layout="wide"
)

pages = [
    st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
    st.Page("pages/feedback.py", title="Feedback", icon=":material/reviews:"),
    st.Page("pages/complaints.py", title="Complaints", icon=":material/report:"),
    st.Page("pages/departments.py", title="Departments", icon=":material/leaderboard:"),
    st.Page("pages/data.py", title="Data", icon=":material/database:"),
]
pg = st.navigation(pages)

try:
    frame_done(sidebar())
except ptx.PtxError as exc:
    show_error(exc)

pg.run()
