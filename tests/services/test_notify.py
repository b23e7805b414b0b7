"""Notification backends against local stand-in servers: an SMTP server (aiosmtpd) and an
HTTP SMS gateway (http.server), both started by the test. The app fixture delivers inline
(right after the commit); queueing, retries and workers: test_notify_delivery.py."""
from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from aiosmtpd.controller import Controller

from app import notify
from app.extensions import db
from models import OutboxMessage


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook name
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp_server():
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


@pytest.fixture
def sms_gateway():
    received, keys = [], []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((self.headers.get("Authorization"), json.loads(body)))
            keys.append(self.headers.get("Idempotency-Key"))
            status = 500 if b"FAIL" in body else 200
            self.send_response(status)
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/send", received, keys
    server.shutdown()


@pytest.mark.parametrize("app", ["sqlite"], indirect=True)
def test_outbox_is_default_and_keeps_message(app):
    message = notify.send_sms("13700000000", "验证码 123456")
    db.session.commit()
    stored = db.session.get(OutboxMessage, message.id)
    assert (stored.backend, stored.status, stored.body) == ("outbox", "sent", "验证码 123456")


@pytest.mark.parametrize("app", ["sqlite"], indirect=True)
def test_smtp_backend_delivers_to_server(app, smtp_server):
    controller, inbox = smtp_server
    app.config.update(EMAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=controller.port)
    app.config["MAIL_DOMAIN"] = "shenbao.example.cn"
    message = notify.send_email("a@example.com", "找回密码", "请打开链接")
    assert not inbox.messages, "nothing is sent before the commit"
    db.session.commit()
    assert message.status == "sent"
    assert inbox.messages[0].rcpt_tos == ["a@example.com"]
    assert f"Message-ID: <shenbao-{message.id}@shenbao.example.cn>".encode() in inbox.messages[0].content
    assert "找回密码" in inbox.messages[0].content.decode("utf-8", "replace") or b"=?utf-8?" in inbox.messages[0].content


@pytest.mark.parametrize("app", ["sqlite"], indirect=True)
def test_smtp_backend_failure_is_recorded_not_raised(app):
    app.config.update(EMAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=_free_port())
    message = notify.send_email("a@example.com", "s", "b")
    db.session.commit()  # the failure is recorded on the row and retried later, never raised
    assert (message.status, message.attempts) == ("queued", 1) and "SMTP" in message.error
    assert message.next_attempt_at is not None


@pytest.mark.parametrize("app", ["sqlite"], indirect=True)
def test_http_sms_gateway_backend(app, sms_gateway):
    url, received, keys = sms_gateway
    app.config.update(SMS_BACKEND="http", SMS_GATEWAY_URL=url, SMS_GATEWAY_TOKEN="t0k")
    ok = notify.send_sms("13700000000", "验证码 654321")
    failed = notify.send_sms("13700000000", "FAIL")
    db.session.commit()
    assert ok.status == "sent" and failed.status == "queued" and "500" in failed.error
    assert received[0] == ("Bearer t0k", {"id": f"shenbao-{ok.id}", "mobile": "13700000000", "content": "验证码 654321"})
    assert keys[0] == f"shenbao-{ok.id}"
