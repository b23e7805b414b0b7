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

from app.security.actors import client_ip
from app.services import captcha, login_throttle
from app.web import checks_its_own_text
from views.forms import NoControlCharacters


class LoginForm(FlaskForm):
    # The user name reaches SQL (a NUL made PostgreSQL refuse the lookup: a 500); the password
    # and the captcha answer are only hashed.
    username = StringField(lazy_gettext("Mobile or user name"),
                           validators=[DataRequired(), Length(max=128), NoControlCharacters()])
    password = PasswordField(lazy_gettext("Password"), validators=[DataRequired(), Length(max=128)])
    captcha = StringField(lazy_gettext("Verification characters"),
                          validators=[DataRequired(), Length(max=10), NoControlCharacters()])
    captcha_id = HiddenField()


class ShenbaoAuthDBView(AuthDBView):
    login_template = "shenbao/login.html"

    @expose("/login/", methods=["GET", "POST"])
    @checks_its_own_text
    def login(self):
        if g.user is not None and g.user.is_authenticated:
            return redirect(self.appbuilder.get_url_for_index)
        form = LoginForm()
        if request.method == "POST" and form.validate():
            next_url = get_safe_redirect(request.args.get("next", ""))
            login = form.username.data.strip()
            # A quick read-only look first (the captcha is not spent on a locked account); the
            # check that holds when guesses race is inside auth_user_db (g.login_wait).
            wait = login_throttle.blocked_for(login, client_ip())
            if not wait:
                if not captcha.verify(session.pop("captcha_id", None), form.captcha.data):
                    form.captcha.errors = [_("The verification characters are wrong or expired.")]
                else:
                    user = self.appbuilder.sm.auth_user_db(login, form.password.data)
                    if user:
                        login_user(user, remember=False)
                        return redirect(next_url)
                    wait = g.pop("login_wait", 0)
                    if not wait:
                        flash(_("Wrong account or password."), "danger")
            if wait:
                minutes = max(1, -(-wait // 60))
                flash(_("Too many failed logins. Please try again in %(minutes)d minutes.", minutes=minutes), "danger")
        form.password.data = ""
        form.captcha.data = ""
        return self.render_template(self.login_template, title=_("Sign in"), form=form, appbuilder=self.appbuilder)
