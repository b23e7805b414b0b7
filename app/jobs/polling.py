"""One daemon thread per process and app that drains a table-backed queue: woken after the
commits that fill it, polling otherwise (retries, and rows whose worker died). The notification
outbox (app/notify/delivery.py) and the task queue (app/tasks/worker.py) each keep one set."""
from __future__ import annotations

import logging
import os
import threading
from typing import Callable

from flask import Flask

#: ``drain(should_stop)`` runs what is due and returns counts (e.g. {"done": 2, "failed": 0}).
Drain = Callable[[Callable[[], bool]], dict]


class PollingThread:
    def __init__(self, app: Flask, name: str, drain: Drain, poll_setting: str, log: logging.Logger) -> None:
        self.app, self.pid = app, os.getpid()
        self._drain, self._poll_setting, self._log = drain, poll_setting, log
        self._wake, self._stopping = threading.Event(), False
        self.thread = threading.Thread(target=self._run, name=name, daemon=True)
        self.thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 10) -> None:
        self._stopping = True
        self._wake.set()
        self.thread.join(timeout)

    def _run(self) -> None:
        while not self._stopping:
            self._wake.clear()  # before draining: a commit during the drain wakes the next round
            try:
                with self.app.app_context():
                    counts = self._drain(lambda: self._stopping)
                if any(counts.values()):
                    self._log.info("%s: %s", self.thread.name, counts)
            except Exception:  # noqa: BLE001 - never kill the thread (nor the process): try again later
                self._log.exception("%s: run failed", self.thread.name)
            self._wake.wait(float(self.app.config[self._poll_setting]))


class PollingThreads:
    """This process's thread per app (started on first use; again after a fork or a crash)."""

    def __init__(self, name: str, drain: Drain, poll_setting: str, log: logging.Logger) -> None:
        self._args = (name, drain, poll_setting, log)
        self._threads: dict[int, PollingThread] = {}
        self._lock = threading.Lock()

    def get(self, app: Flask) -> PollingThread:
        with self._lock:
            worker = self._threads.get(id(app))
            if worker is None or worker.pid != os.getpid() or not worker.thread.is_alive():
                worker = self._threads[id(app)] = PollingThread(app, *self._args)
            return worker

    def stop(self, app: Flask) -> None:
        with self._lock:
            worker = self._threads.pop(id(app), None)
        if worker is not None:
            worker.stop()
