"""The Decimal context of the Tech-SME scorer and how its figures are written.

:func:`rules.sme.scoring.evaluate` does its Decimal arithmetic with :data:`DECIMAL_CONTEXT`
current (in a :class:`contextvars.Context` of its own, so the caller's is never touched); code that runs outside it (compiling a rule set,
formatting) names the context in each operation, so the caller's context never matters.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, Context, Decimal, DivisionByZero, InvalidOperation, Overflow

#: The scorer's context.  60 significant digits is far beyond what the interchange accepts
#: (at most 10^15 万元 with 4 decimals, so at most about 26 digits in any sum, product or
#: scaled quotient), so nothing rounds; absurd inputs built by hand raise
#: :class:`~decimal.InvalidOperation` rather than score wrongly.
DECIMAL_CONTEXT = Context(prec=60, traps=[InvalidOperation, DivisionByZero, Overflow])
_Q4 = Decimal("0.0001")


def format_decimal(value: Decimal) -> str:
    """Plain notation without trailing zeros: ``Decimal("2.50")`` → ``"2.5"``.

    :param value: Any finite Decimal.
    :returns: The value without exponent or trailing fractional zeros.
    """
    return format(value.normalize(DECIMAL_CONTEXT), "f")


def format_ratio(ratio: Decimal | None) -> str | None:
    """Render a percentage with at most 4 decimals.

    Extra digits are truncated, not rounded, so a displayed ratio never seems
    to reach a band it missed (29.99999% shows as ``"29.9999"``).

    :param ratio: A percentage, or ``None``.
    :returns: E.g. ``"2"``, ``"33.3333"``; ``None`` for ``None``.
    """
    if ratio is None:
        return None
    return format_decimal(ratio.quantize(_Q4, rounding=ROUND_DOWN, context=DECIMAL_CONTEXT))
