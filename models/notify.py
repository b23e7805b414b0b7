"""Outbox: every SMS and e-mail the platform sends, whatever the delivery backend."""
from __future__ import annotations

from flask_appbuilder import Model
from sqlalchemy import Column, DateTime, Integer, String, Text

from models.base import utcnow


class OutboxMessage(Model):
    __tablename__ = "outbox_message"
    id = Column(Integer, primary_key=True)
    channel = Column(String(8), nullable=False)  # sms | email
    recipient = Column(String(254), nullable=False, index=True)
    subject = Column(String(200), nullable=True)
    body = Column(Text, nullable=False)
    backend = Column(String(16), nullable=False)
    status = Column(String(16), nullable=False, default="queued")  # queued | sent | failed
    error = Column(Text, nullable=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    sent_at = Column(DateTime, nullable=True)
