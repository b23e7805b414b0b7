"""Reference data loader: CSV files in this folder -> tables (upsert by key).

Sources and dates: SOURCES.md beside this file.
"""
from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy import select

from app.extensions import db
from models import Agency, EconomicType, ForeignCapitalSource, Industry, Region, TechField, Zone

HERE = Path(__file__).resolve().parent


def _rows(name: str) -> list[dict[str, str]]:
    with open(HERE / name, encoding="utf-8", newline="") as fh:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(fh)]


def _upsert(model, key: str, rows: list[dict]) -> int:
    existing = {getattr(o, key): o for o in db.session.execute(select(model)).scalars()}
    for row in rows:
        obj = existing.get(row[key])
        if obj is None:
            db.session.add(model(**row))
        else:
            for k, v in row.items():
                setattr(obj, k, v)
    db.session.flush()
    return len(rows)


def load_regions() -> int:
    rows = [{**r, "parent_code": r["parent_code"] or None} for r in _rows("regions.csv")]
    # Parents first, so the self-referencing key holds at every insert.
    order = {"province": 0, "city": 1, "county": 2}
    rows.sort(key=lambda r: (order[r["level"]], r["code"]))
    return _upsert(Region, "code", rows)


def load_agencies() -> int:
    """One provincial agency per province and one agency per city-level region. Names
    follow the usual 科技厅/科技局 pattern; admins can rename them."""
    regions = list(db.session.execute(select(Region)).scalars())
    by_code = {r.code: r for r in regions}
    rows = []
    for region in regions:
        if region.code[:2] in ("71", "81", "82"):
            continue  # Taiwan, Hong Kong, Macao: outside the programme
        province_code = region.code[:2] + "0000"
        if region.level == "province":
            rows.append({"name": f"{region.name}科学技术厅（省评价工作机构）", "level": "province",
                         "region_code": region.code, "province_code": province_code})
        elif region.level == "city":
            province = by_code[province_code]
            if region.name != province.name:
                name = f"{province.name}{region.name}科学技术局（评价工作机构）"
            else:  # municipalities list their districts under a city row of the same name
                name = f"{province.name}科学技术局（评价工作机构 {region.code}）"
            rows.append({"name": name,
                         "level": "city", "region_code": region.code, "province_code": province_code})
    existing = {a.region_code: a for a in db.session.execute(select(Agency)).scalars()}
    for row in rows:
        if row["region_code"] not in existing:
            db.session.add(Agency(active=True, **row))
    db.session.flush()
    return len(rows)


def load_zones() -> int:
    count = 0
    for kind, name in (("hightech", "hightech_zones.csv"), ("econdev", "econdev_zones.csv")):
        existing = {z.name for z in db.session.execute(select(Zone).where(Zone.kind == kind)).scalars()}
        for row in _rows(name):
            if row["name"] not in existing:
                db.session.add(Zone(kind=kind, name=row["name"], province_code=row["province_code"] or None))
            count += 1
    db.session.flush()
    return count


# 收费明细 of the e-seal guide; the operator edits amounts in the fee schedule screen.
FEE_ITEMS = (
    ("first_key", "首次购买USB-Key（含当年年金及证书、电子印章制作）", "1000.00", "元/把"),
    ("annual_fee", "后续年金", "1000.00", "元/把/年"),
    ("replacement_key", "补办USB-Key", "1000.00", "元/把"),
)
CERTIFICATE_TEMPLATES = (
    ("通用证明", "证明", "ZM", "兹证明{holder_name}（统一社会信用代码：{credit_code}）{事项}。\n特此证明。"),
)


def load_eseal_defaults() -> int:
    """The fee schedule and a first certificate template, where missing (amounts never overwritten)."""
    from decimal import Decimal

    from models import CertificateTemplate, FeeItem

    have = {f.code for f in db.session.execute(select(FeeItem)).scalars()}
    for code, name, amount, unit in FEE_ITEMS:
        if code not in have:
            db.session.add(FeeItem(code=code, name=name, amount=Decimal(amount), unit=unit))
    names = {t.name for t in db.session.execute(select(CertificateTemplate)).scalars()}
    for name, title, prefix, body in CERTIFICATE_TEMPLATES:
        if name not in names:
            db.session.add(CertificateTemplate(name=name, title=title, number_prefix=prefix, body=body))
    db.session.flush()
    return len(FEE_ITEMS)


def load_service_desks() -> int:
    from app.refdata.portal import load_service_desks as load

    return load()


def _builtin_rulesets() -> int:
    from app.services.sme.rulesets import ensure_builtin

    return ensure_builtin()


def load_all() -> dict[str, int]:
    counts = {
        "regions": load_regions(),
        "agencies": load_agencies(),
        "industries": _upsert(Industry, "code", [{**r, "parent_code": r["parent_code"] or None} for r in _rows("industries.csv")]),
        "tech_fields": _upsert(TechField, "code", [{**r, "parent_code": r["parent_code"] or None} for r in _rows("tech_fields.csv")]),
        "economic_types": _upsert(EconomicType, "code", [{**r, "parent_code": r["parent_code"] or None} for r in _rows("economic_types.csv")]),
        "foreign_capital_sources": _upsert(ForeignCapitalSource, "code", _rows("foreign_capital_sources.csv")),
        "zones": load_zones(),
        "fee_items": load_eseal_defaults(),
        "service_desks": load_service_desks(),
        "sme_rulesets": _builtin_rulesets(),
    }
    db.session.commit()
    return counts
