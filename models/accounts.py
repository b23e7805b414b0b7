"""Accounts: the platform user, one-time codes, captchas, login failures, recovery."""
from __future__ import annotations

from flask_appbuilder import Model
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import query_expression, relationship

from models.base import TimestampMixin, VersionedMixin, utcnow


class ShenbaoUser(User):
    """FAB's ab_user with the links Shenbao's row scope needs.

    An applicant belongs to one enterprise; a reviewer to one agency.
    """

    __tablename__ = "ab_user"
    mobile = Column(String(11), unique=True, nullable=True)
    enterprise_id = Column(Integer, ForeignKey("enterprise.id", use_alter=True), nullable=True, index=True)
    agency_id = Column(Integer, ForeignKey("agency.id"), nullable=True, index=True)
    # Recommender staff belong to one recommending unit (quality benchmark).
    recommending_unit_id = Column(Integer, ForeignKey("recommending_unit.id"), nullable=True, index=True)
    commitment_accepted_at = Column(DateTime, nullable=True)
    # Copied into the browser session at login and compared on every request; logout and a
    # password change raise it, which ends every copy of an older session cookie
    # (app.security.sessions).
    session_generation = Column(Integer, nullable=False, default=0, server_default="0")
    # The top bar's unread count, read with the signed-in user in the same statement (one query
    # fewer on every page): set only by that load (app.security.manager), None otherwise.
    unread_messages = query_expression()

    agency = relationship("Agency", foreign_keys=[agency_id], lazy="joined")


class VerificationCode(Model):
    """A 6-digit SMS code. Only its hash is kept; the outbox keeps the message itself."""

    __tablename__ = "verification_code"
    __table_args__ = (Index("ix_verification_code_target", "purpose", "target", "created_at"),)
    id = Column(Integer, primary_key=True)
    purpose = Column(String(32), nullable=False)  # register | recover_mobile
    target = Column(String(32), nullable=False)  # the mobile number
    code_hash = Column(String(128), nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    expires_at = Column(DateTime, nullable=False)
    tries = Column(Integer, nullable=False, default=0)
    consumed_at = Column(DateTime, nullable=True)


class CaptchaChallenge(Model):
    """Image captcha (附加码) answer, kept server-side so the cookie never carries it."""

    __tablename__ = "captcha_challenge"
    id = Column(String(43), primary_key=True)
    answer_hash = Column(String(128), nullable=False)
    expires_at = Column(DateTime, nullable=False)
    used = Column(Boolean, nullable=False, default=False)


class LoginFailure(Model):
    """One failed login; counted per account and per IP within a window."""

    __tablename__ = "login_failure"
    __table_args__ = (Index("ix_login_failure_key_at", "key", "at"),)
    id = Column(Integer, primary_key=True)
    key = Column(String(160), nullable=False)  # "account:<name>" | "ip:<address>"
    at = Column(DateTime, nullable=False, default=utcnow)


class PasswordResetToken(Model):
    """One-time link for the e-mail recovery paths; only the token's hash is stored."""

    __tablename__ = "password_reset_token"
    token_hash = Column(String(64), primary_key=True)
    user_id = Column(Integer, ForeignKey("ab_user.id"), nullable=False)
    enterprise_id = Column(Integer, ForeignKey("enterprise.id"), nullable=False)
    channel = Column(String(32), nullable=False)  # contact_email | legal_rep_email
    created_at = Column(DateTime, nullable=False, default=utcnow)
    expires_at = Column(DateTime, nullable=False)
    used_at = Column(DateTime, nullable=True)


class EmailChangeRequest(VersionedMixin, TimestampMixin, Model):
    """忘记邮箱: a stamped request to replace the contact e-mail, decided by an agency."""

    __tablename__ = "email_change_request"
    id = Column(Integer, primary_key=True)
    credit_code = Column(String(18), nullable=False)
    enterprise_name = Column(String(128), nullable=False)
    contact_name = Column(String(64), nullable=False)
    contact_mobile = Column(String(11), nullable=False)
    new_email = Column(String(254), nullable=False)
    enterprise_id = Column(Integer, ForeignKey("enterprise.id"), nullable=True, index=True)
    agency_id = Column(Integer, ForeignKey("agency.id"), nullable=False, index=True)
    status = Column(String(16), nullable=False, default="submitted", index=True)
    decision_comment = Column(Text, nullable=True)

    agency = relationship("Agency", lazy="joined")
    enterprise = relationship("Enterprise", lazy="joined")
