"""A reviewer's page shows the whole record the reviewer judges, values as the applicant's form
names them, and every file the applicant uploaded one click away: the link downloads for the
reviewer and answers 404 to a user outside the record's scope."""
from __future__ import annotations

import io
import re

from app.security import roles as R
from app.services import email_change
from tests import factories as f


def _page(web, url: str) -> str:
    response = web.get(url)
    assert response.status_code == 200, (url, response.status_code, response.headers.get("Location"))
    return response.get_data(as_text=True)


def _attachment_links(html: str) -> list[int]:
    return [int(n) for n in dict.fromkeys(re.findall(r'href="/attachments/(\d+)"', html))]


def _downloads(app, login: str, attachment_id: int) -> int:
    web = f.WebClient(app)
    web.login(login)
    return web.get(f"/attachments/{attachment_id}").status_code


def _signed_in(app, login: str) -> f.WebClient:
    web = f.WebClient(app)
    web.login(login)
    return web


def _attachments_of(record_type: str, record_id: int) -> list[int]:
    from sqlalchemy import select

    from app.extensions import db
    from models import Attachment

    return list(db.session.execute(select(Attachment.id).where(
        Attachment.record_type == record_type, Attachment.record_id == record_id).order_by(Attachment.id)).scalars())


def _captcha() -> str:
    from app.services import captcha

    return captcha.new_challenge()[0]


def test_email_change_review_shows_the_stamped_proofs(app):
    applicant = f.gen_applicant()
    enterprise = f.gen_enterprise(applicant, status="approved")
    request = email_change.submit(
        email_change.EmailChangeForm(enterprise.credit_code, enterprise.name, applicant.first_name, applicant.mobile,
                                     "new-contact@example.com", str(f.agency("330100").id), _captcha(), f.CAPTCHA),
        [(io.BytesIO(f.PNG_1PX), "盖章申请-1.png"), (io.BytesIO(f.PNG_1PX), "盖章申请-2.png")])
    proofs = _attachments_of("email_change", request.id)
    assert len(proofs) == 2
    reviewer = f.gen_user(R.AGENCY_REVIEWER, agency_region="330100")
    other_agency = f.gen_user(R.AGENCY_REVIEWER, agency_region="330700")

    html = _page(_signed_in(app, reviewer.username), f"/review/email-changes/show/{request.id}")
    for value in (enterprise.credit_code, enterprise.name, applicant.first_name, applicant.mobile,
                  "new-contact@example.com", "杭州市科学技术局", "盖章申请-1.png", "盖章申请-2.png"):
        assert value in html, value
    assert set(_attachment_links(html)) == set(proofs)
    # Images are shown as thumbnails, each inside its download link.
    for attachment_id in proofs:
        assert re.search(rf'<a [^>]*href="/attachments/{attachment_id}"[^>]*>\s*<img ', html), attachment_id
    # The submission time reads in Beijing time to the minute, not as a stored UTC value.
    assert not re.search(r"\d{2}:\d{2}:\d{2}\.\d+", html)

    for attachment_id in proofs:
        assert _downloads(app, reviewer.username, attachment_id) == 200
        assert _downloads(app, other_agency.username, attachment_id) == 404
        assert _downloads(app, applicant.mobile, attachment_id) == 404  # the request names no owner


def test_filing_review_shows_the_economic_data_and_the_proofs(app):
    from app.extensions import db
    from app.services import filing as filing_svc
    from models import OrganizationFiling
    from tests.services.test_filing import YEARS, _ready_filing

    user, filing = _ready_filing()
    filing_svc.attach_year_proof(user, filing.id, 2016, io.BytesIO(f.PNG_1PX), "2016年审计报告.png")
    filing_svc.attach_year_proof(user, filing.id, 2017, io.BytesIO(f.PDF_MIN), "2017年审计报告.pdf")
    filing_svc.file(user, filing.id)
    filing = db.session.get(OrganizationFiling, filing.id)
    files = _attachments_of("organization_filing", filing.id)
    assert len(files) == 3 and filing.licence_attachment_id in files
    association = f.gen_user(R.ASSOCIATION_REVIEWER)

    html = _page(_signed_in(app, association.username), f"/review/filings/show/{filing.id}")
    table = html[html.index('id="economic-years"'):]
    table = table[:table.index("</table>")]
    for label in ("年度", "资产总额（万元）", "营业收入（万元）", "其他业务收入（万元）", "利润总额（万元）",
                  "缴税总额（万元）", "从业人员（人）", "经济效益证实性材料"):
        assert label in table, label
    rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]
    assert len(rows) == 3
    for year, row in zip((2016, 2017, 2018), rows):
        cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)]
        # Amounts as typed (12000.5, not 12000.5000), the loss negative, the head count whole.
        assert cells[:7] == [str(year), *(YEARS[n] for n in filing_svc.YEAR_FIELDS)], cells
        assert cells[7] == {2016: "2016年审计报告.png", 2017: "2017年审计报告.pdf", 2018: ""}[year]
    for value in ("杭州质量标杆示范有限公司", "其他有限责任公司", "浙江省", "杭州市", "39 计算机、通信和其他电子设备制造业",
                  "王质量", "0571-88886666", "licence.pdf"):
        assert value in html, value
    assert set(_attachment_links(html)) == set(files)

    outsiders = (f.gen_user(R.RECOMMENDER).username, f.gen_user(R.AGENCY_REVIEWER, agency_region="330100").username,
                 f.gen_applicant().mobile)
    for attachment_id in files:
        assert _downloads(app, association.username, attachment_id) == 200
        for login in outsiders:
            assert _downloads(app, login, attachment_id) == 404, login


IP_ROW = {"category": "发明专利", "name": "一种质量检测方法", "country": "中国", "grant_date": "2021-05-01",
          "certificate_number": "第4455667号", "right_holder": "杭州质量标杆示范有限公司", "inventor": "王质量",
          "validity_years": "20", "application_number": "CN202010000001.X", "grant_number": "ZL202010000001.X"}
HONOUR_ROW = {"award": "浙江省质量奖", "level": "省级", "awarding_body": "浙江省人民政府", "date": "2022-01-15",
              "note": "质量管理成效显著"}


def _declaration_sent_to_recommender():
    """A declaration with IP and honours rows with proofs, other evidence and a summary, sent to its
    recommending unit; the project edited after the submission."""
    from app.extensions import db
    from app.services import declaration as svc
    from models import Declaration
    from tests.services.test_declaration import build_world
    from tests.web.test_declaration_web import svc_submit_and_choose

    w = build_world()
    project, errors = svc.save_project(
        w["user"], w["project"].id, {"name": "全面质量管理数字化实践", "keywords": "数字化，质量管理，追溯",
                                     "summary": "以数据驱动质量改进。\n第二段说明。"},
        ip=[dict(IP_ROW)], honours=[dict(HONOUR_ROW)],
        proofs={("ip", 0): (io.BytesIO(f.PNG_1PX), "专利证书.png"), ("honours", 0): (io.BytesIO(f.PDF_MIN), "获奖证书.pdf")},
        other_evidence=(io.BytesIO(f.PDF_MIN), "第三方检测报告.pdf"))
    assert not errors, errors
    declaration = svc_submit_and_choose(w, "质量标杆总结材料.docx")  # w["project"] is the project saved above
    # Edited after the submission: the reviewers still read what was submitted.
    svc.save_project(w["user"], project.id, {"name": "改过的项目名", "keywords": "改过", "summary": "改过的简介"},
                     ip=[{**IP_ROW, "name": "改过的专利"}], honours=[])
    return w, db.session.get(Declaration, declaration.id)


def test_declaration_review_shows_the_whole_submitted_declaration(app):
    from app.services import declaration as svc
    from tests.services.test_declaration import CONTACT

    w, declaration = _declaration_sent_to_recommender()
    files = {a.id: a.original_name for a in _files(declaration)}
    assert sorted(files.values()) == ["专利证书.png", "第三方检测报告.pdf", "获奖证书.pdf", "质量标杆总结材料.docx"]

    recommender = _signed_in(app, w["recommender"].username)
    html = _page(recommender, f"/review/declarations/show/{declaration.id}")
    expected = [
        # the organization, as filed (labels, not codes)
        "杭州质量标杆示范有限公司", "其他有限责任公司", "浙江省 杭州市", "杭州市西湖区文三路 1 号",
        "39 计算机、通信和其他电子设备制造业", "王质量", "0571-88886666", "中型",
        # the project as submitted
        "全面质量管理数字化实践", "数字化、质量管理、追溯", "以数据驱动质量改进。", "第二段说明。",
        *IP_ROW.values(), *HONOUR_ROW.values(),
        # the contact block, every field
        *(v for v in CONTACT.values() if v),
        *files.values(),
    ]
    for value in expected:
        assert value in html, value
    for edited in ("改过的项目名", "改过的专利", "改过的简介"):
        assert edited not in html, edited
    # Three years with the other revenue and the tax (万元, as typed).
    table = html[html.index('id="declaration-economic-years"'):]
    table = table[:table.index("</table>")]
    for label in ("其他业务收入（万元）", "缴税总额（万元）", "从业人员（人）"):
        assert label in table, label
    for value in ("12000.5", "150.25", "-35.5", "320", "860"):
        assert f">{value}<" in table, value
    assert set(_attachment_links(html)) == set(files)
    assert re.search(r'<a href="/attachments/\d+"[^>]*>\s*<img ', html)  # the patent certificate, a picture

    outsiders = (w["other_recommender"].username, w["association"].username,  # not recommended yet
                 f.gen_user(R.AGENCY_REVIEWER, agency_region="330100").username, f.gen_applicant().mobile)
    for attachment_id in files:
        assert _downloads(app, w["recommender"].username, attachment_id) == 200
        for login in outsiders:
            assert _downloads(app, login, attachment_id) == 404, (login, files[attachment_id])
    assert recommender.get(f"/review/declarations/show/{declaration.id}").status_code == 200

    # Once recommended, the association reads the same declaration and opens the same files.
    svc.review(w["recommender"], declaration.id, "recommend", "同意推荐")
    association_page = _page(_signed_in(app, w["association"].username), f"/review/declarations/show/{declaration.id}")
    for value in ("全面质量管理数字化实践", IP_ROW["certificate_number"], HONOUR_ROW["awarding_body"], CONTACT["email"],
                  "同意推荐"):
        assert value in association_page, value
    for attachment_id in files:
        assert _downloads(app, w["association"].username, attachment_id) == 200


def _files(declaration):
    from app.extensions import db
    from models import Attachment
    from sqlalchemy import or_, select

    return list(db.session.execute(select(Attachment).where(or_(
        (Attachment.record_type == "declaration") & (Attachment.record_id == declaration.id),
        (Attachment.record_type == "benchmark_project") & (Attachment.record_id == declaration.project_id),
    ))).scalars())


def _section(html: str, marker: str) -> str:
    part = html[html.index(marker):]
    return part[:part.index("</table>")]


def _cells(table_html: str) -> list[list[str]]:
    return [[re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table_html, re.S)]


def test_core_change_review_shows_fields_shareholders_and_venture_capital_before_and_after(app):
    from app.services import enterprise as svc

    applicant = f.gen_applicant()
    enterprise = f.gen_enterprise(applicant, status="approved", venture_capital="yes",
                                  venture_investments=[{"investor": "某创投基金", "amount": "500", "date": "2024-06-01"}])
    change = svc.open_core_change(applicant)
    svc.save_core_change(applicant, change.id, {"legal_rep_name": "王小明", "city_code": "330700", "county_code": "330702"})
    svc.submit_core_change(applicant, change.id)
    # Details apply at once after approval: edited while the change waits, the reviewer sees both.
    _, errors = svc.save_draft(applicant, {"shareholders": [
        {"name": "韩梅梅", "kind": "natural", "amount": "100.5", "ratio": "55"},
        {"name": "某投资公司", "kind": "legal", "amount": "67", "ratio": "40"},
        {"name": "第三股东", "kind": "state", "amount": "8.25", "ratio": "5"}]})
    assert not errors, errors
    reviewer = f.gen_user(R.AGENCY_REVIEWER, agency_region="330100")

    html = _page(_signed_in(app, reviewer.username), f"/review/core-changes/show/{change.id}")
    fields = {row[0]: row[1:] for row in _cells(_section(html, 'id="core-change-fields"'))[1:]}
    # A changed field is marked 已变更 after its new value.
    assert fields["法定代表人姓名"] == ["李雷", "王小明 已变更"]
    assert fields["企业注册地"] == ["浙江省 / 杭州市 / 西湖区", "浙江省 / 金华市 / 婺城区 已变更"]
    assert fields["证件类型"] == ["身份证", "身份证"] and fields["企业名称"] == [enterprise.name] * 2
    before = _cells(_section(html, 'id="shareholders-before"'))
    after = _cells(_section(html, 'id="shareholders-after"'))
    assert before == [["股东名称", "类型", "金额（万元）", "占比（百分比）"],
                      ["韩梅梅", "自然人", "100.5", "60%"], ["某投资公司", "企业法人", "67", "40%"]]
    assert after[1:] == [["韩梅梅", "自然人", "100.5", "55%"], ["某投资公司", "企业法人", "67", "40%"],
                         ["第三股东", "国有", "8.25", "5%"]]
    for side in ("before", "after"):
        assert _cells(_section(html, f'id="venture-{side}"'))[1:] == [["某创投基金", "500", "2024-06-01"]]
    assert "{'" not in html and "natural" not in html and "legal_rep_name" not in html

    # The business licence on file, one click away, for this agency only.
    assert _attachment_links(html) == [enterprise.licence_attachment_id]
    assert _downloads(app, reviewer.username, enterprise.licence_attachment_id) == 200
    other_agency = f.gen_user(R.AGENCY_REVIEWER, agency_region="330700")
    assert _downloads(app, other_agency.username, enterprise.licence_attachment_id) == 404
    assert _signed_in(app, other_agency.username).get(f"/review/core-changes/show/{change.id}").status_code == 404


def test_registration_review_shows_shareholders_venture_capital_and_reference_names(app):
    from app.extensions import db
    from models import EconomicType, ForeignCapitalSource

    db.session.add_all([EconomicType(code="159", name="其他有限责任公司"), ForeignCapitalSource(code="344", name="香港")])
    db.session.commit()
    enterprise = f.gen_enterprise(status="submitted", economic_type_code="159", foreign_capital_source_code="344",
                                  venture_capital="yes",
                                  venture_investments=[{"investor": "某创投基金", "amount": "500.25", "date": "2024-06-01"}])
    reviewer = f.gen_user(R.AGENCY_REVIEWER, agency_region="330100")

    html = _page(_signed_in(app, reviewer.username), f"/review/enterprises/show/{enterprise.id}")
    assert "其他有限责任公司" in html and "香港" in html and ">159<" not in html and ">344<" not in html
    assert _cells(_section(html, 'id="shareholders-submitted"'))[1:] == [
        ["韩梅梅", "自然人", "100.5", "60%"], ["某投资公司", "企业法人", "67", "40%"]]
    assert _cells(_section(html, 'id="venture-submitted"'))[1:] == [["某创投基金", "500.25", "2024-06-01"]]
    assert _attachment_links(html) == [enterprise.licence_attachment_id]
    assert "licence.pdf" in html
    assert _downloads(app, reviewer.username, enterprise.licence_attachment_id) == 200
    assert _downloads(app, f.gen_user(R.AGENCY_REVIEWER, agency_region="330700").username,
                      enterprise.licence_attachment_id) == 404


def test_row_headers_follow_the_reader_s_language(app):
    """The tables' labels are translated on every page, not once for the first reader."""
    w, declaration = _declaration_sent_to_recommender()
    recommender = _signed_in(app, w["recommender"].username)
    chinese = _page(recommender, f"/review/declarations/show/{declaration.id}")
    assert "证书编号" in chinese and "奖项名称" in chinese
    recommender.get("/lang/en")
    english = _page(recommender, f"/review/declarations/show/{declaration.id}")
    assert "Certificate number" in english and "Awarding body" in english
    assert "证书编号" not in english and "奖项名称" not in english
    # The activity once, not its year twice (2019 2019 质量标杆活动).
    assert "2019 质量标杆活动" in english and "2019 2019" not in english


def test_sme_review_shows_the_tables_with_labels_and_proofs_above_the_decision(app):
    from app.services import sme as sme_svc

    applicant = f.gen_applicant()
    evaluation = f.gen_sme(applicant, status="draft")
    row = {**f.sme_tables()["ip"][0]}
    sme_svc.save_table(applicant, evaluation.id, "ip", None, [row], proofs={0: (io.BytesIO(f.PNG_1PX), "专利证书.png")})
    sme_svc.submit(applicant, evaluation.id)
    reviewer = f.gen_user(R.AGENCY_REVIEWER, agency_region="330100")

    html = _page(_signed_in(app, reviewer.username), f"/review/sme/show/{evaluation.id}")
    assert "制造业 / 计算机、通信和其他电子设备制造业" in html
    ip = _cells(_section(html, 'id="sme-ip"'))
    assert ip[0] == ["知识产权名称", "种类", "授权日期", "授权号", "获取方式", "证明文件"]
    assert ip[1] == ["一种传感器", "发明专利", "2025-03-01", "ZL2025000001", "自主研发", "专利证书.png"]
    assert html.index('id="sme-ip"') < html.index('id="decision-form"')  # read before deciding
    files = _attachments_of("sme_evaluation", evaluation.id)
    assert len(files) == 2 and set(_attachment_links(html)) == set(files)  # the proof and the stamped cover
    other_agency = f.gen_user(R.AGENCY_REVIEWER, agency_region="330700")
    for attachment_id in files:
        assert _downloads(app, reviewer.username, attachment_id) == 200
        assert _downloads(app, other_agency.username, attachment_id) == 404
