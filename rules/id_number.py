"""Identity document numbers: mainland ID card (GB 11643-1999) and passport."""

from __future__ import annotations

from datetime import date

from rules.violations import RuleViolation

#: Identity document type for the 18-digit resident ID card (身份证).
ID_TYPE_ID_CARD = "id_card"
#: Identity document type for a passport (护照).
ID_TYPE_PASSPORT = "passport"
#: All supported identity document types.
ID_TYPES: tuple[str, ...] = (ID_TYPE_ID_CARD, ID_TYPE_PASSPORT)

#: Length of a GB 11643-1999 citizen identification number.
ID_CARD_LENGTH = 18
#: Weights for the first 17 digits (``2**(17 - i) % 11``).
ID_CARD_WEIGHTS: tuple[int, ...] = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
#: Check character indexed by the weighted sum modulo 11.
ID_CARD_CHECK_CHARS = "10X98765432"
#: Earliest accepted birth year.
ID_CARD_MIN_YEAR = 1900

#: Passport number length limits (inclusive).
PASSPORT_MIN = 5
PASSPORT_MAX = 20

_DIGITS = frozenset("0123456789")
_ASCII_LETTERS_DIGITS = frozenset(
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
)


def id_check_char(first17: str) -> str:
    """Compute the check character of an 18-digit ID card number.

    :param first17: The first 17 characters, all ASCII digits.
    :returns: The check character, a digit or ``"X"``.
    :raises ValueError: If ``first17`` is not exactly 17 ASCII digits.
    """
    if len(first17) != ID_CARD_LENGTH - 1 or not set(first17) <= _DIGITS:
        raise ValueError("expected exactly 17 ASCII digits")
    total = sum(int(char) * weight for char, weight in zip(first17, ID_CARD_WEIGHTS))
    return ID_CARD_CHECK_CHARS[total % 11]


def _birth_date_violation(yyyymmdd: str, today: date) -> RuleViolation | None:
    """Check the embedded date of birth.

    :param yyyymmdd: Eight ASCII digits taken from positions 7-14.
    :param today: The reference date; births after it are rejected.
    :returns: ``None`` if plausible, else an ``id_number.birth_date`` violation
        whose ``reason`` param is ``"invalid"``, ``"too_early"`` or ``"future"``.
    """
    year, month, day = int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:])
    try:
        born = date(year, month, day)
    except ValueError:
        return RuleViolation("id_number.birth_date", {"reason": "invalid"})
    if born.year < ID_CARD_MIN_YEAR:
        return RuleViolation("id_number.birth_date", {"reason": "too_early"})
    if born > today:
        return RuleViolation("id_number.birth_date", {"reason": "future"})
    return None


def validate_id_card(value: str | None, today: date | None = None) -> RuleViolation | None:
    """Validate an 18-character resident ID card number (GB 11643-1999).

    :param value: The number as entered; a final ``x`` must be uppercase.
    :param today: Reference date for the "not in the future" rule;
        defaults to :meth:`date.today`.
    :returns: ``None`` if valid, else a violation with code
        ``id_number.required``, ``id_number.length``, ``id_number.lowercase_x``,
        ``id_number.format``, ``id_number.birth_date`` or ``id_number.check``.
    """
    if not value or not value.strip():
        return RuleViolation("id_number.required")
    if len(value) != ID_CARD_LENGTH:
        return RuleViolation(
            "id_number.length", {"expected": ID_CARD_LENGTH, "actual": len(value)}
        )
    body, last = value[:-1], value[-1]
    if not set(body) <= _DIGITS:
        return RuleViolation("id_number.format")
    if last == "x":
        return RuleViolation("id_number.lowercase_x")
    if last not in _DIGITS and last != "X":
        return RuleViolation("id_number.format")
    violation = _birth_date_violation(body[6:14], today or date.today())
    if violation is not None:
        return violation
    if id_check_char(body) != last:
        return RuleViolation("id_number.check")
    return None


def validate_passport(value: str | None) -> RuleViolation | None:
    """Validate a passport number: 5-20 ASCII letters or digits.

    :param value: The passport number as entered.
    :returns: ``None`` if valid, else ``id_number.required`` or
        ``id_number.passport_format`` (params ``min``/``max``).
    """
    if not value or not value.strip():
        return RuleViolation("id_number.required")
    if not PASSPORT_MIN <= len(value) <= PASSPORT_MAX or not set(value) <= _ASCII_LETTERS_DIGITS:
        return RuleViolation(
            "id_number.passport_format", {"min": PASSPORT_MIN, "max": PASSPORT_MAX}
        )
    return None


def validate_id_number(
    id_type: str, value: str | None, today: date | None = None
) -> RuleViolation | None:
    """Validate an identity document number according to its type.

    :param id_type: ``"id_card"`` or ``"passport"``.
    :param value: The document number as entered.
    :param today: Reference date for ID card birth-date checks;
        defaults to :meth:`date.today`.
    :returns: ``None`` if valid, ``id_number.type`` for an unknown type,
        otherwise the violation from :func:`validate_id_card` or
        :func:`validate_passport`.
    """
    if id_type == ID_TYPE_ID_CARD:
        return validate_id_card(value, today)
    if id_type == ID_TYPE_PASSPORT:
        return validate_passport(value)
    return RuleViolation("id_number.type", {"id_type": id_type})
