"""Sign-in in a real browser against a real OpenID Connect provider on loopback.

``oidc-provider-mock`` (a Flask OIDC provider built on Authlib) runs in its own process on
127.0.0.1; the dashboard runs as a real Streamlit server whose ``[auth]`` secrets point at it
(``STREAMLIT_SECRETS_FILES``) with a roles file (``PTX_ROLES``). Chromium signs in through the
provider's login form as a team lead and sees only their departments; a URL naming another
department shows nothing from it, and the Data page is not there. Screenshots are saved as
test-artifacts/screenshots/signin-*.png.

Skipped with a reason when Chromium or the provider is missing, unless PTX_REQUIRE_BROWSER=1.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from bench.browser_timing import start_server, stop_server
from tests.conftest import require_or_skip
from tests.test_access import MEDICINE_NAMES as MEDICINE
from tests.test_browser import browser, page, server, settle, shot  # noqa: F401 - shared fixtures

pytestmark = pytest.mark.browser

LEAD_SUB = "ward-lead"
LEAD_EMAIL = "lead@trust.example"
USERS = [
    {"sub": LEAD_SUB, "email": LEAD_EMAIL, "email_verified": True, "groups": ["ward-leads"]},
    {"sub": "board-member", "email": "ceo@trust.example", "groups": ["px-board"]},
]
ROLES = """
[groups."px-board"]
role = "executive"

[users."lead@trust.example"]
role = "team lead"
divisions = ["Medicine"]
"""
# The provider: the package's Flask app under werkzeug, on the given loopback port.
PROVIDER = """
import json, sys
import werkzeug.serving
from oidc_provider_mock import User, app

users = [User(sub=u.pop("sub"), claims=u) for u in json.loads(sys.argv[2])]
server = werkzeug.serving.make_server(
    "127.0.0.1", int(sys.argv[1]), app(user_claims=users), threaded=True
)
server.serve_forever()
"""
START_TIMEOUT_S = 30


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def oidc_provider():
    """A real OIDC provider on 127.0.0.1; yields its issuer URL."""
    if importlib.util.find_spec("oidc_provider_mock") is None:
        require_or_skip(
            "PTX_REQUIRE_BROWSER",
            "oidc-provider-mock is not installed (pip install -e '.[test]')",
        )
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-c", PROVIDER, str(port), json.dumps(USERS)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    issuer = f"http://127.0.0.1:{port}"
    started = time.monotonic()
    while True:
        try:
            with urllib.request.urlopen(f"{issuer}/.well-known/openid-configuration", timeout=2):
                break
        except OSError:
            if proc.poll() is not None or time.monotonic() - started > START_TIMEOUT_S:
                proc.kill()
                require_or_skip(
                    "PTX_REQUIRE_BROWSER",
                    f"the OIDC provider did not start: {proc.communicate()[1][-2000:]}",
                )
            time.sleep(0.1)
    try:
        yield issuer
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
def signin_server(browser, oidc_provider, demo_default, tmp_path_factory):  # noqa: F811
    """The dashboard with sign-in configured against the provider, and a roles file."""
    folder = tmp_path_factory.mktemp("signin")
    secrets = folder / "secrets.toml"
    secrets.write_text(
        "[auth]\n"
        'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        'cookie_secret = "a-cookie-secret-for-the-sign-in-browser-test"\n'
        'client_id = "ptx-dashboard"\n'
        'client_secret = "ptx-test-secret"\n'
        f'server_metadata_url = "{oidc_provider}/.well-known/openid-configuration"\n'
    )
    roles = folder / "roles.toml"
    roles.write_text(ROLES)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("STREAMLIT_SECRETS_FILES", str(secrets))
        env.setenv("PTX_ROLES", str(roles))
        try:
            proc, url, _ = start_server(demo_default)
        except RuntimeError as exc:
            pytest.fail(str(exc))
    try:
        yield url
    finally:
        stop_server(proc)


def sign_in(page, server: str, oidc_provider: str, sub: str) -> None:  # noqa: F811
    """Through the dashboard's sign-in button and the provider's login form."""
    page.goto(server)
    settle(page)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(re.escape(oidc_provider) + r"/oauth2/authorize"))
    page.locator('input[name="sub"]').fill(sub)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(re.compile(re.escape(server) + r"/?(\?.*)?$"))
    settle(page)


def sidebar_options(page, label: str) -> list[str]:  # noqa: F811
    box = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').filter(
        has_text=label
    )
    box.locator("input").click()
    options = page.get_by_role("option").all_inner_texts()
    page.keyboard.press("Escape")
    return [o.strip() for o in options]


def test_a_team_lead_signs_in_and_sees_only_their_departments(
    signin_server,
    oidc_provider,
    page,  # noqa: F811
):
    page.goto(signin_server)
    settle(page)
    assert page.get_by_role("button", name="Sign in").is_visible()
    assert page.locator('[data-testid="stMetric"]').count() == 0  # nothing before sign-in
    shot(page, "signin-1-sign-in")

    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(re.escape(oidc_provider) + r"/oauth2/authorize"))
    page.locator('input[name="sub"]').fill(LEAD_SUB)
    page.screenshot(path=str(_shots() / "signin-2-provider-form.png"))
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(re.compile(re.escape(signin_server) + r"/?(\?.*)?$"))
    settle(page)

    sidebar = page.locator('[data-testid="stSidebar"]')
    # The address is drawn as text: a word joiner (U+2060) before its "@" keeps it no link.
    shown_email = LEAD_EMAIL.replace("@", "\u2060@")
    sidebar.get_by_text(f"Signed in as {shown_email}").wait_for()
    assert "Suppression is always on for the team lead role." in sidebar.inner_text()
    assert sidebar_options(page, "Department") == ["All", *sorted(MEDICINE)]
    assert sidebar_options(page, "Site") == ["All", "Riverside Hospital"]
    page.locator('[data-testid="stMetricValue"]').first.wait_for()
    nav = page.locator('[data-testid="stSidebarNav"]').inner_text()
    assert "Departments" in nav and "Data" not in nav.split()
    shot(page, "signin-3-team-lead-overview")

    # A URL naming another department, and its site: nothing from it is shown.
    page.goto(f"{signin_server}/departments?site=Hillview+Hospital&dept=Maternity")
    settle(page)
    page.wait_for_selector(".js-plotly-plot .scatterlayer .trace")
    body = page.locator("body").inner_text()
    assert "Maternity" not in body and "Hillview" not in body
    points = page.locator(".js-plotly-plot .scatterlayer .point").count()
    assert 0 < points <= len(MEDICINE) + 1  # at most their departments (and the mean's marker)
    shot(page, "signin-4-other-department-url")
    with page.expect_download() as download:  # the export: their departments, nothing else
        page.get_by_role("button", name="Download (CSV)").first.click()
    with Path(download.value.path()).open(encoding="utf-8") as exported:
        departments = {row["Department"] for row in csv.DictReader(exported)}
    assert departments and departments <= set(MEDICINE), departments

    # The Data page is not there for a team lead.
    page.goto(f"{signin_server}/data")
    settle(page)
    assert page.get_by_text("Rows read, loaded and quarantined").count() == 0
    assert page.get_by_text("Quarantined rows").count() == 0


def test_a_signed_in_user_without_a_role_sees_nothing(signin_server, oidc_provider, page):  # noqa: F811
    sign_in(page, signin_server, oidc_provider, "someone-else@example.org")
    page.get_by_text("the roles file gives you no role").wait_for()
    assert page.locator('[data-testid="stMetric"]').count() == 0
    assert page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').count() == 0
    shot(page, "signin-5-no-role")


def _shots():
    from tests.test_browser import SCREENSHOTS

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


def test_without_sign_in_a_viewer_behind_a_proxy_cannot_switch_suppression_off(
    server,  # noqa: F811 - the dashboard without sign-in
    browser,  # noqa: F811
):
    """A request a proxy forwarded is not from the dashboard's own machine: suppression stays
    on, whatever the URL says."""
    context = browser.new_context(
        viewport={"width": 1600, "height": 1000},
        extra_http_headers={"X-Forwarded-For": "192.0.2.10"},
    )
    page = context.new_page()  # noqa: F811
    page.set_default_timeout(30_000)
    try:
        page.goto(f"{server}/feedback?dept=Pain+Clinic&period=Week&suppress=false")
        settle(page)
        sidebar = page.locator('[data-testid="stSidebar"]')
        sidebar.get_by_text("Suppression is always on: sign-in is not configured").wait_for()
        assert sidebar.get_by_role("switch", name="Suppress small numbers").is_disabled()
        page.get_by_text("too few to show without identifying people").first.wait_for()
        shot(page, "signin-6-proxied-viewer-without-sign-in")
    finally:
        context.close()
