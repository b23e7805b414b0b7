"""The last line of the display layer: what a template prints when a view hands it a bare
value. ``None`` is an empty cell, never the word None; a boolean reads 是/否 (Yes/No) in the
user's language. Views and formatters still name values properly (status names, regions,
Beijing time); this catches every column FAB renders without one."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _

from app.timeutil import beijing


def beijing_filter(value, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """``{{ record.submitted_at|bj }}``: a stored UTC time in Beijing time (a date prints as is)."""
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        return beijing(value, fmt)
    if isinstance(value, dt.date):
        return value.strftime(fmt if "%H" not in fmt else "%Y-%m-%d")
    return str(value)


def html_lang() -> str:
    """The page's language for <html lang>: zh-CN or en."""
    from flask_babel import get_locale

    locale = get_locale()
    return "zh-CN" if locale is None or locale.language == "zh" else locale.language


def sme_ruleset_name(evaluation) -> str:
    """The rule set an SME evaluation was scored by, as the reader's language names it: the
    shipped 2017 set by its translated title, an administered one by its document number."""
    from flask_babel import lazy_gettext as _l

    row = getattr(evaluation, "ruleset", None)
    if row is None:
        return ""
    if row.builtin:
        return str(_l("Measures for the Evaluation of Tech-based SMEs (Guo Ke Fa Zheng [2017] No. 115)"))
    return row.document_number or row.source


def finalize(value):
    if value is None:
        return ""
    if value is True:
        return _("Yes")
    if value is False:
        return _("No")
    return value


def install(jinja_env) -> None:
    # Jinja applies ``finalize`` to every {{ expression }} output when it compiles a template,
    # so it must be set before the first template is loaded (at app creation).
    jinja_env.finalize = finalize
    jinja_env.filters["role_grants"] = role_grants
    jinja_env.filters["bj"] = beijing_filter
    jinja_env.filters["wan"] = wan
    jinja_env.tests["image_file"] = is_image
    from app.security.roles import role_label

    jinja_env.filters["role_label"] = role_label
    jinja_env.globals["html_lang"] = html_lang
    jinja_env.globals["sme_ruleset_name"] = sme_ruleset_name


IMAGE_TYPES = ("image/png", "image/jpeg")


def wan(value: Any) -> str:
    """``{{ amount|wan }}``: an amount in 万元 as the applicant typed it (``12000.5000`` reads
    12000.5, ``-35.5`` stays negative, never an exponent); '' for none, a non-number as is."""
    if value is None or value == "":
        return ""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    if not number.is_finite():
        return str(value)
    text = format(number.normalize(), "f")
    return "0" if text == "-0" else text


def is_image(attachment: Any) -> bool:
    """``{% if file is image_file %}``: an uploaded picture, shown as a thumbnail that the browser
    draws from the download link itself (no server-side work)."""
    return getattr(attachment, "content_type", None) in IMAGE_TYPES


def _readable_pattern(pattern: str) -> str:
    if pattern in (".*", "^.*$"):
        return _("all")
    core = pattern.strip("^$")
    if core.startswith("(") and core.endswith(")"):
        core = core[1:-1]
    return "、".join(core.split("|"))


def role_grants(pairs) -> str:
    """A built-in role's grants (app.security.roles: [view pattern, permission pattern] pairs)
    as one line each, 'views: permissions', instead of the Python list FAB prints."""
    if not pairs:
        return ""
    return "\n".join(f"{_readable_pattern(view)}：{_readable_pattern(permission)}" for view, permission in pairs)
