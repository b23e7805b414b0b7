"""The signature scheme follows the key and what the token offers (C_GetMechanismList)."""
from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from asn1crypto import keys

from shenbao_signer.schemes import UnsupportedKey, choose_scheme, describe_key

SOFTHSM = {"CKM_ECDSA", "CKM_RSA_PKCS", "CKM_RSA_PKCS_PSS", "CKM_SHA256_RSA_PKCS", "CKM_SHA256_RSA_PKCS_PSS"}


def _spki(private_key) -> keys.PublicKeyInfo:
    der = private_key.public_key().public_bytes(serialization.Encoding.DER,
                                                serialization.PublicFormat.SubjectPublicKeyInfo)
    return keys.PublicKeyInfo.load(der)


RSA2048 = _spki(rsa.generate_private_key(public_exponent=65537, key_size=2048))
P256 = _spki(ec.generate_private_key(ec.SECP256R1()))
P384 = _spki(ec.generate_private_key(ec.SECP384R1()))


def test_the_token_hashes_when_it_can():
    scheme = choose_scheme(RSA2048, SOFTHSM)
    assert (scheme.mechanism, scheme.prehash, scheme.max_signature_size) == ("CKM_SHA256_RSA_PKCS", False, 256)
    assert scheme.cms_algorithm()["algorithm"].native == "sha256_rsa"


def test_a_token_without_hashing_mechanisms_gets_the_digest():
    scheme = choose_scheme(RSA2048, {"CKM_RSA_PKCS"})
    assert (scheme.mechanism, scheme.prehash) == ("CKM_RSA_PKCS", True)


def test_pss_carries_its_parameters():
    scheme = choose_scheme(RSA2048, SOFTHSM, "pss")
    algorithm = scheme.cms_algorithm()
    assert scheme.mechanism == "CKM_SHA256_RSA_PKCS_PSS"
    assert algorithm["algorithm"].native == "rsassa_pss"
    assert algorithm["parameters"]["salt_length"].native == 32


def test_ec_curves_pick_their_digest():
    assert (choose_scheme(P256, SOFTHSM).digest, choose_scheme(P384, SOFTHSM).digest) == ("sha256", "sha384")
    assert choose_scheme(P384, {"CKM_ECDSA", "CKM_ECDSA_SHA384"}).mechanism == "CKM_ECDSA_SHA384"
    assert describe_key(P384) == "EC P-384" and describe_key(RSA2048) == "RSA 2048"


def test_what_cannot_sign_is_said():
    with pytest.raises(UnsupportedKey, match="neither CKM_ECDSA_SHA256 or CKM_ECDSA"):
        choose_scheme(P256, {"CKM_RSA_PKCS"})
    with pytest.raises(UnsupportedKey, match="too weak"):
        choose_scheme(_spki(rsa.generate_private_key(public_exponent=65537, key_size=1024)), SOFTHSM)
    with pytest.raises(UnsupportedKey, match="RSA scheme"):
        choose_scheme(RSA2048, SOFTHSM, "raw")
