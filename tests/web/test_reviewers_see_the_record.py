"""A reviewer's page shows the whole record the reviewer judges, values as the applicant's form
names them, and every file the applicant uploaded one click away: the link downloads for the
reviewer and answers 404 to a user outside the record's scope."""
from __future__ import annotations

import io
import re

from app.security import roles as R
from app.services import email_change
from tests import factories as f


def _page(web, url: str) -> str:
    response = web.get(url)
    assert response.status_code == 200, (url, response.status_code, response.headers.get("Location"))
    return response.get_data(as_text=True)


def _attachment_links(html: str) -> list[int]:
    return [int(n) for n in dict.fromkeys(re.findall(r'href="/attachments/(\d+)"', html))]


def _downloads(app, login: str, attachment_id: int) -> int:
    web = f.WebClient(app)
    web.login(login)
    return web.get(f"/attachments/{attachment_id}").status_code


def _signed_in(app, login: str) -> f.WebClient:
    web = f.WebClient(app)
    web.login(login)
    return web


def _attachments_of(record_type: str, record_id: int) -> list[int]:
    from sqlalchemy import select

    from app.extensions import db
    from models import Attachment

    return list(db.session.execute(select(Attachment.id).where(
        Attachment.record_type == record_type, Attachment.record_id == record_id).order_by(Attachment.id)).scalars())


def _captcha() -> str:
    from app.services import captcha

    return captcha.new_challenge()[0]


def test_email_change_review_shows_the_stamped_proofs(app):
    applicant = f.gen_applicant()
    enterprise = f.gen_enterprise(applicant, status="approved")
    request = email_change.submit(
        email_change.EmailChangeForm(enterprise.credit_code, enterprise.name, applicant.first_name, applicant.mobile,
                                     "new-contact@example.com", str(f.agency("330100").id), _captcha(), f.CAPTCHA),
        [(io.BytesIO(f.PNG_1PX), "盖章申请-1.png"), (io.BytesIO(f.PNG_1PX), "盖章申请-2.png")])
    proofs = _attachments_of("email_change", request.id)
    assert len(proofs) == 2
    reviewer = f.gen_user(R.AGENCY_REVIEWER, agency_region="330100")
    other_agency = f.gen_user(R.AGENCY_REVIEWER, agency_region="330700")

    html = _page(_signed_in(app, reviewer.username), f"/review/email-changes/show/{request.id}")
    for value in (enterprise.credit_code, enterprise.name, applicant.first_name, applicant.mobile,
                  "new-contact@example.com", "杭州市科学技术局", "盖章申请-1.png", "盖章申请-2.png"):
        assert value in html, value
    assert set(_attachment_links(html)) == set(proofs)
    # Images are shown as thumbnails, each inside its download link.
    for attachment_id in proofs:
        assert re.search(rf'<a [^>]*href="/attachments/{attachment_id}"[^>]*>\s*<img ', html), attachment_id
    # The submission time reads in Beijing time to the minute, not as a stored UTC value.
    assert not re.search(r"\d{2}:\d{2}:\d{2}\.\d+", html)

    for attachment_id in proofs:
        assert _downloads(app, reviewer.username, attachment_id) == 200
        assert _downloads(app, other_agency.username, attachment_id) == 404
        assert _downloads(app, applicant.mobile, attachment_id) == 404  # the request names no owner
