"""Sign-in and roles: the roles file, the Access every statement is restricted to, and the
dashboard under AppTest's user mocking (``at.user``, with an ``[auth]`` section in
``at.secrets`` so the frame knows sign-in is configured)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

import ptx
from ptx.access import parse_roles
from tests.conftest import ROOT, open_location

TIMEOUT = 60
DASHBOARD = ROOT / "dashboard.py"
MEDICINE = {
    "RVH-MED-CARD",
    "RVH-MED-DERM",
    "RVH-MED-DIAB",
    "RVH-MED-ELD",
    "RVH-MED-GAST",
    "RVH-MED-ONC",
    "RVH-MED-RESP",
    "RVH-MED-STR",
}
LEAD_DEPARTMENTS = MEDICINE | {"RVH-UEC-ED"}
MEDICINE_NAMES = {
    "Cardiology",
    "Dermatology",
    "Diabetes Clinic",
    "Elderly Care",
    "Gastroenterology",
    "Oncology Day Unit",
    "Respiratory Ward",
    "Stroke Unit",
}
LEAD_NAMES = MEDICINE_NAMES | {"Emergency Department"}  # what the team lead is offered
LEAD = ptx.Access(
    every_department=False,
    divisions=("Medicine",),
    departments=("Emergency Department",),
    may_switch_suppression=False,
    may_see_data_page=False,
    role="team lead",
    user="lead@trust.example",
)
ROLES = """
group_claim = "groups"

[users."ana@trust.example"]
role = "analyst"

[groups."px-board"]
role = "executive"

[users."Lead@Trust.example"]
role = "team lead"
divisions = ["Medicine"]
departments = ["Emergency Department"]
"""
AUTH = {
    "auth": {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "a-test-secret-that-is-long-enough",
        "client_id": "ptx",
        "client_secret": "not-a-secret",
        "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
    }
}


@pytest.fixture(scope="module")
def source(demo_duckdb):
    s = open_location(demo_duckdb)
    yield s
    s.dispose()


# --- the roles file --------------------------------------------------------------------------


def test_roles_map_emails_and_groups_to_access():
    roles = parse_roles(ROLES)
    analyst = roles.access_for({"email": "ana@trust.example"})
    assert analyst.every_department and analyst.may_switch_suppression
    assert analyst.may_see_data_page and analyst.role == "analyst"
    board = roles.access_for({"email": "someone@trust.example", "groups": ["staff", "px-board"]})
    assert board.every_department and not board.may_switch_suppression
    assert not board.may_see_data_page and not board.may_see_row_level
    lead = roles.access_for({"email": "lead@TRUST.example"})  # emails match in any case
    assert lead.restricted and lead.divisions == ("Medicine",)
    assert lead.departments == ("Emergency Department",) and lead.may_see_row_level
    assert not lead.may_switch_suppression and not lead.may_see_data_page
    assert lead.describe() == "team lead · Medicine, Emergency Department"


def test_an_unmapped_or_unverified_user_sees_nothing_never_everything():
    roles = parse_roles(ROLES)
    for claims in (
        {"email": "stranger@example.org"},
        {"sub": "no-email"},
        {"email": "ana@trust.example", "email_verified": False},
        {"email": "x@example.org", "groups": "not-a-group"},
    ):
        access = roles.access_for(claims)
        assert access.sees_nothing and access.restricted, claims
        assert not (access.may_see_data_page or access.may_switch_suppression)


def test_grants_add_up():
    roles = parse_roles(
        ROLES + '\n[groups."stroke-leads"]\nrole = "team lead"\ndepartments = ["RVH-MED-STR"]\n'
        '\n[groups."ed-leads"]\nrole = "team lead"\nsites = ["Hillview Hospital"]\n'
    )
    both = roles.access_for({"email": "x@trust.example", "groups": ["stroke-leads", "ed-leads"]})
    assert both.departments == ("RVH-MED-STR",) and both.sites == ("Hillview Hospital",)
    wider = roles.access_for({"email": "lead@trust.example", "groups": ["px-board"]})
    assert wider.every_department and wider.role == "executive"


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ('[users."a@b"]\nrole = "teamlead"\n', "Did you mean 'team lead'?"),
        ('[users."a@b"]\nrole = "team lead"\n', "team lead of nothing: add divisions"),
        ('[users."a@b"]\nrole = "executive"\ndivisions = ["Medicine"]\n', "would narrow nothing"),
        ('[users."a@b"]\nrole = "analyst"\nwards = ["x"]\n', "unknown setting(s) ['wards']"),
        ('[users."a@b"]\ndivisions = ["x"]\n', 'has no role: add role = "analyst"'),
        ('[users."a@b"]\nrole = "team lead"\ndivisions = "Medicine"\nsites = [1]\n', "list of"),
        ("group_claim = 'groups'\n", "names nobody"),
        ("[users\n", "is not valid TOML"),
        ('admins = ["a@b"]\n', "unknown setting(s) ['admins']"),
    ],
)
def test_a_wrong_roles_file_says_what_to_fix(text, says):
    with pytest.raises(ptx.ConfigError, match=re.escape(says)):
        parse_roles(text, Path("roles.toml"))


def test_the_roles_file_is_found_by_env_or_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PTX_ROLES", raising=False)
    with pytest.raises(ptx.ConfigError, match="no roles file, so nobody may see anything"):
        ptx.load_roles()
    (tmp_path / "roles.toml").write_text(ROLES)
    assert ptx.load_roles().path == Path("roles.toml")
    other = tmp_path / "elsewhere.toml"
    monkeypatch.setenv("PTX_ROLES", str(other))
    with pytest.raises(ptx.ConfigError, match="does not exist"):
        ptx.load_roles()
    other.write_text(ROLES)
    assert ptx.load_roles().path == other


def test_the_example_roles_file_is_valid():
    roles = ptx.load_roles(ROOT / "examples" / "roles.toml")
    assert roles.users and roles.groups


@pytest.mark.parametrize(
    ("ip", "headers", "local"),
    [
        (None, {}, True),  # no browser connection: a script run in-process
        (None, {"Host": "localhost:8501"}, True),  # Streamlit gives None for a loopback peer
        ("127.0.0.1", {"Host": "x"}, True),
        ("::1", {"Host": "x"}, True),
        ("10.1.2.3", {"Host": "x"}, False),
        ("2001:db8::1", {"Host": "x"}, False),
        (None, {"Host": "x", "X-Forwarded-For": "10.1.2.3"}, False),  # a proxy on this machine
        (None, {"Host": "x", "Forwarded": "for=10.1.2.3"}, False),
        ("not an address", {"Host": "x"}, False),
    ],
)
def test_a_viewer_is_local_only_on_the_dashboards_own_machine(ip, headers, local):
    assert ptx.viewer_is_local(ip, headers) is local
    assert ptx.without_sign_in(local).may_switch_suppression is local


# --- the restriction in every statement ------------------------------------------------------


def _department_ids_shown(frame, names: dict[str, str]) -> set[str]:
    ids = {v: k for k, v in names.items()}
    return {ids.get(d, d) for d in frame["department"]}


def test_every_statement_of_every_call_is_restricted_to_the_access(source):
    """Each aggregate and row-level statement binds exactly the allowed departments."""
    as_of = ptx.as_of(source)
    ptx.hierarchy(source)  # the departments, read once per source to resolve names
    every_id = {d.department_id for d in ptx.hierarchy(source).departments}
    statements = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    sa.event.listen(source.engine, "before_cursor_execute", capture)
    try:
        f = ptx.Filters(access=LEAD)
        ptx.headline(source, f, as_of=as_of)
        ptx.trend(source, "fft_pct_positive", f, as_of=as_of)
        ptx.trend(source, "complaints_per_1000", f, as_of=as_of)
        ptx.trend(source, "fft_response_rate", f, as_of=as_of)
        ptx.breakdown(source, "fft_pct_positive", "age_band", f, as_of=as_of)
        ptx.complaint_timing(source, f, by="department_id", as_of=as_of)
        ptx.complaint_backlog(source, f, as_of=as_of)
        ptx.complaint_mix(source, f, as_of=as_of)
        ptx.oldest_open(source, f, as_of=as_of)
        ptx.compare_departments(source, "fft_pct_positive", f, as_of=as_of)
        ptx.department_heatmap(source, f, as_of=as_of)
        ptx.hierarchy(source, access=LEAD)
        ptx.channels(source, access=LEAD)
        ptx.data_range(source, access=LEAD)
    finally:
        sa.event.remove(source.engine, "before_cursor_execute", capture)
    checked = 0
    for statement, parameters in statements:
        if re.match(r"\s*SELECT \S+ AS anon_1\s+FROM", statement):
            continue  # whether a table holds any row at all (sources.py): no department's data
        bound = {p for p in parameters if isinstance(p, str)} & every_id
        assert bound == LEAD_DEPARTMENTS, statement[:200]
        checked += 1
    assert checked >= 25


def test_a_team_lead_sees_only_their_departments_in_every_result(source):
    f = ptx.Filters(access=LEAD)
    names = {d.department_id: d.name for d in ptx.hierarchy(source).departments}
    tree = ptx.hierarchy(source, access=LEAD)
    assert {d.department_id for d in tree.departments} == LEAD_DEPARTMENTS
    assert tree.sites() == ["Riverside Hospital"]
    comparison = ptx.compare_departments(source, "fft_pct_positive", f)
    assert _department_ids_shown(comparison.ranking, names) == LEAD_DEPARTMENTS
    assert set(comparison.funnel.table["group"]) <= LEAD_DEPARTMENTS
    exported = comparison.table(export=True)
    assert {names[d] for d in LEAD_DEPARTMENTS} >= set(exported["Department"])
    heat = ptx.department_heatmap(source, f)
    assert _department_ids_shown(heat.cells, names) <= LEAD_DEPARTMENTS
    oldest = ptx.oldest_open(source, f, rule=ptx.Disclosure(enabled=False))
    assert len(oldest.rows) and _department_ids_shown(oldest.rows, names) <= LEAD_DEPARTMENTS
    timing = ptx.complaint_timing(source, f, by="department_id")
    assert set(timing.summary["group"]) <= {names[d] for d in LEAD_DEPARTMENTS}


def test_a_team_leads_numbers_are_those_of_their_departments(source):
    """The access narrows like a filter would: the same numbers as choosing the departments."""
    chosen = ptx.Filters(departments=sorted(LEAD_DEPARTMENTS))
    mine = ptx.headline(source, ptx.Filters(access=LEAD)).kpis
    same = ptx.headline(source, chosen).kpis
    assert mine[["kpi", "value", "n"]].equals(same[["kpi", "value", "n"]])
    everyone = ptx.headline(source).kpis.set_index("kpi")
    assert mine.set_index("kpi").loc["responses", "value"] < everyone.loc["responses", "value"]
    within = ptx.Filters(divisions=["Medicine"], access=LEAD)
    assert (
        ptx.headline(source, within)
        .kpis["value"]
        .equals(ptx.headline(source, ptx.Filters(divisions=["Medicine"])).kpis["value"])
    )


ALL_IDS = sorted(
    [*MEDICINE, "RVH-UEC-ED", "RVH-UEC-AMU", "HVH-SUR-PAIN", "HVH-WAC-MAT", "HVH-SUR-ORTH"]
)


@settings(max_examples=15, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(allowed=st.sets(st.sampled_from(ALL_IDS), min_size=1, max_size=6))
def test_any_access_narrows_exactly_like_choosing_its_departments(source, allowed):
    """Invariant: under any team lead's access, the counts are those of their departments and
    every department a result names is one of them."""
    access = ptx.Access(False, departments=tuple(sorted(allowed)), role="team lead")
    mine = ptx.Filters(access=access)
    chosen = ptx.Filters(departments=sorted(allowed))
    assert ptx.headline(source, mine).kpis["n"].equals(ptx.headline(source, chosen).kpis["n"])
    names = {d.department_id: d.name for d in ptx.hierarchy(source).departments}
    ranking = ptx.compare_departments(source, "fft_pct_positive", mine).ranking
    if len(ranking):  # a single department has nothing to be compared with
        assert _department_ids_shown(ranking, names) <= allowed
    assert {d.department_id for d in ptx.hierarchy(source, access=access).departments} == allowed


def test_naming_another_department_shows_nothing_and_tells_nothing(source):
    for outside in ("Maternity", "HVH-WAC-MAT", "No Such Ward"):
        with pytest.raises(ptx.PtxError) as caught:
            ptx.trend(source, "fft_pct_positive", ptx.Filters(departments=[outside], access=LEAD))
        message = str(caught.value)
        assert "among the departments you may see" in message
        assert "Maternity" not in message.replace(outside, "") and "Hillview" not in message
    with pytest.raises(ptx.PtxError, match="No site 'Hillview Hospital' among"):
        ptx.headline(source, ptx.Filters(sites=["Hillview Hospital"], access=LEAD))


def test_nothing_means_nothing(source):
    none = ptx.Access.nothing("stranger@example.org")
    f = ptx.Filters(access=none)
    assert ptx.headline(source, f).kpis.set_index("kpi").loc["responses", "value"] == 0
    assert ptx.compare_departments(source, "fft_pct_positive", f).funnel is None
    assert ptx.hierarchy(source, access=none).departments == ()
    assert ptx.channels(source, access=none) == []
    assert ptx.data_range(source, access=none) == (None, None)
    assert ptx.oldest_open(source, f).rows.empty


def test_nothing_means_nothing_on_sqlite_too(demo_sqlite):
    source = open_location(demo_sqlite)
    try:
        f = ptx.Filters(access=ptx.Access.nothing())
        assert ptx.headline(source, f).kpis.set_index("kpi").loc["responses", "value"] == 0
        assert ptx.channels(source, access=ptx.Access.nothing()) == []
    finally:
        source.dispose()


def test_suppression_stays_on_unless_the_access_allows_switching(source):
    small = ptx.Filters(departments=["Pain Clinic"])
    off = ptx.Disclosure(enabled=False)
    assert not ptx.breakdown(source, "fft_pct_positive", "channel", small, rule=off).rule.enabled
    board = ptx.Access(may_switch_suppression=False, role="executive")
    for call in (
        lambda f: ptx.breakdown(source, "fft_pct_positive", "channel", f, rule=off),
        lambda f: ptx.headline(source, f, rule=off),
        lambda f: ptx.complaint_mix(source, f, rule=off),
        lambda f: ptx.compare_departments(source, "fft_pct_positive", f, rule=off),
    ):
        assert call(ptx.Filters(departments=["Pain Clinic"], access=board)).rule.enabled


def test_an_executive_gets_no_row_level_list(source):
    board = ptx.Access(
        may_switch_suppression=False,
        may_see_data_page=False,
        may_see_row_level=False,
        role="executive",
    )
    oldest = ptx.oldest_open(source, ptx.Filters(access=board))
    assert oldest.rows.empty and oldest.note == (
        "Individual complaints are not listed for the executive role."
    )


def test_an_access_naming_what_is_not_there_says_so(source):
    typo = ptx.Access(False, departments=("Respiratry Ward",), role="team lead")
    with pytest.raises(ptx.PtxError, match="Did you mean 'Respiratory Ward'"):
        ptx.headline(source, ptx.Filters(access=typo))
    with pytest.raises(ptx.PtxError, match="every_department=False"):
        ptx.Access(divisions=("Medicine",))


# --- the dashboard, with AppTest's user mocking ----------------------------------------------


@pytest.fixture
def roles_file(tmp_path, monkeypatch, demo_duckdb):
    path = tmp_path / "roles.toml"
    path.write_text(ROLES)
    monkeypatch.setenv("PTX_ROLES", str(path))
    monkeypatch.setenv("PTX_SOURCE", str(demo_duckdb))
    return path


def signed_in(user: dict | None, page: str | None = None, **query_params) -> AppTest:
    """The dashboard with sign-in configured and ``user`` as st.user (None: no sign-in)."""
    at = AppTest.from_file(str(DASHBOARD), default_timeout=TIMEOUT)
    if user is not None:
        at.secrets.update(AUTH)
        at.user = user
    at.query_params.update(query_params)
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def lead(**claims) -> dict:
    return {"is_logged_in": True, "email": "lead@trust.example", **claims}


def page_text(at) -> str:
    parts = [
        e.value
        for kind in ("markdown", "caption", "info", "warning", "title")
        for e in getattr(at, kind)
    ]
    return "\n".join(str(p) for p in parts)


def test_signed_out_viewers_see_a_sign_in_button_and_no_data(roles_file):
    at = signed_in({"is_logged_in": False})
    assert [b.label for b in at.button] == ["Sign in"]
    assert not at.metric and not at.sidebar.selectbox and not at.get("plotly_chart")


def test_an_unmapped_user_is_told_and_sees_nothing(roles_file):
    at = signed_in({"is_logged_in": True, "email": "stranger@example.org"})
    assert "roles file gives you no role" in at.warning[0].value
    assert not at.metric and not at.sidebar.selectbox
    assert [b.label for b in at.button] == ["Sign out"]


def test_a_broken_roles_file_stops_with_what_to_fix(roles_file):
    roles_file.write_text('[users."lead@trust.example"]\nrole = "team lead"\n')
    at = signed_in(lead())
    assert "team lead of nothing: add divisions" in at.error[0].value
    assert not at.metric


def test_a_team_lead_is_offered_only_their_departments(roles_file):
    at = signed_in(lead())
    departments = at.sidebar.selectbox(key="dept")
    assert set(departments.options) == {"All", *LEAD_NAMES}
    assert at.sidebar.selectbox(key="site").options == ["All", "Riverside Hospital"]
    captions = "\n".join(c.value for c in at.sidebar.caption)
    # Escaped, with a word joiner before the "@": an address the browser does not link.
    assert "Signed in as lead\u2060\\@trust.example" in captions
    everyone = signed_in(None)
    ours = int(at.metric[0].value.replace(",", ""))
    assert 0 < ours < int(everyone.metric[0].value.replace(",", ""))


def test_a_url_naming_another_department_shows_nothing_from_it(roles_file):
    at = signed_in(lead(), page="pages/departments.py", dept="Maternity", site="Hillview Hospital")
    assert at.sidebar.selectbox(key="dept").value == "All"  # not an option: not chosen
    assert at.sidebar.selectbox(key="site").value == "All"
    ranking = at.dataframe[0].value
    assert set(ranking["Department"]) <= LEAD_NAMES
    funnel = at.get("plotly_chart")[0].proto.spec
    assert "Maternity" not in funnel and "HVH-" not in funnel
    assert "Maternity" not in page_text(at) and "Hillview" not in page_text(at)


def test_a_team_lead_cannot_switch_suppression_off_or_open_the_data_page(roles_file):
    at = signed_in(
        lead(), page="pages/feedback.py", dept="Dermatology", period="Week", suppress="false"
    )
    toggle = at.sidebar.toggle[0]
    assert toggle.value is True and toggle.disabled
    assert "always on for the team lead role" in "\n".join(c.value for c in at.sidebar.caption)
    assert "*" in set(at.dataframe[0].value["Responses"])  # counts of 1-7 still hidden
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/data.py")


def test_an_executive_sees_everything_suppressed_and_no_complaint_list(roles_file):
    board = {"is_logged_in": True, "email": "ceo@trust.example", "groups": ["px-board"]}
    at = signed_in(board, page="pages/complaints.py", section="Oldest open", suppress="false")
    assert at.sidebar.toggle[0].disabled
    assert "Individual complaints are not listed for the executive role." in page_text(at)
    assert len(at.sidebar.selectbox(key="dept").options) == 26  # every department, and All


def test_an_analyst_has_the_data_page_and_the_switch(roles_file):
    ana = {"is_logged_in": True, "email": "ana@trust.example"}
    at = signed_in(ana, page="pages/data.py")
    assert "Signed in as ana@trust.example: analyst · every department." in at.info[0].value
    assert not at.sidebar.toggle[0].disabled


def test_without_sign_in_the_dashboard_runs_as_before_and_the_data_page_says_so(roles_file):
    at = signed_in(None, page="pages/data.py")
    assert "Sign-in is not configured." in at.info[0].value
    assert "you may switch small-number suppression off" in at.info[0].value
    assert not at.sidebar.toggle[0].disabled
    assert len(at.sidebar.selectbox(key="dept").options) == 26


def test_named_providers_each_get_a_sign_in_button(roles_file):
    at = AppTest.from_file(str(DASHBOARD), default_timeout=TIMEOUT)
    shared = {k: AUTH["auth"][k] for k in ("redirect_uri", "cookie_secret")}
    provider = {k: AUTH["auth"][k] for k in ("client_id", "client_secret", "server_metadata_url")}
    at.secrets.update({"auth": {**shared, "microsoft": provider, "okta": provider}})
    at.user = {"is_logged_in": False}
    at.run()
    assert [b.label for b in at.button] == ["Sign in with microsoft", "Sign in with okta"]
