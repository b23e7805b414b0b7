"""Registration with SMS code rules, password change, the three recovery paths, e-mail change."""
from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from app.security.passwords import verify as check_password_hash

from app.extensions import db
from app.security import roles as R
from app.services import accounts, captcha, email_change, sms_codes
from app.services.errors import ServiceError, TooManyAttempts
from models import EmailChangeRequest, PasswordResetToken, ShenbaoUser, VerificationCode
from tests import factories as f


def _captcha():
    challenge_id, _answer = captcha.new_challenge()
    return challenge_id


def _registration(mobile="13711112222", **kw):
    data = dict(commitment_accepted=True, contact_name="韩梅梅", email="hmm@example.com", password="abc123",
                password_confirm="abc123", mobile=mobile, sms_code="", captcha_id=_captcha(), captcha=f.CAPTCHA)
    data.update(kw)
    return accounts.Registration(**data)


def _age_codes(mobile: str, seconds: int) -> None:
    """Move the codes sent to ``mobile`` into the past (instead of sleeping)."""
    for record in db.session.query(VerificationCode).filter_by(target=mobile):
        record.created_at -= dt.timedelta(seconds=seconds)
        record.expires_at -= dt.timedelta(seconds=seconds)
    db.session.commit()


def test_register_creates_applicant_with_mobile_as_account(app):
    accounts.request_registration_code("13711112222")
    code = f.last_sms_code("13711112222")
    user = accounts.register(_registration(sms_code=code))
    assert user.username == "13711112222" and user.mobile == "13711112222"
    assert [r.name for r in user.roles] == [R.APPLICANT]
    assert user.commitment_accepted_at is not None
    assert check_password_hash(user.password, "abc123")


@pytest.mark.parametrize("field,value", [
    ("password", "abcdef"), ("password", "12345"), ("password", "abc1234567890"), ("email", "not-an-email"),
    ("mobile", "1371111222"), ("commitment_accepted", False), ("password_confirm", "abc124"),
])
def test_register_rejects_bad_fields(app, field, value):
    accounts.request_registration_code("13711112222")
    form = _registration(sms_code=f.last_sms_code("13711112222"), **{field: value})
    with pytest.raises(ServiceError) as exc:
        accounts.register(form)
    key = {"commitment_accepted": "commitment"}.get(field, field)
    assert key in exc.value.field_errors
    assert db.session.query(ShenbaoUser).filter_by(mobile="13711112222").count() == 0


def test_register_requires_captcha(app):
    accounts.request_registration_code("13711112222")
    with pytest.raises(ServiceError) as exc:
        accounts.register(_registration(sms_code=f.last_sms_code("13711112222"), captcha="wrong"))
    assert "captcha" in exc.value.field_errors


def test_sms_code_resend_only_after_60_seconds(app):
    accounts.request_registration_code("13711112222")
    with pytest.raises(TooManyAttempts):
        accounts.request_registration_code("13711112222")
    _age_codes("13711112222", 61)
    accounts.request_registration_code("13711112222")
    assert db.session.query(VerificationCode).filter_by(target="13711112222").count() == 2


def test_sms_codes_to_one_mobile_are_capped_per_day(app):
    app.config["SMS_CODE_MAX_PER_DAY"] = 3
    for _ in range(3):
        accounts.request_registration_code("13711112222")
        _age_codes("13711112222", 61)
    with pytest.raises(TooManyAttempts) as exc:
        accounts.request_registration_code("13711112222")
    assert "24" in exc.value.message
    accounts.request_registration_code("13711113333")  # another mobile is not affected
    _age_codes("13711112222", 24 * 3600)
    accounts.request_registration_code("13711112222")
    assert db.session.query(VerificationCode).filter_by(target="13711112222").count() == 4


def test_sms_code_expires_after_3_minutes(app):
    accounts.request_registration_code("13711112222")
    code = f.last_sms_code("13711112222")
    _age_codes("13711112222", 181)
    with pytest.raises(ServiceError) as exc:
        accounts.register(_registration(sms_code=code))
    assert "sms_code" in exc.value.field_errors


def test_sms_code_dies_after_5_wrong_tries(app):
    accounts.request_registration_code("13711112222")
    code = f.last_sms_code("13711112222")
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        with pytest.raises(ServiceError):
            sms_codes.consume("register", "13711112222", wrong)
    with pytest.raises(ServiceError) as exc:
        sms_codes.consume("register", "13711112222", code)  # right code, too late
    assert "sms_code" in exc.value.field_errors


def test_sms_code_is_single_use(app):
    accounts.request_registration_code("13711112222")
    code = f.last_sms_code("13711112222")
    sms_codes.consume("register", "13711112222", code)
    db.session.commit()
    with pytest.raises(ServiceError):
        sms_codes.consume("register", "13711112222", code)


def test_registered_mobile_cannot_register_again(app):
    f.gen_applicant(mobile="13711112222")
    with pytest.raises(ServiceError) as exc:
        accounts.request_registration_code("13711112222")
    assert "mobile" in exc.value.field_errors


def test_change_password_checks_old_and_policy(app):
    user = f.gen_applicant()
    with pytest.raises(ServiceError) as exc:
        accounts.change_password(user, "wrong", "newpass1", "newpass1")
    assert "old_password" in exc.value.field_errors
    with pytest.raises(ServiceError) as exc:
        accounts.change_password(user, f.PASSWORD, "short", "short")
    assert "new_password" in exc.value.field_errors
    accounts.change_password(user, f.PASSWORD, "newpass1", "newpass1")
    assert check_password_hash(db.session.get(ShenbaoUser, user.id).password, "newpass1")


def _link_token(address: str) -> str:
    body = f.last_message(address).body
    return re.search(r"/account/reset/([A-Za-z0-9_\-]+)", body).group(1)


@pytest.mark.parametrize("channel", ["contact_email", "legal_rep_email"])
def test_email_recovery_paths(app, channel):
    enterprise = f.gen_enterprise(status="submitted")
    user = db.session.query(ShenbaoUser).filter_by(enterprise_id=enterprise.id).one()
    accounts.start_email_recovery(channel, enterprise.credit_code, "李雷", _captcha(), f.CAPTCHA)
    address = user.email if channel == "contact_email" else "legal@example.com"
    token = _link_token(address)
    with pytest.raises(ServiceError) as exc:
        accounts.complete_email_recovery(token, "newpass9", "newpass9", enterprise.credit_code, "别的企业",
                                         _captcha(), f.CAPTCHA)
    assert "enterprise_name" in exc.value.field_errors
    accounts.complete_email_recovery(token, "newpass9", "newpass9", enterprise.credit_code, enterprise.name,
                                     _captcha(), f.CAPTCHA)
    assert check_password_hash(db.session.get(ShenbaoUser, user.id).password, "newpass9")
    with pytest.raises(ServiceError):  # one-time link
        accounts.complete_email_recovery(token, "newpass8", "newpass8", enterprise.credit_code, enterprise.name,
                                         _captcha(), f.CAPTCHA)


def test_email_recovery_link_expires_after_30_minutes(app):
    enterprise = f.gen_enterprise(status="submitted")
    user = db.session.query(ShenbaoUser).filter_by(enterprise_id=enterprise.id).one()
    accounts.start_email_recovery("contact_email", enterprise.credit_code, "李雷", _captcha(), f.CAPTCHA)
    token = _link_token(user.email)
    for record in db.session.query(PasswordResetToken):
        record.expires_at -= dt.timedelta(minutes=31)
    db.session.commit()
    assert accounts.reset_token_valid(token) is None


def test_email_recovery_with_wrong_details_sends_nothing(app):
    enterprise = f.gen_enterprise(status="submitted")
    accounts.start_email_recovery("contact_email", enterprise.credit_code, "别人", _captcha(), f.CAPTCHA)
    assert db.session.query(PasswordResetToken).count() == 0


def test_mobile_recovery_path(app):
    enterprise = f.gen_enterprise(status="submitted")
    user = db.session.query(ShenbaoUser).filter_by(enterprise_id=enterprise.id).one()
    accounts.request_mobile_recovery_code(enterprise.credit_code, "李雷", "13912345678")
    code = f.last_sms_code("13912345678")
    with pytest.raises(ServiceError):
        accounts.complete_mobile_recovery(enterprise.credit_code, "李雷", "13912345678", "999999" if code != "999999" else "888888", "newpass7", "newpass7")
    accounts.complete_mobile_recovery(enterprise.credit_code, "李雷", "13912345678", code, "newpass7", "newpass7")
    assert check_password_hash(db.session.get(ShenbaoUser, user.id).password, "newpass7")


def test_mobile_recovery_code_not_sent_to_unknown_mobile(app):
    enterprise = f.gen_enterprise(status="submitted")
    accounts.request_mobile_recovery_code(enterprise.credit_code, "李雷", "13900000000")
    assert db.session.query(VerificationCode).filter_by(target="13900000000").count() == 0


def _email_change_form(enterprise, user, agency_id, **kw):
    data = dict(credit_code=enterprise.credit_code, enterprise_name=enterprise.name, contact_name=user.first_name,
                contact_mobile=user.mobile, new_email="new-contact@example.com", agency_id=str(agency_id),
                captcha_id=_captcha(), captcha=f.CAPTCHA)
    data.update(kw)
    return email_change.EmailChangeForm(**data)


def test_email_change_request_approved_by_chosen_agency(app):
    enterprise = f.gen_enterprise(status="approved")
    user = db.session.query(ShenbaoUser).filter_by(enterprise_id=enterprise.id).one()
    agency = f.agency("330100")
    request = email_change.submit(_email_change_form(enterprise, user, agency.id), [(io.BytesIO(f.PNG_1PX), "stamp.png")])
    other_agency_reviewer = f.gen_user(R.AGENCY_REVIEWER, agency_region="330700")
    with pytest.raises(ServiceError):
        email_change.decide(other_agency_reviewer, request.id, "approve", None, None)
    reviewer = f.gen_user(R.AGENCY_REVIEWER, agency_region="330100")
    email_change.decide(reviewer, request.id, "approve", "核对无误", None)
    assert db.session.get(ShenbaoUser, user.id).email == "new-contact@example.com"


def test_email_change_return_keeps_old_email(app):
    enterprise = f.gen_enterprise(status="approved")
    user = db.session.query(ShenbaoUser).filter_by(enterprise_id=enterprise.id).one()
    old = user.email
    request = email_change.submit(_email_change_form(enterprise, user, f.agency("330100").id),
                                  [(io.BytesIO(f.PNG_1PX), "stamp.png")])
    reviewer = f.gen_user(R.AGENCY_REVIEWER, agency_region="330100")
    with pytest.raises(ServiceError):
        email_change.decide(reviewer, request.id, "return", "", None)
    email_change.decide(reviewer, request.id, "return", "公章不清晰", None)
    assert db.session.get(ShenbaoUser, user.id).email == old
    assert db.session.get(EmailChangeRequest, request.id).status == "returned"


def test_email_change_validates_fields_and_images(app):
    enterprise = f.gen_enterprise(status="approved")
    user = db.session.query(ShenbaoUser).filter_by(enterprise_id=enterprise.id).one()
    form = _email_change_form(enterprise, user, f.agency("330100").id,
                              credit_code=enterprise.credit_code.lower(), new_email="bad")
    with pytest.raises(ServiceError) as exc:
        email_change.submit(form, [(io.BytesIO(f.PNG_1PX), f"p{i}.png") for i in range(6)])
    assert {"credit_code", "new_email", "images"} <= set(exc.value.field_errors)
    form = _email_change_form(enterprise, user, f.agency("330100").id)
    with pytest.raises(ServiceError) as exc:
        email_change.submit(form, [(io.BytesIO(f.PDF_MIN), "stamp.png")])  # a PDF named .png
    assert "images" in exc.value.field_errors
    assert db.session.query(EmailChangeRequest).count() == 0
