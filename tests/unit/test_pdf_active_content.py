"""Uploads: PDFs that would run something are refused, binary data that merely looks like it is not."""
from __future__ import annotations

from app.storage import _pdf_has_active_content


def _pdf(*objects: bytes, catalog_extra: bytes = b"") -> bytes:
    """A small PDF with a correct cross-reference table (objects numbered from 1, in order)."""
    objects = (b"1 0 obj << /Type /Catalog /Pages 2 0 R " + catalog_extra + b" >> endobj",
               b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj",
               b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] /Contents 4 0 R >> endobj",
               *objects)
    out, offsets = b"%PDF-1.4\n", []
    for obj in objects:
        offsets.append(len(out))
        out += obj + b"\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    return out + b"trailer << /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)


def _stream(data: bytes) -> bytes:
    return b"4 0 obj << /Length %d >> stream\n" % len(data) + data + b"\nendstream endobj"


def test_stream_bytes_that_spell_a_script_name_are_not_a_script():
    noise = bytes(range(256)) + b" /JS /Launch /JavaScript(" + bytes(range(255, -1, -1))
    assert not _pdf_has_active_content(_pdf(_stream(noise)))


def test_a_script_action_is_refused():
    action = b"5 0 obj << /Type /Action /S /JavaScript /JS (app.alert(1)) >> endobj"
    assert _pdf_has_active_content(_pdf(_stream(b"q Q"), action, catalog_extra=b"/OpenAction 5 0 R"))


def test_a_script_name_written_with_escapes_is_refused():
    action = b"5 0 obj << /Type /Action /S /JavaScr#69pt /J#53 (app.alert(1)) >> endobj"
    pdf = _pdf(_stream(b"q Q"), action, catalog_extra=b"/OpenAction 5 0 R")
    assert b"/JS" not in pdf
    assert _pdf_has_active_content(pdf)


def test_a_launch_action_is_refused():
    action = b"5 0 obj << /Type /Action /S /Launch /F (calc.exe) >> endobj"
    assert _pdf_has_active_content(_pdf(_stream(b"q Q"), action, catalog_extra=b"/OpenAction 5 0 R"))
