"""A new year's rules from the form to a score, as the rules administrator and an applicant see
it: the 2030-style draft is entered on the admin form only (different tech-staff bands and pass
mark), tried on the test bench against past submissions scored under 2017, marked tested and
published through the page's buttons; a new evaluation of that year is then scored by the new
set while the past ones keep their 2017 score and say so."""
from __future__ import annotations

import re

from app.extensions import db
from app.security import roles as R
from models import SmeEvaluation, SmeRuleset
from tests import factories as f
from tests.conftest import csrf_from
from tests.web.test_ruleset_pages import _builtin, _copy, _edit


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _self_evaluation(app, evaluation) -> str:
    web = f.WebClient(app)
    web.login(f.owner_of(evaluation).mobile)
    return web.get(f"/sme/{evaluation.id}/self-evaluation").get_data(as_text=True)


def _act(web, ruleset_id: int, action: str, comment: str = ""):
    show = web.get(f"/rulesets/{ruleset_id}").get_data(as_text=True)
    assert f'id="action-{action}"' in show, action
    version = re.search(r'name="version" value="(\d+)"', show).group(1)
    response = web.post_form(f"/rulesets/{ruleset_id}/act", {"action": action, "version": version, "comment": comment},
                             csrf_url=f"/rulesets/{ruleset_id}", follow_redirects=True)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_new_years_rules_go_from_the_form_through_the_bench_to_the_next_score(app):
    app.config["TASK_WORKER"] = "sync"  # the bench run finishes before start() returns
    # Past submissions of 2027, scored under the 2017 set: 100 points (30 % tech staff → 20)
    # and 70 points (no IP); both qualify today.
    full, no_ip = (f.gen_sme(year=2027, status="pending_agency"), f.gen_sme(year=2027, status="pending_agency", ip=[]))
    assert "总分不低于 60 分" in _text(_self_evaluation(app, full))
    assert [(e.total_score, e.qualified) for e in (full, no_ip)] == [(100, True), (70, True)]
    builtin = _builtin()
    assert full.ruleset_id == builtin.id

    admin = f.gen_user(R.RULES_ADMIN)
    web = f.WebClient(app)
    assert web.login(admin.username).status_code == 302

    # 1. The form only: copy 2017, stricter tech-staff bands (30 % now gives 12) and pass mark 95.
    draft_id = _copy(web, builtin.id)
    bands = {f"tech_staff_bands-{i}-{c}": "" for i in range(8) for c in ("threshold", "points")}
    for row, (threshold, points) in enumerate((("40", "20"), ("35", "16"), ("30", "12"), ("25", "8"), ("20", "4"))):
        bands.update({f"tech_staff_bands-{row}-threshold": threshold, f"tech_staff_bands-{row}-points": points})
    saved = _edit(web, draft_id, year="2027", pass_score="95", document_number="国科发政〔2027〕1号",
                  source="科技型中小企业评价办法（2027 年修订）", **bands)
    assert saved.status_code == 302

    # 2. The bench on the past submissions of 2027: both would no longer qualify.
    start = web.get(f"/ruleset-bench/{draft_id}/start")
    started = web.post(f"/ruleset-bench/{draft_id}/start",
                       data={"csrf_token": csrf_from(start.data), "year": "2027", "province": ""})
    assert started.status_code == 302
    result = _text(web.get(started.headers["Location"]).get_data(as_text=True))
    assert "共重新评分往期申报 2 份。" in result and "2 家企业将不再符合条件。" in result
    assert f"{full.enterprise.name} {full.enterprise.credit_code}" in result

    # 3. Marked tested, then published, through the page's buttons.
    assert "已测试" in _text(_act(web, draft_id, "mark_tested", "测算结果已报省级科技管理部门"))
    published_page = _text(_act(web, draft_id, "publish", "经省级科技管理部门确认"))
    assert "已发布" in published_page and "国科发政〔2027〕1号" in published_page
    published = db.session.get(SmeRuleset, draft_id)
    assert published.status == "published"

    # 4. A new evaluation of 2027 is scored by the new set: 12 + 50 + 30 = 92 < 95.
    new = f.gen_sme(year=2027)
    assert (new.ruleset_id, new.ruleset_version) == (published.id, published.version)
    page = _text(_self_evaluation(app, new))
    assert "总分：92 分。 不符合科技型中小企业条件。" in page
    assert "总分不低于 95 分（含 95 分" in page and "60 分" not in page  # the set's pass mark, not 2017's
    assert "评分规则：2027 年起适用的国科发政〔2027〕1号。" in page

    # 5. The past submissions keep their 2017 score, and their pages say which rules scored them.
    db.session.expire_all()
    for past, total in ((full, 100), (no_ip, 70)):
        row = db.session.get(SmeEvaluation, past.id)
        assert (row.total_score, row.qualified, row.ruleset_id) == (total, True, builtin.id)
    reviewer = f.WebClient(app)
    reviewer.login(f.gen_user(R.AGENCY_REVIEWER, agency_region=full.enterprise.city_code).username)
    review = _text(reviewer.get(f"/review/sme/show/{full.id}").get_data(as_text=True))
    assert "评分规则：2017 年起适用的《科技型中小企业评价办法》" in review and "国科发政〔2027〕1号" not in review
    assert "总分：100 分。 符合科技型中小企业条件。" in review
