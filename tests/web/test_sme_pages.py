"""The applicant's Tech-SME pages: reading does not write, saving shows what was stored."""
from __future__ import annotations

import re

from app.extensions import db
from models import SmeEvaluation
from tests import factories as f


def _signed_in_with_evaluation(app, mobile: str):
    """An applicant with a filled evaluation (f.gen_sme), signed in: its client and the evaluation."""
    evaluation = f.gen_sme(f.gen_applicant(mobile=mobile))
    web = f.WebClient(app)
    web.login(mobile)
    return web, evaluation


def test_the_self_evaluation_page_writes_nothing_unless_the_stored_result_is_stale(app):
    web, evaluation = _signed_in_with_evaluation(app, "13700001111")
    version, score = evaluation.version, evaluation.total_score
    page = web.get(f"/sme/{evaluation.id}/self-evaluation")
    assert page.status_code == 200 and str(score).encode() in page.data
    db.session.expire_all()
    assert db.session.get(SmeEvaluation, evaluation.id).version == version  # a GET changed nothing

    db.session.execute(SmeEvaluation.__table__.update().where(SmeEvaluation.id == evaluation.id)
                       .values(result=None, total_score=None))  # e.g. the rules were corrected
    db.session.commit()
    web.get(f"/sme/{evaluation.id}/self-evaluation")
    db.session.expire_all()
    stored = db.session.get(SmeEvaluation, evaluation.id)
    assert stored.total_score == score and stored.result is not None and stored.version == version + 1


def test_a_saved_table_is_shown_as_stored(app):
    web, evaluation = _signed_in_with_evaluation(app, "13700002222")
    version = evaluation.version
    hr = {**f.sme_tables()["hr"], "new_hires": "12"}
    page = web.post_form(f"/sme/{evaluation.id}/table/hr", hr)
    assert page.status_code == 200 and "保存成功".encode() in page.data
    assert b'value="12"' in page.data
    db.session.expire_all()
    stored = db.session.get(SmeEvaluation, evaluation.id)
    assert stored.data["hr"]["new_hires"] == "12" and stored.version == version + 1


def test_the_details_page_shows_the_enterprise_and_the_totals_of_the_tables(app):
    web, evaluation = _signed_in_with_evaluation(app, "13700003333")
    enterprise = evaluation.enterprise
    page = web.get(f"/sme/{evaluation.id}/").data.decode()
    cells = dict(re.findall(r"<th>([^<]+)</th><td>([^<]*)</td>", page))
    assert cells["企业名称"] == enterprise.name and cells["统一社会信用代码"] == enterprise.credit_code
    # f.sme_tables(): sales 1000, one independent R&D project of 60 (counted in full), 80 + 15 + 5
    # employees of whom 25 + 4 + 1 tech staff
    assert cells["销售收入（万元）"] == "1000" and cells["研发费用总额（万元）"] == "60"
    assert cells["企业职工总数"] == "100" and cells["科技人员总数"] == "30"
    assert "None" not in page


def test_the_publicity_batch_list_reads_names_not_codes(app):
    import datetime as dt

    from app.security import roles as R
    from app.services import sme as svc

    evaluation = f.gen_sme(status="recommended")
    province = f.gen_user(R.PROVINCE_REVIEWER, agency_region="330000")
    svc.draw_spot_check(province, 0, seed="s1", year=evaluation.year)
    svc.create_batch(province, "2026年第一批", dt.date(2026, 5, 1), dt.date(2026, 5, 10), [evaluation.id])
    svc.publicity_tick(dt.date(2026, 5, 1))
    client = f.WebClient(app)
    client.login(province.username)
    page = client.get("/review/publicity-batches/list/").data.decode()
    assert "2026年第一批" in page and "浙江省" in page and "正在公示" in page
    assert "330000" not in page and ">open<" not in page
