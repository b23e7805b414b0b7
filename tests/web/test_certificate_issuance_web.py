"""重新签发证书 on the province reviewer's page, and "证书签发中" on the applicant's and reviewer's
pages while the issue_certificate task waits for a worker."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from app.extensions import db
from app.security import roles as R
from app.services import sme as svc
from models import BackgroundTask, IssuedDocument, ShenbaoUser
from tests import factories as f


def _numbered():
    province = f.gen_user(R.PROVINCE_REVIEWER, agency_region="330000")
    evaluation = f.gen_sme(status="recommended")
    svc.draw_spot_check(province, 0, seed="s1", year=2026)
    svc.create_batch(province, "2026年第一批", dt.date(2026, 5, 1), dt.date(2026, 5, 10), [evaluation.id])
    svc.publicity_tick(dt.date(2026, 5, 1))
    svc.publicity_tick(dt.date(2026, 5, 11))
    svc.review(province, evaluation.id, "store")
    return province, svc.review(province, evaluation.id, "number")


def _versions(evaluation_id):
    db.session.expire_all()
    return [(d.version, d.status) for d in db.session.execute(select(IssuedDocument).where(
        IssuedDocument.record_id == evaluation_id, IssuedDocument.record_type == "sme_evaluation")
        .order_by(IssuedDocument.version)).scalars()]


def test_province_reviewer_reissues_from_the_review_page(app, web):
    province, numbered = _numbered()
    web.login(province.username)
    page = web.get(f"/review/sme/show/{numbered.id}").get_data(as_text=True)
    assert "重新签发证书" in page and "第 1 版" in page
    answer = web.post_form(f"/certificates/reissue/sme_evaluation/{numbered.id}", {},
                           csrf_url=f"/review/sme/show/{numbered.id}", follow_redirects=True)
    text = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "证书正在重新签发" in text and "第 2 版" in text
    assert _versions(numbered.id) == [(1, "superseded"), (2, "current")]


def test_agency_reviewer_may_not_reissue(app, web):
    _province, numbered = _numbered()
    agency = f.gen_user(R.AGENCY_REVIEWER, agency_region=numbered.enterprise.city_code)
    web.login(agency.username)
    page = web.get(f"/review/sme/show/{numbered.id}").get_data(as_text=True)
    assert "第 1 版" in page and "重新签发证书" not in page
    token = web.csrf("/account/change-password")
    answer = web.post(f"/certificates/reissue/sme_evaluation/{numbered.id}", data={"csrf_token": token})
    assert answer.status_code in (302, 403)
    assert _versions(numbered.id) == [(1, "current")]
    assert db.session.execute(select(BackgroundTask).where(BackgroundTask.kind == "issue_certificate")).scalars().all()[-1].status == "done"
    assert len(db.session.execute(select(BackgroundTask)).scalars().all()) == 1


def test_pages_say_the_certificate_is_being_issued_while_queued(app, web):
    app.config["TASK_WORKER"] = "external"  # queued with the number, no worker runs it yet
    province, numbered = _numbered()
    assert _versions(numbered.id) == []
    applicant = db.session.execute(select(ShenbaoUser).where(
        ShenbaoUser.enterprise_id == numbered.enterprise_id)).scalar_one()
    web.login(applicant.username)
    page = web.get(f"/sme/{numbered.id}/").get_data(as_text=True)
    assert numbered.certificate_number in page and "证书签发中" in page
    web.logout()
    web.login(province.username)
    page = web.get(f"/review/sme/show/{numbered.id}").get_data(as_text=True)
    assert "证书签发中" in page
    from app.tasks.worker import drain

    assert drain()["done"] == 1
    page = web.get(f"/review/sme/show/{numbered.id}").get_data(as_text=True)
    assert "证书签发中" not in page and "第 1 版" in page


def test_association_reissues_a_selected_declaration_and_the_applicant_sees_it_pending(app, web):
    from app.services import declaration as decl
    from tests.services.test_declaration import _submitted, build_world

    world = build_world()
    declaration = _submitted(world)
    decl.choose_recommender(world["user"], declaration.id, world["units"][0].id)
    decl.review(world["recommender"], declaration.id, "recommend", "同意推荐")
    decl.review(world["association"], declaration.id, "qualify")
    decl.review(world["association"], declaration.id, "select")
    web.login(world["association"].username)
    show = f"/review/declarations/show/{declaration.id}"
    assert "第 1 版" in web.get(show).get_data(as_text=True)
    app.config["TASK_WORKER"] = "external"  # the re-issue waits for a worker
    web.post_form(f"/certificates/reissue/declaration/{declaration.id}", {}, csrf_url=show)
    assert "证书签发中" in web.get(show).get_data(as_text=True)
    web.logout()
    web.login(world["user"].username)
    page = web.get(f"/benchmark/my/declaration/{declaration.id}").get_data(as_text=True)
    assert "证书签发中" in page and "第 1 版" in page and "重新签发证书" not in page


def test_the_reviewer_is_told_when_the_certificate_finally_fails(app, web, monkeypatch):
    """After the last attempt the province reviewer who numbered the evaluation finds an in-app
    message with the reason; its link opens the review page with 重新签发证书. The enterprise is
    not told about the key service (its result message came with the number)."""
    from sqlalchemy import update

    from app.services import certificate_issuance as issuance
    from app.services.eseal import pki
    from app.tasks.worker import drain
    from models import InboxMessage

    def unavailable():
        raise pki.PkiUnavailable("The key service is not available: token missing")

    monkeypatch.setattr(pki, "platform_signer", unavailable)
    province, numbered = _numbered()
    for _attempt in range(issuance.MAX_ATTEMPTS - 1):
        db.session.execute(update(BackgroundTask).values(run_after=None))
        db.session.commit()
        drain()
    db.session.expire_all()
    [message] = db.session.execute(select(InboxMessage).where(InboxMessage.template == "issue_certificate")).scalars()
    assert message.user_id == province.id
    web.login(province.username)
    assert web.get("/messages/").get_data(as_text=True).count("证书未能签发") == 1
    page = web.get(f"/messages/{message.id}").get_data(as_text=True)
    assert f"证书未能签发：2026 {numbered.system_number}" in page and "密钥服务" in page
    assert f'href="/review/sme/show/{numbered.id}"' in page
    review = web.get(f"/review/sme/show/{numbered.id}").get_data(as_text=True)
    assert "重新签发证书" in review and "密钥服务" in review
    applicant = db.session.execute(select(ShenbaoUser).where(
        ShenbaoUser.enterprise_id == numbered.enterprise_id)).scalar_one()
    assert not db.session.execute(select(InboxMessage).where(InboxMessage.user_id == applicant.id,
                                                             InboxMessage.template == "issue_certificate")).first()
