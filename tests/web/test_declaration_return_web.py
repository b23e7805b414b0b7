"""After a return the recommending unit chosen before is kept: preselected when the applicant
chooses again, and a declaration the unit returned goes back to it on resubmission."""
from __future__ import annotations

import io
import re

import pytest

from app.extensions import db
from app.services import declaration as svc
from models import Declaration
from tests import factories as f
from tests.services.test_declaration import CONTACT, _docx, world  # noqa: F401  (fixture)

pytestmark = pytest.mark.parametrize("app", ["sqlite"], indirect=True)


def _sent_to_second_unit(w) -> Declaration:
    """Submitted and sent to the activity's second unit (the first is what a select shows unchosen)."""
    declaration = svc.start(w["user"], w["activity"].id, w["filing"].id, w["project"].id, True)
    svc.save(w["user"], declaration.id, CONTACT)
    svc.upload_summary(w["user"], declaration.id, io.BytesIO(_docx()), "总结材料.docx")
    svc.submit(w["user"], declaration.id)
    return svc.choose_recommender(w["user"], declaration.id, w["units"][1].id)


def _selected(page: str, select_id: str) -> str | None:
    select = re.search(rf'<select[^>]*id="{select_id}"[^>]*>(.*?)</select>', page, re.S)
    assert select, f"no select {select_id}"
    chosen = re.search(r'<option value="(\d+)" selected>', select.group(1))
    return chosen.group(1) if chosen else None


def _applicant(app, w) -> f.WebClient:
    web = f.WebClient(app)
    web.login(w["user"].username)
    return web


def test_returned_by_the_unit_it_goes_back_to_the_same_unit(app, world):  # noqa: F811
    declaration = _sent_to_second_unit(world)
    svc.review(world["other_recommender"], declaration.id, "return", "请补充经济效益说明")
    web = _applicant(app, world)
    url = f"/benchmark/my/declaration/{declaration.id}"
    page = web.get(url).data.decode()
    unit = _selected(page, "resend_unit_id")
    assert unit == str(world["units"][1].id)  # the previous choice, preselected

    sent = web.post_form(url, {**CONTACT, "op": "submit", "unit_id": unit}, content_type="multipart/form-data")
    assert "已提交，并再次送交某行业协会" in sent.data.decode()
    declaration = db.session.get(Declaration, declaration.id)
    assert declaration.status == "pending_recommendation" and declaration.recommending_unit_id == world["units"][1].id
    svc.review(world["other_recommender"], declaration.id, "recommend", "同意推荐")  # the unit has it again
    assert db.session.get(Declaration, declaration.id).status == "recommended"


def test_returned_by_the_unit_the_applicant_may_send_it_elsewhere(app, world):  # noqa: F811
    declaration = _sent_to_second_unit(world)
    svc.review(world["other_recommender"], declaration.id, "return", "不属于本单位推荐范围")
    web = _applicant(app, world)
    url = f"/benchmark/my/declaration/{declaration.id}"
    refused = web.post_form(url, {**CONTACT, "op": "submit", "unit_id": str(world["other_unit"].id)},
                            content_type="multipart/form-data").data.decode()  # not a unit of this activity
    assert re.search(r'id="resend_unit_id".*?</select>\s*<span class="help-block error">[^<]*推荐单位', refused, re.S)
    assert db.session.get(Declaration, declaration.id).status == "returned_by_recommender"

    web.post_form(url, {**CONTACT, "op": "submit", "unit_id": str(world["units"][0].id)},
                  content_type="multipart/form-data")
    declaration = db.session.get(Declaration, declaration.id)
    assert declaration.status == "pending_recommendation" and declaration.recommending_unit_id == world["units"][0].id


def test_returned_by_the_association_the_previous_unit_is_preselected(app, world):  # noqa: F811
    declaration = _sent_to_second_unit(world)
    svc.review(world["other_recommender"], declaration.id, "recommend", "同意推荐")
    svc.review(world["association"], declaration.id, "return_to_applicant", "总结材料不完整")
    web = _applicant(app, world)
    url = f"/benchmark/my/declaration/{declaration.id}"
    web.post_form(url, {**CONTACT, "op": "submit"}, content_type="multipart/form-data")
    assert db.session.get(Declaration, declaration.id).status == "submitted"
    page = web.get(url).data.decode()
    assert _selected(page, "unit_id") == str(world["units"][1].id)
