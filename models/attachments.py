"""Uploaded files: stored under a random name, sha256 kept, owned by one record."""
from __future__ import annotations

from flask_appbuilder import Model
from sqlalchemy import BigInteger, Column, DateTime, ForeignKey, Index, Integer, String

from models.base import utcnow


class Attachment(Model):
    __tablename__ = "attachment"
    __table_args__ = (Index("ix_attachment_record", "record_type", "record_id"),)
    id = Column(Integer, primary_key=True)
    purpose = Column(String(32), nullable=False)  # business_licence | email_change_proof ...
    original_name = Column(String(255), nullable=False)
    stored_name = Column(String(64), nullable=False, unique=True)
    content_type = Column(String(128), nullable=False)
    size = Column(BigInteger, nullable=False)
    sha256 = Column(String(64), nullable=False)
    # The owner decides who may download: see app.security.scope.
    record_type = Column(String(32), nullable=True)
    record_id = Column(Integer, nullable=True)
    enterprise_id = Column(Integer, ForeignKey("enterprise.id"), nullable=True, index=True)
    uploaded_by_id = Column(Integer, ForeignKey("ab_user.id"), nullable=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)

    def __repr__(self) -> str:
        return self.original_name
