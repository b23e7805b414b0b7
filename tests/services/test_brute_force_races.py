"""Limits that must hold when guesses arrive at once (bench/brute_force.py runs the same attacks
against gunicorn). Each test starts its threads together behind a barrier, each with its own
session, and counts what was really evaluated, not what was refused.

Before the fixes: 20 of 40 parallel wrong passwords were checked against a limit of 5, 20 of 40
SMS codes compared against 5 tries, and 40 parallel sends to one mobile sent 2 codes.
"""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.services import captcha, sms_codes
from app.services.errors import ServiceError, TooManyAttempts
from models import LoginFailure, VerificationCode
from tests import factories as f


def _together(app, n: int, attempt, remote_addr: str = "10.0.0.1") -> list:
    """``attempt(i)`` in ``n`` threads released at once, each in its own request context (own
    session, ``remote_addr`` as the client); returns the results or the exceptions raised."""
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def worker(i):
        with app.test_request_context(environ_base={"REMOTE_ADDR": remote_addr}):
            barrier.wait(30)
            try:
                results[i] = attempt(i)
            except ServiceError as exc:
                db.session.rollback()
                results[i] = exc
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return results


def _slow_counter(monkeypatch, target, name: str, delay: float = 0.05) -> list:
    """Wrap ``target.name`` to count its calls and take ``delay`` seconds (a wide race window)."""
    import time

    original = getattr(target, name)
    calls: list = []
    lock = threading.Lock()

    def wrapper(*args, **kwargs):
        with lock:
            calls.append(args)
        time.sleep(delay)
        return original(*args, **kwargs)

    monkeypatch.setattr(target, name, wrapper)
    return calls


def test_parallel_wrong_passwords_are_checked_at_most_the_limit(app, monkeypatch):
    from flask import g
    from app.security.manager import ShenbaoSecurityManager

    user = f.gen_applicant(mobile="13800000001")
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    checks = _slow_counter(monkeypatch, ShenbaoSecurityManager, "_check_password")
    sm = app.appbuilder.sm

    def attempt(i):
        result = sm.auth_user_db(user.username, f"wrong{i}")
        return "blocked" if g.login_wait else ("user" if result else "checked")

    results = _together(app, 20, attempt)
    assert len(checks) <= limit, results
    assert results.count("checked") == len(checks) and results.count("blocked") == 20 - len(checks)
    failures = db.session.execute(select(func.count()).select_from(LoginFailure)
                                  .where(LoginFailure.key == f"account:{user.username}")).scalar_one()
    assert failures == len(checks)  # blocked attempts took their rows back
    # Racing attempts may block each other early (safe side); one at a time, the rest of the
    # limit is checked, then the account is locked, the right password too, from anywhere.
    with app.test_request_context(environ_base={"REMOTE_ADDR": "10.0.0.2"}):
        while sm.auth_user_db(user.username, "wrong-again") is None and not g.login_wait:
            pass
        assert len(checks) == limit
        assert sm.auth_user_db(user.username, f.PASSWORD) is None and g.login_wait > 0
        assert len(checks) == limit


def test_parallel_accounts_from_one_address_are_checked_at_most_the_ip_limit(app, monkeypatch):
    from app.security.manager import ShenbaoSecurityManager

    app.config["LOGIN_MAX_FAILURES_PER_IP"] = 6
    checks = _slow_counter(monkeypatch, ShenbaoSecurityManager, "_check_password")
    sm = app.appbuilder.sm
    _together(app, 20, lambda i: sm.auth_user_db(f"1370000{i:04d}", "wrong1"))
    assert len(checks) <= 6


def test_a_right_password_clears_only_its_own_attempt_and_the_account(app):
    from flask import g

    user = f.gen_applicant(mobile="13800000001")
    sm = app.appbuilder.sm
    with app.test_request_context(environ_base={"REMOTE_ADDR": "10.0.0.3"}):
        for _ in range(3):
            assert sm.auth_user_db(user.username, "wrong1") is None
        assert sm.auth_user_db(user.username, f.PASSWORD) is not None and g.login_wait == 0
    keys = db.session.execute(select(LoginFailure.key)).scalars().all()
    assert keys == ["ip:10.0.0.3"] * 3  # the account starts afresh; the address keeps its 3 failures


def test_parallel_sms_guesses_compare_at_most_max_tries(app, monkeypatch):
    sms_codes.issue("register", "13711112222")
    code = f.last_sms_code("13711112222")
    wrong = "000000" if code != "000000" else "111111"
    compares = _slow_counter(monkeypatch, sms_codes.hmac, "compare_digest")
    results = _together(app, 20, lambda i: sms_codes.consume("register", "13711112222", wrong))
    max_tries = app.config["SMS_CODE_MAX_TRIES"]
    assert len(compares) <= max_tries, [str(r) for r in results]
    record = db.session.execute(select(VerificationCode)).scalar_one()
    assert record.tries == max_tries
    monkeypatch.undo()
    with pytest.raises(ServiceError):
        sms_codes.consume("register", "13711112222", code)  # the right code, but the code is void


def test_the_right_sms_code_twice_at_once_is_accepted_once(app):
    sms_codes.issue("register", "13711112222")
    code = f.last_sms_code("13711112222")

    def attempt(i):
        sms_codes.consume("register", "13711112222", code)
        db.session.commit()
        return "ok"

    results = _together(app, 8, attempt)
    assert results.count("ok") == 1, [str(r) for r in results]


def test_parallel_sends_to_one_mobile_send_one_code(app, monkeypatch):
    from app import notify

    _slow_counter(monkeypatch, notify, "send_sms")  # between the resend check and the commit
    results = _together(app, 10, lambda i: sms_codes.issue("register", "13711112222") and "sent")
    assert results.count("sent") == 1, [str(r) for r in results]
    assert all(isinstance(r, TooManyAttempts) for r in results if r != "sent")
    assert db.session.execute(select(func.count()).select_from(VerificationCode)).scalar_one() == 1


def test_one_captcha_replayed_at_once_passes_once(app):
    challenge_id, _answer = captcha.new_challenge()
    results = _together(app, 20, lambda i: captcha.verify(challenge_id, f.CAPTCHA))
    assert results.count(True) == 1, results
