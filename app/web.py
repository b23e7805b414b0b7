"""Request-level concerns: CSRF on every form, security headers, errors without 500 pages."""
from __future__ import annotations

import logging
import secrets

from app.timeutil import beijing
from flask import Flask, g, jsonify, render_template, request
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

log = logging.getLogger("shenbao.web")
csrf = CSRFProtect()

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def csp_nonce() -> str:
    """This response's script nonce, made on first use (templates: ``csp_nonce()``, which FAB's
    own templates already call through ``baselib.get_nonce()``)."""
    nonce = g.get("csp_nonce_value")
    if nonce is None:
        nonce = g.csp_nonce_value = secrets.token_urlsafe(18)
    return nonce


def content_security_policy() -> str:
    """Scripts only from this site or carrying this response's nonce: an injected ``<script>`` or
    ``onclick=`` does not run. Styles may stay inline (FAB and Bootstrap write style attributes).
    Scripts may also call the signing agent on the user's own computer (loopback, any port)."""
    nonce = g.get("csp_nonce_value")
    scripts = "'self'" + (f" 'nonce-{nonce}'" if nonce else "")
    return (f"default-src 'self'; script-src {scripts}; style-src 'self' 'unsafe-inline'; "
            "connect-src 'self' http://127.0.0.1:*; "
            "img-src 'self' data:; font-src 'self' data:; object-src 'none'; base-uri 'self'; "
            "form-action 'self'; frame-ancestors 'none'")


def checks_its_own_text(view):
    """Mark a view whose form validates every text field that reaches the database itself
    (views.forms.NoControlCharacters), so the user gets the message beside the field instead of
    the 400 page of ``refuse_nul``."""
    view.checks_its_own_text = True
    return view


def _nul_in_request() -> bool:
    pairs = list(request.args.items(multi=True)) + list((request.view_args or {}).items())
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        pairs += list(request.form.items(multi=True))
    return any("\x00" in str(key) or "\x00" in str(value) for key, value in pairs)


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def register_web_hooks(app: Flask) -> None:
    csrf.init_app(app)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.jinja_env.globals["beijing"] = beijing
    from app.display import install as install_display

    install_display(app.jinja_env)
    from app.asset_urls import register_asset_urls

    register_asset_urls(app)
    from app.list_rows import list_rows

    app.jinja_env.globals["list_rows"] = list_rows
    from app.sme_table_inputs import install as install_sme_table_inputs

    install_sme_table_inputs(app.jinja_env)
    from app.sme_tabs import install as install_sme_tabs

    install_sme_tabs(app.jinja_env)
    # FAB's REST APIs are JWT-only here (allow_browser_login False): exempt them from
    # the form CSRF check as FAB itself does when CSRFProtect is present.
    for name, blueprint in app.blueprints.items():
        if name.endswith("Api") or name == "SecurityApi" or name == "OpenApi":
            csrf.exempt(blueprint)
    if app.config.get("PROXY_FIX"):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1)

    @app.before_request
    def refuse_nul():
        # PostgreSQL cannot hold or compare NUL: psycopg refuses any statement carrying one (a
        # 500 on a list search, a draft, a recovery form). Nobody types it; refuse it at the door.
        # Views with their own field check (checks_its_own_text) answer beside the field.
        view = app.view_functions.get(request.endpoint)
        if getattr(view, "checks_its_own_text", False) or not _nul_in_request():
            return None
        from flask_babel import gettext as _

        return _error_page(400, _("The request contains a NUL character, which is not accepted."),
                           prefer_description=True)

    @app.after_request
    def security_headers(response):
        for key, value in SECURITY_HEADERS.items():
            response.headers.setdefault(key, value)
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if response.mimetype == "text/html":
            response.headers.setdefault("Content-Security-Policy", content_security_policy())
            if "charset" not in (response.content_type or ""):
                response.headers["Content-Type"] = "text/html; charset=utf-8"
        return response

    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        return _error_page(400, exc.description)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if exc.code is not None and exc.code < 400:
            return exc  # routing redirects (e.g. a missing trailing slash)
        return _error_page(exc.code or 500, exc.description)

    from app.services.errors import ServiceError

    @app.errorhandler(ServiceError)
    def service_error(exc: ServiceError):
        # A refusal a view did not catch itself (e.g. the key service unavailable): say why.
        from app.extensions import db

        db.session.rollback()
        return _error_page(exc.status_code, exc.message, prefer_description=True)

    from sqlalchemy.orm.exc import StaleDataError

    @app.errorhandler(StaleDataError)
    def changed_meanwhile(exc: StaleDataError):
        # Two requests saved one record at once (a double click) outside a use case: the later
        # one is told so instead of a 500; nothing of it was kept.
        from app.extensions import db
        from flask_babel import gettext as _

        db.session.rollback()
        return _error_page(409, _("This record was changed by someone else meanwhile. Please reload and check it "
                                  "again."), prefer_description=True)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        # A bug must never show a stack trace; it is logged with the request path.
        log.exception("unhandled error on %s %s", request.method, request.path)
        from app.extensions import db

        db.session.rollback()
        return _error_page(500, None)


def _error_page(code: int, description: str | None, prefer_description: bool = False):
    from flask_babel import gettext as _

    titles = {
        400: _("The request could not be understood (it may have expired). Please go back and try again."),
        403: _("You are not allowed to do this."),
        404: _("Not found."),
        405: _("This method is not allowed here."),
        413: _("The upload is too large."),
        429: _("Too many requests. Please wait and try again."),
        500: _("Something went wrong on our side. The error has been logged."),
    }
    message = description if prefer_description and description else titles.get(code, description or "")
    if _wants_json():
        return jsonify(message=message), code
    try:
        return render_template("shenbao/error.html", code=code, message=message), code
    except Exception:  # noqa: BLE001 - the error page itself must not fail
        return f"{code} {message}", code
