"""Shared steps of the browser tests."""
from __future__ import annotations

import io
import re

from tests import factories


def tr(app, msgid: str, **params) -> str:
    """``msgid`` (or a lazy label, e.g. a workflow state's) as the app renders it (default
    locale, same catalog as the server)."""
    from flask_babel import gettext

    with app.test_request_context("/"):
        return gettext(msgid, **params) if isinstance(msgid, str) else str(msgid)


def sign_in(page, base: str, login: str, password: str = factories.PASSWORD) -> None:
    """Log in through the login page (the tests fix the captcha answer)."""
    page.goto(f"{base}/login/")
    page.fill("#username", login)
    page.fill("#password", password)
    page.fill("#captcha", factories.CAPTCHA)
    with page.expect_navigation():
        page.click("form.sb-form button[type=submit]")


def pdf_text(download) -> str:
    """All text of a downloaded PDF, whitespace removed (long names wrap in their cells)."""
    from pypdf import PdfReader

    with open(download.path(), "rb") as fh:
        data = fh.read()
    assert data.startswith(b"%PDF"), data[:40]
    reader = PdfReader(io.BytesIO(data))
    return re.sub(r"\s+", "", "".join(p.extract_text() or "" for p in reader.pages))
