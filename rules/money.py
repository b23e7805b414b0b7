"""Amounts in 万元 as the forms ask for them (pure Python): what exactly is wrong with one."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

#: 万元 are entered with at most 4 decimal places (to the yuan).
WAN_DECIMALS = 4
#: Above this an amount is a typo (and beyond what the columns hold).
WAN_LIMIT = Decimal("1e14")


def wan_amount_problem(text: str | None, *, signed: bool = False) -> str | None:
    """None for an acceptable amount, else the reason, checked in this order:
    ``"format"`` (not a number), ``"negative"`` (below 0 where only ``signed`` amounts such as a
    profit may be), ``"decimals"`` (more than 4 decimal places), ``"too_large"``.
    """
    try:
        amount = Decimal((text or "").strip())
    except InvalidOperation:
        return "format"
    if not amount.is_finite():
        return "format"
    if amount < 0 and not signed:
        return "negative"
    if amount.as_tuple().exponent < -WAN_DECIMALS:
        return "decimals"
    if abs(amount) >= WAN_LIMIT:
        return "too_large"
    return None
