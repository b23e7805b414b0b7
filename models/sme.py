"""Tech-SME evaluation (科技型中小企业评价): one evaluation per enterprise per year, its
publicity batches, certificate counters and the enterprise's IP registry."""
from __future__ import annotations

from flask_appbuilder import Model
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import relationship

from models.base import TimestampMixin, VersionedMixin, utcnow


class SmeEvaluation(VersionedMixin, TimestampMixin, Model):
    __tablename__ = "sme_evaluation"
    __table_args__ = (
        # 填报材料每年只能提交一次: the database itself refuses a second evaluation.
        UniqueConstraint("enterprise_id", "year", name="uq_sme_evaluation_enterprise_year"),
        Index("ix_sme_evaluation_agency_status_submitted", "agency_id", "status", "submitted_at", "id"),
        Index("ix_sme_evaluation_province_status_submitted", "province_code", "status", "submitted_at", "id"),
    )
    id = Column(Integer, primary_key=True)
    system_number = Column(String(20), nullable=True, unique=True)
    enterprise_id = Column(Integer, ForeignKey("enterprise.id"), nullable=False, index=True)
    year = Column(Integer, nullable=False)
    status = Column(String(24), nullable=False, default="draft", index=True)
    data = Column(JSON, nullable=False, default=dict)  # the nine tables as typed
    result = Column(JSON, nullable=True)  # last self-evaluation (rules.sme result JSON)
    qualified = Column(Boolean, nullable=True)
    total_score = Column(Integer, nullable=True)
    path = Column(String(16), nullable=True)
    # The rule set (and its version) that produced ``result``: kept when a later set is published.
    ruleset_id = Column(Integer, ForeignKey("sme_ruleset.id", name="fk_sme_evaluation_ruleset"), nullable=True)
    ruleset_version = Column(Integer, nullable=True)
    cover_attachment_id = Column(Integer, ForeignKey("attachment.id"), nullable=True)
    agency_id = Column(Integer, ForeignKey("agency.id"), nullable=True)
    province_code = Column(String(6), nullable=True)
    # Copied at submission for statistics and exports (grouping needs no JSON or joins).
    city_code = Column(String(6), nullable=True)
    industry_code = Column(String(8), nullable=True)
    tech_field_code = Column(String(16), nullable=True)
    submitted_at = Column(DateTime, nullable=True)
    return_reason = Column(Text, nullable=True)
    publicity_batch_id = Column(Integer, ForeignKey("publicity_batch.id"), nullable=True, index=True)
    sampled = Column(Boolean, nullable=False, default=False)
    objection_reason = Column(Text, nullable=True)
    certificate_number = Column(String(24), nullable=True, unique=True)
    stored_at = Column(DateTime, nullable=True)
    # 撤销: the province revokes a stored or numbered record (its certificate with it).
    revoked_at = Column(DateTime, nullable=True)
    revoke_reason = Column(Text, nullable=True)

    enterprise = relationship("Enterprise", lazy="joined")
    agency = relationship("Agency", lazy="joined")
    publicity_batch = relationship("PublicityBatch")
    ruleset = relationship("SmeRuleset")

    def __repr__(self) -> str:
        return self.system_number or f"#{self.id}"

    @property
    def enterprise_name(self) -> str:
        return self.enterprise.name if self.enterprise else ""


class PublicityBatch(TimestampMixin, Model):
    """A publicity (公示) window of a province: records in it are public between the dates."""

    __tablename__ = "publicity_batch"
    id = Column(Integer, primary_key=True)
    province_code = Column(String(6), nullable=False, index=True)
    name = Column(String(128), nullable=False)
    starts_on = Column(Date, nullable=False)
    ends_on = Column(Date, nullable=False)
    status = Column(String(16), nullable=False, default="planned")  # planned | open | closed
    opened_at = Column(DateTime, nullable=True)
    closed_at = Column(DateTime, nullable=True)

    def __repr__(self) -> str:
        return f"{self.name} ({self.starts_on} – {self.ends_on})"


class CertificateCounter(Model):
    """Last certificate sequence per (year, region): incremented under a row lock so numbers
    are unique and gapless."""

    __tablename__ = "certificate_counter"
    year = Column(Integer, primary_key=True)
    region_code = Column(String(6), primary_key=True)
    last_number = Column(Integer, nullable=False, default=0)


class SpotCheckDraw(Model):
    """A reproducible random sample: the seed and the ids drawn are kept."""

    __tablename__ = "spot_check_draw"
    id = Column(Integer, primary_key=True)
    province_code = Column(String(6), nullable=False)
    year = Column(Integer, nullable=False)
    percentage = Column(Integer, nullable=False)
    seed = Column(String(64), nullable=False)
    candidate_ids = Column(JSON, nullable=False)
    sampled_ids = Column(JSON, nullable=False)
    drawn_by_id = Column(Integer, ForeignKey("ab_user.id"), nullable=True)
    drawn_at = Column(DateTime, nullable=False, default=utcnow)


class EnterpriseIp(TimestampMixin, Model):
    """The enterprise's own IP registry (知识产权), picked from when filling an evaluation."""

    __tablename__ = "enterprise_ip"
    __table_args__ = (UniqueConstraint("enterprise_id", "kind", "number", name="uq_enterprise_ip_number"),)
    id = Column(Integer, primary_key=True)
    enterprise_id = Column(Integer, ForeignKey("enterprise.id"), nullable=False, index=True)
    name = Column(String(200), nullable=False)
    kind = Column(String(32), nullable=False)
    grant_date = Column(Date, nullable=True)
    number = Column(String(64), nullable=False)
    acquisition = Column(String(16), nullable=False, default="original")

    def __repr__(self) -> str:
        return self.name
