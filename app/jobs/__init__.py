"""Scheduled jobs: thin wrappers that run a service. One scheduler process per deployment
(APScheduler's job store must not be shared by several schedulers)."""
from __future__ import annotations

import datetime as dt
import logging
from zoneinfo import ZoneInfo

from flask import Flask

log = logging.getLogger("shenbao.jobs")
CHINA = ZoneInfo("Asia/Shanghai")


def today_in_china(now: dt.datetime | None = None) -> dt.date:
    now = now or dt.datetime.now(dt.timezone.utc)
    return now.astimezone(CHINA).date()


def publicity_job(app: Flask, clock=None) -> dict:
    """Open / close due publicity windows. ``clock`` returns the current date (tests pass one)."""
    from app.services.sme import publicity_tick

    with app.app_context():
        moved = publicity_tick((clock or today_in_china)())
        log.info("publicity tick: %s", moved)
        return moved


def activity_job(app: Flask, clock=None) -> dict:
    """Open / close quality-benchmark activity windows."""
    from app.services.filing import activity_tick

    with app.app_context():
        moved = activity_tick((clock or today_in_china)())
        log.info("activity tick: %s", moved)
        return moved


def eseal_fee_job(app: Flask, clock=None) -> dict:
    """E-seal annual fees: reminders 30, 7 and 1 days before expiry; overdue keys marked."""
    from app.services.seal_keys import fee_tick

    with app.app_context():
        counts = fee_tick((clock or today_in_china)())
        log.info("e-seal fee tick: %s", counts)
        return counts


def report_files_job(app: Flask, clock=None) -> int:
    """Old export files and unconfirmed import uploads are removed."""
    from app.reports.export import remove_old_files
    from models.base import utcnow

    with app.app_context():
        removed = remove_old_files(clock() if clock else utcnow())
        log.info("report files removed: %s", removed)
        return removed


def run_scheduler(app: Flask) -> None:
    from apscheduler.schedulers.blocking import BlockingScheduler

    scheduler = BlockingScheduler(timezone=CHINA)
    # Shortly after midnight China time, and once at start-up to catch up after downtime.
    scheduler.add_job(publicity_job, "cron", hour=0, minute=5, args=[app], id="publicity", replace_existing=True)
    scheduler.add_job(activity_job, "cron", hour=0, minute=1, args=[app], id="activities", replace_existing=True)
    scheduler.add_job(eseal_fee_job, "cron", hour=8, minute=0, args=[app], id="eseal_fees", replace_existing=True)
    scheduler.add_job(report_files_job, "cron", hour=3, minute=0, args=[app], id="report_files", replace_existing=True)
    publicity_job(app)
    activity_job(app)
    eseal_fee_job(app)
    log.info("scheduler started")
    scheduler.start()
