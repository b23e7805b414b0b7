"""app/list_rows.py writes a list's rows in Python: the same markup the Jinja loop it replaced
wrote (shenbao/widgets/list.html before), every value escaped and finalized."""
from __future__ import annotations

import datetime as dt
import re

from markupsafe import Markup

from app.list_rows import list_rows

JINJA_LOOP = """{% for item in value_columns %}{% set pk = pks[loop.index-1] %}<tr>
{% if actions %}<td>
<input id="{{pk}}" class="action_check" name="rowid" value="{{pk}}" type="checkbox">
</td>{% endif %}
{% if show_url %}<td><center><div class="btn-group btn-group-xs" style="display: flex;">
<a href="{{ show_url | replace('__SB_PK__', pk | string | urlencode) }}" class="btn btn-sm btn-default"
 data-toggle="tooltip" rel="tooltip" title="{{ show_title }}"><span class="sr-only">{{ show_label }}</span>
<i class="fa fa-search"></i></a>
</div></center></td>{% endif %}
{% for value in include_columns %}{% set formatter = formatters_columns.get(value) %}
{% if formatter %}<td>{{ formatter(item[value]) }}</td>{% else %}<td>{{ item[value] }}</td>{% endif %}
{% endfor %}</tr>{% endfor %}"""


def _squeezed(html: str) -> str:
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", str(html))).strip()


def test_the_rows_are_the_jinja_loops(app):
    values = [{"name": "<b>甲 & 乙</b>", "score": None, "ok": True, "when": dt.date(2026, 12, 4), "link": 1},
              {"name": "丙", "score": 87, "ok": False, "when": None, "link": 2}]
    formatters = {"link": lambda v: Markup('<a href="/x/%d">附件</a>') % v, "score": lambda v: v}
    context = dict(value_columns=values, pks=[7, "a b/c"], include_columns=["name", "score", "ok", "when", "link"],
                   formatters_columns=formatters, actions=True, show_url="/review/sme/show/__SB_PK__?_flt_0_a=1&b=2",
                   show_title="查看记录", show_label="查看")
    with app.test_request_context("/"):
        expected = app.jinja_env.from_string(JINJA_LOOP).render(**context)
        written = list_rows(context["value_columns"], context["pks"], context["include_columns"], formatters,
                            True, context["show_url"], "查看记录", "查看")
    assert _squeezed(written) == _squeezed(expected)
    assert "&lt;b&gt;甲 &amp; 乙&lt;/b&gt;" in written and "?_flt_0_a=1&amp;b=2" in written
    assert "/review/sme/show/a%20b/c?" in written and '<a href="/x/2">附件</a>' in written
    assert "None" not in written and "True" not in written


def test_without_a_show_button_or_checkboxes(app):
    with app.test_request_context("/"):
        written = list_rows([{"a": "x"}], [1], ["a"], {}, False, None, "t", "l")
    assert str(written) == "<tr><td>x</td></tr>"
