"""Notifications behind one interface: ``send_sms`` and ``send_email``.

Every message is written to the outbox table first (the admin can read it; the dev log
shows it), then handed to the configured backend: ``outbox`` (keep only), ``smtp`` for
e-mail, ``http`` for an SMS gateway.
"""
from __future__ import annotations

import logging

from flask import current_app

from app.extensions import db
from app.notify.backends import BACKENDS, DeliveryError
from models import OutboxMessage
from models.base import utcnow

log = logging.getLogger("shenbao.notify")


def send_sms(mobile: str, body: str) -> OutboxMessage:
    return _send("sms", mobile, None, body, current_app.config["SMS_BACKEND"])


def send_email(address: str, subject: str, body: str) -> OutboxMessage:
    return _send("email", address, subject, body, current_app.config["EMAIL_BACKEND"])


def _send(channel: str, recipient: str, subject: str | None, body: str, backend_name: str) -> OutboxMessage:
    message = OutboxMessage(
        channel=channel, recipient=recipient, subject=subject, body=body, backend=backend_name
    )
    db.session.add(message)
    backend = BACKENDS[channel][backend_name]
    try:
        backend(current_app.config, message)
        message.status = "sent"
        message.sent_at = utcnow()
    except DeliveryError as exc:
        # The message stays in the outbox marked failed; the user is told to retry.
        message.status = "failed"
        message.error = str(exc)
        log.warning("delivery of %s to %s failed: %s", channel, recipient, exc)
    if backend_name == "outbox":
        log.info("[outbox] %s to %s: %s %s", channel, recipient, subject or "", body)
    return message
