"""Kinds of background task: a name stored on the task row selects the code that runs it.

A kind's ``run(task, progress)`` does the work and returns the result's name (or None); it is
called again from the start when a worker dies, so it must be safe to repeat (a result that
already exists is handed back, rows of an earlier attempt are replaced). ``on_done`` and
``on_failed`` run in the transaction that marks the task done or finally failed, once per
task whatever happened to its workers: that is where a kind records "finished" for its user.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any, Callable

from sqlalchemy.orm import Session


@dataclass(frozen=True)
class ClaimedTask:
    """A task as one worker's attempt sees it (a snapshot: the row may move on)."""

    id: int
    kind: str
    args: dict[str, Any]
    requested_by: int | None
    attempts: int  # this attempt's number, from 1
    max_attempts: int
    token: str  # the claim: progress and finishing count only while it holds the lease


Progress = Callable[..., None]  # progress(done, total=None); raises LeaseLost when taken over


@dataclass(frozen=True)
class TaskKind:
    run: Callable[[ClaimedTask, Progress], str | None]
    on_done: Callable[[Session, ClaimedTask, str | None], None] | None = None
    on_failed: Callable[[Session, ClaimedTask, str], None] | None = None


KINDS: dict[str, TaskKind] = {}
# Modules that register kinds when imported: a worker process imports them all before claiming.
KIND_MODULES = ("app.reports.export", "app.reports.statistics_export", "app.services.sme.ruleset_bench",
                "app.reports.bulk_pdf", "app.services.certificate_issuance")
_loaded = False


def register(name: str, run, on_done=None, on_failed=None) -> TaskKind:
    KINDS[name] = TaskKind(run, on_done, on_failed)
    return KINDS[name]


def kind(name: str) -> TaskKind:
    """:raises KeyError: For a kind no module registers (a task from a newer release)."""
    global _loaded
    if not _loaded:
        for module in KIND_MODULES:
            importlib.import_module(module)
        _loaded = True
    return KINDS[name]
