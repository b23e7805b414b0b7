"""Quality benchmark organization filing: three years required, watermarked licence,
association review, activity windows by schedule, scope."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfReader
from reportlab.pdfgen import canvas

from app.extensions import db
from app.security import roles as R
from app.services import filing as svc
from app.services.errors import NotFound, ServiceError
from app.storage import open_attachment
from models import Activity, Attachment, EconomicType, OrganizationFiling
from tests import factories as f

YEARS = {"total_assets": "12000.5", "operating_revenue": "8000", "other_revenue": "150.25",
         "total_profit": "-35.5", "total_tax": "320", "employees": "860"}


def _licence_pdf() -> bytes:
    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.drawString(72, 720, "Business licence 91330106MA27ABCD1C")
    page.save()
    return out.getvalue()


def _ready_filing(**draft_overrides):
    db.session.add(EconomicType(code="159", name="其他有限责任公司"))
    db.session.commit()
    user = f.gen_applicant()
    f.gen_enterprise(user, status="approved")
    filing = svc.create(user, 2019)
    values = {"org_name": "杭州质量标杆示范有限公司", "economic_type_code": "159", "province_code": "330000",
              "city_code": "330100", "address": "杭州市西湖区文三路 1 号", "industry_code": "39",
              "quality_head": "王质量", "quality_head_phone": "0571-88886666", "org_size": "medium", **draft_overrides}
    years = [{"year": str(y), **YEARS} for y in (2016, 2017, 2018)]
    svc.save(user, filing.id, values, years)
    svc.attach_licence(user, filing.id, io.BytesIO(_licence_pdf()), "licence.pdf")
    return user, filing


def test_filing_refused_while_a_year_is_missing(app):
    user, filing = _ready_filing()
    years = [{"year": "2016", **YEARS}, {"year": "2017", **YEARS}, {"year": "2018"}]
    svc.save(user, filing.id, {}, years)
    with pytest.raises(ServiceError) as exc:
        svc.file(user, filing.id)
    assert "2018" in exc.value.message
    assert db.session.get(OrganizationFiling, filing.id).status == "draft"


def test_stored_licence_carries_the_watermark(app):
    user, filing = _ready_filing()
    attachment = db.session.get(Attachment, int(db.session.get(OrganizationFiling, filing.id).draft["licence_attachment_id"]))
    with open_attachment(attachment) as fh:
        text = PdfReader(fh).pages[0].extract_text()
    assert "仅用于备案审核" in text and "91330106MA27ABCD1C" in text


def test_file_approve_and_reuse(app):
    user, filing = _ready_filing()
    filed = svc.file(user, filing.id)
    assert filed.status == "filed" and [y.year for y in filed.economic_years] == [2016, 2017, 2018]
    assert str(filed.economic_years[0].total_profit) == "-35.5000" and filed.economic_years[0].employees == 860
    association = f.gen_user(R.ASSOCIATION_REVIEWER)
    with pytest.raises(ServiceError):
        svc.review(association, filing.id, "return", " ")
    svc.review(association, filing.id, "approve")
    assert [x.id for x in svc.approved_for(user)] == [filing.id]


def test_return_then_refile(app):
    user, filing = _ready_filing()
    svc.file(user, filing.id)
    association = f.gen_user(R.ASSOCIATION_REVIEWER)
    svc.review(association, filing.id, "return", "营业执照不清晰")
    assert db.session.get(OrganizationFiling, filing.id).return_reason == "营业执照不清晰"
    svc.save(user, filing.id, {"address": "杭州市西湖区文三路 2 号"}, None)
    assert svc.file(user, filing.id).status == "filed"


def test_bad_values_are_kept_with_messages(app):
    user, filing = _ready_filing(quality_head_phone="12345", org_size="huge")
    saved = db.session.get(OrganizationFiling, filing.id)
    assert saved.draft["quality_head_phone"] == "12345"
    errors = svc.validate(saved, for_submit=True)
    assert {"quality_head_phone", "org_size"} <= set(errors)


def test_scope_other_applicant_and_association(app):
    user, filing = _ready_filing()
    other = f.gen_applicant()
    f.gen_enterprise(other)
    with pytest.raises(NotFound):
        svc.own(other, filing.id)
    association = f.gen_user(R.ASSOCIATION_REVIEWER)
    with pytest.raises(NotFound):  # a draft is not the association's yet
        svc.review(association, filing.id, "approve")


def test_activity_windows_follow_the_date(app):
    db.session.add(Activity(name="2019 质量标杆活动", year=2019, opens_on=dt.date(2019, 3, 1), closes_on=dt.date(2019, 4, 30),
                            commitment_text="本组织承诺所填信息真实有效。"))
    db.session.commit()
    assert svc.activity_tick(dt.date(2019, 2, 28)) == {"opened": 0, "closed": 0}
    assert svc.activity_tick(dt.date(2019, 3, 1))["opened"] == 1
    assert [a.year for a in svc.open_activities()] == [2019]
    assert svc.activity_tick(dt.date(2019, 5, 1))["closed"] == 1
    assert svc.open_activities() == []
