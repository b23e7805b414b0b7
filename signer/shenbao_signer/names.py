"""Reading an enterprise certificate's subject: the plain credit code behind ``NTRCN-``.

Here rather than in the server's code because the agent shows it too (its certificate list).
"""
from __future__ import annotations

from asn1crypto import x509

__all__ = ["NTR_PREFIX", "credit_code"]

NTR_PREFIX = "NTRCN-"  # ETSI EN 319 412-1: national trade register, China


def credit_code(subject: x509.Name) -> str | None:
    """The plain credit code a subject carries: organizationIdentifier without its ``NTRCN-``
    prefix (certificates issued before the prefix carry the bare code), else serialNumber."""
    values = subject.native
    identifier = values.get("organization_identifier")
    if isinstance(identifier, str) and identifier:
        return identifier[len(NTR_PREFIX):] if identifier.startswith(NTR_PREFIX) else identifier
    serial = values.get("serial_number")
    return serial if isinstance(serial, str) and serial else None
