"""Database faults: the dashboard says what happened, keeps the last good figures (marked
stale), shows no internals, and recovers by itself when the database is back.

The test runs its own throwaway PostgreSQL cluster (.ci/postgres.sh), because it stops and
starts the server; a shared server (PTX_TEST_POSTGRES_URL) is never touched. Without the
PostgreSQL binaries it skips, unless PTX_REQUIRE_POSTGRES=1 makes it required (as in CI).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

import ptx
from ptx.demo import write_demo
from tests.conftest import ROOT, require_or_skip
from tests.test_hostile import shown_text

TIMEOUT = 60
DASHBOARD = ROOT / "dashboard.py"
POSTGRES_SH = ROOT / ".ci" / "postgres.sh"
# What must never reach the screen: the statement, its parameters, the driver, the server.
INTERNALS = (
    "SELECT",
    "FROM ",
    "[SQL",
    "parameters",
    "psycopg",
    "sqlalche",
    "OperationalError",
    "Traceback",
    "127.0.0.1",
    "postgresql://",
    "/tmp/",
)


class Server:
    """A private PostgreSQL cluster that a test may stop and start again."""

    def __init__(self, folder: Path, port: int) -> None:
        self.folder, self.port = folder, port
        self.url = self.start()

    def start(self) -> str:
        done = subprocess.run(
            [str(POSTGRES_SH), "start", str(self.folder), str(self.port)],
            check=True,
            capture_output=True,
            text=True,
        )
        return done.stdout.strip()

    def stop(self) -> None:
        subprocess.run([str(POSTGRES_SH), "stop", str(self.folder)], check=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    if not list(Path("/usr/lib/postgresql").glob("*/bin/initdb")):
        require_or_skip(
            "PTX_REQUIRE_POSTGRES",
            "PostgreSQL is not installed (apt-get install postgresql): no server to stop",
        )
    # Under /tmp itself: the cluster runs as the postgres user, who cannot enter pytest's
    # private temporary folders.
    folder = Path(tempfile.mkdtemp(prefix="ptx-faults-", dir="/tmp"))
    try:
        running = Server(folder, _free_port())
        write_demo(running.url, rows=3_000, complaints=300)
        yield running
    finally:
        subprocess.run([str(POSTGRES_SH), "stop", str(folder)], check=False)
        shutil.rmtree(folder, ignore_errors=True)


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def texts(at) -> set[str]:
    return {text for _, _, text in shown_text(at)}


def internals_added(at, before: set[str]) -> list[str]:
    """Texts on screen now, and not before the fault, that show internals. (The sidebar names
    the source, as it always does: that is not the fault's doing.)"""
    return [t for t in texts(at) - before for word in INTERNALS if word.lower() in t.lower()]


def expire_cache() -> None:
    """What ten minutes do: the cached answers expire, so the next run asks the database."""
    from pages._shared import clear_answers

    clear_answers()


def test_a_database_fault_keeps_the_last_figures_and_recovers(monkeypatch, server):
    monkeypatch.setenv("PTX_SOURCE", server.url)
    at = AppTest.from_file(str(DASHBOARD), default_timeout=TIMEOUT)
    at.run()
    assert not at.exception, at.exception
    fresh, before = metrics(at), texts(at)
    assert int(fresh["Feedback responses"].replace(",", "")) > 1000 and not at.warning

    server.stop()
    expire_cache()
    at.run()
    assert not at.exception, at.exception
    assert metrics(at) == fresh  # the last good figures stay on screen...
    (warning,) = at.warning  # ... marked stale, once
    assert warning.value.startswith("**Stale figures.** At ")
    assert "the database could not be reached" in warning.value
    assert "the connection was refused" in warning.value or "connection was lost" in warning.value
    assert "the last ones loaded, at" in warning.value
    assert not at.error and not internals_added(at, before), internals_added(at, before)

    # Another filter has no figures from before: the fault is said in words, nothing else.
    other = AppTest.from_file(str(DASHBOARD), default_timeout=TIMEOUT)
    other.query_params.update(dept="Maternity")
    other.run()
    assert not other.exception, other.exception
    (error,) = other.error
    assert error.value.startswith("The database could not be reached")
    assert not other.metric
    assert not internals_added(other, before), internals_added(other, before)

    server.start()
    at.run()  # no restart, no cache to clear: the next run is fresh
    assert not at.exception, at.exception
    assert not at.warning and not at.error
    assert metrics(at) == fresh


def test_only_passing_database_faults_become_source_unavailable():
    refused = sa.exc.OperationalError(
        "SELECT * FROM feedback WHERE department_id = %(id)s",
        {"id": "RVH-MED-RESP"},
        Exception('connection to server at "10.0.0.5", port 5432 failed: Connection refused'),
    )
    fault = ptx.SourceUnavailable.from_error(refused)
    assert str(fault) == "The database could not be reached: the connection was refused."
    timeout = sa.exc.OperationalError(
        "SELECT 1", {}, Exception("canceling statement due to statement timeout")
    )
    assert "ran out of time" in str(ptx.SourceUnavailable.from_error(timeout))
    lost = sa.exc.InterfaceError("SELECT 1", {}, Exception("connection already closed"))
    assert "connection was lost" in str(ptx.SourceUnavailable.from_error(lost))
    assert isinstance(ptx.SourceUnavailable.from_error(sa.exc.TimeoutError()), ptx.SourceError)
    # A wrong statement is a bug, not a passing fault: it is not hidden.
    wrong = sa.exc.ProgrammingError("SELECT nope", {}, Exception("column nope does not exist"))
    assert ptx.SourceUnavailable.from_error(wrong) is None
    assert ptx.SourceUnavailable.from_error(ValueError("x")) is None


def test_a_page_whose_own_call_falls_back_says_so_once(monkeypatch, demo_duckdb):
    """The frame's calls answered from the cache, the page's own call from its last good
    answer: the notice at the top of the page says so, once."""
    import pages._shared as shared

    monkeypatch.setenv("PTX_SOURCE", str(demo_duckdb))
    at = AppTest.from_file(str(DASHBOARD), default_timeout=TIMEOUT)
    at.run()
    fresh = metrics(at)
    real = shared._cached

    def headline_fails(function, *args, **kwargs):
        if function == "headline":
            raise ptx.SourceUnavailable("The database could not be reached: it did not answer.")
        return real(function, *args, **kwargs)

    monkeypatch.setattr(shared, "_cached", headline_fails)
    at.run()
    assert not at.exception, at.exception
    assert metrics(at) == fresh
    (warning,) = at.warning
    assert "the database could not be reached\u2060\\: it did not answer." in warning.value
    monkeypatch.setattr(shared, "_cached", real)
    at.run()
    assert not at.warning and metrics(at) == fresh
