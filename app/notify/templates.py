"""Notification texts as data: one template per (code, locale) with five texts (SMS, e-mail
subject and body, in-app title and body).

The defaults live in code (default_texts_zh.py / default_texts_en.py); ``seed_templates``
copies them into ``notification_template`` where the admin may edit them. ``render`` prefers
the row and falls back to the default, so a code added in a later release works before
``flask init`` is run again.

Templates are Jinja in a sandbox: an admin-edited text must not reach Python internals
(``{{ ''.__class__.__mro__ }}``), and a notification must never fail the reviewer's
transaction, so a missing variable renders empty and a text that fails to render falls back
to the default.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache

from jinja2 import ChainableUndefined, TemplateSyntaxError, nodes
from jinja2.sandbox import SandboxedEnvironment
from sqlalchemy import select

from app.extensions import db
from app.notify import default_texts_en, default_texts_zh
from models.messages import NotificationTemplate

log = logging.getLogger("shenbao.notify")

LOCALES = ("zh", "en")
FIELDS = ("sms_body", "email_subject", "email_body", "message_title", "message_body")
#: Fields shown on one line (a subject, a title): newlines are folded, the length capped.
ONE_LINE = {"email_subject": 200, "message_title": 200}

#: What every template may use; the preview and the validation render with it.
SAMPLE_CONTEXT: dict = {
    "enterprise_name": "杭州示例科技有限公司",
    "record_kind": "科技型中小企业评价",
    "record_title": "2026年度 2026000000012",
    "action": "退回",
    "status": "评价工作机构退回",
    "reason": "研发费用明细与财务报表不一致，请核对后重新填报。",
    "department": "杭州市科学技术局",
    "at": "2026-12-03 15:04",
    "link": "http://127.0.0.1:5000/progress/sme_evaluation/12",
    "certificate_number": "2026330100A0001",
    "ems_tracking": "EA123456789CN",
    "paid_until": "2027-12-31",
    "days": 30,
    "key_label": "USB-Key 0001",
    "publicity_starts": "2026-12-05",
    "publicity_ends": "2026-12-14",
    "waiting": [{"kind": "科技型中小企业评价", "count": 3}, {"kind": "企业注册登记", "count": 1}],
}


@dataclass(frozen=True)
class Rendered:
    sms_body: str
    email_subject: str
    email_body: str
    message_title: str
    message_body: str


def _build(texts) -> dict[str, dict[str, str]]:
    """Wrap each code's (SMS sentence, title, body, reason label) into the five texts."""
    built = {}
    for code, (sms, title, body, label) in texts.TEXTS.items():
        reason_sms = texts.SMS_REASON.replace("{label}", label)
        reason_body = texts.BODY_REASON.replace("{label}", label)
        built[code] = {
            "sms_body": texts.SMS_PREFIX + sms + reason_sms,
            "email_subject": texts.SUBJECT_PREFIX + title,
            "email_body": texts.EMAIL_GREETING + body + reason_body + texts.FOOTER + texts.EMAIL_LINK
            + texts.EMAIL_CLOSING,
            "message_title": title,
            "message_body": body + reason_body + texts.FOOTER,
        }
    return built


_ZH, _EN = _build(default_texts_zh), _build(default_texts_en)
#: code -> locale -> field -> Jinja text.
DEFAULT_TEMPLATES: dict[str, dict[str, dict[str, str]]] = {code: {"zh": _ZH[code], "en": _EN[code]} for code in _ZH}


# Plain text: no autoescape (the HTML pages escape the stored text when they show it). The
# sandbox already treats every attribute starting with "_" as unsafe (renders undefined).
_env = SandboxedEnvironment(autoescape=False, undefined=ChainableUndefined, keep_trailing_newline=False)


@lru_cache(maxsize=1024)
def _compile(text: str):
    return _env.from_string(text)


def _private_names(text: str) -> list[str]:
    """Attribute or item names starting with '_' : the first step of every sandbox escape."""
    found = []
    for node in _env.parse(text).find_all((nodes.Getattr, nodes.Getitem)):
        name = node.attr if isinstance(node, nodes.Getattr) else getattr(node.arg, "value", None)
        if isinstance(name, str) and name.startswith("_"):
            found.append(name)
    return found


def validate_template_text(text: str | None) -> str | None:
    """None when ``text`` is a usable template, else the reason (shown beside the field)."""
    from flask_babel import gettext as _

    try:
        private = _private_names(text or "")
    except TemplateSyntaxError as exc:
        return _("Template syntax error on line %(line)s: %(message)s", line=exc.lineno, message=exc.message)
    if private:
        return _("Names starting with an underscore are not allowed: %(names)s", names=", ".join(sorted(set(private))))
    try:
        _compile(text or "").render(SAMPLE_CONTEXT)
    except Exception as exc:  # noqa: BLE001 - any failure with the sample values refuses the text
        return _("The template cannot be rendered: %(message)s", message=str(exc))
    return None


def _render_text(text: str, context: dict) -> str:
    return _compile(text).render(context).strip()


def _finish(field: str, value: str) -> str:
    limit = ONE_LINE.get(field)
    if limit:
        value = " ".join(value.split())[:limit]
    return value


def stored_template(code: str, locale: str) -> NotificationTemplate | None:
    return db.session.execute(
        select(NotificationTemplate).where(NotificationTemplate.code == code, NotificationTemplate.locale == locale)
    ).scalar_one_or_none()


def render(code: str, locale: str, context: dict) -> Rendered:
    """The five texts of ``code`` in ``locale`` ("zh" | "en"; anything else: "zh").

    :raises KeyError: ``code`` has neither a stored template nor a default.
    """
    locale = locale if locale in LOCALES else "zh"
    values = {key: ("" if value is None else value) for key, value in (context or {}).items()}
    row = stored_template(code, locale)
    default = DEFAULT_TEMPLATES.get(code, {}).get(locale)
    if row is None and default is None:
        raise KeyError(code)
    out = {}
    for field in FIELDS:
        text = getattr(row, field) if row is not None else None
        try:
            out[field] = _render_text(text if text is not None else default[field], values)
        except Exception:  # noqa: BLE001 - an edited text that fails must not lose the notice
            log.exception("notification template %s/%s field %s failed; using the default", code, locale, field)
            try:
                out[field] = _render_text(default[field], values) if default else ""
            except Exception:  # noqa: BLE001
                out[field] = ""
        out[field] = _finish(field, out[field])
    return Rendered(**out)


def seed_templates() -> int:
    """Insert the default of every (code, locale) without a row; edited rows stay as they are.
    Flushes, the caller commits. Returns the number of rows added."""
    existing = set(db.session.execute(select(NotificationTemplate.code, NotificationTemplate.locale)).all())
    added = 0
    for code, locales in DEFAULT_TEMPLATES.items():
        for locale, texts in locales.items():
            if (code, locale) not in existing:
                db.session.add(NotificationTemplate(code=code, locale=locale, **texts))
                added += 1
    db.session.flush()
    return added
