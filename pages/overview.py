"""Overview: the state of the organisation (or the chosen department) on one screen."""

import streamlit as st

import ptx
from pages._shared import chart, compute, md, stale_notice, view

v = view()
stale_notice()
head = compute(ptx.headline, v, v.filters, rule=v.disclosure)
st.title("Overview")
st.caption(
    f"{md(v.scope)} · {head.start:%d %b %Y} to {head.end:%d %b %Y} · compared with the "
    f"{(head.end - head.start).days + 1} days before · data as of {head.as_of:%d %b %Y}"
)

# Feedback tiles, then complaint tiles, in columns of one width so that the rows line up; five
# to a row keeps every label and value readable on a 1366-pixel laptop screen.
TILES_PER_ROW = 5
for row in head.tile_rows(TILES_PER_ROW):
    for container, tile in zip(st.columns(TILES_PER_ROW), row, strict=False):
        container.metric(
            md(tile.label),
            tile.value,
            delta=tile.change,
            delta_color={"higher": "normal", "lower": "inverse"}.get(tile.better, "off"),
            help=md(tile.note) if tile.note else None,
            border=True,
        )
if head.notes:  # what the source has no data for: those tiles are left out
    st.info("  \n".join(md(note) for note in head.notes))

figures = head.figures()
charts = head.charts()
for container, name in zip(st.columns(len(charts) or 1), charts, strict=False):
    with container:
        if name in figures:
            chart(figures[name], key=f"overview_{name}")
        else:
            st.info(md(head.empty_note(name)))
