"""Overview: the state of the organisation (or the chosen department) on one screen: each
measure with its change, recent months and Making Data Count icons, then what changed."""

from datetime import date

import streamlit as st

import ptx
from pages._shared import (
    board_pack_button,
    chart,
    compute,
    icon_row,
    md,
    meeting_mode,
    signal_button,
    stale_notice,
    theme_button,
    view,
)

TILES_PER_ROW = 4 if meeting_mode() else 6  # larger text across a room: fewer to a row
SIGNALS_LISTED = 8  # the rest are in the table below the list
VERDICT_ICONS = {
    "concern": ":material/warning:",
    "improvement": ":material/trending_up:",
    "neutral": ":material/swap_vert:",
}

v = view()
stale_notice()
head = compute(ptx.headline, v, v.filters, rule=v.disclosure)
st.title("Overview")
st.caption(
    f"{md(v.scope)} · {head.start:%d %b %Y} to {head.end:%d %b %Y} · compared with the "
    f"{(head.end - head.start).days + 1} days before · data as of {head.as_of:%d %b %Y}"
)
if not meeting_mode():  # a shared screen has no use for downloads
    board_pack_button(v)
since = st.session_state.get("since")
since = since if isinstance(since, date) else None
# The page is laid out top to bottom (tiles, what changed, charts) but drawn charts first: they
# need only the headline, which is ready, while the tiles' icons and the signals are SPC charts
# still to compute (on a fresh server, seconds of them). The browser starts drawing the charts
# at once, and the areas above fill in as they are computed.
tiles_area, changes_area, charts_area = st.container(), st.container(), st.container()

figures = head.figures()
charts = head.charts()
with charts_area:
    for container, name in zip(st.columns(len(charts) or 1), charts, strict=False):
        with container:
            if name in figures:
                chart(figures[name], key=f"overview_{name}")
            else:
                st.info(md(head.empty_note(name)))


def draw_tiles() -> None:
    """Each measure's tile: its value, change, recent months and Making Data Count icons."""
    # The tiles' icons need the view's own charts only; every department's follow for the list.
    tile_trends = compute(
        ptx.what_changed, v, v.filters, since=since, rule=v.disclosure, departments=False
    ).trends

    # Feedback tiles, then complaint tiles, in columns of one width so that the rows line up; six
    # to a row keeps the tiles to two rows and every value readable on a 1366-pixel laptop screen,
    # so that what changed is on the first screen too. A tile's change
    # takes the colour of its variation icon (blue improvement, orange concern, grey no signal),
    # never the colour of its sign.
    # A tile's label wraps rather than end in "…": the whole name of the measure is read.
    st.html(
        "<style>[data-testid='stMetricLabel'] * { white-space: normal !important; "
        "overflow: visible !important; text-overflow: clip !important; }</style>"
    )
    for row in head.tile_rows(TILES_PER_ROW):
        for column, tile in zip(st.columns(TILES_PER_ROW), row, strict=False):
            trend = tile_trends.get(tile.key)
            with column.container(border=True):
                notes = [tile.note]
                if trend is not None:
                    notes += [i.label + "." for i in (trend.variation, trend.assurance) if i]
                    if trend.target is not None:
                        notes.append(
                            f"Target: {ptx.format_value(trend.target, head.unit(tile.key))}."
                        )
                st.metric(
                    md(tile.label),
                    tile.value,
                    delta=tile.change,
                    delta_color=trend.colour if trend else "off",
                    delta_arrow=tile.arrow,
                    help=md(" ".join(notes)),
                    chart_data=list(trend.recent) if trend and len(trend.recent) > 1 else None,
                    chart_type="line",
                )
                if trend is not None:
                    icon_row(trend.variation, trend.assurance)
    if head.notes:  # what the source has no data for: those tiles are left out
        st.info("  \n".join(md(note) for note in head.notes))


def draw_changes() -> None:
    """What changed: the ranked signals and the rising comment themes, each a button to its
    view."""
    heading, since_box = st.columns([3, 1], vertical_alignment="bottom")
    heading.subheader("What changed")
    since_box.date_input(
        "Since (the last meeting)",
        value=None,
        key="since",
        bind="query-params",
        format="YYYY-MM-DD",
        help="Signals whose latest month is this month or later; empty: the last three months.",
    )
    changes = compute(ptx.what_changed, v, v.filters, since=since, rule=v.disclosure, scope=v.scope)
    st.caption(f"{md(changes.summary())} {md(changes.method)}")
    for signal in changes.signals[:SIGNALS_LISTED]:
        signal_button(signal, VERDICT_ICONS[signal.run.verdict])
    themes = compute(ptx.theme_trends, v, v.filters, rule=v.disclosure)
    for theme in themes.rising[:SIGNALS_LISTED]:  # comments: themes above their usual share
        theme_button(theme)
    if len(changes.signals) > SIGNALS_LISTED:
        # Drawn only once opened (a click reruns the page): a table shown folded would make
        # every visit load the browser's table code before the charts are drawn.
        every = st.expander(
            f"All {len(changes.signals)} signals", key="all_signals", on_change="rerun"
        )
        if every.open:
            every.dataframe(changes.table(), hide_index=True, key="signals_table")


with tiles_area:
    draw_tiles()
with changes_area:
    draw_changes()
