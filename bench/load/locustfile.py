"""Mixed load on Shenbao: applicants fill in and submit Tech-SME evaluations, agency reviewers
list and confirm, API clients read the REST list. Run by bench/load/run_load.py; by hand:

    .venv/bin/locust -f bench/load/locustfile.py --headless -u 100 -r 10 -t 150s \
        --host http://127.0.0.1:8000 --csv /tmp/load

Every virtual user runs a script in which each step is exactly ONE HTTP request (redirects are
not followed; the next step fetches the page a browser would go to), and ``paced`` (locust's
``constant_throughput`` with a phase of the user's own) paces the steps, so the offered rate is
users × LOAD_USER_RPS requests per second. Each user starts at a random point of its first
period (LOAD_SPREAD=1, the default): locust creates the users of each second together and its
``constant_throughput`` keeps the phase of a user's creation, so all of them fired in the same
instant of every period (at 100 req/s, 50 requests every 0.5 s: the accept queue ~25 deep, then
empty; bench/README.md, "Arrivals"). People filing do not act in step.

Users (weights 14 : 4 : 2, i.e. 70 / 20 / 10 % of -u):
  Applicant  sessions one after the other, each with the next seeded applicant account:
             GET /account/captcha.png, GET /login/ (CSRF), POST /login/ (captcha = the fixed
             answer of loadapp.py), GET /sme/, then 12-30 random steps: evaluation list, open a
             table, edit a table (open it, then POST it with a small change: hr / other /
             finance), the self-evaluation page (self-score), details. With probability
             LOAD_P_SUBMIT a session submits once: self-evaluation page (version + CSRF), POST
             submit, then the details page, whose flash message says whether it was accepted.
             A submitted evaluation is read-only, so an applicant submits at most once; later
             sessions of that account only read. Each session ends with GET /logout/.
  Reviewer   logs in with one of the 20 agency reviewer accounts, then lists the pending
             evaluations of its agency (status filter, newest first, 25 a page, pages 0-4),
             opens one, and with probability LOAD_P_CONFIRM confirms it (POST decide with the
             version it saw, then the record page again to read the result).
  ApiClient  one JWT login (POST /api/v1/security/login, a reviewer account), then
             GET /api/v1/sme_evaluation/?q=(page:0,page_size:25); logs in again on 401.

Failures: any unexpected status, a login that is refused, a save that does not say saved, a
submit/confirm whose result page says anything but the known outcomes. Expected refusals (a
confirm that lost the race to another reviewer: "changed by someone else" / "not possible in
the current status"; a submit refused the same way) are NOT failures: they are counted in the
outcome file (LOAD_OUTCOMES_FILE, JSON), which the runner reports separately.
"""
from __future__ import annotations

import collections
from http.cookiejar import DefaultCookiePolicy
import itertools
import json
import os
import random
import re
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import gevent  # noqa: E402
from locust import FastHttpUser, events, task  # noqa: E402

from bench.load import common as C  # noqa: E402

USER_RPS = float(os.environ.get("LOAD_USER_RPS", "2"))
SPREAD = os.environ.get("LOAD_SPREAD", "1") == "1"  # each user's phase at random (see above)
WARMUP_S = float(os.environ.get("LOAD_WARMUP_S", "0"))
OUTCOMES_FILE = os.environ.get("LOAD_OUTCOMES_FILE")
N_APPLICANTS = int(os.environ.get("LOAD_APPLICANTS", str(C.N_APPLICANTS - C.SURGE_RESERVE)))
N_REVIEWERS = int(os.environ.get("LOAD_REVIEWERS", str(C.N_REVIEWERS)))
STATUS_FILTER = int(os.environ.get("LOAD_STATUS_FILTER_INDEX", "3"))
P_SUBMIT = float(os.environ.get("LOAD_P_SUBMIT", "0.15"))
P_CONFIRM = float(os.environ.get("LOAD_P_CONFIRM", "0.2"))
MSG = C.messages()

TABLE_KEYS = ("main", "entry", "finance", "hr", "ip", "standards", "institutions", "awards", "other")
FORM = {"Content-Type": "application/x-www-form-urlencoded"}

outcomes: collections.Counter = collections.Counter()
_applicant_seq = itertools.count()
_reviewer_seq = itertools.count()
_api_seq = itertools.count()
_state = {"reset_at": None, "started_at": None}


# --------------------------------------------------------------------------- events
@events.test_start.add_listener
def _on_test_start(environment, **_kw):
    import gevent

    _state["started_at"] = time.time()

    def reset_after_warmup():
        gevent.sleep(WARMUP_S)
        environment.runner.stats.reset_all()
        outcomes.clear()
        _state["reset_at"] = time.time()
        print(f"[locustfile] warm-up of {WARMUP_S:.0f} s over: statistics reset", flush=True)

    if WARMUP_S > 0:
        gevent.spawn(reset_after_warmup)


@events.test_stop.add_listener
def _on_test_stop(environment, **_kw):
    if OUTCOMES_FILE:
        Path(OUTCOMES_FILE).write_text(json.dumps({"outcomes": dict(outcomes), "reset_at": _state["reset_at"],
                                                   "started_at": _state["started_at"], "stopped_at": time.time()},
                                                  ensure_ascii=False, indent=1), encoding="utf-8")


# --------------------------------------------------------------------------- helpers
def _form(pairs) -> bytes:
    return urlencode(list(pairs)).encode()


def _flash_kind(html: str) -> tuple[str, str]:
    """Which known message the page's flash carries: (key, text)."""
    shown = C.flashes(html)
    for _cat, text in shown:
        for key, msg in MSG.items():
            if msg in text:
                return key, text
    return ("none" if not shown else "other"), " | ".join(t for _c, t in shown)[:200]


class _LoopbackPolicy(DefaultCookiePolicy):
    def return_ok_secure(self, cookie, request):
        return True


def paced(user) -> float:
    """locust's constant_throughput(USER_RPS), but keeping the phase on_start chose: locust's
    anchors each user's period at its creation, and the users of each second are created together.
    A step that ran late is followed at once, with no debt carried."""
    now = time.perf_counter()
    user.next_step = max(user.next_step + 1 / USER_RPS, now)
    return user.next_step - now


class _Base(FastHttpUser):
    abstract = True
    wait_time = paced
    # One connection per user, like a browser tab; no retries that would hide errors.
    connection_timeout = 30.0
    network_timeout = 60.0

    def on_start(self):
        # The app runs with SESSION_COOKIE_SECURE (production); TLS would end in the proxy. Send the
        # Secure cookie back over plain HTTP on loopback (geventhttpclient 2.6 sets request.type to
        # the real scheme, so locust's own "type = https" workaround no longer applies).
        self.client.cookiejar.set_policy(_LoopbackPolicy())
        self.steps = self.script()
        # The first step at a random point of the first period (LOAD_SPREAD), or at once.
        self.next_step = time.perf_counter() + (random.random() / USER_RPS if SPREAD else 0.0)
        gevent.sleep(self.next_step - time.perf_counter())

    @task
    def step(self):
        next(self.steps)

    def script(self):
        while True:
            yield from self.session()
            self.client.cookiejar.clear()

    def req(self, method: str, url: str, name: str, *, expect=(200,), data: bytes | None = None,
            headers: dict | None = None, check=None):
        """One request, checked; returns the response or None when it failed."""
        with self.client.request(method, url, name=name, data=data, headers=headers, allow_redirects=False,
                                 catch_response=True) as r:
            if r.status_code not in expect:
                r.failure(f"HTTP {r.status_code} (expected {'/'.join(map(str, expect))})")
                return None
            if check is not None:
                problem = check(r)
                if problem:
                    r.failure(problem)
                    return None
            r.success()
            return r

    def login_html(self, username: str):
        """Captcha image, login page, login POST: three steps. Yields True/False at the end."""
        r = self.req("GET", "/account/captcha.png", "/account/captcha.png",
                     check=lambda r: None if r.headers.get("content-type", "").startswith("image/png") else "not a PNG")
        yield None
        if r is None:
            return False
        r = self.req("GET", "/login/", "/login/", check=lambda r: None if C.csrf_from(r.text) else "no CSRF token")
        yield None
        if r is None:
            return False
        token = C.csrf_from(r.text)
        r = self.req("POST", "/login/", "/login/", expect=(302,), headers=FORM,
                     data=_form([("username", username), ("password", C.PASSWORD), ("captcha", C.CAPTCHA),
                                 ("csrf_token", token)]),
                     check=lambda r: "login refused (redirected to the login page)"
                     if "/login" in (r.headers.get("location") or "") else None)
        yield None
        return r is not None

    def logout(self):
        self.req("GET", "/logout/", "/logout/", expect=(302,))
        yield None


# --------------------------------------------------------------------------- applicant
HR = {"fulltime": "80", "parttime": "15", "temporary": "5", "tech_fulltime": "25", "tech_parttime": "4",
      "tech_temporary": "1", "new_hires": "10", "fresh_graduates": "3", "edu_doctor": "2", "edu_master": "10",
      "edu_bachelor": "50", "edu_college": "30", "edu_other": "8", "title_senior": "5", "title_intermediate": "15",
      "title_junior": "30", "title_none": "50"}


def _table_post(key: str) -> list[tuple[str, str]]:
    """The fields of one table as its form posts them, with a small change (still qualified)."""
    if key == "hr":
        return list({**HR, "new_hires": str(random.randint(5, 15))}.items())
    if key == "other":
        return [("high_tech_cert", "no"), ("high_tech_cert_number", ""), ("high_tech_cert_valid_until", ""),
                ("notes", f"负载测试备注 {random.randint(1, 10**6)}")]
    return [("sales_revenue", "1000"), ("main_business_revenue", ""), ("total_assets", "800"),
            ("cost_expenses", "900"), ("net_profit", ""), ("taxes_paid", ""),
            ("rd_projects_name", "新型传感器研发"), ("rd_projects_number", "RD-01"), ("rd_projects_form", "independent"),
            ("rd_projects_status", "ongoing"), ("rd_projects_amount", str(random.randint(60, 80))),
            ("rd_projects_proof", ""), ("rd_projects_registry_id", "")]


_EDIT_LINK = re.compile(r'/sme/(\d+)/table/main"')
_DETAIL_LINK = re.compile(r'/sme/(\d+)/"')


class Applicant(_Base):
    weight = 14

    def session(self):
        index = next(_applicant_seq) % N_APPLICANTS + 1
        ok = yield from self.login_html(C.applicant_login(index))
        if not ok:
            return
        r = self.req("GET", "/sme/", "/sme/",
                     check=lambda r: None if _DETAIL_LINK.search(r.text) else "no evaluation in the list")
        yield None
        if r is None:
            return
        m = _EDIT_LINK.search(r.text)
        editable = m is not None
        ev = int(m.group(1)) if m else int(_DETAIL_LINK.search(r.text).group(1))
        steps = random.randint(12, 30)
        submit_at = random.randint(3, steps - 3) if editable and random.random() < P_SUBMIT else -1
        for n in range(steps):
            if n == submit_at:
                yield from self.submit(ev)
                editable = False
                continue
            action = random.choices(("list", "table", "edit", "self", "detail"),
                                    weights=(2, 3, 3 if editable else 0, 2, 1))[0]
            if action == "list":
                self.req("GET", "/sme/", "/sme/")
                yield None
            elif action == "detail":
                self.req("GET", f"/sme/{ev}/", "/sme/[id]/")
                yield None
            elif action == "self":
                self.req("GET", f"/sme/{ev}/self-evaluation", "/sme/[id]/self-evaluation")
                yield None
            elif action == "table":
                self.req("GET", f"/sme/{ev}/table/{random.choice(TABLE_KEYS)}", "/sme/[id]/table/[key]")
                yield None
            else:
                key = random.choice(("hr", "other", "finance"))
                url = f"/sme/{ev}/table/{key}"
                r = self.req("GET", url, "/sme/[id]/table/[key]",
                             check=lambda r: None if C.csrf_from(r.text) else "no CSRF token")
                yield None
                if r is None:
                    continue
                token = C.csrf_from(r.text)
                self.req("POST", url, "/sme/[id]/table/[key]", headers=FORM,
                         data=_form([("csrf_token", token), *_table_post(key)]), check=self._saved)
                yield None
        yield from self.logout()

    @staticmethod
    def _saved(r):
        kind, text = _flash_kind(r.text)
        if kind == "saved":
            outcomes["save_ok"] += 1
            return None
        if kind == "under_review":  # submitted meanwhile (not in this script, but a known answer)
            outcomes["save_refused_under_review"] += 1
            return None
        return f"save not confirmed: {kind} {text}"

    def submit(self, ev: int):
        r = self.req("GET", f"/sme/{ev}/self-evaluation", "/sme/[id]/self-evaluation",
                     check=lambda r: "submit problems shown" if 'id="submit-problems"' in r.text
                     else (None if C.VERSION_RE.search(r.text) and C.csrf_from(r.text) else "no submit form"))
        yield None
        if r is None:
            return
        version = C.VERSION_RE.search(r.text).group(1)
        token = C.csrf_from(r.text)
        r = self.req("POST", f"/sme/{ev}/submit", "/sme/[id]/submit", expect=(302,), headers=FORM,
                     data=_form([("csrf_token", token), ("version", version)]))
        yield None
        if r is None:
            return
        self.req("GET", f"/sme/{ev}/", "/sme/[id]/", check=self._submitted)
        yield None

    @staticmethod
    def _submitted(r):
        kind, text = _flash_kind(r.text)
        if kind == "submitted":
            outcomes["submit_accepted"] += 1
            return None
        if kind in ("conflict", "not_possible", "already_done"):
            outcomes[f"submit_refused_{kind}"] += 1
            return None
        return f"submit outcome unknown: {kind} {text}"


# --------------------------------------------------------------------------- reviewer
_SHOW_LINK = re.compile(r'/review/sme/show/(\d+)"')


class Reviewer(_Base):
    weight = 4

    def session(self):
        # One account per virtual reviewer for all its sessions: signing out ends every session of
        # the account (app.security.sessions), so two virtual users taking turns on one account
        # threw each other out (302 to the login page, 512 "failures" at 200 req/s). Distinct as
        # long as there are no more reviewer users than accounts (20 at -u 100).
        if not hasattr(self, "account"):
            self.account = next(_reviewer_seq) % N_REVIEWERS + 1
        ok = yield from self.login_html(C.reviewer_login(self.account))
        if not ok:
            return
        for _ in range(random.randint(15, 40)):
            page = random.choices(range(5), weights=(8, 4, 2, 1, 1))[0]
            url = (f"/review/sme/list/?_flt_{STATUS_FILTER}_status=pending_agency"
                   f"&_psize_SmeReviewView=25&_page_SmeReviewView={page}")
            r = self.req("GET", url, "/review/sme/list/?status=pending_agency&page=[n]",
                         check=lambda r: None if _SHOW_LINK.search(r.text) else "empty pending list")
            yield None
            if r is None:
                continue
            pk = int(random.choice(_SHOW_LINK.findall(r.text)))
            r = self.req("GET", f"/review/sme/show/{pk}", "/review/sme/show/[id]")
            yield None
            if r is None or 'id="action-confirm"' not in r.text or random.random() >= P_CONFIRM:
                if r is not None and 'id="action-confirm"' not in r.text:
                    outcomes["show_already_decided"] += 1  # confirmed by a colleague between list and show
                continue
            version = C.VERSION_RE.search(r.text).group(1)
            token = C.csrf_from(r.text)
            r = self.req("POST", f"/review/sme/decide/{pk}", "/review/sme/decide/[id]", expect=(302,), headers=FORM,
                         data=_form([("csrf_token", token), ("version", version), ("comment", ""),
                                     ("action", "confirm")]))
            yield None
            if r is None:
                continue
            self.req("GET", f"/review/sme/show/{pk}", "/review/sme/show/[id]", check=self._decided)
            yield None
        yield from self.logout()

    @staticmethod
    def _decided(r):
        kind, text = _flash_kind(r.text)
        if kind == "saved":
            outcomes["confirm_ok"] += 1
            return None
        if kind in ("conflict", "not_possible", "already_done"):
            outcomes[f"confirm_refused_{kind}"] += 1
            return None
        return f"confirm outcome unknown: {kind} {text}"


# --------------------------------------------------------------------------- REST client
class ApiClient(_Base):
    weight = 2

    def session(self):
        index = next(_api_seq) % N_REVIEWERS + 1
        r = self.req("POST", "/api/v1/security/login", "/api/v1/security/login",
                     data=json.dumps({"username": C.reviewer_login(index), "password": C.PASSWORD,
                                      "provider": "db"}).encode(),
                     headers={"Content-Type": "application/json"},
                     check=lambda r: None if "access_token" in r.text else "no access token")
        yield None
        if r is None:
            return
        auth = {"Authorization": f"Bearer {r.json()['access_token']}"}
        while True:
            r = self.req("GET", "/api/v1/sme_evaluation/?q=(page:0,page_size:25)",
                         "/api/v1/sme_evaluation/?q=(page:0,page_size:25)", expect=(200, 401), headers=auth,
                         check=lambda r: None if r.status_code == 401 or '"result"' in r.text else "no result")
            yield None
            if r is not None and r.status_code == 401:  # token expired: log in again
                outcomes["api_token_expired"] += 1
                return
