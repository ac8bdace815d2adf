"""The scale-out recipe under load: two Streamlit processes behind HAProxy (started by
``scripts/serve_behind_proxy.py``), driven by ``bench/load.py`` with protocol sessions that
change filters and reconnect. No timing is asserted (CI machines vary); correctness is: every
render finished without an error, every session stayed on one backend, both backends served."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys

from tests.conftest import ROOT, require_or_skip

SESSIONS = 4


def _serve_module():
    spec = importlib.util.spec_from_file_location(
        "serve_behind_proxy", ROOT / "scripts" / "serve_behind_proxy.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


def _require_haproxy() -> None:
    if not shutil.which("haproxy"):
        require_or_skip("PTX_REQUIRE_PROXY", "HAProxy is not installed (apt-get install haproxy)")


def test_the_proxy_listens_on_loopback_unless_told(tmp_path):
    serve = _serve_module()
    config = serve.haproxy_config([("b1", 8601), ("b2", 8602)])
    assert "bind 127.0.0.1:8500" in config
    assert "cookie PTX_BACKEND insert indirect nocache" in config
    assert "server b1 127.0.0.1:8601" in config and "server b2 127.0.0.1:8602" in config
    assert "bind 0.0.0.0:80" in serve.haproxy_config([("b1", 8601)], address="0.0.0.0", port=80)
    if shutil.which("haproxy"):  # HAProxy itself accepts what the script writes
        path = tmp_path / "haproxy.cfg"
        path.write_text(config)
        check = subprocess.run(["haproxy", "-c", "-f", str(path)], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr


def test_make_run_listens_on_loopback_by_default():
    makefile = (ROOT / "Makefile").read_text()
    assert "ADDRESS ?= 127.0.0.1" in makefile
    assert "--server.address $(ADDRESS)" in makefile


def test_sessions_behind_the_proxy_are_sticky_and_error_free(demo_duckdb, tmp_path):
    _require_haproxy()
    out = tmp_path / "load.json"
    command = [
        sys.executable, "bench/load.py", "--backends", "2", "--sessions", str(SESSIONS),
        "--interval", "2", "--duration", "15", "--ramp", "2", "--reconnect",
        "--source", str(demo_duckdb), "--json", str(out),
    ]  # fmt: skip
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    summary = json.loads(out.read_text())
    renders = summary["all_renders"]

    # Every session opened its page and changed filters; nothing failed or showed an error.
    assert summary["errors"] == [], summary["errors"]
    assert sorted(r["session"] for r in renders if r["kind"] == "open") == list(range(SESSIONS))
    changes = [r for r in renders if r["kind"] != "open"]
    # A busy machine makes renders slow and a session waits for each: at least one change each.
    assert sorted({r["session"] for r in changes}) == list(range(SESSIONS))
    assert {r["page"] for r in renders} == {"overview", "feedback", "complaints", "departments"}

    # Sticky: each session's page load, websocket and reconnect reached one backend, by the
    # proxy's header and by its own log; the server resumed each session after the reconnect.
    backends = summary["backends_by_session"]
    assert len(backends) == SESSIONS
    assert all(len(b) == 1 for b in backends.values()), backends
    logged = summary["proxy_log_backends"]
    assert sorted(logged) == [str(n) for n in range(SESSIONS)], logged
    assert all(len(set(b)) == 1 and len(b) == 2 for b in logged.values()), logged
    assert all(summary["resumed"].values()), summary["resumed"]

    # Both backends got sessions and did the work.
    assert {b for bs in backends.values() for b in bs} == {"b1", "b2"}
    for name, server in summary["servers"].items():
        assert server["sessions"] >= 1 and server["changes"] >= 1, name
        assert server["cpu_seconds"] > 0, name
    assert "Goal (p95 of filter changes" in done.stdout
