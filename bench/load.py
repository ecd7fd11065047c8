"""The load: each scenario driven by wrk and its lua script, and the kiosk check-in run that
scans only guests not checked in yet.
"""

import json
import os
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
# Codes the lua scripts count beside HTTP statuses: a scan sent, a scan of a guest already used.
SENT, REPEATED = 0, 398


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
