"""The agent's HTTP server: loopback only, one allowed web origin, a pairing code, local approval.

Why each guard:
- bound to 127.0.0.1, never 0.0.0.0: nothing on the network can reach the USB-Key;
- the Host header must name the loopback address: a DNS-rebinding page cannot pass as local;
- CORS answers only the configured Shenbao origin, including Chrome's Private Network Access
  preflight (``Access-Control-Allow-Private-Network``); other origins get 403;
- the pairing code (per install) proves the caller is the page the user paired, since any local
  program can send the same Origin header;
- the PIN is typed into the agent's own page (or terminal), never into the web page.
"""
from __future__ import annotations

import base64
import binascii
import hmac
import html
import json
import re
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

from . import __version__
from .requests import MAX_PDF_BYTES, RequestBook, SignRequest
from .tokens import TokenError, list_credentials

__all__ = ["AgentServer", "serve"]

LOOPBACK = "127.0.0.1"
_PAGE = (Path(__file__).with_name("approve.html")).read_text(encoding="utf-8")
_SIGN_STATUS = re.compile(r"^/v1/sign/([A-Za-z0-9_-]{8,64})$")
_APPROVE = re.compile(r"^/approve/([A-Za-z0-9_-]{8,64})$")


class AgentServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, *, origin: str, pairing_code: str, book: RequestBook, port: int = 47311,
                 terminal_prompt=None) -> None:  # noqa: ANN001 - callable(SignRequest) or None
        self.origin = origin.rstrip("/")
        self.pairing_code = pairing_code
        self.book = book
        self.terminal_prompt = terminal_prompt
        super().__init__((LOOPBACK, port), _Handler)

    @property
    def local_origin(self) -> str:
        return f"http://{LOOPBACK}:{self.server_port}"


class _Handler(BaseHTTPRequestHandler):
    server: AgentServer
    server_version = f"shenbao-signer/{__version__}"
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args) -> None:  # noqa: A002, ANN002 - quiet: no document names in logs
        pass

    # -- guards ---------------------------------------------------------------------
    def _host_ok(self) -> bool:
        port = self.server.server_port
        return self.headers.get("Host", "") in (f"{LOOPBACK}:{port}", f"localhost:{port}")

    def _origin_ok(self) -> bool:
        origin = self.headers.get("Origin")
        return origin is None or origin == self.server.origin

    def _paired(self) -> bool:
        given = self.headers.get("X-Shenbao-Pairing", "")
        return bool(given) and hmac.compare_digest(given.encode(), self.server.pairing_code.encode())

    # -- responses ------------------------------------------------------------------
    def _send(self, status: int, body: bytes, content_type: str, extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        # The API only: the home page (pairing code) and approval page stay unreadable to any site.
        if self.headers.get("Origin") == self.server.origin and self.path.startswith("/v1/"):
            self.send_header("Access-Control-Allow-Origin", self.server.origin)
            self.send_header("Vary", "Origin")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status: int, payload: dict) -> None:
        self._send(status, json.dumps(payload, ensure_ascii=False).encode(), "application/json; charset=utf-8")

    def _html(self, status: int, body: str) -> None:
        self._send(status, body.encode(), "text/html; charset=utf-8", {
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
                                       "frame-ancestors 'none'",
            "X-Frame-Options": "DENY",
        })

    def _refuse(self, message: str) -> None:
        body = message.encode()
        self.send_response(HTTPStatus.FORBIDDEN)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    # -- verbs ----------------------------------------------------------------------
    def do_OPTIONS(self) -> None:  # noqa: N802
        if not self._host_ok() or self.headers.get("Origin") != self.server.origin:
            return self._refuse("origin not allowed")
        headers = {
            "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
            "Access-Control-Allow-Headers": "Content-Type, X-Shenbao-Pairing",
            "Access-Control-Max-Age": "600",
        }
        if self.headers.get("Access-Control-Request-Private-Network", "").lower() == "true":
            headers["Access-Control-Allow-Private-Network"] = "true"
        self._send(HTTPStatus.NO_CONTENT, b"", "text/plain", headers)

    def do_GET(self) -> None:  # noqa: N802
        if not self._host_ok() or not self._origin_ok():
            return self._refuse("origin not allowed")
        path = self.path.split("?", 1)[0]
        if path == "/v1/status":
            return self._json(200, {"agent": "shenbao-signer", "version": __version__, "origin": self.server.origin})
        if path == "/":
            return self._html(200, _home_page(self.server))
        match = _APPROVE.match(path)
        if match:
            request = self.server.book.get(match.group(1))
            return self._html(200 if request else 404, _approve_page(request))
        if not path.startswith("/v1/"):
            return self._json(404, {"error": "not_found"})
        if not self._paired():
            return self._json(401, {"error": "pairing_required", "message": "Pair this page with the signer first."})
        if path == "/v1/certificates":
            try:
                return self._json(200, {"certificates": [c.describe() for c in list_credentials(self.server.book.modules)]})
            except TokenError as exc:
                return self._json(503, {"error": exc.code, "message": str(exc)})
        match = _SIGN_STATUS.match(path)
        request = self.server.book.get(match.group(1)) if match else None
        if request is None:
            return self._json(404, {"error": "not_found"})
        return self._json(200, request.public())

    def do_POST(self) -> None:  # noqa: N802
        path = self.path.split("?", 1)[0]
        approving = _APPROVE.match(path)
        # The approval form comes from the agent's own page; _approve checks that origin.
        if not self._host_ok() or not (approving or self._origin_ok()):
            return self._refuse("origin not allowed")
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_PDF_BYTES * 4 // 3 + 4096:
            return self._json(413, {"error": "too_large", "message": "The PDF is larger than 64 MB."})
        body = self.rfile.read(length)
        if approving:
            return self._approve(approving.group(1), body)
        if path != "/v1/sign":
            return self._json(404, {"error": "not_found"})
        if not self._paired():
            return self._json(401, {"error": "pairing_required", "message": "Pair this page with the signer first."})
        try:
            payload = json.loads(body)
            pdf = base64.b64decode(payload["pdf"], validate=True)
            request = self.server.book.open(document_name=str(payload.get("document_name") or ""), pdf=pdf,
                                            credential_id=payload.get("certificate"),
                                            field_name=payload.get("field_name"))
        except (ValueError, KeyError, TypeError, binascii.Error):
            return self._json(400, {"error": "bad_pdf", "message": "The request does not carry a PDF."})
        except TokenError as exc:
            return self._json(409, {"error": exc.code, "message": str(exc)})
        approve_url = None
        if self.server.terminal_prompt is not None:
            threading.Thread(target=self.server.terminal_prompt, args=(request,), daemon=True).start()
        else:
            approve_url = f"{self.server.local_origin}/approve/{request.id}"
        self._json(202, {"request": request.id, "approve_url": approve_url})

    def _approve(self, request_id: str, body: bytes) -> None:
        # A form on any site could post here: only the agent's own page may (same Origin).
        if self.headers.get("Origin") not in (self.server.local_origin, f"http://localhost:{self.server.server_port}"):
            return self._refuse("approval only from the signer's own page")
        request = self.server.book.get(request_id)
        form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
        if request is None or not hmac.compare_digest(form.get("token", ""), request.approve_token):
            return self._html(404, _approve_page(None))
        if form.get("action") == "cancel":
            self.server.book.cancel(request)
        else:
            self.server.book.approve(request, form.get("pin", ""))
        self._html(200, _approve_page(request))


def _home_page(server: AgentServer) -> str:
    body = (f"<h1>Shenbao 签章助手 / signer {html.escape(__version__)}</h1>"
            f"<p>允许的网站 Allowed site: <b>{html.escape(server.origin)}</b></p>"
            f"<p>配对码 Pairing code: <b class='code'>{html.escape(server.pairing_code)}</b></p>"
            "<p>在申报平台页面首次签章时输入此配对码。Enter this code in Shenbao the first time you sign.</p>")
    return _PAGE.replace("{{body}}", body)


_OUTCOME = {
    "done": "已签章，结果已交回申报平台页面，可以关闭此窗口。Signed: the result went back to the Shenbao page; "
            "you can close this window.",
    "cancelled": "已取消。Cancelled.",
}


def _approve_page(request: SignRequest | None) -> str:
    if request is None:
        return _PAGE.replace("{{body}}", "<p>签章请求不存在或已过期。This signing request does not exist or has expired.</p>")
    credential = request.credential.describe()
    facts = (f"<dl><dt>文件 Document</dt><dd>{html.escape(request.document_name)}</dd>"
             f"<dt>SHA-256</dt><dd class='code'>{request.sha256}</dd>"
             f"<dt>证书 Certificate</dt><dd>{html.escape(credential['subject'])} {html.escape(credential['credit_code'])}"
             f" ({html.escape(credential['token'])}, {html.escape(credential['key'])})</dd></dl>")
    if request.state == "done":
        return _PAGE.replace("{{body}}", facts + f"<p class='ok'>{_OUTCOME['done']}</p>")
    if request.state == "failed":
        text = _OUTCOME.get(request.error or "") or html.escape(request.message or "")
        return _PAGE.replace("{{body}}", facts + f"<p class='error' role='alert'>{text}</p>"
                             "<p>请回到申报平台页面重新发起签章。Start again from the Shenbao page.</p>")
    form = (f"<form method='post' action='/approve/{request.id}'>"
            f"<input type='hidden' name='token' value='{request.approve_token}'>"
            "<label for='pin'>USB-Key PIN</label> "
            "<input id='pin' name='pin' type='password' autocomplete='off' required autofocus>"
            "<button type='submit' name='action' value='sign'>签章 Sign</button> "
            "<button type='submit' name='action' value='cancel' formnovalidate>取消 Cancel</button></form>")
    return _PAGE.replace("{{body}}", "<h1>用 USB-Key 签章 / Sign with USB-Key</h1>" + facts + form)


def serve(server: AgentServer) -> None:
    server.serve_forever()
