"""Exactly one scheduler per deployment: a lock that a second scheduler waits for.

APScheduler 3 cannot share a job store between schedulers (two processes on one store ran
every job twice, see STACK-NOTES), so ``flask scheduler`` takes this lock before it starts:

* PostgreSQL: a *session-level* advisory lock (``pg_try_advisory_lock``) on a dedicated
  connection, in autocommit mode and detached from any pool. The lock lives exactly as long as
  that connection: if the process dies (even SIGKILL) the server drops the connection and the
  lock with it, so a waiting scheduler takes over. Advisory locks are per database, so every
  scheduler pointed at the same database competes, whatever schema its search_path names.
  Needs a direct connection (or PgBouncer in *session* pooling): transaction pooling hands the
  session to other clients and breaks session locks.
* SQLite (development, one machine): an exclusive ``fcntl.flock`` on a lock file next to the
  database file; the kernel releases it when the process dies.

Both wait by polling every ``poll_seconds``; the first failed attempt logs
"another scheduler holds the lock; waiting" (once) and calls ``on_wait``.
"""
from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import time
from pathlib import Path
from typing import Callable, Iterator

import sqlalchemy as sa

log = logging.getLogger("shenbao.jobs")

#: The advisory-lock key of the Shenbao scheduler: a fixed signed 64-bit number, derived once as
#: ``int.from_bytes(hashlib.sha256(b"shenbao.scheduler").digest()[:8], "big", signed=True)``
#: (tests check the derivation). Fixed, not computed from APP_NAME, so renaming the app in the
#: configuration cannot let two schedulers hold different locks.
SCHEDULER_LOCK_KEY = -103148560694350077
WAITING_MESSAGE = "another scheduler holds the lock; waiting"


def lock_key(name: str = "shenbao.scheduler") -> int:
    """The signed 64-bit advisory-lock key for ``name`` (how SCHEDULER_LOCK_KEY was made)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


class SchedulerLock:
    """What :func:`hold_scheduler_lock` yields: ``waited`` says whether another holder was seen;
    :meth:`verify` says whether the lock is still ours (PostgreSQL: the connection is alive and
    the server still lists the lock)."""

    def __init__(self, kind: str, key: int, conn: sa.Connection | None = None, fd: int | None = None):
        self.kind, self.key, self.waited = kind, key, False
        self._conn, self._fd = conn, fd

    def verify(self) -> bool:
        if self.kind == "file":
            return self._fd is not None
        unsigned = self.key & 0xFFFFFFFFFFFFFFFF
        try:
            return bool(self._conn.execute(sa.text(
                "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted"
                " AND pid = pg_backend_pid() AND classid::bigint = :hi AND objid::bigint = :lo"
                " AND objsubid = 1)"), {"hi": unsigned >> 32, "lo": unsigned & 0xFFFFFFFF}).scalar())
        except Exception:  # noqa: BLE001 - a dead connection means the lock is gone
            log.exception("scheduler lock check failed")
            return False


def _wait_loop(try_once: Callable[[], bool], lock: SchedulerLock, poll_seconds: float,
               on_wait: Callable[[], object] | None) -> None:
    while not try_once():
        if not lock.waited:
            lock.waited = True
            log.warning(WAITING_MESSAGE)
            if on_wait is not None:
                on_wait()
        time.sleep(poll_seconds)


@contextlib.contextmanager
def hold_scheduler_lock(engine: sa.Engine, key: int = SCHEDULER_LOCK_KEY, poll_seconds: float = 5.0,
                        on_wait: Callable[[], object] | None = None, *,
                        lock_file: str | os.PathLike | None = None) -> Iterator[SchedulerLock]:
    """Block until this process is the only scheduler for ``engine``'s database; hold it inside.

    :param key: PostgreSQL advisory-lock key (ignored on SQLite).
    :param lock_file: SQLite only: the lock file (default: ``<database file>.scheduler.lock``;
        required for an in-memory database).
    :raises ValueError: another database than PostgreSQL or SQLite.
    """
    dialect = engine.dialect.name
    if dialect == "postgresql":
        with _pg_lock(engine, key, poll_seconds, on_wait) as lock:
            yield lock
    elif dialect == "sqlite":
        path = lock_file or _sqlite_lock_path(engine)
        with _file_lock(Path(path), key, poll_seconds, on_wait) as lock:
            yield lock
    else:
        raise ValueError(f"no scheduler lock for {dialect} (PostgreSQL or SQLite only)")


@contextlib.contextmanager
def _pg_lock(engine, key, poll_seconds, on_wait) -> Iterator[SchedulerLock]:
    # Autocommit: no transaction left idle for days. Detached from the pool: closing it must
    # close the server session (and so drop the lock), never hand a locked session on.
    conn = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    conn.detach()
    lock = SchedulerLock("postgresql", key, conn=conn)
    acquired = False
    try:
        def try_once() -> bool:
            return bool(conn.execute(sa.text("SELECT pg_try_advisory_lock(:key)"), {"key": key}).scalar())

        _wait_loop(try_once, lock, poll_seconds, on_wait)
        acquired = True
        log.info("scheduler lock acquired (PostgreSQL advisory lock %s)", key)
        yield lock
    finally:
        try:
            if acquired:
                conn.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": key})
        except Exception:  # noqa: BLE001 - closing the session releases it anyway
            log.warning("pg_advisory_unlock failed; the lock goes with the connection", exc_info=True)
        finally:
            conn.close()


def _sqlite_lock_path(engine: sa.Engine) -> Path:
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        raise ValueError("SQLite scheduler lock: pass lock_file for this database")
    return Path(database + ".scheduler.lock")


@contextlib.contextmanager
def _file_lock(path: Path, key, poll_seconds, on_wait) -> Iterator[SchedulerLock]:
    import fcntl

    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    lock = SchedulerLock("file", key, fd=fd)
    acquired = False
    try:
        def try_once() -> bool:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                return False

        _wait_loop(try_once, lock, poll_seconds, on_wait)
        acquired = True
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())  # who holds it, for people looking
        log.info("scheduler lock acquired (file lock %s)", path)
        yield lock
    finally:
        if acquired:
            fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
        lock._fd = None
