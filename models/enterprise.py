"""The enterprise record shared by all three programs, and its core-information changes.

Columns hold the data in force. What the applicant is typing lives in ``draft`` (JSON,
valid or not) until a submission validates it and copies it over.
"""
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
    Numeric,
    String,
    Text,
)
from sqlalchemy.orm import relationship

from models.base import TimestampMixin, VersionedMixin

MONEY = Numeric(18, 4)  # 万元, exact to 4 places


class Enterprise(VersionedMixin, TimestampMixin, Model):
    __tablename__ = "enterprise"
    __table_args__ = (
        # The agency list: filter by agency + status, sort by submit time.
        # id last: FAB orders by (column, id), so the page walk never sorts.
        Index("ix_enterprise_agency_status_submitted", "agency_id", "status", "submitted_at", "id"),
        Index("ix_enterprise_province_status_submitted", "province_code", "status", "submitted_at", "id"),
    )
    id = Column(Integer, primary_key=True)
    status = Column(String(16), nullable=False, default="draft", index=True)
    draft = Column(JSON, nullable=False, default=dict)
    submitted_at = Column(DateTime, nullable=True)
    approved_at = Column(DateTime, nullable=True)
    return_reason = Column(Text, nullable=True)

    # 1. credit code and legal representative
    credit_code = Column(String(18), nullable=True, unique=True)
    name = Column(String(128), nullable=True, index=True)
    legal_rep_name = Column(String(64), nullable=True)
    legal_rep_mobile = Column(String(11), nullable=True)
    legal_rep_id_type = Column(String(16), nullable=True)  # id_card | passport
    legal_rep_id_number = Column(String(32), nullable=True)
    province_code = Column(String(6), ForeignKey("region.code"), nullable=True)
    city_code = Column(String(6), ForeignKey("region.code"), nullable=True)
    county_code = Column(String(6), ForeignKey("region.code"), nullable=True)
    agency_id = Column(Integer, ForeignKey("agency.id"), nullable=True)
    licence_attachment_id = Column(Integer, ForeignKey("attachment.id", use_alter=True), nullable=True)

    # 2. details
    legal_rep_email = Column(String(254), nullable=True)
    registration_authority = Column(String(128), nullable=True)
    tax_authority = Column(String(128), nullable=True)
    tax_collection_mode = Column(String(16), nullable=True)  # audit | assessed
    domestic_listed = Column(Boolean, nullable=True)
    domestic_listing_type = Column(String(32), nullable=True)
    domestic_listing_date = Column(Date, nullable=True)
    overseas_listed = Column(Boolean, nullable=True)
    overseas_listing_type = Column(String(32), nullable=True)
    overseas_listing_date = Column(Date, nullable=True)
    hightech_zone_id = Column(Integer, ForeignKey("zone.id"), nullable=True)
    econdev_zone_id = Column(Integer, ForeignKey("zone.id"), nullable=True)
    foreign_capital_source_code = Column(String(8), ForeignKey("foreign_capital_source.code"), nullable=True)
    tech_field_code = Column(String(16), ForeignKey("tech_field.code"), nullable=True)
    economic_type_code = Column(String(8), ForeignKey("economic_type.code"), nullable=True)
    venture_capital = Column(Boolean, nullable=True)

    agency = relationship("Agency", lazy="joined")
    province = relationship("Region", foreign_keys=[province_code], lazy="joined")
    city = relationship("Region", foreign_keys=[city_code], lazy="joined")
    county = relationship("Region", foreign_keys=[county_code], lazy="joined")
    hightech_zone = relationship("Zone", foreign_keys=[hightech_zone_id])
    econdev_zone = relationship("Zone", foreign_keys=[econdev_zone_id])
    tech_field = relationship("TechField")
    shareholders = relationship(
        "Shareholder", cascade="all, delete-orphan", order_by="Shareholder.position"
    )
    venture_investments = relationship(
        "VentureInvestment", cascade="all, delete-orphan", order_by="VentureInvestment.position"
    )

    def __repr__(self) -> str:
        return self.name or f"#{self.id}"

    @property
    def region_label(self) -> str:
        parts = [r.name for r in (self.province, self.city, self.county) if r is not None]
        # Municipalities repeat their name as the city level (北京市 / 北京市 / 东城区).
        return " / ".join(dict.fromkeys(parts))


class Shareholder(Model):
    """股权结构: one shareholder row; ratios of all rows add up to at most 100%."""

    __tablename__ = "shareholder"
    id = Column(Integer, primary_key=True)
    enterprise_id = Column(Integer, ForeignKey("enterprise.id"), nullable=False, index=True)
    position = Column(Integer, nullable=False, default=0)
    name = Column(String(128), nullable=False)
    kind = Column(String(16), nullable=False)  # natural | legal | state | foreign | other
    amount = Column(MONEY, nullable=False)
    ratio = Column(Numeric(7, 4), nullable=False)  # percent


class VentureInvestment(Model):
    """风险投资: investor, amount (万元), date."""

    __tablename__ = "venture_investment"
    id = Column(Integer, primary_key=True)
    enterprise_id = Column(Integer, ForeignKey("enterprise.id"), nullable=False, index=True)
    position = Column(Integer, nullable=False, default=0)
    investor = Column(String(128), nullable=False)
    amount = Column(MONEY, nullable=False)
    invested_on = Column(Date, nullable=False)


class CoreInfoChange(VersionedMixin, TimestampMixin, Model):
    """企业核心信息变更: name, legal representative or region, reviewed like a registration.

    The approved enterprise data stays in force until this change is approved.
    """

    __tablename__ = "core_info_change"
    id = Column(Integer, primary_key=True)
    enterprise_id = Column(Integer, ForeignKey("enterprise.id"), nullable=False, index=True)
    agency_id = Column(Integer, ForeignKey("agency.id"), nullable=True, index=True)
    status = Column(String(16), nullable=False, default="draft", index=True)
    data = Column(JSON, nullable=False, default=dict)
    before = Column(JSON, nullable=True)
    submitted_at = Column(DateTime, nullable=True)
    decided_at = Column(DateTime, nullable=True)
    return_reason = Column(Text, nullable=True)

    enterprise = relationship("Enterprise", lazy="joined")
    agency = relationship("Agency", lazy="joined")

    def __repr__(self) -> str:
        return f"{self.enterprise} #{self.id}"
