"""The benchmark's report: the machine it ran on, the table of results, and each target met or missed."""

import os
import platform
import time
from datetime import date
from pathlib import Path

from bench.load import REPEATED, SENT, Result

# Each scenario's requests/s as a share of hello's, at least (issue 16), by database.
SHARE_TARGETS = {
    "sqlite": {"checkin": 0.05, "my_trip": 0.05, "agenda": 0.05, "search": 0.05},
    "postgresql": {"checkin": 0.04, "my_trip": 0.03, "agenda": 0.03, "search": 0.03},
}
# Each scenario's p99 at most this many times its own median: no long tail.
P99_OVER_MEDIAN = 3.0


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


def markdown(results: list[Result], kind: str, info: dict, args, workers: int, limits: str, built) -> str:
    """The whole report: title, how the run was set up, the table and the targets."""
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
    return "\n".join([f"# {title}", "", settings, "", table(results, ceiling), "", "Targets:", "",
                      *verdicts(results, ceiling, kind), ""])
