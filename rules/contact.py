"""Contact details: mainland mobile number, email address, SMS code."""

from __future__ import annotations

from rules.violations import RuleViolation

#: Length of a mainland China mobile number.
MOBILE_LENGTH = 11
#: Maximum length of an email address (RFC 5321 path limit).
EMAIL_MAX = 254
#: Length of an SMS verification code.
SMS_CODE_LENGTH = 6

_DIGITS = frozenset("0123456789")


def _is_ascii_digits(value: str) -> bool:
    """:param value: Any string.
    :returns: ``True`` if ``value`` is non-empty and only ASCII digits."""
    return bool(value) and set(value) <= _DIGITS


def validate_mobile(value: str | None) -> RuleViolation | None:
    """Validate a mainland mobile number: 11 ASCII digits starting with 1.

    :param value: The number as entered (no country code, no separators).
    :returns: ``None`` if valid, else ``mobile.required`` or ``mobile.format``.
    """
    if not value or not value.strip():
        return RuleViolation("mobile.required")
    if len(value) != MOBILE_LENGTH or not _is_ascii_digits(value) or value[0] != "1":
        return RuleViolation("mobile.format")
    return None


def validate_email(value: str | None) -> RuleViolation | None:
    """Practical email format check.

    Requires exactly one ``@``, a non-empty local part, a domain containing a
    dot with no empty labels, no whitespace, and at most 254 characters.

    :param value: The address as entered.
    :returns: ``None`` if valid, else ``email.required`` or ``email.format``.
    """
    if not value or not value.strip():
        return RuleViolation("email.required")
    if len(value) > EMAIL_MAX or any(char.isspace() for char in value):
        return RuleViolation("email.format")
    if value.count("@") != 1:
        return RuleViolation("email.format")
    local, domain = value.split("@")
    if not local or "." not in domain:
        return RuleViolation("email.format")
    if any(not label for label in domain.split(".")):
        return RuleViolation("email.format")
    return None


def validate_sms_code(value: str | None) -> RuleViolation | None:
    """Validate an SMS verification code: exactly 6 ASCII digits.

    :param value: The code as entered.
    :returns: ``None`` if valid, else ``sms_code.format`` (param ``length``).
    """
    if value is None or len(value) != SMS_CODE_LENGTH or not _is_ascii_digits(value):
        return RuleViolation("sms_code.format", {"length": SMS_CODE_LENGTH})
    return None
