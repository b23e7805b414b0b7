"""The role crawl: every demo role signs in and follows every link it is shown over records of
every program; no page may fail (5xx) or show an internal value (None, True/False, a
timestamp with microseconds, a Python repr, a status, action or region code)."""
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
         R.CA_OPERATOR, R.MANAGER, R.ADMIN)
MAX_PAGES = 260
# Links the crawl does not follow: they end the session, switch language or change state.
SKIP = re.compile(r"^/(logout|lang)/|/delete/|/action/|/api/v1/|/swagger")
# FAB's list options (filters, ordering, page size) make endless variants of the same page.
LIST_PARAMS = re.compile(r"^(_flt_|_oc_|_od_|psize_|page_)")
RAW = {
    "None": re.compile(r"\bNone\b"),
    "True/False": re.compile(r"\b(True|False)\b"),
    "microseconds": re.compile(r"\d:\d\d:\d\d\.\d{3,}"),
    "Python repr": re.compile(r"\{'|\['|<[A-Za-z_.]+ object at|^\[<|\(<"),
}


class _Page(HTMLParser):
    """Visible text and followable links of one HTML page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.links: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self._hidden += 1
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.links.append(href)

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template") and self._hidden:
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


def crawl(app, user) -> tuple[list[str], list[str], int]:
    client = f.WebClient(app)
    client.login(user.username)
    seen, queue = {"/"}, deque(["/"])
    failures, raw = [], []
    codes = _codes()
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
            if line in codes:
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


@pytest.mark.parametrize("role", ROLES)
def test_every_page_a_role_can_reach_works_and_shows_no_internal_values(app, pkcs11_lib, role):
    from tests.crawl_world import seed_world

    users = seed_world()
    failures, raw, visited = crawl(app, users[role])
    assert visited > 5, "the crawl found no pages: the login failed?"
    assert failures == []
    assert raw == []
