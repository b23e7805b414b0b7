"""The screenshots of the user manuals (docs/manual/img), taken from the real pages in headless
Chromium, in Chinese: each shot first asserts the page shows the heading the manual describes and
its "?" help link, then is saved as a small JPEG (1000 px wide, quality 70) under the name the
manuals reference. Every run checks the pages and writes the shots to test-artifacts; with
UPDATE_MANUAL_SCREENSHOTS=1 it writes them into docs/manual/img (commit them after a UI change), so
an ordinary test run leaves the committed images alone."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from app.security import roles as R
from tests import factories as f
from tests.browser.helpers import sign_in, tr

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
IMG = (ROOT / "docs" / "manual" / "img" if os.environ.get("UPDATE_MANUAL_SCREENSHOTS") == "1"
       else ROOT / "test-artifacts" / "browser" / "manual-img")
WIDTH, MAX_HEIGHT = 1000, 1300


def _shot(page, name: str, heading: str) -> Path:
    from playwright.sync_api import expect

    expect(page.locator("h2").first).to_contain_text(heading)
    expect(page.locator("#sb-help a")).to_have_attribute("aria-label", re.compile("^帮助："))
    height = page.evaluate("document.documentElement.scrollHeight")
    path = IMG / name
    page.screenshot(path=str(path), type="jpeg", quality=70, full_page=True,
                    clip={"x": 0, "y": 0, "width": WIDTH, "height": min(height, MAX_HEIGHT)})
    assert path.stat().st_size < 300_000, (name, path.stat().st_size)
    return path


@pytest.mark.parametrize("app", ["sqlite"], indirect=True)
def test_manual_screenshots(app, live_server, browser, shots):
    from app.extensions import db
    from models import SmeEvaluation
    from tests.crawl_world import seed_world

    IMG.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": WIDTH, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_server}/account/register")
    _shot(page, "account-register.jpg", tr(app, "Account registration"))

    draft_user = f.gen_applicant()
    f.gen_enterprise(draft_user)
    sign_in(page, live_server, draft_user.username)
    page.goto(f"{live_server}/my-enterprise/registration")
    _shot(page, "enterprise-registration.jpg", tr(app, "Enterprise registration"))
    context.close()

    from tests.browser.test_eseal_flow import off_the_event_loop

    def seed():  # signing PDFs (pyHanko) runs asyncio, which Playwright's loop refuses in this thread
        with app.app_context():
            user = seed_world()[R.APPLICANT]
            sme = db.session.query(SmeEvaluation).filter_by(enterprise_id=user.enterprise_id).first()
            return user.username, sme.id

    username, sme_id = off_the_event_loop(seed)
    context = browser.new_context(viewport={"width": WIDTH, "height": 900}, locale="zh-CN")
    page = context.new_page()
    sign_in(page, live_server, username)
    for url, name, heading in (
        ("/progress/", "progress.jpg", "Progress"),
        ("/sme/", "sme-list.jpg", "Evaluation materials"),
        (f"/sme/{sme_id}/table/finance", "sme-table-finance.jpg", "Tech-based SME evaluation"),
        (f"/sme/{sme_id}/self-evaluation", "sme-self-evaluation.jpg", "Tech-based SME evaluation"),
        ("/benchmark/", "bm-entry.jpg", "National quality benchmark"),
        ("/benchmark/my/", "bm-my.jpg", "My declarations"),
        ("/eseal/", "eseal-index.jpg", "View e-seals"),
        ("/eseal/apply?kind=first", "eseal-apply.jpg", "Apply for the e-seal service"),
    ):
        page.goto(live_server + url)
        _shot(page, name, tr(app, heading))
    context.close()

    # The manual itself, with the screenshots in place, in both languages (test-artifacts only).
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": WIDTH, "height": 900})
    for lang, title in (("zh", "企业用户：科技型中小企业评价"), ("en", "Enterprise applicant: tech-based SME evaluation")):
        page.goto(f"{live_server}/lang/{lang}")
        page.goto(f"{live_server}/help/sme#sme-self-evaluation")
        expect(page.locator("#manual-title")).to_have_text(title)
        image = page.locator('#sme-self-evaluation ~ p img').first
        expect(image).to_be_visible()
        assert page.evaluate("(img) => img.naturalWidth", image.element_handle()) == WIDTH
        shots(page, f"help-sme-{lang}")
