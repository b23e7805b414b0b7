"""Object identifiers of the platform's certificate and time-stamp policies.

The platform has no registered enterprise number, so its arc is a UUID arc (2.25.<UUID as an
integer>, RFC 4122 / ITU-T X.667): unique without registration. docs/pki.md says what each
policy covers.
"""
from __future__ import annotations

POLICY_ARC = "2.25.322159998160228758299844782032188568674"

POLICY_ESEAL = f"{POLICY_ARC}.1.1"    # enterprise e-seal (USB-Key) certificate
POLICY_DOCSIGN = f"{POLICY_ARC}.1.2"  # the platform's document-signing certificate
POLICY_TSU = f"{POLICY_ARC}.1.3"      # time-stamping unit certificate
POLICY_OCSP = f"{POLICY_ARC}.1.4"     # OCSP responder certificate (none made: the issuing CA answers)

TSA_POLICY = f"{POLICY_ARC}.2.1"      # TSTInfo.policy of the platform's time-stamp authority

# Certificate extension (non-critical OCTET STRING): SHA-256 of the seal image issued with the key,
# so a signing tool can refuse a seal picture swapped on the token. Defined by the signing agent,
# which must read it without the server's code.
from shenbao_signer.seal import SEAL_IMAGE_SHA256_OID as SEAL_IMAGE_SHA256  # noqa: E402
