"""Public objections (公示异议) raised by anyone against a record in publicity: a Tech-SME
evaluation in an open batch, or a declaration on a published benchmark selection list."""
from __future__ import annotations

from flask_appbuilder import Model
from sqlalchemy import Column, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import relationship

from models.base import TimestampMixin, VersionedMixin


class PublicityObjection(VersionedMixin, TimestampMixin, Model):
    """One objection: the objector's own words and contact, decided by the province (SME) or
    the association (benchmark) with a reply the objector looks up by its reference number."""

    __tablename__ = "publicity_objection"
    __table_args__ = (Index("ix_publicity_objection_queue", "subject_type", "province_code", "status", "id"),)
    id = Column(Integer, primary_key=True)
    # GS + year + 10 random characters: shown to the objector, unguessable.
    reference = Column(String(20), nullable=False, unique=True)
    subject_type = Column(String(24), nullable=False)  # sme_evaluation | declaration
    sme_evaluation_id = Column(Integer, ForeignKey("sme_evaluation.id", name="fk_publicity_objection_sme"),
                               nullable=True, index=True)
    declaration_id = Column(Integer, ForeignKey("declaration.id", name="fk_publicity_objection_declaration"),
                            nullable=True, index=True)
    # The province deciding an SME objection (copied from the evaluation): the queue's scope.
    province_code = Column(String(6), nullable=True)
    enterprise_id = Column(Integer, ForeignKey("enterprise.id", name="fk_publicity_objection_enterprise"),
                           nullable=True, index=True)
    objector_name = Column(String(64), nullable=False)
    objector_contact = Column(String(254), nullable=False)
    reason = Column(Text, nullable=False)
    evidence_attachment_id = Column(Integer, ForeignKey("attachment.id", name="fk_publicity_objection_evidence"),
                                    nullable=True)
    status = Column(String(16), nullable=False, default="received", index=True)  # received | upheld | dismissed
    reply = Column(Text, nullable=True)
    decided_at = Column(DateTime, nullable=True)
    # sha256 of the one-time token of the form it was filed from: a second submission finds it.
    form_token_hash = Column(String(64), nullable=True, unique=True)

    sme_evaluation = relationship("SmeEvaluation", lazy="joined")
    declaration = relationship("Declaration", lazy="joined")

    def __repr__(self) -> str:
        return self.reference

    @property
    def enterprise_name(self) -> str:
        record = self.sme_evaluation or self.declaration
        return record.enterprise.name if record is not None and record.enterprise is not None else ""

    @property
    def subject(self):
        """The record objected to: the evaluation or the declaration."""
        return self.sme_evaluation or self.declaration
