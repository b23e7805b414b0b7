"""Public account pages (register, recover, forgotten e-mail) and change password."""
from __future__ import annotations

from flask import flash, g, jsonify, make_response, redirect, request, session, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.services import accounts, captcha, email_change
from app.services.errors import ServiceError
from app.web import checks_its_own_text
from models import Agency
from views.forms import (
    ChangePasswordForm,
    ForgotEmailForm,
    RecoverEmailForm,
    RecoverMobileForm,
    RegisterForm,
    ResetPasswordForm,
    apply_errors,
)


def _captcha_id() -> str | None:
    # One challenge per image shown; the answer is checked once (app.services.captcha).
    return session.pop("captcha_id", None)


def _flash_error(exc: ServiceError, form) -> None:
    leftovers = apply_errors(form, exc.field_errors)
    flash(exc.message if not exc.field_errors else _("Please correct the marked fields."), "danger")
    for message in leftovers:
        flash(message, "danger")


class AccountView(BaseView):
    route_base = "/account"
    default_view = "change_password"

    @expose("/captcha.png")
    def captcha_image(self):
        challenge_id, answer = captcha.new_challenge()
        session["captcha_id"] = challenge_id
        response = make_response(captcha.render_png(answer))
        response.headers["Content-Type"] = "image/png"
        response.headers["Cache-Control"] = "no-store"
        return response

    @expose("/register", methods=["GET", "POST"])
    @checks_its_own_text
    def register(self):
        form = RegisterForm()
        if request.method == "POST" and form.validate():
            try:
                accounts.register(
                    accounts.Registration(
                        commitment_accepted=bool(form.commitment.data),
                        contact_name=form.contact_name.data or "",
                        email=form.email.data or "",
                        password=form.password.data or "",
                        password_confirm=form.password_confirm.data or "",
                        mobile=(form.mobile.data or "").strip(),
                        sms_code=form.sms_code.data or "",
                        captcha_id=_captcha_id(),
                        captcha=form.captcha.data or "",
                    )
                )
            except ServiceError as exc:
                _flash_error(exc, form)
            else:
                return self.render_template("shenbao/register_done.html", mobile=form.mobile.data)
        form.captcha.data = ""
        return self.render_template("shenbao/register.html", form=form)

    @expose("/sms-code", methods=["POST"])
    def sms_code(self):
        """Send an SMS code. purpose=register (mobile) or recover_mobile (credit code, legal rep, mobile)."""
        purpose = request.form.get("purpose", "register")
        mobile = (request.form.get("mobile") or "").strip()
        try:
            if purpose == "recover_mobile":
                accounts.request_mobile_recovery_code(
                    request.form.get("credit_code", ""), request.form.get("legal_rep_name", ""), mobile
                )
                message = _("If the details match a registered enterprise, a code has been sent to that mobile.")
            else:
                accounts.request_registration_code(mobile)
                message = _("The verification code has been sent.")
        except ServiceError as exc:
            return jsonify(ok=False, message=exc.message, errors=exc.field_errors), exc.status_code
        return jsonify(ok=True, message=message)

    @expose("/change-password", methods=["GET", "POST"])
    @has_access
    def change_password(self):
        form = ChangePasswordForm()
        if request.method == "POST" and form.validate():
            try:
                accounts.change_password(
                    g.user, form.old_password.data or "", form.new_password.data or "", form.new_password_confirm.data or ""
                )
            except ServiceError as exc:
                _flash_error(exc, form)
            else:
                flash(_("Saved successfully."), "success")
                return redirect(url_for("AccountView.change_password"))
        return self.render_template("shenbao/change_password.html", form=form)

    @expose("/recover", methods=["GET", "POST"])
    @checks_its_own_text
    def recover(self):
        form = RecoverEmailForm()
        if request.method == "POST" and form.validate():
            try:
                accounts.start_email_recovery(
                    form.channel.data, (form.credit_code.data or "").strip(), form.legal_rep_name.data or "",
                    _captcha_id(), form.captcha.data or "",
                )
            except ServiceError as exc:
                _flash_error(exc, form)
            else:
                flash(_("If the details match a registered enterprise, a link valid for 30 minutes has been sent to the chosen e-mail."), "success")
                return redirect(url_for("AccountView.recover"))
        form.captcha.data = ""
        return self.render_template("shenbao/recover.html", form=form)

    @expose("/reset/<token>", methods=["GET", "POST"])
    @checks_its_own_text
    def reset_password(self, token):
        if accounts.reset_token_valid(token) is None:
            flash(_("This link is invalid or has expired. Please request a new one."), "danger")
            return redirect(url_for("AccountView.recover"))
        form = ResetPasswordForm()
        if request.method == "POST" and form.validate():
            try:
                accounts.complete_email_recovery(
                    token, form.password.data or "", form.password_confirm.data or "",
                    form.credit_code.data or "", form.enterprise_name.data or "", _captcha_id(), form.captcha.data or "",
                )
            except ServiceError as exc:
                _flash_error(exc, form)
            else:
                flash(_("The password has been changed. Please sign in."), "success")
                return redirect(self.appbuilder.get_url_for_login)
        form.captcha.data = ""
        return self.render_template("shenbao/reset_password.html", form=form)

    @expose("/recover-mobile", methods=["GET", "POST"])
    @checks_its_own_text
    def recover_mobile(self):
        form = RecoverMobileForm()
        if request.method == "POST" and form.validate():
            try:
                accounts.complete_mobile_recovery(
                    form.credit_code.data or "", form.legal_rep_name.data or "", form.mobile.data or "",
                    form.sms_code.data or "", form.password.data or "", form.password_confirm.data or "",
                )
            except ServiceError as exc:
                _flash_error(exc, form)
            else:
                flash(_("The password has been changed. Please sign in."), "success")
                return redirect(self.appbuilder.get_url_for_login)
        return self.render_template("shenbao/recover_mobile.html", form=form)

    @expose("/forgot-email", methods=["GET", "POST"])
    @checks_its_own_text
    def forgot_email(self):
        form = ForgotEmailForm()
        agencies = db.session.execute(select(Agency).where(Agency.active.is_(True)).order_by(Agency.region_code)).scalars()
        form.agency_id.choices = [("", _("-- choose --"))] + [(str(a.id), a.name) for a in agencies]
        if request.method == "POST" and form.validate():
            try:
                email_change.submit(
                    email_change.EmailChangeForm(
                        credit_code=form.credit_code.data or "",
                        enterprise_name=form.enterprise_name.data or "",
                        contact_name=form.contact_name.data or "",
                        contact_mobile=(form.contact_mobile.data or "").strip(),
                        new_email=form.new_email.data or "",
                        agency_id=form.agency_id.data or "",
                        captcha_id=_captcha_id(),
                        captcha=form.captcha.data or "",
                    ),
                    [(f.stream, f.filename) for f in request.files.getlist("images")],
                )
            except ServiceError as exc:
                _flash_error(exc, form)
            else:
                return self.render_template("shenbao/forgot_email_done.html")
        form.captcha.data = ""
        return self.render_template("shenbao/forgot_email.html", form=form, max_images=email_change.MAX_IMAGES)
