"""The home page says what to do next: an approved enterprise finds its evaluation (status and
registration number) and the three programmes; each reviewing role finds its own work."""
from __future__ import annotations

import pytest

from app.extensions import db
from app.security import roles as R
from tests import factories as f

pytestmark = pytest.mark.parametrize("app", ["sqlite"], indirect=True)


def test_an_approved_enterprise_sees_its_evaluation_and_registration_number(app):
    evaluation = f.gen_sme(status="pending_agency")
    evaluation.certificate_number = "2026330106A0000123"
    db.session.commit()
    owner = f.owner_of(evaluation)
    web = f.WebClient(app)
    web.login(owner.username)
    home = web.get("/").data.decode()
    assert "2026 年度科技型中小企业评价：等待评价工作机构确认" in home
    assert 'id="home-certificate-number">2026330106A0000123<' in home
    assert 'href="/sme/"' in home and 'href="/benchmark/"' in home and 'href="/eseal/"' in home


def test_the_self_evaluation_names_the_rules_that_scored_it(app):
    evaluation = f.gen_sme()
    owner = f.owner_of(evaluation)
    web = f.WebClient(app)
    web.login(owner.username)
    page = web.get(f"/sme/{evaluation.id}/self-evaluation").data.decode()
    assert "评分规则：2017 年起适用的《科技型中小企业评价办法》（国科发政〔2017〕115号）" in page


@pytest.mark.parametrize("role,link", [(R.ASSOCIATION_REVIEWER, "/review/filings/list/"),
                                       (R.RECOMMENDER, "/review/declarations/list/"),
                                       (R.CA_OPERATOR, "/ca/applications/list/"),
                                       (R.MANAGER, "/dashboard/")])
def test_each_reviewing_role_finds_its_work_on_the_home_page(app, role, link):
    web = f.WebClient(app)
    web.login(f.gen_user(role).username)
    assert f'href="{link}"' in web.get("/").data.decode()
