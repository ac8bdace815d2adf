"""Load test: many dashboard sessions without browsers, and what they cost the server.

Each session speaks Streamlit's own browser protocol: it loads the page over HTTP (so a proxy's
sticky cookie is set, as in a browser), opens the websocket at ``/_stcore/stream``, asks for a
script run (a ``BackMsg`` with ``rerun_script``: the page, the URL's query string, widget
states) and reads ``ForwardMsg``s until ``script_finished``. Every ``--interval`` seconds it
changes one sidebar filter (department, dates, site or channel) the way the browser does: the
new value of that widget, by the widget id the server sent. With ``--reconnect`` each session
drops its websocket halfway and reconnects with its session id, as a browser does after a
network blip; the server resumes the session only if the proxy sent it back to the same
process.

Reported: latency per interaction (send to ``script_finished``) as median, 95th percentile and
maximum; errors (an exception or error element in the page, a run that did not finish, a lost
connection); per server process the CPU seconds (``/proc/PID/stat``, user + system) per
filter change and the resident memory before and after; which backend served each connection
(HAProxy's ``X-Ptx-Backend`` header, cross-checked with its log); and the CPU that other
processes used meanwhile, to tell a quiet machine from a busy one.

    python bench/load.py                      # 20 sessions, one change per 5 s, 120 s, one
                                              # Streamlit process per core behind HAProxy
    python bench/load.py --backends 1 --no-proxy   # one process, no proxy: the baseline
    python bench/load.py --url http://127.0.0.1:8501 --pid 1234   # a server already running
    python bench/load.py --backends 2 --sessions 4 --duration 15 --reconnect   # what CI runs

Exit status 1 when a render failed or a session was not sticky. ``--json FILE`` writes every
render and the summary.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import resource
import statistics
import sys
import time
import urllib.request
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from serve_behind_proxy import BACKEND_HEADER, SERVER_OPTIONS, Cluster  # noqa: E402

# The dashboard's pages by URL path ("" is the Overview, the default page).
PAGES = {
    "overview": "",
    "feedback": "feedback",
    "complaints": "complaints",
    "departments": "departments",
    "data": "data",
}
# How often each filter is the one a user changes.
CHANGES = {"department": 4, "dates": 3, "channel": 2, "site": 1}
RENDER_TIMEOUT_SECONDS = 60.0
TARGET_P95_SECONDS = 1.0  # the goal: 20 sessions, a change every 5 s, p95 under 1 s
SESSION_MARK = "ptx_load_session"  # in the websocket URL, so the proxy log names the session
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Render:
    session: int
    page: str
    kind: str  # "open", or the filter changed
    seconds: float
    backend: str
    error: str = ""
    bytes: int = 0
    cached_refs: int = 0  # elements the server sent as a reference to the client's cache


@dataclass
class Connection:
    what: str  # "page", "websocket" or "reconnect"
    backend: str


@dataclass
class SessionRecord:
    number: int
    page: str
    connections: list[Connection] = field(default_factory=list)
    session_ids: list[str] = field(default_factory=list)

    @property
    def backends(self) -> set[str]:
        return {c.backend for c in self.connections}

    @property
    def resumed(self) -> bool | None:
        """After the reconnect, did the server carry on with the same session?"""
        if not any(c.what == "reconnect" for c in self.connections):
            return None
        return len(set(self.session_ids)) == 1 and len(self.session_ids) > 1


class RenderError(Exception):
    pass


class Session:
    """One simulated user on one page."""

    def __init__(
        self, number: int, base_url: str, page: str, *, interval: float, seed: int, unique: bool
    ):
        self.base_url = base_url.rstrip("/")
        self.page = page
        self.interval = interval
        self.rng = random.Random(seed * 1000 + number)
        self.unique = unique
        self.record = SessionRecord(number, page)
        self.renders: list[Render] = []
        self.cookies: dict[str, str] = {}
        self.ws = None
        self.backend = ""
        self.session_id = ""
        self._new_connection = False
        self.widget_ids: dict[str, str] = {}  # user key -> widget id, as last sent
        self.options: dict[str, list[str]] = {}
        self.values: dict[str, object] = {}  # what this session last chose, per key
        self.as_of: date | None = None
        self.page_hashes: dict[str, str] = {}  # url path -> page_script_hash
        self.cached_hashes: dict[str, int] = {}  # cacheable message hash -> age in runs

    # -- connections ---------------------------------------------------------------

    def _load_page(self) -> None:
        request = urllib.request.Request(f"{self.base_url}/{PAGES[self.page]}")
        if self.cookies:
            request.add_header("Cookie", self._cookie_header())
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()
            for header in response.headers.get_all("Set-Cookie") or []:
                name, _, rest = header.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
            self.record.connections.append(
                Connection("page", response.headers.get(BACKEND_HEADER, "direct"))
            )

    def _cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    async def _connect(self, what: str) -> None:
        parts = urlsplit(self.base_url)
        scheme = "wss" if parts.scheme == "https" else "ws"
        url = f"{scheme}://{parts.netloc}{parts.path}/_stcore/stream?{SESSION_MARK}={self.record.number}"
        # The subprotocol list carries the XSRF token and, on a reconnect, the session id.
        subprotocols = ["streamlit", self.cookies.get("_streamlit_xsrf", "none")]
        if what == "reconnect":
            subprotocols.append(self.session_id)
        headers = {"Cookie": self._cookie_header()} if self.cookies else {}
        self.ws = await websockets.connect(
            url,
            subprotocols=subprotocols,
            additional_headers=headers,
            origin=f"{parts.scheme}://{parts.netloc}",
            max_size=None,
            open_timeout=30,
        )
        self.backend = self.ws.response.headers.get(BACKEND_HEADER, "direct")
        self._new_connection = True
        self.record.connections.append(Connection(what, self.backend))

    async def open(self) -> None:
        await asyncio.to_thread(self._load_page)
        await self._connect("websocket")
        await self.render("open", None)

    async def reconnect(self) -> None:
        await self.ws.close()
        await self._connect("reconnect")

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()

    # -- one script run ----------------------------------------------------------------

    async def render(self, kind: str, widget) -> Render:
        message = BackMsg()
        state = message.rerun_script
        state.page_name = PAGES[self.page]
        state.page_script_hash = self.page_hashes.get(PAGES[self.page], "")
        if widget is not None:
            state.widget_states.widgets.append(widget)
        state.cached_message_hashes.extend(self.cached_hashes)
        started = time.perf_counter()
        result = Render(self.record.number, self.page, kind, 0.0, self.backend)
        try:
            await self.ws.send(message.SerializeToString())
            await asyncio.wait_for(self._read_run(result), RENDER_TIMEOUT_SECONDS)
        except TimeoutError:
            result.error = f"no script_finished within {RENDER_TIMEOUT_SECONDS:.0f} s"
        except (websockets.ConnectionClosed, RenderError) as exc:
            result.error = f"{type(exc).__name__}: {exc}"
        result.seconds = time.perf_counter() - started
        self.renders.append(result)
        return result

    async def _read_run(self, result: Render) -> None:
        seen: set[str] = set()
        while True:
            data = await self.ws.recv()
            result.bytes += len(data)
            msg = ForwardMsg()
            msg.ParseFromString(data)
            kind = msg.WhichOneof("type")
            if msg.metadata.cacheable and msg.hash:
                seen.add(msg.hash)
            if kind == "ref_hash":
                result.cached_refs += 1
                seen.add(msg.ref_hash)
            elif kind == "new_session":
                self.session_id = msg.new_session.initialize.session_id
                if self._new_connection:  # the session id this connection is served under
                    self.record.session_ids.append(self.session_id)
                    self._new_connection = False
            elif kind == "navigation":
                for page in msg.navigation.app_pages:
                    self.page_hashes[page.url_pathname] = page.page_script_hash
            elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                self._element(msg.delta.new_element, result)
            elif kind == "script_finished":
                status = msg.script_finished
                if status == ForwardMsg.FINISHED_SUCCESSFULLY:
                    break
                if status == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    raise RenderError("the script did not compile")
                # FINISHED_EARLY_FOR_RERUN: the page asked for another run; wait for it.
        # The browser keeps cacheable elements for a few runs (max_cached_message_age: 2).
        self.cached_hashes = {h: 0 for h in seen} | {
            h: age + 1 for h, age in self.cached_hashes.items() if h not in seen and age < 1
        }

    def _element(self, element, result: Render) -> None:
        kind = element.WhichOneof("type")
        proto = getattr(element, kind)
        if kind == "exception":
            result.error = result.error or f"exception: {proto.type}: {proto.message}"[:300]
        elif kind == "alert" and proto.format == proto.ERROR:
            result.error = result.error or f"error shown: {proto.body}"[:300]
        widget_id = getattr(proto, "id", "") if kind != "exception" else ""
        if not widget_id.startswith("$$ID-"):
            return
        key = widget_id.split("-", 2)[2]
        self.widget_ids[key] = widget_id
        if kind in ("selectbox", "multiselect"):
            self.options[key] = list(proto.options)
        elif kind == "date_input" and key == "dates" and len(proto.default) == 2:
            self.as_of = date.fromisoformat(proto.default[1])

    # -- what a user does --------------------------------------------------------------

    def next_change(self):
        """The next filter change: (kind, the widget's new state)."""
        from streamlit.proto.WidgetStates_pb2 import WidgetState

        kinds = [k for k in CHANGES if self._can_change(k)]
        if not kinds:
            raise RenderError("the page showed no filter to change")
        kind = self.rng.choices(kinds, weights=[CHANGES[k] for k in kinds])[0]
        widget = WidgetState()
        if kind == "department":
            choices = [d for d in self.options["dept"] if d != self.values.get("dept")]
            widget.id, widget.string_value = self.widget_ids["dept"], self.rng.choice(choices)
            self.values["dept"] = widget.string_value
        elif kind == "site":
            choices = [s for s in self.options["site"] if s != self.values.get("site", "All")]
            widget.id, widget.string_value = self.widget_ids["site"], self.rng.choice(choices)
            self.values["site"] = widget.string_value
            self.values.pop("dept", None)  # the department list follows the site
        elif kind == "channel":
            chosen = self.rng.sample(self.options["channel"], self.rng.choice((0, 1, 1, 2)))
            widget.id = self.widget_ids["channel"]
            widget.string_array_value.data[:] = sorted(chosen)
        else:
            end = self.as_of - timedelta(days=30 * self.rng.randrange(12))
            start = end - timedelta(days=self.rng.choice((91, 365)))
            if self.unique:  # almost every window new: every statement a cache miss
                start -= timedelta(days=self.rng.randrange(60))
            widget.id = self.widget_ids["dates"]
            widget.string_array_value.data[:] = [start.isoformat(), end.isoformat()]
        return kind, widget

    def _can_change(self, kind: str) -> bool:
        key = {"department": "dept", "dates": "dates", "channel": "channel", "site": "site"}[kind]
        if key not in self.widget_ids:
            return False
        return self.as_of is not None if key == "dates" else bool(self.options.get(key))

    async def open_at(self, moment: float) -> None:
        """Load the page and render it at ``moment``."""
        await _sleep_until(moment)
        try:
            await self.open()
        except (OSError, websockets.InvalidHandshake) as exc:
            self._failed("open", exc)

    async def change_filters(self, start_at: float, end_at: float, reconnect_at) -> None:
        """Change a filter every ``interval`` from ``start_at`` until ``end_at``; reconnect
        once at the first change after ``reconnect_at`` (None: never)."""
        if self.ws is None:  # the page did not open
            return
        next_at = start_at
        try:
            while next_at < end_at:
                await _sleep_until(next_at)
                if reconnect_at is not None and time.monotonic() >= reconnect_at:
                    reconnect_at = None
                    await self.reconnect()
                kind, widget = self.next_change()
                done = await self.render(kind, widget)
                if done.error.startswith("ConnectionClosed"):
                    return
                # A user waits for the page before the next change: never two runs at once.
                next_at = max(next_at + self.interval, time.monotonic())
        except (OSError, websockets.InvalidHandshake) as exc:
            self._failed("reconnect", exc)
        except Exception as exc:  # a bug in this client: report it, keep the others going
            self._failed("client", exc)

    def _failed(self, kind: str, exc: BaseException) -> None:
        error = f"{type(exc).__name__}: {exc}"
        self.renders.append(Render(self.record.number, self.page, kind, 0.0, self.backend, error))


async def _sleep_until(moment: float) -> None:
    delay = moment - time.monotonic()
    if delay > 0:
        await asyncio.sleep(delay)


# -- the server's side ------------------------------------------------------------------


def process_sample(pid: int) -> dict:
    """CPU seconds (user + system) and resident memory of a process."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime
    memory = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            memory[name] = int(value.split()[0]) / 1024
    return {"cpu": cpu, "rss_mb": memory.get("VmRSS", 0.0), "peak_mb": memory.get("VmHWM", 0.0)}


def machine_busy_seconds() -> float:
    """CPU seconds every process on the machine has used (from /proc/stat)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle, iowait
    return (sum(values[:8]) - idle) / CLOCK_TICKS


def client_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def proxy_log_backends(log: Path | None) -> dict[int, list[str]]:
    """Per session (by the mark in its websocket URL), the backends HAProxy logged for it."""
    if log is None or not log.exists():
        return {}
    pattern = re.compile(rf" \w+/(\w+) .*\"GET /_stcore/stream\?{SESSION_MARK}=(\d+)")
    found: dict[int, list[str]] = {}
    for line in log.read_text(errors="replace").splitlines():
        match = pattern.search(line)
        if match:
            found.setdefault(int(match.group(2)), []).append(match.group(1))
    return found


# -- the run ----------------------------------------------------------------------------


async def drive(args, base_url: str, pids: dict[str, int]) -> dict:
    pages = args.pages
    sessions = [
        Session(
            i,
            base_url,
            pages[i % len(pages)],
            interval=args.interval,
            seed=args.seed,
            unique=args.unique,
        )
        for i in range(args.sessions)
    ]
    before = {name: process_sample(pid) for name, pid in pids.items()}
    t0 = time.monotonic()
    ramp = args.ramp if args.ramp is not None else args.interval
    # Sessions open one after another over the ramp; changes start once every one is open.
    await asyncio.gather(
        *(s.open_at(t0 + ramp * i / len(sessions)) for i, s in enumerate(sessions))
    )
    steady_start = max(t0 + ramp, time.monotonic()) + 0.5
    steady_end = steady_start + args.duration
    reconnect_at = steady_start + args.duration / 2 if args.reconnect else None
    steady = {name: process_sample(pid) for name, pid in pids.items()}
    busy_start, client_start = machine_busy_seconds(), client_cpu_seconds()
    await asyncio.gather(
        *(
            # Spread over the interval, so changes do not all arrive at once.
            s.change_filters(
                steady_start + args.interval * i / len(sessions), steady_end, reconnect_at
            )
            for i, s in enumerate(sessions)
        )
    )
    steady_seconds = time.monotonic() - steady_start
    after = {name: process_sample(pid) for name, pid in pids.items()}
    busy = machine_busy_seconds() - busy_start
    client = client_cpu_seconds() - client_start
    await asyncio.gather(*(s.close() for s in sessions))
    return {
        "sessions": sessions,
        "before": before,
        "steady": steady,
        "after": after,
        "steady_seconds": steady_seconds,
        "machine_busy": busy,
        "client_cpu": client,
    }


def percentile(values: list[float], q: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def latency_row(label: str, renders: list[Render]) -> str:
    good = [r.seconds * 1000 for r in renders if not r.error]
    errors = sum(1 for r in renders if r.error)
    if not good:
        return f"| {label} | {len(renders)} | - | - | - | {errors} |"
    return (
        f"| {label} | {len(renders)} | {statistics.median(good):.0f} | "
        f"{percentile(good, 95):.0f} | {max(good):.0f} | {errors} |"
    )


def summarise(args, outcome: dict, pids: dict[str, int], proxy_log: Path | None) -> dict:
    sessions: list[Session] = outcome["sessions"]
    renders = [r for s in sessions for r in s.renders]
    changes = [r for r in renders if r.kind in CHANGES]
    errors = [r for r in renders if r.error]
    good = [r.seconds for r in changes if not r.error]
    p95 = percentile(good, 95) if good else float("nan")
    servers = {}
    for name, pid in pids.items():
        start, end = outcome["steady"][name], outcome["after"][name]
        served = [r for r in changes if r.backend in (name, "direct")]
        cpu = end["cpu"] - start["cpu"]
        servers[name] = {
            "pid": pid,
            "sessions": sum(1 for s in sessions if s.backend in (name, "direct")),
            "changes": len(served),
            "cpu_seconds": cpu,
            "cpu_ms_per_change": 1000 * cpu / len(served) if served else None,
            "rss_mb_start": outcome["before"][name]["rss_mb"],
            "rss_mb_steady": start["rss_mb"],
            "rss_mb_end": end["rss_mb"],
            "peak_mb": end["peak_mb"],
        }
    server_cpu = sum(s["cpu_seconds"] for s in servers.values())
    logged = proxy_log_backends(proxy_log)
    sticky = {
        s.record.number: len(s.record.backends | set(logged.get(s.record.number, []))) == 1
        for s in sessions
    }
    return {
        "settings": {
            k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items() if k != "func"
        },
        "url": outcome.get("url"),
        "servers_started": outcome.get("servers_started", "already running"),
        "load_average_before": outcome.get("load_before"),
        "cores": os.cpu_count(),
        "steady_seconds": outcome["steady_seconds"],
        "renders": len(renders),
        "changes": len(changes),
        "errors": [asdict(r) for r in errors],
        "p50_change_seconds": statistics.median(good) if good else None,
        "p95_change_seconds": p95 if good else None,
        "servers": servers,
        "server_cpu_seconds": server_cpu,
        "server_cpu_ms_per_change": 1000 * server_cpu / len(changes) if changes and pids else None,
        "client_cpu_seconds": outcome["client_cpu"],
        "other_cpu_seconds": max(0.0, outcome["machine_busy"] - server_cpu - outcome["client_cpu"]),
        "sticky": sticky,
        "resumed": {s.record.number: s.record.resumed for s in sessions},
        "backends_by_session": {
            s.record.number: sorted(s.record.backends | set(logged.get(s.record.number, [])))
            for s in sessions
        },
        "proxy_log_backends": logged,
        "sessions_detail": [asdict(s.record) for s in sessions],
        "all_renders": [asdict(r) for r in renders],
        "_renders": renders,
    }


def report(summary: dict) -> str:
    renders: list[Render] = summary["_renders"]
    settings = summary["settings"]
    lines = [
        f"ptx load: {settings['sessions']} sessions on {summary['url']}, one filter change per "
        f"session every {settings['interval']:g} s for {summary['steady_seconds']:.0f} s "
        f"({'unique date windows: cache misses' if settings['unique'] else 'shared caches'}), "
        f"pages {', '.join(settings['pages'])}; {summary['cores']} cores",
        f"servers: {summary['servers_started']}",
        "",
        "| interaction | n | p50 ms | p95 ms | max ms | errors |",
        "|---|---|---|---|---|---|",
    ]
    kinds = ["open", *CHANGES, "reconnect", "client"]
    for kind in kinds:
        chosen = [r for r in renders if r.kind == kind]
        if chosen:
            lines.append(latency_row(kind, chosen))
    changes = [r for r in renders if r.kind in CHANGES]
    lines.append(latency_row("**every change**", changes))
    for page in settings["pages"]:
        chosen = [r for r in changes if r.page == page]
        if chosen:
            lines.append(latency_row(f"change on {page}", chosen))
    lines += [
        "",
        "| server | pid | sessions | changes | CPU s | CPU ms per change | RSS MB start / "
        "steady / end | peak RSS MB |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, s in summary["servers"].items():
        per = f"{s['cpu_ms_per_change']:.0f}" if s["cpu_ms_per_change"] is not None else "-"
        lines.append(
            f"| {name} | {s['pid']} | {s['sessions']} | {s['changes']} | {s['cpu_seconds']:.1f} "
            f"| {per} | {s['rss_mb_start']:.0f} / {s['rss_mb_steady']:.0f} / "
            f"{s['rss_mb_end']:.0f} | {s['peak_mb']:.0f} |"
        )
    if summary["servers"]:
        per = summary["server_cpu_ms_per_change"]
        lines.append(
            f"| all | | {settings['sessions']} | {summary['changes']} | "
            f"{summary['server_cpu_seconds']:.1f} | {per:.0f} | | |"
            if per is not None
            else "| all | | | 0 | | | | |"
        )
    steady = summary["steady_seconds"]
    quiet = (
        summary["other_cpu_seconds"] <= 0.05 * steady * summary["cores"]
        and (summary["load_average_before"] or 0) < 0.5
    )
    lines += [
        "",
        f"CPU during the steady phase ({steady:.0f} s, {summary['cores']} cores = "
        f"{steady * summary['cores']:.0f} CPU-s): servers {summary['server_cpu_seconds']:.1f} s, "
        f"this load client {summary['client_cpu_seconds']:.1f} s, other processes "
        f"{summary['other_cpu_seconds']:.1f} s; load average before the run "
        f"{summary['load_average_before']:.2f}"
        + ("" if quiet else "  <- the machine was not quiet: do not quote these figures"),
    ]
    sticky = summary["sticky"]
    resumed = [v for v in summary["resumed"].values() if v is not None]
    per_backend: dict[str, int] = {}
    for backends in summary["backends_by_session"].values():
        for b in backends:
            per_backend[b] = per_backend.get(b, 0) + 1
    lines.append(
        f"Stickiness: {sum(sticky.values())}/{len(sticky)} sessions had every connection (page, "
        f"websocket{', reconnect' if resumed else ''}) on one backend"
        + (
            f"; {sum(resumed)}/{len(resumed)} resumed their session after reconnecting"
            if resumed
            else ""
        )
        + "; sessions per backend: "
        + ", ".join(f"{b} {n}" for b, n in sorted(per_backend.items()))
    )
    p95 = summary["p95_change_seconds"]
    errors = summary["errors"]
    if p95 is not None:
        verdict = "met" if p95 < TARGET_P95_SECONDS and not errors else "not met"
        lines.append(
            f"Goal (p95 of filter changes under {TARGET_P95_SECONDS:.1f} s, no error): "
            f"p95 {p95:.2f} s, {len(errors)} error(s): {verdict}"
        )
    for e in errors[:10]:
        lines.append(f"  error: session {e['session']} {e['page']} {e['kind']}: {e['error']}")
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=20, help="simulated users (20)")
    parser.add_argument(
        "--interval",
        type=float,
        default=5.0,
        help="seconds between one session's filter changes (5)",
    )
    parser.add_argument(
        "--duration",
        type=float,
        default=120.0,
        help="seconds of filter changes, after every session opened (120)",
    )
    parser.add_argument(
        "--ramp", type=float, help="seconds over which sessions open (default: the interval)"
    )
    parser.add_argument(
        "--pages",
        default=",".join(PAGES),
        help="pages the sessions are spread over, round robin (all five)",
    )
    parser.add_argument(
        "--unique",
        action="store_true",
        help="vary date windows so nearly every change misses the caches",
    )
    parser.add_argument(
        "--reconnect",
        action="store_true",
        help="drop each websocket halfway and resume the session, as after a network blip",
    )
    parser.add_argument("--seed", type=int, default=1)
    served = parser.add_argument_group("servers started by this run (default)")
    served.add_argument(
        "--backends",
        type=int,
        default=os.cpu_count() or 2,
        help="Streamlit processes (default: one per core)",
    )
    served.add_argument(
        "--no-proxy",
        dest="proxy",
        action="store_false",
        help="one process, no HAProxy (needs --backends 1)",
    )
    served.add_argument("--source", help="PTX_SOURCE for the servers (default: data/demo.duckdb)")
    served.add_argument(
        "--server-option",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a Streamlit option for the servers, over the serving defaults "
        + ", ".join(f"{k}={v}" for k, v in SERVER_OPTIONS.items()),
    )
    served.add_argument("--keep", type=Path, help="keep haproxy.cfg and the server logs here")
    running = parser.add_argument_group("a server already running")
    running.add_argument("--url", help="drive this dashboard instead of starting servers")
    running.add_argument(
        "--pid",
        action="append",
        default=[],
        metavar="[NAME=]PID",
        help="a server process to measure, repeated for each; behind the proxy name it as the "
        "X-Ptx-Backend header does (b1=1234) to get its CPU per change",
    )
    parser.add_argument("--json", type=Path, help="write the summary and every render here")
    args = parser.parse_args(argv)
    args.pages = [p.strip() for p in args.pages.split(",") if p.strip()]
    unknown = set(args.pages) - set(PAGES)
    if unknown:
        parser.error(f"unknown pages {sorted(unknown)}; choose from {', '.join(PAGES)}")
    if not args.proxy and args.backends != 1 and not args.url:
        parser.error("--no-proxy serves one process: add --backends 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    load_before = os.getloadavg()[0]  # before this run starts anything: what others do
    cluster = None
    if args.url:
        base_url, proxy_log = args.url, None
        pids = {}
        for given in args.pid:
            name, _, pid = given.rpartition("=")
            pids[name or ("direct" if len(args.pid) == 1 else f"pid {pid}")] = int(pid)
    else:
        env = {"PTX_SOURCE": str(Path(args.source).resolve())} if args.source else {}
        options = dict(SERVER_OPTIONS)
        options.update(o.split("=", 1) for o in args.server_option)
        cluster = Cluster(
            backends=args.backends, proxy=args.proxy, workdir=args.keep, env=env, options=options
        ).start()
        base_url, proxy_log = cluster.url, cluster.proxy_log
        pids = {s.name if args.proxy else "direct": s.pid for s in cluster.servers}
        print(
            f"load: started {len(pids)} Streamlit process(es)"
            + (" behind HAProxy" if args.proxy else "")
            + f" at {base_url}",
            file=sys.stderr,
        )
    try:
        outcome = asyncio.run(drive(args, base_url, pids))
        outcome["url"] = base_url
        outcome["load_before"] = load_before
        if cluster is not None:
            outcome["servers_started"] = (
                f"{len(cluster.servers)} Streamlit process(es)"
                + (" behind HAProxy (sticky cookie, least connections)" if args.proxy else "")
                + ", options "
                + " ".join(f"{k}={v}" for k, v in cluster.options.items())
            )
        if cluster is not None and cluster.haproxy is not None:
            # HAProxy logs a websocket when it closes: wait for every one, a few seconds at most.
            websockets_opened = sum(
                1
                for s in outcome["sessions"]
                for c in s.record.connections
                if c.what in ("websocket", "reconnect")
            )
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                logged = proxy_log_backends(proxy_log)
                if sum(len(b) for b in logged.values()) >= websockets_opened:
                    break
                time.sleep(0.1)
        summary = summarise(args, outcome, pids, proxy_log)
    finally:
        if cluster is not None:
            cluster.stop()
    print(report(summary))
    if args.json:
        data = {k: v for k, v in summary.items() if not k.startswith("_")}
        args.json.write_text(json.dumps(data, indent=1, default=str))
    sticky = all(summary["sticky"].values()) and all(
        v is not False for v in summary["resumed"].values()
    )
    return 0 if not summary["errors"] and sticky else 1


if __name__ == "__main__":
    sys.exit(main())
