"""QR codes for printed documents, as ``data:`` URIs an ``<img>`` in a template can show.

xhtml2pdf's resource policy (see :func:`app.documents.pdf._policy`) forbids network and local
file reads, but a ``data:`` URI is part of the document itself and is allowed by it, so the
picture travels inside the HTML and nothing is fetched.
"""
from __future__ import annotations

import base64
import io

import qrcode
from qrcode.constants import ERROR_CORRECT_M


def qr_png(text: str, *, box_size: int = 4) -> bytes:
    """A QR code of ``text`` as PNG bytes (error correction M, 2-module quiet zone).

    :param text: what the code encodes, e.g. a verification URL.
    :param box_size: pixels per module; the printed size is set by the template, so this only
        governs the sharpness of the bitmap.
    """
    if box_size < 1:
        raise ValueError("box_size must be at least 1")
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=box_size, border=2)
    qr.add_data(text)
    qr.make(fit=True)
    image = qr.make_image(fill_color="black", back_color="white")
    out = io.BytesIO()
    image.save(out)  # qrcode's default (Pillow) image factory writes PNG
    return out.getvalue()


def qr_data_uri(text: str, *, box_size: int = 4) -> str:
    """A QR code of ``text`` as ``data:image/png;base64,...`` (error correction M, border 2)."""
    return "data:image/png;base64," + base64.b64encode(qr_png(text, box_size=box_size)).decode("ascii")
