"""下载 PDF（批量）: a reviewer ticks records in a list, a background task zips their PDFs, the
export-job page follows it and hands out the .zip — read back with zipfile and pypdf. Scope
(another region's ids are not found), roles (applicants never), double clicks (one job), a
retried task (one zip, the same entries) and a PDF that cannot be made (named in 未能生成.txt)."""
from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path
from urllib.parse import unquote

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from app.extensions import db
from app.security import roles as R
from app.tasks import queue, registry
from app.tasks.worker import drain
from models import BackgroundTask, ExportJob
from models.base import utcnow
from tests import factories as f

sqlite_only = pytest.mark.parametrize("app", ["sqlite"], indirect=True)


def _pdf_text(data: bytes) -> str:
    return "".join("".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages)


def _tick(web, list_url: str, ids, action: str = "bulk_pdf"):
    """The list's action button with ``ids`` ticked (FAB's action_post form)."""
    return web.post(list_url.replace("/list/", "/action_post"),
                    data={"csrf_token": web.csrf("/account/change-password"), "action": action, "rowid": [str(i) for i in ids]})


def _zip_of(web, job_url: str) -> tuple[zipfile.ZipFile, str]:
    status = web.get(job_url + "/status").get_json()
    assert status["status"] == "done", status
    response = web.get(status["download_url"])
    assert response.status_code == 200 and response.mimetype == "application/zip"
    return zipfile.ZipFile(io.BytesIO(response.data)), unquote(response.headers["Content-Disposition"])


@pytest.fixture
def hangzhou(app):
    """Three evaluations waiting for Hangzhou's agency, and that agency's reviewer."""
    evaluations = [f.gen_sme(status="pending_agency") for _ in range(3)]
    return evaluations, f.gen_user(R.AGENCY_REVIEWER, agency_region="330100")


def test_a_reviewer_downloads_the_ticked_information_tables_as_one_zip(app, hangzhou):
    evaluations, reviewer = hangzhou
    web = f.WebClient(app)
    web.login(reviewer.username)
    assert "下载信息表PDF（批量）" in web.get("/review/sme/list/").get_data(as_text=True)
    started = _tick(web, "/review/sme/list/", [e.id for e in evaluations])
    assert started.status_code == 302 and "/exports/" in started.headers["Location"]
    job_url = started.headers["Location"]
    page = web.get(job_url).get_data(as_text=True)
    assert 'id="export-progress"' in page and "3 / 3" in page and "下载 PDF" in page
    status = web.get(job_url + "/status").get_json()
    assert (status["rows_done"], status["rows_total"]) == (3, 3)
    archive, disposition = _zip_of(web, job_url)
    assert "信息表-" in disposition and disposition.endswith(".zip")
    names = archive.namelist()
    assert len(names) == 3 and all(n.endswith("-信息表.pdf") and "/" not in n for n in names)
    for evaluation in evaluations:
        name = f"{evaluation.enterprise.name}-2026-信息表.pdf"
        assert name in names
        data = archive.read(name)
        assert data.startswith(b"%PDF") and evaluation.enterprise.name in _pdf_text(data)
    job = db.session.execute(select(ExportJob)).scalar_one()
    assert job.user_id == reviewer.id  # the requesting user is recorded; others get a 404
    other = f.WebClient(app)
    other.login(f.gen_user(R.AGENCY_REVIEWER, agency_region="330100").username)
    assert other.get(job_url + "/download").status_code == 404


@sqlite_only
def test_another_regions_records_are_not_found_and_no_job_starts(app, hangzhou):
    evaluations, _reviewer = hangzhou
    jinhua = f.WebClient(app)
    jinhua.login(f.gen_user(R.AGENCY_REVIEWER, agency_region="330700").username)
    assert _tick(jinhua, "/review/sme/list/", [evaluations[0].id]).status_code == 404
    own = f.gen_sme(status="pending_agency", province_code="330000", city_code="330700", county_code="330702")
    assert _tick(jinhua, "/review/sme/list/", [own.id, evaluations[1].id]).status_code == 404  # one stranger: none
    assert db.session.execute(select(func.count(ExportJob.id))).scalar_one() == 0
    assert db.session.execute(select(func.count(BackgroundTask.id))).scalar_one() == 0


@sqlite_only
def test_an_applicant_never_gets_the_action(app, hangzhou):
    evaluations, _reviewer = hangzhou
    applicant = f.WebClient(app)
    applicant.login(f.owner_of(evaluations[0]).mobile)
    response = applicant.post("/review/sme/action_post", data={
        "csrf_token": applicant.csrf("/account/change-password"), "action": "bulk_pdf",
        "rowid": [str(evaluations[0].id)]})
    assert response.status_code in (302, 403, 404)
    assert "/exports/" not in response.headers.get("Location", "")
    assert db.session.execute(select(func.count(ExportJob.id))).scalar_one() == 0
    assert "下载信息表PDF（批量）" not in applicant.get("/review/sme/list/", follow_redirects=True).get_data(as_text=True)


@sqlite_only
def test_a_double_click_gives_one_job(app, hangzhou):
    app.config["TASK_WORKER"] = "external"
    evaluations, reviewer = hangzhou
    web = f.WebClient(app)
    web.login(reviewer.username)
    ids = [e.id for e in evaluations]
    first, second = _tick(web, "/review/sme/list/", ids), _tick(web, "/review/sme/list/", list(reversed(ids)))
    assert first.headers["Location"] == second.headers["Location"]
    assert db.session.execute(select(func.count(BackgroundTask.id))).scalar_one() == 1
    assert db.session.execute(select(func.count(ExportJob.id))).scalar_one() == 1
    assert web.get(first.headers["Location"] + "/status").get_json()["status"] == "queued"
    assert drain()["done"] == 1
    archive, _ = _zip_of(web, first.headers["Location"])
    assert len(archive.namelist()) == 3


@sqlite_only
def test_a_retried_task_yields_one_zip_with_the_same_entries(app, hangzhou, monkeypatch):
    from app.services import sme_documents

    app.config.update(TASK_WORKER="external", TASK_LEASE_SECONDS=60)
    evaluations, reviewer = hangzhou
    web = f.WebClient(app)
    web.login(reviewer.username)
    job_url = _tick(web, "/review/sme/list/", [e.id for e in evaluations]).headers["Location"]
    rendered = []
    real = sme_documents.information_pdf
    monkeypatch.setattr(sme_documents, "information_pdf", lambda e: rendered.append(e.id) or real(e))

    class Killed(BaseException):
        """The worker process dies (kill -9): nothing after this line of the attempt runs."""

    def attempt(worker: str, now, die_after: int | None = None):
        claimed = queue.claim(worker, now=now)
        assert claimed is not None

        def progress(done, total=None):
            queue.report_progress(claimed, done, total)
            if die_after is not None and done >= die_after:
                raise Killed

        with app.test_request_context("/"):
            try:
                return claimed, registry.kind(claimed.kind).run(claimed, progress)
            except Killed:
                return claimed, None

    clock = utcnow()
    attempt("dies-mid-zip", clock, die_after=2)  # two PDFs in, the zip never saved
    assert web.get(job_url + "/status").get_json()["status"] == "running"
    second, result = attempt("saves-then-dies", clock + dt.timedelta(seconds=200))  # saved, not marked done
    assert result is not None and len(rendered) == 5
    third, again = attempt("finishes", clock + dt.timedelta(seconds=400))
    assert again == result and len(rendered) == 5  # the saved zip is handed back, nothing rendered again
    assert queue.finish(third, again) is True and queue.finish(second, result) is False
    archive, _ = _zip_of(web, job_url)
    assert sorted(archive.namelist()) == sorted(f"{e.enterprise.name}-2026-信息表.pdf" for e in evaluations)
    assert all(_pdf_text(archive.read(n)) for n in archive.namelist())
    assert len(list(Path(app.config["EXPORT_DIR"]).glob("*.zip"))) == 1  # one result file
    task = db.session.execute(select(BackgroundTask)).scalar_one()
    assert (task.status, task.attempts) == ("done", 3)


@sqlite_only
def test_a_pdf_that_cannot_be_made_is_named_in_the_zip_and_none_at_all_fails_in_words(app, hangzhou, monkeypatch):
    from app.documents.pdf import DocumentError
    from app.services import sme_documents

    evaluations, reviewer = hangzhou
    broken = evaluations[1]
    real = sme_documents.information_pdf

    def render(evaluation):
        if evaluation.id == broken.id:
            raise DocumentError("PDF conversion reported 1 error(s)")
        return real(evaluation)

    monkeypatch.setattr(sme_documents, "information_pdf", render)
    web = f.WebClient(app)
    web.login(reviewer.username)
    archive, _ = _zip_of(web, _tick(web, "/review/sme/list/", [e.id for e in evaluations]).headers["Location"])
    names = archive.namelist()
    assert len(names) == 3 and "未能生成.txt" in names
    report = archive.read("未能生成.txt").decode("utf-8-sig")
    assert f"{broken.enterprise.name}-2026-信息表.pdf" in report and "PDF conversion reported" in report
    assert "Traceback" not in report

    job_url = _tick(web, "/review/sme/list/", [broken.id]).headers["Location"]
    status = web.get(job_url + "/status").get_json()
    assert status["status"] == "failed" and "Traceback" not in status["error"]
    assert "1 份 PDF 均未能生成" in status["error"] and broken.enterprise.name in status["error"]
    page = web.get(job_url).get_data(as_text=True)
    assert "未能生成 PDF" in page and "Traceback" not in page


# --- quality-benchmark declarations --------------------------------------------------------------------

def _declarations(world, count: int):
    """``count`` projects of the world's enterprise declared and sent to its first recommending unit."""
    from app.services import declaration as svc
    from tests.services.test_declaration import CONTACT, _docx

    made = []
    for n in range(count):
        project, errors = svc.save_project(world["user"], None, {"name": f"质量提升项目{n}", "keywords": "质量",
                                                                 "summary": "摘要"})
        assert not errors
        declaration = svc.start(world["user"], world["activity"].id, world["filing"].id, project.id, True)
        svc.save(world["user"], declaration.id, CONTACT)
        svc.upload_summary(world["user"], declaration.id, io.BytesIO(_docx()), "总结材料.docx")
        svc.submit(world["user"], declaration.id)
        made.append(svc.choose_recommender(world["user"], declaration.id, world["units"][0].id))
    return made


@sqlite_only
def test_a_recommender_downloads_the_ticked_declarations_as_one_zip(app):
    from tests.services.test_declaration import build_world

    world = build_world()
    declarations = _declarations(world, 3)
    recommender = f.WebClient(app)
    recommender.login(world["recommender"].username)
    assert "下载申报书PDF（批量）" in recommender.get("/review/declarations/list/").get_data(as_text=True)
    job_url = _tick(recommender, "/review/declarations/list/", [d.id for d in declarations]).headers["Location"]
    archive, disposition = _zip_of(recommender, job_url)
    assert "申报书-" in disposition
    names = sorted(archive.namelist())
    assert names == sorted(f"杭州质量标杆示范有限公司-2019-质量提升项目{n}-申报书.pdf" for n in range(3))
    for name in names:
        text = _pdf_text(archive.read(name))
        assert "杭州质量标杆示范有限公司" in text and name.split("-")[2] in text

    other = f.WebClient(app)
    other.login(world["other_recommender"].username)  # the declarations chose another unit
    assert _tick(other, "/review/declarations/list/", [declarations[0].id]).status_code == 404


@sqlite_only
def test_a_manager_gets_the_submitted_declaration_and_words_for_a_draft(app):
    from app.services import declaration as svc
    from tests.services.test_declaration import build_world

    world = build_world()
    sent = _declarations(world, 1)[0]
    project, _ = svc.save_project(world["user"], None, {"name": "草稿项目", "keywords": "质量", "summary": "摘要"})
    draft = svc.start(world["user"], world["activity"].id, world["filing"].id, project.id, True)
    manager = f.WebClient(app)
    manager.login(f.gen_user(R.MANAGER).username)
    job_url = _tick(manager, "/review/declarations/list/", [sent.id, draft.id]).headers["Location"]
    archive, _ = _zip_of(manager, job_url)
    names = archive.namelist()
    assert len(names) == 2 and "未能生成.txt" in names
    assert "尚未提交" in archive.read("未能生成.txt").decode("utf-8-sig")
