"""Every action is reachable from the list it acts on, and the statistics manager lists every
program read-only: the province finds 抽查 and 新建公示批次 as buttons (the agency does not); the
manager opens the quality-benchmark lists from its menu and can change nothing there."""
from __future__ import annotations

import pytest

from app.security import roles as R
from tests import factories as f

pytestmark = pytest.mark.parametrize("app", ["sqlite"], indirect=True)


def _client(app, role, region=None):
    client = f.WebClient(app)
    client.login(f.gen_user(role, agency_region=region).username)
    return client


def test_the_province_finds_the_draw_and_the_new_batch_on_its_lists(app):
    province = _client(app, R.PROVINCE_REVIEWER, "330000")
    review = province.get("/review/sme/list/").data.decode()
    assert 'href="/review/sme/draw"' in review and "抽查" in review
    assert 'href="/review/sme/batch"' in review and "新建公示批次" in review
    batches = province.get("/review/publicity-batches/list/").data.decode()
    assert 'href="/review/sme/batch"' in batches
    assert province.get("/review/sme/draw").status_code == 200


def test_the_agency_is_not_offered_the_provinces_pages(app):
    agency = _client(app, R.AGENCY_REVIEWER, "330100")
    review = agency.get("/review/sme/list/").data.decode()
    assert "/review/sme/draw" not in review and "/review/sme/batch" not in review


def test_the_manager_lists_the_quality_benchmark_read_only(app):
    manager = _client(app, R.MANAGER)
    home = manager.get("/review/sme/list/").data.decode()
    for url in ("/review/filings/list/", "/review/declarations/list/", "/benchmark/activities/list/",
                "/benchmark/recommending-units/list/"):
        assert f'href="{url}"' in home, url  # in its menu
        assert manager.get(url).status_code == 200, url
    assert manager.get("/benchmark/activities/add").status_code in (302, 403, 404)
    assert "/benchmark/activities/add" not in manager.get("/benchmark/activities/list/").data.decode()


def test_the_cover_page_never_tells_an_enterprise_to_run_a_server_command(app):
    evaluation = f.gen_sme()
    owner = f.owner_of(evaluation)
    web = f.WebClient(app)
    web.login(owner.username)
    page = web.get(f"/sme/{evaluation.id}/self-evaluation").data.decode()
    assert "用 USB-Key 签章" in page and 'href="/signer/"' in page  # signed in the page; the agent's install page
    assert "flask --app" not in page and "sign-pdf" not in page
