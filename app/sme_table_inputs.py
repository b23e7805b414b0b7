"""The Tech-SME tables' input controls, written in Python instead of a Jinja macro.

A table page draws each field through a macro (a select with its options, a date, a text box)
inside a form group: on the human-resources table 17 fields were ~0.5 ms of a 1.6 ms render,
a tenth of a save's CPU. The markup is the one shenbao/sme/table.html's macro wrote; every
value is escaped and finalized as templates do (None empty); translated texts and the tables'
labels are printed as Jinja prints them (translations are trusted, labels are lazy texts).
"""
from __future__ import annotations

from typing import Any, Sequence

from flask_babel import gettext as _
from markupsafe import Markup, escape

from app.display import finalize

CHOICE_KINDS = ("choice", "conform", "yesno")


def _text(value: Any) -> Markup:
    return escape(finalize(value))


def _options(pairs, value: Any) -> str:
    return "".join(f'<option value="{_text(code)}"{" selected" if code == value else ""}>{escape(label)}</option>'
                   for code, label in pairs)


def control(col, name: str, value: Any, error: Any, readonly: bool, *, with_id: bool = False, aria: Any = None,
            sections: Sequence = (), divisions: Sequence = ()) -> Markup:
    """One field's control and its error line.

    :param with_id: the control carries ``id=<name>`` (a field's ``<label for>`` points at it);
        the industry selects have ids of their own.
    :param aria: the control's accessible name where no label points at it (row tables).
    """
    kind = col.kind
    extra = (" disabled" if readonly else "") + (f" id={escape(name)}" if with_id and kind not in ("section", "division") else "")
    if aria:
        extra += f' aria-label="{escape(aria)}"'
    name_ = escape(name)
    choose = f'<option value="">{Markup(_("-- choose --"))}</option>'
    if kind in CHOICE_KINDS:
        pairs = col.choices or (((("yes", Markup(_("Conforms"))), ("no", Markup(_("Does not conform")))))
                                if kind == "conform" else (("yes", Markup(_("Yes"))), ("no", Markup(_("No")))))
        html = f'<select class="form-control" name="{name_}"{extra}>{choose}{_options(pairs, value)}</select>'
    elif kind == "section":
        options = "".join(f'<option value="{_text(s.code)}"{" selected" if s.code == value else ""}>'
                          f"{_text(s.code)} {_text(s.name)}</option>" for s in sections)
        html = f'<select class="form-control" name="{name_}" id="industry_section"{extra}>{choose}{options}</select>'
    elif kind == "division":
        options = "".join(f'<option value="{_text(d.code)}" data-parent="{_text(d.parent_code)}"'
                          f'{" selected" if d.code == value else ""}>{_text(d.code)} {_text(d.name)}</option>'
                          for d in divisions)
        html = f'<select class="form-control" name="{name_}" id="industry_code"{extra}>{choose}{options}</select>'
    elif kind == "date":
        html = f'<input class="form-control" type="date" name="{name_}" value="{_text(value)}"{extra}>'
    elif kind == "textarea":
        html = f'<textarea class="form-control" name="{name_}" rows="4"{extra}>{_text(value)}</textarea>'
    else:
        html = f'<input class="form-control" type="text" name="{name_}" value="{_text(value)}"{extra}>'
    if error:
        html += f'\n<span class="help-block error">{_text(error)}</span>'
    return Markup(html)


def field_groups(table, values: dict, errors: dict, editable: bool, sections: Sequence = (),
                 divisions: Sequence = ()) -> Markup:
    """A table's fields, each a form group with its label, control and error (table.fields)."""
    out = []
    for col in table.fields:
        error = errors.get(f"{table.key}.{col.name}")
        width = 12 if table.key == "entry" or col.kind == "textarea" else 6
        when = f' data-when="{_text(col.when)}"' if col.when else ""
        out.append(f'<div class="form-group col-md-{width}{" has-error" if error else ""}"{when}>\n'
                   f'  <label for="{escape(col.name)}">{escape(col.label)}{" *" if col.required else ""}</label>\n'
                   f"  {control(col, col.name, values.get(col.name, ''), error, not editable, with_id=True, sections=sections, divisions=divisions)}\n"
                   "</div>")
    return Markup("".join(out))


def install(jinja_env) -> None:
    jinja_env.globals["sme_control"] = control
    jinja_env.globals["sme_field_groups"] = field_groups
