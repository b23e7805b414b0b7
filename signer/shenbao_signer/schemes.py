"""Which signature scheme a key signs with, and which PKCS#11 mechanism carries it.

Pure functions over names: what the certificate's key is (RSA of n bits, EC on a named
curve), what the user asked for (PKCS#1 v1.5 or PSS for RSA) and what the token offers
(its C_GetMechanismList, as PyKCS11 names). Kept apart from the token code so the choice
can be tested without a token.
"""
from __future__ import annotations

from dataclasses import dataclass

from asn1crypto import algos, keys

__all__ = ["Scheme", "UnsupportedKey", "choose_scheme", "describe_key"]

# Digest per EC curve (FIPS 186-4 pairs a curve with the hash of matching strength).
_CURVE_DIGEST = {"secp256r1": "sha256", "secp384r1": "sha384", "secp521r1": "sha512"}
_CURVE_NAMES = {"secp256r1": "P-256", "secp384r1": "P-384", "secp521r1": "P-521"}
# Largest DER ECDSA-Sig-Value: two INTEGERs of the order's size plus a sign byte, plus headers.
_ECDSA_MAX_DER = {"secp256r1": 72, "secp384r1": 104, "secp521r1": 139}
_DIGEST_SIZE = {"sha256": 32, "sha384": 48, "sha512": 64}
_RSA_SCHEMES = ("pkcs1v15", "pss")


class UnsupportedKey(ValueError):
    """The key or the token cannot make a signature Shenbao accepts; the message says why."""


@dataclass(frozen=True)
class Scheme:
    """How to sign: the CMS algorithm and the token mechanism.

    ``prehash``: the mechanism takes the digest (CKM_ECDSA, CKM_RSA_PKCS with a DigestInfo,
    CKM_RSA_PKCS_PSS) rather than the data (CKM_ECDSA_SHA256, CKM_SHA256_RSA_PKCS, …).
    """

    kind: str  # "ecdsa" | "pkcs1v15" | "pss"
    digest: str
    mechanism: str
    prehash: bool
    max_signature_size: int

    def cms_algorithm(self) -> algos.SignedDigestAlgorithm:
        if self.kind == "ecdsa":
            return algos.SignedDigestAlgorithm({"algorithm": f"{self.digest}_ecdsa"})
        if self.kind == "pkcs1v15":
            return algos.SignedDigestAlgorithm({"algorithm": f"{self.digest}_rsa"})
        return algos.SignedDigestAlgorithm({
            "algorithm": "rsassa_pss",
            "parameters": algos.RSASSAPSSParams({
                "hash_algorithm": {"algorithm": self.digest},
                "mask_gen_algorithm": {"algorithm": "mgf1", "parameters": {"algorithm": self.digest}},
                "salt_length": _DIGEST_SIZE[self.digest],
            }),
        })

    @property
    def salt_length(self) -> int:
        return _DIGEST_SIZE[self.digest]


def describe_key(public_key: keys.PublicKeyInfo) -> str:
    """"RSA 2048", "EC P-256": what the user is shown in the certificate list."""
    if public_key.algorithm == "rsa":
        return f"RSA {public_key.bit_size}"
    if public_key.algorithm == "ec":
        curve = public_key.curve[1]
        return f"EC {_CURVE_NAMES.get(curve, curve)}"
    return public_key.algorithm.upper()


def choose_scheme(public_key: keys.PublicKeyInfo, offered: set[str] | frozenset[str],
                  rsa_scheme: str = "pkcs1v15") -> Scheme:
    """The scheme for this key, using a mechanism the token offers.

    A mechanism that hashes on the token is preferred (some tokens only sign what they hash
    themselves); the plain one with the digest computed here is the fallback.
    """
    if public_key.algorithm == "ec":
        curve = public_key.curve[1] if public_key.curve[0] == "named" else None
        if curve not in _CURVE_DIGEST:
            raise UnsupportedKey(f"EC curve {curve or 'with explicit parameters'} is not supported "
                                 f"(use {', '.join(_CURVE_NAMES.values())})")
        digest = _CURVE_DIGEST[curve]
        candidates = [(f"CKM_ECDSA_{digest.upper()}", False), ("CKM_ECDSA", True)]
        return _pick("ecdsa", digest, candidates, offered, _ECDSA_MAX_DER[curve])
    if public_key.algorithm == "rsa":
        if rsa_scheme not in _RSA_SCHEMES:
            raise UnsupportedKey(f"RSA scheme {rsa_scheme!r}: use one of {', '.join(_RSA_SCHEMES)}")
        bits = public_key.bit_size
        if bits < 2048:
            raise UnsupportedKey(f"RSA keys of {bits} bits are too weak to sign (2048 bits at least)")
        digest = "sha256"  # what every PDF reader checks; a longer key does not need a longer hash here
        if rsa_scheme == "pss":
            candidates = [(f"CKM_{digest.upper()}_RSA_PKCS_PSS", False), ("CKM_RSA_PKCS_PSS", True)]
        else:
            candidates = [(f"CKM_{digest.upper()}_RSA_PKCS", False), ("CKM_RSA_PKCS", True)]
        return _pick(rsa_scheme, digest, candidates, offered, (bits + 7) // 8)
    raise UnsupportedKey(f"{public_key.algorithm} keys cannot sign PDFs here (RSA or EC only)")


def _pick(kind: str, digest: str, candidates: list[tuple[str, bool]], offered, size: int) -> Scheme:
    for mechanism, prehash in candidates:
        if mechanism in offered:
            return Scheme(kind, digest, mechanism, prehash, size)
    wanted = " or ".join(m for m, _ in candidates)
    raise UnsupportedKey(f"the token offers neither {wanted} for this key")
