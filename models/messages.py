"""站内消息 (in-app messages), notification templates kept as data, and each enterprise's
choice of channels.

The workflow engine renders a template (app.notify.templates) for each transition that
notifies and writes one InboxMessage per active user of the enterprise (app.notify.messages).
"""
from __future__ import annotations

from flask_appbuilder import Model
from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint

from models.base import utcnow


class NotificationTemplate(Model):
    """One notification in one language; the admin edits the texts (Jinja, sandboxed).

    A missing row means the default in app/notify/templates.py applies.
    """

    __tablename__ = "notification_template"
    __table_args__ = (UniqueConstraint("code", "locale", name="uq_notification_template_code_locale"),)
    id = Column(Integer, primary_key=True)
    code = Column(String(64), nullable=False)
    locale = Column(String(8), nullable=False)  # zh | en
    sms_body = Column(Text, nullable=False, default="")
    email_subject = Column(String(200), nullable=False, default="")
    email_body = Column(Text, nullable=False, default="")
    message_title = Column(String(200), nullable=False, default="")
    message_body = Column(Text, nullable=False, default="")
    updated_at = Column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)
    updated_by_id = Column(Integer, ForeignKey("ab_user.id"), nullable=True)

    def __repr__(self) -> str:  # FAB shows it in titles and related lists
        return f"{self.code} ({self.locale})"


class InboxMessage(Model):
    """One in-app message for one user; read_at NULL while unread."""

    __tablename__ = "inbox_message"
    # The top bar counts a user's unread messages on every page: (user_id, read_at) answers
    # that COUNT from the index alone, and serves every user_id lookup too (so user_id has no
    # index of its own).
    __table_args__ = (Index("ix_inbox_message_user_read", "user_id", "read_at"),)
    id = Column(Integer, primary_key=True)
    user_id = Column(Integer, ForeignKey("ab_user.id"), nullable=False)
    enterprise_id = Column(Integer, ForeignKey("enterprise.id"), nullable=True, index=True)
    title = Column(String(200), nullable=False)
    body = Column(Text, nullable=False, default="")
    record_type = Column(String(48), nullable=True)
    record_id = Column(Integer, nullable=True)
    template = Column(String(64), nullable=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    read_at = Column(DateTime, nullable=True)


class NotificationPreference(Model):
    """Which channels an enterprise wants besides the in-app message (always written)."""

    __tablename__ = "notification_preference"
    id = Column(Integer, primary_key=True)
    enterprise_id = Column(Integer, ForeignKey("enterprise.id"), nullable=False, unique=True)
    sms = Column(Boolean, nullable=False, default=True)
    email = Column(Boolean, nullable=False, default=True)
    updated_at = Column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)
