"""Portal content rules: rich text sanitising, who edits which program, the dates, and the files
an article may carry (PDF, Word, Excel: told apart though both are zips)."""
from __future__ import annotations

import datetime as dt
import io

import pytest

from app.security import roles as R
from app.services import portal as svc
from app.services import portal_seed
from app.services.errors import Forbidden, ServiceError
from tests import factories as f

pytestmark = pytest.mark.parametrize("app", ["sqlite"], indirect=True)


def test_sanitize_keeps_formatting_and_drops_active_content(app):
    html = svc.sanitize('<h4>标题</h4><p onclick="x()">段落<script>alert(1)</script></p><img src=x onerror=alert(2)>'
                        '<a href="javascript:alert(3)">坏</a><a href="http://example.com" target="_blank">好</a>'
                        '<style>p{}</style><table><tr><td colspan="2">格</td></tr></table><iframe src="/"></iframe>')
    assert "<h4>标题</h4>" in html and '<td colspan="2">格</td>' in html
    assert '<a href="http://example.com" rel="noopener noreferrer">好</a>' in html
    for bad in ("script", "onclick", "onerror", "<img", "javascript:", "<style", "iframe", "alert(1)"):
        assert bad not in html, bad
    assert svc.sanitize(None) == ""


def test_editors_by_role(app):
    assert svc.editable_programs(f.gen_user(R.ADMIN)) == frozenset(svc.PROGRAM_LABELS)
    assert svc.editable_programs(f.gen_user(R.CA_OPERATOR)) == {"eseal"}
    assert svc.editable_programs(f.gen_user(R.ASSOCIATION_REVIEWER)) == {"benchmark"}
    assert svc.editable_programs(f.gen_user(R.PROVINCE_REVIEWER, agency_region="330000")) == {"sme"}
    assert svc.editable_programs(f.gen_applicant()) == frozenset()
    with pytest.raises(Forbidden):
        svc.check_editable(f.gen_user(R.CA_OPERATOR), "sme")


def test_prepare_checks_dates_and_title(app):
    from models import PortalArticle

    admin = f.gen_user(R.ADMIN)
    article = PortalArticle(kind="notice", program="sme", title_zh="通知", publish_on=dt.date(2026, 5, 2),
                            expires_on=dt.date(2026, 5, 1), doc_number="X")
    with pytest.raises(ServiceError) as caught:
        svc.prepare(admin, article)
    assert "expires_on" in caught.value.field_errors
    article.expires_on = None
    svc.prepare(admin, article)
    assert article.doc_number is None  # a notice has no document number


@pytest.mark.parametrize("name,maker", [("a.pdf", portal_seed.sme_commitment_pdf), ("b.docx", portal_seed.benchmark_summary_docx),
                                        ("c.xlsx", portal_seed.sme_selfcheck_xlsx)])
def test_generated_templates_are_accepted_as_what_they_are(app, name, maker):
    from app.storage import save_upload

    attachment = save_upload(io.BytesIO(maker()), name, svc.PURPOSE, enterprise_id=None, record_type=svc.RECORD_TYPE,
                             record_id=1, uploaded_by_id=None)
    assert attachment.stored_name.endswith(name[name.index("."):])  # stored as the kind it is


def test_a_workbook_named_docx_is_refused(app):
    from app.storage import save_upload

    with pytest.raises(ServiceError):
        save_upload(io.BytesIO(portal_seed.sme_selfcheck_xlsx()), "x.docx", svc.PURPOSE, enterprise_id=None,
                    record_type=svc.RECORD_TYPE, record_id=1, uploaded_by_id=None)
    with pytest.raises(ServiceError):
        save_upload(io.BytesIO(portal_seed.benchmark_summary_docx()), "x.xlsx", svc.PURPOSE, enterprise_id=None,
                    record_type=svc.RECORD_TYPE, record_id=1, uploaded_by_id=None)
