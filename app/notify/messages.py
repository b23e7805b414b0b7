"""站内消息: the in-app copy of every notification, and the enterprise's channel choice.

The workflow engine calls ``write_inbox`` inside the transaction that changes the record, so
the message exists exactly when the change does: nothing here commits.
"""
from __future__ import annotations

from sqlalchemy import bindparam, func, select, update

from app.extensions import db
from models import ShenbaoUser
from models.base import utcnow
from models.messages import InboxMessage, NotificationPreference

TITLE_MAX = 200


def write_inbox(enterprise_id: int, title: str, body: str, *, record_type: str | None = None,
                record_id: int | None = None, template: str | None = None) -> list[InboxMessage]:
    """One unread message per active user of the enterprise, added to the session (not committed)."""
    user_ids = db.session.execute(
        select(ShenbaoUser.id).where(ShenbaoUser.enterprise_id == enterprise_id, ShenbaoUser.active.is_(True))
        .order_by(ShenbaoUser.id)
    ).scalars().all()
    messages = [inbox_message(user_id, enterprise_id, title, body, record_type=record_type, record_id=record_id,
                              template=template) for user_id in user_ids]
    db.session.add_all(messages)
    return messages


def inbox_message(user_id: int, enterprise_id: int | None, title: str, body: str, *, record_type: str | None = None,
                  record_id: int | None = None, template: str | None = None) -> InboxMessage:
    """One unread message for one user (not added to any session: the caller's transaction owns it)."""
    return InboxMessage(user_id=user_id, enterprise_id=enterprise_id, title=" ".join((title or "").split())[:TITLE_MAX],
                        body=body or "", record_type=record_type, record_id=record_id, template=template)


def preferences(enterprise_id: int) -> NotificationPreference:
    """The enterprise's choice; without a stored row, the defaults (SMS and e-mail on), not added
    to the session."""
    row = db.session.execute(
        select(NotificationPreference).where(NotificationPreference.enterprise_id == enterprise_id)
    ).scalar_one_or_none()
    return row or NotificationPreference(enterprise_id=enterprise_id, sms=True, email=True)


def save_preferences(enterprise_id: int, *, sms: bool, email: bool) -> NotificationPreference:
    """Store the choice (flushed; the caller commits)."""
    row = preferences(enterprise_id)
    row.sms, row.email = bool(sms), bool(email)
    row.updated_at = utcnow()
    db.session.add(row)
    db.session.flush()
    return row


_INBOX = InboxMessage.__table__
# Built once, on the table (no ORM entity): every page runs it, and an ORM statement built per
# call cost more CPU than the query itself (py-spy: 9 % of an applicant's page).
_UNREAD = (select(func.count()).select_from(_INBOX)
           .where(_INBOX.c.user_id == bindparam("user_id"), _INBOX.c.read_at.is_(None)))


def unread_count(user_id: int) -> int:
    """The top bar's badge: one COUNT on the (user_id, read_at) index."""
    return db.session.execute(_UNREAD, {"user_id": user_id}).scalar_one()


def unread_count_of(user_id_column):
    """The same COUNT for the user of ``user_id_column``, as a subquery of a statement reading users."""
    return (select(func.count()).select_from(_INBOX)
            .where(_INBOX.c.user_id == user_id_column, _INBOX.c.read_at.is_(None)).scalar_subquery())


def user_messages(user_id: int, *, page: int = 0, per_page: int = 50) -> tuple[list[InboxMessage], int]:
    """A page of the user's messages, newest first, and the total."""
    total = db.session.execute(
        select(func.count()).select_from(InboxMessage).where(InboxMessage.user_id == user_id)).scalar_one()
    rows = db.session.execute(
        select(InboxMessage).where(InboxMessage.user_id == user_id)
        .order_by(InboxMessage.created_at.desc(), InboxMessage.id.desc())
        .offset(page * per_page).limit(per_page)
    ).scalars().all()
    return list(rows), total


def own_message(user_id: int, message_id: int) -> InboxMessage | None:
    """The message when it is this user's; None otherwise (the view answers 404)."""
    return db.session.execute(
        select(InboxMessage).where(InboxMessage.id == message_id, InboxMessage.user_id == user_id)
    ).scalar_one_or_none()


def mark_read(message: InboxMessage) -> None:
    if message.read_at is None:
        message.read_at = utcnow()


def mark_all_read(user_id: int) -> int:
    result = db.session.execute(
        update(InboxMessage).where(InboxMessage.user_id == user_id, InboxMessage.read_at.is_(None))
        .values(read_at=utcnow())
    )
    return result.rowcount or 0
