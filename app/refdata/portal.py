"""The programs' service desks (客服), as the source manuals give them: the e-seal guide (001:
客服电话, 汇款账户, 邮寄地址, 外币汇款须知) and the benchmark manual (004: where the printed
declaration is posted). The Tech-SME manual (003) names the Torch Centre as the organiser but no
helpdesk number: its applicants are served by their evaluation agencies (see /portal/contacts).
Rows are inserted where missing and never overwritten: the admin edits them (Portal content).
"""
from __future__ import annotations

from sqlalchemy import select

from app.extensions import db

SERVICE_DESKS = (
    {
        "program": "eseal",
        "name_zh": "CQCCA 电子签章客服（北京中认环宇信息安全技术有限公司）",
        "name_en": "E-seal service desk (Beijing CQC Certificate Authority, CQCCA)",
        "phone": "010-83886166",
        "email": "caservice@cqc.com.cn",
        "hours_zh": "工作日 9:00—17:00",
        "hours_en": "Working days 9:00–17:00, Beijing time",
        "mail_address_zh": "北京中认环宇信息安全技术有限公司，北京南四环西路188号9区8号楼4层，邮编100070",
        "mail_address_en": "Beijing CQC Certificate Authority, 4th floor, Building 8, Zone 9, No. 188 South 4th Ring "
                           "Road West, Beijing 100070",
        "bank_account_name": "北京中认环宇信息安全技术有限公司",
        "bank_name": "北京银行总部基地支行",
        "bank_account": "0109 0849 3001 2010 5159 790",
        "note_zh": "请以企业名称汇款，不要以现金形式直接存入银行帐户；汇款的确认以银行到帐的回单为准。外币汇款须知：我公司没有设立外币帐户。"
                   "如果贵公司在境外进行汇款，请将您的外币在当地银行兑换成人民币，再汇入我公司帐户。",
        "note_en": "Remit in the company's name, never as a cash deposit; a remittance counts when the bank's receipt "
                   "arrives. Foreign currency: there is no foreign-currency account. If you remit from abroad, "
                   "convert the amount to RMB at your local bank first, then remit it to the account above.",
    },
    {
        "program": "benchmark",
        "name_zh": "中国质量协会（质量标杆申报）",
        "name_en": "China Association for Quality (quality benchmark declarations)",
        "phone": "18519195397",
        "email": None,
        "hours_zh": "工作日 9:00—17:00",
        "hours_en": "Working days 9:00–17:00, Beijing time",
        "mail_address_zh": "北京市海淀区百胜村路6号中国质量大厦",
        "mail_address_en": "China Quality Building, No. 6 Baishengcun Road, Haidian District, Beijing",
        "mail_recipient": "李铭 18519195397",
        "note_zh": "请将一份加盖申报单位公章、并由推荐单位盖章的申报材料（含推荐表）快递至上述地址。",
        "note_en": "Send one printed copy of the declaration, with the recommendation form stamped by your "
                   "organisation and by the recommending unit, by courier to the address above.",
    },
    {
        "program": "sme",
        "name_zh": "科技部火炬高技术产业开发中心（科技型中小企业评价）",
        "name_en": "Torch High Technology Industry Development Center, Ministry of Science and Technology",
        "hours_zh": "工作日 9:00—17:00",
        "hours_en": "Working days 9:00–17:00, Beijing time",
        "note_zh": "企业注册登记、评价材料的审核与退回，请先咨询企业所在地的评价工作机构（见本页“评价工作机构”）。",
        "note_en": "For the enterprise registration and the review or return of evaluation materials, first ask "
                   "the evaluation agency of your enterprise's region (see Evaluation agencies on this page).",
    },
)


def load_service_desks() -> int:
    from models import ServiceDesk

    have = set(db.session.execute(select(ServiceDesk.program)).scalars())
    for row in SERVICE_DESKS:
        if row["program"] not in have:
            db.session.add(ServiceDesk(**row))
    db.session.flush()
    return len(SERVICE_DESKS)
