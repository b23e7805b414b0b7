"""Rule sets as data: the set in force scores an evaluation and is recorded on it; a later
published set scores new saves only; drafts are the rules administrator's; the CLI exports,
imports (exit 2 naming the field) and scores with a file."""
from __future__ import annotations

import json

import sqlalchemy as sa

import pytest

from app.extensions import db
from app.security import roles as R
from app.services import sme as svc
from app.services.errors import Forbidden, ServiceError
from app.services.sme import rulesets
from models import SmeRuleset
from tests import factories as f


def _builtin() -> SmeRuleset:
    return db.session.query(SmeRuleset).filter_by(builtin=True).one()


def _publish(admin, draft: SmeRuleset) -> SmeRuleset:
    """Through the real rows: a bench run on this version, marked tested, published."""
    from flask import current_app

    from app.services.sme import ruleset_bench

    current_app.config["TASK_WORKER"] = "sync"  # the bench run finishes before start() returns
    assert ruleset_bench.start(admin, draft.id).status == "done"
    draft = rulesets.act(admin, draft.id, "mark_tested")
    return rulesets.act(admin, draft.id, "publish", comment="经省级科技管理部门确认")


def _draft(admin, year: int, **changes) -> SmeRuleset:
    draft = rulesets.create_draft(admin, _builtin().id)
    doc = {**draft.rules, "year": year, **changes}
    return rulesets.save_draft(admin, draft.id, doc, source="科技型中小企业评价办法（修订）",
                               document_number=f"国科发政〔{year}〕1号", regulation_text="",
                               expected_version=draft.version)


def test_evaluation_records_the_set_that_scored_it(app):
    evaluation = f.gen_sme(year=2026)
    builtin = _builtin()
    assert evaluation.result is not None
    assert (evaluation.ruleset_id, evaluation.ruleset_version) == (builtin.id, builtin.version)
    assert rulesets.label(evaluation.ruleset) == "2017 年起适用 · 国科发政〔2017〕115号"


def test_published_set_scores_new_saves_and_old_scores_stay(app):
    admin = f.gen_user(R.RULES_ADMIN)
    old = f.gen_sme(year=2027, status="pending_agency")
    kept_total, kept_qualified = old.total_score, old.qualified
    assert (kept_total, kept_qualified) == (100, True)
    # A stricter year: higher tech-staff bands (30 % now gives 12, not 20) and pass mark 95.
    stricter = [["40", 20], ["35", 16], ["30", 12], ["25", 8], ["20", 4]]
    draft = _draft(admin, 2027, pass_score=95, tech_staff_bands=stricter)
    assert draft.status == "draft" and draft.rules["pass_score"] == 95
    published = _publish(admin, draft)
    assert published.status == "published" and published.published_at is not None

    db.session.refresh(old)
    assert (old.total_score, old.qualified, old.ruleset_id) == (kept_total, True, _builtin().id)
    new = f.gen_sme(year=2027)
    assert new.ruleset_id == published.id and new.ruleset_version == published.version
    assert new.total_score == 92 and new.qualified is False
    assert new.result["reason"] == "总分 92 分，低于 95 分"
    # 2026 is before the new set's first year: still the 2017 rules.
    assert f.gen_sme(year=2026).ruleset_id == _builtin().id
    # An old evaluation returned to its applicant is re-scored when saved again.
    agency = f.gen_user(R.AGENCY_REVIEWER, agency_region=old.enterprise.city_code)
    svc.review(agency, old.id, "return", comment="请补充")
    owner = f.owner_of(old)
    svc.save_table(owner, old.id, "other", dict(old.data.get("other") or {}), None)
    db.session.refresh(old)
    assert old.ruleset_id == published.id and old.qualified is False


def test_published_sets_cannot_change_and_only_the_rules_administrator_acts(app):
    admin = f.gen_user(R.RULES_ADMIN)
    platform_admin = f.gen_user(R.ADMIN)
    builtin = _builtin()
    with pytest.raises(Forbidden):
        rulesets.create_draft(platform_admin, builtin.id)
    with pytest.raises(ServiceError):
        rulesets.save_draft(admin, builtin.id, builtin.rules, source="x", document_number="", regulation_text="")
    draft = _draft(admin, 2028)
    with pytest.raises(ServiceError, match="测试台"):
        rulesets.act(admin, draft.id, "mark_tested")
    with pytest.raises(Forbidden):
        rulesets.act(platform_admin, draft.id, "mark_tested")
    published = _publish(admin, draft)
    with pytest.raises(ServiceError):
        rulesets.save_draft(admin, published.id, published.rules, source="x", document_number="", regulation_text="")
    # A second set for 2028 is refused beside the year field.
    other = rulesets.create_draft(admin, builtin.id)
    with pytest.raises(ServiceError) as caught:
        rulesets.save_draft(admin, other.id, {**other.rules, "year": 2028}, source="x", document_number="",
                            regulation_text="")
    assert "2028" in caught.value.field_errors["year"]


@pytest.mark.parametrize("change, field", [
    ({"tech_staff_bands": [["10", 4], ["30", 20]]}, "tech_staff_bands[1][0]"),
    ({"rd_cost_bands": [["30", -50]]}, "rd_cost_bands[0][1]"),
    ({"ip_class_i_kinds": ["invention_patent", "moon_rock"]}, "ip_class_i_kinds"),
    ({"year": 2017}, "year"),
])
def test_invalid_drafts_are_refused_beside_the_field_and_nothing_saved(app, change, field):
    admin = f.gen_user(R.RULES_ADMIN)
    draft = rulesets.create_draft(admin, _builtin().id)
    before = dict(draft.rules)
    with pytest.raises(ServiceError) as caught:
        rulesets.save_draft(admin, draft.id, {**draft.rules, **change}, source="x", document_number="",
                            regulation_text="")
    assert list(caught.value.field_errors) == [field]
    db.session.expire_all()
    assert db.session.get(SmeRuleset, draft.id).rules == before


@pytest.mark.parametrize("app", ["sqlite"], indirect=True)
def test_cli_export_import_and_score_with_a_file(app, tmp_path):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["ruleset-export", "2026"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["pass_score"] == 60 and doc["tech_staff_bands"][0] == ["30", 20]
    assert doc["rd_form_factors"] == [["independent", "1"], ["cooperative", "1"], ["centralized", "1"],
                                      ["commissioned_domestic", "0.8"], ["commissioned_foreign", "0"]]

    bad = dict(doc, year=2029, rd_sales_bands=[["2", 10], ["6", 50]])
    (tmp_path / "bad.json").write_text(json.dumps(bad), encoding="utf-8")
    result = runner.invoke(args=["ruleset-import", str(tmp_path / "bad.json")])
    assert result.exit_code == 2 and "rd_sales_bands[1][0]" in result.output
    assert db.session.query(SmeRuleset).count() == 1

    good = dict(doc, year=2029, pass_score=95)
    (tmp_path / "good.json").write_text(json.dumps(good), encoding="utf-8")
    result = runner.invoke(args=["ruleset-import", str(tmp_path / "good.json")])
    assert result.exit_code == 0, result.output
    stored = db.session.query(SmeRuleset).filter_by(year=2029).one()
    assert stored.status == "draft" and stored.rules["pass_score"] == 95

    evaluation = {"year": 2029, "registered_in_mainland": True, "products_not_prohibited": True, "credit_ok": True,
                  "employees": {"fulltime": 80, "parttime": 15, "temporary": 5},
                  "tech_staff": {"fulltime": 20, "parttime": 0, "temporary": 0},
                  "sales_revenue": "1000", "total_assets": "800", "cost_expenses": "900",
                  "rd_projects": [{"name": "p", "form": "independent", "amount": "60"}],
                  "high_tech_certificate_valid": False, "national_awards": [], "rd_institutions": [], "standards": [],
                  "ip": [{"name": "x", "kind": "invention_patent"}]}
    (tmp_path / "e.json").write_text(json.dumps(evaluation), encoding="utf-8")
    published = json.loads(runner.invoke(args=["score", str(tmp_path / "e.json")]).output)
    with_file = runner.invoke(args=["score", "--ruleset", str(tmp_path / "good.json"), "-"],
                              input=json.dumps(evaluation))
    assert with_file.exit_code == 0, with_file.output
    drafted = json.loads(with_file.output)
    assert published["total_score"] == drafted["total_score"] == 12 + 50 + 30
    assert published["qualified"] is True and drafted["qualified"] is False
    assert drafted["ruleset_year"] == 2029
    result = runner.invoke(args=["score", "--ruleset", str(tmp_path / "bad.json"), str(tmp_path / "e.json")])
    assert result.exit_code == 2 and "rd_sales_bands[1][0]" in result.output


def test_pages_pdf_and_review_name_the_set_that_scored(app):
    import io

    from pypdf import PdfReader

    admin = f.gen_user(R.RULES_ADMIN)
    kept = f.gen_sme(year=2027, status="pending_agency")
    _publish(admin, _draft(admin, 2027, pass_score=95,
                           tech_staff_bands=[["40", 20], ["35", 16], ["30", 12], ["25", 8], ["20", 4]]))
    new = f.gen_sme(year=2027)
    web = f.WebClient(app)
    web.login(f.owner_of(new).username)
    page = web.get(f"/sme/{new.id}/self-evaluation").get_data(as_text=True)
    assert "评分规则：2027 年起适用的国科发政〔2027〕1号。" in page
    assert "总分：92 分。 不符合科技型中小企业条件。" in page
    pdf = web.get(f"/sme/{new.id}/information.pdf").data
    text = "".join("".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "评价规则：2027年起适用·国科发政〔2027〕1号" in text and "低于95分" in text

    agency = f.gen_user(R.AGENCY_REVIEWER, agency_region=kept.enterprise.city_code)
    review = f.WebClient(app)
    review.login(agency.username)
    shown = review.get(f"/review/sme/show/{kept.id}").get_data(as_text=True)
    assert "评分规则：2017 年起适用的《科技型中小企业评价办法》" in shown and "国科发政〔2027〕1号" not in shown
    review.get("/lang/en")
    shown = review.get(f"/review/sme/show/{kept.id}").get_data(as_text=True)
    assert "Guo Ke Fa Zheng [2017] No. 115" in shown


def test_a_set_read_again_under_the_same_id_and_version_with_other_rules_is_parsed_again(app):
    """A database rebuilt or restored can give an id and version other rules: the parsed-set
    cache must not hand back the old ones (the bench then compared a draft with itself)."""
    admin = f.gen_user(R.RULES_ADMIN)
    draft = _draft(admin, 2029, pass_score=80)
    assert rulesets.parsed(draft).pass_score == 80
    db.session.execute(sa.update(SmeRuleset).where(SmeRuleset.id == draft.id)
                       .values(rules={**draft.rules, "pass_score": 90}))  # same id and version
    db.session.commit()
    db.session.refresh(draft)
    assert rulesets.parsed(draft).pass_score == 90
