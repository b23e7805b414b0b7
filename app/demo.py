"""Demo data: one account per role and two applicant enterprises. Idempotent."""
from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.security import roles as R
from models import Agency, BusinessRegistryEntry, Enterprise, ShenbaoUser
from models.base import utcnow

DEMO_PASSWORD = "Demo1234"
# (username, role, agency region code, display name)
DEMO_STAFF = (
    ("admin", R.ADMIN, None, "平台管理员"),
    ("agency_jinhua", R.AGENCY_REVIEWER, "330700", "金华评价机构审核员"),
    ("agency_hangzhou", R.AGENCY_REVIEWER, "330100", "杭州评价机构审核员"),
    ("province_zj", R.PROVINCE_REVIEWER, "330000", "浙江省评价机构审核员"),
    ("association", R.ASSOCIATION_REVIEWER, None, "中国质协审核员"),
    ("recommender", R.RECOMMENDER, None, "推荐单位审核员"),
    ("ca_operator", R.CA_OPERATOR, None, "CA客服"),
    ("manager", R.MANAGER, None, "统计管理员"),
    ("rules", R.RULES_ADMIN, None, "评价规则管理员"),
)
# (mobile/username, contact, credit code, name, legal rep, county, status)
DEMO_APPLICANTS = (
    ("13800000001", "张三", "91330701MA28A0001X", "金华示范科技有限公司", "李四", ("330000", "330700", "330702"), "approved"),
    ("13800000002", "王五", "91330106MA28B0002X", "杭州样例软件有限公司", "赵六", ("330000", "330100", "330106"), "submitted"),
)


def _fix_code(code17_plus: str) -> str:
    from rules.credit_code import make_credit_code

    return make_credit_code(code17_plus[:17])


def _user(username: str, role_name: str, name: str, email: str) -> ShenbaoUser:
    sm = current_app.appbuilder.sm
    user = sm.find_user(username=username)
    if user is None:
        user = sm.add_user(username=username, first_name=name, last_name="", email=email,
                           role=sm.find_role(role_name), password=DEMO_PASSWORD)
    return user


def create_demo() -> list[str]:
    lines = []
    for username, role, region, name in DEMO_STAFF:
        user = _user(username, role, name, f"{username}@demo.shenbao.local")
        if region:
            user.agency_id = db.session.execute(select(Agency.id).where(Agency.region_code == region)).scalar_one()
        lines.append(f"{role:20s} {username:16s} {DEMO_PASSWORD}")
    for mobile, contact, code, ent_name, legal_rep, (prov, city, county), status in DEMO_APPLICANTS:
        code = _fix_code(code)
        user = _user(mobile, R.APPLICANT, contact, f"{mobile}@demo.shenbao.local")
        user.mobile = mobile
        user.commitment_accepted_at = user.commitment_accepted_at or utcnow()
        db.session.merge(BusinessRegistryEntry(credit_code=code, name=ent_name, legal_rep_name=legal_rep,
                                               registration_authority="浙江省市场监督管理局"))
        if user.enterprise_id is None:
            agency = db.session.execute(select(Agency).where(Agency.region_code == city)).scalar_one()
            values = {
                "credit_code": code, "name": ent_name, "legal_rep_name": legal_rep, "legal_rep_mobile": "139" + mobile[3:],
                "legal_rep_id_type": "passport", "legal_rep_id_number": "E" + mobile[3:],
                "province_code": prov, "city_code": city, "county_code": county,
                "registration_authority": "浙江省市场监督管理局", "tax_authority": "国家税务总局浙江省税务局",
                "tax_collection_mode": "audit", "tech_field_code": "1.1",
            }
            enterprise = Enterprise(status=status, agency_id=agency.id, submitted_at=utcnow(),
                                    approved_at=utcnow() if status == "approved" else None,
                                    domestic_listed=False, overseas_listed=False, venture_capital=False,
                                    draft={**values, "domestic_listed": "no", "overseas_listed": "no",
                                           "in_hightech_zone": "no", "in_econdev_zone": "no", "venture_capital": "no",
                                           "shareholders": [{"name": contact, "kind": "natural", "amount": "100", "ratio": "100"}]},
                                    **values)
            db.session.add(enterprise)
            db.session.flush()
            user.enterprise_id = enterprise.id
        lines.append(f"{R.APPLICANT:20s} {mobile:16s} {DEMO_PASSWORD}  {ent_name} ({status})")
    _demo_benchmark(lines)
    db.session.commit()
    from app.services.portal_seed import seed_demo_portal

    lines += seed_demo_portal()
    return lines


def _demo_benchmark(lines: list[str]) -> None:
    """Recommending units and one activity open for declaration now."""
    import datetime as dt

    from models import Activity, RecommendingUnit

    units = []
    for name in ("浙江省质量协会", "中国电子质量管理协会"):
        unit = db.session.execute(select(RecommendingUnit).where(RecommendingUnit.name == name)).scalar_one_or_none()
        if unit is None:
            unit = RecommendingUnit(name=name)
            db.session.add(unit)
        units.append(unit)
    db.session.flush()
    recommender = db.session.execute(select(ShenbaoUser).where(ShenbaoUser.username == "recommender")).scalar_one()
    recommender.recommending_unit_id = units[0].id
    today = dt.date.today()
    if db.session.execute(select(Activity).where(Activity.year == today.year)).first() is None:
        db.session.add(Activity(name=f"{today.year}年全国质量标杆活动", year=today.year, status="open",
                                opens_on=today - dt.timedelta(days=7), closes_on=today + dt.timedelta(days=60),
                                commitment_text="本组织承诺：所填报的信息和提交的材料真实、准确、完整，如有不实，愿承担相应责任。",
                                recommending_units=units))
    lines.append(f"quality benchmark: activity {today.year} open, recommending units {', '.join(u.name for u in units)}")
