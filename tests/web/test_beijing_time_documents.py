"""Beijing time where a time is exported or printed: a record submitted at 16:30 UTC was
submitted at 00:30 the next day in Beijing — the export's cell and the printed 提交时间 say so."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from app.extensions import db
from app.security import roles as R
from tests import factories as f

pytestmark = pytest.mark.parametrize("app", ["sqlite"], indirect=True)
LATE_UTC = dt.datetime(2026, 3, 1, 16, 30, 5, 123456)


def test_the_export_lists_the_submission_in_beijing_time(app):
    enterprise = f.gen_enterprise(status="submitted")
    enterprise.submitted_at = LATE_UTC
    db.session.commit()
    web = f.WebClient(app)
    web.login(f.gen_user(R.AGENCY_REVIEWER, agency_region="330100").username)
    rows = list(load_workbook(io.BytesIO(web.get("/review/enterprises/export/").data)).active.iter_rows(values_only=True))
    column = rows[1].index("提交时间")
    assert rows[2][column] == dt.datetime(2026, 3, 2, 0, 30, 5)


def test_the_information_table_prints_the_beijing_submission_time(app):
    from app.services.sme_documents import information_pdf

    evaluation = f.gen_sme(status="pending_agency")
    evaluation.submitted_at = LATE_UTC
    db.session.commit()
    text = "".join("".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(information_pdf(evaluation))).pages)
    assert "2026-03-0200:30" in text and "2026-03-0116:30" not in text


def test_the_applicants_progress_page_shows_beijing_time(app):
    user = f.gen_applicant()
    enterprise = f.gen_enterprise(user, status="submitted")
    enterprise.submitted_at = LATE_UTC
    db.session.commit()
    web = f.WebClient(app)
    web.login(user.username)
    page = web.get("/progress/").data.decode()
    assert "2026-03-02 00:30" in page and "2026-03-01 16:30" not in page
