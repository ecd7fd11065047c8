"""`make bench`: build a large event, serve it with gunicorn, drive it with wrk, print the table.

    python -m bench.run [--duration 20] [--connections 32] [--workers N] [--only checkin,agenda]

The database is DATABASE_URL when set (PostgreSQL: its public schema is dropped
and made again first), else a fresh SQLite file in a temporary directory. The
same gunicorn settings serve Concierge (bench/app.py) and, on other ports, a
bare Flask "hello" (bench/hello.py), the ceiling each scenario is compared to,
and the write floor (bench/floor.py): one committed INSERT per request on the
same database, the most any check-in could reach.
Every request goes to 127.0.0.1. The table is printed and written to
bench/results/<date>-<database>.md.
"""

import argparse
import http.client
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
RESULTS = BENCH / "results"
CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
# Each scenario's requests/s as a share of hello's, at least (issue 16), by database.
SHARE_TARGETS = {
    "sqlite": {"checkin": 0.05, "my_trip": 0.05, "agenda": 0.05, "search": 0.05},
    "postgresql": {"checkin": 0.04, "my_trip": 0.03, "agenda": 0.03, "search": 0.03},
}
# Each scenario's p99 at most this many times its own median: no long tail.
P99_OVER_MEDIAN = 3.0
# Codes the lua scripts count beside HTTP statuses: a scan sent, a scan of a guest already used.
SENT, REPEATED = 0, 398


# -- Set-up: the database, the event, the servers ------------------------------------------------

def free_ports(count: int) -> list[int]:
    """`count` different free ports: each probe stays bound until all are chosen, so none is picked twice."""
    probes = [socket.socket() for _ in range(count)]
    try:
        for probe in probes:
            probe.bind(("127.0.0.1", 0))
        return [probe.getsockname()[1] for probe in probes]
    finally:
        for probe in probes:
            probe.close()


def rate_limit_storage() -> str:
    """Redis when one answers on 127.0.0.1:6379 (BENCH_RATELIMIT_STORAGE to choose): the store many workers share.

    Per-process memory would let each worker count its own scans, which is not
    how Concierge runs on more than one worker.
    """
    chosen = os.environ.get("BENCH_RATELIMIT_STORAGE")
    if chosen:
        return chosen
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return "redis://127.0.0.1:6379/0"
    except OSError:
        return "memory://"


def database_url(workdir: Path) -> tuple[str, str]:
    """The DATABASE_URL to serve and the database's name for the results file."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://", "postgresql+psycopg://")):
        return url, "postgresql"
    return f"sqlite:///{workdir / 'bench.sqlite3'}", "sqlite"


def build_event(env: dict, kind: str, sizes: dict) -> dict:
    """Migrate a fresh database, write the big event and a kiosk waiting to pair. Runs in this process."""
    os.environ.update(env)
    from flask_migrate import upgrade
    from sqlalchemy import select, text

    from bench import seed
    from portal import create_app
    from portal.checkin import devices
    from portal.extensions import db
    from portal.models import Event, User

    app = create_app()
    with app.app_context():
        if kind == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade(revision="heads")
        started = time.monotonic()
        built = seed.build(**sizes)
        seconds = time.monotonic() - started
        event = db.session.get(Event, built.event_id)
        organizer = db.session.scalar(select(User).where(User.email == seed.ORGANIZER))
        _device, pairing_code = devices.create_device(event, "Bench kiosk", "Hall A", organizer)
        db.session.commit()
        # Statistics for the planners, as a database that has been running would have them
        # (PostgreSQL's autovacuum analyses a bulk-loaded table only a while later).
        if kind == "sqlite":
            db.session.execute(text("PRAGMA optimize"))
        db.session.commit()
        if kind == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("VACUUM ANALYZE"))
        db.engine.dispose()
    return {"built": built, "pairing_code": pairing_code, "seconds": seconds}


def gunicorn(module: str, port: int, workers: int, threads: int, env: dict, log: Path,
             worker_class: str = "gthread") -> subprocess.Popen:
    command = [
        sys.executable, "-m", "gunicorn", module, "--bind", f"127.0.0.1:{port}",
        "--workers", str(workers), "--worker-class", worker_class, "--threads", str(threads),
        "--backlog", "2048", "--keep-alive", "5", "--log-level", "warning", "--error-logfile", str(log),
    ]
    return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)


def wait_until_up(port: int, path: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            status, _headers, _body = Browser(port).get(path)
            if status < 500:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"the server on port {port} did not come up; see its log")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


# -- A small browser: what a kiosk or a signed-in person holds before the load starts -----------

@dataclass
class Browser:
    port: int
    cookies: dict = field(default_factory=dict)

    def request(self, method: str, path: str, body: dict | None = None, headers: dict | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        sent = dict(headers or {})
        if self.cookies:
            sent["Cookie"] = self.cookie_header()
        payload = None
        if body is not None:
            payload = urlencode(body)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=payload, headers=sent)
        response = connection.getresponse()
        data = response.read().decode("utf-8", "replace")
        for value in response.headers.get_all("Set-Cookie") or ():
            for name, morsel in SimpleCookie(value).items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        connection.close()
        return response.status, response.headers, data

    def get(self, path: str, **headers):
        return self.request("GET", path, headers=headers)

    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def csrf(self, path: str) -> str:
        status, _headers, page = self.get(path)
        match = CSRF_INPUT.search(page)
        if not match:
            raise SystemExit(f"no form on {path} ({status})")
        return match.group(1)

    def sign_in(self, email: str, password: str) -> None:
        token = self.csrf("/login")
        status, headers, _ = self.request("POST", "/login", {"csrf_token": token, "email": email, "password": password})
        if status != 303:
            raise SystemExit(f"could not sign in as {email} ({status})")


def pair_kiosk(port: int, code: str) -> tuple[str, str]:
    """Pair a kiosk as staff would, open its start screen: the cookies and CSRF token a scan needs."""
    kiosk = Browser(port)
    token = kiosk.csrf("/kiosk/pair")
    status, headers, _ = kiosk.request("POST", "/kiosk/pair", {"csrf_token": token, "code": code})
    if status != 303 or "concierge_kiosk" not in kiosk.cookies:
        raise SystemExit(f"pairing the kiosk failed ({status})")
    token = kiosk.csrf("/kiosk/")
    return kiosk.cookie_header(), token


# -- The load ------------------------------------------------------------------------------------

@dataclass
class Scenario:
    key: str
    label: str
    port: int
    path: str
    script: str = "page.lua"
    env: dict = field(default_factory=dict)


@dataclass
class Result:
    scenario: Scenario
    requests: int
    seconds: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    socket_errors: int
    statuses: dict

    # The check-in run only: check-ins the database gained during it.
    written: int | None = None

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def unanswered(self) -> int:
        """Scans sent but not answered when wrk stopped (the server may still have made them)."""
        answered = sum(n for status, n in self.statuses.items() if status not in (SENT, REPEATED))
        return max(0, self.statuses.get(SENT, 0) - answered)


def run_wrk(scenario: Scenario, connections: int, threads: int, seconds: float, tickets: Path) -> Result:
    env = {**os.environ, "BENCH_DIR": str(BENCH), "BENCH_TICKETS": str(tickets),
           "BENCH_THREADS": str(threads), **scenario.env}
    command = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds:g}s", "--timeout", "10s",
               "-s", str(BENCH / scenario.script), f"http://127.0.0.1:{scenario.port}{scenario.path}"]
    finished = subprocess.run(command, env=env, capture_output=True, text=True, timeout=seconds + 60)
    line = next((ln for ln in finished.stdout.splitlines() if ln.startswith("BENCH_JSON ")), None)
    if finished.returncode != 0 or line is None:
        raise SystemExit(f"wrk failed for {scenario.key}:\n{finished.stdout}\n{finished.stderr}")
    data = json.loads(line.removeprefix("BENCH_JSON "))
    return Result(scenario, data["requests"], data["duration_us"] / 1e6, data["p50_us"] / 1000,
                  data["p90_us"] / 1000, data["p99_us"] / 1000, data["max_us"] / 1000, data["socket_errors"],
                  {int(k): v for k, v in data["statuses"].items()})


def checked_in_tickets() -> set[str]:
    """The ticket codes of the guests checked in so far, read from the database."""
    from sqlalchemy import select

    from portal import create_app
    from portal.extensions import db
    from portal.models import CheckIn, Registration

    app = create_app()
    with app.app_context():
        codes = set(db.session.scalars(
            select(Registration.ticket_code).join(CheckIn, CheckIn.registration_id == Registration.id)))
        db.engine.dispose()
    return codes


def unused_tickets(codes: list[str], workdir: Path) -> Path:
    """A file of the codes of guests not checked in yet, once the scans in flight have landed."""
    time.sleep(1)
    used = checked_in_tickets()
    fresh = workdir / f"tickets-{len(used)}.txt"
    fresh.write_text("\n".join(code for code in codes if code not in used) + "\n")
    return fresh


def run_checkin(scenario: Scenario, args, codes: list[str], workdir: Path) -> Result:
    """Warm up, then scan guests not checked in yet for as long as they last (at most --duration).

    Each measured scan must be a guest's first: a second scan writes nothing and
    would flatter the figures. The runner hands wrk only guests the database has
    not checked in, and counts the check-ins the run wrote, to set beside the
    "checked in" answers.
    """
    warmup = 1.0  # short: every scan of it uses up a guest
    first = run_wrk(scenario, args.connections, args.wrk_threads, warmup, unused_tickets(codes, workdir))
    fresh = unused_tickets(codes, workdir)
    left = len(fresh.read_text().split())
    before = len(checked_in_tickets())
    duration = float(max(1, int(min(args.duration, 0.7 * left / max(first.rate, 1.0)))))  # wrk takes whole seconds
    print(f"  {scenario.label}: {args.connections} connections, {duration:g} s …", flush=True)
    result = run_wrk(scenario, args.connections, args.wrk_threads, duration, fresh)
    time.sleep(1)  # the scans still in flight when wrk stopped land
    result.written = len(checked_in_tickets()) - before
    return result


# -- The report ----------------------------------------------------------------------------------

def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return {"cores": os.cpu_count() or 1, "cpu": cpu or platform.processor(), "memory": memory, "load": load,
            "python": platform.python_version(), "yardstick": yardstick()}


def yardstick(additions: int = 5_000_000) -> float:
    """Seconds one core takes for a plain Python loop: the same model name has run at twice or half this speed.

    Runs on different days compare through their ratios to "hello"; this says how fast the machine was.
    """
    started = time.perf_counter()
    total = 0
    for i in range(additions):
        total += i
    return time.perf_counter() - started


def answers(result: Result) -> str:
    names = {303: "checked in" if result.scenario.key == "checkin" else "303", 399: "other redirect",
             REPEATED: "sent to a guest already scanned"}
    parts = [f"{n} × {names.get(status, status)}" for status, n in sorted(result.statuses.items())
             if status != SENT]
    if result.socket_errors:
        parts.append(f"{result.socket_errors} socket errors")
    return ", ".join(parts)


def table(results: list[Result], ceiling: Result | None) -> str:
    lines = ["| scenario | requests/s | median ms | p99 ms | of ceiling | answers |",
             "|---|---:|---:|---:|---:|---|"]
    for r in results:
        share = f"{r.rate / ceiling.rate:.0%}" if ceiling and ceiling.rate else "–"
        lines.append(f"| {r.scenario.label} | {r.rate:,.0f} | {r.p50_ms:.1f} | {r.p99_ms:.1f} | {share} | {answers(r)} |")
    return "\n".join(lines)


def verdicts(results: list[Result], ceiling: Result | None, kind: str) -> list[str]:
    """Each target of issue 16, met or missed, and the check-in run's check of its own work."""
    out = []
    for r in results:
        target = SHARE_TARGETS[kind].get(r.scenario.key)
        if target is not None and ceiling and ceiling.rate:
            share = r.rate / ceiling.rate
            out.append(f"- {r.scenario.label}: {share:.1%} of hello (target ≥ {target:.0%}): "
                       f"{'met' if share >= target else 'MISSED'}")
    for r in (r for r in results if r.scenario.key not in ("hello", "floor")):
        if not r.requests or not r.p50_ms:
            out.append(f"- {r.scenario.label}: no answer in the run, no p99 to judge: MISSED")
            continue
        # wrk leaves requests it gave up on (timeouts) out of its percentiles: they are the longest tail.
        met = r.p99_ms <= P99_OVER_MEDIAN * r.p50_ms and not r.socket_errors
        errors = f", {r.socket_errors} socket errors or timeouts" if r.socket_errors else ""
        out.append(f"- {r.scenario.label}: p99 {r.p99_ms:.1f} ms, {r.p99_ms / r.p50_ms:.1f} × its median{errors} "
                   f"(target ≤ {P99_OVER_MEDIAN:g} ×): {'met' if met else 'MISSED'}")
    checkin = next((r for r in results if r.scenario.key == "checkin"), None)
    if checkin is not None and checkin.written is not None:
        answered = checkin.statuses.get(303, 0)
        # A scan answered "checked in" that wrote nothing was a second scan; a check-in written
        # without its answer can only be one still in flight when wrk stopped.
        honest = answered <= checkin.written <= answered + checkin.unanswered
        out.append(f"- check-in checks its work: {checkin.written:,} check-ins written, {answered:,} "
                   f"\"checked in\" answers, {checkin.unanswered} scans unanswered when wrk stopped: "
                   f"{'met' if honest else 'MISSED'}")
        repeated = checkin.statuses.get(REPEATED, 0)
        out.append(f"- every measured scan a guest's first: {repeated} repeated: "
                   f"{'met' if repeated == 0 else 'MISSED'}")
    floor = next((r for r in results if r.scenario.key == "floor"), None)
    if floor and ceiling and ceiling.rate:
        out.append(f"- for comparison, the write floor (one INSERT, no application work) at "
                   f"{floor.rate / ceiling.rate:.0%} of hello"
                   + (f"; check-in at {checkin.rate / floor.rate:.0%} of the floor" if checkin else ""))
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=float(os.environ.get("BENCH_DURATION", 20)),
                        help="seconds of load per scenario (BENCH_DURATION, default 20)")
    parser.add_argument("--warmup", type=float, default=float(os.environ.get("BENCH_WARMUP", 2)),
                        help="seconds of unrecorded load before each scenario (BENCH_WARMUP, default 2)")
    parser.add_argument("--connections", type=int, default=int(os.environ.get("BENCH_CONNECTIONS", 32)))
    parser.add_argument("--wrk-threads", type=int, default=int(os.environ.get("BENCH_WRK_THREADS", 2)))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("BENCH_WORKERS", 0)),
                        help="gunicorn workers (BENCH_WORKERS; default 2 × cores + 1, gunicorn's own advice)")
    parser.add_argument("--threads", type=int, default=int(os.environ.get("BENCH_GUNICORN_THREADS", 1)),
                        help="threads per gunicorn worker (BENCH_GUNICORN_THREADS, default 1; for gthread)")
    parser.add_argument("--worker-class", default=os.environ.get("BENCH_WORKER_CLASS", "sync"),
                        help="gunicorn worker class (BENCH_WORKER_CLASS, default sync, as the README deploys)")
    parser.add_argument("--guests", type=int, default=int(os.environ.get("BENCH_GUESTS", 5000)))
    parser.add_argument("--sessions", type=int, default=300)
    parser.add_argument("--tickets", type=int, default=500)
    parser.add_argument("--only", default=os.environ.get("BENCH_ONLY", ""),
                        help="comma-separated scenario keys: my_trip,agenda,search,helpdesk,checkin (hello and floor always run)")
    parser.add_argument("--no-write", action="store_true", help="print the table only")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk (make bench does this)")

    info = machine()
    workers = args.workers or 2 * info["cores"] + 1
    workdir = Path(tempfile.mkdtemp(prefix="concierge-bench-"))
    url, kind = database_url(workdir)
    limits = rate_limit_storage()
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": secrets.token_hex(32), "MAIL_SEND_INLINE": "0",
           "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": "9", "PYTHONPATH": str(ROOT), "RATELIMIT_STORAGE_URI": limits,
           "RATELIMIT_KEY_PREFIX": f"bench-{secrets.token_hex(4)}"}
    sizes = {"guests": args.guests, "sessions": args.sessions, "help_tickets": args.tickets}

    print(f"Building the event ({args.guests} guests, {args.sessions} sessions, {args.tickets} tickets) on {kind} …",
          flush=True)
    made = build_event({k: env[k] for k in ("DATABASE_URL", "SECRET_KEY", "MAIL_SEND_INLINE")}, kind, sizes)
    built = made["built"]
    print(f"  written in {made['seconds']:.1f} s: {built.agenda_entries} agenda entries", flush=True)
    tickets = workdir / "tickets.txt"
    tickets.write_text("\n".join(built.ticket_codes) + "\n")

    app_port, hello_port, floor_port = free_ports(3)
    os.environ["DATABASE_URL"] = url
    from bench import floor

    floor.create_table()
    servers = [
        gunicorn("bench.app:app", app_port, workers, args.threads, env, workdir / "concierge.log", args.worker_class),
        gunicorn("bench.hello:app", hello_port, workers, args.threads, env, workdir / "hello.log", args.worker_class),
        gunicorn("bench.floor:app", floor_port, workers, args.threads, env, workdir / "floor.log", args.worker_class),
    ]
    failed = True
    try:
        wait_until_up(app_port, "/healthz")
        wait_until_up(hello_port, "/")
        wait_until_up(floor_port, "/")
        if Browser(hello_port).get("/")[::2] != (200, "hello"):
            raise SystemExit(f"port {hello_port} does not answer as bench/hello.py; see hello.log")
        from bench import seed

        kiosk_cookie, kiosk_csrf = pair_kiosk(app_port, made["pairing_code"])
        guest = Browser(app_port)
        guest.sign_in(seed.TRIP_GUEST, seed.PASSWORD)
        organizer = Browser(app_port)
        organizer.sign_in(seed.ORGANIZER, seed.PASSWORD)
        # wrk sends the same Cookie header every time. A browser keeps the cookie its first page set
        # (a session's form secret is made once, on the first page with a form); without this, every
        # request of the load made a new secret and signed a new session cookie.
        guest.get(f"/e/{seed.SLUG}/me")
        organizer.get(f"/staff/e/{seed.SLUG}/guests")
        desk = Browser(app_port)
        desk.sign_in(seed.HELPDESK, seed.PASSWORD)
        queue_path = f"/staff/e/{seed.SLUG}/helpdesk"
        _status, headers, _ = desk.get(queue_path, **{"HX-Request": "true"})
        etag = headers.get("ETag", "")

        scenarios = [
            Scenario("hello", "hello (ceiling)", hello_port, "/"),
            Scenario("floor", "write floor: one committed INSERT, nothing else", floor_port, "/",
                     script="write.lua"),
            Scenario("my_trip", "My trip (signed-in guest)", app_port, f"/e/{seed.SLUG}/me",
                     env={"BENCH_COOKIE": guest.cookie_header()}),
            Scenario("agenda", f"agenda page, opening day of {args.sessions} sessions (signed-in guest)", app_port,
                     f"/e/{seed.SLUG}/agenda", env={"BENCH_COOKIE": guest.cookie_header()}),
            Scenario("search", "staff guest search (htmx rows)", app_port, f"/staff/e/{seed.SLUG}/guests?q=wang",
                     env={"BENCH_COOKIE": organizer.cookie_header(), "BENCH_HX": "1"}),
            Scenario("helpdesk", "help-desk queue refresh (htmx, If-None-Match)", app_port, queue_path,
                     env={"BENCH_COOKIE": desk.cookie_header(), "BENCH_HX": "1", "BENCH_ETAG": etag}),
            Scenario("checkin", "kiosk check-in (a different guest each scan)", app_port, "/kiosk/",
                     script="checkin.lua", env={"BENCH_COOKIE": kiosk_cookie, "BENCH_CSRF": kiosk_csrf}),
        ]
        wanted = {k.strip() for k in args.only.split(",") if k.strip()}
        if wanted:
            scenarios = [s for s in scenarios if s.key in wanted or s.key in ("hello", "floor")]

        results = []
        for scenario in scenarios:
            if scenario.key == "checkin":
                results.append(run_checkin(scenario, args, built.ticket_codes, workdir))
                continue
            print(f"  {scenario.label}: {args.connections} connections, {args.duration:g} s …", flush=True)
            if args.warmup > 0:
                run_wrk(scenario, args.connections, args.wrk_threads, args.warmup, tickets)
            results.append(run_wrk(scenario, args.connections, args.wrk_threads, args.duration, tickets))
        failed = False
    finally:
        for server in servers:
            stop(server)
        if failed:
            print(f"Server logs kept in {workdir}", file=sys.stderr)

    ceiling = next((r for r in results if r.scenario.key == "hello"), None)
    title = f"Concierge benchmark, {date.today().isoformat()}, {kind}"
    server = f"gunicorn {workers} {args.worker_class} workers" + (
        f" × {args.threads} threads" if args.worker_class == "gthread" else "")
    settings = (f"{info['cores']} cores ({info['cpu']}), {info['memory']}, load average before the run "
                f"{info['load']}; one core's speed: a Python loop of 5 million additions in "
                f"{info['yardstick']:.2f} s; Python {info['python']}; {server}, rate limits in {limits.split(':')[0]}; "
                f"wrk {args.wrk_threads} threads, {args.connections} connections, "
                f"{args.duration:g} s per scenario after {args.warmup:g} s warm-up; event of {built.guests} guests, "
                f"{built.sessions} sessions, {built.agenda_entries} agenda entries, {built.tickets} help-desk tickets.")
    checkin = next((r for r in results if r.scenario.key == "checkin"), None)
    if checkin is not None:
        settings += (f" Kiosk check-in ran {checkin.seconds:.1f} s, after a warm-up on other guests: as long "
                     f"as the confirmed guests not checked in yet last, so each scan is a guest's first.")
    report = "\n".join([f"# {title}", "", settings, "", table(results, ceiling), "", "Targets:", "",
                        *verdicts(results, ceiling, kind), ""])
    print()
    print(report)
    if not args.no_write:
        RESULTS.mkdir(exist_ok=True)
        path = RESULTS / f"{date.today().isoformat()}-{kind}.md"
        path.write_text(report)
        print(f"Written to {path.relative_to(ROOT)}")
    shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
