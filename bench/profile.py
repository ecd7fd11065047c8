"""Where one request of each benchmark scenario spends its time, in one process, no server.

    python -m bench.profile [--requests 200] [--only agenda,checkin] [--top 25] [--callees NAME] [--callers NAME]
                            [--statements]

Builds the same event as `make bench` (SQLite in a temporary directory, or
DATABASE_URL), signs in the same people through the real forms, then runs each
scenario's request through the Flask test client: milliseconds per request,
SQL statements per request, and with --top the functions that cost the most
(cProfile, cumulative). Figures here are one thread on an idle core; `make
bench` is what the targets are measured with.
"""

import argparse
import cProfile
import os
import pstats
import re
import secrets
import sys
import tempfile
import time
from pathlib import Path

from bench.database import build_event, database_url
from bench.servers import rate_limit_storage

CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _token(client, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    return CSRF_INPUT.search(page).group(1)


def _signed_in(app, email: str, password: str):
    client = app.test_client()
    token = _token(client, "/login")
    answer = client.post("/login", data={"csrf_token": token, "email": email, "password": password})
    assert answer.status_code == 303, f"could not sign in as {email}"
    return client


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--only", default="")
    parser.add_argument("--top", type=int, default=0, help="print the N costliest functions per scenario")
    parser.add_argument("--callees", default="", help="with --top: also what functions matching this call")
    parser.add_argument("--callers", default="", help="with --top: also what calls functions matching this")
    parser.add_argument("--statements", action="store_true", help="print the SQL statements of one request")
    parser.add_argument("--guests", type=int, default=5000)
    args = parser.parse_args(argv)

    workdir = Path(tempfile.mkdtemp(prefix="concierge-profile-"))
    url, kind = database_url(workdir)
    env = {"DATABASE_URL": url, "SECRET_KEY": secrets.token_hex(32), "MAIL_SEND_INLINE": "0",
           "RATELIMIT_STORAGE_URI": rate_limit_storage(), "RATELIMIT_KEY_PREFIX": f"bench-{secrets.token_hex(4)}"}
    made = build_event(env, kind, {"guests": args.guests, "sessions": 300, "help_tickets": 500})
    codes = made["built"].ticket_codes

    from sqlalchemy import event as sa_event

    from bench import seed
    from bench.app import app
    from portal.extensions import db

    statements, seen = [0], []

    def counted(_conn, _cursor, statement, *_rest):
        statements[0] += 1
        seen.append(" ".join(statement.split()))

    with app.app_context():
        sa_event.listen(db.engine, "before_cursor_execute", counted)

    kiosk = app.test_client()
    token = _token(kiosk, "/kiosk/pair")
    kiosk.post("/kiosk/pair", data={"csrf_token": token, "code": made["pairing_code"]})
    kiosk_token = _token(kiosk, "/kiosk/")
    guest = _signed_in(app, seed.TRIP_GUEST, seed.PASSWORD)
    organizer = _signed_in(app, seed.ORGANIZER, seed.PASSWORD)
    desk = _signed_in(app, seed.HELPDESK, seed.PASSWORD)
    queue = f"/staff/e/{seed.SLUG}/helpdesk"
    etag = desk.get(queue, headers={"HX-Request": "true"}).headers.get("ETag", "")
    scans = iter(codes)

    from bench.hello import app as hello_app

    bare = hello_app.test_client()
    scenarios = {
        "hello": lambda: bare.get("/"),
        "healthz": lambda: guest.get("/healthz"),
        "event_home": lambda: guest.get(f"/e/{seed.SLUG}/"),
        "my_trip": lambda: guest.get(f"/e/{seed.SLUG}/me"),
        "agenda": lambda: guest.get(f"/e/{seed.SLUG}/agenda"),
        "search": lambda: organizer.get(f"/staff/e/{seed.SLUG}/guests?q=wang", headers={"HX-Request": "true"}),
        "helpdesk": lambda: desk.get(queue, headers={"HX-Request": "true", "If-None-Match": etag}),
        "helpdesk_render": lambda: desk.get(queue, headers={"HX-Request": "true"}),
        "checkin": lambda: kiosk.post("/kiosk/", data={"csrf_token": kiosk_token, "nonce": secrets.token_urlsafe(16),
                                                       "ticket": next(scans)}),
    }
    wanted = {k for k in args.only.split(",") if k}
    print(f"| scenario | ms/request | CPU ms/request | SQL/request | status | bytes |\n|---|---:|---:|---:|---|---:|")
    for key, call in scenarios.items():
        if wanted and key not in wanted:
            continue
        for _ in range(5):
            call()
        if args.statements:
            seen.clear()
            call()
            print(f"{key}: {len(seen)} statements\n" + "\n".join(f"  {line[:160]}" for line in seen))
        statements[0] = 0
        profiler = cProfile.Profile() if args.top else None
        started, cpu_started = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        for _ in range(args.requests):
            answer = call()
        if profiler:
            profiler.disable()
        ms = (time.perf_counter() - started) * 1000 / args.requests
        cpu_ms = (time.process_time() - cpu_started) * 1000 / args.requests
        print(f"| {key} | {ms:.2f} | {cpu_ms:.2f} | {statements[0] / args.requests:.1f} | {answer.status_code} | "
              f"{len(answer.get_data())} |", flush=True)
        if profiler:
            pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(args.top)
            pstats.Stats(profiler, stream=sys.stdout).sort_stats("tottime").print_stats(args.top)
            if args.callees:
                pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_callees(args.callees)
            if args.callers:
                pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_callers(args.callers)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("MAIL_SEND_INLINE", "0")
    sys.exit(main())
