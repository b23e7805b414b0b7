"""The rule-set test bench (测试台): the rules administrator re-scores past submissions under a
draft before marking it tested; a run records the draft's version, so
``rulesets.finished_run`` finds it only while the draft stays as tested.

``start`` records the run and queues a background task (app.tasks, kind "ruleset_bench") in
the same transaction, as large exports do; any worker runs it, and runs it again from the start
if its worker dies (the changes of the earlier attempt are replaced).
"""
from __future__ import annotations

import datetime as dt
import gc
import logging
import time
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app.extensions import db
from app.services.errors import NotFound, ServiceError
from app.services.sme import rulesets
from app.services.sme.ruleset_rescore import count_selection, past_submissions, rescore
from app.tasks.queue import PermanentError, enqueue
from app.tasks.registry import ClaimedTask, register
from models import Region, RulesetTestChange, RulesetTestRun, SmeEvaluation, SmeRuleset
from models.base import utcnow

log = logging.getLogger(__name__)

TESTABLE = ("draft", "tested")
ACTIVE = ("queued", "running")
#: A queued or running run older than this is taken as lost (its process died): a new start
#: no longer returns it.
STALE_AFTER = dt.timedelta(hours=1)
#: ``RulesetTestRun.error`` when the draft was saved between the start and the run.
DRAFT_CHANGED = "draft_changed"
#: Largest id a URL may name (ids are 32-bit): a bigger one is simply not found.
MAX_ID = 2**31 - 1
CHANGES_PER_PAGE = 50


def _draft(user, ruleset_id: Any) -> SmeRuleset:
    rulesets._check_role(user)
    if not isinstance(ruleset_id, int) or not 0 < ruleset_id <= MAX_ID:
        raise NotFound(_("Record not found."))
    return rulesets.get(user, ruleset_id)


def testable(row: SmeRuleset) -> bool:
    return not row.builtin and row.status in TESTABLE


@dataclass(frozen=True)
class Selection:
    """What the start form offers: the years present among past submissions and their provinces
    as (code, name), names in the region table's order of codes."""

    years: list[int]
    provinces: list[tuple[str, str]]


def selection_options() -> Selection:
    where = past_submissions(None, None)
    years = db.session.execute(select(SmeEvaluation.year).distinct().where(where)
                               .order_by(SmeEvaluation.year.desc())).scalars().all()
    codes = [c for c in db.session.execute(select(SmeEvaluation.province_code).distinct().where(where)).scalars() if c]
    names = region_names(codes)
    return Selection(list(years), [(code, names.get(code, code)) for code in sorted(codes)])


def region_names(codes) -> dict[str, str]:
    codes = {c for c in codes if c}
    if not codes:
        return {}
    return dict(db.session.execute(select(Region.code, Region.name).where(Region.code.in_(codes))).all())


def _selection(year: Any, province_code: Any) -> tuple[int | None, str | None]:
    """The chosen year and province, each one of those offered (blank = all)."""
    options = selection_options()
    chosen_year = None
    if year not in (None, ""):
        try:
            chosen_year = int(year)
        except (TypeError, ValueError):
            chosen_year = -1
        if chosen_year not in options.years:
            raise ServiceError(_("Choose a year from the list."), {"year": _("Choose a year from the list.")})
    chosen_province = (province_code or "").strip() or None
    if chosen_province is not None and chosen_province not in dict(options.provinces):
        raise ServiceError(_("Choose a province from the list."), {"province": _("Choose a province from the list.")})
    return chosen_year, chosen_province


def start(user, ruleset_id: Any, year: Any = None, province_code: Any = None) -> RulesetTestRun:
    """Start a bench run of a draft's current version on past submissions (of a year and a
    province, or all). A run of the same draft, version and selection still queued or running
    is returned instead of a second one (a double click).

    :raises Forbidden: Unless the user is the rules administrator.
    :raises NotFound: For an unknown rule set.
    :raises ServiceError: For a set that is not a draft, or a year or province not offered.
    """
    row = _draft(user, ruleset_id)
    if not testable(row):
        raise ServiceError(_("Only a draft can be tested on the bench."))
    chosen_year, chosen_province = _selection(year, province_code)
    # The draft's row lock (PostgreSQL) orders two clicks: the second finds the first's run.
    db.session.execute(select(SmeRuleset.id).where(SmeRuleset.id == row.id).with_for_update())
    running = db.session.execute(
        select(RulesetTestRun).where(RulesetTestRun.ruleset_id == row.id,
                                     RulesetTestRun.ruleset_version == row.version,
                                     _same(RulesetTestRun.selection_year, chosen_year),
                                     _same(RulesetTestRun.selection_province, chosen_province),
                                     RulesetTestRun.status.in_(ACTIVE),
                                     RulesetTestRun.created_at > utcnow() - STALE_AFTER)
        .order_by(RulesetTestRun.id.desc()).limit(1)).scalar_one_or_none()
    if running is not None:
        db.session.commit()
        return running
    test_run = RulesetTestRun(ruleset_id=row.id, ruleset_version=row.version, user_id=user.id,
                              selection_year=chosen_year, selection_province=chosen_province, status="queued",
                              total=count_selection(db.session, chosen_year, chosen_province), done=0)
    db.session.add(test_run)
    db.session.flush()
    enqueue(BENCH_TASK, {"run_id": test_run.id}, requested_by=user.id, total=test_run.total)
    db.session.commit()  # the task runs after this commit (TASK_WORKER): at once in tests
    return test_run


def _same(column, value):
    return column.is_(None) if value is None else column == value


def run(task: ClaimedTask, progress) -> None:
    """The task: re-score the run's selection under the draft's recorded version, store the
    summary and the changed evaluations. A draft saved since the start fails the run at once;
    any other error is retried by the queue, then fails the run with the error."""
    run_id = task.args["run_id"]
    with Session(db.engine) as session:
        test_run = session.get(RulesetTestRun, run_id)
        if test_run is None or test_run.status not in ACTIVE:
            return
        # An earlier attempt's worker died: its changes go, the run starts again.
        session.execute(delete(RulesetTestChange).where(RulesetTestChange.run_id == run_id))
        test_run.status, test_run.started_at, test_run.done = "running", utcnow(), 0
        session.commit()
        started = time.perf_counter()
        draft_row = session.get(SmeRuleset, test_run.ruleset_id)
        if draft_row.version != test_run.ruleset_version:
            raise PermanentError(DRAFT_CHANGED)
        draft = rulesets.parsed(draft_row)

        def chunk_done(done: int) -> None:
            test_run.done = done
            session.commit()
            progress(done)

        # The cyclic collector would walk every long-lived object of the process (the app,
        # SQLAlchemy's caches) again and again while the run allocates millions of small ones:
        # frozen for the run, 100,000 evaluations take half the time (bench/ruleset_rescore.py).
        gc.freeze()
        try:
            tally = rescore(session, test_run.id, draft, test_run.selection_year, test_run.selection_province,
                            test_run.total, chunk_done)
        finally:
            gc.unfreeze()
        test_run.summary = tally.as_summary(pass_score=draft.pass_score,
                                            seconds=round(time.perf_counter() - started, 2))
        test_run.total = max(test_run.total, test_run.done)
        session.commit()


def _run_done(session: Session, task: ClaimedTask, result) -> None:
    test_run = session.get(RulesetTestRun, task.args["run_id"])
    if test_run is not None and test_run.status in ACTIVE:
        test_run.status, test_run.finished_at = "done", utcnow()


def _run_failed(session: Session, task: ClaimedTask, error: str) -> None:
    test_run = session.get(RulesetTestRun, task.args["run_id"])
    if test_run is not None:
        test_run.status, test_run.error, test_run.finished_at = "failed", error[:500], utcnow()


BENCH_TASK = "ruleset_bench"
register(BENCH_TASK, run, on_done=_run_done, on_failed=_run_failed)


# --- reading runs --------------------------------------------------------------------------------

def get_run(user, ruleset_id: Any, run_id: Any) -> tuple[SmeRuleset, RulesetTestRun]:
    """:raises NotFound: For an unknown run, or a run of another rule set."""
    row = _draft(user, ruleset_id)
    if not isinstance(run_id, int) or not 0 < run_id <= MAX_ID:
        raise NotFound(_("Record not found."))
    test_run = db.session.get(RulesetTestRun, run_id)
    if test_run is None or test_run.ruleset_id != row.id:
        raise NotFound(_("Record not found."))
    return row, test_run


def runs_of(user, ruleset_id: Any) -> tuple[SmeRuleset, list[RulesetTestRun]]:
    """A rule set and its bench runs, newest first."""
    row = _draft(user, ruleset_id)
    runs = db.session.execute(select(RulesetTestRun).where(RulesetTestRun.ruleset_id == row.id)
                              .order_by(RulesetTestRun.id.desc())).scalars().all()
    return row, list(runs)


def bench_ruleset(user, ruleset_id: Any) -> SmeRuleset:
    """The rule set a start form is for (any status: the page says when it cannot be tested)."""
    return _draft(user, ruleset_id)


@dataclass(frozen=True)
class ChangesPage:
    items: list[RulesetTestChange]
    total: int
    page: int
    per_page: int = CHANGES_PER_PAGE

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def changes_page(test_run: RulesetTestRun, page: Any) -> ChangesPage:
    """One page (1-based) of the run's changed evaluations, in the order they were found."""
    total = db.session.execute(select(func.count(RulesetTestChange.id))
                               .where(RulesetTestChange.run_id == test_run.id)).scalar_one()
    try:
        number = int(page or 1)
    except (TypeError, ValueError):
        number = 1
    pages = max(1, -(-total // CHANGES_PER_PAGE))
    number = min(max(number, 1), pages)
    items = db.session.execute(select(RulesetTestChange).where(RulesetTestChange.run_id == test_run.id)
                               .order_by(RulesetTestChange.id).offset((number - 1) * CHANGES_PER_PAGE)
                               .limit(CHANGES_PER_PAGE)).scalars().all()
    return ChangesPage(list(items), total, number)


def change_provinces(test_run: RulesetTestRun) -> list[str]:
    """The province codes among a run's changed evaluations (for their names in the workbook)."""
    return list(db.session.execute(select(RulesetTestChange.province_code).distinct()
                                   .where(RulesetTestChange.run_id == test_run.id)).scalars())


def all_changes(test_run: RulesetTestRun, chunk: int = 2000):
    """Every change row of a run in order, read a chunk at a time (for the workbook)."""
    last = 0
    while True:
        rows = db.session.execute(select(RulesetTestChange).where(RulesetTestChange.run_id == test_run.id,
                                                                  RulesetTestChange.id > last)
                                  .order_by(RulesetTestChange.id).limit(chunk)).scalars().all()
        if not rows:
            return
        yield from rows
        last = rows[-1].id
