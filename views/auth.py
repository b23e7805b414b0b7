"""Login page: mobile or user name, password, local captcha, failure limits."""
from __future__ import annotations

from flask import flash, g, redirect, request, session
from flask_appbuilder import expose
from flask_appbuilder.security.views import AuthDBView
from flask_appbuilder.utils.base import get_safe_redirect
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_login import login_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from app.security.manager import client_ip
from app.services import captcha, login_throttle


class LoginForm(FlaskForm):
    username = StringField(lazy_gettext("Mobile or user name"), validators=[DataRequired(), Length(max=128)])
    password = PasswordField(lazy_gettext("Password"), validators=[DataRequired(), Length(max=128)])
    captcha = StringField(lazy_gettext("Verification characters"), validators=[DataRequired(), Length(max=10)])
    captcha_id = HiddenField()


class ShenbaoAuthDBView(AuthDBView):
    login_template = "shenbao/login.html"

    @expose("/login/", methods=["GET", "POST"])
    def login(self):
        if g.user is not None and g.user.is_authenticated:
            return redirect(self.appbuilder.get_url_for_index)
        form = LoginForm()
        if request.method == "POST" and form.validate():
            next_url = get_safe_redirect(request.args.get("next", ""))
            login = form.username.data.strip()
            wait = login_throttle.blocked_for(login, client_ip())
            if wait:
                minutes = max(1, -(-wait // 60))
                flash(_("Too many failed logins. Please try again in %(minutes)d minutes.", minutes=minutes), "danger")
            elif not captcha.verify(session.pop("captcha_id", None), form.captcha.data):
                form.captcha.errors = [_("The verification characters are wrong or expired.")]
            else:
                user = self.appbuilder.sm.auth_user_db(login, form.password.data)
                if user:
                    login_user(user, remember=False)
                    return redirect(next_url)
                flash(_("Wrong account or password."), "danger")
        form.password.data = ""
        form.captcha.data = ""
        return self.render_template(self.login_template, title=_("Sign in"), form=form, appbuilder=self.appbuilder)
