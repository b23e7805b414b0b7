"""Notification templates: every code has zh and en defaults that render, the sandbox holds,
an edited row overrides the default, and the writer reaches every active user of the enterprise."""
from __future__ import annotations

import dataclasses

import pytest

from app.extensions import db
from app.notify import messages as inbox
from app.notify.links import beijing_text, record_link, record_url
from app.notify.templates import (
    DEFAULT_TEMPLATES,
    FIELDS,
    SAMPLE_CONTEXT,
    Rendered,
    render,
    seed_templates,
    validate_template_text,
)
from models import NotificationTemplate
from tests import factories as f

CODES = """registration_approved registration_returned core_change_approved core_change_returned
email_change_approved email_change_returned sme_confirmed sme_forwarded sme_returned sme_returned_by_province
sme_recommended sme_rejected sme_spot_check sme_spot_check_passed sme_publicity_started sme_publicity_ended
sme_objection_raised sme_objection_resolved sme_stored sme_numbered filing_approved filing_returned
declaration_recommended declaration_returned declaration_qualified declaration_rejected declaration_selected
declaration_not_selected seal_papers_received seal_papers_returned seal_payment_confirmed seal_payment_rejected
seal_key_produced seal_key_shipped seal_renewed seal_fee_due seal_key_overdue seal_key_suspended
seal_key_reinstated seal_key_revoked document_revoked reviewer_digest""".split()
REASON = "缺少加盖公章的营业执照复印件"


def test_every_code_has_both_languages_and_all_fields():
    assert sorted(DEFAULT_TEMPLATES) == sorted(CODES)
    for code in CODES:
        for locale in ("zh", "en"):
            texts = DEFAULT_TEMPLATES[code][locale]
            assert set(texts) == set(FIELDS), (code, locale)
            for field, text in texts.items():
                assert validate_template_text(text) is None, (code, locale, field)


@pytest.mark.parametrize("locale", ["zh", "en"])
def test_every_default_renders_and_mentions_the_reason(app, locale):
    prefix = "【申报平台】" if locale == "zh" else "[Shenbao]"
    for code in CODES:
        out = render(code, locale, {**SAMPLE_CONTEXT, "reason": REASON})
        assert isinstance(out, Rendered)
        for field in FIELDS:
            assert getattr(out, field).strip(), (code, field)
        assert out.sms_body.startswith(prefix), code
        assert REASON in out.message_body and REASON in out.email_body, code
        assert REASON[:10] in out.sms_body, code
        assert SAMPLE_CONTEXT["link"] in out.email_body, code
        assert "\n" not in out.message_title and "\n" not in out.email_subject
        without = render(code, locale, {**SAMPLE_CONTEXT, "reason": ""})
        assert REASON not in without.message_body and REASON not in without.sms_body, code
        assert "None" not in without.message_body


def test_zh_sms_is_short(app):
    for code in CODES:
        out = render(code, "zh", {**SAMPLE_CONTEXT, "reason": ""})
        assert len(out.sms_body) <= 70, (code, len(out.sms_body), out.sms_body)


def test_missing_variables_render_empty(app):
    out = render("sme_numbered", "zh", {})
    assert "入库登记编号" in out.message_body
    assert "{{" not in out.message_body and "None" not in out.message_body


def test_unknown_code_is_a_key_error(app):
    with pytest.raises(KeyError):
        render("no_such_code", "zh", SAMPLE_CONTEXT)


ATTACKS = [
    "{{ ''.__class__.__mro__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ reason.__class__ }}",
    "{{ waiting['__class__'] }}",
    "{{ cycler.__init__.__globals__.os }}",
]


@pytest.mark.parametrize("attack", ATTACKS)
def test_sandbox_attack_is_refused_and_renders_nothing(app, attack):
    assert validate_template_text(attack) is not None
    # Stored anyway (e.g. straight into the database): the output reveals nothing.
    row = NotificationTemplate(code="sme_returned", locale="zh", sms_body=attack, email_subject="s",
                               email_body=attack, message_title="t", message_body="x" + attack + "y")
    db.session.add(row)
    db.session.commit()
    out = render("sme_returned", "zh", SAMPLE_CONTEXT)
    for text in (out.sms_body, out.email_body, out.message_body):
        assert "class" not in text and "object" not in text and "function" not in text and "module" not in text


def test_syntax_errors_are_reported():
    message = validate_template_text("您好 {% if reason %}未闭合")
    assert message and "2" not in message[:0]  # a message, whatever the language
    assert validate_template_text("{{ reason ") is not None
    assert validate_template_text("{{ reason }}{% if at %}{{ at }}{% endif %}") is None
    assert validate_template_text("") is None


def test_a_stored_template_overrides_the_default_and_seed_keeps_it(app):
    assert seed_templates() == 2 * len(CODES)
    row = db.session.query(NotificationTemplate).filter_by(code="registration_approved", locale="zh").one()
    row.message_title = "恭喜{{ enterprise_name }}通过注册"
    db.session.commit()
    assert seed_templates() == 0
    db.session.commit()
    out = render("registration_approved", "zh", SAMPLE_CONTEXT)
    assert out.message_title == "恭喜杭州示例科技有限公司通过注册"
    assert render("registration_approved", "en", SAMPLE_CONTEXT).message_title == "Enterprise registration approved"
    with pytest.raises(dataclasses.FrozenInstanceError):
        out.message_title = "x"


def test_a_broken_stored_text_falls_back_to_the_default(app):
    db.session.add(NotificationTemplate(code="sme_stored", locale="zh", sms_body="{{ 1 / 0 }}", email_subject="s",
                                        email_body="e", message_title="t", message_body="b"))
    db.session.commit()
    out = render("sme_stored", "zh", SAMPLE_CONTEXT)
    assert out.sms_body.startswith("【申报平台】") and out.message_body == "b"


def test_write_inbox_reaches_active_users_and_does_not_commit(app):
    owner = f.gen_applicant()
    enterprise = f.gen_enterprise(owner)
    colleague = f.gen_applicant()
    colleague.enterprise_id = enterprise.id
    gone = f.gen_applicant()
    gone.enterprise_id, gone.active = enterprise.id, False
    outsider = f.gen_applicant()
    db.session.commit()
    written = inbox.write_inbox(enterprise.id, "标题\n换行", "正文", record_type="enterprise", record_id=enterprise.id,
                                template="registration_approved")
    assert sorted(m.user_id for m in written) == sorted([owner.id, colleague.id])
    assert written[0].title == "标题 换行"
    db.session.flush()
    assert inbox.unread_count(owner.id) == 1 and inbox.unread_count(outsider.id) == 0
    db.session.rollback()  # the caller's transaction decides
    assert inbox.unread_count(owner.id) == 0


def test_preferences_default_then_saved(app):
    enterprise = f.gen_enterprise()
    prefs = inbox.preferences(enterprise.id)
    assert prefs.sms is True and prefs.email is True and prefs.id is None
    inbox.save_preferences(enterprise.id, sms=False, email=True)
    db.session.commit()
    assert inbox.preferences(enterprise.id).sms is False


def test_links_and_beijing_time(app):
    import datetime as dt

    assert record_url("sme_evaluation", 12) == "/progress/sme_evaluation/12"
    assert record_link("declaration", 3).endswith("/progress/declaration/3")
    assert record_link("declaration", 3).startswith("http")
    assert beijing_text(dt.datetime(2026, 12, 3, 7, 4)) == "2026-12-03 15:04"
