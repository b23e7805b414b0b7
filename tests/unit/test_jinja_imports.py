"""app/jinja_imports.py: an import sees the same names as through Jinja's own Template."""
from __future__ import annotations

import pytest
from jinja2 import DictLoader, Environment, Template

from app.jinja_imports import LayeredImportTemplate

TEMPLATES = {
    "macros.html": "{% macro hello() %}{{ greeting | default('none') }}/{{ shared }}{% endmacro %}",
    "page.html": "{% import 'macros.html' as m %}{{ m.hello() }}",
    "page_ctx.html": "{% import 'macros.html' as m with context %}{{ m.hello() }}",
}


def _env(template_class):
    env = Environment(loader=DictLoader(TEMPLATES))
    env.template_class = template_class
    env.globals["shared"] = "env-global"
    return env


@pytest.mark.parametrize("page,globals_", [
    ("page.html", None),                       # same globals: the cached module
    ("page.html", {"greeting": "page-global"}),  # the importer has one more: a module that sees it
    ("page_ctx.html", None),
])
def test_import_renders_as_jinja_does(page, globals_):
    ours = _env(LayeredImportTemplate).get_template(page, globals=globals_).render(greeting="a variable")
    jinjas = _env(Template).get_template(page, globals=globals_).render(greeting="a variable")
    assert ours == jinjas
    if page == "page.html":  # without context: a name the importer holds as a global only
        assert ours == ("a variable" if globals_ else "none") + "/env-global"


def test_import_without_extra_globals_reuses_one_module():
    env = _env(LayeredImportTemplate)
    env.get_template("page.html").render()
    module = env.get_template("macros.html")._module
    assert module is not None
    env.get_template("page.html").render()
    assert env.get_template("macros.html")._module is module


def test_the_app_loads_templates_with_it(app):
    assert isinstance(app.jinja_env.get_template("appbuilder/baselib.html"), LayeredImportTemplate)
