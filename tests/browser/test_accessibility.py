"""Accessibility of the applicant's pages: axe-core (the npm package, node_modules/axe-core) runs
in Chromium on every page an enterprise contact works in, signed out and signed in, in Chinese
and English; no serious or critical violation (labels, names, contrast, keyboard order, ARIA)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.browser.conftest import CI
from tests.browser.helpers import sign_in

pytestmark = pytest.mark.browser
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
PUBLIC_PAGES = ("/login/", "/account/register", "/account/recover", "/account/recover-mobile", "/account/forgot-email",
                "/verify/")
APPLICANT_PAGES = (
    "/", "/my-enterprise/", "/progress/", "/messages/", "/account/change-password",
    "/sme/", "/my-enterprise/ip/list/", "/my-enterprise/ip/add",
    "/benchmark/", "/benchmark/my/", "/eseal/", "/eseal/apply?kind=first",
)


def _axe_source() -> str:
    if not AXE.is_file():
        message = f"{AXE} is missing: run `npm ci` (make test does)"
        if CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return AXE.read_text(encoding="utf-8")


def _serious(page, source: str) -> list[str]:
    # evaluate() runs through the DevTools protocol: the page's Content-Security-Policy (no
    # inline script) does not apply to it, and nothing is added to the page's own scripts.
    page.evaluate(source)
    result = page.evaluate("async () => JSON.stringify(await axe.run(document, {resultTypes: ['violations']}))")
    found = []
    for violation in json.loads(result)["violations"]:
        if violation["impact"] in ("serious", "critical"):
            targets = ", ".join(t for node in violation["nodes"][:3] for t in node["target"])
            first = violation["nodes"][0]
            detail = first["any"][0]["message"] if first["any"] else ""
            found.append(f"{violation['id']} ({violation['impact']}): {targets} {detail}")
    return found


@pytest.fixture
def applicant_pages(app, pkcs11_lib) -> tuple[str, list[str]]:
    """The applicant of the crawl's world, and its record pages (SME tables, e-seal key…).
    Seeded before the browser starts: issuing the key signs with pyHanko, which runs its own
    event loop (it cannot inside Playwright's)."""
    from sqlalchemy import select

    from app.extensions import db
    from models import SealApplication, SmeEvaluation
    from tests.crawl_world import seed_world

    with app.app_context():
        users = seed_world()
        applicant = users["Applicant"]
        evaluation = db.session.execute(select(SmeEvaluation).where(
            SmeEvaluation.enterprise_id == applicant.enterprise_id)).scalars().first()
        application = db.session.execute(select(SealApplication).where(
            SealApplication.enterprise_id == applicant.enterprise_id)).scalars().first()
        pages = [f"/sme/{evaluation.id}/", f"/sme/{evaluation.id}/self-evaluation",
                 f"/sme/{evaluation.id}/table/hr", f"/sme/{evaluation.id}/table/ip",
                 f"/eseal/application/{application.id}"]
        return applicant.username, pages


@pytest.mark.parametrize("app", ["sqlite"], indirect=True)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_applicant_pages_have_no_serious_accessibility_violations(app, applicant_pages, live_server, browser, lang):
    source = _axe_source()
    username, record_pages = applicant_pages
    page = browser.new_page()
    problems = {}
    if lang != "zh":
        page.goto(f"{live_server}/lang/{lang}")
    for path in PUBLIC_PAGES:
        page.goto(f"{live_server}{path}")
        problems[path] = _serious(page, source)
    sign_in(page, live_server, username)
    if lang != "zh":
        page.goto(f"{live_server}/lang/{lang}")
    for path in (*APPLICANT_PAGES, *record_pages):
        response = page.goto(f"{live_server}{path}")
        assert response.status < 400, (path, response.status)
        problems[path] = _serious(page, source)
    assert {path: found for path, found in problems.items() if found} == {}
