"""Flask-Limiter limits, which the other tests run without (conftest: RATELIMIT_ENABLED off)."""
from __future__ import annotations

from contextlib import contextmanager

from app.extensions import db
from tests import factories as f

@contextmanager
def limited_app(tmp_path, **limits):
    """An app with Flask-Limiter on (the conftest app runs without rate limits), in its context."""
    from app import create_app
    from flask_appbuilder import Model

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'limits.db'}",
                      "RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://",
                      "UPLOAD_DIR": str(tmp_path / "uploads"), "SERVER_NAME": None, **limits})
    with app.app_context():
        Model.metadata.create_all(db.engine)
        try:
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()


def test_sms_codes_requested_from_one_address_are_limited(tmp_path):
    """One client walking through many mobiles: Flask-Limiter per address (the per-mobile limits
    are in the service)."""
    with limited_app(tmp_path, SMS_SEND_LIMIT_PER_ADDRESS="3 per hour") as app:
        f.seed_reference_data()
        web = f.WebClient(app)
        token = web.csrf("/account/register")
        answers = [web.post("/account/sms-code", headers={"Accept": "application/json"},
                            data={"csrf_token": token, "purpose": "register", "mobile": f"1371234000{i}"})
                   for i in range(4)]
        assert [a.status_code for a in answers] == [200, 200, 200, 429]
        assert answers[3].get_json()["message"] == "请求过于频繁，请稍后再试。"


def test_ocsp_requests_from_one_address_are_limited(tmp_path):
    """Every OCSP answer is a signature on the CA token: one client is held to
    OCSP_LIMIT_PER_ADDRESS. Garbage bodies count too (answered malformedRequest, no signature)."""
    with limited_app(tmp_path, OCSP_LIMIT_PER_ADDRESS="3 per minute") as app:
        client = app.test_client()
        answers = [client.post("/ocsp", data=b"junk", content_type="application/ocsp-request") for _ in range(3)]
        answers.append(client.get("/ocsp/anything"))
        assert [a.status_code for a in answers] == [200, 200, 200, 429]
        assert answers[0].mimetype == "application/ocsp-response"


def test_timestamp_requests_from_one_address_are_limited(tmp_path):
    """Every time-stamp token is a signature on the CA token: one client is held to TSA_LIMIT_PER_ADDRESS."""
    with limited_app(tmp_path, TSA_LIMIT_PER_ADDRESS="2 per minute") as app:
        client = app.test_client()
        answers = [client.post("/tsa", data=b"junk", content_type="application/timestamp-query") for _ in range(3)]
        assert [a.status_code for a in answers] == [200, 200, 429]
        assert answers[0].mimetype == "application/timestamp-reply"


def test_public_objections_lookups_and_certificate_queries_are_limited_per_address(tmp_path):
    """公示异议, 异议结果查询 and 证书查询 from one client address (PUBLIC_*_LIMIT_PER_ADDRESS)."""
    with limited_app(tmp_path, PUBLIC_OBJECTION_LIMIT_PER_ADDRESS="2 per hour",
                     PUBLIC_LOOKUP_LIMIT_PER_ADDRESS="2 per minute", PUBLIC_QUERY_LIMIT_PER_ADDRESS="2 per minute") as app:
        f.seed_reference_data()
        web = f.WebClient(app)
        token = web.csrf("/portal/objections/lookup")
        objections = [web.post(f"/portal/objections/{kind}/{n}", data={"csrf_token": token})
                      for kind, n in (("sme", 1), ("benchmark", 2), ("sme", 3))]
        assert [a.status_code for a in objections] == [404, 404, 429]  # both forms count together
        lookups = [web.post("/portal/objections/lookup", data={"csrf_token": token, "reference": f"GS2026{i}",
                                                               "contact": "13812345678"}) for i in range(3)]
        assert [a.status_code for a in lookups] == [200, 200, 429]
        assert web.get("/portal/objections/lookup").status_code == 200  # reading the form is not limited
        queries = [web.get(f"/portal/certificates?q=企业名称{i}") for i in range(3)]
        assert [a.status_code for a in queries] == [200, 200, 429]
        assert web.get("/portal/certificates").status_code == 200  # the empty form is free
