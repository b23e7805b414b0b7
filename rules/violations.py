"""The value returned by every validator in :mod:`rules` when a rule is broken.

Validators return ``None`` when the value is acceptable and a
:class:`RuleViolation` otherwise.  The ``code`` is a stable identifier
(e.g. ``"credit_code.length"``) that the application translates into
Chinese; :attr:`RuleViolation.default_message` is an English fallback
intended for logs, tests and developers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: English fallback messages, keyed by violation code.  Templates are
#: formatted with the violation's ``params`` using :meth:`str.format`.
MESSAGES: dict[str, str] = {
    # Unified social credit code (GB 32100-2015)
    "credit_code.required": "The unified social credit code is required.",
    "credit_code.lowercase": "Letters in the unified social credit code must be uppercase.",
    "credit_code.length": "The unified social credit code must be exactly {expected} characters long.",
    "credit_code.charset": "The unified social credit code contains an invalid character: {char!r}.",
    "credit_code.check": "The check character of the unified social credit code is wrong.",
    # Identity documents
    "id_number.type": "Unknown identity document type: {id_type!r}.",
    "id_number.required": "The identity document number is required.",
    "id_number.length": "The ID card number must be exactly {expected} characters long.",
    "id_number.format": "The ID card number must be 17 digits followed by a digit or an uppercase X.",
    "id_number.lowercase_x": "The final X of the ID card number must be uppercase.",
    "id_number.birth_date": "The ID card number contains an invalid date of birth.",
    "id_number.check": "The check digit of the ID card number is wrong.",
    "id_number.passport_format": "The passport number must be {min} to {max} letters or digits.",
    # Password
    "password.length": "The password must be {min} to {max} characters long.",
    "password.needs_letter_and_digit": "The password must contain both letters and digits.",
    "password.charset": "The password may contain only letters and digits.",
    # Contact details
    "mobile.required": "The mobile number is required.",
    "mobile.format": "The mobile number must be 11 digits starting with 1.",
    "email.required": "The email address is required.",
    "email.format": "The email address is not valid.",
    "sms_code.format": "The SMS verification code must be exactly {length} digits.",
    # Tech-SME rule sets (rules.sme.tables.Ruleset, rules.sme.ruleset_json)
    "ruleset.required": "This value is required.",
    "ruleset.unknown_key": "Unknown item {key!r}: not a field of a rule set.",
    "ruleset.integer": "Enter a whole number.",
    "ruleset.number": "Enter a number (at most 4 decimal places).",
    "ruleset.text": "Enter text.",
    "ruleset.boolean": "Enter true or false.",
    "ruleset.list": "Enter a list.",
    "ruleset.pair": "Enter a pair: a threshold and its points.",
    "ruleset.year_range": "The first evaluation year must be between {min} and {max}.",
    "ruleset.positive": "The value must be greater than 0.",
    "ruleset.at_least_one": "The value must be at least 1.",
    "ruleset.non_negative": "The value must not be negative.",
    "ruleset.bands_empty": "Enter at least one band.",
    "ruleset.bands_descending": "Each threshold must be lower than the one above it.",
    "ruleset.percent_range": "A percentage threshold must be between 0 and 100 with at most 4 decimal places.",
    "ruleset.count_whole": "A count threshold must be a whole number of at least 1.",
    "ruleset.factor_range": "The share must be between 0 and 1.",
    "ruleset.forms": "Give exactly one share for every form of R&D project.",
    "ruleset.unknown_form": "Unknown form of R&D project: {value!r}.",
    "ruleset.unknown_kind": "Unknown kind of intellectual property: {value!r}.",
    "ruleset.kind_in_both": "A kind of intellectual property cannot be in class I and class II: {value}.",
    "ruleset.unknown_level": "Unknown level: {value!r}.",
    "ruleset.levels_empty": "Choose at least one level.",
    "ruleset.pass_score_range": "The pass mark must be between 1 and the highest total the bands give ({max} points).",
    "ruleset.year_taken": "A published rule set already applies from {year}: {source}.",
}


@dataclass(frozen=True)
class RuleViolation:
    """A broken business rule.

    :param code: Stable machine-readable identifier, e.g. ``"credit_code.check"``.
    :param params: Values that help render a message (limits, offending
        character, ...).  Keys are identifiers, values are plain data.
    """

    code: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def default_message(self) -> str:
        """English fallback message for this violation.

        :returns: The formatted template for :attr:`code`, or the code itself
            when the code is unknown or the template cannot be formatted
            with :attr:`params`.
        """
        template = MESSAGES.get(self.code)
        if template is None:
            return self.code
        try:
            return template.format(**self.params)
        except (KeyError, IndexError, ValueError):
            return template

    def __str__(self) -> str:
        """:returns: The code followed by the default message."""
        return f"{self.code}: {self.default_message}"
