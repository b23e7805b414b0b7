"""Outbox: every SMS and e-mail the platform sends, whatever the delivery backend.

The table is also the delivery queue (app/notify/delivery.py): a row is written in the
transaction of the change it announces and delivered after that transaction commits.
"""
from __future__ import annotations

from flask_appbuilder import Model
from sqlalchemy import Column, DateTime, Index, Integer, String, Text

from models.base import utcnow


class OutboxMessage(Model):
    __tablename__ = "outbox_message"
    # The workers' claim query: queued rows whose next attempt is due.
    __table_args__ = (Index("ix_outbox_message_status_next_attempt", "status", "next_attempt_at"),)

    id = Column(Integer, primary_key=True)
    channel = Column(String(8), nullable=False)  # sms | email
    recipient = Column(String(254), nullable=False, index=True)
    subject = Column(String(200), nullable=True)
    body = Column(Text, nullable=False)
    backend = Column(String(16), nullable=False)
    status = Column(String(16), nullable=False, default="queued")  # queued | sent | failed
    error = Column(Text, nullable=True)  # the last delivery error (kept when it finally fails)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    sent_at = Column(DateTime, nullable=True)
    attempts = Column(Integer, nullable=False, default=0, server_default="0")  # failed deliveries so far
    next_attempt_at = Column(DateTime, nullable=True)  # naive UTC; null = due now
    locked_until = Column(DateTime, nullable=True)  # lease of the worker that claimed it
    # What the message is about (for the admin and for later per-record views).
    record_type = Column(String(48), nullable=True)
    record_id = Column(Integer, nullable=True)
    enterprise_id = Column(Integer, nullable=True, index=True)  # no FK: the outbox outlives records
    template = Column(String(64), nullable=True)
