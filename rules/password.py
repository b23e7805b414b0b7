"""Password policy from the user manual.

A password is 6 to 12 ASCII letters and digits and must contain at least
one letter and at least one digit.
"""

from __future__ import annotations

from rules.violations import RuleViolation

#: Minimum password length (inclusive).
PASSWORD_MIN = 6
#: Maximum password length (inclusive).
PASSWORD_MAX = 12

_LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_DIGITS = frozenset("0123456789")


def validate_password(pw: str | None) -> RuleViolation | None:
    """Validate a new password against the policy.

    Checks are applied in order: length, allowed characters, then the
    letter-and-digit requirement.

    :param pw: The candidate password.
    :returns: ``None`` if acceptable, else a violation with code
        ``password.length`` (params ``min``/``max``), ``password.charset`` or
        ``password.needs_letter_and_digit``.
    """
    pw = pw or ""
    if not PASSWORD_MIN <= len(pw) <= PASSWORD_MAX:
        return RuleViolation("password.length", {"min": PASSWORD_MIN, "max": PASSWORD_MAX})
    chars = set(pw)
    if not chars <= _LETTERS | _DIGITS:
        return RuleViolation("password.charset")
    if not (chars & _LETTERS and chars & _DIGITS):
        return RuleViolation("password.needs_letter_and_digit")
    return None
