"""The reviewers' daily digest: counts what waits in each reviewer's own queue, once a day."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from app.extensions import db
from app.notify.digest import send_digests, waiting_for
from app.security import roles as R
from models import InboxMessage, OutboxMessage
from tests import factories as f


def test_digest_counts_the_queue_in_scope_and_goes_out_once_a_day(app):
    f.gen_enterprise(status="submitted")  # routed to 杭州 (330100)
    f.gen_enterprise(status="submitted")
    f.gen_enterprise(status="approved")  # nothing to decide
    hangzhou = f.gen_user(R.AGENCY_REVIEWER, agency_region="330100")
    hangzhou.email = "hz-agency@example.com"
    jinhua = f.gen_user(R.AGENCY_REVIEWER, agency_region="330700")
    db.session.commit()

    assert [w["count"] for w in waiting_for(hangzhou)] == [2]
    assert waiting_for(jinhua) == []

    now = dt.datetime(2026, 12, 3, 0, 30)  # 08:30 in Beijing
    counts = send_digests(now)
    assert counts["sent"] >= 1 and counts["nothing_waiting"] >= 1
    message = db.session.execute(select(InboxMessage).where(InboxMessage.user_id == hangzhou.id)).scalar_one()
    assert "2件" in message.body and "2026-12-03 08:30" in message.body and message.read_at is None
    mail = db.session.execute(select(OutboxMessage).where(OutboxMessage.recipient == "hz-agency@example.com")).scalar_one()
    assert "2件" in mail.body
    assert not db.session.execute(select(InboxMessage).where(InboxMessage.user_id == jinhua.id)).first()

    assert send_digests(now + dt.timedelta(hours=3))["sent"] == 0  # same Beijing day
    send_digests(now + dt.timedelta(days=1))  # the next day, still waiting
    assert len(db.session.execute(select(InboxMessage).where(InboxMessage.user_id == hangzhou.id)).all()) == 2
