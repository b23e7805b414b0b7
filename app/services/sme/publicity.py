"""Tech-SME evaluation, after the province approves: the spot-check draw, publicity batches and
the daily publicity tick (the scheduler acting as the system)."""
from __future__ import annotations

import datetime as dt
import random
import secrets
from typing import Iterable

from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.services.unit_of_work import use_case
from app.security import roles as R
from app.security.actors import SystemActor
from app.services.errors import Forbidden, ServiceError
from app.services.sme.filling import evaluation_year
from app.workflows import engine
from app.workflows.definitions import PUBLICITY_BATCH, SME_EVALUATION
from app.workflows.model import DRAW, SCHEDULER
from models import PublicityBatch, SmeEvaluation, SpotCheckDraw


def _move(actor, record_id: int, action: str, channel: str):
    return engine.apply(SME_EVALUATION, SmeEvaluation, record_id, action, actor, channel=channel)


@use_case
def draw_spot_check(actor, percentage: int, seed: str | None = None, year: int | None = None) -> SpotCheckDraw:
    """抽查: a reproducible random sample of the province's recommended records; the rest
    are queued for publicity. The seed is kept so anyone can redraw the same sample."""
    from app.security.scope import scope_criterion

    if not 0 <= int(percentage) <= 100:
        raise ServiceError(_("Enter a percentage between 0 and 100."))
    province = _province_of(actor)
    year = year or evaluation_year()
    candidates = sorted(db.session.execute(select(SmeEvaluation.id).where(
        SmeEvaluation.status == "recommended", SmeEvaluation.year == year,
        SmeEvaluation.province_code == province, scope_criterion(SmeEvaluation, actor))).scalars())
    seed = seed or secrets.token_hex(8)
    count = round(len(candidates) * int(percentage) / 100)
    sampled = sorted(random.Random(f"{seed}:{year}:{province}").sample(candidates, count))
    draw = SpotCheckDraw(province_code=province, year=year, percentage=int(percentage), seed=seed,
                         candidate_ids=candidates, sampled_ids=sampled, drawn_by_id=actor.id)
    db.session.add(draw)
    db.session.commit()
    chosen = set(sampled)
    for record_id in candidates:
        _move(actor, record_id, "sample" if record_id in chosen else "queue", DRAW)
    return draw


@use_case
def create_batch(actor, name: str, starts_on: dt.date, ends_on: dt.date, ids: Iterable[int]) -> PublicityBatch:
    """A publicity window for queued records of the actor's province."""
    from app.security.scope import scope_criterion

    province = _province_of(actor)
    if not name or not starts_on or not ends_on or ends_on < starts_on:
        raise ServiceError(_("Please give a name and a start date not after the end date."))
    batch = PublicityBatch(province_code=province, name=name.strip()[:128], starts_on=starts_on, ends_on=ends_on)
    db.session.add(batch)
    db.session.flush()
    records = db.session.execute(select(SmeEvaluation).where(
        SmeEvaluation.id.in_([int(i) for i in ids]), SmeEvaluation.status == "publicity_queued",
        SmeEvaluation.publicity_batch_id.is_(None), scope_criterion(SmeEvaluation, actor))).scalars().all()
    if not records:
        db.session.rollback()
        raise ServiceError(_("Choose records queued for publicity that are not in a batch yet."))
    for record in records:
        record.publicity_batch_id = batch.id
    db.session.commit()
    return batch


def _province_of(actor) -> str:
    """The province a provincial reviewer acts for; anyone else may not draw or batch."""
    from app.security.scope import role_names

    agency = getattr(actor, "agency", None)
    if R.PROVINCE_REVIEWER not in role_names(actor) or agency is None:
        raise Forbidden(_("Your role may not take this action."))
    return agency.province_code


def publicity_tick(today: dt.date) -> dict[str, int]:
    """Scheduled daily (and safe to run again): open batches whose start date has come and
    close those whose end date has passed, each with its records in one transaction."""
    actor = SystemActor()
    moved = {"opened": 0, "closed": 0}
    for batch_id in db.session.execute(select(PublicityBatch.id).where(
            PublicityBatch.status == "planned", PublicityBatch.starts_on <= today)).scalars().all():
        moved["opened"] += engine.apply(PUBLICITY_BATCH, PublicityBatch, batch_id, "open", actor,
                                        channel=SCHEDULER).step_result
    for batch_id in db.session.execute(select(PublicityBatch.id).where(
            PublicityBatch.status == "open", PublicityBatch.ends_on < today)).scalars().all():
        moved["closed"] += engine.apply(PUBLICITY_BATCH, PublicityBatch, batch_id, "close", actor,
                                        channel=SCHEDULER).step_result
    # Records whose objection was resolved after their window had closed.
    closed_ids = select(PublicityBatch.id).where(PublicityBatch.status == "closed")
    for record_id in db.session.execute(select(SmeEvaluation.id).where(
            SmeEvaluation.status == "in_publicity", SmeEvaluation.publicity_batch_id.in_(closed_ids))).scalars().all():
        _move(actor, record_id, "close_publicity", SCHEDULER)
        moved["closed"] += 1
    return moved


def open_batch_records(step) -> None:
    """Hook of a batch's ``open``: its queued records enter publicity with it."""
    step.result = _follow_batch_records(step, "publicity_queued", "open_publicity")


def close_batch_records(step) -> None:
    """Hook of a batch's ``close``: its records in publicity complete it (those under
    objection wait for the province's decision)."""
    step.result = _follow_batch_records(step, "in_publicity", "close_publicity")


def _follow_batch_records(step, status: str, action: str) -> int:
    records = db.session.execute(select(SmeEvaluation).where(
        SmeEvaluation.publicity_batch_id == step.record.id, SmeEvaluation.status == status)
        .order_by(SmeEvaluation.id)).scalars().all()
    for record in records:
        engine.follow(SME_EVALUATION, record, action, step.actor, parent=step)
    return len(records)
