"""PAdES signing of PDFs with a key that stays on the PKCS#11 token.

:class:`CallbackSigner` is a pyHanko ``Signer`` whose raw signature comes from the
token (any key the scheme describes: RSA PKCS#1 v1.5 or PSS, ECDSA);
:func:`sign_pdf` applies it as an incremental update, optionally with a visible
stamp showing the seal image and a line of text.
"""
from __future__ import annotations

import io
import re
import zlib
from collections.abc import Callable, Iterable
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import tzlocal
from asn1crypto import x509
from pyhanko.pdf_utils.font.api import FontEngineFactory
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError
from pyhanko.sign.timestamps.api import TimeStamper
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from . import library_patches
from .schemes import Scheme

library_patches.apply()

__all__ = ["CallbackSigner", "DEFAULT_CJK_FONT", "cjk_font", "sign_pdf", "subset_font"]

DEFAULT_CJK_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
# Where the usual systems keep a font with Chinese glyphs (first found wins).
_CJK_FONT_CANDIDATES = (
    DEFAULT_CJK_FONT,
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("C:/Windows/Fonts/msyh.ttc"),
    Path("C:/Windows/Fonts/simsun.ttc"),
    Path("/System/Library/Fonts/PingFang.ttc"),
    Path("/System/Library/Fonts/STHeiti Medium.ttc"),
)

_TS_FORMAT = "%Y-%m-%d %H:%M:%S %z"  # an offset, not a zone name (Windows names are long)
_DEFAULT_STAMP_TEXT = "%(signer)s\n%(ts)s"
_STAMP_FONT_SIZE = 9
_STAMP_LEADING = 11
_STAMP_MARGIN = 2
_DEFAULT_SEAL_SIZE = 120  # points: a 4.2 cm seal, the usual size of a company seal


class CallbackSigner(signers.Signer):
    """pyHanko signer whose raw signature comes from a callable (a key on a token).

    ``sign(data, digest_algorithm)`` returns the CMS signature value in ``scheme``;
    ``chain`` holds the issuing CA certificates (and the root if wanted) so validators can
    build the path from the CMS alone.
    """

    def __init__(
        self,
        sign: Callable[[bytes, str], bytes],
        *,
        scheme: Scheme,
        signing_cert: x509.Certificate,
        chain: Iterable[x509.Certificate] = (),
        embed_roots: bool = True,
    ) -> None:
        self._sign = sign
        self.scheme = scheme
        # Re-parse from DER: certificates built in memory by asn1crypto carry no cached
        # encoding, and pyHanko copies them into the CMS for the dry run and the real
        # signature, re-encoding them field by field each time (~10 ms per signature).
        signing_cert = x509.Certificate.load(signing_cert.dump())
        chain = [x509.Certificate.load(c.dump()) for c in chain]
        super().__init__(
            signing_cert=signing_cert,
            cert_registry=SimpleCertificateStore.from_certs(chain),
            signature_mechanism=scheme.cms_algorithm(),
            embed_roots=embed_roots,
        )

    async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run: bool = False) -> bytes:
        if dry_run:
            # pyHanko sizes the /Contents placeholder from this; real ECDSA signatures vary.
            return b"\x00" * self.scheme.max_signature_size
        if digest_algorithm.lower() != self.scheme.digest:
            # The token side hashes with the scheme's digest; any other would silently
            # produce a signature that does not match the signed attributes.
            raise SigningError(f"this key signs {self.scheme.digest} digests, not {digest_algorithm}")
        # Synchronous on purpose: a token signature takes milliseconds at most, and a
        # PyKCS11 session must not be used from several threads at once.
        return self._sign(data, digest_algorithm)


@lru_cache(maxsize=8)
def _hb_face(font_path: str, face_index: int):  # noqa: ANN202 - uharfbuzz.Face
    """HarfBuzz face of a font file (or one face of a .ttc), kept per process.

    The blob is memory-mapped, so this is cheap and shared by all signatures.
    """
    import uharfbuzz as hb

    if not Path(font_path).is_file():
        raise FileNotFoundError(
            f"CJK font {font_path} not found: install Debian package fonts-wqy-zenhei or pass font_path"
        )
    return hb.Face(hb.Blob.from_file_path(font_path), face_index)


def subset_font(text: str, font_path: Path = DEFAULT_CJK_FONT, face_index: int = 0) -> bytes:
    """A single-face font (bytes) holding just the glyphs of ``text``.

    pyHanko's font engine rejects .ttc collections and parses its whole font for each
    signature (≈0.5 s load + 0.5 s subsetting for the 11 MB WenQuanYi face);
    HarfBuzz cuts the subset straight out of the collection in about a millisecond,
    and pyHanko then works on a few kB.
    """
    import uharfbuzz as hb

    inp = hb.SubsetInput()
    inp.sets(hb.SubsetInputSets.UNICODE).update({ord(ch) for ch in text} | {0x20})
    return hb.subset(_hb_face(str(font_path), face_index), inp).blob.data


class _SubsetFontFactory(FontEngineFactory):
    """Font engine factory embedding a ready-made subset font."""

    def __init__(self, font_bytes: bytes, font_size: int) -> None:
        self.font_bytes = font_bytes
        self.font_size = font_size

    def create_font_engine(self, writer, obj_stream=None):  # noqa: ANN001, ANN201 - pyHanko API
        from pyhanko.pdf_utils.font.opentype import GlyphAccumulator

        if obj_stream is None and writer.stream_xrefs:
            obj_stream = writer.prepare_object_stream()
        return GlyphAccumulator(
            writer=writer,
            font_handle=io.BytesIO(self.font_bytes),
            font_size=self.font_size,
            obj_stream=obj_stream,
        )


def _fill_stamp_text(template: str | None, signer: signers.Signer) -> str:
    """Fill %(signer)s / %(ts)s here (not in pyHanko) so the font subset can be cut
    to exactly the characters drawn. A lone "%" in the template stays literal."""
    cert = signer.signing_cert
    subject = cert.subject.native if cert is not None else {}
    params = {
        "signer": subject.get("common_name") or subject.get("organization_name") or "",
        "ts": datetime.now(tz=tzlocal.get_localzone()).strftime(_TS_FORMAT),
    }
    escaped = re.sub(r"%(?![(%])", "%%", _DEFAULT_STAMP_TEXT if template is None else template)
    return escaped % params


@lru_cache(maxsize=32)
def _encoded_seal(png: bytes) -> tuple[int, int, bytes, bytes]:
    """(width, height, Flate RGB, Flate alpha) of a seal PNG, computed once per image.

    pyHanko re-splits and re-compresses the image for every signature (~10 ms for a
    400 px seal); the seal of an enterprise is the same each time.
    """
    from PIL import Image

    image = Image.open(io.BytesIO(png))
    image = image.convert("RGBA")
    alpha = image.getchannel("A")
    rgb = image.convert("RGB")
    return image.width, image.height, zlib.compress(rgb.tobytes(), 6), zlib.compress(alpha.tobytes(), 6)


def _seal_background(png: bytes):  # noqa: ANN202 - pyhanko PdfImage subclass
    from PIL import Image
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.generic import pdf_name
    from pyhanko.pdf_utils.images import PdfImage
    from pyhanko.pdf_utils.layout import BoxConstraints

    width, height, rgb_data, alpha_data = _encoded_seal(png)

    def _xobject(colour_space: str, data: bytes, smask=None):  # noqa: ANN001, ANN202
        entries = {
            pdf_name("/Type"): pdf_name("/XObject"),
            pdf_name("/Subtype"): pdf_name("/Image"),
            pdf_name("/Width"): generic.NumberObject(width),
            pdf_name("/Height"): generic.NumberObject(height),
            pdf_name("/ColorSpace"): pdf_name(colour_space),
            pdf_name("/BitsPerComponent"): generic.NumberObject(8),
            pdf_name("/Filter"): pdf_name("/FlateDecode"),
        }
        if smask is not None:
            entries[pdf_name("/SMask")] = smask
        return generic.StreamObject(generic.DictionaryObject(entries), encoded_data=data)

    class _PrecompressedImage(PdfImage):
        @property
        def image_ref(self):  # noqa: ANN202
            ref = self._image_ref
            if ref is None or ref.get_pdf_handler() is not self.writer:
                smask = self.writer.add_object(_xobject("/DeviceGray", alpha_data))
                ref = self.writer.add_object(_xobject("/DeviceRGB", rgb_data, smask))
                self._image_ref = ref
            return ref

    # PdfImage only needs the PIL image for its size here: a 1x1 stand-in avoids
    # decoding the PNG again.
    return _PrecompressedImage(Image.new("RGB", (1, 1)), box=BoxConstraints(width, height))


def _text_band(text_value: str) -> int:
    """Height in points of the text band under the seal."""
    return (text_value.count("\n") + 1) * _STAMP_LEADING + 2 * _STAMP_MARGIN if text_value else 0


def cjk_font() -> Path | None:
    """A font file with Chinese glyphs on this computer, or None."""
    return next((p for p in _CJK_FONT_CANDIDATES if p.is_file()), None)


def _font_factory(text_value: str, font_path: Path | None):  # noqa: ANN202 - pyHanko FontEngineFactory
    """The stamp text's font: a subset of a CJK font, or pyHanko's built-in Courier when the
    text is plain ASCII and no CJK font is installed (a signing agent on a bare computer)."""
    from pyhanko.pdf_utils.font.basic import SimpleFontEngineFactory

    path = font_path or cjk_font()
    if path is None:
        if not text_value.isascii():
            raise FileNotFoundError("no font with Chinese glyphs found for the stamp text: pass font_path")
        return SimpleFontEngineFactory.default_factory()
    return _SubsetFontFactory(subset_font(text_value, path), _STAMP_FONT_SIZE)


def _stamp_style(stamp_image_png: bytes, text_value: str, font):  # noqa: ANN001, ANN202
    from pyhanko.pdf_utils import layout, text
    from pyhanko.stamp import TextStampStyle

    return TextStampStyle(
        # Already filled in: escape so pyHanko's own %-formatting leaves it alone.
        stamp_text=text_value.replace("%", "%%"),
        text_box_style=text.TextBoxStyle(
            font=font,
            font_size=_STAMP_FONT_SIZE,
            leading=_STAMP_LEADING,
        ),
        # The text goes in a band under the seal rather than over it, so the seal
        # stays legible (pyHanko can only left-align lines; the block is centred).
        inner_content_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MID,
            y_align=layout.AxisAlignment.ALIGN_MIN,
            margins=layout.Margins.uniform(_STAMP_MARGIN),
        ),
        border_width=0,
        background=_seal_background(stamp_image_png),
        background_opacity=1.0,
        # The seal is shrunk to fit the box above the text band, keeping its aspect.
        background_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MID,
            y_align=layout.AxisAlignment.ALIGN_MAX,
            margins=layout.Margins(left=0, right=0, top=0, bottom=_text_band(text_value)),
        ),
    )


def sign_pdf(
    pdf: bytes,
    signer: signers.Signer,
    *,
    field_name: str,
    reason: str | None = None,
    location: str | None = None,
    stamp_image_png: bytes | None = None,
    stamp_text: str | None = None,
    stamp_box: tuple[int, int, int, int] | None = None,
    page: int = 0,
    certify: bool = False,
    font_path: Path | None = None,
    reserve_fields: Iterable[tuple[str, tuple[int, int, int, int], int]] = (),
    timestamper: TimeStamper | None = None,
    validation_context: ValidationContext | None = None,
    embed_validation_info: bool = False,
    archival_timestamp: bool = False,
) -> bytes:
    """Sign ``pdf`` (PAdES baseline B, incremental update) and return the new file.

    With ``stamp_image_png`` the signature is visible: ``stamp_box`` (x1, y1, x2, y2
    in PDF points on ``page``; default a 120 pt seal plus the text lines, near the
    bottom-right corner) shows the seal image with ``stamp_text`` under it.
    ``stamp_text`` may use ``%(signer)s`` (certificate CN) and ``%(ts)s`` (signing
    time); the default is both, on two lines. Without an image the signature is
    invisible and ``stamp_text`` is ignored.

    ``certify=True`` makes a certification signature with DocMDP FILL_FORMS, so
    later approval signatures (e.g. the enterprise's) keep it valid.
    ``font_path``: a .ttf/.otf/.ttc with the needed glyphs (face 0 of a .ttc); by default
    the first CJK font of :data:`_CJK_FONT_CANDIDATES` found.

    ``reserve_fields`` adds empty visible signature fields (name, box, page) in
    the same revision, before signing. pyHanko's validator (stricter than Acrobat)
    rejects a *new visible* signature field added after a certification signature,
    so when certifying, reserve the enterprise's seal position here; the enterprise
    then signs with ``field_name`` set to that name (its ``stamp_box`` is ignored,
    the reserved field's rectangle is used).

    Long-term validation (PAdES baseline levels): ``timestamper`` adds an RFC 3161
    signature timestamp (B-T); ``embed_validation_info`` with ``validation_context``
    (trust roots, chain and CRLs/OCSP responses; fetching may be off) writes them to the
    document security store /DSS (B-LT); ``archival_timestamp`` then adds a document
    timestamp from ``timestamper`` over it all (B-LTA).
    """
    if embed_validation_info and validation_context is None:
        raise ValueError("embed_validation_info needs a validation_context")
    if archival_timestamp and (timestamper is None or not embed_validation_info):
        raise ValueError("archival_timestamp needs a timestamper and embed_validation_info")
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    for name, reserved_box, reserved_page in reserve_fields:
        fields.append_signature_field(
            writer, fields.SigFieldSpec(sig_field_name=name, box=reserved_box, on_page=reserved_page)
        )
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        reason=reason,
        location=location,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm=getattr(getattr(signer, "scheme", None), "digest", "sha256"),
        certify=certify,
        docmdp_permissions=fields.MDPPerm.FILL_FORMS,
        embed_validation_info=embed_validation_info,
        validation_context=validation_context,
        use_pades_lta=archival_timestamp,
    )
    style = None
    box = None
    if stamp_image_png is not None:
        text_value = _fill_stamp_text(stamp_text, signer)
        box = stamp_box or _default_box(writer, page, _text_band(text_value))
        style = _stamp_style(stamp_image_png, text_value, _font_factory(text_value, font_path))
    field_spec = fields.SigFieldSpec(sig_field_name=field_name, on_page=page, box=box)
    pdf_signer = signers.PdfSigner(meta, signer, timestamper=timestamper, stamp_style=style,
                                   new_field_spec=field_spec)
    out = io.BytesIO()
    pdf_signer.sign_pdf(writer, output=out)
    return out.getvalue()


def _default_box(writer: IncrementalPdfFileWriter, page: int, text_band: int) -> tuple[int, int, int, int]:
    """Seal-sized box (plus the text band), 40 pt in from the page's bottom-right corner."""
    from pyhanko.pdf_utils.rw_common import find_inherited_value_in_tree

    page_ref, _resources = writer.find_page_for_modification(page)
    # /MediaBox may sit on an ancestor /Pages node.
    media = find_inherited_value_in_tree(page_ref.get_object(), "/MediaBox", "/Parent")
    _llx, lly, urx, _ury = (float(v) for v in media) if media is not None else (0, 0, 595, 842)
    x2, y1 = int(urx) - 40, int(lly) + 40
    return (x2 - _DEFAULT_SEAL_SIZE, y1, x2, y1 + _DEFAULT_SEAL_SIZE + text_band)
