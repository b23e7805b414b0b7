"""An approved organization filing serves later activities without filing again (manual §3 ②
"无需重新备案"); a later activity needs the three years before its own year, added to the same
filing and reviewed again."""
from __future__ import annotations

import datetime as dt
import io
import re

import pytest

from app.extensions import db
from app.services import filing as filing_svc
from models import Activity, Declaration, OrganizationFiling
from tests import factories as f
from tests.services.test_declaration import CONTACT, _docx, world  # noqa: F401  (fixture)
from tests.services.test_filing import YEARS

pytestmark = pytest.mark.parametrize("app", ["sqlite"], indirect=True)


@pytest.fixture
def next_year(world):  # noqa: F811
    """The 2019 activity closed, the 2020 one open."""
    world["activity"].status = "closed"
    activity = Activity(name="2020 质量标杆活动", year=2020, status="open", opens_on=dt.date(2020, 3, 1),
                        closes_on=dt.date(2020, 4, 30), commitment_text="承诺书 2020", recommending_units=world["units"])
    db.session.add(activity)
    db.session.commit()
    return activity


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_an_approved_filing_is_reused_for_a_later_activity(app, world, next_year):  # noqa: F811
    web = f.WebClient(app)
    web.login(world["user"].username)
    entry = web.get("/benchmark/").data.decode()
    assert 'id="filed-once"' in entry and "无需重新备案" in entry
    assert 'id="new-filing"' not in entry  # nothing invites a second filing

    declare = web.get("/benchmark/my/declare").data.decode()
    option = re.search(rf'<option value="{world["filing"].id}">([^<]*)</option>', declare)
    assert option and "2016–2018" in option.group(1)
    gap = _text(declare[declare.index("filing-gap"):])[:300]
    assert "2019" in gap and "更新经济数据" in gap

    start = web.post_form("/benchmark/my/declare", {"activity_id": next_year.id, "filing_id": world["filing"].id,
                                                    "project_id": world["project"].id, "commitment": "y"})
    assert start.status_code == 302
    url = start.headers["Location"]
    declaration_id = int(url.rstrip("/").split("/")[-1])
    refused = web.post_form(url, {**CONTACT, "op": "submit", "summary": (io.BytesIO(_docx()), "总结材料.docx")},
                            content_type="multipart/form-data").data.decode()
    assert "2019" in _text(refused) and "无需重新备案" in _text(refused)
    assert db.session.get(Declaration, declaration_id).status == "draft"

    # The same filing takes the year the new activity needs.
    filing_url = f"/benchmark/filing/{world['filing'].id}"
    page = web.get(filing_url).data.decode()
    assert re.search(r'<select class="form-control" id="update-year" name="year"><option value="2020">', page)
    assert web.post_form(filing_url, {"op": "update", "year": "2020"}).status_code == 302
    filing = db.session.get(OrganizationFiling, world["filing"].id)
    assert (filing.status, filing.for_year) == ("updating", 2020)
    page = web.get(filing_url).data.decode()
    assert 'name="y2017_total_assets" value="12000.5"' in page and 'name="y2019_total_assets" value=""' in page
    assert 'name="y2016_total_assets"' not in page
    form = {"op": "file", **{f"y{y}_{n}": v for y in (2017, 2018, 2019) for n, v in YEARS.items()}}
    assert web.post_form(filing_url, form, content_type="multipart/form-data").status_code == 302
    assert db.session.get(OrganizationFiling, world["filing"].id).status == "filed"
    filing_svc.review(world["association"], world["filing"].id, "approve")

    submitted = web.post_form(url, {**CONTACT, "op": "submit"}, content_type="multipart/form-data")
    assert submitted.status_code == 200
    declaration = db.session.get(Declaration, declaration_id)
    assert declaration.status == "submitted"
    assert [y["year"] for y in declaration.snapshot["economic_years"]] == [2017, 2018, 2019]
    assert db.session.query(OrganizationFiling).count() == 1  # never filed again


def test_an_approved_filing_cannot_be_cancelled_while_it_is_updated(app, world, next_year):  # noqa: F811
    from app.services.errors import ServiceError

    filing_svc.start_update(world["user"], world["filing"].id, 2020)
    with pytest.raises(ServiceError):
        filing_svc.cancel(world["user"], world["filing"].id)
    with pytest.raises(ServiceError):  # only the year of an open activity that lacks data
        filing_svc.start_update(world["user"], world["filing"].id, 2021)
