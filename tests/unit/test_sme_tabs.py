"""app/sme_tabs.py writes the SME evaluation's tab strip: the markup of the Jinja loop it replaced."""
from __future__ import annotations

import re
from types import SimpleNamespace as NS

import pytest
from lxml import html as lxml_html

from app.services import sme_form as form
from app.sme_tabs import sme_tabs

JINJA_LOOP = """<ul class="nav nav-tabs" style="margin-bottom:12px">
{% for t in tables %}<li{% if active == t.key %} class="active"{% endif %}><a href="{{ url_for('SmeSelfView.table', evaluation_id=evaluation.id, key=t.key) }}" title="{{ t.label }}">{{ loop.index }}. {{ t.tab }}</a></li>{% endfor %}
<li{% if active == 'self' %} class="active"{% endif %}><a id="tab-self" href="{{ url_for('SmeSelfView.self_evaluation', evaluation_id=evaluation.id) }}">{{ _("Self-evaluation and submission") }}</a></li>
<li{% if active == 'detail' %} class="active"{% endif %}><a href="{{ url_for('SmeSelfView.detail', evaluation_id=evaluation.id) }}">{{ _("Details") }}</a></li>
</ul>"""


def _squeezed(html) -> str:
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", str(html))).strip()


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("active", ["main", "hr", "other", "self", "detail"])
def test_the_strip_is_the_loops(app, language, active):
    evaluation = NS(id=4321)
    with app.test_request_context("/", headers={"Accept-Language": language}):
        expected = app.jinja_env.from_string(JINJA_LOOP).render(evaluation=evaluation, tables=form.TABLES, active=active)
        assert _squeezed(sme_tabs(evaluation, form.TABLES, active)) == _squeezed(expected)


def test_each_tab_links_its_table_and_marks_the_one_shown(app):
    with app.test_request_context("/"):
        strip = lxml_html.fromstring(str(sme_tabs(NS(id=7), form.TABLES, "hr")))
    links = strip.xpath("//li/a")
    assert [a.get("href") for a in links[:2]] == ["/sme/7/table/main", "/sme/7/table/entry"]
    assert [a.text_content() for a in strip.xpath("//li[@class='active']/a")] == ["4. 人力资源情况"]
    assert links[-2].get("href") == "/sme/7/self-evaluation" and links[-1].get("href") == "/sme/7/"
