"""The navigation menu is cached per role set and language (app/menu_cache.py): each role still
sees exactly its own items, in the language it chose."""
from __future__ import annotations

import re

from app.security import roles as R
from tests import factories as f

APPLICANT_ITEM = "评价信息管理"  # Evaluation materials (SmeSelfView)
REVIEWER_ITEM = "评价信息审核"  # Evaluation review (SmeReviewView)


def _menu(html: bytes) -> str:
    """The left part of the navbar: the menu items, without the user's own corner."""
    text = html.decode()
    match = re.search(r'<ul class="nav navbar-nav">(.*?)</ul>\s*<ul class="nav navbar-nav navbar-right">', text, re.S)
    assert match, "no navbar on the page"
    return match.group(1)


def test_each_role_sees_its_own_menu_after_another_role_filled_the_cache(app):
    f.gen_applicant(mobile="13800000001")
    f.gen_user(R.AGENCY_REVIEWER, "reviewer1", agency_region="330100")
    applicant, reviewer, visitor = f.WebClient(app), f.WebClient(app), f.WebClient(app)
    applicant.login("13800000001")
    reviewer.login("reviewer1")

    first = _menu(applicant.get("/sme/").data)
    seen_by_reviewer = _menu(reviewer.get("/review/sme/list/").data)
    again = _menu(applicant.get("/sme/").data)
    anonymous = _menu(visitor.get("/login/").data)

    assert APPLICANT_ITEM in first and REVIEWER_ITEM not in first
    assert REVIEWER_ITEM in seen_by_reviewer and APPLICANT_ITEM not in seen_by_reviewer
    assert again == first
    assert APPLICANT_ITEM not in anonymous and REVIEWER_ITEM not in anonymous


def test_the_menu_follows_the_chosen_language(app):
    f.gen_applicant(mobile="13800000002")
    chinese, english = f.WebClient(app), f.WebClient(app)
    for web in (chinese, english):
        web.login("13800000002")
    assert APPLICANT_ITEM in _menu(chinese.get("/sme/").data)
    english.get("/lang/en")
    menu_en = _menu(english.get("/sme/").data)
    assert "Evaluation materials" in menu_en and APPLICANT_ITEM not in menu_en
    assert APPLICANT_ITEM in _menu(chinese.get("/sme/").data)
