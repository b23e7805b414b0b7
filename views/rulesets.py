"""The rules administrator's Tech-SME rule sets (评价规则集): list, show, draft form, transitions."""
from __future__ import annotations


def register(appbuilder) -> None:
    """Add the rule-set views (menu "Rule Sets" under Tech SME)."""
