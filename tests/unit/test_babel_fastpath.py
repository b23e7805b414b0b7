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
