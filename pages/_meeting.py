"""Meeting mode (``?mode=meeting``): the dashboard for a shared screen.

No sidebar or Streamlit chrome, text large enough to read across a room (the page's root font
size, from which Streamlit sizes every text, is raised), charts restyled by
``ptx.charts.presentation``; the filters stay those of the address, so a bookmarked link opens
the same view. With ``[meeting] slides`` in ptx.toml, a slideshow steps through those views on a
timer (or with the arrow keys), and the data are read again every ``refresh_minutes``.
"""

from __future__ import annotations

import time

import streamlit as st

import ptx
from pages._shared import MEETING, PAGE_FILES, clear_answers, meeting_mode

ROOT_FONT_PX = 28  # Streamlit's smallest text (captions, labels: 0.875 rem) is then 24.5 px
CSS = f"""<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stExpandSidebarButton"], [data-testid="stHeader"], [data-testid="stToolbar"],
[data-testid="stDecoration"], [data-testid="stAppDeployButton"], .stDeployButton,
[data-testid="stMainMenu"], [data-testid="stStatusWidget"] {{ display: none !important; }}
html {{ font-size: {ROOT_FONT_PX}px !important; }}
[data-testid="stMain"] code {{ font-size: 1em !important; }}
[data-testid="stMainBlockContainer"] {{
  padding: 1rem 2rem !important; max-width: 100% !important;
}}
</style>"""


def _switch() -> None:
    if st.session_state.get("_ptx_meeting"):
        st.query_params["mode"] = MEETING
    else:
        st.query_params.pop("mode", None)
        st.query_params.pop("slide", None)


def _leave() -> None:
    st.session_state["_ptx_meeting"] = False
    _switch()


def toggle() -> None:
    """The sidebar's switch into meeting mode."""
    st.sidebar.toggle(
        "Meeting mode",
        value=meeting_mode(),
        key="_ptx_meeting",
        on_change=_switch,
        help="Large text and no sidebar, for a shared screen; the address keeps the view. "
        "Leave with the button at the top of the page (or Esc).",
    )


def _slide_index(settings: ptx.Meeting) -> int:
    try:
        index = int(st.query_params.get("slide", "0"))
    except ValueError:
        return 0
    return index % len(settings.slides)


def _step(settings: ptx.Meeting, by: int) -> None:
    """Ask for the slide ``by`` places on, in meeting mode (the frame goes there on its next
    run, as it goes to a signal's view)."""
    index = (_slide_index(settings) + by) % len(settings.slides)
    slide = settings.slides[index]
    params = slide.query | {"mode": MEETING, "slide": str(index)}
    st.session_state["_ptx_slide_shown"] = time.monotonic()
    page = PAGE_FILES.get(slide.page or "overview")
    if page is None:  # said in the frame while the slide shows (see frame)
        page = PAGE_FILES["overview"]
    st.session_state["_ptx_goto"] = (page, params)


def frame(settings: ptx.Meeting) -> None:
    """Meeting mode's look and controls, drawn before the page: the way out, and the
    slideshow's controls and timer when slides are configured."""
    st.html(CSS)
    with st.container(horizontal=True, horizontal_alignment="right", gap="small"):
        if settings.slides:
            index = _slide_index(settings)
            st.caption(f"View {index + 1} of {len(settings.slides)}")
            unknown = settings.slides[index].page
            if unknown and unknown not in PAGE_FILES:
                st.caption(
                    f":orange[Slide {index + 1} names no page of the dashboard "
                    f"({unknown!r}, in ptx.toml): the Overview is shown.]"
                )
            for label, icon, key, by in (
                ("Previous", ":material/arrow_back:", "Left", -1),
                ("Next", ":material/arrow_forward:", "Right", 1),
            ):
                st.button(label, icon=icon, shortcut=key, on_click=_step, args=(settings, by))
            playing = st.toggle("Play", value=True, key="_ptx_slideshow")
            if playing:
                _timer(settings)
        st.button("Leave meeting mode", icon=":material/close:", shortcut="Esc", on_click=_leave)
    _refresh(settings)


def _timer(settings: ptx.Meeting) -> None:
    @st.fragment(run_every=settings.slide_seconds)
    def advance() -> None:
        shown = st.session_state.setdefault("_ptx_slide_shown", time.monotonic())
        if time.monotonic() - shown >= settings.slide_seconds - 0.5:
            _step(settings, 1)
            st.rerun(scope="app")

    advance()


def _refresh(settings: ptx.Meeting) -> None:
    """Read the data again every ``refresh_minutes``: a screen left on all day stays current."""

    @st.fragment(run_every=settings.refresh_minutes * 60)
    def refresh() -> None:
        read = st.session_state.setdefault("_ptx_meeting_read", time.monotonic())
        if time.monotonic() - read >= settings.refresh_minutes * 60 - 0.5:
            st.session_state["_ptx_meeting_read"] = time.monotonic()
            clear_answers()
            st.rerun(scope="app")

    refresh()
