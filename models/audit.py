"""Workflow log: one row per state change, the source of every timeline."""
from __future__ import annotations

from flask_appbuilder import Model
from sqlalchemy import JSON, Column, DateTime, ForeignKey, Index, Integer, String, Text

from models.base import utcnow


class WorkflowLog(Model):
    __tablename__ = "workflow_log"
    __table_args__ = (Index("ix_workflow_log_record", "record_type", "record_id", "at"),)
    id = Column(Integer, primary_key=True)
    workflow = Column(String(48), nullable=False)
    record_type = Column(String(48), nullable=False)
    record_id = Column(Integer, nullable=False)
    # Denormalised so that an applicant's progress query is one indexed read.
    enterprise_id = Column(Integer, ForeignKey("enterprise.id"), nullable=True, index=True)
    action = Column(String(32), nullable=False)
    from_state = Column(String(32), nullable=True)
    to_state = Column(String(32), nullable=False)
    actor_id = Column(Integer, ForeignKey("ab_user.id"), nullable=True)
    actor_name = Column(String(128), nullable=True)
    actor_agency = Column(String(128), nullable=True)
    at = Column(DateTime, nullable=False, default=utcnow)
    comment = Column(Text, nullable=True)
    changes = Column(JSON, nullable=True)  # {"field": [old, new]}
