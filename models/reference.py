"""Reference data: regions (GB/T 2260), agencies, industries (GB/T 4754) and code lists."""
from __future__ import annotations

from flask_appbuilder import Model
from sqlalchemy import Boolean, Column, ForeignKey, Index, Integer, String
from sqlalchemy.orm import relationship


class Region(Model):
    """Administrative division: province / city / county, keyed by its 6-digit code."""

    __tablename__ = "region"
    code = Column(String(6), primary_key=True)
    name = Column(String(64), nullable=False)
    level = Column(String(16), nullable=False)  # province | city | county
    parent_code = Column(String(6), ForeignKey("region.code"), nullable=True, index=True)

    def __repr__(self) -> str:
        return self.name


class Agency(Model):
    """An evaluation agency (评价工作机构) or a provincial agency (省评价工作机构).

    ``level`` says which column of the enterprise it matches: a province agency sees
    its province, a city agency the enterprises routed to it.
    """

    __tablename__ = "agency"
    id = Column(Integer, primary_key=True)
    name = Column(String(128), nullable=False, unique=True)
    level = Column(String(16), nullable=False)  # province | city | county
    region_code = Column(String(6), ForeignKey("region.code"), nullable=False, index=True)
    province_code = Column(String(6), nullable=False, index=True)
    active = Column(Boolean, nullable=False, default=True)
    # Shown on the public contacts page (/portal/contacts).
    phone = Column(String(64), nullable=True)
    email = Column(String(128), nullable=True)
    address = Column(String(255), nullable=True)
    region = relationship("Region", lazy="joined")

    def __repr__(self) -> str:
        return self.name


class Industry(Model):
    """GB/T 4754-2017: sections (A-T) and divisions (01-97)."""

    __tablename__ = "industry"
    code = Column(String(8), primary_key=True)
    name = Column(String(128), nullable=False)
    level = Column(String(16), nullable=False)  # section | division
    parent_code = Column(String(8), nullable=True, index=True)

    def __repr__(self) -> str:
        return f"{self.code} {self.name}"


class TechField(Model):
    """国家重点支持的高新技术领域 (two levels)."""

    __tablename__ = "tech_field"
    code = Column(String(16), primary_key=True)
    name = Column(String(128), nullable=False)
    parent_code = Column(String(16), nullable=True, index=True)

    def __repr__(self) -> str:
        return self.name


class EconomicType(Model):
    __tablename__ = "economic_type"
    code = Column(String(8), primary_key=True)
    name = Column(String(64), nullable=False)
    parent_code = Column(String(8), nullable=True)

    def __repr__(self) -> str:
        return self.name


class ForeignCapitalSource(Model):
    __tablename__ = "foreign_capital_source"
    code = Column(String(8), primary_key=True)
    name = Column(String(64), nullable=False)

    def __repr__(self) -> str:
        return self.name


class Zone(Model):
    """National high-tech zone (hightech) or economic-development zone (econdev)."""

    __tablename__ = "zone"
    __table_args__ = (Index("ix_zone_kind_name", "kind", "name", unique=True),)
    id = Column(Integer, primary_key=True)
    kind = Column(String(16), nullable=False)
    name = Column(String(128), nullable=False)
    province_code = Column(String(6), ForeignKey("region.code"), nullable=True)

    def __repr__(self) -> str:
        return self.name


class BusinessRegistryEntry(Model):
    """Local copy of the business registry that "获取企业信息" reads (importable from xlsx/CSV)."""

    __tablename__ = "business_registry_entry"
    credit_code = Column(String(18), primary_key=True)
    name = Column(String(128), nullable=False)
    legal_rep_name = Column(String(64), nullable=True)
    registration_authority = Column(String(128), nullable=True)

    def __repr__(self) -> str:
        return self.name
