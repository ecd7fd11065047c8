"""SQLite's writers queue on the file lock beside the database instead of timing out.

Behind a writer stuck in its transaction, they give up after the queue's own
timeout, on any thread.

These tests make their own SQLite file whatever TEST_DATABASE_URL names: the
queue belongs to the embedded database, and CI runs them in both passes.
"""

import fcntl
import os
import threading
import time

import pytest
from sqlalchemy import create_engine
from sqlalchemy.exc import OperationalError

from portal import database
from portal.database import engine_options

WRITERS = 8
TURNS = 5


@pytest.fixture(autouse=True)
def short_busy_timeout(monkeypatch):
    """SQLite gives up on a busy lock after 50 ms here, not 30 s."""
    monkeypatch.setattr(database, "SQLITE_BUSY_TIMEOUT_SECONDS", 0.05)


def _engine(path):
    uri = f"sqlite:///{path}"
    options = engine_options(uri)
    options["connect_args"] = {**options["connect_args"], "timeout": database.SQLITE_BUSY_TIMEOUT_SECONDS}
    engine = create_engine(uri, pool_size=WRITERS, **options)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE tally (n INTEGER NOT NULL)")
        connection.exec_driver_sql("INSERT INTO tally VALUES (0)")
    return engine


def test_writers_wait_their_turn_longer_than_the_busy_timeout(tmp_path):
    # Each writer holds the lock 30 ms; eight of them queue for up to 210 ms, more
    # than SQLite's own 50 ms busy timeout here would wait before "database is locked".
    engine = _engine(tmp_path / "queue.sqlite3")
    start = threading.Barrier(WRITERS)
    errors = []

    def writer():
        start.wait()
        for _ in range(TURNS):
            try:
                with engine.begin() as connection:
                    seen = connection.exec_driver_sql("SELECT n FROM tally").scalar()
                    time.sleep(0.03)
                    connection.exec_driver_sql("UPDATE tally SET n = ?", (seen + 1,))
            except OperationalError as error:
                errors.append(error)

    threads = [threading.Thread(target=writer) for _ in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    with engine.connect() as connection:
        # Read, wait, write: any two writers inside at once would have lost an increment.
        assert connection.exec_driver_sql("SELECT n FROM tally").scalar() == WRITERS * TURNS
    assert os.path.exists(f"{tmp_path / 'queue.sqlite3'}-writers")
    engine.dispose()


def test_a_failed_write_lets_the_next_writer_in(tmp_path):
    engine = _engine(tmp_path / "failed.sqlite3")
    with pytest.raises(ZeroDivisionError):
        with engine.begin() as connection:
            connection.exec_driver_sql("UPDATE tally SET n = 1")
            1 / 0  # noqa: B018 - the transaction fails half-way and is rolled back

    done = threading.Event()

    def other_writer():
        with engine.begin() as connection:
            connection.exec_driver_sql("UPDATE tally SET n = n + 10")
        done.set()

    thread = threading.Thread(target=other_writer)
    thread.start()
    thread.join(timeout=5)
    assert done.is_set(), "the rolled-back writer still held the queue"
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT n FROM tally").scalar() == 10
    engine.dispose()


class StuckWriter:
    """Another writer, stuck in its transaction: it holds the queue's lock and never commits."""

    def __init__(self, database_path):
        self.fd = os.open(f"{database_path}-writers", os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self.fd, fcntl.LOCK_EX)
        self._leaving = threading.Lock()

    def leave(self):
        with self._leaving:
            if self.fd is not None:
                os.close(self.fd)
                self.fd = None


def test_a_writer_gives_up_in_time_behind_a_stuck_one_and_keeps_no_lock(tmp_path, monkeypatch):
    monkeypatch.setattr(database, "WRITER_QUEUE_TIMEOUT_SECONDS", 0.3)
    path = tmp_path / "stuck.sqlite3"
    engine = _engine(path)
    stuck = StuckWriter(path)
    unstuck = threading.Timer(5, stuck.leave)  # without a bound of its own, the writer would get in then
    unstuck.start()
    started = time.monotonic()
    with pytest.raises(OperationalError, match="database is locked"):
        with engine.begin() as connection:
            connection.exec_driver_sql("UPDATE tally SET n = 1")
    waited = time.monotonic() - started
    assert 0.3 <= waited < 5
    unstuck.cancel()
    stuck.leave()
    with engine.begin() as connection:  # the writer that gave up holds nothing
        connection.exec_driver_sql("UPDATE tally SET n = 2")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT n FROM tally").scalar() == 2
    engine.dispose()


def test_a_writer_on_another_thread_gives_up_in_time_too(tmp_path, monkeypatch):
    monkeypatch.setattr(database, "WRITER_QUEUE_TIMEOUT_SECONDS", 0.3)
    path = tmp_path / "thread.sqlite3"
    engine = _engine(path)
    stuck = StuckWriter(path)
    errors = []

    def writer():
        try:
            with engine.begin() as connection:
                connection.exec_driver_sql("UPDATE tally SET n = 1")
        except OperationalError as error:
            errors.append(error)

    thread = threading.Thread(target=writer)
    thread.start()
    thread.join(timeout=5)
    assert not thread.is_alive(), "the writer waited past its deadline"
    assert len(errors) == 1 and "database is locked" in str(errors[0])
    stuck.leave()
    engine.dispose()


def test_a_writer_whose_turn_comes_in_time_writes(tmp_path, monkeypatch):
    monkeypatch.setattr(database, "WRITER_QUEUE_TIMEOUT_SECONDS", 5)
    path = tmp_path / "late.sqlite3"
    engine = _engine(path)
    stuck = StuckWriter(path)
    threading.Timer(0.2, stuck.leave).start()
    with engine.begin() as connection:
        connection.exec_driver_sql("UPDATE tally SET n = 3")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT n FROM tally").scalar() == 3
    engine.dispose()


def test_a_turn_that_comes_as_time_runs_out_is_taken_or_refused_and_never_kept(tmp_path, monkeypatch):
    # The stuck writer leaves around the moment the wait's time runs out (from 10 ms before to
    # 30 ms after), forty times: the writer either writes or gets "database is locked", and never
    # keeps the lock.
    monkeypatch.setattr(database, "WRITER_QUEUE_TIMEOUT_SECONDS", 0.02)
    path = tmp_path / "edge.sqlite3"
    engine = _engine(path)
    written = 0
    for step in range(40):
        stuck = StuckWriter(path)
        leaving = threading.Timer(0.01 + step * 0.001, stuck.leave)
        leaving.start()
        try:
            with engine.begin() as connection:
                connection.exec_driver_sql("UPDATE tally SET n = n + 1")
            written += 1
        except OperationalError as error:
            assert "database is locked" in str(error)
        leaving.join()
        probe = os.open(f"{path}-writers", os.O_RDWR)
        try:
            fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)  # BlockingIOError: somebody kept it
        finally:
            os.close(probe)
    with engine.begin() as connection:
        assert connection.exec_driver_sql("SELECT n FROM tally").scalar() == written
    engine.dispose()
