"""Comments: what patients wrote, searched and filtered by theme, sentiment and rating, with
personal details masked; the themes over time and by department."""

import streamlit as st

import ptx
from pages._shared import chart, compute, download, md, stale_notice, table, view

v = view()
stale_notice()
st.title("Comments")
missing = ptx.unavailable(v.source, "feedback")
if missing:
    st.info(md(missing))
    st.stop()
st.caption(
    f"{md(v.scope)} · received {v.filters.start:%d %b %Y} to {v.filters.end:%d %b %Y} · "
    "themes and sentiment assigned once when the source is read; personal details masked"
)
labels = compute(ptx.theme_labels, v)


def flag(view_) -> None:
    """Flag the comment chosen, with its note (the button's callback)."""
    state = st.session_state
    ptx.flag_comment(
        view_.source, state["flag_id"], state.get("flag_note", ""), filters=view_.filters
    )
    state["_flagged"] = True


def unflag(view_) -> None:
    ptx.unflag_comment(view_.source, st.session_state["unflag_id"], filters=view_.filters)


SECTIONS = {
    "list": "Comments",
    "trends": "Theme trends",
    "heatmap": "Themes by department",
    "flagged": "Flagged for follow-up",
}
tabs = dict(
    zip(
        SECTIONS,
        st.tabs(
            list(SECTIONS.values()), key="comments_tab", on_change="rerun", bind="query-params"
        ),
        strict=True,
    )
)

if tabs["list"].open:
    with tabs["list"]:
        search_col, theme_col, sentiment_col, rating_col = st.columns([3, 3, 2, 2])
        search = search_col.text_input(
            "Search",
            key="q",
            placeholder='words or "a phrase"',
            bind="query-params",
            help="Comments that contain every word or quoted phrase, in upper or lower case.",
        )
        themes = theme_col.multiselect(
            "Themes", list(labels), format_func=labels.get, key="theme", bind="query-params"
        )
        sentiment = sentiment_col.multiselect(
            "Sentiment",
            list(ptx.SENTIMENT_LABELS),
            format_func=ptx.SENTIMENT_LABELS.get,
            key="sentiment",
            bind="query-params",
        )
        ratings = rating_col.multiselect(
            "FFT rating",
            list(ptx.FFT_ANSWERS),
            format_func=ptx.FFT_ANSWERS.get,
            key="rating",
            bind="query-params",
        )
        page_number = st.session_state.get("comments_page", 1)
        found = compute(
            ptx.comments,
            v,
            v.filters,
            search=search or None,
            themes=tuple(themes),
            sentiment=tuple(sentiment),
            ratings=tuple(ratings),
            page=max(0, int(page_number) - 1),
            rule=v.disclosure,
        )
        st.markdown(f"**{md(found.count_text)}**")
        if found.note:
            st.info(md(found.note))
        flagged = ptx.flags(v.source, v.filters).ids if len(found.rows) else frozenset()
        for card in found.cards(flagged):
            with st.container(border=True):
                st.caption(" · ".join(md(part) for part in card.details))
                st.markdown(
                    "".join(
                        f":orange-background[{md(piece)}]" if hit else md(piece)
                        for piece, hit in card.segments
                    )
                )
        if found.total > found.page_size and len(found.rows):
            st.number_input(
                f"Page (of {found.pages:,})",
                min_value=1,
                max_value=found.pages,
                value=min(int(page_number), found.pages),
                key="comments_page",
            )
        if len(found.rows):
            download(
                lambda: found.table(export=True),
                key="comments_page_csv",
                file_name="ptx-comments.csv",
                label="Download this page (CSV)",
            )
            with st.expander("Flag a comment on this page for follow-up"):
                shown = {card.feedback_id: card.short for card in found.cards()}
                st.selectbox("Comment", list(shown), format_func=shown.get, key="flag_id")
                st.text_input("Note", key="flag_note", max_chars=2_000)
                # A callback: it runs once, before the rerun the click starts.
                st.button("Flag", key="flag_button", on_click=flag, args=(v,))
                if st.session_state.pop("_flagged", False):
                    st.success("Flagged: it is listed under Flagged for follow-up.")
        st.caption(md(found.method))

if tabs["trends"].open or tabs["heatmap"].open:
    trends = compute(ptx.theme_trends, v, v.filters, rule=v.disclosure)

if tabs["trends"].open:
    with tabs["trends"]:
        if trends.months.empty:
            st.info("No comments in the range.")
        else:
            chart(trends.figure(), key="theme_share")
            chosen = st.selectbox(
                "Theme",
                list(labels),
                format_func=labels.get,
                key="trend_theme",
                bind="query-params",
            )
            chart(trends.sentiment_figure(chosen), key="theme_sentiment")
            if trends.signals:
                st.markdown("**Themes with a special cause**")
                for signal in trends.signals:
                    st.markdown(f"- {md(signal.sentence)}")
            st.caption(md(trends.method))
            table(trends, key="theme_trends_table", file_name="ptx-theme-trends.csv")

if tabs["heatmap"].open:
    with tabs["heatmap"]:
        if trends.departments.empty:
            st.info("No comments in the range.")
        else:
            chart(trends.heatmap_figure(), key="theme_heatmap")
            st.dataframe(trends.heatmap_table(), hide_index=True, key="theme_heatmap_table")
            download(
                lambda: trends.heatmap_table(export=True),
                key="theme_heatmap_table",
                file_name="ptx-themes-by-department.csv",
            )

if tabs["flagged"].open:
    with tabs["flagged"]:
        marked = ptx.flags(v.source, v.filters)
        if marked.withheld:
            st.info(md(marked.withheld))
        elif marked.rows.empty:
            st.info("No comment is flagged. Flag one from the Comments tab.")
        else:
            table(marked, key="flags_table", file_name="ptx-flagged-comments.csv")
            listed = marked.choices()
            st.selectbox("Flag", list(listed), format_func=listed.get, key="unflag_id")
            st.button("Remove the flag", key="unflag_button", on_click=unflag, args=(v,))
