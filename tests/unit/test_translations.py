"""The Simplified Chinese catalog is complete and consistent with the code.

No app is needed: Babel extracts the msgids straight from the sources (same
mapping as ``babel.cfg``, same keywords as the ``pybabel extract`` command) and
they are compared with ``app/translations/zh/LC_MESSAGES/messages.po``.

When a test here fails because of a new English string, refresh the catalog::

    .venv/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k gettext -k _ \
        -o app/translations/messages.pot .
    .venv/bin/pybabel update -i app/translations/messages.pot -d app/translations -l zh
    # translate the new entries (and drop any "#, fuzzy" flag), then
    .venv/bin/pybabel compile -d app/translations
"""
from __future__ import annotations

import os
import re
import string
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, default_directory_filter, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
BABEL_CFG = ROOT / "babel.cfg"
PO_PATH = ROOT / "app" / "translations" / "zh" / "LC_MESSAGES" / "messages.po"
SOURCE_DIRS = ("app", "views", "rules")

#: Same keywords as ``pybabel extract -k _l -k lazy_gettext -k gettext -k _`` (plus Babel's defaults, e.g. N_).
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "gettext": None, "_": None}

#: ``%(name)s``-style conversions (with flags/width/precision) and literal ``%%``.
_PERCENT = re.compile(r"%\(\w+\)[#0 +\-]*(?:\d+)?(?:\.\d+)?[a-zA-Z]|%%")
#: ``{name}``, ``{name!r}``, ``{0:>4}``... (``{{``/``}}`` are escaped braces, not fields).
_BRACE = re.compile(r"(?<!\{)\{(?!\{)[^{}]*\}")


def _msgid(message_id) -> str:
    """Singular msgid of an extracted or catalog message (plural entries are tuples)."""
    return message_id[0] if isinstance(message_id, (tuple, list)) else message_id


def _msgstrs(message) -> list[str]:
    return list(message.string) if isinstance(message.string, (tuple, list)) else [message.string]


@pytest.fixture(scope="module")
def catalog():
    assert PO_PATH.is_file(), f"{os.path.relpath(PO_PATH, ROOT)} is missing: run pybabel init -l zh"
    with PO_PATH.open("rb") as f:
        return read_po(f, locale="zh", ignore_obsolete=True)


@pytest.fixture(scope="module")
def extracted() -> dict[str, list[str]]:
    """msgid -> ["path:line", ...] for every string extracted from app/, views/ and rules/."""
    with BABEL_CFG.open(encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f, filename=str(BABEL_CFG))

    def only_source_dirs(path: str) -> bool:
        top = Path(os.path.relpath(path, ROOT)).parts[0]
        return top in SOURCE_DIRS and default_directory_filter(path)

    found: dict[str, list[str]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS, directory_filter=only_source_dirs
    ):
        msgid = _msgid(message)
        if msgid:
            found.setdefault(msgid, []).append(f"{filename}:{lineno}")
    return found


def _untranslated(catalog, msgids) -> list[tuple[str, str]]:
    """(msgid, reason) for each msgid without a usable zh translation."""
    missing = []
    for msgid in msgids:
        message = catalog.get(msgid)
        if message is None:
            missing.append((msgid, "not in the .po"))
        elif message.fuzzy:
            missing.append((msgid, "fuzzy"))
        elif not all(s.strip() for s in _msgstrs(message)):
            missing.append((msgid, "empty msgstr"))
    return missing


def test_babel_cfg_covers_the_source_dirs():
    text = BABEL_CFG.read_text(encoding="utf-8")
    for pattern in ("app/**.py", "views/**.py", "rules/**.py", "app/templates/**.html"):
        assert pattern in text, f"babel.cfg no longer maps {pattern}"


def test_extraction_finds_strings(extracted):
    # Guards against a mapping/keyword mistake that would make the next test pass vacuously.
    assert len(extracted) > 100
    assert "Submit" in extracted and "Pending agency review" in extracted


def test_every_extracted_string_is_translated(catalog, extracted):
    missing = _untranslated(catalog, sorted(extracted))
    assert not missing, (
        f"{len(missing)} UI string(s) lack a Simplified Chinese translation in "
        f"{os.path.relpath(PO_PATH, ROOT)} (see this module's docstring to update it):\n"
        + "\n".join(f"  {msgid!r} ({why}) at {', '.join(extracted[msgid][:3])}" for msgid, why in missing)
    )


def test_catalog_header_is_not_fuzzy(catalog):
    # pybabel compile silently skips a catalog whose header is fuzzy: the UI would fall back to English.
    assert not catalog.fuzzy, "remove '#, fuzzy' from the header entry of the zh messages.po"
    assert str(catalog.locale) == "zh"


def test_no_fuzzy_or_empty_entries(catalog):
    bad = [m.id for m in catalog if m.id and (m.fuzzy or not all(s.strip() for s in _msgstrs(m)))]
    assert not bad, "fuzzy or empty entries in the zh catalog:\n" + "\n".join(f"  {b!r}" for b in bad)


def _dynamic_msgids() -> dict[str, str]:
    """Strings that reach gettext through a variable: msgid -> where it comes from."""
    from rules.violations import MESSAGES

    return {template: f"rules.violations.MESSAGES[{code!r}]" for code, template in MESSAGES.items()}


def _workflow_labels() -> dict[str, str]:
    """Every label of every workflow table (states, transitions, events): msgid -> where."""
    from app.workflows.definitions import WORKFLOWS

    found: dict[str, str] = {}
    for workflow in WORKFLOWS.values():
        for state, label in workflow.states.items():
            found.setdefault(label._args[0], f"{workflow.name}.states[{state!r}]")
        for t in workflow.transitions:
            found.setdefault(t.label._args[0], f"{workflow.name}: transition {t.action!r}")
        for action, label in workflow.events.items():
            found.setdefault(label._args[0], f"{workflow.name}.events[{action!r}]")
    return found


def test_every_workflow_label_is_translated(catalog):
    labels = _workflow_labels()
    missing = _untranslated(catalog, sorted(labels))
    assert not missing, "workflow labels without a zh translation:\n" + "\n".join(
        f"  {msgid!r} ({why}) from {labels[msgid]}" for msgid, why in missing
    )


def test_rule_messages_are_translated(catalog):
    dynamic = _dynamic_msgids()
    missing = _untranslated(catalog, sorted(dynamic))
    assert not missing, "dynamic msgids without a zh translation:\n" + "\n".join(
        f"  {msgid!r} ({why}) from {dynamic[msgid]}" for msgid, why in missing
    )


def test_rule_messages_are_marked_for_extraction():
    from app.i18n_markers import DYNAMIC_MSGIDS

    unmarked = sorted(set(_dynamic_msgids()) - set(DYNAMIC_MSGIDS))
    assert not unmarked, (
        "copy these strings, exactly, as N_(\"...\") into app/i18n_markers.py so pybabel extracts them:\n"
        + "\n".join(f"  {u!r}" for u in unmarked)
    )


def _placeholders(text: str) -> tuple[Counter, Counter]:
    return Counter(_PERCENT.findall(text)), Counter(_BRACE.findall(text))


def test_placeholders_match(catalog):
    mismatched = []
    for message in catalog:
        if not message.id:
            continue
        ids = list(message.id) if isinstance(message.id, (tuple, list)) else [message.id]
        expected_percent, expected_brace = _placeholders(ids[0])
        for text in _msgstrs(message):
            if not text:
                continue
            percent, brace = _placeholders(text)
            if percent != expected_percent or brace != expected_brace:
                mismatched.append(
                    f"  {ids[0]!r}\n    -> {text!r}\n"
                    f"    expected {sorted((expected_percent + expected_brace).elements())}, "
                    f"got {sorted((percent + brace).elements())}"
                )
    assert not mismatched, "placeholders differ between msgid and msgstr:\n" + "\n".join(mismatched)


def test_babel_checkers_pass(catalog):
    # Babel's own python-format checks (the ones pybabel compile reports).
    errors = [f"  {message.id!r}: {'; '.join(map(str, errs))}" for message, errs in catalog.check()]
    assert not errors, "catalog check failed:\n" + "\n".join(errors)


def test_brace_templates_still_format():
    # A translated rule message must still be usable with str.format(**violation.params).
    from rules.violations import MESSAGES

    with PO_PATH.open("rb") as f:
        catalog = read_po(f, locale="zh")
    for template in MESSAGES.values():
        params = {name: 1 for _text, name, _spec, _conv in string.Formatter().parse(template) if name}
        message = catalog.get(template)
        if message is not None and message.string:
            try:
                message.string.format(**params)
            except (KeyError, IndexError, ValueError) as exc:
                pytest.fail(f"{message.string!r} (for {template!r}) cannot be formatted: {exc!r}")


def test_no_bare_percent_in_translations():
    """Jinja's gettext always %-formats: a lone % in a translation breaks the page (seen: 占比（%）)."""
    import re as _re

    from babel.messages.pofile import read_po

    with open(Path(__file__).resolve().parents[2] / "app/translations/zh/LC_MESSAGES/messages.po", "rb") as fh:
        catalog = read_po(fh)
    bad = [m.id for m in catalog if m.id and isinstance(m.string, str)
           and "%" in _re.sub(r"%%|%\(\w+\)[sd]", "", m.string)]
    assert bad == [], f"translations with a bare % (write %% or avoid it): {bad}"
