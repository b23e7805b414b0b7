"""Two measured adjustments to the PDF/ASN.1 libraries, applied when shenbao_signer.pades,
app.pki.verify or app.pki.tsa is imported (idempotent): the agent signs with timestamps too. Each says what it changes and the figure behind it.

1. asn1crypto's ``Asn1Value.dump`` reads ``self.contents`` up to three times (once for the
   value, again for the header, again per explicit tag). On a value built in memory (marked
   mutated, which it stays) each read re-encodes all children, so one dump costs 2–3^depth
   encodings. pyHanko's signature CMS with an RFC 3161 token inside is deep enough that one
   signing in five or so took 8–15 s instead of ~50 ms (bench/pki_sign_verify.py). The
   replacement reads the contents once; the bytes are the same.

2. pyHanko reads a hex string (``<...>``) one character at a time through
``read_non_whitespace``: about 1 µs a digit. A signature's /Contents is a hex string of
10–20 thousand digits (a CMS with certificates and a timestamp token, plus the reserve),
and validating a PAdES B-LTA file parses each /Contents several times (one per revision the
difference analysis looks at): 53 → 23 ms per verification of an issued certificate
(bench/verify_page.py). The replacement reads up to the closing ``>`` in blocks and decodes
at once; it accepts and refuses exactly what the original does (tests/unit/test_pki_library_patches.py),
except that a ``%`` inside a hex string is an error here, not a comment (ISO 32000 allows
only hex digits and white space there).
"""
from __future__ import annotations

import binascii
import re

from asn1crypto import core as asn1_core
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.misc import PdfStreamError

_ORIGINAL_DUMP = asn1_core.Asn1Value.dump


def asn1_dump(self, force=False):  # noqa: ANN001, ANN201 - asn1crypto's signature
    """``asn1crypto.core.Asn1Value.dump`` with the contents computed once (see 1. above)."""
    contents = self.contents
    # As the original: a header ending in 0x80 may be an indefinite length: re-encode it.
    if self._header is not None and self._header[-1:] == b"\x80":
        force = True
    if self._header is None or force:
        if isinstance(self, asn1_core.Constructable) and self._indefinite:
            self.method = 0
        header = asn1_core._dump_header(self.class_, self.method, self.tag, contents)  # noqa: SLF001
        if self.explicit is not None:
            for class_, tag in self.explicit:
                header = asn1_core._dump_header(class_, 1, tag, header + contents) + header  # noqa: SLF001
        self._header = header
        self._trailer = b""
    return self._header + contents + self._trailer



_ORIGINAL = generic.read_hex_string_from_stream
_WHITESPACE = re.compile(rb"[\x00\t\n\x0c\r ]+")
_NOT_HEX = re.compile(rb"[^0-9A-Fa-f\x00\t\n\x0c\r ]")
_BLOCK = 16384


def read_hex_string_from_stream(stream):  # noqa: ANN001, ANN201 - pyHanko's signature
    """Drop-in for ``pyhanko.pdf_utils.generic.read_hex_string_from_stream``."""
    stream.read(1)  # the opening "<"
    start = stream.tell()
    parts = []
    while True:
        block = stream.read(_BLOCK)
        if not block:
            raise PdfStreamError("Stream ended prematurely")
        end = block.find(b">")
        if end >= 0:
            parts.append(block[:end])
            break
        parts.append(block)
    body = b"".join(parts)
    stream.seek(start + len(body) + 1)  # just past the closing ">"
    bad = _NOT_HEX.search(body)
    if bad is not None:
        raise PdfStreamError("Unexpected token in hex string: " + repr(bad.group()))
    digits = _WHITESPACE.sub(b"", body)
    if len(digits) % 2:
        digits += b"0"  # ISO 32000 §7.3.4.3: a missing final digit is 0
    return generic.pdf_string(binascii.unhexlify(digits))


def apply() -> None:
    """Install both (idempotent)."""
    asn1_core.Asn1Value.dump = asn1_dump
    generic.read_hex_string_from_stream = read_hex_string_from_stream


def original_read_hex_string_from_stream(stream):  # noqa: ANN001, ANN201
    """pyHanko's own reader, for the equivalence test."""
    return _ORIGINAL(stream)
