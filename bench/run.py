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

This module only runs the steps in order; the parts live beside it: database.py
(the database and the big event), servers.py (ports, gunicorn), browser.py
(signing in before the load), load.py (wrk and the check-in run), report.py.
"""

import argparse
import os
import secrets
import shutil
import sys
import tempfile
from datetime import date
from pathlib import Path

from bench.browser import Browser, pair_kiosk
from bench.database import build_event, database_url
from bench.load import Scenario, run_checkin, run_wrk
from bench.report import machine, markdown
from bench.servers import ROOT, free_ports, gunicorn, rate_limit_storage, stop, wait_until_up

RESULTS = ROOT / "bench" / "results"


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

    report = markdown(results, kind, info, args, workers, limits, built)
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
