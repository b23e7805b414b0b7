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
  A template may switch it off (``-pdf-word-wrap: normal``) on cells that never wrap Chinese
  (numbers, dates, short fixed labels): a little cheaper, and ``<br>`` works there.
- **Line breaks under CJK wrapping.** xhtml2pdf's CJK line splitter drops ``<br>``; templates
  put each line in its own block (``<div>``) instead.
- **Page totals.** ``<pdf:pagecount />`` makes reportlab lay the document out twice (about
  70 ms on the information table), so the forms print "第 N 页" only.
- **No bold Chinese face.** Bold and italic map to the same regular face; templates emphasise
  with size, rules and shading instead.
- **Resources.** Documents are rendered under a policy that allows no network and no local
  reads except the font directory: the context carries user-entered text, and Jinja escaping
  aside, nothing in a rendered form has reason to fetch anything.

Render time (``bench/pdf_render.py``, information table, warm median on the shared dev machine:
about 150 ms before this work, about 107-112 ms after it, about 100-106 ms with rl-accel).
Almost all of it is xhtml2pdf's per-element work: each table cell is parsed, laid out three
times and drawn, about half a millisecond whatever it holds, so the templates keep the number of
cells and blocks down (see the comment at the top of the information table). Here:

- **Markup compaction.** Whitespace that contains a line break and sits between two tags is
  template indentation; it is removed before conversion (:func:`_compact_markup`), which saves
  the parser a text node per line (about 4 %). Templates write an explicit space where two
  inline elements need one.
- **No ASCII85.** ``reportlab.rl_config.useA85 = 0``: binary streams are written as they are
  instead of ASCII85-encoded in pure Python (about 2 %, and a smaller file).
- **Line breaks reused across the table passes.** A cell's paragraph is broken into lines when
  the table is measured and again when it is drawn, at a width that differs by reportlab's
  ``_FUZZ`` (1e-6 pt, which ``KeepInFrame`` shaves off). xhtml2pdf keeps the last line
  breaking of a paragraph but only for the exact same width, so the second pass redid the
  CJK line breaking of every cell. :func:`_reuse_line_breaks_within_fuzz` makes that cache
  accept a width within 0.001 pt of the cached one (about 7 %). It wraps
  ``xhtml2pdf.reportlab_paragraph.Paragraph._brokenLines`` once per process; if a later
  xhtml2pdf lays the cache out differently the wrapper passes calls through unchanged, and
  ``tests/unit/test_documents.py`` checks that it still takes effect and changes no text.
- **Frame copies.** reportlab deep-copies the current frame for every cell it measures; the
  frame's ``ShowBoundaryValue`` is made to copy as itself (:func:`_share_frame_boundary_on_copy`,
  about 2 %).
- **rl-accel.** With the ``rl-accel`` wheel installed reportlab formats numbers and encodes
  strings in C (about 6 %); reportlab picks it up by itself. Pinned in requirements.txt.
- Measured and not worth it: page compression off (1 %, file twice as large), ``gc`` off
  during the render (nothing), a trimmed default style sheet (2 %, changes xhtml2pdf's
  defaults for every other tag), dropping ``-pdf-keep-with-next`` on headings (4 %, but then
  29 of 107 page breaks in a sweep over 0-7 projects × 0-7 IP rows left a heading alone at
  the foot of a page), section titles as a caption row inside each table (1 %).
"""
from __future__ import annotations

import io
import logging
import re
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


def _configure_renderer() -> None:
    """Process-wide reportlab and xhtml2pdf settings for speed (see the module docstring)."""
    from reportlab import rl_config

    rl_config.useA85 = 0
    _reuse_line_breaks_within_fuzz()
    _share_frame_boundary_on_copy()


def _share_frame_boundary_on_copy() -> None:
    """Make ``copy.deepcopy`` hand back a frame's ``ShowBoundaryValue`` itself.

    reportlab deep-copies the current frame every time it measures a cell's content
    (``flowables._listWrapOn``), several hundred times per document. xhtml2pdf copies its
    frames cheaply, except for the ``showBoundary`` every ``@page`` frame carries, a
    ``ShowBoundaryValue`` that goes through ``copy``'s general machinery (about 2 % of the
    render). Nothing in reportlab or xhtml2pdf changes one after it is made, so copies can
    share it. Leaves a class that already defines ``__deepcopy__`` alone.
    """
    try:
        from reportlab.pdfgen.canvas import ShowBoundaryValue
    except ImportError:  # pragma: no cover - reportlab is a dependency
        return
    if "__deepcopy__" not in ShowBoundaryValue.__dict__:
        ShowBoundaryValue.__deepcopy__ = lambda self, memo: self  # type: ignore[attr-defined]


#: How far apart two widths may be for a paragraph's cached line breaking to be reused, in pt.
_LINE_WIDTH_TOLERANCE = 1e-3


def _reuse_line_breaks_within_fuzz() -> None:
    """Let xhtml2pdf reuse a paragraph's line breaking for a width within 0.001 pt of the last.

    ``Paragraph._brokenLines(first_line_width, later_widths)`` keeps its last answer in
    ``self._brokenLinesCache = (key, lines, width)`` with the two widths first in ``key`` and
    hands it back only when the key is equal. A table cell's paragraph is asked again at the
    same width less reportlab's ``_FUZZ``; passing the cached widths instead makes that a hit.
    Breaking the same text at widths 0.001 pt apart gives the same lines but for a line that
    fits to within 0.001 pt, which no one can see. Idempotent. Logs and does nothing if the
    method is missing; with a cache laid out differently from xhtml2pdf 0.2.28's, calls go
    through unchanged (no reuse, no error).
    """
    try:
        from xhtml2pdf.reportlab_paragraph import Paragraph
    except ImportError:  # pragma: no cover - xhtml2pdf is a dependency
        return
    original = Paragraph.__dict__.get("_brokenLines")
    if original is None:
        log.warning("xhtml2pdf Paragraph._brokenLines not found; PDF line breaking not cached")
        return
    if getattr(original, "_reuses_within_fuzz", False):
        return

    def _brokenLines(self, first_line_width, later_widths):
        cached = self.__dict__.get("_brokenLinesCache")
        if cached is not None:
            try:
                width0, width1 = cached[0][0], cached[0][1]
                if (
                    abs(width0 - first_line_width) <= _LINE_WIDTH_TOLERANCE
                    and abs(width1 - later_widths) <= _LINE_WIDTH_TOLERANCE
                ):
                    first_line_width, later_widths = width0, width1
            except (TypeError, IndexError, KeyError):
                pass  # not the cache layout this was written for: leave the call as it is
        return original(self, first_line_width, later_widths)

    _brokenLines._reuses_within_fuzz = True  # type: ignore[attr-defined]
    _brokenLines.__wrapped__ = original  # type: ignore[attr-defined]
    Paragraph._brokenLines = _brokenLines


_TAG_GAP = re.compile(r">[ \t\r\f]*\n\s*<")


def _compact_markup(html: str) -> str:
    """Drop whitespace that holds a line break and lies between two tags (template indentation).

    xhtml2pdf makes a text node of each such run and walks it like content; none of it shows.
    Whitespace within a line, and any next to text, is left alone. Not for ``<pre>`` content
    that has tags on separate lines, which no document here has.
    """
    return _TAG_GAP.sub("><", html)


def _ensure_font() -> str:
    """Register the CJK font and configure the renderer on first use (thread-safe); return the
    base style sheet.

    :raises DocumentError: the font file is missing or unreadable.
    """
    global _default_css
    if _default_css is None:
        with _font_lock:
            if _default_css is None:
                css = _base_css(_register_font(CJK_FONT_PATH))
                _configure_renderer()
                _default_css = css
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
        from app.display import beijing_filter

        _fallback_env.filters["bj"] = beijing_filter
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
            _compact_markup(html),
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
