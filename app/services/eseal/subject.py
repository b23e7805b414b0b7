"""A key certificate's subject (主题) as its holder reads it: one labelled line per name
attribute (单位名称, 统一社会信用代码…) instead of the English distinguished name."""
from __future__ import annotations

from asn1crypto import x509
from flask_babel import lazy_gettext as _l

from app.pki.x509 import credit_code

# Attribute (asn1crypto's name for the DN attribute type) -> label, in the order shown.
LABELS = {
    "organization_name": _l("Name of the organization"),           # O
    "common_name": _l("Common name"),                               # CN
    "organization_identifier": _l("Unified social credit code"),   # organizationIdentifier
    "organizational_unit_name": _l("Organizational unit"),          # OU
    "serial_number": _l("Subject serial number"),                   # serialNumber
    "locality_name": _l("City"),                                    # L
    "state_or_province_name": _l("Province"),                       # ST
    "country_name": _l("Country"),                                  # C
}
COUNTRIES = {"CN": _l("China")}


def subject_lines(der: bytes) -> list[tuple[str, str]]:
    """(label, value) for each attribute of the certificate's subject."""
    return name_lines(x509.Certificate.load(der).subject)


def name_lines(name: x509.Name) -> list[tuple[str, str]]:
    """(label, value) for each attribute of a name. The common name is left out where it only
    repeats the organization name, the serial number where it only repeats the credit code."""
    values: dict[str, list[str]] = {}
    for rdn in name.chosen:
        for attribute in rdn:
            values.setdefault(attribute["type"].native, []).append(str(attribute["value"].native))
    if values.get("common_name") == values.get("organization_name"):
        values.pop("common_name", None)
    # organizationIdentifier reads as the plain credit code (NTRCN-… is for machines); a
    # serialNumber repeating that code is not shown twice.
    if "organization_identifier" in values:
        code = credit_code(name)
        values["organization_identifier"] = [code] if code else values["organization_identifier"]
        if values.get("serial_number") == [code]:
            values.pop("serial_number")
    known = [name for name in LABELS if name in values]
    others = [name for name in values if name not in LABELS]
    lines = []
    for name in known + others:
        label = str(LABELS[name]) if name in LABELS else name
        for value in values[name]:
            if name == "country_name":
                value = str(COUNTRIES.get(value, value))
            lines.append((label, value))
    return lines


def holder_name(der: bytes) -> str:
    """The name the subject gives its holder (the organization, else the common name)."""
    subject = x509.Certificate.load(der).subject.native
    return str(subject.get("organization_name") or subject.get("common_name") or "")
