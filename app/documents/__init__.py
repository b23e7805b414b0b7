"""Printable documents: Jinja templates under ``app/templates/documents/`` rendered to PDF.

Templates show data only; the caller (a command) builds their context. See
:func:`render_pdf` and :mod:`app.documents.pdf` for the font and security choices.
"""
from __future__ import annotations

from app.documents.pdf import CJK_FONT_FAMILY, CJK_FONT_PATH, DocumentError, render_pdf

__all__ = ["CJK_FONT_FAMILY", "CJK_FONT_PATH", "DocumentError", "render_pdf"]
