"""Certificates issued by the background task ``issue_certificate``: queued with the numbering,
issued once even when a task runs again, retried while the key service is down, re-issued by the
province reviewer as a new version; the record's pages say "证书签发中" while it is queued."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update

from app.extensions import db
from app.security import roles as R
from app.services import certificate_issuance as issuance
from app.services import sme as svc
from app.services.errors import Forbidden, NotFound
from app.services.eseal import pki
from app.tasks.registry import ClaimedTask
from app.tasks.worker import drain
from models import BackgroundTask, IssuedDocument, SmeEvaluation
from tests import factories as f


def _province():
    return f.gen_user(R.PROVINCE_REVIEWER, agency_region="330000")


def _stored(province) -> SmeEvaluation:
    evaluation = f.gen_sme(status="recommended")
    svc.draw_spot_check(province, 0, seed="s1", year=2026)
    svc.create_batch(province, "2026年第一批", dt.date(2026, 5, 1), dt.date(2026, 5, 10), [evaluation.id])
    svc.publicity_tick(dt.date(2026, 5, 1))
    svc.publicity_tick(dt.date(2026, 5, 11))
    return svc.review(province, evaluation.id, "store")


def _documents(evaluation_id: int) -> list[IssuedDocument]:
    db.session.expire_all()
    return db.session.execute(select(IssuedDocument).where(
        IssuedDocument.record_type == "sme_evaluation", IssuedDocument.record_id == evaluation_id)
        .order_by(IssuedDocument.version)).scalars().all()


def _tasks() -> list[BackgroundTask]:
    db.session.expire_all()
    return db.session.execute(select(BackgroundTask).where(BackgroundTask.kind == issuance.TASK)
                              .order_by(BackgroundTask.id)).scalars().all()


def _pki_down(monkeypatch):
    def unavailable():
        raise pki.PkiUnavailable("The key service is not available: token missing")

    monkeypatch.setattr(pki, "platform_signer", unavailable)


def _due_now() -> None:
    """The back-off has passed."""
    db.session.execute(update(BackgroundTask).values(run_after=None))
    db.session.commit()


def test_numbering_issues_the_certificate_once_by_its_task(app):
    province = _province()
    numbered = svc.review(province, _stored(province).id, "number")
    [document] = _documents(numbered.id)
    [task] = _tasks()
    assert (document.number, document.version, document.status) == (numbered.certificate_number, 1, "current")
    assert task.status == "done" and document.task_id == task.id and task.requested_by == province.id
    assert task.args == {"record_type": "sme_evaluation", "record_id": numbered.id, "actor_id": province.id}
    state = issuance.issuance_state("sme_evaluation", numbered.id)
    assert not state.pending and state.failure is None and state.current.id == document.id


def test_a_task_run_again_after_its_commit_issues_no_second_version(app):
    province = _province()
    numbered = svc.review(province, _stored(province).id, "number")
    [task] = _tasks()
    # The worker died after the document committed, before the task was marked done: a new attempt.
    retry = ClaimedTask(task.id, task.kind, dict(task.args), task.requested_by, 2, task.max_attempts, "t")
    issuance.run(retry, lambda *a, **k: None)
    [document] = _documents(numbered.id)
    assert document.version == 1 and document.task_id == task.id


def test_key_service_down_retries_then_issues(app, monkeypatch):
    province = _province()
    stored = _stored(province)
    with monkeypatch.context() as patch:
        _pki_down(patch)
        numbered = svc.review(province, stored.id, "number")  # the number stands without the key service
        assert numbered.status == "numbered" and numbered.certificate_number
        [task] = _tasks()
        assert task.status == "queued" and task.attempts == 1 and task.run_after is not None
        assert "PkiUnavailable" in task.error and _documents(numbered.id) == []
        assert issuance.issuance_state("sme_evaluation", numbered.id).pending
    _due_now()
    assert drain()["done"] == 1
    [task] = _tasks()
    [document] = _documents(numbered.id)
    assert task.status == "done" and task.attempts == 2 and document.version == 1 and document.task_id == task.id


def test_after_the_last_attempt_the_failure_is_shown_in_words(app, monkeypatch):
    province = _province()
    stored = _stored(province)
    _pki_down(monkeypatch)
    numbered = svc.review(province, stored.id, "number")
    for _attempt in range(issuance.MAX_ATTEMPTS - 1):
        _due_now()
        drain()
    [task] = _tasks()
    assert task.status == "failed" and task.attempts == issuance.MAX_ATTEMPTS and _documents(numbered.id) == []
    state = issuance.issuance_state("sme_evaluation", numbered.id)
    assert not state.pending and state.failure == issuance.failure_text(task.error)
    assert "密钥服务" in state.failure  # the user's language (zh by default)


def test_reissue_makes_version_two_and_supersedes_version_one(app):
    province = _province()
    numbered = svc.review(province, _stored(province).id, "number")
    issuance.reissue(province, "sme_evaluation", numbered.id)
    first, second = _documents(numbered.id)
    assert (first.version, first.status) == (1, "superseded")
    assert (second.version, second.status, second.number) == (2, "current", first.number)
    assert second.task_id == _tasks()[-1].id and len(_tasks()) == 2


def test_a_double_click_on_reissue_queues_one_task(app):
    province = _province()
    numbered = svc.review(province, _stored(province).id, "number")
    app.config["TASK_WORKER"] = "external"  # queued, not run: both clicks find the same task
    first = issuance.reissue(province, "sme_evaluation", numbered.id)
    second = issuance.reissue(province, "sme_evaluation", numbered.id)
    assert first.id == second.id and len(_tasks()) == 2
    assert issuance.issuance_state("sme_evaluation", numbered.id).pending


def test_reissue_is_refused_to_other_roles_and_out_of_scope(app):
    province = _province()
    numbered = svc.review(province, _stored(province).id, "number")
    agency = f.gen_user(R.AGENCY_REVIEWER, agency_region=numbered.enterprise.city_code)
    with pytest.raises(Forbidden):
        issuance.reissue(agency, "sme_evaluation", numbered.id)
    other_province = f.gen_user(R.PROVINCE_REVIEWER, agency_region="110000")
    with pytest.raises(NotFound):
        issuance.reissue(other_province, "sme_evaluation", numbered.id)
    assert len(_tasks()) == 1 and [d.version for d in _documents(numbered.id)] == [1]


def test_reissue_needs_a_numbered_evaluation(app):
    province = _province()
    stored = _stored(province)
    from app.services.errors import ServiceError

    with pytest.raises(ServiceError):
        issuance.reissue(province, "sme_evaluation", stored.id)
    assert _tasks() == []


def test_a_registration_revoked_while_the_task_waits_gets_no_certificate(app):
    province = _province()
    stored = _stored(province)
    app.config["TASK_WORKER"] = "external"
    numbered = svc.review(province, stored.id, "number")
    svc.review(province, numbered.id, "revoke", "材料造假")
    assert drain()["done"] == 1
    [task] = _tasks()
    assert task.status == "done" and _documents(numbered.id) == []
    assert issuance.issuance_state("sme_evaluation", numbered.id) == issuance.IssuanceState()
