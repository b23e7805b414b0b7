"""The test bench's arithmetic: past submissions re-scored under a draft and under the set that
scored them, compared, and tallied (counts each way, score histograms, the changed rows).

Read in chunks by id (keyset), only the columns the scoring needs; each chunk's change rows are
inserted in one statement and committed with the progress. No ORM objects per evaluation: at
100,000 evaluations the scorer and the JSON decoding are the cost (bench/ruleset_rescore.py).
"""
from __future__ import annotations

import json
import types
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

from sqlalchemy import and_, func, insert, select
from sqlalchemy.orm import Session

from app.services import sme_form as form
from app.services.sme import rulesets
from models import Enterprise, RulesetTestChange, SmeEvaluation, SmeRuleset
from rules.sme import InterchangeError, Ruleset, RulesetError, evaluate, parse_interchange

#: Histogram bins: 0–9, 10–19, …, 80–89, 90–100 (a score above 100 counts in the last), then
#: "not scored" (the entry-failed and direct paths have no total).
BIN_COUNT = 10
NOT_SCORED = BIN_COUNT
#: Rows read per chunk at most; fewer for a small selection so progress moves every ~2 %.
MAX_CHUNK = 2000
MIN_CHUNK = 50
#: Regions outside the mainland for indicator 1 (as app.services.sme.filling.registered_in_mainland).
OUTSIDE_MAINLAND = ("71", "81", "82")
#: What a chunk's data may throw when the stored tables no longer fit the form or the rules.
UNREADABLE = (InterchangeError, RulesetError, ValueError, TypeError, AttributeError, KeyError)


def histogram_bin(total: int | None) -> int:
    """:returns: The bin index of a total score (``NOT_SCORED`` for None)."""
    if total is None:
        return NOT_SCORED
    return min(max(int(total), 0) // 10, BIN_COUNT - 1)


def past_submissions(year: int | None, province_code: str | None):
    """The selection: submitted evaluations with a stored score, optionally of a year and a province."""
    conditions = [SmeEvaluation.submitted_at.isnot(None), SmeEvaluation.result.isnot(None),
                  SmeEvaluation.path.isnot(None)]  # a failed self-evaluation stores JSON null, path None
    if year is not None:
        conditions.append(SmeEvaluation.year == year)
    if province_code:
        conditions.append(SmeEvaluation.province_code == province_code)
    return and_(*conditions)


def count_selection(session: Session, year: int | None, province_code: str | None) -> int:
    return session.execute(select(func.count(SmeEvaluation.id)).where(past_submissions(year, province_code))).scalar_one()


def _chunks(session: Session, year: int | None, province_code: str | None, size: int) -> Iterator[list]:
    """Rows (id, year, data, ruleset_id, ruleset_version, province_code, name, credit_code,
    enterprise province) in id order, ``size`` at a time, keyset-paged."""
    where = past_submissions(year, province_code)
    stmt = (select(SmeEvaluation.id, SmeEvaluation.year, SmeEvaluation.data, SmeEvaluation.ruleset_id,
                   SmeEvaluation.ruleset_version, SmeEvaluation.province_code, Enterprise.name,
                   Enterprise.credit_code, Enterprise.province_code)
            .join(Enterprise, Enterprise.id == SmeEvaluation.enterprise_id)
            .order_by(SmeEvaluation.id).limit(size))
    last = 0
    while True:
        rows = session.execute(stmt.where(where, SmeEvaluation.id > last)).all()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


@dataclass
class Tally:
    """What the run found; ``as_summary()`` is stored on the run (``RulesetTestRun.summary``)."""

    total: int = 0
    rescored: int = 0
    not_rescored: int = 0
    newly_qualified: int = 0
    no_longer_qualified: int = 0
    still_qualified: int = 0
    still_not_qualified: int = 0
    points_changed: int = 0
    changes: int = 0
    before: list[int] = field(default_factory=lambda: [0] * (BIN_COUNT + 1))
    after: list[int] = field(default_factory=lambda: [0] * (BIN_COUNT + 1))

    def as_summary(self, **extra: Any) -> dict[str, Any]:
        return {"total": self.total, "rescored": self.rescored, "not_rescored": self.not_rescored,
                "newly_qualified": self.newly_qualified, "no_longer_qualified": self.no_longer_qualified,
                "still_qualified": self.still_qualified, "still_not_qualified": self.still_not_qualified,
                "points_changed": self.points_changed, "changes": self.changes,
                "histogram": {"before": self.before, "after": self.after}, **extra}


class PreviousSets:
    """The set each evaluation was scored with, parsed once per (id, version); the year's set in
    force for an evaluation that names none (scored before sets were recorded)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._by_key: dict[tuple, Ruleset] = {}

    def get(self, ruleset_id: int | None, version: int | None, year: int) -> Ruleset:
        key = (ruleset_id, version) if ruleset_id is not None else (None, year)
        ruleset = self._by_key.get(key)
        if ruleset is None:
            row = self.session.get(SmeRuleset, ruleset_id) if ruleset_id is not None else None
            ruleset = self._by_key[key] = rulesets.scored_with(types.SimpleNamespace(ruleset=row, year=year))
        return ruleset


def _outcome(result) -> tuple[bool, str, int | None, list[int | None]]:
    indicators = result.indicators
    return (result.qualified, result.path, result.total_score,
            [indicators[8].points, indicators[9].points, indicators[10].points])


def _unscored(points: list) -> list | None:
    # An entry-failed evaluation has no indicator 9–11 points: the change row says "not scored".
    return None if all(p is None for p in points) else points


_CHANGE_COLUMNS = ("run_id", "evaluation_id", "enterprise_name", "credit_code", "province_code", "year",
                   "old_qualified", "new_qualified", "old_total", "new_total", "old_points", "new_points",
                   "old_path", "new_path")


def insert_changes(session: Session, changes: list[dict]) -> None:
    """One chunk's change rows in the session's transaction. PostgreSQL takes them by COPY: the
    driver's executemany sends a statement per row (about 30 µs each), and SQLAlchemy's batched
    VALUES form makes psycopg re-parse every large statement (slower still, measured with
    bench/ruleset_rescore.py); SQLite's executemany is already a C loop."""
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        session.execute(insert(RulesetTestChange), changes)
        return
    driver = connection.connection.driver_connection
    with driver.cursor() as cursor:
        with cursor.copy(f"COPY {RulesetTestChange.__tablename__} ({', '.join(_CHANGE_COLUMNS)}) FROM STDIN") as copy:
            for change in changes:
                copy.write_row([json.dumps(value) if isinstance(value, list) else value
                                for value in (change[name] for name in _CHANGE_COLUMNS)])


def rescore(session: Session, run_id: int, draft: Ruleset, year: int | None, province_code: str | None,
            total: int, progress: Callable[[int], None]) -> Tally:
    """Re-score the selection under ``draft``; insert a ``RulesetTestChange`` row for every
    evaluation whose qualification, path or indicator 9/10/11 points differ.

    :param progress: Called with the number done after each chunk (its commit is the caller's).
    """
    tally = Tally(total=total)
    previous = PreviousSets(session)
    size = max(MIN_CHUNK, min(MAX_CHUNK, total // 50 or MIN_CHUNK))
    to_interchange, parse, score = form.to_interchange, parse_interchange, evaluate
    before, after = tally.before, tally.after
    done = 0
    for rows in _chunks(session, year, province_code, size):
        changes = []
        for (evaluation_id, eval_year, data, ruleset_id, ruleset_version, province, name, credit_code,
             enterprise_province) in rows:
            region = enterprise_province or province or ""
            try:
                inp = parse(to_interchange(data or {}, year=eval_year,
                                           registered_in_mainland=region[:2] not in OUTSIDE_MAINLAND))
                old_set = previous.get(ruleset_id, ruleset_version, eval_year)
                old = _outcome(score(inp, old_set))
                new = _outcome(score(inp, draft))
            except UNREADABLE:
                tally.not_rescored += 1
                continue
            tally.rescored += 1
            old_qualified, old_path, old_total, old_points = old
            new_qualified, new_path, new_total, new_points = new
            before[histogram_bin(old_total)] += 1
            after[histogram_bin(new_total)] += 1
            if old_qualified != new_qualified:
                if new_qualified:
                    tally.newly_qualified += 1
                else:
                    tally.no_longer_qualified += 1
            else:
                if new_qualified:
                    tally.still_qualified += 1
                else:
                    tally.still_not_qualified += 1
                if old_total != new_total or old_points != new_points:
                    tally.points_changed += 1
            if old_qualified != new_qualified or old_path != new_path or old_points != new_points:
                changes.append({
                    "run_id": run_id, "evaluation_id": evaluation_id, "enterprise_name": name or "",
                    "credit_code": credit_code, "province_code": province or enterprise_province, "year": eval_year,
                    "old_qualified": old_qualified, "new_qualified": new_qualified,
                    "old_total": old_total, "new_total": new_total,
                    "old_points": _unscored(old_points), "new_points": _unscored(new_points),
                    "old_path": old_path, "new_path": new_path,
                })
        if changes:
            insert_changes(session, changes)
            tally.changes += len(changes)
        done += len(rows)
        progress(done)
    return tally
