"""The reviewer list and the REST list return exactly the SQL answer on deep pages
(app.datamodel.PagedSQLAInterface picks page ids before joining)."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from app.extensions import db
from app.security import roles as R
from models import Enterprise
from tests import factories as f


@pytest.fixture
def listing(app):
    hz = f.agency("330100")
    jh = f.agency("330700")
    base = dt.datetime(2026, 1, 1)
    for i in range(60):
        db.session.add(Enterprise(
            name=f"分页企业{i:03d}", credit_code=f.credit_code(), status=("submitted", "approved", "draft")[i % 3],
            agency_id=(hz if i % 4 else jh).id, province_code="330000", submitted_at=base + dt.timedelta(hours=i % 17, minutes=i),
            draft={}))
    db.session.commit()
    return hz


def _expected(agency_id: int, status: str, page: int, size: int) -> list[str]:
    stmt = (select(Enterprise.credit_code).where(Enterprise.agency_id == agency_id, Enterprise.status == status)
            .order_by(Enterprise.submitted_at.desc(), Enterprise.id.desc()).limit(size).offset(page * size))
    return list(db.session.execute(stmt).scalars())


def test_html_and_rest_pages_match_sql(app, listing):
    reviewer = f.gen_user(R.AGENCY_REVIEWER, agency_region="330100")
    web = f.WebClient(app)
    web.login(reviewer.username)
    token = web.post("/api/v1/security/login", json={"username": reviewer.username, "password": f.PASSWORD,
                                                      "provider": "db"}).get_json()["access_token"]
    for page in (0, 1, 2):
        expected = _expected(listing.id, "submitted", page, 5)
        html = web.get("/review/enterprises/list/?_flt_3_status=submitted&_oc_EnterpriseReviewView=submitted_at"
                       f"&_od_EnterpriseReviewView=desc&_psize_EnterpriseReviewView=5&_page_EnterpriseReviewView={page}").data.decode()
        positions = [html.find(code) for code in expected]
        assert all(p > 0 for p in positions) and positions == sorted(positions), page
        rest = web.get("/api/v1/enterprise/?q=(filters:!((col:status,opr:eq,value:submitted)),order_column:submitted_at,"
                       f"order_direction:desc,page:{page},page_size:5)", headers={"Authorization": f"Bearer {token}"}).get_json()
        assert [row["credit_code"] for row in rest["result"]] == expected
        assert rest["count"] == len(_expected(listing.id, "submitted", 0, 1000))


@pytest.mark.parametrize("query, first_row", [
    ("_psize_EnterpriseReviewView=abc", 0),  # not a number: the default page size, first page
    ("_page_EnterpriseReviewView=abc", 0),
    ("_page_EnterpriseReviewView=-1", 0),  # PostgreSQL refused a negative OFFSET (a 500)
    ("_psize_EnterpriseReviewView=-5", 0),
    ("_page_EnterpriseReviewView=99999999999999999999", None),  # past any page: an empty list, no overflow
])
def test_bad_page_arguments_give_a_list_not_a_500(app, listing, query, first_row):
    reviewer = f.gen_user(R.AGENCY_REVIEWER, agency_region="330100")
    web = f.WebClient(app)
    web.login(reviewer.username)
    answer = web.get(f"/review/enterprises/list/?_flt_3_status=submitted&_oc_EnterpriseReviewView=submitted_at"
                     f"&_od_EnterpriseReviewView=desc&{query}")
    html = answer.data.decode()
    assert answer.status_code == 200
    expected = _expected(listing.id, "submitted", 0, 1000)
    if first_row is None:
        assert not any(code in html for code in expected)
    else:
        assert expected[first_row] in html


def test_a_page_holds_at_most_what_the_page_size_menu_offers(app, listing):
    """``_psize_=100000`` would have put every row of a large list on one page (and in one bulk action)."""
    from app.fab_patches import PAGE_SIZE_MAX

    for i in range(PAGE_SIZE_MAX + 10):
        db.session.add(Enterprise(name=f"多页企业{i:03d}", credit_code=f.credit_code(), status="submitted",
                                  agency_id=listing.id, province_code="330000",
                                  submitted_at=dt.datetime(2025, 1, 1) + dt.timedelta(minutes=i), draft={}))
    db.session.commit()
    reviewer = f.gen_user(R.AGENCY_REVIEWER, agency_region="330100")
    web = f.WebClient(app)
    web.login(reviewer.username)
    html = web.get("/review/enterprises/list/?_flt_3_status=submitted&_oc_EnterpriseReviewView=submitted_at"
                   "&_od_EnterpriseReviewView=desc&_psize_EnterpriseReviewView=100000").data.decode()
    shown = [code for code in _expected(listing.id, "submitted", 0, 10_000) if code in html]
    assert shown == _expected(listing.id, "submitted", 0, PAGE_SIZE_MAX)


@pytest.mark.parametrize("column", ["nope", "draft", "credit_code__x"])
def test_an_order_the_list_does_not_offer_is_ignored(app, listing, column):
    """A column that does not exist was a 500; one the view does not list (``draft``, the
    applicant's JSON) is not an order a reader may choose. The default order applies."""
    reviewer = f.gen_user(R.AGENCY_REVIEWER, agency_region="330100")
    web = f.WebClient(app)
    web.login(reviewer.username)
    answer = web.get(f"/review/enterprises/list/?_flt_3_status=submitted&_oc_EnterpriseReviewView={column}"
                     "&_od_EnterpriseReviewView=asc")
    assert answer.status_code == 200
    assert _expected(listing.id, "submitted", 0, 1)[0] in answer.data.decode()
