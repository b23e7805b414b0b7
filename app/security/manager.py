"""Shenbao's security manager: the extended user model, login by mobile or user name
with a local captcha, and login failure limits per account and per IP (HTML and JWT)."""
from __future__ import annotations

from flask import g, request
from flask_appbuilder.security.api import SecurityApi
from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_appbuilder.security.utils import is_null_password
from flask_appbuilder.api import expose, safe
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import defaultload, joinedload, with_expression

from app.security import passwords
from app.security.actors import client_ip
from app.services import login_throttle
from app.services.lookup import get_or_none
from models import Agency, ShenbaoUser


class ShenbaoSecurityApi(SecurityApi):
    """JWT login with the same failure limits as the login page."""

    @expose("/login", methods=["POST"])
    @safe
    def login(self):
        """Log in with user name (or mobile) and password; answers a JWT.
        ---
        post:
          description: >-
            FAB's JWT login (``provider``: db), refused with 429 after too many failures for
            the account or the client address.
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  type: object
                  required: [username, password, provider]
                  properties:
                    username:
                      type: string
                    password:
                      type: string
                    provider:
                      type: string
                      enum: [db, ldap]
                    refresh:
                      type: boolean
          responses:
            200:
              description: Authentication successful
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      access_token:
                        type: string
                      refresh_token:
                        type: string
            400:
              description: Not JSON, or a field is missing or of the wrong type
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      message:
                        description: A text, or the invalid fields with their messages
                        anyOf:
                        - type: string
                        - type: object
            401:
              $ref: '#/components/responses/401'
            429:
              description: Too many failed logins
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      message:
                        type: string
        """
        payload = request.get_json(silent=True) if request.is_json else None
        if isinstance(payload, dict) and "provider" not in payload:
            # FAB's schema lets it out, then FAB reads it: a KeyError, a 500 (found by schemathesis).
            return self.response_400(message={"provider": [_("This field is required.")]})
        username = payload.get("username") if isinstance(payload, dict) else None
        if isinstance(username, str) and "\x00" in username:
            # No account has such a name, and PostgreSQL cannot even look it up (a 500).
            return self.response_401()
        if isinstance(username, str):
            wait = login_throttle.blocked_for(username, client_ip())
            if wait:
                return self._too_many(wait)
        response = super().login()
        wait = g.pop("login_wait", 0)  # over a limit in auth_user_db (racing guesses): not a plain 401
        return self._too_many(wait) if wait else response

    def _too_many(self, wait: int):
        return self.response(
            429, message=_("Too many failed logins. Please try again in %(minutes)d minutes.", minutes=max(1, -(-wait // 60)))
        )


class ShenbaoSecurityManager(SecurityManager):
    user_model = ShenbaoUser
    security_api = ShenbaoSecurityApi

    def __init__(self, appbuilder):
        from views.auth import ShenbaoAuthDBView
        from views.users import ShenbaoUserDBModelView

        self.authdbview = ShenbaoAuthDBView
        self.userdbmodelview = ShenbaoUserDBModelView
        super().__init__(appbuilder)
        # FAB's own screens (users, roles, groups, permissions): /users/show/<20 digits> was a
        # PostgreSQL overflow, a 500; as on every other screen, such an id is not found.
        from app.datamodel import BoundedIdInterface

        for name in ("userdbmodelview", "userstatschartview", "rolemodelview", "groupmodelview",
                     "permissionmodelview", "viewmenumodelview", "permissionviewmodelview"):
            view = getattr(self, name, None)
            if view is not None and getattr(view, "datamodel", None) is not None:
                view.datamodel = BoundedIdInterface(view.datamodel.obj)

    def create_login_manager(self, app):
        """FAB's login manager, whose session user must also hold the user's current session
        generation (app.security.sessions); the JWT login keeps FAB's ``load_user``."""
        from flask_login import user_logged_in

        from app.security import sessions

        login_manager = super().create_login_manager(app)
        login_manager.user_loader(self.load_session_user)
        user_logged_in.connect(sessions.remember_generation)  # any app: it writes the request's session
        return login_manager

    def load_session_user(self, pk):
        from app.security import sessions

        user = self.load_user(pk)
        return user if user is not None and sessions.is_current(user) else None

    def on_user_logout(self, user) -> None:
        # Logging out ends every session of the user, copies of the cookie included.
        from app.security import sessions

        sessions.end_all(user.id)

    def reset_password(self, userid, password):
        """Every password change comes here (change password, the recovery paths, FAB's admin
        reset and reset-my-password, ``flask fab reset-password``): the user's other sessions end;
        the one that changed its own password stays signed in."""
        from app.security import sessions

        user = self.get_user_by_id(userid)
        user.password = passwords.hash_password(password)
        self.update_user(user)
        sessions.end_all(userid, keep_this_one=True)

    def add_user(self, username, first_name, last_name, email, role=None, password="", hashed_password="",
                 groups=None, commit=True):
        """FAB's, with the password hashed by Argon2id (app/security/passwords.py), not scrypt."""
        if password and not hashed_password:
            hashed_password, password = passwords.hash_password(password), ""
        return super().add_user(username, first_name, last_name, email, role=role, password=password,
                                hashed_password=hashed_password, groups=groups, commit=commit)

    def _check_password(self, username: str, password: str):
        """FAB's auth_user_db check with Argon2id; an older hash is replaced at this sign-in."""
        if is_null_password(password):
            return None
        user = self.find_user(username=username) or self.find_user(email=username)
        if user is None or not user.is_active:
            passwords.verify_absent(password)  # as long as a wrong password
            return None
        if not passwords.verify(user.password, password):
            self.update_user_auth_stat(user, False)
            return None
        if passwords.needs_upgrade(user.password):
            user.password = passwords.hash_password(password)  # committed with the login stats below
        self.update_user_auth_stat(user, True)
        return user

    def get_public_permissions(self):
        # Anonymous visitors have no permissions (app.security.roles has no Public entry):
        # answer without the two queries FAB would spend on every API request.
        return []

    def get_user_by_id(self, pk):
        # One query for the user with roles, groups and the top bar's unread count instead of four
        # per page, through lookup.get_or_none's statement built once (session.get built it with
        # its options on every request: ~0.15 ms, 5 % of an applicant's list page). The agency
        # comes without its region (no page reads it; one entity less to load per request).
        options = self.__dict__.get("_user_load_options")
        if options is None:
            from app.notify.messages import unread_count_of

            user_cls = self.user_model
            options = self._user_load_options = (
                joinedload(user_cls.roles), joinedload(user_cls.groups),
                defaultload(user_cls.agency).lazyload(Agency.region),
                with_expression(user_cls.unread_messages, unread_count_of(user_cls.id)))
        return get_or_none(self.user_model, pk, options)

    def resolve_login_name(self, login: str) -> str:
        """Accept the mobile number (the applicant's account name) or the user name."""
        login = (login or "").strip()
        if login.isdigit() and len(login) == 11:
            username = self.session.execute(
                select(ShenbaoUser.username).where(ShenbaoUser.mobile == login)
            ).scalar_one_or_none()
            if username:
                return username
        return login

    def auth_user_db(self, username, password):
        """FAB's password check behind the failure limits (the login page and the JWT login both
        come here). The attempt is counted before the password is checked
        (login_throttle.begin), so guesses sent at once cannot pass the limit together. Over a
        limit: None, and ``g.login_wait`` holds the seconds to wait."""
        login = (username or "").strip()
        g.login_wait = 0
        if not login or "\x00" in login:
            return None  # PostgreSQL cannot look it up; no account has such a name
        attempt = login_throttle.begin(login, client_ip())
        if attempt.wait:
            g.login_wait = attempt.wait
            return None
        user = self._check_password(self.resolve_login_name(login), password)
        if user is not None:
            login_throttle.succeeded(attempt)
        return user
