"""The role crawl: every demo role signs in and follows every link it is shown over records of
every program; no page may fail (5xx) or show an internal value (None, True/False, a
timestamp with microseconds, a Python repr, a status, action or region code), in Chinese and in
English: no English UI string left on a Chinese page, no Chinese one on an English page."""
from __future__ import annotations

import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest

from app.security import roles as R
from tests import factories as f

pytestmark = pytest.mark.parametrize("app", ["sqlite"], indirect=True)

ROLES = (R.APPLICANT, R.AGENCY_REVIEWER, R.PROVINCE_REVIEWER, R.ASSOCIATION_REVIEWER, R.RECOMMENDER,
         R.CA_OPERATOR, R.MANAGER, R.ADMIN, R.RULES_ADMIN)
MAX_PAGES = 260
# Links the crawl does not follow: they end the session, switch language or change state.
SKIP = re.compile(r"^/(logout|lang)/|/delete/|/action/|/api/v1/|/swagger")
# FAB's list options (filters, ordering, page size) make endless variants of the same page.
LIST_PARAMS = re.compile(r"^(_flt_|_oc_|_od_|psize_|page_)")
RAW = {
    "None": re.compile(r"\bNone\b"),
    "True/False": re.compile(r"\b(True|False)\b"),
    "microseconds": re.compile(r"\d:\d\d:\d\d\.\d{3,}"),
    "Python repr": re.compile(r"\{'|\['|<[A-Za-z_.]+ object at|^\[<|\(<|^\[[^\]]*, [^\]]*\]$"),
}


class _Page(HTMLParser):
    """Visible text and followable links of one HTML page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.links: list[str] = []
        self._hidden = 0

    # A textarea's content is a form value (as an input's value attribute is): data, not UI text.
    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template", "textarea"):
            self._hidden += 1
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.links.append(href)

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template", "textarea") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.text.append(data.strip())


def _key(href: str) -> str | None:
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith("/static/"):
        return None
    if SKIP.search(parts.path):
        return None
    query = sorted((k, v) for k, v in parse_qsl(parts.query) if not LIST_PARAMS.match(k))
    return parts.path + (f"?{urlencode(query)}" if query else "")


def _codes() -> set[str]:
    """Stored codes a page must name instead: workflow states and actions, region codes."""
    from sqlalchemy import select

    from app.extensions import db
    from app.workflows.definitions import WORKFLOWS
    from models import Region

    codes = {state for w in WORKFLOWS.values() for state in w.states}
    codes |= {t.action for w in WORKFLOWS.values() for t in w.transitions}
    codes |= set(db.session.execute(select(Region.code)).scalars())
    return codes


# Left in the other language: an English phrase on a Chinese page (FAB's own strings, a missing
# translation), a Chinese UI string on an English page (data — names, addresses — excepted).
ENGLISH_UI = re.compile(r"^[A-Za-z][A-Za-z'’ ,.:;!?()/&-]*$")
ENGLISH_OK = {"Shenbao", "USB-Key", "Excel", "PDF", "English", "UKey", "Key"}
FILE_NAME = re.compile(r"^[\w-]+\.[a-z]{2,4}$")  # an uploaded file's name is data
CJK = re.compile(r"[\u4e00-\u9fff]")
CHINESE_OK = ("简体中文", "申报")  # the language menu names Chinese in Chinese; the brand


def _stored_text() -> re.Pattern:
    """Every text value in the database (names, addresses, reasons): data, in any language."""
    from sqlalchemy import JSON, String, Text, select

    from app.extensions import db
    from flask_appbuilder import Model

    values: set[str] = set()

    def walk(value):
        if isinstance(value, str) and CJK.search(value):
            values.add(value.strip())
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    from flask import current_app

    walk([v for v in current_app.config.values() if isinstance(v, str)])  # the CA's name, bank, address
    for table in Model.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, (String, Text, JSON))]
        if columns:
            for row in db.session.execute(select(*columns)):
                for value in row:
                    walk(value)
    ordered = sorted((v for v in values if v), key=len, reverse=True)
    return re.compile("|".join(re.escape(v) for v in ordered) or "(?!)")


def _wrong_language(line: str, lang: str, data: re.Pattern) -> bool:
    if lang == "zh":
        return bool(ENGLISH_UI.match(line) and re.search(r"[a-z]{3,}", line) and line not in ENGLISH_OK
                    and not FILE_NAME.match(line))
    rest = data.sub("", line)
    for allowed in CHINESE_OK:
        rest = rest.replace(allowed, "")
    return bool(CJK.search(rest))


def crawl(app, user, lang: str = "zh", start: str = "/") -> tuple[list[str], list[str], int]:
    """``user`` None: a visitor, not signed in."""
    client = f.WebClient(app)
    if user is not None:
        client.login(user.username)
    if lang != "zh":
        client.get(f"/lang/{lang}")
    seen, queue = {start}, deque([start])
    failures, raw = [], []
    codes, data = _codes(), _stored_text()
    while queue and len(seen) <= MAX_PAGES:
        url = queue.popleft()
        response = client.get(url, follow_redirects=True)
        if response.status_code >= 500:
            failures.append(f"{response.status_code} {url}")  # each URL once: failures differ by record
            continue
        if response.status_code != 200 or "text/html" not in response.content_type:
            continue
        page = _Page()
        page.feed(response.data.decode())
        shape = re.sub(r"/\d+", "/<id>", url)
        for line in page.text:
            if _wrong_language(line, lang, data):
                finding = f"{shape}: not {lang}: {line[:100]}"
                if finding not in raw:
                    raw.append(finding)
            if line in codes and not url.startswith("/regionview/"):  # the code table itself
                finding = f"{shape}: code: {line}"
                if finding not in raw:
                    raw.append(finding)
            for name, pattern in RAW.items():
                finding = f"{shape}: {name}: {line[:100]}"
                if pattern.search(line) and finding not in raw:
                    raw.append(finding)
        for href in page.links:
            key = _key(href)
            if key and key not in seen:
                seen.add(key)
                queue.append(key)
    return failures, raw, len(seen)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("role", ROLES)
def test_every_page_a_role_can_reach_works_and_shows_no_internal_values(app, pkcs11_lib, role, lang):
    from tests.crawl_world import seed_world

    users = seed_world()
    failures, raw, visited = crawl(app, users[role], lang)
    assert visited > 5, "the crawl found no pages: the login failed?"
    assert failures == []
    assert raw == []


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_visitor_reaches_every_public_portal_page(app, pkcs11_lib, lang):
    """Not signed in: the portal's pages (demo content, files included) all work, in one language."""
    from app.services.portal_seed import seed_demo_portal
    from tests.crawl_world import seed_world

    seed_world()
    seed_demo_portal()
    failures, raw, visited = crawl(app, None, lang, start="/portal/")
    assert visited > 15
    assert failures == []
    assert raw == []
