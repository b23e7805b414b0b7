"""National quality benchmark (全国质量标杆): activities, recommending units and the
organization filing (备案) with its three years of economic data."""
from __future__ import annotations

from flask_appbuilder import Model
from sqlalchemy import (
    JSON,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import relationship

from models.base import TimestampMixin, VersionedMixin
from models.enterprise import MONEY

activity_recommender = Table(
    "activity_recommender",
    Model.metadata,
    Column("activity_id", Integer, ForeignKey("activity.id"), primary_key=True),
    Column("unit_id", Integer, ForeignKey("recommending_unit.id"), primary_key=True),
)


class RecommendingUnit(Model):
    """推荐单位: recommends declarations that chose it (its staff see only those)."""

    __tablename__ = "recommending_unit"
    id = Column(Integer, primary_key=True)
    name = Column(String(128), nullable=False, unique=True)
    active = Column(Integer, nullable=False, default=1)
    # Shown on the public contacts page (/portal/contacts).
    phone = Column(String(64), nullable=True)
    email = Column(String(128), nullable=True)
    address = Column(String(255), nullable=True)

    def __repr__(self) -> str:
        return self.name


class Activity(TimestampMixin, Model):
    """A yearly activity of the association (e.g. 2019 质量标杆活动) with its declaration window."""

    __tablename__ = "activity"
    id = Column(Integer, primary_key=True)
    name = Column(String(128), nullable=False)
    year = Column(Integer, nullable=False)
    opens_on = Column(Date, nullable=False)
    closes_on = Column(Date, nullable=False)
    status = Column(String(16), nullable=False, default="planned")  # planned | open | closed
    commitment_text = Column(Text, nullable=False)
    template_attachment_id = Column(Integer, ForeignKey("attachment.id"), nullable=True)
    # 选拔结果公示: published by the association; objections are taken until the end date.
    results_published_at = Column(DateTime, nullable=True)
    results_publicity_ends_on = Column(Date, nullable=True)
    recommending_units = relationship("RecommendingUnit", secondary=activity_recommender)

    def __repr__(self) -> str:
        return f"{self.year} {self.name}"


class OrganizationFiling(VersionedMixin, TimestampMixin, Model):
    """组织备案: filed once, reviewed by the association, reused by later declarations."""

    __tablename__ = "organization_filing"
    id = Column(Integer, primary_key=True)
    enterprise_id = Column(Integer, ForeignKey("enterprise.id"), nullable=False, index=True)
    for_year = Column(Integer, nullable=False)  # the activity year; economic data covers the 3 before
    status = Column(String(16), nullable=False, default="draft", index=True)
    draft = Column(JSON, nullable=False, default=dict)
    org_name = Column(String(128), nullable=True)
    economic_type_code = Column(String(8), ForeignKey("economic_type.code"), nullable=True)
    province_code = Column(String(6), nullable=True)
    city_code = Column(String(6), nullable=True)
    address = Column(String(200), nullable=True)
    industry_code = Column(String(8), ForeignKey("industry.code"), nullable=True)
    quality_head = Column(String(64), nullable=True)
    quality_head_phone = Column(String(32), nullable=True)
    org_size = Column(String(8), nullable=True)  # micro | small | medium | large
    licence_attachment_id = Column(Integer, ForeignKey("attachment.id"), nullable=True)
    filed_at = Column(DateTime, nullable=True)
    approved_at = Column(DateTime, nullable=True)
    return_reason = Column(Text, nullable=True)

    enterprise = relationship("Enterprise", lazy="joined")
    # Names for the codes (REST: province.name, not 330000); read only, the codes are written.
    # The regions have no foreign key: the join names the filing's column on the right, as FAB
    # (its aliased joins for dotted columns) expects of a relation without one.
    economic_type = relationship("EconomicType", viewonly=True)
    industry = relationship("Industry", viewonly=True)
    province = relationship("Region", primaryjoin="Region.code == foreign(OrganizationFiling.province_code)",
                            viewonly=True)
    city = relationship("Region", primaryjoin="Region.code == foreign(OrganizationFiling.city_code)",
                        viewonly=True)
    economic_years = relationship("FilingEconomicYear", cascade="all, delete-orphan", order_by="FilingEconomicYear.year")

    def __repr__(self) -> str:
        return f"{self.org_name or ''} ({self.for_year})"


class FilingEconomicYear(Model):
    """One year of economic data (万元, exact) with its proof."""

    __tablename__ = "filing_economic_year"
    __table_args__ = (UniqueConstraint("filing_id", "year", name="uq_filing_economic_year"),)
    id = Column(Integer, primary_key=True)
    filing_id = Column(Integer, ForeignKey("organization_filing.id"), nullable=False, index=True)
    year = Column(Integer, nullable=False)
    total_assets = Column(MONEY, nullable=False)
    operating_revenue = Column(MONEY, nullable=False)
    other_revenue = Column(MONEY, nullable=False)
    total_profit = Column(MONEY, nullable=False)
    total_tax = Column(MONEY, nullable=False)
    employees = Column(Integer, nullable=False)
    proof_attachment_id = Column(Integer, ForeignKey("attachment.id"), nullable=True)


class Project(TimestampMixin, Model):
    """申报主体: reusable across activities; IP and honours rows kept as typed (``data``)."""

    __tablename__ = "benchmark_project"
    id = Column(Integer, primary_key=True)
    enterprise_id = Column(Integer, ForeignKey("enterprise.id"), nullable=False, index=True)
    name = Column(String(200), nullable=False)
    keywords = Column(JSON, nullable=False, default=list)
    summary = Column(Text, nullable=True)
    other_evidence = Column(Text, nullable=True)  # typed text of projects saved before the upload existed
    # 项目其他证实性材料: a file, checked as the row proofs are (manual §4 "选择文件").
    other_evidence_attachment_id = Column(Integer, ForeignKey("attachment.id", name="fk_benchmark_project_other_evidence"),
                                          nullable=True)
    data = Column(JSON, nullable=False, default=dict)  # {"ip": [...], "honours": [...]}

    enterprise = relationship("Enterprise")

    def __repr__(self) -> str:
        return self.name


class Declaration(VersionedMixin, TimestampMixin, Model):
    """A project declared into an activity; ``snapshot`` freezes the organization and the
    project at submission so later edits never change what was submitted."""

    __tablename__ = "declaration"
    __table_args__ = (UniqueConstraint("activity_id", "project_id", name="uq_declaration_activity_project"),)
    id = Column(Integer, primary_key=True)
    activity_id = Column(Integer, ForeignKey("activity.id"), nullable=False, index=True)
    enterprise_id = Column(Integer, ForeignKey("enterprise.id"), nullable=False, index=True)
    filing_id = Column(Integer, ForeignKey("organization_filing.id"), nullable=False)
    project_id = Column(Integer, ForeignKey("benchmark_project.id"), nullable=False)
    status = Column(String(32), nullable=False, default="draft", index=True)
    commitment_text = Column(Text, nullable=False)
    commitment_accepted_at = Column(DateTime, nullable=False)
    commitment_by_id = Column(Integer, ForeignKey("ab_user.id"), nullable=False)
    contact = Column(JSON, nullable=False, default=dict)
    summary_attachment_id = Column(Integer, ForeignKey("attachment.id"), nullable=True)
    # The printed declaration form, stamped and scanned or signed with the enterprise's USB-Key.
    signed_form_attachment_id = Column(Integer, ForeignKey("attachment.id", name="fk_declaration_signed_form"),
                                       nullable=True)
    snapshot = Column(JSON, nullable=True)
    recommending_unit_id = Column(Integer, ForeignKey("recommending_unit.id"), nullable=True, index=True)
    submitted_at = Column(DateTime, nullable=True)
    return_reason = Column(Text, nullable=True)
    recommendation_opinion = Column(Text, nullable=True)

    activity = relationship("Activity", lazy="joined")
    enterprise = relationship("Enterprise")
    project = relationship("Project")
    recommending_unit = relationship("RecommendingUnit", lazy="joined")

    def __repr__(self) -> str:
        return f"{self.activity} · {self.project}"
