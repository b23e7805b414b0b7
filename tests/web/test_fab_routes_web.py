"""Routes every FAB ModelView inherits, as a scripted attack over every role and route found them:
unknown actions, the file download, the profile page and the user statistics chart answered 500.
Each now answers what a visitor can act on (404, or the login page), never a 500."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.security import roles as R
from models import SmeEvaluation
from tests import factories as f



def _routes(app, suffix: str) -> list[str]:
    return sorted(rule.rule for rule in app.url_map.iter_rules() if rule.rule.endswith(suffix))


def test_an_unknown_action_is_404_on_every_model_view_even_for_anonymous_visitors(app):
    web = f.WebClient(app)
    token = web.csrf("/login/")  # all an anonymous visitor needs
    routes = _routes(app, "/action/<string:name>/<pk>")
    assert len(routes) > 20
    for route in routes:
        url = route.replace("<string:name>", "no_such_action").replace("<pk>", "1")
        response = web.post(url, data={"csrf_token": token})
        assert response.status_code == 404, (url, response.status_code)
    for route in _routes(app, "/action_post"):
        response = web.post(route, data={"csrf_token": token, "action": "no_such_action", "rowid": "1"})
        assert response.status_code == 404, (route, response.status_code)


def test_an_unknown_action_is_404_for_a_signed_in_applicant(app):
    user = f.gen_applicant()
    web = f.WebClient(app)
    web.login(user.username)
    token = web.csrf("/account/change-password")
    response = web.post("/my-enterprise/ip/action/no_such_action/1", data={"csrf_token": token})
    assert response.status_code == 404
    assert "未找到" in response.data.decode()


def test_a_known_action_still_refuses_an_anonymous_visitor(app):
    web = f.WebClient(app)
    response = web.post("/outboxview/action_post", data={"csrf_token": web.csrf("/login/"), "action": "resend",
                                                         "rowid": "1"})
    assert response.status_code == 302 and "/outboxview/action_post" not in response.headers["Location"]


def test_a_bulk_action_takes_only_records_in_the_reviewers_scope(app):
    """Jinhua's agency names a Hangzhou evaluation (or none at all) in the bulk confirm: not found."""
    evaluation = f.gen_sme(status="pending_agency")
    jinhua = f.gen_user(R.AGENCY_REVIEWER, agency_region="330700")
    web = f.WebClient(app)
    web.login(jinhua.username)
    for rowid in (str(evaluation.id), "99999", "x"):
        response = web.post("/review/sme/action_post", data={"csrf_token": web.csrf("/account/change-password"),
                                                             "action": "bulk_confirm", "rowid": rowid})
        assert response.status_code == 404, (rowid, response.status_code)
    status = db.session.execute(select(SmeEvaluation.status).where(SmeEvaluation.id == evaluation.id)).scalar_one()
    assert status == "pending_agency"


def test_the_file_download_route_is_404_for_every_view(app):
    f.gen_user(R.ADMIN, "root")
    web = f.WebClient(app)
    web.login("root")
    routes = _routes(app, "/download/<string:filename>")
    assert routes
    for route in routes:
        url = route.replace("<string:filename>", "x")
        assert web.get(url).status_code == 404, url
    applicant = f.gen_applicant()
    web = f.WebClient(app)
    web.login(applicant.username)
    response = web.get("/my-enterprise/ip/download/x")
    assert response.status_code == 404 and "未找到" in response.data.decode()


def test_every_user_sees_its_own_profile(app):
    admin = f.gen_user(R.ADMIN, "root")
    applicant = f.gen_applicant(mobile="13755556666")
    reviewer = f.gen_user(R.AGENCY_REVIEWER, "reviewer1", agency_region="330700")
    for user, shown in ((admin, admin.email), (applicant, "13755556666"), (reviewer, "金华市科学技术局")):
        web = f.WebClient(app)
        web.login(user.username)
        response = web.get("/users/userinfo/")
        assert response.status_code == 200, (user.username, response.status_code)
        html = response.data.decode()
        assert user.username in html and shown in html
    others = f.WebClient(app).get("/users/userinfo/")
    assert others.status_code == 302 and "/login/" in others.headers["Location"]


def test_the_user_statistics_chart_answers_404_for_a_group_by_it_does_not_have(app):
    f.gen_user(R.ADMIN, "root")
    web = f.WebClient(app)
    web.login("root")
    assert web.get("/userstatschartview/chart/1").status_code == 200
    for bogus in ("x", "9", "-1"):
        assert web.get(f"/userstatschartview/chart/{bogus}").status_code == 404, bogus
