"""Default Simplified Chinese notification texts (data, not UI msgids: the admin edits them
as notification templates). Each code gives (SMS sentence, title, body, label of the reason);
app/notify/templates.py wraps them into the five texts with the common parts."""
from __future__ import annotations

SMS_PREFIX = SUBJECT_PREFIX = "【申报平台】"
# The record named with its title when there is one: 科技型中小企业评价（2026年度 2026000000012）
RK = "{{ record_kind }}{% if record_title %}（{{ record_title }}）{% endif %}"
CHECK = "审核意见"
RETURN = "退回理由"
WHY = "理由"

TEXTS: dict[str, tuple[str, str, str, str]] = {
    "registration_approved": (
        "贵单位的企业注册登记已通过{{ department }}审核，可登录平台办理各项业务。",
        "企业注册登记已通过审核",
        "贵单位提交的企业注册登记信息已通过{{ department }}审核，企业账号已正式启用，"
        "可办理科技型中小企业评价、全国质量标杆申报、电子签章等业务。", CHECK),
    "registration_returned": (
        "贵单位的企业注册登记被{{ department }}退回，请登录平台修改后重新提交。",
        "企业注册登记被退回",
        "贵单位提交的企业注册登记信息被{{ department }}退回。请登录平台，按退回理由修改后重新提交。", RETURN),
    "core_change_approved": (
        "贵单位的企业核心信息变更已通过{{ department }}审核，变更后的信息已生效。",
        "企业核心信息变更已通过审核",
        "贵单位申请的" + RK + "已通过{{ department }}审核，变更后的企业信息自即日起生效。", CHECK),
    "core_change_returned": (
        "贵单位的企业核心信息变更被{{ department }}退回，请登录平台查看。",
        "企业核心信息变更被退回",
        "贵单位申请的" + RK + "被{{ department }}退回，原企业信息继续有效。如需变更，请修改后重新提交。", RETURN),
    "email_change_approved": (
        "贵单位的联系邮箱变更申请已通过{{ department }}审核，新邮箱已生效。",
        "联系邮箱变更已通过审核",
        "贵单位提交的" + RK + "已通过{{ department }}审核，今后的邮件通知将发送至新的联系邮箱。", CHECK),
    "email_change_returned": (
        "贵单位的联系邮箱变更申请未通过{{ department }}审核，请登录平台查看。",
        "联系邮箱变更未通过审核",
        "贵单位提交的" + RK + "未通过{{ department }}审核，原联系邮箱继续有效。", WHY),
    "sme_confirmed": (
        "贵单位的科技型中小企业评价材料已由{{ department }}审核确认。",
        "评价材料已由评价工作机构确认",
        "贵单位提交的" + RK + "已由{{ department }}审核确认，当前状态：{{ status }}。"
        "材料将报送省评价工作机构审核，请留意后续通知。", CHECK),
    "sme_forwarded": (
        "贵单位的科技型中小企业评价材料已由{{ department }}报送省评价工作机构审核。",
        "评价材料已报送省评价工作机构",
        "贵单位的" + RK + "已由{{ department }}报送省评价工作机构审核，当前状态：{{ status }}。", CHECK),
    "sme_returned": (
        "贵单位的科技型中小企业评价材料被{{ department }}退回，请登录平台修改后重新提交。",
        "评价材料被退回",
        "贵单位提交的" + RK + "被{{ department }}退回。请登录平台，按退回理由修改后重新提交。", RETURN),
    "sme_returned_by_province": (
        "贵单位的科技型中小企业评价材料被省评价工作机构退回评价工作机构复核，请留意后续通知。",
        "评价材料被省评价工作机构退回复核",
        "贵单位的" + RK + "被{{ department }}退回评价工作机构复核，当前状态：{{ status }}。"
        "暂不需要贵单位操作，如需补正材料，评价工作机构将另行通知。", RETURN),
    "sme_recommended": (
        "贵单位的科技型中小企业评价已通过省评价工作机构审核，拟推荐公示。",
        "评价已通过省评价工作机构审核",
        "贵单位的" + RK + "已通过{{ department }}审核，当前状态：{{ status }}。公示安排请留意后续通知。", CHECK),
    "sme_rejected": (
        "贵单位的科技型中小企业评价未通过，本年度不能再次提交。",
        "评价未通过",
        "贵单位的" + RK + "经{{ department }}审核未通过，本年度不能再次提交评价材料。", WHY),
    "sme_spot_check": (
        "贵单位的科技型中小企业评价被抽中接受抽查，请保持联系方式畅通并配合核查。",
        "评价材料被抽中接受抽查",
        "贵单位的" + RK + "被{{ department }}抽中接受抽查。请保持联系方式畅通，按要求提供相关佐证材料，配合核查工作。", CHECK),
    "sme_spot_check_passed": (
        "贵单位的科技型中小企业评价已通过抽查。",
        "评价已通过抽查",
        "贵单位的" + RK + "已通过{{ department }}组织的抽查，当前状态：{{ status }}。", CHECK),
    "sme_publicity_started": (
        "贵单位的科技型中小企业评价正在公示，公示期{{ publicity_starts }}至{{ publicity_ends }}。",
        "评价结果开始公示",
        "贵单位的" + RK + "已进入公示，公示期为{{ publicity_starts }}至{{ publicity_ends }}。"
        "公示期内如有异议，评价工作机构将通知贵单位。", CHECK),
    "sme_publicity_ended": (
        "贵单位的科技型中小企业评价公示期已结束。",
        "评价结果公示结束",
        "贵单位的" + RK + "公示期已结束，当前状态：{{ status }}。", CHECK),
    "sme_objection_raised": (
        "贵单位的科技型中小企业评价在公示期间收到异议，请配合评价工作机构核查。",
        "公示期间收到异议",
        "贵单位的" + RK + "在公示期间收到异议，{{ department }}将进行核查。请保持联系方式畅通，配合说明有关情况。", "异议内容"),
    "sme_objection_resolved": (
        "贵单位的科技型中小企业评价公示异议已处理完毕，当前状态：{{ status }}。",
        "公示异议已处理完毕",
        "贵单位的" + RK + "公示期间收到的异议已由{{ department }}处理完毕，当前状态：{{ status }}。", "处理意见"),
    "sme_stored": (
        "贵单位已通过科技型中小企业评价并入库。",
        "评价信息已入库",
        "贵单位的" + RK + "已入库，贵单位已列入科技型中小企业名单。入库登记编号生成后将另行通知。", CHECK),
    "sme_numbered": (
        "贵单位的科技型中小企业入库登记编号为{{ certificate_number }}。",
        "已生成入库登记编号",
        "贵单位的" + RK + "已生成入库登记编号：{{ certificate_number }}。可登录平台查看。", CHECK),
    "filing_approved": (
        "贵单位的质量标杆组织备案已通过{{ department }}审核。",
        "组织备案已通过审核",
        "贵单位提交的" + RK + "已通过{{ department }}审核，可参加全国质量标杆遴选活动的项目申报。", CHECK),
    "filing_returned": (
        "贵单位的质量标杆组织备案被{{ department }}退回，请修改后重新提交。",
        "组织备案被退回",
        "贵单位提交的" + RK + "被{{ department }}退回。请登录平台，按退回理由修改后重新提交。", RETURN),
    "declaration_recommended": (
        "贵单位的全国质量标杆申报已获{{ department }}推荐，进入资格审查。",
        "申报已获推荐",
        "贵单位的" + RK + "已获{{ department }}推荐，将由中国质量协会进行资格审查。", "推荐意见"),
    "declaration_returned": (
        "贵单位的全国质量标杆申报被{{ department }}退回，请修改后重新提交。",
        "申报被退回",
        "贵单位的" + RK + "被{{ department }}退回。请登录平台，按退回理由修改后重新提交。", RETURN),
    "declaration_qualified": (
        "贵单位的全国质量标杆申报已通过资格审查，可登录平台打印申报书。",
        "申报已通过资格审查",
        "贵单位的" + RK + "已通过{{ department }}资格审查，现可登录平台打印申报书。", CHECK),
    "declaration_rejected": (
        "贵单位的全国质量标杆申报未通过资格审查。",
        "申报未通过资格审查",
        "贵单位的" + RK + "未通过{{ department }}资格审查。", WHY),
    "declaration_selected": (
        "祝贺！贵单位的申报项目经评审入选全国质量标杆。",
        "申报项目入选全国质量标杆",
        "祝贺！贵单位的" + RK + "经评审入选全国质量标杆。", "评审意见"),
    "declaration_not_selected": (
        "贵单位的申报项目经评审未入选本年度全国质量标杆。",
        "申报项目未入选全国质量标杆",
        "贵单位的" + RK + "经评审未入选本年度全国质量标杆，感谢贵单位的参与。", "评审意见"),
    "seal_papers_received": (
        "贵单位的电子签章服务申请纸质材料已收到并审核通过，请按要求缴纳服务费。",
        "纸质材料已收到",
        "贵单位的" + RK + "纸质材料已由{{ department }}收到并审核通过。请按缴费说明汇款，并在平台登记汇款信息。", CHECK),
    "seal_papers_returned": (
        "贵单位的电子签章服务申请纸质材料未通过审核，请补正后重新寄送。",
        "纸质材料未通过审核",
        "贵单位的" + RK + "纸质材料未通过{{ department }}审核。请按退回理由补正后重新寄送。", RETURN),
    "seal_payment_confirmed": (
        "贵单位的电子签章服务费用已确认到账，USB-Key将尽快制作。",
        "服务费用已确认到账",
        "贵单位的" + RK + "服务费用已由{{ department }}确认到账，USB-Key将尽快制作并寄出。", CHECK),
    "seal_payment_rejected": (
        "未查询到贵单位的电子签章服务汇款，请核对后重新登记汇款信息。",
        "未查询到汇款",
        "{{ department }}未查询到贵单位" + RK + "的汇款。请核对汇款信息后在平台重新登记。", WHY),
    "seal_key_produced": (
        "贵单位的USB-Key已制作完成，将尽快寄出。",
        "USB-Key已制作完成",
        "贵单位的" + RK + "USB-Key{% if key_label %}（{{ key_label }}）{% endif %}已制作完成，将尽快通过EMS寄出。", CHECK),
    "seal_key_shipped": (
        "贵单位的USB-Key已通过EMS寄出，运单号{{ ems_tracking }}。",
        "USB-Key已寄出",
        "贵单位的" + RK + "USB-Key已通过EMS寄出，运单号：{{ ems_tracking }}。收到后请登录平台确认。", CHECK),
    "seal_renewed": (
        "贵单位的电子签章服务已续费，有效期至{{ paid_until }}。",
        "电子签章服务已续费",
        "贵单位的USB-Key{% if key_label %}（{{ key_label }}）{% endif %}服务已续费，有效期至{{ paid_until }}。", CHECK),
    "seal_fee_due": (
        "贵单位的USB-Key{% if key_label %}（{{ key_label }}）{% endif %}服务年费将于{{ paid_until }}到期，请及时续费。",
        "USB-Key服务年费即将到期",
        "贵单位的USB-Key{% if key_label %}（{{ key_label }}）{% endif %}服务年费将于{{ paid_until }}到期"
        "{% if days %}（剩余{{ days }}天）{% endif %}，请及时办理续费，以免影响使用。", "备注"),
    "seal_key_overdue": (
        "贵单位的USB-Key{% if key_label %}（{{ key_label }}）{% endif %}服务年费已于{{ paid_until }}到期，请尽快续费。",
        "USB-Key服务年费已逾期",
        "贵单位的USB-Key{% if key_label %}（{{ key_label }}）{% endif %}服务年费已于{{ paid_until }}到期"
        "{% if days %}（已逾期{{ days }}天）{% endif %}。请尽快办理续费，逾期未续费的USB-Key将暂停使用。", "备注"),
    "seal_key_suspended": (
        "贵单位的USB-Key因服务年费逾期已暂停使用，续费后即可恢复。",
        "USB-Key已暂停使用",
        "贵单位的USB-Key{% if key_label %}（{{ key_label }}）{% endif %}已暂停使用，续费后即可恢复。", WHY),
    "seal_key_reinstated": (
        "贵单位的USB-Key已恢复使用。",
        "USB-Key已恢复使用",
        "贵单位的USB-Key{% if key_label %}（{{ key_label }}）{% endif %}已恢复使用"
        "{% if paid_until %}，服务有效期至{{ paid_until }}{% endif %}。", CHECK),
    "seal_key_revoked": (
        "贵单位的USB-Key证书已吊销，不能再用于签章。",
        "USB-Key证书已吊销",
        "贵单位的USB-Key{% if key_label %}（{{ key_label }}）{% endif %}证书已由{{ department }}吊销，"
        "不能再用于电子签章。如有疑问，请联系CA客服。", WHY),
    "document_revoked": (
        "贵单位的电子证明{{ certificate_number }}已被撤销，不再有效。",
        "电子证明已撤销",
        "贵单位持有的电子证明（编号：{{ certificate_number }}）已由{{ department }}撤销，不再有效，"
        "在线验证将显示为已撤销。", WHY),
    "reviewer_digest": (
        "您有待处理事项：{% for w in waiting %}{{ w.kind }}{{ w.count }}件{% if not loop.last %}，{% endif %}"
        "{% endfor %}，请及时登录平台办理。",
        "待处理事项提醒",
        "截至{{ at }}，您有以下待处理事项：\n{% for w in waiting %}· {{ w.kind }}：{{ w.count }}件\n{% endfor %}"
        "请及时登录平台办理。", "备注"),
}

SMS_REASON = "{% if reason %}{label}：{{ reason|truncate(30, true, '…', 0) }}{% endif %}"
BODY_REASON = "{% if reason %}\n\n{label}：{{ reason }}{% endif %}"
FOOTER = "{% if department %}\n\n办理单位：{{ department }}{% endif %}\n时间：{{ at }}"
EMAIL_GREETING = "{% if enterprise_name %}{{ enterprise_name }}：{% else %}您好：{% endif %}\n\n"
EMAIL_LINK = "{% if link %}\n\n查看详情：{{ link }}{% endif %}"
EMAIL_CLOSING = "\n\n此邮件由申报平台自动发送，请勿直接回复。"
