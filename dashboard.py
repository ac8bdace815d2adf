"""ptx dashboard: the frame. Page config, navigation and the shared filters, then the page."""

import streamlit as st

from pages import _meeting
from pages._shared import frame, go_where_asked, meeting_mode

st.set_page_config(
    page_title="ptx · patient experience", page_icon=":material/monitoring:", layout="wide"
)
page = frame()
if st.session_state.get("_ptx_frame_ran"):  # a dashboard page, not sign-in or "no access"
    go_where_asked()
    _meeting.toggle()
    if meeting_mode():
        _meeting.frame(st.session_state["_ptx_view"].source.config.meeting)
page.run()
