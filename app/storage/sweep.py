"""Orphaned upload files: what a process killed mid-upload leaves behind.

``save_upload`` writes ``<name>.part``, fsyncs it, renames it to ``<name>`` and adds the
``Attachment`` row that its caller commits. A process killed in between leaves a ``.part`` file,
or a stored file that no row names. :func:`sweep_orphans` removes both once they are older
than a grace period, so an upload still in flight (file written, row not yet committed) is
never touched. Only the storage layout is looked at (keys ``<first two letters>/<name>``, in the
folder or the bucket of ``STORAGE_BACKEND``); anything else (task results under ``results/``,
files put there by hand) is left alone. On S3 an object appears only once written whole, so
``.part`` objects are not made there; the rules are the same.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.storage.backends import storage_backend
from models import Attachment

log = logging.getLogger("shenbao.storage")
BATCH = 500


@dataclass(frozen=True)
class SweepResult:
    scanned: int  # files in the storage layout
    orphans_removed: int  # stored files no attachment row names
    parts_removed: int  # left-over .part files
    kept_young: int  # orphans or .part files inside the grace period (maybe in flight)
    bytes_removed: int


def default_grace() -> timedelta:
    return timedelta(seconds=int(current_app.config["UPLOAD_ORPHAN_GRACE_SECONDS"]))


def _in_layout(key: str) -> bool:
    folder, _, name = key.partition("/")
    return bool(name) and "/" not in name and name[:2] == folder


def _referenced(names: list[str]) -> set[str]:
    found: set[str] = set()
    for i in range(0, len(names), BATCH):
        batch = names[i:i + BATCH]
        found.update(db.session.execute(select(Attachment.stored_name)
                                        .where(Attachment.stored_name.in_(batch))).scalars())
    return found


def _now() -> float:
    return time.time()


def sweep_orphans(older_than: timedelta | None = None) -> SweepResult:
    """Remove ``.part`` files and files no ``Attachment.stored_name`` names, older than
    ``older_than`` (default ``UPLOAD_ORPHAN_GRACE_SECONDS``). Idempotent."""
    grace = default_grace() if older_than is None else older_than
    cutoff = _now() - grace.total_seconds()
    backend = storage_backend()
    files = [item for item in backend.iter_objects() if _in_layout(item.key)]
    # Files are listed before the rows are read: a row committed meanwhile still protects its file.
    referenced = _referenced([f.key.rpartition("/")[2] for f in files if not f.key.endswith(".part")])
    orphans = parts = young = removed_bytes = 0
    for item in files:
        name = item.key.rpartition("/")[2]
        is_part = name.endswith(".part")
        if not is_part and name in referenced:
            continue
        if item.modified > cutoff:
            young += 1
            continue
        backend.delete(item.key)  # gone meanwhile (another sweep): nothing happens
        removed_bytes += item.size
        if is_part:
            parts += 1
        else:
            orphans += 1
        log.info("removed %s upload file %s (%d bytes)", "partial" if is_part else "orphaned", name, item.size)
    return SweepResult(len(files), orphans, parts, young, removed_bytes)
