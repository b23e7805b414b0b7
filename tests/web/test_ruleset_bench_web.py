"""The test bench as the rules administrator uses it: choose the past submissions, start, follow
the progress, read what would change (sentences, the score chart and its table, the changed
enterprises 50 a page) in Chinese and English, download it all as xlsx. Every other role is
refused; a run id of another rule set or beyond any id is not found."""
from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import insert, select

from app.extensions import db
from app.security import roles as R
from models import RulesetTestChange, RulesetTestRun, SmeRuleset
from tests import factories as f
from tests.conftest import csrf_from
from tests.services.test_ruleset_bench import STRICTER_TECH_STAFF, _draft, _submitted
from tests.web.test_role_crawl import crawl


@pytest.fixture
def bench_world(app):
    """Three past submissions of 2026 scored under the 2017 set (100, 70 and 50 points) and a
    draft with pass mark 95 and stricter tech-staff bands."""
    app.config["TASK_WORKER"] = "sync"  # the bench run finishes before start() returns
    admin = f.gen_user(R.RULES_ADMIN)
    evaluations = [_submitted(), _submitted(ip=[]),
                   _submitted(rd_projects=[{"name": "小型研发", "number": "RD-02", "form": "independent",
                                            "status": "ongoing", "amount": "0"}])]
    draft = _draft(admin, year=2027, pass_score=95, tech_staff_bands=STRICTER_TECH_STAFF)
    return admin, draft, evaluations


def _signed_in(app, user, lang: str = "zh") -> f.WebClient:
    web = f.WebClient(app)
    assert web.login(user.username).status_code == 302
    if lang != "zh":
        web.get(f"/lang/{lang}")
    return web


def _start(web, draft, **choice):
    page = web.get(f"/ruleset-bench/{draft.id}/start")
    assert page.status_code == 200
    return web.post(f"/ruleset-bench/{draft.id}/start",
                    data={"csrf_token": csrf_from(page.data), "year": "", "province": "", **choice})


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_rules_administrator_starts_a_run_and_reads_what_would_change(app, bench_world):
    admin, draft, evaluations = bench_world
    web = _signed_in(app, admin)
    form = web.get(f"/ruleset-bench/{draft.id}/start").data.decode()
    assert '<option value="2026">2026</option>' in form and ">浙江省</option>" in form and "全部省份" in form
    started = _start(web, draft, year="2026", province="330000")
    assert started.status_code == 302
    run_url = started.headers["Location"]
    assert re.search(rf"/ruleset-bench/{draft.id}/runs/\d+$", run_url)
    html = web.get(run_url).data.decode()
    text = _text(html)
    assert "共重新评分往期申报 3 份。" in text and "2 家企业将不再符合条件。" in text
    assert "0 家企业将新符合条件。" in text and "1 家企业仍不符合条件。" in text
    assert "1 家企业得分有变化，但结论不变。" in text
    assert "所选往期申报: 2026 · 浙江省" in text
    # The chart: an SVG with its title, and the same figures as a table.
    assert '<svg id="bench-chart" role="img"' in html and "<title id=\"bench-chart-svg-title\">现行规则与草案下的得分分布</title>" in html
    table = _text(html.split('id="bench-histogram"')[1].split("</table>")[0])
    assert "现行规则 0 0 0 0 0 1 0 1 0 1 0" in table and "草案 0 0 0 0 1 0 1 0 0 1 0" in table
    # The changed enterprises: names, region names, old and new points and totals, qualification in words.
    changes = _text(html.split('id="bench-changes"')[1].split("</table>")[0])
    first = evaluations[0].enterprise
    assert f"{first.name} {first.credit_code} 浙江省 2026 符合 不符合 20 12 50 50 30 30 100 92" in changes
    assert "330000" not in changes and "None" not in text
    runs = web.get(f"/ruleset-bench/{draft.id}/runs").data.decode()
    assert run_url.split("/")[-1] in runs and "已完成" in runs and "当前版本" in runs
    # Every page and link of the bench: no 5xx, no code, None or English left on the page.
    failures, raw, visited = crawl(app, admin, "zh", start=run_url)
    assert visited >= 4 and failures == [] and raw == []


def test_the_result_reads_in_english_too(app, bench_world):
    admin, draft, _evaluations = bench_world
    web = _signed_in(app, admin, "en")
    run_url = _start(web, draft).headers["Location"]
    text = _text(web.get(run_url).data.decode())
    assert "3 past submissions were re-scored." in text and "2 enterprises would no longer qualify." in text
    assert "0 enterprises would newly qualify." in text and "1 enterprise would still not qualify." in text
    assert "Conforms Does not conform 20 12" in text
    assert "All years · All provinces" in text
    failures, raw, visited = crawl(app, admin, "en", start=run_url)
    assert visited >= 4 and failures == [] and raw == []


@pytest.mark.parametrize("lang, headers", [("zh", ("企业名称", "指标9（现行规则）", "是否符合")),
                                           ("en", ("Enterprise name", "Indicator 9 now", "Qualifies now"))])
def test_the_xlsx_has_a_summary_and_the_changed_enterprises(app, bench_world, lang, headers):
    admin, draft, evaluations = bench_world
    web = _signed_in(app, admin, lang)
    run_url = _start(web, draft).headers["Location"]
    response = web.get(run_url + "/download")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    book = load_workbook(io.BytesIO(response.data), read_only=True)
    summary, changes = book.worksheets
    summary_rows = {row[0]: row[1] for row in summary.iter_rows(min_row=3, values_only=True) if row and row[0]}
    assert 2 in summary_rows.values() and 3 in summary_rows.values()
    rows = list(changes.iter_rows(min_row=2, values_only=True))
    header = rows[0]
    assert header[0] == headers[0] and header[6] == headers[1] and headers[2] in header[4]
    names = {row[0] for row in rows[1:]}
    assert names == {e.enterprise.name for e in evaluations}
    first = next(row for row in rows[1:] if row[0] == evaluations[0].enterprise.name)
    assert first[2] == "浙江省" and first[3] == 2026 and first[6:14] == (20, 12, 50, 50, 30, 30, 100, 92)


def test_changed_enterprises_are_listed_fifty_a_page(app, bench_world):
    admin, draft, evaluations = bench_world
    web = _signed_in(app, admin)
    run_url = _start(web, draft).headers["Location"]
    run_id = int(run_url.rsplit("/", 1)[1])
    db.session.execute(insert(RulesetTestChange), [
        {"run_id": run_id, "evaluation_id": evaluations[0].id, "enterprise_name": f"分页企业{i:02d}", "year": 2026,
         "province_code": "330000", "old_qualified": True, "new_qualified": False, "old_total": 60, "new_total": 58,
         "old_points": [20, 10, 30], "new_points": [18, 10, 30], "old_path": "scored", "new_path": "scored"}
        for i in range(60)])
    db.session.commit()
    first = web.get(run_url).data.decode()
    second = web.get(run_url + "?page=2").data.decode()
    rows = lambda html: html.split('id="bench-changes"')[1].split("</table>")[0].count("<tr>") - 2  # noqa: E731
    assert rows(first) == 50 and rows(second) == 13
    assert "分页企业59" in second and "分页企业59" not in first
    assert web.get(run_url + "?page=x").status_code == 200


def test_progress_is_shown_while_queued_and_a_double_click_returns_the_same_run(app, bench_world):
    admin, draft, _evaluations = bench_world
    app.config["TASK_WORKER"] = "external"  # no worker runs here: the run stays queued
    web = _signed_in(app, admin)
    first = _start(web, draft).headers["Location"]
    second = _start(web, draft).headers["Location"]
    assert first == second
    assert db.session.execute(select(RulesetTestRun)).scalars().all().__len__() == 1
    html = web.get(first).data.decode()
    assert 'id="bench-progress"' in html and "等待运行" in html and "0 / 3" in html
    status = web.get(first + "/status").get_json()
    assert status == {"status": "queued", "done": 0, "total": 3, "label": "等待运行"}
    assert web.get(first + "/download").status_code == 404  # nothing to download yet


def test_every_other_role_is_refused_and_bad_ids_are_not_found(app, bench_world):
    admin, draft, _evaluations = bench_world
    web = _signed_in(app, admin)
    run_url = _start(web, draft).headers["Location"]
    run_id = int(run_url.rsplit("/", 1)[1])
    routes = [f"/ruleset-bench/{draft.id}/start", f"/ruleset-bench/{draft.id}/runs", run_url, run_url + "/status",
              run_url + "/download"]
    for role in (R.ADMIN, R.PROVINCE_REVIEWER, R.APPLICANT, R.MANAGER):
        other = _signed_in(app, f.gen_user(role))
        for url in routes:
            assert other.get(url).status_code == 403, (role, url)
        assert other.post(routes[0], data={"csrf_token": other.csrf("/account/change-password")}).status_code == 403
    visitor = f.WebClient(app)
    for url in routes:
        response = visitor.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    builtin = db.session.execute(select(SmeRuleset).filter_by(builtin=True)).scalar_one()
    for url in (f"/ruleset-bench/{builtin.id}/runs/{run_id}", f"/ruleset-bench/{draft.id}/runs/{run_id + 1}",
                f"/ruleset-bench/{draft.id}/runs/{2**40}", f"/ruleset-bench/{draft.id}/runs/{2**40}/status",
                f"/ruleset-bench/{2**40}/runs", f"/ruleset-bench/{2**40}/start", f"/ruleset-bench/99999/runs",
                f"/ruleset-bench/{builtin.id}/runs/{run_id}/download"):
        assert web.get(url).status_code == 404, url
    # The shipped set cannot be tested: the form says so, and a POST is refused.
    page = web.get(f"/ruleset-bench/{builtin.id}/start").data.decode()
    assert "只有草稿才能在测试台上测试。" in page and 'id="bench-start"' not in page
    refused = web.post(f"/ruleset-bench/{builtin.id}/start", data={"csrf_token": web.csrf("/account/change-password")},
                       follow_redirects=True)
    assert "只有草稿才能在测试台上测试。" in refused.data.decode()
    assert db.session.execute(select(RulesetTestRun).filter_by(ruleset_id=builtin.id)).first() is None


def test_a_year_not_offered_is_refused_beside_the_field(app, bench_world):
    admin, draft, _evaluations = bench_world
    web = _signed_in(app, admin)
    response = _start(web, draft, year="2019")
    assert response.status_code == 200
    assert "请从列表中选择年度。" in response.data.decode()
    assert db.session.execute(select(RulesetTestRun)).first() is None
