"""Delivery backends. Each takes the app config and a message (``id``, ``recipient``,
``subject``, ``body``: an OutboxMessage or a row of its table); raises DeliveryError.

Delivery is at-least-once (a worker killed between the send and marking the row sent sends
again), so every backend passes the message's idempotency key ``shenbao-<id>`` on: the SMS
gateway as ``Idempotency-Key`` header and ``id`` field, SMTP as the Message-ID.
"""
from __future__ import annotations

import json
import smtplib
import socket
import urllib.request
from email.message import EmailMessage
from typing import Any, Callable, Mapping


class DeliveryError(Exception):
    pass


def idempotency_key(message) -> str:
    return f"shenbao-{message.id}"


def keep_in_outbox(config: Mapping[str, Any], message) -> None:
    """Default: the outbox row is the delivery (development, demos, tests)."""


def send_smtp(config: Mapping[str, Any], message) -> None:
    email = EmailMessage()
    email["From"] = config["MAIL_FROM"]
    email["To"] = message.recipient
    email["Subject"] = message.subject or ""
    # The same Message-ID on a redelivery lets mail systems (and people) recognise the duplicate.
    email["Message-ID"] = f"<{idempotency_key(message)}@{config.get('MAIL_DOMAIN') or socket.getfqdn()}>"
    email.set_content(message.body)
    try:
        with smtplib.SMTP(config["SMTP_HOST"], int(config["SMTP_PORT"]), timeout=10) as smtp:
            if config.get("SMTP_STARTTLS"):
                smtp.starttls()
            if config.get("SMTP_USER"):
                smtp.login(config["SMTP_USER"], config["SMTP_PASSWORD"])
            smtp.send_message(email)
    except (OSError, smtplib.SMTPException) as exc:
        raise DeliveryError(f"SMTP: {exc}") from exc


def send_http_sms(config: Mapping[str, Any], message) -> None:
    """POST {"id", "mobile", "content"} as JSON with a bearer token and an Idempotency-Key
    header (both ``shenbao-<id>``: a gateway can drop a redelivery); any 2xx is success."""
    url = config.get("SMS_GATEWAY_URL")
    if not url:
        raise DeliveryError("SMS_GATEWAY_URL is not set")
    key = idempotency_key(message)
    payload = json.dumps({"id": key, "mobile": message.recipient, "content": message.body}).encode()
    request = urllib.request.Request(
        url,
        data=payload,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "Authorization": f"Bearer {config.get('SMS_GATEWAY_TOKEN', '')}",
            "Idempotency-Key": key,
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            if not 200 <= response.status < 300:
                raise DeliveryError(f"SMS gateway answered {response.status}")
    except OSError as exc:  # URLError / HTTPError (non-2xx), refused, reset, timed out
        raise DeliveryError(f"SMS gateway: {exc}") from exc


BACKENDS: dict[str, dict[str, Callable[[Mapping[str, Any], Any], None]]] = {
    "sms": {"outbox": keep_in_outbox, "http": send_http_sms},
    "email": {"outbox": keep_in_outbox, "smtp": send_smtp},
}
