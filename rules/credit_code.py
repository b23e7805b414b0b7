"""Unified social credit code (统一社会信用代码), GB 32100-2015.

The code has 18 characters: a registration-authority code, an
organisation-category code, a 6-digit administrative division code, a
9-character organisation code and a check character.  Every character is
taken from a 31-symbol alphabet (digits and uppercase letters except
I, O, S, V and Z).  Codes may start with a letter (e.g. ``N`` or ``Y``
registration authorities), so only the alphabet is enforced, not digits.
"""

from __future__ import annotations

from rules.violations import RuleViolation

#: The 31 symbols, in value order (the index of a symbol is its value).
CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"

#: Weights for positions 1..17: ``3**i % 31`` for ``i`` in ``0..16``.
CREDIT_CODE_WEIGHTS: tuple[int, ...] = (
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
)

#: Total length of a unified social credit code.
CREDIT_CODE_LENGTH = 18

_VALUES = {char: index for index, char in enumerate(CREDIT_CODE_ALPHABET)}
_ASCII_LOWERCASE = frozenset("abcdefghijklmnopqrstuvwxyz")


def credit_code_check_char(first17: str) -> str:
    """Compute the check character for the first 17 characters of a code.

    :param first17: The first 17 characters, uppercase, from
        :data:`CREDIT_CODE_ALPHABET`.
    :returns: The 18th (check) character.
    :raises ValueError: If ``first17`` is not 17 characters long or contains
        a character outside the alphabet.
    """
    if len(first17) != CREDIT_CODE_LENGTH - 1:
        raise ValueError(f"expected 17 characters, got {len(first17)}")
    total = 0
    for char, weight in zip(first17, CREDIT_CODE_WEIGHTS):
        value = _VALUES.get(char)
        if value is None:
            raise ValueError(f"invalid credit code character: {char!r}")
        total += value * weight
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def make_credit_code(first17: str) -> str:
    """Complete a credit code by appending its check character.

    Intended for test factories and fixtures.

    :param first17: The first 17 characters (see :func:`credit_code_check_char`).
    :returns: The full, valid 18-character code.
    :raises ValueError: If ``first17`` is malformed.
    """
    return first17 + credit_code_check_char(first17)


def validate_credit_code(value: str | None) -> RuleViolation | None:
    """Validate a unified social credit code.

    The value is checked as given: lowercase letters are rejected rather than
    silently upper-cased, because the manual requires uppercase letters.

    :param value: The code as entered.
    :returns: ``None`` if the code is valid, otherwise a :class:`RuleViolation`
        with code ``credit_code.required``, ``credit_code.lowercase``,
        ``credit_code.length``, ``credit_code.charset`` or ``credit_code.check``.
    """
    if not value or not value.strip():
        return RuleViolation("credit_code.required")
    if any(char in _ASCII_LOWERCASE for char in value):
        return RuleViolation("credit_code.lowercase")
    if len(value) != CREDIT_CODE_LENGTH:
        return RuleViolation(
            "credit_code.length",
            {"expected": CREDIT_CODE_LENGTH, "actual": len(value)},
        )
    for position, char in enumerate(value, start=1):
        if char not in _VALUES:
            return RuleViolation(
                "credit_code.charset", {"char": char, "position": position}
            )
    if credit_code_check_char(value[:-1]) != value[-1]:
        return RuleViolation("credit_code.check")
    return None
