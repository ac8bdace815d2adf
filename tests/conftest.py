"""Shared fixtures: small demo sources on every engine, and the optional external resources.

Resources that a fresh clone may lack (a PostgreSQL server, Chromium, the shared real data) make
their tests skip with a reason, unless the matching PTX_REQUIRE_* variable is set (as .ci/run
does), which turns the skip into a failure.

Hypothesis runs under one profile for the whole suite: no deadline (Hypothesis' default 200 ms
per example fails on a loaded 2-core machine, and speed is not what these tests check) and a
fixed number of examples; a failure prints the blob that reproduces it. HYPOTHESIS_PROFILE=ci
picks the same settings with a seed derived from each test, so every run tries the same examples.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import settings

import ptx
from ptx.demo import write_demo
from ptx.store import normalise_url

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data" / "real"
TEST_ROWS = 20_000
TEST_COMPLAINTS = 2_000

# Loaded here, before any test module is imported, so every @settings(...) inherits it.
settings.register_profile("ptx", deadline=None, max_examples=100, print_blob=True)
settings.register_profile("ci", settings.get_profile("ptx"), derandomize=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ptx"))


def require_or_skip(variable: str, reason: str) -> None:
    """Skip with ``reason``, or fail when ``variable`` says the resource is required."""
    if os.environ.get(variable) == "1":
        pytest.fail(f"{reason} ({variable}=1 makes this required)")
    pytest.skip(reason)


def open_location(location: str | Path, **config_kwargs) -> ptx.Source:
    return ptx.open_source(ptx.load_config(location=str(location), **config_kwargs))


@pytest.fixture(autouse=True)
def _isolated_config(monkeypatch, tmp_path_factory):
    """No test reads the developer's PTX_* settings or pollutes the real import cache."""
    for var in ("PTX_SOURCE", "PTX_CONFIG"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("PTX_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "ptx-cache"))


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("demo")


@pytest.fixture(scope="session")
def demo_duckdb(demo_dir) -> Path:
    path = demo_dir / "demo.duckdb"
    write_demo(path, rows=TEST_ROWS, complaints=TEST_COMPLAINTS)
    return path


@pytest.fixture(scope="session")
def demo_default(demo_dir) -> Path:
    """The demo at the size the dashboard ships with (what a user sees after `make run`)."""
    path = demo_dir / "default.duckdb"
    write_demo(path)
    return path


@pytest.fixture(scope="session")
def demo_sqlite(demo_dir) -> Path:
    path = demo_dir / "demo.sqlite"
    write_demo(path, rows=TEST_ROWS, complaints=TEST_COMPLAINTS)
    return path


@pytest.fixture(scope="session")
def demo_csv(demo_dir) -> Path:
    path = demo_dir / "csv"
    write_demo(path, rows=TEST_ROWS, complaints=TEST_COMPLAINTS, fmt="csv")
    return path


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """A PostgreSQL server URL (PTX_TEST_POSTGRES_URL), with a fresh database for this run."""
    url = os.environ.get("PTX_TEST_POSTGRES_URL")
    if not url:
        require_or_skip("PTX_REQUIRE_POSTGRES", "no PostgreSQL server: set PTX_TEST_POSTGRES_URL")
    admin = sa.create_engine(normalise_url(url), isolation_level="AUTOCOMMIT")
    name = f"ptx_test_{uuid.uuid4().hex[:8]}"
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as exc:
        require_or_skip("PTX_REQUIRE_POSTGRES", f"PostgreSQL at {url} is not reachable: {exc.orig}")
    test_url = sa.engine.make_url(normalise_url(url)).set(database=name)
    yield test_url.render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def demo_postgres(postgres_url) -> str:
    write_demo(postgres_url, rows=TEST_ROWS, complaints=TEST_COMPLAINTS)
    return postgres_url


@pytest.fixture(scope="session")
def spark_url() -> str:
    """A Spark Thrift server URL (PTX_TEST_SPARK_URL; `.ci/spark.sh start DIR` prints one),
    with a fresh database for this run, dropped with its tables afterwards."""
    url = os.environ.get("PTX_TEST_SPARK_URL")
    if not url:
        require_or_skip(
            "PTX_REQUIRE_SPARK",
            "no Spark Thrift server: set PTX_TEST_SPARK_URL (`.ci/spark.sh start DIR` starts one)",
        )
    try:
        import pyhive  # noqa: F401
    except ImportError:
        require_or_skip("PTX_REQUIRE_SPARK", "PyHive is not installed: pip install '.[spark]'")
    admin = sa.create_engine(normalise_url(url))
    name = f"ptx_test_{uuid.uuid4().hex[:8]}"
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"CREATE DATABASE {name}")
    except sa.exc.DBAPIError as exc:
        require_or_skip("PTX_REQUIRE_SPARK", f"Spark at {url} is not reachable: {exc.orig}")
    yield sa.engine.make_url(url).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} CASCADE")
    admin.dispose()


@pytest.fixture(scope="session")
def demo_spark(spark_url) -> str:
    write_demo(spark_url, rows=TEST_ROWS, complaints=TEST_COMPLAINTS)
    return spark_url


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        require_or_skip("PTX_REQUIRE_SHARED", f"the shared real data is not at {SHARED_DATA}")
    return SHARED_DATA


def pytest_terminal_summary(terminalreporter):
    """Say where the browser tests left their screenshots."""
    folder = ROOT / "test-artifacts" / "screenshots"
    if folder.is_dir() and any(folder.glob("*.png")):
        shots = sorted(p.name for p in folder.glob("*.png"))
        terminalreporter.write_line(f"browser screenshots in {folder}: {', '.join(shots)}")
