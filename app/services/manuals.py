"""The user manuals: Markdown files in docs/manual/<lang>/<slug>.md, rendered once per
(manual, language) and kept in this process.

A manual's first line is its title (``# ...``); every section heading ends with a stable anchor
``{#anchor-id}``, the same in Chinese and English. Raw HTML in the Markdown is not rendered
(markdown-it-py with ``html`` off); images may only name files of docs/manual/img and are served
from /help/img/.
"""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from pathlib import Path

from markdown_it import MarkdownIt

LANGUAGES = ("zh", "en")
DEFAULT_DIR = Path(__file__).resolve().parents[2] / "docs" / "manual"
IMG_URL = "/help/img/"

#: (slug, group): the manuals in the order the index lists them; the groups are the readers.
MANUALS: tuple[tuple[str, str], ...] = (
    ("account", "applicant"),
    ("sme", "applicant"),
    ("benchmark", "applicant"),
    ("eseal", "applicant"),
    ("sme-review", "agency"),
    ("benchmark-review", "association"),
    ("ca-operator", "ca"),
    ("admin", "admin"),
    ("rules-admin", "rules"),
)
SLUGS = {slug for slug, _group in MANUALS}
SAFE_IMAGE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,80}\.(jpg|jpeg|png)$")
_ANCHOR = re.compile(r"\s*\{#([a-z0-9][a-z0-9-]{0,60})\}\s*$")
_IMG_SRC = re.compile(r"^img/([^/]+)$")


@dataclass(frozen=True)
class Section:
    anchor: str
    title: str
    level: int


@dataclass(frozen=True)
class Manual:
    slug: str
    lang: str  # the language of the text (zh when the reader's language has no file)
    title: str
    html: str
    sections: tuple[Section, ...]
    images: tuple[str, ...]

    def section(self, anchor: str) -> Section | None:
        return next((s for s in self.sections if s.anchor == anchor), None)

    def toc(self) -> list[tuple[Section, list[Section]]]:
        """The sections (h2) with their subsections (h3), for the table of contents."""
        entries: list[tuple[Section, list[Section]]] = []
        for section in self.sections:
            if section.level == 2:
                entries.append((section, []))
            elif section.level == 3 and entries:
                entries[-1][1].append(section)
        return entries


def _anchors_and_images(state) -> None:
    """Core rule: ``## Title {#id}`` -> <h2 id="id">Title</h2>; ``![x](img/f.jpg)`` -> /help/img/f.jpg
    (any other image source is dropped: a manual shows only its own screenshots)."""
    tokens = state.tokens
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and i + 1 < len(tokens) and tokens[i + 1].type == "inline":
            inline = tokens[i + 1]
            match = _ANCHOR.search(inline.content)
            if match:
                token.attrSet("id", match.group(1))
                inline.content = inline.content[:match.start()]
                last = inline.children[-1] if inline.children else None
                if last is not None and last.type == "text":
                    last.content = _ANCHOR.sub("", last.content)
        if token.type == "inline":
            for child in token.children or ():
                if child.type != "image":
                    continue
                src = _IMG_SRC.match(child.attrGet("src") or "")
                if src and SAFE_IMAGE.match(src.group(1)):
                    child.attrSet("src", IMG_URL + src.group(1))
                    child.attrSet("loading", "lazy")
                else:
                    child.attrSet("src", "")


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable("table")
    md.core.ruler.push("shenbao_anchors", _anchors_and_images)
    return md


_MD = _parser()


def render_markdown(text: str) -> str:
    """HTML of Markdown text, raw HTML escaped, heading anchors set."""
    return _MD.render(text)


def parse(slug: str, lang: str, text: str) -> Manual:
    tokens = _MD.parse(text)
    title, sections, images = slug, [], []
    for i, token in enumerate(tokens):
        if token.type == "heading_open":
            inline = tokens[i + 1]
            heading = "".join(c.content for c in inline.children or () if c.type in ("text", "code_inline")).strip()
            if token.tag == "h1":
                title = heading
            elif token.attrGet("id"):
                sections.append(Section(str(token.attrGet("id")), heading, int(token.tag[1])))
        if token.type == "inline":
            for child in token.children or ():
                src = str(child.attrGet("src") or "") if child.type == "image" else ""
                if src.startswith(IMG_URL):
                    images.append(src[len(IMG_URL):])
    body = _MD.renderer.render(_without_title(tokens), _MD.options, {})
    return Manual(slug, lang, title, body, tuple(sections), tuple(images))


def _without_title(tokens):
    """The tokens after the h1 (the page shows the title itself)."""
    for i, token in enumerate(tokens):
        if token.type == "heading_close" and token.tag == "h1":
            return tokens[i + 1:]
    return tokens


_cache: dict[tuple[str, str, str], Manual] = {}
_lock = threading.Lock()


def manual_dir() -> Path:
    try:
        from flask import current_app

        return Path(current_app.config.get("MANUAL_DIR") or DEFAULT_DIR)
    except RuntimeError:  # outside an app
        return DEFAULT_DIR


def reader_language() -> str:
    try:
        from flask_babel import get_locale

        locale = get_locale()
    except (RuntimeError, KeyError):
        return "zh"
    return "en" if locale is not None and locale.language == "en" else "zh"


def get(slug: str, lang: str | None = None) -> Manual | None:
    """The manual in the reader's language (the Chinese one when that language has none)."""
    if slug not in SLUGS:
        return None
    lang = lang or reader_language()
    base = manual_dir()
    key = (str(base), slug, lang)
    cached = _cache.get(key)
    if cached is not None:
        return cached
    for candidate in (lang, "zh"):
        path = base / candidate / f"{slug}.md"
        if path.is_file():
            manual = parse(slug, candidate, path.read_text(encoding="utf-8"))
            with _lock:
                _cache[key] = manual
            return manual
    return None


def clear_cache() -> None:
    with _lock:
        _cache.clear()


def image_path(filename: str) -> Path | None:
    """The screenshot's file, when the name is safe and the file is in docs/manual/img."""
    if not SAFE_IMAGE.match(filename or ""):
        return None
    path = manual_dir() / "img" / filename
    return path if path.is_file() else None
