"""Orphaned upload files: what a process killed mid-upload leaves behind.

``save_upload`` writes ``<name>.part``, fsyncs it, renames it to ``<name>`` and adds the
``Attachment`` row that its caller commits. A process killed in between leaves a ``.part`` file,
or a stored file that no row names. :func:`sweep_orphans` removes both once they are older
than a grace period, so an upload still in flight (file written, row not yet committed) is
never touched. Only the storage layout is looked at (``UPLOAD_DIR/<first two letters>/<name>``);
anything else under UPLOAD_DIR is left alone.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from app.extensions import db
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


def _layout_files(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return [f for d in root.iterdir() if d.is_dir() and not d.is_symlink()
            for f in d.iterdir() if f.name[:2] == d.name and f.is_file() and not f.is_symlink()]


def _referenced(names: list[str]) -> set[str]:
    found: set[str] = set()
    for i in range(0, len(names), BATCH):
        batch = names[i:i + BATCH]
        found.update(db.session.execute(select(Attachment.stored_name)
                                        .where(Attachment.stored_name.in_(batch))).scalars())
    return found


def sweep_orphans(older_than: timedelta | None = None) -> SweepResult:
    """Remove ``.part`` files and files no ``Attachment.stored_name`` names, older than
    ``older_than`` (default ``UPLOAD_ORPHAN_GRACE_SECONDS``). Idempotent."""
    grace = default_grace() if older_than is None else older_than
    cutoff = time.time() - grace.total_seconds()
    files = _layout_files(Path(current_app.config["UPLOAD_DIR"]))
    # Files are listed before the rows are read: a row committed meanwhile still protects its file.
    referenced = _referenced([f.name for f in files if f.suffix != ".part"])
    orphans = parts = young = removed_bytes = 0
    for path in files:
        if path.suffix != ".part" and path.name in referenced:
            continue
        try:
            stat = path.stat()
            if stat.st_mtime > cutoff:
                young += 1
                continue
            path.unlink()
        except FileNotFoundError:  # gone meanwhile (another sweep)
            continue
        removed_bytes += stat.st_size
        if path.suffix == ".part":
            parts += 1
        else:
            orphans += 1
        log.info("removed %s upload file %s (%d bytes)", "partial" if path.suffix == ".part" else "orphaned",
                 path.name, stat.st_size)
    return SweepResult(len(files), orphans, parts, young, removed_bytes)
