"""app/sme_table_inputs.py writes the SME tables' controls in Python: the markup the Jinja macro
it replaced wrote (shenbao/sme/table.html before), every typed value escaped."""
from __future__ import annotations

import itertools
import re
from types import SimpleNamespace as NS

import pytest

from app.services import sme_form as form
from app.sme_table_inputs import control, field_groups

JINJA_MACRO = """{% macro input(col, name, value, error, ro, with_id=False, aria=None) -%}
{% set dis = (' disabled' if ro else '') ~ (' id=' ~ name if with_id and col.kind not in ('section', 'division') else '') %}
{% set dis = (dis ~ ((' aria-label="%s"'|format(aria|e)) if aria else ''))|safe %}
{% if col.kind in ('choice', 'conform', 'yesno') %}
  {% set opts = col.choices if col.choices else ([('yes', _('Conforms')), ('no', _('Does not conform'))] if col.kind == 'conform' else [('yes', _('Yes')), ('no', _('No'))]) %}
  <select class="form-control" name="{{ name }}"{{ dis }}><option value="">{{ _("-- choose --") }}</option>
  {% for c, l in opts %}<option value="{{ c }}"{% if c == value %} selected{% endif %}>{{ l }}</option>{% endfor %}</select>
{% elif col.kind == 'section' %}
  <select class="form-control" name="{{ name }}" id="industry_section"{{ dis }}><option value="">{{ _("-- choose --") }}</option>
  {% for s in sections %}<option value="{{ s.code }}"{% if s.code == value %} selected{% endif %}>{{ s.code }} {{ s.name }}</option>{% endfor %}</select>
{% elif col.kind == 'division' %}
  <select class="form-control" name="{{ name }}" id="industry_code"{{ dis }}><option value="">{{ _("-- choose --") }}</option>
  {% for d in divisions %}<option value="{{ d.code }}" data-parent="{{ d.parent_code }}"{% if d.code == value %} selected{% endif %}>{{ d.code }} {{ d.name }}</option>{% endfor %}</select>
{% elif col.kind == 'date' %}<input class="form-control" type="date" name="{{ name }}" value="{{ value }}"{{ dis }}>
{% elif col.kind == 'textarea' %}<textarea class="form-control" name="{{ name }}" rows="4"{{ dis }}>{{ value }}</textarea>
{% else %}<input class="form-control" type="text" name="{{ name }}" value="{{ value }}"{{ dis }}>{% endif %}
{% if error %}<span class="help-block error">{{ error }}</span>{% endif %}
{%- endmacro %}"""
JINJA_FIELDS = JINJA_MACRO + """{% for col in table.fields %}
<div class="form-group col-md-{{ 12 if table.key in ('entry',) or col.kind == 'textarea' else 6 }}{% if errors.get(table.key ~ '.' ~ col.name) %} has-error{% endif %}"{% if col.when %} data-when="{{ col.when }}"{% endif %}>
  <label for="{{ col.name }}">{{ col.label }}{% if col.required %} *{% endif %}</label>
  {{ input(col, col.name, values.get(col.name, ''), errors.get(table.key ~ '.' ~ col.name), not editable, True) }}
</div>{% endfor %}"""
SECTIONS = [NS(code="A", name="农、林、牧、渔业"), NS(code="C", name="制造<业>")]
DIVISIONS = [NS(code="01", name="农业", parent_code="A"), NS(code="39", name="计算机 & 通信", parent_code="C")]


def _squeezed(html) -> str:
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", str(html))).strip()


@pytest.mark.parametrize("language", ["zh", "en"])
def test_every_control_is_the_macros(app, language):
    macro = app.jinja_env.from_string(JINJA_MACRO + "{{ input(col, name, value, error, ro, with_id, aria) }}")
    with app.test_request_context("/", headers={"Accept-Language": language}):
        for col in [c for t in form.TABLES for c in (*t.fields, *t.columns)]:
            values = ["", None, 'x"<y>&', "2026-12-05", *(code for code, _ in col.choices[:2]), "A", "39"]
            for value, error, ro, with_id, aria in itertools.product(values, [None, "请输入<整数>。"], [False, True],
                                                                     [False, True], [None, '项目 "甲", 第 1 行']):
                expected = macro.render(col=col, name=col.name, value=value, error=error, ro=ro, with_id=with_id,
                                        aria=aria, sections=SECTIONS, divisions=DIVISIONS)
                written = control(col, col.name, value, error, ro, with_id=with_id, aria=aria,
                                  sections=SECTIONS, divisions=DIVISIONS)
                assert _squeezed(written) == _squeezed(expected), (col.name, value, error, ro, with_id, aria)


@pytest.mark.parametrize("editable", [True, False])
def test_a_tables_field_groups_are_the_loops(app, editable):
    loop = app.jinja_env.from_string(JINJA_FIELDS)
    with app.test_request_context("/"):
        for table in (t for t in form.TABLES if t.fields):
            values = {c.name: f"<{c.name}>" for c in table.fields}
            errors = {f"{table.key}.{c.name}": "必填" for c in table.fields[::2]}
            expected = loop.render(table=table, values=values, errors=errors, editable=editable,
                                   sections=SECTIONS, divisions=DIVISIONS)
            written = field_groups(table, values, errors, editable, SECTIONS, DIVISIONS)
            assert _squeezed(written) == _squeezed(expected), table.key


def test_what_the_applicant_typed_comes_back_escaped_beside_its_error(app):
    hr = form.TABLE_BY_KEY["hr"]
    with app.test_request_context("/"):
        html = str(field_groups(hr, {"fulltime": '80"><script>alert(1)</script>'},
                                {"hr.fulltime": "请输入大于或等于 0 的整数。"}, True))
    group = html[:html.index("</div>")]
    assert "has-error" in group and 'value="80&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in group
    assert '<span class="help-block error">请输入大于或等于 0 的整数。</span>' in group
    assert "<script>" not in html and " disabled" not in html


def test_a_read_only_choice_shows_the_saved_answer_selected(app):
    col = next(c for t in form.TABLES for c in t.fields if c.kind == "yesno")
    with app.test_request_context("/"):
        html = str(control(col, col.name, "yes", None, True, with_id=True))
    assert f'name="{col.name}" disabled id={col.name}>' in html
    assert '<option value="yes" selected>是</option><option value="no">否</option>' in html
