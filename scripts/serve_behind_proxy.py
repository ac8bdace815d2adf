"""Serve the dashboard from several Streamlit processes behind HAProxy, with sticky sessions.

One Streamlit process runs Python on one core at a time (its sessions share one interpreter),
so a machine with N cores serves the most users with about N processes. A browser session is
one long websocket plus a few HTTP requests, and reconnects after a network blip with its
session id: all of them must reach the process that holds the session. HAProxy sends a new
visitor to the process with the fewest open connections and sets a cookie naming it
(``PTX_BACKEND``); every later request with the cookie, the websocket included, goes there.

    python scripts/serve_behind_proxy.py --backends 2 --port 8500

starts two processes on free loopback ports and HAProxy on 127.0.0.1:8500, prints where they
are, and stops them all on Ctrl-C or SIGTERM. Everything listens on 127.0.0.1 unless
``--address`` says otherwise: ``--address 0.0.0.0`` exposes the proxy (only the proxy) to the
network, deliberately. The HAProxy configuration and its log are written to a temporary folder
(``--workdir`` to keep them). HAProxy comes from the operating system (``apt-get install
haproxy`` on Debian or Ubuntu).

Importable: ``bench/load.py`` and ``tests/test_load.py`` start the same cluster with
:class:`Cluster`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STICKY_COOKIE = "PTX_BACKEND"
BACKEND_HEADER = "X-Ptx-Backend"  # added to every response: which process answered
# A websocket idles between filter changes; HAProxy closes a tunnel after this much silence.
TUNNEL_TIMEOUT = "1h"
START_TIMEOUT_SECONDS = 60.0
# Streamlit options for serving, not developing (each measured with bench/load.py, see
# docs/PERFORMANCE.md): no watching of source files for "rerun on save" (after every run,
# Streamlit walks every imported module's path on its event loop, which also sends every
# session's messages), and no full garbage collection after every run.
SERVER_OPTIONS = {
    "server.fileWatcherType": "none",
    "runner.postScriptGC": "false",
}

HAPROXY_CONFIG = """\
# Written by scripts/serve_behind_proxy.py
global
    log stdout format raw local0 info
    maxconn 4096

defaults
    mode http
    log global
    # One line per request: client, backend/server, status, cookie flags ("--NI": no cookie,
    # one inserted; "--VN": a valid cookie routed it), the request line.
    option httplog
    timeout connect 5s
    timeout client 60s
    timeout server 60s
    timeout http-request 10s
    timeout tunnel {tunnel_timeout}

frontend ptx
    bind {address}:{port}
    option forwardfor  # the user's address in X-Forwarded-For, for the backends' logs
    default_backend streamlit

backend streamlit
    # Websockets are long-lived: send a new visitor to the process with the fewest of them.
    balance leastconn
    # Sticky sessions: the first answer sets a cookie naming the process; HAProxy routes every
    # later request with it (page, websocket, reconnects, media) to that process.
    cookie {cookie} insert indirect nocache httponly
    option httpchk GET /_stcore/health
    http-check expect status 200
    http-response set-header {header} %[srv_name]
{servers}
"""


def free_port(address: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((address, 0))
        return s.getsockname()[1]


def haproxy_config(
    backends: list[tuple[str, int]], *, address: str = "127.0.0.1", port: int = 8500
) -> str:
    """The HAProxy configuration for ``backends`` (name, loopback port) behind ``address:port``."""
    servers = "\n".join(
        f"    server {name} 127.0.0.1:{backend_port} check inter 2s cookie {name}"
        for name, backend_port in backends
    )
    return HAPROXY_CONFIG.format(
        address=address,
        port=port,
        cookie=STICKY_COOKIE,
        header=BACKEND_HEADER,
        tunnel_timeout=TUNNEL_TIMEOUT,
        servers=servers,
    )


def _wait_http(url: str, process: subprocess.Popen, what: str, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log.read_text(errors="replace").strip().splitlines()[-5:] if log.exists() else []
            raise RuntimeError(f"{what} exited ({process.returncode}): " + " / ".join(tail))
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{what} did not answer {url} within {START_TIMEOUT_SECONDS:.0f} s")


@dataclass
class Backend:
    name: str
    port: int
    process: subprocess.Popen
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid


@dataclass
class Cluster:
    """Streamlit processes on loopback ports, and HAProxy in front of them (unless ``proxy``
    is False, with one backend: the load test's baseline)."""

    backends: int = 2
    port: int = 0  # 0: a free port
    address: str = "127.0.0.1"
    app: str = "dashboard.py"
    proxy: bool = True
    workdir: Path | None = None
    env: dict[str, str] = field(default_factory=dict)
    options: dict[str, str] = field(default_factory=lambda: dict(SERVER_OPTIONS))
    servers: list[Backend] = field(default_factory=list, init=False)
    haproxy: subprocess.Popen | None = field(default=None, init=False)
    _tempdir: str | None = field(default=None, init=False)

    @property
    def url(self) -> str:
        if self.proxy:
            host = "127.0.0.1" if self.address in ("0.0.0.0", "::") else self.address
            return f"http://{host}:{self.port}"
        return f"http://127.0.0.1:{self.servers[0].port}"

    @property
    def proxy_log(self) -> Path | None:
        return self.workdir / "haproxy.log" if self.proxy and self.workdir else None

    def start(self) -> Cluster:
        if self.proxy and not shutil.which("haproxy"):
            raise RuntimeError("haproxy is not installed (Debian: apt-get install haproxy)")
        if not self.proxy and self.backends != 1:
            raise ValueError("without the proxy there is one backend")
        if self.workdir is None:
            self._tempdir = tempfile.mkdtemp(prefix="ptx-proxy-")
            self.workdir = Path(self._tempdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, **self.env}
        try:
            for i in range(self.backends):
                name, port = f"b{i + 1}", free_port()
                log = self.workdir / f"{name}.log"
                command = [
                    sys.executable, "-m", "streamlit", "run", self.app,
                    "--server.address", "127.0.0.1", "--server.port", str(port),
                    "--server.headless", "true", "--browser.gatherUsageStats", "false",
                ]  # fmt: skip
                for option, value in self.options.items():
                    command += [f"--{option}", value]
                with log.open("wb") as out:
                    process = subprocess.Popen(
                        command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
                    )
                self.servers.append(Backend(name, port, process, log))
            for server in self.servers:
                _wait_http(
                    f"http://127.0.0.1:{server.port}/_stcore/health",
                    server.process,
                    f"Streamlit {server.name}",
                    server.log,
                )
            if self.proxy:
                self.port = self.port or free_port(self.address)
                config = self.workdir / "haproxy.cfg"
                config.write_text(
                    haproxy_config(
                        [(s.name, s.port) for s in self.servers],
                        address=self.address,
                        port=self.port,
                    )
                )
                with self.proxy_log.open("wb") as out:
                    self.haproxy = subprocess.Popen(
                        ["haproxy", "-db", "-f", str(config)],
                        stdout=out,
                        stderr=subprocess.STDOUT,
                    )
                _wait_http(f"{self.url}/_stcore/health", self.haproxy, "HAProxy", self.proxy_log)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop what this cluster started (by its own process ids), proxy first."""
        for process in [self.haproxy, *(s.process for s in self.servers)]:
            if process is not None and process.poll() is None:
                process.terminate()
        for process in [self.haproxy, *(s.process for s in self.servers)]:
            if process is None:
                continue
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self._tempdir:
            shutil.rmtree(self._tempdir, ignore_errors=True)
            self._tempdir = None

    def __enter__(self) -> Cluster:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--backends",
        type=int,
        default=os.cpu_count() or 2,
        help="Streamlit processes (default: one per core)",
    )
    parser.add_argument("--port", type=int, default=8500, help="the proxy's port (8500)")
    parser.add_argument(
        "--address", default="127.0.0.1", help="the proxy's address (127.0.0.1; 0.0.0.0 exposes it)"
    )
    parser.add_argument("--app", default="dashboard.py", help="the Streamlit entry file")
    parser.add_argument(
        "--workdir",
        type=Path,
        help="keep haproxy.cfg and the logs here (default: a temporary folder)",
    )
    args = parser.parse_args(argv)
    cluster = Cluster(
        backends=args.backends,
        port=args.port,
        address=args.address,
        app=args.app,
        workdir=args.workdir,
    )
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        cluster.start()
        for s in cluster.servers:
            print(f"backend {s.name}: http://127.0.0.1:{s.port} (pid {s.pid}, log {s.log})")
        print(f"haproxy: pid {cluster.haproxy.pid}, config {cluster.workdir / 'haproxy.cfg'}")
        print(f"serving on {cluster.url} (Ctrl-C stops)", flush=True)
        while all(
            p.poll() is None for p in [cluster.haproxy, *(s.process for s in cluster.servers)]
        ):
            time.sleep(1)
        print("a process stopped; stopping the others", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        cluster.stop()


if __name__ == "__main__":
    sys.exit(main())
