"""The reviewers' daily digest (待处理事项提醒): what waits in each reviewer's queue, by kind of
record, as an in-app message and an e-mail. Scheduled daily (app/jobs); sent at most once a
day per user, and only to users with something waiting.

What "waits" comes from the workflow tables: a record waits for a user when its status has a
transition the user's roles may take on a review or operator screen, and the user's scope
shows it; nothing here lists statuses by hand.
"""
from __future__ import annotations

import datetime as dt

from flask_babel import force_locale
from sqlalchemy import func, select

from app.extensions import db
from app.notify import enqueue
from app.notify.templates import render
from app.programs import RECORD_TYPES
from app.security import roles as R
from app.security.scope import role_names, scope_criterion
from app.timeutil import CHINA, beijing
from app.workflows.model import OPERATOR, REVIEW
from models import InboxMessage, ShenbaoUser
from models.base import utcnow

CODE = "reviewer_digest"
LOCALE = "zh"
STAFF_ROLES = frozenset({R.AGENCY_REVIEWER, R.PROVINCE_REVIEWER, R.ASSOCIATION_REVIEWER, R.RECOMMENDER,
                         R.CA_OPERATOR})


def waiting_for(user) -> list[dict]:
    """[{"kind": label, "count": n}] of the records waiting for ``user``'s decision."""
    roles = role_names(user)
    waiting = []
    for kind in RECORD_TYPES:
        statuses = sorted({source for t in kind.workflow.transitions if t.roles & roles
                           and t.channels & {REVIEW, OPERATOR} for source in t.sources})
        if not statuses:
            continue
        model = kind.model
        count = db.session.execute(select(func.count()).select_from(model).where(
            model.status.in_(statuses), scope_criterion(model, user))).scalar_one()
        if count:
            waiting.append({"kind": str(kind.label), "count": count})
    return waiting


def _start_of_china_day(now: dt.datetime) -> dt.datetime:
    """Naive UTC of the last Beijing midnight (rows store naive UTC)."""
    local = now.replace(tzinfo=dt.timezone.utc).astimezone(CHINA)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight.astimezone(dt.timezone.utc).replace(tzinfo=None)


def send_digests(now: dt.datetime | None = None) -> dict[str, int]:
    """One digest per active staff user with work waiting, unless one went out today."""
    now = now or utcnow()
    since = _start_of_china_day(now)
    counts = {"sent": 0, "nothing_waiting": 0, "already_sent": 0}
    users = db.session.execute(select(ShenbaoUser).where(ShenbaoUser.active.is_(True))
                               .order_by(ShenbaoUser.id)).scalars().all()
    for user in users:
        if not role_names(user) & STAFF_ROLES:
            continue
        if db.session.execute(select(InboxMessage.id).where(
                InboxMessage.user_id == user.id, InboxMessage.template == CODE,
                InboxMessage.created_at >= since).limit(1)).first():
            counts["already_sent"] += 1
            continue
        with force_locale(LOCALE):
            waiting = waiting_for(user)
        if not waiting:
            counts["nothing_waiting"] += 1
            continue
        text = render(CODE, LOCALE, {"waiting": waiting, "at": beijing(now)})
        db.session.add(InboxMessage(user_id=user.id, title=text.message_title, body=text.message_body,
                                    template=CODE, created_at=now))
        if user.email and text.email_body:
            enqueue("email", user.email, text.email_subject, text.email_body, template=CODE)
        db.session.commit()
        counts["sent"] += 1
    return counts
