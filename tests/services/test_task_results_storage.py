"""A background export's workbook on either store (the ``storage`` fixture): with the local folder
it is a file in EXPORT_DIR; with SeaweedFS it is the object ``results/<name>`` that any app server
hands out, and nothing is left in EXPORT_DIR. Only its owner downloads it; the daily clean-up
removes it from the store."""
from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from openpyxl import load_workbook

from app.extensions import db
from app.reports.export import remove_old_files
from app.security import roles as R
from app.tasks.worker import drain
from models import BusinessRegistryEntry, ExportJob
from models.base import utcnow
from tests import factories as f
from tests.conftest import BOTH_STORES


@BOTH_STORES
def test_a_large_exports_workbook_lives_in_the_configured_store(app, storage):
    db.session.add_all(BusinessRegistryEntry(credit_code=f"91330100MA{n:08d}", name=f"杭州存储企业{n}")
                       for n in range(12))
    db.session.commit()
    app.config.update(EXPORT_SYNC_MAX_ROWS=5, TASK_WORKER="external")
    owner = f.gen_user(R.ADMIN)
    web = f.WebClient(app)
    web.login(owner.username)
    job_url = web.get("/businessregistryview/export/").headers["Location"]
    assert drain()["done"] == 1
    job = db.session.query(ExportJob).one()
    key = f"results/{job.stored_name}"
    in_folder = Path(app.config["EXPORT_DIR"]) / job.stored_name
    if storage.name == "s3":
        assert storage.exists(key) and not in_folder.exists()
    else:
        assert in_folder.is_file()

    status = web.get(job_url + "/status").get_json()
    download = web.get(status["download_url"])
    assert download.status_code == 200
    sheet = load_workbook(io.BytesIO(download.data), read_only=True).worksheets[0]
    names = {row[1] for row in sheet.iter_rows(values_only=True) if row and row[1]}
    assert {f"杭州存储企业{n}" for n in range(12)} <= names
    other = f.WebClient(app)
    other.login(f.gen_user(R.ADMIN).username)
    assert other.get(status["download_url"]).status_code == 404

    job.created_at = utcnow() - dt.timedelta(days=30)
    db.session.commit()
    assert remove_old_files(utcnow()) >= 1
    assert not storage.exists(key) and not in_folder.exists()
    assert web.get(status["download_url"]).status_code == 404
