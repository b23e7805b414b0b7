"""The sweep of orphaned upload files (app.storage.sweep): what a process killed between writing
an upload and committing its row leaves behind goes away after the grace period, nothing else.
Each test runs on the local folder and on SeaweedFS (the ``storage`` fixture).

Files are aged by moving the sweep's clock forward (S3 objects cannot be back-dated); on the
folder, back-dating the file instead gives the same answers (the last test)."""
from __future__ import annotations

import io
import os
import time
from datetime import timedelta

import pytest

from app.extensions import db
from app.storage import attachment_key, save_upload
from app.storage import sweep as sweep_module
from app.storage.backends import storage_backend
from app.storage.sweep import SweepResult, sweep_orphans
from tests.conftest import BOTH_STORES
from tests.factories import PDF_MIN


def _upload(commit: bool) -> str:
    """save_upload as a request does; without the commit = the process died before it. The key."""
    attachment = save_upload(io.BytesIO(PDF_MIN), "proof.pdf", "sme_proof", enterprise_id=None, record_type=None,
                             record_id=None, uploaded_by_id=None)
    name = attachment.stored_name
    if commit:
        db.session.commit()
    else:
        db.session.rollback()
    return attachment_key(name)


def _part(name: str = "ab" + "0" * 30) -> str:
    """A .part file as save_upload leaves it when killed while writing (on the folder backend)."""
    key = f"{name[:2]}/{name}.part"
    storage_backend().put_bytes(key, PDF_MIN[:10])
    return key


def _exists(key: str) -> bool:
    return storage_backend().exists(key)


@pytest.fixture
def later(monkeypatch):
    """Run the sweep as if ``seconds`` had passed since the files were written."""
    def move(seconds: float) -> None:
        monkeypatch.setattr(sweep_module, "_now", lambda: time.time() + seconds)

    return move


@BOTH_STORES
def test_referenced_file_survives_old_orphan_and_part_are_removed(app, storage, later):
    kept = _upload(commit=True)
    orphan = _upload(commit=False)
    part = _part()
    assert _exists(orphan) and _exists(part)

    later(7200)
    result = sweep_orphans()  # default grace: UPLOAD_ORPHAN_GRACE_SECONDS = 3600
    assert result == SweepResult(scanned=3, orphans_removed=1, parts_removed=1, kept_young=0,
                                 bytes_removed=len(PDF_MIN) + 10)
    assert _exists(kept) and not _exists(orphan) and not _exists(part)
    assert sweep_orphans() == SweepResult(1, 0, 0, 0, 0)  # idempotent
    with storage_backend().open(kept) as fh:
        assert fh.read() == PDF_MIN


@BOTH_STORES
def test_orphan_and_part_younger_than_the_grace_period_survive(app, storage, later):
    orphan = _upload(commit=False)
    part = _part()
    later(1800)
    assert sweep_orphans().kept_young == 2
    assert _exists(orphan) and _exists(part)
    app.config["UPLOAD_ORPHAN_GRACE_SECONDS"] = 600
    assert sweep_orphans() == SweepResult(2, 1, 1, 0, len(PDF_MIN) + 10)
    assert not _exists(orphan) and not _exists(part)


@BOTH_STORES
def test_files_outside_the_storage_layout_are_left_alone(app, storage, later):
    stray = ["notes.txt", "zz/abcdef.pdf", "zz/other.part", "results/export-1.xlsx", "ab/ab/abc.pdf"]
    for key in stray:
        storage_backend().put_bytes(key, b"x")
    later(7200)
    assert sweep_orphans(timedelta(0)).scanned == 0
    assert all(_exists(key) for key in stray)


def test_back_dated_files_in_the_folder_are_swept_by_their_mtime(app):
    root = storage_backend().root
    orphan, young = _upload(commit=False), _upload(commit=False)
    then = time.time() - 7200
    os.utime(root / orphan, (then, then))
    assert sweep_orphans() == SweepResult(2, 1, 0, 1, len(PDF_MIN))
    assert not _exists(orphan) and _exists(young)


@BOTH_STORES
def test_cli_prints_the_counts(app, storage):
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
    assert _exists(kept) and not _exists(orphan) and not _exists(part)
    assert runner.invoke(args=["sweep-uploads", "--grace-seconds", "-1"]).exit_code == 2


@BOTH_STORES
def test_the_daily_job_twice(app, storage, later):
    from app.jobs import JOBS, upload_files_job

    assert JOBS["upload_files"] == ("app.jobs:tick_upload_files", 3, 30)
    _upload(commit=False)
    later(7200)
    assert upload_files_job(app)["orphans_removed"] == 1
    assert upload_files_job(app)["orphans_removed"] == 0
