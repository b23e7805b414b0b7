"""The decision buttons: approving first, returns next, the refusal last in red and asking before
it goes; withdrawing asks too. The asking is done by /static/js/confirm_actions.js on every page."""
from __future__ import annotations

import re

import pytest

from app.security import roles as R
from tests import factories as f

pytestmark = pytest.mark.parametrize("app", ["sqlite"], indirect=True)


def test_the_province_sees_approve_then_return_then_a_confirmed_reject(app):
    evaluation = f.gen_sme(status="pending_province")
    web = f.WebClient(app)
    web.login(f.gen_user(R.PROVINCE_REVIEWER, agency_region="330000").username)
    page = web.get(f"/review/sme/show/{evaluation.id}").data.decode()
    order = re.findall(r'id="action-(\w+)"', page)
    assert order == ["approve", "return_to_agency", "reject"]
    reject = re.search(r'<button[^>]*id="action-reject"[^>]*>', page, re.S).group(0)
    assert "btn-danger" in reject and "后不可撤销" in reject and "data-confirm" in reject
    assert "js/confirm_actions.js" in page


def test_withdrawing_asks_first(app):
    evaluation = f.gen_sme(status="pending_agency")
    owner = f.owner_of(evaluation)
    web = f.WebClient(app)
    web.login(owner.username)
    page = web.get(f"/sme/{evaluation.id}/").data.decode()
    button = re.search(r'<button[^>]*id="sme-withdraw"[^>]*>', page, re.S).group(0)
    assert "确定撤回" in button
