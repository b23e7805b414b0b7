"""The rules administrator's rule-set pages: copy the 2017 set, edit a new year's rules on the
form, read them on the show page in zh and en; a wrong draft is refused beside the field with
what was typed kept and nothing saved; only the rules administrator changes a set."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from app.extensions import db
from app.security import roles as R
from models import SmeRuleset
from tests import factories as f

class _Form(HTMLParser):
    """The values a browser would post from the page's rule-set form."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.values: dict[str, list[str]] = {}
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("name") and a.get("name") != "csrf_token":
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.values.setdefault(a["name"], []).append(a.get("value") or "")
        elif tag == "textarea":
            self._textarea = a.get("name")
            self.values[self._textarea] = [""]

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea][0] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None


def _form_of(page: str) -> dict[str, list[str]]:
    parser = _Form()
    parser.feed(page[page.index('id="ruleset-form"'):])
    return parser.values


def _builtin() -> SmeRuleset:
    return db.session.query(SmeRuleset).filter_by(builtin=True).one()


def _rules_admin(app):
    user = f.gen_user(R.RULES_ADMIN)
    web = f.WebClient(app)
    assert web.login(user.username).status_code == 302
    return user, web


def _copy(web, ruleset_id: int) -> int:
    response = web.post_form(f"/rulesets/{ruleset_id}/copy", {}, csrf_url="/rulesets/")
    assert response.status_code == 302
    return int(re.search(r"/rulesets/(\d+)/edit", response.headers["Location"]).group(1))


def _edit(web, draft_id: int, **changes):
    """Post the form as shown, with ``changes`` (name -> value, or a list for checkboxes)."""
    page = web.get(f"/rulesets/{draft_id}/edit").get_data(as_text=True)
    values = _form_of(page)
    for name, value in changes.items():
        values[name] = value if isinstance(value, list) else [value]
    return web.post_form(f"/rulesets/{draft_id}/edit", values, csrf_url=f"/rulesets/{draft_id}/edit")


def test_the_rules_administrator_copies_2017_and_drafts_a_new_years_rules_read_in_zh_and_en(app):
    _user, web = _rules_admin(app)
    listing = web.get("/rulesets/").get_data(as_text=True)
    assert "评价规则集" in listing and "内置（只读）" in listing and "已发布" in listing
    assert "国科发政〔2017〕115号" in listing and "科技型中小企业评价办法" in listing
    menu = re.search(r'<a[^>]*href="/rulesets/"[^>]*>(.*?)</a>', listing, flags=re.S)
    assert menu and "评价规则集" in menu.group(1)  # 科技型中小企业 → 评价规则集

    draft_id = _copy(web, _builtin().id)
    page = web.get(f"/rulesets/{draft_id}/edit").get_data(as_text=True)
    form = _form_of(page)
    # 2017's values, as typed: limits in 万元, the bands, 80 % for domestic commissioned R&D.
    assert form["max_employees"] == ["500"] and form["max_sales_revenue"] == ["20000"]
    assert form["tech_staff_bands-0-threshold"] == ["30"] and form["tech_staff_bands-0-points"] == ["20"]
    assert form["ip_class_ii_bands-3-threshold"] == ["1"] and form["ip_class_ii_bands-3-points"] == ["6"]
    assert form["rd_share-commissioned_domestic"] == ["80"] and form["rd_share-commissioned_foreign"] == ["0"]
    assert form["ip_kind-invention_patent"] == ["i"] and form["ip_kind-software_copyright"] == ["ii"]
    assert form["institution_levels"] == ["provincial", "national"] and form["pass_score"] == ["60"]
    assert form["tech_staff_required"] == ["1"] and form["document_number"] == ["国科发政〔2017〕115号"]

    bands = {f"tech_staff_bands-{i}-{c}": "" for i in range(8) for c in ("threshold", "points")}
    # Row 2 is left empty: empty rows are ignored.
    bands.update({"tech_staff_bands-0-threshold": "40", "tech_staff_bands-0-points": "20",
                  "tech_staff_bands-2-threshold": "30", "tech_staff_bands-2-points": "12",
                  "tech_staff_bands-3-threshold": "20", "tech_staff_bands-3-points": "6"})
    saved = _edit(web, draft_id, year="2030", pass_score="70", document_number="国科发政〔2029〕9号",
                  source="科技型中小企业评价办法（2029 年修订）", **bands,
                  **{"rd_share-commissioned_domestic": "50", "ip_kind-software_copyright": "none",
                     "standard_max_rank": "3", "institution_levels": ["national"]})
    assert saved.status_code == 302 and saved.headers["Location"].endswith(f"/rulesets/{draft_id}")
    db.session.expire_all()
    row = db.session.get(SmeRuleset, draft_id)
    assert (row.year, row.status, row.document_number) == (2030, "draft", "国科发政〔2029〕9号")
    assert row.rules["tech_staff_bands"] == [["40", 20], ["30", 12], ["20", 6]]
    assert row.rules["pass_score"] == 70 and ["commissioned_domestic", "0.5"] in row.rules["rd_form_factors"]
    assert "software_copyright" not in row.rules["ip_class_ii_kinds"]

    zh = web.get(f"/rulesets/{draft_id}").get_data(as_text=True)
    for text in ("一、基本条件", "不超过 500 人", "不超过 20,000 万元", "二、直接认定条件", "近 5 年内获得",
                 "排名前 3 名", "经认定的国家级研发机构", "起草单位排名前 3 名", "三、评价指标", "≥ 40%", "20 分",
                 "&lt; 20%", "科技人员指标（满分 20 分）", "委托境内研发", "50%", "≥ 1 项", "30 分", "软件著作权",
                 "四、评价结论", "不低于 70 分", "国科发政〔2029〕9号", "草稿", "创建草稿", "保存草稿"):
        assert text in zh, text
    assert "≥ 30%</td><td>16 分" not in zh and "None" not in zh and "True" not in zh
    web.get("/lang/en")
    en = web.get(f"/rulesets/{draft_id}").get_data(as_text=True)
    for text in ("1. Basic conditions", "At most 500 people", "At most 20,000 × 10,000 yuan", "≥ 40%", "20 points",
                 "At least 70 points", "Commissioned (domestic)", "50%", "Being drafted", "Draft saved"):
        assert text in en, text
    # No Chinese UI string left on the English page (stored names and texts are data).
    from tests.web.test_role_crawl import _Page, _stored_text, _wrong_language

    parser, data = _Page(), _stored_text()
    parser.feed(en)
    assert [line for line in parser.text if _wrong_language(line, "en", data)] == []


INVALID = {
    # A band threshold must be lower than the one above it: the message is on the displayed row
    # (row 3 here, after an empty row 2), not on the second band of the document.
    "ascending": ({"tech_staff_bands-1-threshold": "", "tech_staff_bands-1-points": "",
                   "tech_staff_bands-2-threshold": "35", "tech_staff_bands-2-points": "18"},
                  "tech_staff_bands-2-threshold", "各档门槛值须自上而下递减", 'value="35"'),
    "negative points": ({"rd_sales_bands-1-points": "-5"}, "rd_sales_bands-1-points", "数值不得为负数", 'value="-5"'),
    "half-filled row": ({"ip_class_i_bands-1-threshold": "2"}, "ip_class_i_bands-1-points", "此项必填", 'value="2"'),
    "share above 100 %": ({"rd_share-cooperative": "120"}, "rd_share-cooperative",
                          "请输入 0 至 100 之间的百分比（最多 2 位小数）", 'value="120"'),
    # A crafted POST: no such radio on the form.
    "unknown IP kind": ({"ip_kind-martian_patent": "i"}, "ip_class_i_kinds", "未知的知识产权类别：&#39;martian_patent&#39;", None),
    "document number too long": ({"document_number": "国" * 65}, "document_number", "最多 64 个字符", None),
    "first year of a published set": ({"year": "2017"}, "year", "已有自 2017 年起适用的已发布规则集", 'value="2017"'),
}


@pytest.mark.parametrize("case", INVALID, ids=list(INVALID))
def test_an_invalid_draft_is_refused_beside_its_field_with_what_was_typed_kept(app, case):
    changes, field, message, kept = INVALID[case]
    _user, web = _rules_admin(app)
    draft_id = _copy(web, _builtin().id)
    before = db.session.get(SmeRuleset, draft_id)
    rules, version = dict(before.rules), before.version
    response = _edit(web, draft_id, pass_score="65", **changes)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="form-errors"' in page and "规则集有误，请查看标注的字段。" in page
    beside = re.search(rf'id="error-{re.escape(field)}">([^<]*)<', page)
    assert beside and message in beside.group(1), (field, beside and beside.group(1))
    assert 'name="pass_score" id="pass_score" value="65"' in page  # what was typed stays
    if kept:
        assert kept in page
    db.session.expire_all()
    after = db.session.get(SmeRuleset, draft_id)
    assert after.rules == rules and after.version == version and after.year != 2017


def test_the_forms_own_errors_and_the_services_first_one_show_together(app):
    _user, web = _rules_admin(app)
    draft_id = _copy(web, _builtin().id)
    version = db.session.get(SmeRuleset, draft_id).version
    page = _edit(web, draft_id, **{"rd_share-cooperative": "abc", "tech_staff_bands-1-threshold": "35"}).get_data(as_text=True)
    assert 'id="error-rd_share-cooperative"' in page and 'id="error-tech_staff_bands-1-threshold"' in page
    assert "研发费用计入比例: 合作研发: 请输入 0 至 100 之间的百分比" in page  # the summary names the field
    assert "科技人员占职工总数的比例，第 2 行，门槛值: 各档门槛值须自上而下递减" in page
    db.session.expire_all()
    assert db.session.get(SmeRuleset, draft_id).version == version


def test_a_stale_form_gives_the_conflict_message_and_saves_nothing(app):
    _user, web = _rules_admin(app)
    draft_id = _copy(web, _builtin().id)
    stale = web.get(f"/rulesets/{draft_id}/edit").get_data(as_text=True)
    assert _edit(web, draft_id, pass_score="61").status_code == 302
    values = {**_form_of(stale), "pass_score": ["75"]}
    page = web.post_form(f"/rulesets/{draft_id}/edit", values, csrf_url="/rulesets/").get_data(as_text=True)
    assert "该记录已被他人修改" in page and 'value="75"' in page
    db.session.expire_all()
    assert db.session.get(SmeRuleset, draft_id).rules["pass_score"] == 61


def test_admin_reads_but_neither_admin_nor_a_province_reviewer_changes_a_set(app):
    _rules_user, rules_web = _rules_admin(app)
    draft_id = _copy(rules_web, _builtin().id)
    row = db.session.get(SmeRuleset, draft_id)
    rules, version = dict(row.rules), row.version
    admin = f.WebClient(app)
    admin.login(f.gen_user(R.ADMIN).username)
    page = admin.get(f"/rulesets/{draft_id}").get_data(as_text=True)
    assert "一、基本条件" in page and 'id="ruleset-edit"' not in page and 'id="ruleset-act"' not in page
    assert "复制为新草稿" not in admin.get("/rulesets/").get_data(as_text=True)
    province = f.WebClient(app)
    province.login(f.gen_user(R.PROVINCE_REVIEWER, agency_region="330000").username)
    for web in (admin, province):
        token = web.csrf("/account/change-password")
        assert web.get(f"/rulesets/{draft_id}/edit").status_code in (403, 404)
        for url, data in ((f"/rulesets/{draft_id}/edit", {"pass_score": "61"}),
                          (f"/rulesets/{draft_id}/act", {"action": "mark_tested"}),
                          (f"/rulesets/{_builtin().id}/copy", {})):
            assert web.post(url, data={**data, "csrf_token": token}).status_code in (403, 404), url
    assert province.get(f"/rulesets/{draft_id}").status_code in (403, 404)
    db.session.expire_all()
    after = db.session.get(SmeRuleset, draft_id)
    assert (after.rules, after.version, after.status) == (rules, version, "draft")
    assert db.session.query(SmeRuleset).count() == 2


def test_the_builtin_set_and_a_tested_set_are_not_edited(app):
    user, web = _rules_admin(app)
    builtin = _builtin()
    response = web.get(f"/rulesets/{builtin.id}/edit")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/rulesets/{builtin.id}")
    assert "不能修改" in web.get(f"/rulesets/{builtin.id}").get_data(as_text=True)
    page = web.get(f"/rulesets/{builtin.id}").get_data(as_text=True)
    assert 'id="ruleset-edit"' not in page and 'id="action-publish"' not in page

    draft_id = _copy(web, builtin.id)
    draft = db.session.get(SmeRuleset, draft_id)
    _bench_run(app, user, draft.id)
    show = web.get(f"/rulesets/{draft_id}").get_data(as_text=True)
    assert 'id="action-mark_tested"' in show
    response = web.post_form(f"/rulesets/{draft_id}/act", {"action": "mark_tested", "version": str(draft.version),
                                                          "comment": "测算无异常"}, csrf_url=f"/rulesets/{draft_id}")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(SmeRuleset, draft_id).status == "tested"
    response = web.get(f"/rulesets/{draft_id}/edit")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/rulesets/{draft_id}")
    show = web.get(f"/rulesets/{draft_id}").get_data(as_text=True)
    assert "只有草稿可以修改" in show and "已测试" in show and "测算无异常" in show
    assert 'id="action-publish"' in show and 'id="action-reopen"' in show


def test_marking_tested_or_publishing_without_a_bench_run_says_why(app):
    _user, web = _rules_admin(app)
    draft_id = _copy(web, _builtin().id)
    version = db.session.get(SmeRuleset, draft_id).version
    for action, message in (("mark_tested", "请先用测试台对当前版本的草稿进行测算。"),
                            ("publish", "当前状态下不能执行此操作")):
        response = web.post_form(f"/rulesets/{draft_id}/act", {"action": action, "version": str(version)},
                                 csrf_url=f"/rulesets/{draft_id}", follow_redirects=True)
        assert response.status_code == 200 and message in response.get_data(as_text=True), action
    db.session.expire_all()
    assert db.session.get(SmeRuleset, draft_id).status == "draft"


def test_a_huge_or_unknown_id_is_404(app):
    _user, web = _rules_admin(app)
    token = web.csrf("/rulesets/")
    for url in ("/rulesets/99999999999", "/rulesets/99999999999/edit", "/rulesets/424242"):
        assert web.get(url).status_code == 404, url
    for url in ("/rulesets/99999999999/copy", "/rulesets/99999999999/act", "/rulesets/424242/edit"):
        assert web.post(url, data={"csrf_token": token, "action": "publish"}).status_code == 404, url


def test_the_rule_set_pages_link_to_the_rules_administrators_manual(app):
    from tests.web.test_help_pages import _assert_help

    _user, web = _rules_admin(app)
    draft_id = _copy(web, _builtin().id)
    for url, anchor in (("/rulesets/", "rules-overview"), (f"/rulesets/{draft_id}", "rules-publish"),
                        (f"/rulesets/{draft_id}/edit", "rules-form")):
        assert _assert_help(web, url) == f"/help/rules-admin#{anchor}", url
    manual = web.get("/help/rules-admin").get_data(as_text=True)
    for text in ("复制为新草稿", "测试台", "ruleset-export", "ruleset-import", "score --ruleset", "不改变已有评价的得分"):
        assert text in manual, text


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_page_the_rules_administrator_reaches_reads_without_internal_values(app, lang):
    """The role crawl (tests/web/test_role_crawl.py) over the rule-set pages: the list, the
    built-in set, a draft with its form, a tested set; no None, code, True/False or other language."""
    from tests.web.test_role_crawl import crawl

    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("the crawl reads the same pages on both databases")
    user, web = _rules_admin(app)
    tested_id = _copy(web, _builtin().id)
    tested = db.session.get(SmeRuleset, tested_id)
    _bench_run(app, user, tested.id)
    web.post_form(f"/rulesets/{tested_id}/act", {"action": "mark_tested", "version": str(tested.version)},
                  csrf_url=f"/rulesets/{tested_id}")
    _edit(web, _copy(web, _builtin().id), year="2031", pass_score="65")
    failures, raw, visited = crawl(app, user, lang, start="/rulesets/")
    assert visited > 5 and failures == [] and raw == []


def _bench_run(app, user, ruleset_id: int) -> None:
    """A real bench run of the draft's current version (in the request's thread)."""
    from app.services.sme import ruleset_bench

    app.config["TASK_WORKER"] = "sync"  # the bench run finishes before start() returns
    assert ruleset_bench.start(user, ruleset_id).status == "done"
