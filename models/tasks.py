"""Background tasks: every job that outlives a request (large exports, the rule-set bench...).

The table is the queue (app/tasks/queue.py), as the outbox is for notifications: a task is
written in the transaction of the change that asks for it, claimed by one worker under a lease
that runs out if the worker dies, and finished once.
"""
from __future__ import annotations

from flask_appbuilder import Model
from sqlalchemy import JSON, Column, DateTime, ForeignKey, Index, Integer, String, Text

from models.base import utcnow


class BackgroundTask(Model):
    __tablename__ = "background_task"
    # The workers' claim query: queued tasks whose next attempt is due, running ones whose lease ran out.
    __table_args__ = (Index("ix_background_task_status_run_after", "status", "run_after"),)

    id = Column(Integer, primary_key=True)
    kind = Column(String(48), nullable=False)  # a name in app.tasks.registry.KINDS
    args = Column(JSON, nullable=False, default=dict)  # what the kind's function needs, JSON only
    requested_by = Column(Integer, ForeignKey("ab_user.id", name="fk_background_task_user"), nullable=True,
                          index=True)
    status = Column(String(16), nullable=False, default="queued")  # queued | running | done | failed
    progress_done = Column(Integer, nullable=False, default=0, server_default="0")
    progress_total = Column(Integer, nullable=False, default=0, server_default="0")
    attempts = Column(Integer, nullable=False, default=0, server_default="0")  # claims so far
    max_attempts = Column(Integer, nullable=False, default=3, server_default="3")
    run_after = Column(DateTime, nullable=True)  # naive UTC; null = due now (a retry's back-off)
    lease_until = Column(DateTime, nullable=True)  # the claiming worker's lease
    leased_by = Column(String(64), nullable=True)  # that claim's token: finishing is conditional on it
    result = Column(String(200), nullable=True)  # the result's name (app.tasks.results)
    error = Column(Text, nullable=True)  # the last attempt's error (kept when it finally fails)
    # Set while queued or running: a second request with the same key (a double click) gets this
    # task; unique, so two concurrent requests cannot both insert one. Cleared when it ends.
    dedupe_key = Column(String(200), nullable=True, unique=True)
    # The record a task works on ("sme_evaluation:12"), kept after it ends: a record's page finds
    # its latest task through this index instead of reading the JSON arguments of every task.
    subject = Column(String(80), nullable=True, index=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    started_at = Column(DateTime, nullable=True)
    finished_at = Column(DateTime, nullable=True)
