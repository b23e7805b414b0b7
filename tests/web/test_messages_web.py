"""站内消息: a result reaches the applicant's top bar and message list; only its own messages;
the enterprise chooses SMS and e-mail besides."""
from __future__ import annotations

import re

from sqlalchemy import select

from app.extensions import db
from app.notify import messages as inbox
from app.security import roles as R
from app.services import enterprise as svc
from models import InboxMessage, OutboxMessage
from tests import factories as f


def _returned_registration():
    enterprise = f.gen_enterprise(status="submitted")
    enterprise.legal_rep_mobile, enterprise.legal_rep_email = "13912345678", "boss@example.com"
    db.session.commit()
    user = db.session.query(f.ShenbaoUser).filter_by(enterprise_id=enterprise.id).one()
    reviewer = f.gen_user(R.AGENCY_REVIEWER, agency_region="330100")
    svc.review(reviewer, enterprise.id, "return", "营业执照照片不清晰", enterprise.version)
    return enterprise, user


def _badge(html: str) -> str | None:
    found = re.search(r'id="sb-inbox-unread">(\d+)<', html)
    return found.group(1) if found else None


def test_a_return_shows_in_the_top_bar_and_opening_it_marks_it_read(app):
    enterprise, user = _returned_registration()
    client = f.WebClient(app)
    client.login(user.username)
    home = client.get("/messages/").data.decode()
    assert _badge(home) == "1"
    assert "企业注册" in home and "未读" in home
    message = db.session.execute(select(InboxMessage).where(InboxMessage.user_id == user.id)).scalar_one()
    page = client.get(f"/messages/{message.id}").data.decode()
    assert "营业执照照片不清晰" in page and f"/progress/enterprise/{enterprise.id}" in page
    assert _badge(client.get("/messages/").data.decode()) is None
    assert "None" not in page


def test_the_page_that_opens_a_message_counts_it_read_in_its_own_top_bar(app):
    # The count is read with the signed-in user; opening a message commits the read before the
    # page is drawn, so the page must not show the count loaded before it.
    enterprise, user = _returned_registration()
    db.session.add(inbox.inbox_message(user.id, enterprise.id, "补充材料", "请补充营业执照"))
    db.session.commit()
    client = f.WebClient(app)
    client.login(user.username)
    assert _badge(client.get("/messages/").data.decode()) == "2"
    message = db.session.execute(select(InboxMessage).where(InboxMessage.user_id == user.id)
                                 .order_by(InboxMessage.id)).scalars().first()
    assert _badge(client.get(f"/messages/{message.id}").data.decode()) == "1"


def test_another_users_message_is_not_found(app):
    _enterprise, user = _returned_registration()
    message = db.session.execute(select(InboxMessage).where(InboxMessage.user_id == user.id)).scalar_one()
    other = f.gen_applicant()
    client = f.WebClient(app)
    client.login(other.username)
    assert client.get(f"/messages/{message.id}").status_code == 404
    db.session.refresh(message)
    assert message.read_at is None


def test_mark_all_read(app):
    _enterprise, user = _returned_registration()
    client = f.WebClient(app)
    client.login(user.username)
    response = client.post_form("/messages/read-all", {}, csrf_url="/messages/", follow_redirects=True)
    assert _badge(response.data.decode()) is None and "1 条消息已标为已读" in response.data.decode()


def test_switching_sms_off_queues_no_sms_for_the_next_result(app):
    enterprise, user = _returned_registration()
    client = f.WebClient(app)
    client.login(user.username)
    response = client.post_form("/messages/preferences", {"email": "y"}, csrf_url="/messages/", follow_redirects=True)
    assert "已保存" in response.data.decode()
    before = db.session.execute(select(OutboxMessage).where(OutboxMessage.channel == "sms",
                                                            OutboxMessage.enterprise_id == enterprise.id)).all()
    svc.submit(user, db.session.get(type(enterprise), enterprise.id).version)
    reviewer = f.gen_user(R.AGENCY_REVIEWER, agency_region="330100")
    svc.review(reviewer, enterprise.id, "approve", None, None)
    after = db.session.execute(select(OutboxMessage).where(OutboxMessage.channel == "sms",
                                                           OutboxMessage.enterprise_id == enterprise.id)).all()
    assert len(after) == len(before)
    assert db.session.execute(select(OutboxMessage).where(OutboxMessage.channel == "email",
                                                          OutboxMessage.template == "registration_approved")).first()


def test_visitors_are_sent_to_the_login(app):
    response = app.test_client().get("/messages/")
    assert response.status_code in (302, 303) and "login" in response.headers["Location"]


def test_the_admin_sees_a_failed_message_with_its_error_and_sends_it_again(app):
    from app import notify

    app.config["SMS_BACKEND"] = "http"
    app.config["SMS_GATEWAY_URL"] = "http://127.0.0.1:9/unreachable"
    app.config["NOTIFY_MAX_ATTEMPTS"] = 1
    message = notify.send_sms("13700000001", "您的评价材料已退回")
    db.session.commit()  # delivered inline: the gateway refuses, one attempt allowed
    db.session.refresh(message)
    assert message.status == "failed" and message.error

    admin = f.WebClient(app)
    admin.login(f.gen_user(R.ADMIN).username)
    listing = admin.get("/outboxview/list/").data.decode()
    assert "发送失败" in listing and "SMS gateway" in listing and ">failed<" not in listing

    app.config["SMS_BACKEND"] = "outbox"  # the gateway is back (the row keeps its backend: fix it)
    message.backend = "outbox"
    db.session.commit()
    response = admin.post_form("/outboxview/action_post", {"action": "resend", "rowid": str(message.id)},
                               csrf_url="/outboxview/list/", follow_redirects=True)
    assert "1 条发送失败的消息已重新排队" in response.data.decode()
    db.session.refresh(message)
    assert message.status == "sent"

    reviewer = f.WebClient(app)
    reviewer.login(f.gen_user(R.AGENCY_REVIEWER, agency_region="330100").username)
    assert reviewer.get("/outboxview/list/").status_code in (302, 403, 404)


def test_a_broken_notification_text_is_refused_beside_the_field_and_a_good_one_is_used(app):
    from app.notify.templates import seed_templates
    from models import NotificationTemplate

    seed_templates()
    db.session.commit()
    row = db.session.execute(select(NotificationTemplate).where(NotificationTemplate.code == "registration_returned",
                                                                NotificationTemplate.locale == "zh")).scalar_one()
    before = row.sms_body
    admin = f.WebClient(app)
    admin.login(f.gen_user(R.ADMIN).username)
    url = f"/notificationtemplateview/edit/{row.id}"
    values = {name: getattr(row, name) for name in ("message_title", "message_body", "sms_body", "email_subject",
                                                    "email_body")}
    page = admin.post_form(url, {**values, "sms_body": "{{ reason.__class__ }}退回"}).data.decode()
    assert "不允许使用以下划线开头的名称" in page
    db.session.refresh(row)
    assert row.sms_body == before

    admin.post_form(url, {**values, "sms_body": "【申报】{{ enterprise_name }}：注册登记被退回，理由：{{ reason }}"})
    db.session.refresh(row)
    assert row.sms_body.startswith("【申报】")
    enterprise, _user = _returned_registration()
    sms = db.session.execute(select(OutboxMessage).where(OutboxMessage.channel == "sms",
                                                         OutboxMessage.enterprise_id == enterprise.id)).scalar_one()
    assert sms.body.startswith("【申报】") and "营业执照照片不清晰" in sms.body


def test_the_confirmation_dialog_speaks_chinese(app):
    _enterprise, user = _returned_registration()
    client = f.WebClient(app)
    client.login(user.username)
    html = client.get("/messages/").data.decode()
    assert "modal-confirm-ok" in html  # FAB's confirmation dialog is on the page
    assert "请确认" in html and ">取消<" in html and ">确定<" in html
    assert ">Cancel<" not in html and ">OK<" not in html
