"""Translation helpers: rule violation codes -> message in the user's language."""
from __future__ import annotations

from flask_babel import gettext

from rules.violations import MESSAGES, RuleViolation


def violation_message(violation: RuleViolation) -> str:
    """The violation's message translated through the catalog (msgids are the English texts)."""
    template = MESSAGES.get(violation.code, violation.code)
    translated = gettext(template) if template else violation.code
    try:
        return translated.format(**violation.params)
    except (KeyError, IndexError, ValueError):
        return translated
