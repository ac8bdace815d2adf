"""Overview: the state of the organisation (or the chosen department) on one screen."""

import streamlit as st

import ptx
from pages._shared import compute, view

v = view()
head = compute(ptx.headline, v, v.filters, rule=v.disclosure)
st.title("Overview")
st.caption(
    f"{v.scope} · {head.start:%d %b %Y} to {head.end:%d %b %Y} · compared with the "
    f"{(head.end - head.start).days + 1} days before · data as of {head.as_of:%d %b %Y}"
)

tiles = head.tiles()
per_row = 5
for first in range(0, len(tiles), per_row):
    for container, tile in zip(st.columns(per_row), tiles[first : first + per_row], strict=False):
        container.metric(
            tile.label,
            tile.value,
            delta=tile.change,
            delta_color={"higher": "normal", "lower": "inverse"}.get(tile.better, "off"),
            help=tile.note,
            border=True,
        )

figures = head.figures()
for container, name in zip(st.columns(2), ("fft", "complaints"), strict=True):
    with container:
        if name in figures:
            st.plotly_chart(figures[name], key=f"overview_{name}", theme=None)
        else:
            st.info(head.empty_note(name))
