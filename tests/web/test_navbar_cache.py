"""The top bar is cached per role set and language (app/navbar_cache.py): each role still sees
exactly its own items, in the language it chose, and each user its own name and unread count."""
from __future__ import annotations

import re

from app.extensions import db
from app.notify import messages as inbox
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


def _corner(html: bytes) -> str:
    """The right part of the navbar: language, envelope and the user's menu."""
    match = re.search(r'<ul class="nav navbar-nav navbar-right">(.*?)</ul>\s*</div>\s*</div>\s*</div>', html.decode(), re.S)
    assert match, "no navbar on the page"
    return match.group(1)


def test_each_user_sees_its_own_name_and_unread_count_from_the_shared_bar(app):
    first = f.gen_applicant(mobile="13800000003")
    second = f.gen_applicant(mobile="13800000004")
    second.first_name = "<b>王</b>&五"
    db.session.add_all([inbox.inbox_message(first.id, None, "结果通知", "请查看"),
                        inbox.inbox_message(first.id, None, "结果通知", "请再查看")])
    db.session.commit()
    web_first, web_second = f.WebClient(app), f.WebClient(app)
    web_first.login("13800000003")
    web_second.login("13800000004")

    corner_first = _corner(web_first.get("/sme/").data)
    corner_second = _corner(web_second.get("/sme/").data)

    assert first.first_name in corner_first and 'id="sb-inbox-unread">2</span>' in corner_first
    assert "&lt;b&gt;王&lt;/b&gt;&amp;五" in corner_second and "<b>王</b>" not in corner_second
    assert first.first_name not in corner_second and "sb-inbox-unread" not in corner_second
    # the same bar around them: only the two filled places differ
    assert corner_first.replace(first.first_name, "").replace(' <span class="badge" id="sb-inbox-unread">2</span>', "") \
        == corner_second.replace("&lt;b&gt;王&lt;/b&gt;&amp;五", "")


def test_a_visitor_gets_the_sign_in_link_not_a_users_corner(app):
    f.gen_applicant(mobile="13800000005")
    applicant, visitor = f.WebClient(app), f.WebClient(app)
    applicant.login("13800000005")
    applicant.get("/sme/")
    corner = _corner(visitor.get("/login/").data)
    assert "/login/" in corner and "sb-inbox" not in corner and "fa-user" not in corner
