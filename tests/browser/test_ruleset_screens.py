"""The rules administrator's screens in Chromium, in Chinese and English: the list of rule sets,
a draft's show page and form, the test bench started from its form and its result (chart,
changed enterprises); each page passes axe-core with no serious or critical violation and is
saved as a screenshot under test-artifacts/browser/."""
from __future__ import annotations

import re

import pytest

from tests.browser.helpers import sign_in, tr
from tests.browser.test_accessibility import _axe_source, _serious

pytestmark = pytest.mark.browser


@pytest.fixture
def rules_world(app):
    """Two Hangzhou submissions of 2026 scored under 2017, a tried 2027 draft and an untried 2028 one."""
    from app.extensions import db
    from models import SmeRuleset
    from tests import factories as f
    from tests.crawl_world import rule_set_drafts

    with app.app_context():
        f.gen_sme(status="pending_agency")
        f.gen_sme(status="pending_agency", ip=[])
        admin = rule_set_drafts()
        untried = db.session.query(SmeRuleset).filter_by(year=2028).one()
        db.session.commit()
        return admin.username, untried.id


@pytest.mark.parametrize("app", ["sqlite"], indirect=True)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_rule_set_screens_read_well_and_pass_axe(app, live_server, browser, shots, rules_world, lang):
    from playwright.sync_api import expect

    username, untried_id = rules_world
    app.config["TASK_WORKER"] = "sync"  # the bench run finishes before start() returns
    source = _axe_source()
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    sign_in(page, live_server, username)
    if lang == "en":
        page.goto(f"{live_server}/lang/en")
    found = {}

    def look(url: str, name: str, *texts: str):
        page.goto(live_server + url)
        for text in texts:
            expect(page.locator("body")).to_contain_text(text)
        found[name] = _serious(page, source)
        shots(page, f"{name}-{lang}")

    zh = lang == "zh"
    look("/rulesets/", "ruleset-list", "国科发政〔2017〕115号", tr(app, "Published") if zh else "Published")
    look(f"/rulesets/{untried_id}", "ruleset-show", "一、基本条件" if zh else "1. Basic conditions",
         "草稿" if zh else "Being drafted")
    look(f"/rulesets/{untried_id}/edit", "ruleset-form", "保存" if zh else "Save")
    # A stricter pass mark on the form, saved through the button.
    page.fill("#pass_score", "90")
    with page.expect_navigation():
        page.click("#ruleset-save")
    expect(page.locator("body")).to_contain_text("90")

    look(f"/ruleset-bench/{untried_id}/start", "bench-start", "开始运行" if zh else "Start the run")
    with page.expect_navigation():
        page.click("#bench-go")
    assert re.search(rf"/ruleset-bench/{untried_id}/runs/\d+$", page.url), page.url
    expect(page.locator("#bench-chart")).to_be_visible()
    text = page.locator("body").inner_text()
    assert ("共重新评分往期申报 2 份。" if zh else "2 past submissions were re-scored.") in text, text[:1500]
    found["bench-run"] = _serious(page, source)
    shots(page, f"bench-run-{lang}")
    page.close()
    assert {name: v for name, v in found.items() if v} == {}
