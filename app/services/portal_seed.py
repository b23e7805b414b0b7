"""Demo portal content for ``flask demo`` (make run): notices, the regulation, FAQ, contact data,
and downloadable templates made here with the platform's own PDF and xlsx machinery (a .docx is
written as a minimal WordprocessingML package). Idempotent: nothing is added twice.
"""
from __future__ import annotations

import datetime as dt
import io
import zipfile
from xml.sax.saxutils import escape

from sqlalchemy import select

from app.extensions import db
from app.refdata import portal_content as content
from app.timeutil import today_in_china
from models import Agency, PortalArticle, RecommendingUnit

# Contact data of the demo's agencies and recommending units (fictional: demo domain and numbers).
AREA_CODES = {"11": "010", "31": "021", "33": "0571", "3307": "0579", "44": "020"}
UNIT_CONTACTS = ("010-68000001", "tuijian@demo.shenbao.local", "北京市西城区示范街 8 号")


def seed_demo_portal() -> list[str]:
    lines = _contacts()
    if db.session.execute(select(PortalArticle.id).limit(1)).first() is not None:
        return lines + ["portal: content present, left as it is"]
    today = today_in_china()
    year = today.year

    def add(kind, program, title_zh, title_en, body_zh, body_en, *, pinned=False, days_ago=0, **extra):
        article = PortalArticle(kind=kind, program=program, status="published", pinned=pinned,
                                title_zh=title_zh.format(year=year), title_en=title_en.format(year=year),
                                body_zh=body_zh.replace("{year}", str(year)), body_en=body_en.replace("{year}", str(year)),
                                publish_on=today - dt.timedelta(days=days_ago), **extra)
        db.session.add(article)
        db.session.flush()
        return article

    for i, n in enumerate(content.NOTICES):
        add("notice", n["program"], n["title_zh"], n["title_en"], n["body_zh"], n["body_en"], pinned=n["pinned"],
            days_ago=3 + 4 * i)
    r = content.REGULATION
    add("regulation", r["program"], r["title_zh"], r["title_en"], r["body_zh"], r["body_en"], pinned=True,
        doc_number=r["doc_number"], issuer_zh=r["issuer_zh"], issuer_en=r["issuer_en"],
        days_ago=(today - dt.date(2017, 5, 3)).days)
    files = 0
    for program, title_zh, title_en, body_zh, body_en, filename, maker in content.DOWNLOADS:
        article = add("download", program, title_zh, title_en, body_zh, body_en, days_ago=10)
        _attach(article, filename, MAKERS[maker]())
        files += 1
    faq = 0
    for program, entries in content.FAQ.items():
        for i, (q_zh, a_zh, q_en, a_en) in enumerate(entries):
            add("faq", program, q_zh, q_en, f"<p>{escape(a_zh)}</p>", f"<p>{escape(a_en)}</p>", days_ago=30 + i)
            faq += 1
    db.session.commit()
    return lines + [f"portal: {len(content.NOTICES)} notices, 1 regulation, {files} downloads, {faq} FAQ entries"]


def _contacts() -> list[str]:
    count = 0
    for agency in db.session.execute(select(Agency)).scalars():
        if not agency.phone:
            code = agency.region_code
            area = AREA_CODES.get(code[:4]) or AREA_CODES.get(code[:2]) or "0" + code[:3]
            agency.phone = f"{area}-8{agency.id:07d}"
            agency.email = f"kjfw{agency.id}@demo.shenbao.local"
            agency.address = f"{agency.region.name if agency.region else ''}政务服务中心科技窗口"
            count += 1
    for unit in db.session.execute(select(RecommendingUnit)).scalars():
        if not unit.phone:
            unit.phone, unit.email, unit.address = UNIT_CONTACTS
            count += 1
    db.session.flush()
    return [f"portal: contact data for {count} agencies and recommending units"] if count else []


def _attach(article: PortalArticle, filename: str, data: bytes) -> None:
    from app.services.portal import PURPOSE, RECORD_TYPE
    from app.storage import save_upload

    save_upload(io.BytesIO(data), filename, PURPOSE, enterprise_id=None, record_type=RECORD_TYPE,
                record_id=article.id, uploaded_by_id=None)


# --- the template files ----------------------------------------------------------------------------

def sme_commitment_pdf() -> bytes:
    from app.documents import render_pdf

    return render_pdf("documents/portal_sme_commitment.html", {})


def eseal_form_pdf() -> bytes:
    from app.documents import render_pdf
    from app.services.eseal import seal_application as seal
    from flask import current_app

    return render_pdf("documents/seal_application_form.html", {
        "application": None, "bank": seal.bank_details(current_app.config),
        "papers": [str(label) for _code, label, _required in seal.PAPER_ITEMS], "mail_address": seal.mail_address(),
        "printed_on": ""})


def docx(title: str, paragraphs: list[str]) -> bytes:
    """A minimal Word document: a title and paragraphs (blank lines for filling in)."""
    body = [f'<w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:rPr><w:b/><w:sz w:val="36"/></w:rPr>'
            f'<w:t>{escape(title)}</w:t></w:r></w:p>']
    body += [f'<w:p><w:r><w:rPr><w:sz w:val="24"/></w:rPr><w:t xml:space="preserve">{escape(p)}</w:t></w:r></w:p>'
             for p in paragraphs]
    document = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
                + "".join(body) + '<w:sectPr><w:pgSz w:w="11906" w:h="16838"/></w:sectPr></w:body></w:document>')
    types = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
             '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
             '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
             '<Default Extension="xml" ContentType="application/xml"/>'
             '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
             'wordprocessingml.document.main+xml"/></Types>')
    rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'officeDocument" Target="word/document.xml"/></Relationships>')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", types)
        archive.writestr("_rels/.rels", rels)
        archive.writestr("word/document.xml", document)
    return out.getvalue()


def benchmark_summary_docx() -> bytes:
    return docx("全国质量标杆总结材料编写说明", [
        "一、总结材料由申报组织按本说明编写，正文不超过 10000 字，以 Word 或 PDF 格式在申报时上传。",
        "二、结构：（一）组织概况；（二）质量标杆经验的背景与问题；（三）主要做法（方法、工具、实施过程）；"
        "（四）取得的成效（以数据说明质量、效率、效益的改善）；（五）经验的推广价值。",
        "三、数据须真实可查，引用的证实性材料应与备案和项目信息一致。",
        "", "申报组织（盖章）：____________________", "项目名称：____________________",
        "联系人：__________  联系电话：__________"])


def eseal_authorisation_docx() -> bytes:
    return docx("授权书", [
        "北京中认环宇信息安全技术有限公司：",
        "兹授权 ________（身份证号：____________________）代表我单位办理企业电子签名/签章服务（USB-Key）的申请、"
        "资料提交与领取等事宜。代理人在上述授权范围内所办理的相关事务，我单位均予以承认并承担相应的法律责任。",
        "授权期限：自 ____ 年 __ 月 __ 日至 ____ 年 __ 月 __ 日。", "",
        "授权单位（公章）：____________________", "法定代表人（签字）：__________",
        "日期：____ 年 __ 月 __ 日", "", "附：代理人身份证复印件（加盖授权单位公章）"])


def sme_selfcheck_xlsx() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "指标自测"
    sheet.append(["指标", "计算口径", "填写数值", "得分规则（满分）"])
    sheet.append(["指标9 科技人员", "科技人员数 / 职工总数（%）", None, "30%以上 20分；25%—30% 16分；20%—25% 12分；15%—20% 8分；10%—15% 4分；10%以下 0分（20）"])
    sheet.append(["指标10（1）研发投入", "研发费用总额 / 销售收入总额（%）", None, "6%以上 50分；5%—6% 40分；4%—5% 30分；3%—4% 20分；2%—3% 10分；2%以下 0分（50，两项取高）"])
    sheet.append(["指标10（2）研发投入", "研发费用总额 / 成本费用支出总额（%）", None, "30%以上 50分；25%—30% 40分；20%—25% 30分；15%—20% 20分；10%—15% 10分；10%以下 0分（50，两项取高）"])
    sheet.append(["指标11 科技成果", "Ⅰ类 / Ⅱ类知识产权数量", None, "1项及以上Ⅰ类 30分；Ⅱ类 4项及以上 24分、3项 18分、2项 12分、1项 6分；无 0分（30）"])
    sheet.append(["合计", "总分不低于60分且指标9不为0分", None, "100"])
    for column, width in zip("ABCD", (22, 36, 12, 70)):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


MAKERS = {"sme_commitment": sme_commitment_pdf, "benchmark_summary": benchmark_summary_docx,
          "eseal_form": eseal_form_pdf, "eseal_authorisation": eseal_authorisation_docx,
          "sme_selfcheck": sme_selfcheck_xlsx}
