"""The rule-set test bench: past submissions scored under the 2017 set, re-scored under a draft
with a higher pass mark and stricter tech-staff bands: the counts each way, the histograms, one
change row per evaluation whose outcome or points differ (with the old and new points), data that
no longer reads counted apart; the run's version is what ``finished_run`` looks for."""
from __future__ import annotations

import pytest
from sqlalchemy import select, update

from app.extensions import db
from app.security import roles as R
from app.services.errors import Forbidden, NotFound, ServiceError
from app.services.sme import ruleset_bench as bench
from app.services.sme import rulesets
from models import BackgroundTask, RulesetTestChange, RulesetTestRun, SmeEvaluation, SmeRuleset
from models.base import utcnow
from tests import factories as f

#: 30 % tech staff now gives 12 points, not 20; and 95 to pass.
STRICTER_TECH_STAFF = [["40", 20], ["35", 16], ["30", 12], ["25", 8], ["20", 4]]


def _submitted(year: int = 2026, **tables) -> SmeEvaluation:
    """An evaluation self-evaluated under the 2017 set, then taken as submitted (the factory's
    submission needs a qualified score; the bench also meets unqualified past ones)."""
    evaluation = f.gen_sme(year=year, **tables)
    db.session.execute(update(SmeEvaluation).where(SmeEvaluation.id == evaluation.id)
                       .values(status="pending_agency", submitted_at=utcnow(),
                               province_code=evaluation.enterprise.province_code,
                               city_code=evaluation.enterprise.city_code))
    db.session.commit()
    db.session.refresh(evaluation)
    return evaluation


def _draft(admin, **changes) -> SmeRuleset:
    builtin = db.session.execute(select(SmeRuleset).filter_by(builtin=True)).scalar_one()
    draft = rulesets.create_draft(admin, builtin.id)
    return rulesets.save_draft(admin, draft.id, {**draft.rules, **changes}, source="科技型中小企业评价办法（修订）",
                               document_number="国科发政〔2027〕1号", regulation_text="",
                               expected_version=draft.version)


@pytest.fixture
def world(app):
    """Four past submissions of 2026 (Hangzhou) and one draft evaluation that is not submitted.

    - full: 20 + 50 + 30 = 100, qualified; under the draft 12 + 50 + 30 = 92 < 95: no longer.
    - no_ip: 20 + 50 + 0 = 70, qualified; under the draft 62: no longer.
    - low: 20 + 0 + 30 = 50, not qualified; under the draft 42: still not, points change.
    - entry: products not allowed: entry failed both ways, not scored, no change.
    """
    app.config["TASK_WORKER"] = "sync"  # the bench run finishes before start() returns
    admin = f.gen_user(R.RULES_ADMIN)
    evaluations = {
        "full": _submitted(),
        "no_ip": _submitted(ip=[]),
        "low": _submitted(rd_projects=[{"name": "小型研发", "number": "RD-02", "form": "independent",
                                        "status": "ongoing", "amount": "0"}]),
        "entry": _submitted(entry={"products_ok": "no", "credit_ok": "yes"}),
    }
    f.gen_sme(year=2026)  # a draft evaluation: not a past submission
    draft = _draft(admin, year=2027, pass_score=95, tech_staff_bands=STRICTER_TECH_STAFF)
    assert [evaluations[k].qualified for k in ("full", "no_ip", "low", "entry")] == [True, True, False, False]
    assert [evaluations[k].total_score for k in ("full", "no_ip", "low")] == [100, 70, 50]
    return admin, draft, evaluations


def test_a_stricter_draft_is_counted_each_way_with_the_changed_points(app, world):
    admin, draft, evaluations = world
    run = bench.start(admin, draft.id)
    assert (run.status, run.total, run.done, run.ruleset_version) == ("done", 4, 4, draft.version)
    summary = run.summary
    assert {k: summary[k] for k in ("rescored", "not_rescored", "newly_qualified", "no_longer_qualified",
                                    "still_qualified", "still_not_qualified", "points_changed", "changes")} == {
        "rescored": 4, "not_rescored": 0, "newly_qualified": 0, "no_longer_qualified": 2,
        "still_qualified": 0, "still_not_qualified": 2, "points_changed": 1, "changes": 3}
    before, after = summary["histogram"]["before"], summary["histogram"]["after"]
    assert sum(before) == sum(after) == 4
    # 100 and 70 and 50 before; 92, 62 and 42 after; the entry failure is "not scored" both times.
    assert (before[9], before[7], before[5], before[10]) == (1, 1, 1, 1)
    assert (after[9], after[6], after[4], after[10]) == (1, 1, 1, 1)

    changes = {c.evaluation_id: c for c in db.session.execute(
        select(RulesetTestChange).where(RulesetTestChange.run_id == run.id)).scalars()}
    assert set(changes) == {evaluations[k].id for k in ("full", "no_ip", "low")}
    full = changes[evaluations["full"].id]
    assert (full.old_qualified, full.new_qualified, full.old_total, full.new_total) == (True, False, 100, 92)
    assert (full.old_points, full.new_points) == ([20, 50, 30], [12, 50, 30])
    assert full.enterprise_name == evaluations["full"].enterprise.name
    assert full.credit_code == evaluations["full"].enterprise.credit_code
    assert (full.province_code, full.year, full.old_path, full.new_path) == ("330000", 2026, "scored", "scored")
    assert changes[evaluations["no_ip"].id].new_points == [12, 50, 0]
    low = changes[evaluations["low"].id]
    assert (low.old_qualified, low.new_qualified, low.old_points, low.new_points) == (False, False, [20, 0, 30],
                                                                                       [12, 0, 30])


def test_data_that_no_longer_reads_is_counted_and_the_run_still_finishes(app, world):
    admin, draft, evaluations = world
    broken = evaluations["low"]
    data = dict(broken.data)
    data["hr"] = {**data["hr"], "fulltime": "八十"}
    db.session.execute(update(SmeEvaluation).where(SmeEvaluation.id == broken.id).values(data=data))
    db.session.commit()
    run = bench.start(admin, draft.id, year="2026", province_code="330000")
    assert run.status == "done" and (run.selection_year, run.selection_province) == (2026, "330000")
    assert (run.summary["rescored"], run.summary["not_rescored"], run.summary["changes"]) == (3, 1, 2)
    assert sum(run.summary["histogram"]["before"]) == 3


def test_the_selection_filters_by_year_and_province_and_refuses_what_is_not_offered(app, world):
    admin, draft, _evaluations = world
    options = bench.selection_options()
    assert options.years == [2026] and options.provinces == [("330000", "浙江省")]
    with pytest.raises(ServiceError) as refused:
        bench.start(admin, draft.id, year="2019")
    assert "year" in refused.value.field_errors
    with pytest.raises(ServiceError) as refused:
        bench.start(admin, draft.id, province_code="110000")
    assert "province" in refused.value.field_errors
    assert db.session.execute(select(RulesetTestRun)).first() is None


def test_the_run_is_found_for_its_version_only(app, world):
    admin, draft, _evaluations = world
    assert rulesets.finished_run(draft) is None
    run = bench.start(admin, draft.id)
    db.session.refresh(draft)
    assert rulesets.finished_run(draft).id == run.id
    tested = rulesets.act(admin, draft.id, "mark_tested")
    assert tested.status == "tested"
    reopened = rulesets.act(admin, draft.id, "reopen")
    changed = rulesets.save_draft(admin, draft.id, {**reopened.rules, "pass_score": 90}, source=reopened.source,
                                  document_number=reopened.document_number, regulation_text="",
                                  expected_version=reopened.version)
    assert changed.version != run.ruleset_version
    assert rulesets.finished_run(changed) is None
    with pytest.raises(ServiceError, match="测试台"):
        rulesets.act(admin, draft.id, "mark_tested")


def test_a_second_start_while_one_runs_returns_it(app, world):
    from app.tasks.worker import drain

    admin, draft, _evaluations = world
    app.config["TASK_WORKER"] = "external"  # held as queued: no worker runs here until drain()
    first = bench.start(admin, draft.id)
    second = bench.start(admin, draft.id)
    other_selection = bench.start(admin, draft.id, year="2026")
    assert first.id == second.id and other_selection.id != first.id
    assert db.session.execute(select(BackgroundTask.id)).all().__len__() == 2
    assert first.status == "queued"
    assert drain()["done"] == 2
    db.session.expire_all()
    assert db.session.get(RulesetTestRun, first.id).status == "done"
    third = bench.start(admin, draft.id)  # the first has finished: a new run
    assert third.id != first.id


def test_a_draft_saved_after_the_start_fails_the_run_with_a_reason(app, world):
    from app.tasks.queue import enqueue

    admin, draft, _evaluations = world
    run = RulesetTestRun(ruleset_id=draft.id, ruleset_version=draft.version - 1, user_id=admin.id, status="queued",
                         total=4)
    db.session.add(run)
    db.session.flush()
    task = enqueue(bench.BENCH_TASK, {"run_id": run.id}, requested_by=admin.id)
    db.session.commit()  # run by the queue (TASK_WORKER=sync): not retried, the reason kept
    db.session.expire_all()
    failed = db.session.get(RulesetTestRun, run.id)
    assert (failed.status, failed.error) == ("failed", bench.DRAFT_CHANGED)
    assert (db.session.get(BackgroundTask, task.id).status, db.session.get(BackgroundTask, task.id).attempts) == (
        "failed", 1)


def test_only_the_rules_administrator_and_only_known_runs(app, world):
    admin, draft, _evaluations = world
    for role in (R.ADMIN, R.PROVINCE_REVIEWER, R.APPLICANT):
        with pytest.raises(Forbidden):
            bench.start(f.gen_user(role), draft.id)
    run = bench.start(admin, draft.id)
    builtin = db.session.execute(select(SmeRuleset).filter_by(builtin=True)).scalar_one()
    with pytest.raises(ServiceError, match="草稿"):
        bench.start(admin, builtin.id)
    for ruleset_id, run_id in ((builtin.id, run.id), (draft.id, 2**40), (draft.id, run.id + 1), (2**40, run.id)):
        with pytest.raises(NotFound):
            bench.get_run(admin, ruleset_id, run_id)
