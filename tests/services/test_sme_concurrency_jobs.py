"""Races and schedules: concurrent submissions of one enterprise's year, the publicity job
driven by a controllable clock, the score CLI, and the documents read back."""
from __future__ import annotations

import datetime as dt
import io
import json
import threading

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from app.extensions import db
from app.jobs import publicity_job
from app.timeutil import today_in_china
from app.security import roles as R
from app.services import sme as svc
from app.services import sme_documents
from app.services.errors import ServiceError
from models import ShenbaoUser, SmeEvaluation, WorkflowLog
from tests import factories as f
from tests.conftest import PG_OK


def _race(app, n: int, attempt) -> list[str]:
    """Run ``attempt`` in ``n`` threads started together, each with its own session; return
    what each said ("ok"-like value, or the ServiceError class name it raised)."""
    barrier = threading.Barrier(n)
    outcomes: list[str] = []

    def worker():
        with app.app_context():
            barrier.wait(30)  # the pool (15) makes a few wait for a connection
            try:
                outcomes.append(attempt())
            except ServiceError as exc:
                db.session.rollback()
                outcomes.append(type(exc).__name__)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(outcomes) == n, outcomes
    return outcomes


def _owner(evaluation) -> ShenbaoUser:
    return db.session.execute(select(ShenbaoUser).where(ShenbaoUser.enterprise_id == evaluation.enterprise_id)).scalar_one()


@pytest.mark.parametrize("app", [pytest.param("postgresql", marks=pytest.mark.skipif(not PG_OK, reason="no PostgreSQL"))],
                         indirect=True)
def test_20_concurrent_creates_and_submits_leave_exactly_one(app):
    """20 threads, each its own session, create and submit the same enterprise's 2026 evaluation."""
    template = f.gen_sme()  # a complete evaluation to copy from
    user_id = _owner(template).id
    data, cover = template.data, template.cover_attachment_id
    db.session.delete(template)
    db.session.commit()
    def attempt() -> str:
        user = db.session.get(ShenbaoUser, user_id)
        evaluation = svc.create(user, 2026)
        evaluation.data, evaluation.cover_attachment_id = data, cover
        svc.self_evaluate(evaluation)
        db.session.commit()
        svc.submit(user, evaluation.id)
        return "submitted"

    outcomes = _race(app, 20, attempt)
    assert outcomes.count("submitted") == 1, outcomes
    count = db.session.execute(select(func.count()).select_from(SmeEvaluation).where(
        SmeEvaluation.enterprise_id == template.enterprise_id, SmeEvaluation.year == 2026)).scalar_one()
    assert count == 1
    submits = db.session.execute(select(func.count()).select_from(WorkflowLog).where(
        WorkflowLog.record_type == "sme_evaluation", WorkflowLog.action == "submit")).scalar_one()
    assert submits == 1


@pytest.mark.parametrize("app", [pytest.param("postgresql", marks=pytest.mark.skipif(not PG_OK, reason="no PostgreSQL"))],
                         indirect=True)
def test_concurrent_submit_of_one_record_is_accepted_once(app):
    evaluation = f.gen_sme()
    user_id, evaluation_id, seen = _owner(evaluation).id, evaluation.id, evaluation.version

    def attempt() -> str:
        svc.submit(db.session.get(ShenbaoUser, user_id), evaluation_id, seen)
        return "ok"

    outcomes = _race(app, 10, attempt)
    assert outcomes.count("ok") == 1, outcomes
    db.session.expire_all()
    assert db.session.get(SmeEvaluation, evaluation_id).status == "pending_agency"


def test_publicity_job_follows_the_clock(app):
    province = f.gen_user(R.PROVINCE_REVIEWER, agency_region="330000")
    evaluation = f.gen_sme(status="recommended")
    svc.draw_spot_check(province, 0, seed="c", year=2026)
    svc.create_batch(province, "批次", dt.date(2026, 6, 1), dt.date(2026, 6, 7), [evaluation.id])
    clock = {"today": dt.date(2026, 5, 31)}
    assert publicity_job(app, lambda: clock["today"]) == {"opened": 0, "closed": 0}
    clock["today"] = dt.date(2026, 6, 1)
    assert publicity_job(app, lambda: clock["today"])["opened"] == 1
    assert publicity_job(app, lambda: clock["today"]) == {"opened": 0, "closed": 0}  # idempotent
    clock["today"] = dt.date(2026, 6, 8)
    assert publicity_job(app, lambda: clock["today"])["closed"] == 1
    assert db.session.get(SmeEvaluation, evaluation.id).status == "publicity_done"


def test_today_in_china_crosses_midnight_before_utc():
    assert today_in_china(dt.datetime(2026, 5, 31, 16, 30, tzinfo=dt.timezone.utc)) == dt.date(2026, 6, 1)


def test_information_pdf_contains_name_and_score(app):
    evaluation = f.gen_sme()
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(sme_documents.information_pdf(evaluation))).pages)
    compact = "".join(text.split())
    assert "".join(evaluation.enterprise.name.split()) in compact
    assert "100" in compact
    cover = PdfReader(io.BytesIO(sme_documents.cover_pdf(evaluation)))
    assert evaluation.enterprise.credit_code in cover.pages[0].extract_text()


@pytest.mark.parametrize("app", ["sqlite"], indirect=True)
def test_score_cli_prints_result_and_rejects_bad_input(app, tmp_path):
    runner = app.test_cli_runner()
    payload = {"year": 2026, "registered_in_mainland": True, "products_not_prohibited": True, "credit_ok": True,
               "employees": {"fulltime": 80, "parttime": 15, "temporary": 5},
               "tech_staff": {"fulltime": 25, "parttime": 4, "temporary": 1},
               "sales_revenue": "1000", "total_assets": "800", "cost_expenses": "900",
               "rd_projects": [{"name": "p", "form": "independent", "amount": "60"}],
               "high_tech_certificate_valid": False, "national_awards": [], "rd_institutions": [], "standards": [],
               "ip": [{"name": "x", "kind": "invention_patent"}]}
    path = tmp_path / "e.json"
    path.write_text(json.dumps(payload), encoding="utf-8")
    result = runner.invoke(args=["score", str(path)])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["qualified"] is True and out["path"] == "scored" and out["total_score"] == 100
    bad = dict(payload, employees={"fulltime": -1, "parttime": 0, "temporary": 0})
    result = runner.invoke(args=["score", "-"], input=json.dumps(bad))
    assert result.exit_code == 2
    assert "employees.fulltime" in result.output
