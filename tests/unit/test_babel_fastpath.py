"""app/babel_fastpath.py keeps the request's translations on Flask-Babel's namespace: the
language must still follow the session, force_locale (e-mails in the recipient's language,
exports in the requester's) and refresh, within one request and from one request to the next."""
from __future__ import annotations

import inspect

import flask_babel
import pytest
from flask_babel import force_locale, gettext, lazy_gettext

from app import babel_fastpath

SAMPLE = "Show record"  # a msgid with a zh translation


@pytest.fixture
def zh_text(app):
    with app.test_request_context("/", headers={"Accept-Language": "zh-CN"}):
        with force_locale("zh"):
            return gettext(SAMPLE)


def test_flask_babel_still_reads_its_namespace_through_the_function_the_fast_path_replaces(app):
    # get_locale, get_domain and Domain.get_translations look the name up at call time.
    for function in (flask_babel.get_locale, flask_babel.get_domain, babel_fastpath.ORIGINAL[1]):
        assert "_get_current_context()" in inspect.getsource(function)
    assert flask_babel._get_current_context is babel_fastpath._current_context


def test_force_locale_switches_and_restores_the_language_inside_one_request(app, zh_text):
    assert zh_text != SAMPLE
    with app.test_request_context("/"):
        with force_locale("zh"):
            assert gettext(SAMPLE) == zh_text
            with force_locale("en"):
                assert gettext(SAMPLE) == SAMPLE
                assert str(lazy_gettext(SAMPLE)) == SAMPLE
            assert gettext(SAMPLE) == zh_text
        with force_locale("en"):
            assert gettext(SAMPLE) == SAMPLE


def test_the_language_of_one_request_does_not_stay_for_the_next(app, zh_text):
    with app.test_request_context("/"), force_locale("en"):
        assert gettext(SAMPLE) == SAMPLE
    with app.test_request_context("/"), force_locale("zh"):
        assert gettext(SAMPLE) == zh_text


def test_refresh_takes_the_new_locale(app, zh_text):
    with app.test_request_context("/"):
        ctx = babel_fastpath._current_context()
        ctx.babel_locale = flask_babel.Locale.parse("en")
        assert gettext(SAMPLE) == SAMPLE
        flask_babel.refresh()
        ctx.babel_locale = flask_babel.Locale.parse("zh")
        assert gettext(SAMPLE) == zh_text


def test_pages_follow_the_users_language(client):
    zh = client.get("/login/").get_data(as_text=True)
    client.get("/lang/en")
    en = client.get("/login/").get_data(as_text=True)
    client.get("/lang/zh")
    zh_again = client.get("/login/").get_data(as_text=True)
    assert "密码" in zh and "Password" not in zh
    assert "Password" in en and "密码" not in en
    assert "密码" in zh_again and "Password" not in zh_again


TEMPLATE = ('{{ _("Show record") }}|{{ _("Help: %(title)s", title="<b>甲</b>") }}|{{ gettext("Show record") }}|'
            '{{ _("The shareholders\' ratios add up to %(total)s%%, more than 100%%.", total=120) }}|{{ _("100%%") }}')


def _jinja_original_gettext(env):
    """What Flask-Babel installs through jinja2.ext (newstyle), before the fast path replaces it."""
    from jinja2.ext import _gettext_alias, _make_new_gettext

    return {"_": _gettext_alias, "gettext": _make_new_gettext(lambda s: flask_babel.get_translations().ugettext(s))}


@pytest.mark.parametrize("autoescape", [True, False])
def test_templates_translate_as_jinja_does_in_each_language_of_one_request(app, autoescape):
    assert app.jinja_env.globals["_"] is babel_fastpath.template_gettext
    fast_env = app.jinja_env.overlay(autoescape=autoescape)
    original_env = app.jinja_env.overlay(autoescape=autoescape)
    original_env.globals = {**app.jinja_env.globals, **_jinja_original_gettext(original_env)}
    with app.test_request_context("/"):
        seen = []
        for locale in ("zh", "en", "zh"):  # the kept texts belong to one language each
            with force_locale(locale):
                fast = fast_env.from_string(TEMPLATE).render()
                fast_again = fast_env.from_string(TEMPLATE).render()
                assert fast == fast_again == original_env.from_string(TEMPLATE).render()
                seen.append(fast)
    zh, en, _zh_again = seen
    assert zh.split("|")[0] != "Show record" and en.split("|")[0] == "Show record"
    assert "股东出资比例合计为 120%" in zh and en.endswith("|100%")
    escaped = "&lt;b&gt;甲&lt;/b&gt;" in zh
    assert escaped is autoescape


def test_texts_kept_for_templates_stay_bounded(app, monkeypatch):
    # FAB's form macro translates each error message, which may carry what was typed.
    monkeypatch.setattr(babel_fastpath, "KEPT_TEXTS_MAX", 50)
    template = app.jinja_env.from_string("{{ _(text) }}")
    with app.test_request_context("/"), force_locale("zh"):
        for n in range(200):
            assert template.render(text=f"typed {n}") == f"typed {n}"
        kept = flask_babel.get_translations().__dict__["_shenbao_template_texts"]
        assert len(kept) <= 51
        assert template.render(text=SAMPLE) != SAMPLE
