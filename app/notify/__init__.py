"""Notifications behind one interface: ``enqueue`` (and ``send_sms`` / ``send_email`` on it).

Nothing is sent here. A message is an ``OutboxMessage`` row added to the caller's session, so
it is committed -- or rolled back -- with the change it announces; app/notify/delivery.py hands
it to the configured backend after the commit (``outbox``: keep only, ``smtp`` for e-mail,
``http`` for an SMS gateway), retrying with back-off. Delivery is at-least-once; backends get
the idempotency key ``shenbao-<id>``.
"""
from __future__ import annotations

from flask import current_app

from app.extensions import db
from app.notify.backends import BACKENDS
from models import OutboxMessage

#: channel -> the config key naming its backend
BACKEND_SETTING = {"sms": "SMS_BACKEND", "email": "EMAIL_BACKEND"}


def enqueue(channel: str, recipient: str, subject: str | None, body: str, *, record_type: str | None = None,
            record_id: int | None = None, enterprise_id: int | None = None,
            template: str | None = None) -> OutboxMessage:
    """Queue a message in the current transaction; the caller commits (or rolls back) it.

    :param channel: ``sms`` or ``email``.
    :param record_type, record_id, enterprise_id, template: what the message is about (shown to
        the admin; no foreign keys, the outbox outlives the records).
    :raises ValueError: unknown channel or a backend name the configuration cannot deliver with
        (found now rather than at delivery time, when nobody is there to see it).
    """
    if channel not in BACKEND_SETTING:
        raise ValueError(f"unknown notification channel {channel!r}")
    backend = current_app.config[BACKEND_SETTING[channel]]
    if backend not in BACKENDS[channel]:
        raise ValueError(f"{BACKEND_SETTING[channel]}={backend!r}: no such {channel} backend")
    message = OutboxMessage(channel=channel, recipient=recipient, subject=subject, body=body, backend=backend,
                            status="queued", attempts=0, record_type=record_type, record_id=record_id,
                            enterprise_id=enterprise_id, template=template)
    db.session.add(message)
    return message


def send_sms(mobile: str, body: str) -> OutboxMessage:
    return enqueue("sms", mobile, None, body)


def send_email(address: str, subject: str, body: str) -> OutboxMessage:
    return enqueue("email", address, subject, body)
