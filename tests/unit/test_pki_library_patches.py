"""The library adjustments change speed only: the fast hex-string reader reads what pyHanko's own
reader reads and refuses what it refuses; the asn1crypto dump gives the same bytes."""
from __future__ import annotations

import io

import pytest
from pyhanko.pdf_utils.misc import PdfStreamError

from shenbao_signer import library_patches


@pytest.mark.parametrize("source", [
    b"<48656C6C6F>", b"<48656c6c6f> trailing", b"<>", b"<4>", b"<486>", b"<48 65\n6C\r\n6C\t6F\x0c>",
    b"<" + b"ab" * 20000 + b">rest", b"<" + b"0" * 16383 + b">", b"<FEFF00480069>",
])
def test_same_value_and_position_as_pyhanko(source):
    ours, theirs = io.BytesIO(source), io.BytesIO(source)
    assert library_patches.read_hex_string_from_stream(ours) == \
        library_patches.original_read_hex_string_from_stream(theirs)
    assert ours.tell() == theirs.tell()


@pytest.mark.parametrize("source", [b"<48656G>", b"<4865", b"<48/65>", b"<48(65)>"])
def test_same_refusals_as_pyhanko(source):
    with pytest.raises(PdfStreamError):
        library_patches.original_read_hex_string_from_stream(io.BytesIO(source))
    with pytest.raises(PdfStreamError):
        library_patches.read_hex_string_from_stream(io.BytesIO(source))


def test_installed_by_the_verifier_and_the_tsa():
    from asn1crypto import core
    from pyhanko.pdf_utils import generic

    import app.pki.tsa  # noqa: F401 - installs them
    import app.pki.verify  # noqa: F401

    assert generic.read_hex_string_from_stream is library_patches.read_hex_string_from_stream
    assert core.Asn1Value.dump is library_patches.asn1_dump


def _built_values():
    """Values built in memory (mutated), with explicit tags, defaults and SET OF sorting."""
    import datetime as dt

    from asn1crypto import algos, cms, tsp, x509

    name = x509.Name.build({"country_name": "CN", "common_name": "时间戳 TSA", "organization_name": "申报"})
    info = tsp.TSTInfo({
        "version": "v1", "policy": "2.25.1.2.1", "serial_number": 2 ** 100 + 128,
        "message_imprint": {"hash_algorithm": {"algorithm": "sha256"}, "hashed_message": b"\x80" * 32},
        "gen_time": dt.datetime(2026, 12, 4, tzinfo=dt.timezone.utc), "accuracy": {"seconds": 1}, "nonce": 128,
        "tsa": x509.GeneralName(name="directory_name", value=name)})
    attrs = cms.CMSAttributes([
        {"type": "content_type", "values": ["tst_info"]},
        {"type": "message_digest", "values": [b"\x01" * 32]},
    ])
    content = cms.ContentInfo({"content_type": "signed_data", "content": {
        "version": "v3", "digest_algorithms": [{"algorithm": "sha256"}],
        "encap_content_info": {"content_type": "tst_info", "content": cms.ParsableOctetString(info.dump())},
        "signer_infos": [{"version": "v1", "sid": {"issuer_and_serial_number": {"issuer": name, "serial_number": 5}},
                          "digest_algorithm": {"algorithm": "sha256"}, "signed_attrs": attrs,
                          "signature_algorithm": algos.SignedDigestAlgorithm({"algorithm": "sha256_ecdsa"}),
                          "signature": b"\x80" * 128}]}})
    return [name, info, attrs, content]


def test_asn1_dump_gives_the_same_bytes(monkeypatch):
    from asn1crypto import cms, core

    monkeypatch.setattr(core.Asn1Value, "dump", library_patches.asn1_dump)
    ours = [v.dump() for v in _built_values()]
    monkeypatch.setattr(core.Asn1Value, "dump", library_patches._ORIGINAL_DUMP)  # noqa: SLF001
    theirs = [v.dump() for v in _built_values()]
    assert ours == theirs
    assert cms.ContentInfo.load(ours[-1]).native == _built_values()[-1].native
    assert len(theirs[-1]) > 300
