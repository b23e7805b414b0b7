"""Where a notification sends the applicant: the record's page, and times as people read them."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import current_app

BEIJING = ZoneInfo("Asia/Shanghai")


def record_url(record_type: str, record_id: int) -> str:
    """The applicant's page for a record (path): its status and timeline (views/progress.py),
    which serves every record type the workflow engine logs."""
    return f"/progress/{record_type}/{int(record_id)}"


def absolute_url(path: str) -> str:
    """``path`` on the public site (PUBLIC_BASE_URL): e-mails and SMS are read outside the site."""
    base = str(current_app.config.get("PUBLIC_BASE_URL") or "").rstrip("/")
    return base + path


def record_link(record_type: str, record_id: int) -> str:
    """Absolute URL of the record's page: the ``link`` variable of the notification templates."""
    return absolute_url(record_url(record_type, record_id))


def beijing(moment: dt.datetime | None) -> dt.datetime | None:
    """A stored naive-UTC time as Beijing wall-clock time (naive)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(BEIJING).replace(tzinfo=None)


def beijing_text(moment: dt.datetime | None) -> str:
    """"2026-12-03 15:04" in Beijing time: the ``at`` variable of the templates and the inbox pages."""
    local = beijing(moment)
    return local.strftime("%Y-%m-%d %H:%M") if local else ""
