"""The sweep of orphaned upload files (app.storage.sweep): what a process killed between writing
an upload and committing its row leaves behind goes away after the grace period, nothing else."""
from __future__ import annotations

import io
import os
import time
from datetime import timedelta
from pathlib import Path

from app.extensions import db
from app.storage import save_upload
from app.storage.sweep import SweepResult, sweep_orphans
from tests.factories import PDF_MIN


def _upload(commit: bool) -> Path:
    """save_upload as a request does; without the commit = the process died before it."""
    attachment = save_upload(io.BytesIO(PDF_MIN), "proof.pdf", "sme_proof", enterprise_id=None, record_type=None,
                             record_id=None, uploaded_by_id=None)
    name = attachment.stored_name
    if commit:
        db.session.commit()
    else:
        db.session.rollback()
    return _root() / name[:2] / name


def _root() -> Path:
    from flask import current_app

    return Path(current_app.config["UPLOAD_DIR"])


def _part(name: str = "ab" + "0" * 30) -> Path:
    """A .part file as save_upload leaves it when killed while writing."""
    path = _root() / name[:2] / f"{name}.part"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(PDF_MIN[:10])
    return path


def _age(path: Path, seconds: float) -> Path:
    then = time.time() - seconds
    os.utime(path, (then, then))
    return path


def test_referenced_file_survives_old_orphan_and_part_are_removed(app):
    kept = _age(_upload(commit=True), 7200)
    orphan = _age(_upload(commit=False), 7200)
    part = _age(_part(), 7200)
    assert orphan.exists() and part.exists()

    result = sweep_orphans()  # default grace: UPLOAD_ORPHAN_GRACE_SECONDS = 3600
    assert result == SweepResult(scanned=3, orphans_removed=1, parts_removed=1, kept_young=0,
                                 bytes_removed=len(PDF_MIN) + 10)
    assert kept.exists() and not orphan.exists() and not part.exists()
    assert sweep_orphans() == SweepResult(1, 0, 0, 0, 0)  # idempotent


def test_orphan_and_part_younger_than_the_grace_period_survive(app):
    orphan = _age(_upload(commit=False), 1800)
    part = _age(_part(), 1800)
    assert sweep_orphans().kept_young == 2
    assert orphan.exists() and part.exists()
    app.config["UPLOAD_ORPHAN_GRACE_SECONDS"] = 600
    assert sweep_orphans() == SweepResult(2, 1, 1, 0, len(PDF_MIN) + 10)
    assert not orphan.exists() and not part.exists()


def test_files_outside_the_storage_layout_are_left_alone(app):
    root = _root()
    (root / "zz").mkdir(parents=True)
    stray = [root / "notes.txt", root / "zz" / "abcdef.pdf", root / "zz" / "other.part"]
    for path in stray:
        path.write_bytes(b"x")
        _age(path, 7200)
    assert sweep_orphans(timedelta(0)).scanned == 0
    assert all(path.exists() for path in stray)


def test_cli_prints_the_counts(app):
    kept = _upload(commit=True)
    orphan = _upload(commit=False)
    part = _part()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["sweep-uploads"])
    assert result.exit_code == 0, result.output
    assert "scanned 3 files: removed 0 orphaned and 0 .part files (0 bytes); kept 2 younger than 3600 s" \
        in result.output
    result = runner.invoke(args=["sweep-uploads", "--grace-seconds", "0"])
    assert result.exit_code == 0, result.output
    assert (f"scanned 3 files: removed 1 orphaned and 1 .part files ({len(PDF_MIN) + 10} bytes); "
            "kept 0 younger than 0 s") in result.output
    assert kept.exists() and not orphan.exists() and not part.exists()
    assert runner.invoke(args=["sweep-uploads", "--grace-seconds", "-1"]).exit_code == 2


def test_the_daily_job_twice(app):
    from app.jobs import JOBS, upload_files_job

    assert JOBS["upload_files"] == ("app.jobs:tick_upload_files", 3, 30)
    _age(_upload(commit=False), 7200)
    assert upload_files_job(app)["orphans_removed"] == 1
    assert upload_files_job(app)["orphans_removed"] == 0
