"""What every page shares: the frame (navigation and the sidebar filters), the cached calls
into the ptx facade, and a table with its download.

The sidebar widgets are bound to the URL (``bind="query-params"``), so a copied link restores
the view and the choice holds across pages. The facade's results are cached, keyed by the
source and the small values of the call (filters, measure, period...).

With sign-in configured (an ``[auth]`` section in ``.streamlit/secrets.toml``), the frame asks
the viewer to sign in and gives them the access the roles file grants (``ptx.load_roles``).
The access travels inside the filters, so every query is restricted to it; the sidebar offers
only the departments it allows, the Data page only to a role that may see it, and the
suppression switch only to a role allowed to turn it off. See docs/ACCESS.md.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import streamlit as st

import ptx

CACHE_TTL_SECONDS = 600
CACHE_MAX_ENTRIES = 2_000  # answers kept per facade function (each a few small frames)
ALL = "All"

PAGES = (
    ("pages/overview.py", "Overview", ":material/dashboard:"),
    ("pages/feedback.py", "Feedback", ":material/reviews:"),
    ("pages/complaints.py", "Complaints", ":material/report:"),
    ("pages/departments.py", "Departments", ":material/leaderboard:"),
    ("pages/comments.py", "Comments", ":material/forum:"),
    ("pages/benchmarks.py", "Benchmarks", ":material/public:"),
    ("pages/data.py", "Data", ":material/database:"),
)

PAGE_FILES = {Path(path).stem: path for path, _, _ in PAGES}  # "feedback" -> "pages/feedback.py"


@dataclass(frozen=True)
class View:
    """The state every page renders from."""

    source: ptx.Source
    source_key: tuple[str, str]
    as_of: date
    filters: ptx.Filters
    scope: str  # the filters in words, for titles and captions
    disclosure: ptx.Disclosure  # small-number suppression, on unless switched off
    access: ptx.Access  # what the viewer may see (also in filters.access)


DATA_PAGE = "pages/data.py"
ACCESS_DOC = "docs/ACCESS.md"


def _sign_in_configured() -> bool:
    """Whether Streamlit's OIDC sign-in is set up: an [auth] section in the secrets."""
    return st.secrets.load_if_toml_exists() and "auth" in st.secrets


def _providers() -> list[str | None]:
    """The identity providers to offer: the unnamed one, or each [auth.<name>] section."""
    auth = st.secrets["auth"]
    if "client_id" in auth:
        return [None]
    return [name for name, value in auth.items() if hasattr(value, "keys")] or [None]


def _access() -> ptx.Access | None:
    """What this viewer may see; None while they have still to sign in.

    Raises ptx.PtxError when the roles file is missing or wrong."""
    if not _sign_in_configured():
        local = ptx.viewer_is_local(st.context.ip_address, st.context.headers)
        return ptx.without_sign_in(local)
    if not st.user.get("is_logged_in", False):
        return None
    return ptx.load_roles().access_for(st.user.to_dict())


def _sign_in() -> None:
    st.title("ptx · patient experience")
    st.write("Sign in to see the patient-experience dashboard.")
    for provider in _providers():
        label = "Sign in" if provider is None else f"Sign in with {provider}"
        if st.button(label, type="primary", key=f"sign_in_{provider or 'default'}"):
            st.login(provider)


def _sign_out_button(where=st) -> None:
    if where.button("Sign out", key="sign_out"):
        st.logout()


def _alone(body, title: str) -> st.Page:
    """A frame of one page (signing in, or why there is nothing to see): no filters, no data."""
    return st.navigation([st.Page(body, title=title, default=True)], position="hidden")


def _access_note(access: ptx.Access) -> str:
    """Who sees what, in words, for the Data page."""
    if access.unsigned:
        switch = (
            "You are on the dashboard's own machine, so you may switch small-number "
            "suppression off; anyone who reaches it over the network cannot."
            if access.may_switch_suppression
            else "Small-number suppression is always on for you: you reach this dashboard "
            "over the network."
        )
        return (
            "**Sign-in is not configured.** Whoever opens this dashboard sees every department "
            f"and this page. {switch} Configure sign-in and a roles file before sharing it "
            f"({ACCESS_DOC})."
        )
    return f"Signed in as {access.user or 'a user'}: {access.describe()}."


def _config_key() -> tuple[str, str]:
    config = ptx.load_config()
    return config.location, str(config.path or "")


@st.cache_resource(show_spinner="Opening the data source…")
def _open_source(location: str, config_path: str) -> ptx.Source:
    config = ptx.load_config(config_path or None, location=location)
    return ptx.open_source(config)


# What a slow call is doing, shown in a spinner while the database is asked (a cache hit shows
# none, and Streamlit shows one only after half a second).
DOING = {
    "headline": "Counting this period and the one before",
    "trend": "Computing the trend and its limits",
    "trend_measures": "Listing the measures",
    "breakdown": "Counting feedback by group",
    "complaint_timing": "Timing complaints in working days",
    "complaint_backlog": "Counting the open backlog",
    "complaint_mix": "Counting outcomes and subjects",
    "oldest_open": "Finding the oldest open complaints",
    "compare_departments": "Comparing departments",
    "department_heatmap": "Comparing every department on every measure",
    "validation_report": "Checking every row of the source",
    "quarantined_rows": "Listing the quarantined rows",
    "data_range": "Reading the first and last dates in the source",
    "as_of": "Reading the as-of date",
    "hierarchy": "Reading the departments",
    "channels": "Reading the feedback channels",
    "benchmark_choices": "Reading the published results",
    "published_results": "Reading your published results",
    "benchmark": "Placing your unit among its peers",
    "what_changed": "Reading each measure's signals in every department",
    "comments": "Reading the comments",
    "theme_trends": "Counting comments by theme",
    "theme_labels": "Reading the themes",
}


def _ask(function: str, source_key: tuple[str, str], *args, **kwargs):
    """(when it was loaded, the answer) of one facade call, from the database."""
    try:
        answer = getattr(ptx, function)(_open_source(*source_key), *args, **kwargs)
        return datetime.now().astimezone(), answer
    except Exception as exc:
        # A database that cannot be reached is a passing fault with a message of ptx's own;
        # the driver's text (the statement, its parameters, the server) stays off the screen.
        fault = ptx.SourceUnavailable.from_error(exc)
        if fault is None:
            raise
        raise fault from exc


def _cache_for(doing: str):
    # One shared copy of each answer for every session (results are frozen and pages only
    # read them): a hit costs no copy. The spinner says what a miss is doing.
    @st.cache_resource(
        ttl=CACHE_TTL_SECONDS,
        max_entries=CACHE_MAX_ENTRIES,
        show_spinner=doing + "…",
        show_time=True,
    )
    def cached(function: str, source_key: tuple[str, str], *args, **kwargs):
        return _ask(function, source_key, *args, **kwargs)

    return cached


_CACHED = {function: _cache_for(doing) for function, doing in DOING.items()}


def _cached(function: str, source_key: tuple[str, str], *args, **kwargs):
    """(when it was loaded, the answer) of a facade call, through its cache."""
    return _CACHED[function](function, source_key, *args, **kwargs)


def clear_answers() -> None:
    """Forget every cached answer (what the cache's time to live does after ten minutes)."""
    for cached in _CACHED.values():
        cached.clear()


# The last good answer of each call, for when the database cannot be reached: the page keeps
# showing it, marked stale, until a later run gets a fresh one. One store for the server (the
# figures do not depend on who asks, so a session opened during a fault sees them too),
# bounded: the oldest answer is dropped first.
LAST_GOOD_LIMIT = 256


@st.cache_resource
def _last_good() -> dict:
    return {}


def _call_key(function: str, source_key, args, kwargs) -> object:
    key = (function, source_key, args, tuple(sorted(kwargs.items())))
    try:
        hash(key)
    except TypeError:
        return repr(key)
    return key


def _remember(key: object, loaded: datetime, value) -> None:
    store = _last_good()
    store.pop(key, None)  # re-inserted last: the newest
    store[key] = (loaded, value)
    while len(store) > LAST_GOOD_LIMIT:
        store.pop(next(iter(store)), None)


def _clock(moment: datetime) -> str:
    """A time of day, with the day when it was not today."""
    now = datetime.now().astimezone()
    return f"{moment:%H:%M}" if moment.date() == now.date() else f"{moment:%H:%M on %d %b %Y}"


def _draw_stale(area, fault: ptx.SourceUnavailable, loaded: datetime) -> None:
    what = str(fault)
    area.warning(
        f"**Stale figures.** At {_clock(fault.at)}, {md(what[:1].lower() + what[1:])} The "
        f"figures shown are the last ones loaded, at {_clock(loaded)}; they refresh by "
        "themselves once the database answers again.",
        icon=":material/cloud_off:",
    )


def stale_notice() -> None:
    """The place, at the top of a page, where it says that its figures are stale (the last
    good ones, while the database cannot be reached). Every page calls it right after
    :func:`view`: the frame's calls, made before the page, are said here at once, and the
    page's own calls say it here when they fall back, once per run."""
    area = st.container()
    pending = st.session_state.pop("_ptx_stale_pending", None)
    if pending is not None:
        _draw_stale(area, *pending)
    st.session_state["_ptx_notice"] = {"area": area, "drawn": pending is not None}


def _say_stale(view, fault: ptx.SourceUnavailable, loaded: datetime) -> None:
    if not isinstance(view, View):
        # A call of the frame, before the page has drawn its notice area: said there.
        pending = st.session_state.get("_ptx_stale_pending")
        if pending is None or loaded < pending[1]:
            st.session_state["_ptx_stale_pending"] = (fault, loaded)
        return
    notice = st.session_state.get("_ptx_notice")
    if notice is None:
        _draw_stale(st, fault, loaded)
    elif not notice["drawn"]:
        _draw_stale(notice["area"], fault, loaded)
        notice["drawn"] = True


def compute(func, view: View | tuple[str, str], *args, **kwargs):
    """Call a facade function ``func(source, *args)`` through the cache, saying what it does
    while it is slow. With a view, a call that takes an as-of date gets the view's (the frame
    has read it once), so it asks the source nothing more.

    When the database cannot be reached, the last good answer to the same call is returned
    and the page says (in its :func:`stale_notice`) that the figures are stale, when they were
    loaded and what happened; with none, the page shows the fault in words and stops. The next
    run asks the database again.
    """
    key = view.source_key if isinstance(view, View) else view
    if isinstance(view, View) and "as_of" in inspect.signature(func).parameters:
        kwargs.setdefault("as_of", view.as_of)
    call = _call_key(func.__name__, key, args, kwargs)
    try:
        loaded, value = _cached(func.__name__, key, *args, **kwargs)
    except ptx.SourceUnavailable as fault:
        last = _last_good().get(call)
        if last is None:
            show_error(fault)
        loaded, value = last
        _say_stale(view, fault, loaded)
        return value
    _remember(call, loaded, value)
    return value


def _not_found(param: str, offered, what: str, access: ptx.Access) -> list[str]:
    """What a link names that is not offered (a site, division or department mistyped, gone,
    or not one the viewer may see), in words; said instead of quietly showing everything. To a
    viewer with restricted access the name is not repeated: the page holds nothing of it."""
    asked = st.query_params.get(param)
    if asked and asked != ALL and asked not in set(offered):
        named = f"a {what}" if access.restricted else f"the {what} “{md(asked)}”"
        return [
            f"The link names {named}, which is not among those offered here: showing every "
            f"{what} instead."
        ]
    return []


def _say_not_found(found: list[str], chosen: tuple) -> None:
    """Say what the link named that is not there, on this run and on the next ones until the
    viewer chooses something else (Streamlit drops the unknown value from the URL at once)."""
    if found:
        st.session_state["_ptx_not_found"] = (found, chosen)
    kept = st.session_state.get("_ptx_not_found")
    if kept is None:
        return
    if kept[1] != chosen:
        st.session_state.pop("_ptx_not_found", None)
        return
    for sentence in kept[0]:
        st.sidebar.warning(sentence, icon=":material/link_off:")


def _choice(value: str | None) -> tuple[str, ...]:
    return () if value in (None, ALL) else (value,)


# Pages that use none of the sidebar filters (their figures are the same whatever is chosen).
UNFILTERED_PAGES = ("data", "benchmarks")


def sidebar(access: ptx.Access, *, filters: bool = True) -> View:
    """Draw the shared filters, offering only what ``access`` allows, and return the view
    they describe (its filters carry the access).

    For a page that uses none of them (``filters=False``) they are folded away in a closed
    expander that says so: still drawn, so the choice and the link keep them for the next
    page, but not offered as if they changed this one."""
    key = _config_key()
    source = _open_source(*key)
    as_of = compute(ptx.as_of, key)  # the extract's date: the same for every viewer
    first, _ = compute(ptx.data_range, key, access=access)
    tree = compute(ptx.hierarchy, key, access=access)
    start_default, end_default = ptx.default_window(as_of)
    start_default = max(start_default, first or start_default)

    bar = st.sidebar
    if filters:
        bar.header("Filters")
    else:
        bar = st.sidebar.expander("Filters (not used on this page)", expanded=False)
        bar.caption("This page does not depend on them; they are kept for the other pages.")
    dates = bar.date_input(
        "Dates",
        value=(start_default, end_default),
        # No min/max: a bookmarked range that starts before the data must still load.
        key="dates",
        bind="query-params",
        format="YYYY-MM-DD",
    )
    start, end = (tuple(dates) + (None, None))[:2] if dates else (None, None)
    if start is not None and end is None:  # the second date is still being picked
        end = as_of

    not_found = _not_found("site", tree.sites(), "site", access)
    site = bar.selectbox("Site", [ALL, *tree.sites()], key="site", bind="query-params")
    site_choice = None if site == ALL else site
    not_found += _not_found("division", tree.divisions(site_choice), "division", access)
    division = bar.selectbox(
        "Division", [ALL, *tree.divisions(site_choice)], key="division", bind="query-params"
    )
    labels = tree.labels(site_choice, None if division == ALL else division)
    not_found += _not_found("dept", [*labels, *labels.values()], "department", access)

    def follow_department() -> None:
        # Choosing a department also sets its site and division, so the URL names all three.
        chosen = tree.get(st.session_state.get("dept") or "")
        if chosen is not None:
            st.session_state["site"] = chosen.site
            st.session_state["division"] = chosen.division

    department = bar.selectbox(
        "Department",
        [ALL, *labels],
        format_func=lambda d: labels.get(d, d),
        key="dept",
        bind="query-params",
        on_change=follow_department,
    )
    chosen_channels = bar.multiselect(
        "Feedback channel",
        compute(ptx.channels, key, access=access),
        key="channel",
        bind="query-params",
        placeholder="All channels",
    )
    _say_not_found(not_found, (site, division, department))
    filters = ptx.Filters(
        start=start,
        end=end,
        sites=_choice(site),
        divisions=_choice(division),
        departments=_choice(department),
        channels=tuple(chosen_channels),
        access=access,
    )
    chosen = tree.get(department)
    parts = (
        [chosen.site, chosen.division, chosen.label]
        if chosen
        else [p for p in (site, division) if p != ALL]
    )
    whole = "All your departments" if access.restricted else "Whole organisation"
    scope = " › ".join(parts) if parts else whole
    if chosen_channels:
        scope += " · " + ", ".join(chosen_channels)
    rule = ptx.Disclosure()
    if access.may_switch_suppression:
        suppress = bar.toggle(
            "Suppress small numbers",
            value=True,
            key="suppress",
            bind="query-params",
            help=rule.describe(),
        )
    else:  # shown, fixed on; a suppress=false in the URL changes nothing
        suppress = bar.toggle(
            "Suppress small numbers", value=True, disabled=True, help=rule.describe()
        )
        bar.caption(
            "Suppression is always on: sign-in is not configured and you reach this dashboard "
            f"over the network ({ACCESS_DOC})."
            if access.unsigned
            else f"Suppression is always on for the {access.role} role."
        )
    st.sidebar.caption(f"Source: {md(source.label)}  \nData as of {as_of:%d %b %Y}")
    if access.user:
        st.sidebar.caption(f"Signed in as {md(access.user)} · {md(access.describe())}")
        _sign_out_button(st.sidebar)
    elif access.may_switch_suppression and filters:
        bar.caption(
            "Sign-in is not configured: suppression can be switched off because you are on "
            f"the dashboard's own machine ({ACCESS_DOC})."
        )
    return View(
        source=source,
        source_key=key,
        as_of=as_of,
        filters=filters,
        scope=scope,
        disclosure=ptx.Disclosure(enabled=suppress),
        access=access,
    )


def show_error(exc: ptx.PtxError) -> None:
    """A ptx error in its own words (which may quote values from the source: shown as text),
    then stop the page."""
    st.session_state.pop("_ptx_stale_pending", None)  # the error says what happened
    st.error(ptx.escape_markdown(exc), icon="⚠️")
    st.stop()


def frame() -> st.Page:
    """The frame of every run: sign-in, navigation and the shared filters. Returns the page
    to run: a page of the dashboard, or, before sign-in or without access, a page of its own
    that reads no data."""
    try:
        access = _access()
    except ptx.PtxError as exc:
        problem = str(exc)

        def access_problem() -> None:
            st.title("No access")
            st.error(problem, icon="⚠️")
            _sign_out_button()

        return _alone(access_problem, "No access")
    if access is None:
        return _alone(_sign_in, "Sign in")
    if access.sees_nothing:
        user = access.user or "a user"

        def no_access() -> None:
            st.title("No access")
            st.warning(
                f"You are signed in as {user}, but the roles file gives you no role, so the "
                "dashboard shows you nothing. Ask whoever keeps the roles file to add your "
                f"email or one of your groups ({ACCESS_DOC}).",
                icon="🔒",
            )
            _sign_out_button()

        return _alone(no_access, "No access")
    print_styles()
    allowed = [p for p in PAGES if access.may_see_data_page or p[0] != DATA_PAGE]
    page = st.navigation(
        [
            st.Page(path, title=title, icon=icon, default=i == 0)
            for i, (path, title, icon) in enumerate(allowed)
        ]
    )
    try:
        st.session_state["_ptx_view"] = sidebar(
            access, filters=page.url_path not in UNFILTERED_PAGES
        )
    except ptx.PtxError as exc:
        show_error(exc)
    if page.url_path == "data":  # the Data page says who sees what
        st.info(_access_note(access), icon=":material/lock:")
    st.session_state["_ptx_frame_ran"] = True
    return page


def view() -> View:
    """The view the frame drew for this run.

    With a folder named ``pages/`` beside the entry file, a fresh Streamlit server runs its
    first script run in the legacy multipage mode, which runs the page a URL names without the
    entry file. Such a run draws the frame here, whose ``st.navigation`` ends that mode for the
    server, and starts again, so the entry file runs first from then on.
    """
    if not st.session_state.pop("_ptx_frame_ran", False):
        frame()
        st.session_state.pop("_ptx_frame_ran", None)
        st.rerun()
    return st.session_state["_ptx_view"]


EXCEL_SUFFIX = ".xlsx"


def download(frame, *, key: str, file_name: str, label: str = "Download (CSV)") -> None:
    """Download buttons for a table as CSV and as Excel, safe to open in a spreadsheet (text
    that would be read as a formula is prefixed with ``'``). ``frame`` is the table, or a
    function that makes it: then the file is made only when a button is clicked. The Excel
    button's label and file name are the CSV's, with Excel and .xlsx for CSV and .csv."""

    def table():
        return frame() if callable(frame) else frame

    def csv() -> bytes:
        return ptx.csv_bytes(table())

    def excel() -> bytes:
        return ptx.excel_bytes({_sheet_name(file_name): table()})

    buttons = st.container(horizontal=True, gap="small")
    buttons.download_button(
        label,
        csv,
        file_name=file_name,
        mime="text/csv",
        key=f"download_{key}",
        on_click="ignore",
    )
    buttons.download_button(
        label.replace("CSV", "Excel") if "CSV" in label else f"{label} (Excel)",
        excel,
        file_name=file_name.removesuffix(".csv") + EXCEL_SUFFIX,
        mime=ptx.EXCEL_MIME,
        key=f"excel_{key}",
        on_click="ignore",
    )


def _sheet_name(file_name: str) -> str:
    """A workbook's one sheet, named by its file ("ptx-ranking-nps.csv" -> "ranking-nps")."""
    return file_name.removesuffix(".csv").removeprefix("ptx-") or "Table"


def chart(figure, *, key: str, where=st, **selection) -> None:
    """A figure on the page (in ``where``, a column or container), drawn with ptx's own palette
    rather than Streamlit's theme, restyled (``ptx.presentation``) for a dark theme and for
    meeting mode; ``selection`` passes ``on_select`` and ``selection_mode``. Below it, PNG and
    SVG downloads drawn on the server (by Chromium, only when clicked), of the figure as shown:
    a value the small-number rule hides is not in it."""
    dark, meeting = st.context.theme.type == "dark", meeting_mode()
    if dark or meeting:
        figure = ptx.presentation(figure, dark=dark, meeting=meeting)
    where.plotly_chart(figure, key=key, theme=None, **selection)
    if meeting:  # a shared screen has no use for downloads
        return
    buttons = where.container(horizontal=True, gap="small")
    for fmt, mime in ptx.IMAGE_FORMATS.items():
        buttons.download_button(
            fmt.upper(),
            lambda fmt=fmt: ptx.figure_image(figure, fmt),
            file_name=f"ptx-{key}.{fmt}",
            mime=mime,
            key=f"{fmt}_{key}",
            on_click="ignore",
            type="tertiary",
            icon=":material/image:",
            help=f"The chart as a {fmt.upper()} image",
        )


def table(result, *, key: str, file_name: str, label: str = "Download (CSV)") -> None:
    """A result's table, and its export (suppression applied, counts rounded) as CSV and Excel.
    Every row is also in a static table that only print shows (the interactive table prints
    only the rows in view)."""
    shown = result.table()
    st.dataframe(shown, hide_index=True, key=key)
    st.html(f'<div class="ptx-print-only">{ptx.table_html(shown)}</div>')
    download(lambda: result.table(export=True), key=key, file_name=file_name, label=label)


def board_pack_button(view: View) -> None:
    """Download buttons for the board pack of the view's filters (ptx.board_pack): one HTML
    file that opens offline, and the same as PDF. Made only when clicked (a few seconds; the
    PDF takes longer: Chromium prints it)."""
    buttons = st.container(horizontal=True, gap="small")
    for fmt, mime in (("html", "text/html"), ("pdf", "application/pdf")):
        buttons.download_button(
            f"Board pack ({fmt.upper()})",
            lambda fmt=fmt: ptx.board_pack(
                view.source, view.filters, rule=view.disclosure, fmt=fmt, as_of=view.as_of
            ),
            file_name=f"ptx-board-pack-{view.as_of:%Y-%m-%d}.{fmt}",
            mime=mime,
            key=f"board_pack_{fmt}",
            on_click="ignore",
            icon=":material/picture_as_pdf:" if fmt == "pdf" else ":material/description:",
            help="Every page's key charts and full tables for these filters, with the methods",
        )


# What printing a page leaves out (the sidebar, Streamlit's header and toolbars, buttons) and
# what it shows instead of the interactive tables: their static copies, every row.
PRINT_CSS = """
.ptx-print-only { display: none; }
[data-testid="stElementContainer"]:has(.ptx-print-only),
[data-testid="stElementContainer"]:has(.ptx-print-fit) { display: none; }
@media print {
  @page { size: A4 landscape; margin: 10mm; }
  [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
  [data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"],
  [data-testid="stStatusWidget"], [data-testid="stBottom"], [data-testid="stDownloadButton"],
  [data-testid="stElementToolbar"], [data-testid="stDataFrame"],
  [data-testid="stElementContainer"]:has([data-testid="stDataFrame"]),
  .modebar-container { display: none !important; }
  [data-testid="stElementContainer"]:has(.ptx-print-only), .ptx-print-only {
    display: block !important; }
  [data-testid="stMain"], [data-testid="stAppViewContainer"] { margin: 0 !important;
    padding: 0 !important; overflow: visible !important; }
  [data-testid="stMainBlockContainer"] { padding: 0 !important; max-width: none !important; }
  .ptx-print-only table { border-collapse: collapse; width: 100%; font-size: 10pt; }
  .ptx-print-only th, .ptx-print-only td { border: 1px solid #999; padding: 2px 4px;
    text-align: left; }
  .ptx-print-only thead { display: table-header-group; }
  .ptx-print-only tr, [data-testid="stPlotlyChart"] { break-inside: avoid; }
}
"""


# A chart keeps the width it was drawn at on screen, wider than the paper on most screens:
# before printing, each chart wider than the printable width (A4 landscape less 10 mm margins,
# in CSS pixels) is zoomed to fit, and put back after. The page's own script: no data in it.
PRINT_FIT_JS = """
<span class="ptx-print-fit"></span><script>
if (!window.ptxPrintFit) {
  window.ptxPrintFit = true;
  const PAGE_WIDTH = 1047;
  const charts = () => document.querySelectorAll('[data-testid="stPlotlyChart"]');
  window.addEventListener("beforeprint", () => charts().forEach((chart) => {
    const svg = chart.querySelector(".main-svg");
    const width = svg ? svg.width.baseVal.value : 0;
    chart.style.zoom = width > PAGE_WIDTH ? String(PAGE_WIDTH / width) : "";
  }));
  window.addEventListener("afterprint", () => charts().forEach((c) => (c.style.zoom = "")));
}
</script>
"""


def print_styles() -> None:
    """The print style sheet and the charts' fit to the paper, once per run (the frame calls
    it): printing a page gives every row of its tables, whole charts, and no sidebar or
    toolbar."""
    st.html(f"<style>{PRINT_CSS}</style>")
    st.html(PRINT_FIT_JS, unsafe_allow_javascript=True)


MEETING = "meeting"  # ?mode=meeting: the dashboard for a shared screen (pages/_meeting.py)


def meeting_mode() -> bool:
    """Whether this run shows meeting mode (the address says ``mode=meeting``)."""
    return st.query_params.get("mode") == MEETING


def _open_signal(signal: ptx.Signal) -> None:
    """Set the sidebar's and the page's widgets to the view that shows a signal (before they
    are drawn: this runs as the button's callback), then go to its page."""
    state = st.session_state
    state["dates"] = (signal.start, signal.end)
    if signal.department_id is not None:
        tree = compute(ptx.hierarchy, _config_key(), access=state["_ptx_view"].access)
        chosen = tree.get(signal.department_id)
        state["site"], state["division"] = chosen.site, chosen.division
        state["dept"] = signal.department_id
    # The page's own widgets are not drawn in this run: their choices go in the address, as
    # the widgets name them (their labels).
    if signal.page == "complaints":
        params = {"section": "Trend", "complaint_measure": signal.measure.label}
    else:
        params = {"measure": signal.measure.label, "period": "Month", "run": "7 points"}
        if signal.chart == "p":
            params["chart"] = "p-chart"
        if signal.target is not None:
            params["target"] = f"{signal.target:g}"
    state["_ptx_goto"] = (PAGE_FILES[signal.page], params)


def signal_button(signal: ptx.Signal, icon: str) -> None:
    """A signal of ``ptx.what_changed`` in words, as a button that opens the view showing it:
    its measure's monthly trend over the signal's months, for its department."""
    st.button(
        md(signal.text),
        icon=icon,
        type="tertiary",
        on_click=_open_signal,
        args=(signal,),
        key=f"signal_{signal.measure.key}_{signal.department_id}",
    )


def _open_theme(signal: ptx.ThemeSignal) -> None:
    st.session_state["_ptx_goto"] = (signal.page, dict(signal.params))


def theme_button(signal: ptx.ThemeSignal) -> None:
    """A rising theme of ``ptx.theme_trends`` in words, as a button that opens the Comments
    page's trends on that theme (the sidebar's filters kept)."""
    st.button(
        md(signal.sentence),
        icon=":material/forum:",
        type="tertiary",
        on_click=_open_theme,
        args=(signal,),
        key=f"theme_{signal.theme}",
    )


def go_where_asked() -> None:
    """Go to the page a callback asked for (a signal's view), after the frame has drawn."""
    goto = st.session_state.pop("_ptx_goto", None)
    if goto:
        # Only the page's parameters: the sidebar's (bound to its widgets, which Streamlit
        # will not let switch_page clear or set) follow from the values the callback set.
        page, params = goto
        st.switch_page(page, query_params=params)


def icon_row(*found: ptx.Icon | None) -> None:
    """Making Data Count icons in a row, each a picture named for screen readers (its alt
    text) with its few words beside it."""
    shown = [icon for icon in found if icon is not None]
    if not shown:
        return
    with st.container(horizontal=True, vertical_alignment="center", gap="small"):
        for icon in shown:
            size = 64 if meeting_mode() else 40
            st.image(icon.svg(size), width=size, alt=icon.label)
            st.markdown(f":{icon.colour}[**{icon.short}**]", width="content")


def md(value: object) -> str:
    """A value from the data (a name, a label, a sentence that quotes one) as literal text in
    Markdown: for captions, alerts, metric labels and help, and tab or expander labels."""
    return ptx.escape_markdown(value)
