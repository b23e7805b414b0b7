"""Extraction markers for strings that reach ``gettext`` only at run time.

Nothing imports this module at run time: it exists only so that
``pybabel extract`` (see ``babel.cfg``) sees msgids that the application
passes to ``gettext``/``_`` through a variable, and which therefore cannot be
found by the extractor:

* the English templates in :data:`rules.violations.MESSAGES`, translated by
  :func:`app.i18n.violation_message` with ``gettext(template)``;
* the menu category and view names given to Flask-AppBuilder in
  :func:`views.register_views`, which FAB's navbar passes through ``_()``.

The strings must be *literals* for the extractor, so they are copied here by
hand.  ``tests/unit/test_translations.py`` fails if a rule message has no Simplified Chinese translation, so a string added to those tables
but not here is caught in CI.  Keep each text identical to its source,
``{placeholders}`` included.
"""
from __future__ import annotations


def N_(s: str) -> str:
    """Mark ``s`` for extraction without translating it (returns ``s`` unchanged)."""
    return s


#: Rule violation messages (``rules.violations.MESSAGES`` values).
RULE_MESSAGES: tuple[str, ...] = (
    # Unified social credit code (GB 32100-2015)
    N_("The unified social credit code is required."),
    N_("Letters in the unified social credit code must be uppercase."),
    N_("The unified social credit code must be exactly {expected} characters long."),
    N_("The unified social credit code contains an invalid character: {char!r}."),
    N_("The check character of the unified social credit code is wrong."),
    # Identity documents
    N_("Unknown identity document type: {id_type!r}."),
    N_("The identity document number is required."),
    N_("The ID card number must be exactly {expected} characters long."),
    N_("The ID card number must be 17 digits followed by a digit or an uppercase X."),
    N_("The final X of the ID card number must be uppercase."),
    N_("The ID card number contains an invalid date of birth."),
    N_("The check digit of the ID card number is wrong."),
    N_("The passport number must be {min} to {max} letters or digits."),
    # Password
    N_("The password must be {min} to {max} characters long."),
    N_("The password must contain both letters and digits."),
    N_("The password may contain only letters and digits."),
    # Contact details
    N_("The mobile number is required."),
    N_("The mobile number must be 11 digits starting with 1."),
    N_("The email address is required."),
    N_("The email address is not valid."),
    N_("The SMS verification code must be exactly {length} digits."),
    # Tech-SME rule sets (rules.sme.tables.RulesetError)
    N_('This value is required.'),
    N_('Unknown item {key!r}: not a field of a rule set.'),
    N_('Enter a whole number.'),
    N_('Enter a number (at most 4 decimal places).'),
    N_('Enter text.'),
    N_('Enter true or false.'),
    N_('Enter a list.'),
    N_('Enter a pair: a threshold and its points.'),
    N_('The first evaluation year must be between {min} and {max}.'),
    N_('The value must be greater than 0.'),
    N_('The value must be at least 1.'),
    N_('The value must not be negative.'),
    N_('Enter at least one band.'),
    N_('Each threshold must be lower than the one above it.'),
    N_('A percentage threshold must be between 0 and 100 with at most 4 decimal places.'),
    N_('A count threshold must be a whole number of at least 1.'),
    N_('The share must be between 0 and 1.'),
    N_('Give exactly one share for every form of R&D project.'),
    N_('Unknown form of R&D project: {value!r}.'),
    N_('Unknown kind of intellectual property: {value!r}.'),
    N_('A kind of intellectual property cannot be in class I and class II: {value}.'),
    N_('Unknown level: {value!r}.'),
    N_('Choose at least one level.'),
    N_('The pass mark must be between 1 and the highest total the bands give ({max} points).'),
    N_('A published rule set already applies from {year}: {source}.'),
)

#: Menu category and view names registered with Flask-AppBuilder (``views/__init__.py``).
MENU_LABELS: tuple[str, ...] = (
    # categories
    N_("Enterprise"),
    N_("Review"),
    N_("Reference Data"),
    N_("Account"),
    N_("Tech SME"),
    N_("Quality Benchmark"),
    N_("Organization Filing"),
    N_("Filing Review"),
    N_("Activities"),
    N_("Recommending Units"),
    N_("My Declarations"),
    N_("Declaration Review"),
    # view / link names
    N_("My Enterprise"),
    N_("Core Information Change"),
    N_("Progress"),
    N_("Enterprise Registrations"),
    N_("Core Information Changes"),
    N_("Email Changes"),
    N_("Workflow Log"),
    N_("Regions"),
    N_("Agencies"),
    N_("Industries"),
    N_("Technology Fields"),
    N_("Zones"),
    N_("Business Registry"),
    N_("Outbox"),
    N_("SME Evaluations"),
    N_("IP Registry"),
    N_("SME Review"),
    N_("Publicity Batches"),
    N_("Change Password"),
)

#: E-seal service: application states, key and document statuses, revocation reasons, kinds.
ESEAL_LABELS: tuple[str, ...] = (
    N_("Submitted, waiting for the papers and the remittance"),
    N_("Papers returned"),
    N_("Papers received, waiting for payment confirmation"),
    N_("Payment confirmed, waiting for key production"),
    N_("Key produced, waiting for shipment"),
    N_("Shipped"),
    N_("Renewed"),
    N_("Valid"),
    N_("Annual fee overdue"),
    N_("Expired"),
    N_("Revoked"),
    N_("Active"),
    N_("Key lost or compromised"),
    N_("No longer used"),
    N_("Replaced by a new key"),
    N_("Current"),
    N_("Superseded"),
    N_("Unknown"),
    N_("Tech-based SME registration certificate"),
    N_("National quality benchmark result"),
    N_("Certificate from a template"),
    N_("E-seal"),
    N_("My E-seals"),
    N_("Seal Applications"),
    N_("USB-Keys"),
    N_("Issued Certificates"),
    N_("Certificate Templates"),
    N_("Fee Schedule"),
    N_("Verify a Certificate"),
    # statistics groups (app.reports.statistics)
    N_("Not scored"),
    N_("Below 60"),
    N_("60–69"),
    N_("70–79"),
    N_("80–89"),
    N_("90–100"),
    N_("Not evaluated"),
    N_("First application"),
    N_("Replacement key"),
    N_("Reports"),
    N_("Statistics"),
)

#: Every msgid that reaches gettext dynamically.
DYNAMIC_MSGIDS: tuple[str, ...] = RULE_MESSAGES + MENU_LABELS + ESEAL_LABELS
