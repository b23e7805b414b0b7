"""HTML → PDF with xhtml2pdf, Chinese included.

Why it is built this way (the shared stack notes, "xhtml2pdf 0.2.28 with Chinese", and measured):

- **Font.** Noto CJK has PostScript outlines, which reportlab cannot embed. WenQuanYi Zen Hei
  (Debian ``fonts-wqy-zenhei``) is TrueType: reportlab embeds a subset of the glyphs a document
  uses, so the PDF reads the same in every viewer. reportlab's built-in CID face ``STSong-Light``
  is *not* embedded and depends on the reader, so it is not used.
- **Registered once per process.** Parsing the 16 MB ``.ttc`` costs about 70 ms. It is
  registered with reportlab the first time a document is rendered and the family name is added
  to xhtml2pdf's table of known families, so no template needs an ``@font-face`` (which would
  make xhtml2pdf read and hash the whole file on every render, about 30 ms).
- **Line breaking.** Without ``-pdf-word-wrap: CJK`` a Chinese run has no break opportunities
  and runs off the page or clips in table cells; the base style sheet below sets it on ``body``.
- **Line breaks under CJK wrapping.** xhtml2pdf's CJK line splitter drops ``<br>``; templates
  put each line in its own block (``<div>``) instead.
- **Page totals.** ``<pdf:pagecount />`` makes reportlab lay the document out twice (about
  70 ms on the information table), so the forms print "第 N 页" only.
- **No bold Chinese face.** Bold and italic map to the same regular face; templates emphasise
  with size, rules and shading instead.
- **Resources.** Documents are rendered under a policy that allows no network and no local
  reads except the font directory: the context carries user-entered text, and Jinja escaping
  aside, nothing in a rendered form has reason to fetch anything.
"""
from __future__ import annotations

import io
import logging
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
from flask import has_app_context, render_template

if TYPE_CHECKING:
    from xhtml2pdf.config.resources import ResourceAccessPolicy

# xhtml2pdf and reportlab are imported on first use, not at app start-up.

log = logging.getLogger(__name__)

#: The CJK TrueType collection (face 0 is "WenQuanYi Zen Hei").
CJK_FONT_PATH: Path = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
#: The CSS ``font-family`` name templates may use; the base style sheet applies it to ``body``.
CJK_FONT_FAMILY: str = "wqy-zenhei"
#: The name the face is registered under with reportlab.
_REPORTLAB_FONT_NAME = "WQYZenHei"

_TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates"

_font_lock = threading.Lock()
#: The style sheet every document starts from (xhtml2pdf's defaults, the font, CJK wrapping);
#: built when the font is registered, ``None`` until the first render.
_default_css: str | None = None
_fallback_env: jinja2.Environment | None = None


class DocumentError(RuntimeError):
    """A document could not be produced (font missing, conversion failed)."""


def _register_font(path: Path) -> str:
    """Register ``path`` with reportlab and xhtml2pdf; return the CSS the base sheet needs.

    :param path: a TrueType font or collection (face 0 is used).
    :raises DocumentError: the file is missing or reportlab cannot read it.
    """
    if not path.is_file():
        raise DocumentError(
            f"CJK font not found at {path}; PDFs with Chinese text need it. "
            "Install it with: apt-get install fonts-wqy-zenhei"
        )
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    try:
        font = TTFont(_REPORTLAB_FONT_NAME, str(path), subfontIndex=0)
    except Exception as exc:  # reportlab raises TTFError and plain errors alike
        raise DocumentError(f"cannot load the CJK font {path}: {exc}") from exc
    pdfmetrics.registerFont(font)
    # There is no bold or italic Chinese face: <b>, <th> and headings draw with the regular one
    # instead of failing over to Helvetica, which has no Chinese glyphs.
    for bold in (0, 1):
        for italic in (0, 1):
            addMapping(_REPORTLAB_FONT_NAME, bold, italic, _REPORTLAB_FONT_NAME)

    # Every pisaContext starts from a copy of xhtml2pdf.default.DEFAULT_FONT (family → reportlab
    # name). Adding the family there makes it known to every document with no file access. The
    # table is not public API, so if it ever moves, fall back to @font-face, which xhtml2pdf
    # resolves to the font already registered above (at the cost of reading the file per render).
    from xhtml2pdf import default as x2p_default

    families = getattr(x2p_default, "DEFAULT_FONT", None)
    if isinstance(families, dict):
        families[CJK_FONT_FAMILY] = _REPORTLAB_FONT_NAME
        return ""
    log.warning("xhtml2pdf.default.DEFAULT_FONT not found; embedding %s with @font-face", path)
    return f'@font-face {{ font-family: "{CJK_FONT_FAMILY}"; src: url("{path}"); }}\n'


def _ensure_font() -> str:
    """Register the CJK font on first use (thread-safe); return the base style sheet.

    :raises DocumentError: the font file is missing or unreadable.
    """
    global _default_css
    if _default_css is None:
        with _font_lock:
            if _default_css is None:
                _default_css = _base_css(_register_font(CJK_FONT_PATH))
    return _default_css


def _base_css(font_css: str) -> str:
    """xhtml2pdf's default style sheet plus the font and CJK line breaking on ``body``."""
    from xhtml2pdf.default import DEFAULT_CSS

    return (
        DEFAULT_CSS
        + font_css
        + f"""
html, body, p, div, span, table, td, th, h1, h2, h3, h4, h5, h6, li, pre, code {{
    font-family: {CJK_FONT_FAMILY};
}}
body {{ -pdf-word-wrap: CJK; }}
"""
    )


def _render_html(template_name: str, context: dict[str, Any]) -> str:
    """Render a template with Flask when an app context exists, else with a plain Jinja loader.

    The fallback (scripts, benchmarks without an app) reads the same folder, autoescaped.
    """
    if has_app_context():
        return render_template(template_name, **context)
    global _fallback_env
    if _fallback_env is None:
        _fallback_env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(_TEMPLATE_DIR)),
            autoescape=jinja2.select_autoescape(["html", "xml"]),
        )
    return _fallback_env.get_template(template_name).render(**context)


def _policy() -> ResourceAccessPolicy:
    """No network, no local reads but the font directory."""
    from xhtml2pdf.config.resources import ResourceAccessPolicy

    return ResourceAccessPolicy(
        allow_remote=False,
        base_dir=None,
        extra_roots=(CJK_FONT_PATH.parent,),
    )


def html_to_pdf(html: str) -> bytes:
    """Convert an HTML string to PDF bytes with the CJK font embedded.

    :param html: a complete HTML document (xhtml2pdf's CSS subset).
    :returns: the PDF file content.
    :raises DocumentError: the font is missing or xhtml2pdf reported an error.
    """
    default_css = _ensure_font()
    from xhtml2pdf import pisa

    out = io.BytesIO()
    try:
        status = pisa.pisaDocument(
            html,
            dest=out,
            encoding="utf-8",
            default_css=default_css,
            resource_policy=_policy(),
        )
    except Exception as exc:
        raise DocumentError(f"PDF conversion failed: {exc}") from exc
    if status.err:
        raise DocumentError(f"PDF conversion reported {status.err} error(s)")
    return out.getvalue()


def render_pdf(template_name: str, context: dict[str, Any]) -> bytes:
    """Render a Jinja template to HTML and convert it to PDF.

    :param template_name: path under the app's template folder, e.g.
        ``"documents/sme_information_table.html"``.
    :param context: the template's variables; each template documents its contract.
    :returns: the PDF file content (A4, Chinese text in an embedded WenQuanYi Zen Hei subset).
    :raises DocumentError: the CJK font is missing (``apt-get install fonts-wqy-zenhei``) or the
        conversion failed.
    :raises jinja2.TemplateNotFound: no such template.
    """
    _ensure_font()  # fail on a missing font before spending time on the template
    return html_to_pdf(_render_html(template_name, context))
