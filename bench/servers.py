"""The benchmark's servers: free ports, the rate-limit store they share, gunicorn started and stopped."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from bench.browser import Browser

ROOT = Path(__file__).resolve().parent.parent


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
