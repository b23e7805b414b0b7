"""Schemathesis against the OpenAPI spec of the REST APIs, in process, as each role.

Shared by tests/web/test_api_fuzz.py (a bounded run in ``make test``) and bench/api_fuzz.py
(a long run). Everything here needs an app context on an app whose database holds the seed
reference data (tests/factories.seed_reference_data).

- The spec is the app's own, ``GET /api/v1/_openapi`` (it needs a JWT), and lists exactly the
  routes the APIs register (FAB applies ``include_route_methods`` to the spec too).
- Every operation is fuzzed with Hypothesis: positive cases (valid by the spec), negative cases
  (invalid by the spec) and, for ``/<pk>`` routes, positive cases on the ids that exist, so
  records are really shown and their JSON checked against the schema (and interchange
  documents name their evaluation's year, so imports get past that first refusal).
- An operation the role is refused (403 before any input is read) gets REFUSED_EXAMPLES
  cases; one without input (no parameter but the token, no body) gets one.
- Checks: no 5xx, status code documented, content type documented, body valid by the schema.
  Problems are collected (not raised), one per (operation, check, status), with a curl line.
"""
from __future__ import annotations

import collections
import dataclasses
import io
import time

from flask import g
from sqlalchemy import select

from app.extensions import db
from app.security import roles as R
from tests import factories as f

# The roles fuzzed, with the account each gets in build_world.
ROLES = ("applicant", "agency_reviewer", "province_reviewer", "association_reviewer", "recommender", "ca_operator",
         "manager", "admin")

# Operations left out of the run, each with its reason.
EXCLUDED_PATHS = {
    # The spec document itself: FAB's, regenerated on every call (~0.3 s); what it says is
    # what this run checks.
    r"^/api/\{version\}/_openapi$": "the spec itself",
}


def _login_token(app, username: str) -> str:
    response = app.test_client().post("/api/v1/security/login", json={
        "username": username, "password": f.PASSWORD, "provider": "db"})
    assert response.status_code == 200, (username, response.status_code, response.get_data(as_text=True)[:200])
    return response.get_json()["access_token"]


def build_world(app) -> dict[str, str]:
    """Records every role can see, and one account per role; returns role -> JWT.

    An approved Hangzhou enterprise (its applicant has a draft 2026 evaluation, editable
    through PUT .../interchange, and a 2025 one under agency review), a submitted core
    change and an e-mail change request of it; its benchmark filing (approved), project and
    declaration (recommended by its unit, so the association sees it too), an open activity
    with two recommending units; its e-seal application, USB-Key and issued certificate; a
    message for every account; a submitted Jinhua enterprise (outside the Hangzhou agency's
    scope).
    """
    from app.services import captcha, email_change
    from app.services import declaration as declaration_svc
    from app.services import enterprise as enterprise_svc
    from models import Enterprise
    from tests.services.test_declaration import build_world as benchmark_world
    from tests.web.test_declaration_web import svc_submit_and_choose

    bench = benchmark_world()
    declaration = svc_submit_and_choose(bench)
    declaration_svc.review(bench["recommender"], declaration.id, "recommend", "推荐")
    applicant = bench["user"]
    enterprise = db.session.get(Enterprise, applicant.enterprise_id)
    f.gen_sme(applicant, status="pending_agency", year=2025)
    f.gen_sme(applicant, status="draft", year=2026)
    change = enterprise_svc.open_core_change(applicant)
    enterprise_svc.save_core_change(applicant, change.id, {"legal_rep_name": "王小明"})
    enterprise_svc.submit_core_change(applicant, change.id)
    email_change.submit(
        email_change.EmailChangeForm(enterprise.credit_code, enterprise.name, applicant.first_name, applicant.mobile,
                                     "new@example.com", str(f.agency("330100").id), captcha.new_challenge()[0],
                                     f.CAPTCHA),
        [(io.BytesIO(f.PNG_1PX), "stamp.png")])
    _seal_records(applicant, enterprise)
    other = f.gen_applicant()
    f.gen_enterprise(other, status="submitted", province_code="330000", city_code="330700", county_code="330702")
    users = {
        "applicant": applicant,
        "agency_reviewer": f.gen_user(R.AGENCY_REVIEWER, agency_region="330100"),
        "province_reviewer": f.gen_user(R.PROVINCE_REVIEWER, agency_region="330000"),
        "association_reviewer": bench["association"],
        "recommender": bench["recommender"],
        "ca_operator": f.gen_user(R.CA_OPERATOR),
        "manager": f.gen_user(R.MANAGER),
        "admin": f.gen_user(R.ADMIN),
    }
    from models import InboxMessage

    db.session.add_all([InboxMessage(user_id=user.id, title="审核结果", body="已通过") for user in users.values()])
    db.session.commit()
    return {role: _login_token(app, user.username) for role, user in users.items()}


def _seal_records(applicant, enterprise) -> None:
    """An e-seal application (as submitted), a USB-Key and an issued certificate of the enterprise,
    written directly: producing a key needs the SoftHSM token, which this run does without."""
    import datetime as dt

    from app.services.eseal import seal_application as seal_svc
    from models import Attachment, IssuedDocument, SealKey

    seal_svc.apply(applicant, "first", {
        "company_name": enterprise.name, "department": "质量部", "system_user_id": "u1", "ems_contact": "张三",
        "ems_company": enterprise.name, "ems_department": "质量部", "ems_address": "杭州市西湖区1号",
        "ems_postcode": "310000", "ems_phone": "13800001111", "ems_email": "z@example.com",
        "business_department": "tech_sme", "years": "1"})
    attachment = db.session.execute(select(Attachment.id).where(Attachment.enterprise_id == enterprise.id)).scalars().first()
    db.session.add_all([
        SealKey(enterprise_id=enterprise.id, token_label="SB0000001-fuzz", key_ref="0a" * 20, public_key=b"\x30\x00",
                status="active", paid_until=dt.date(2027, 1, 1)),
        IssuedDocument(number="ZM2026000009", version=1, kind="template", title="证明", enterprise_id=enterprise.id,
                       holder_name=enterprise.name, attachment_id=attachment, sha256="0" * 64),
    ])
    db.session.commit()


def known_ids() -> list[int]:
    """Ids of the records the APIs serve (all small: the ids of every table, merged)."""
    from models import (
        Activity,
        CoreInfoChange,
        Declaration,
        EmailChangeRequest,
        Enterprise,
        InboxMessage,
        IssuedDocument,
        OrganizationFiling,
        Project,
        RecommendingUnit,
        SealApplication,
        SealKey,
        SmeEvaluation,
    )

    ids: set[int] = set()
    for model in (Enterprise, CoreInfoChange, EmailChangeRequest, SmeEvaluation, OrganizationFiling, Project,
                  Declaration, Activity, RecommendingUnit, SealApplication, SealKey, IssuedDocument, InboxMessage):
        ids.update(db.session.execute(select(model.id)).scalars())
    return sorted(ids)


def load_schema(app, token: str):
    """The app's OpenAPI spec as a schemathesis schema bound to the app (WSGI, in process)."""
    import schemathesis

    schema = schemathesis.openapi.from_wsgi("/api/v1/_openapi", app, headers={"Authorization": f"Bearer {token}"})
    for pattern in EXCLUDED_PATHS:
        schema = schema.exclude(path_regex=pattern)
    return schema


@dataclasses.dataclass
class Problem:
    role: str
    operation: str
    status: int
    check: str
    message: str
    curl: str
    count: int = 1


@dataclasses.dataclass
class RoleRun:
    role: str
    operations: int = 0
    refused: int = 0  # operations answered 403 (the role lacks the permission)
    examples: int = 0
    seconds: float = 0.0
    statuses: collections.Counter = dataclasses.field(default_factory=collections.Counter)
    # operation -> status -> count
    by_operation: dict = dataclasses.field(default_factory=lambda: collections.defaultdict(collections.Counter))
    problems: dict = dataclasses.field(default_factory=dict)

    @property
    def failures(self) -> int:
        return sum(p.count for p in self.problems.values())


def _checks():
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    return [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


# An operation the role may not call answers 403 from FAB's @protect before any input is read:
# a few cases show it.
REFUSED_EXAMPLES = 3


def _refused(operation, headers) -> bool:
    """Whether the role lacks the operation's permission: one plain request answers 403."""
    from schemathesis.core import NOT_SET

    _fresh_request_globals()
    case = operation.Case(path_parameters={p.name: 1 for p in operation.path_parameters}, headers=headers,
                          body={} if operation.body else NOT_SET)
    response = case.call(headers=headers)
    return response.status_code == 403 and response.json() == {"message": "Forbidden"}


def _fresh_request_globals() -> None:
    # The app context is reused by in-process requests, and with it ``g`` (the signed-in
    # user, caches): start each request clean, as a new request would (as factories.WebClient).
    for key in list(g):
        g.pop(key, None)


def _has_input(operation) -> bool:
    """Whether cases can differ: a parameter other than the token, or a body."""
    return bool(operation.body) or any(p.name.lower() != "authorization" for p in operation.iter_parameters())


def evaluation_years() -> dict[int, int]:
    """SME evaluation id -> its year (an interchange document must name its evaluation's year)."""
    from models import SmeEvaluation

    return dict(db.session.execute(select(SmeEvaluation.id, SmeEvaluation.year)).all())


def _strategy(operation, headers, ids, years):
    from hypothesis import strategies as st
    from schemathesis import GenerationMode

    # The token is fixed (schemathesis would otherwise generate Authorization from the spec's
    # security schemes); everything else is generated.
    if not _has_input(operation):
        return operation.as_strategy(GenerationMode.POSITIVE, headers=headers)
    options = [operation.as_strategy(GenerationMode.POSITIVE, headers=headers),
               operation.as_strategy(GenerationMode.NEGATIVE, headers=headers)]
    if ids and any(p.name == "pk" for p in operation.path_parameters):
        on_record = st.sampled_from(ids).flatmap(
            lambda pk: operation.as_strategy(GenerationMode.POSITIVE, headers=headers, path_parameters={"pk": pk}))
        if operation.body and years:
            # PUT .../interchange: a document for another year is refused before anything else;
            # name the evaluation's own year, so the import itself is exercised.
            on_record = on_record.map(lambda case: _with_year(case, years))
        options.append(on_record)
    return st.one_of(options)


def _with_year(case, years):
    year = years.get(case.path_parameters.get("pk"))
    if year is not None and isinstance(case.body, dict):
        case.body = {**case.body, "year": year}
    return case


def resource_of(operation) -> str:
    """``seal_key`` of ``/api/{version}/seal_key/{pk}``."""
    parts = operation.path.split("/")
    return parts[3] if len(parts) > 3 else ""


def fuzz_role(schema, role: str, token: str, *, examples: int, seed: int | None = None,
              ids: list[int] | None = None, years: dict[int, int] | None = None,
              examples_by_resource: dict[str, int] | None = None) -> RoleRun:
    """Up to ``examples`` generated requests per operation (``examples_by_resource`` for those
    resources' operations; fewer when the operation has fewer distinct inputs). ``seed`` None:
    derandomized (the same cases every run)."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hypothesis_seed
    from schemathesis.core.failures import FailureGroup

    headers = {"Authorization": f"Bearer {token}"}
    checks = _checks()
    run = RoleRun(role)
    started = time.perf_counter()
    for result in schema.get_all_operations():
        operation = result.ok()
        run.operations += 1

        def record(case, status, check, message):
            key = (operation.label, check, status)
            if key in run.problems:
                run.problems[key].count += 1
                return
            try:
                curl = case.as_curl_command(headers=headers)
            except Exception:  # noqa: BLE001 - the reproduction line is a courtesy
                curl = f"{case.method} {case.formatted_path}"
            run.problems[key] = Problem(role, operation.label, status, check, message, curl)

        # Without any input every case is the same request.
        wanted = (examples_by_resource or {}).get(resource_of(operation), examples) if _has_input(operation) else 1
        if _refused(operation, headers):
            run.refused += 1
            wanted = min(wanted, REFUSED_EXAMPLES)

        @settings(max_examples=wanted, derandomize=seed is None, database=None, deadline=None,
                  suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
        @given(case=_strategy(operation, headers, ids, years))
        def one(case):
            run.examples += 1
            _fresh_request_globals()
            try:
                response = case.call(headers=headers)
            except Exception as exc:  # noqa: BLE001 - an exception through WSGI is a failure to report
                record(case, 0, "exception", f"{type(exc).__name__}: {exc}")
                db.session.rollback()
                return
            run.statuses[response.status_code] += 1
            run.by_operation[operation.label][response.status_code] += 1
            try:
                case.validate_response(response, checks=checks, headers=headers)
            except FailureGroup as group:
                for failure in group.exceptions:
                    record(case, response.status_code, failure.title, failure.message)

        if seed is not None:
            one = hypothesis_seed(seed)(one)
        one()
    run.seconds = time.perf_counter() - started
    return run


def fuzz_all(app, *, examples: int, seed: int | None = None, roles=ROLES,
             examples_by_resource: dict[str, int] | None = None) -> list[RoleRun]:
    tokens = build_world(app)
    ids, years = known_ids(), evaluation_years()
    schema = load_schema(app, tokens["admin"])
    return [fuzz_role(schema, role, tokens[role], examples=examples, seed=seed, ids=ids, years=years,
                      examples_by_resource=examples_by_resource) for role in roles]


def report(runs: list[RoleRun], limit: int = 15) -> str:
    """The problems, grouped by (operation, status, check) over the roles: the first message
    lines and one request that shows it (curl, shortened)."""
    groups: dict[tuple, list[Problem]] = {}
    for run in runs:
        for problem in run.problems.values():
            groups.setdefault((problem.operation, problem.status, problem.check), []).append(problem)
    lines = []
    # Server errors (and exceptions, status 0) first.
    ordered = sorted(groups.items(), key=lambda item: (not (item[0][1] >= 500 or item[0][1] == 0), item[0][0]))
    for (operation, status, check), problems in ordered[:limit]:
        first = problems[0]
        roles = ", ".join(p.role for p in problems)
        count = sum(p.count for p in problems)
        message = [line for line in first.message.splitlines() if line.strip()][:8]
        curl = first.curl if len(first.curl) <= 400 else first.curl[:400] + "…"
        lines += [f"{operation} -> {status or 'exception'}: {check} (x{count}; {roles})",
                  *("    " + line for line in message), f"    e.g. {curl}", ""]
    if len(groups) > limit:
        lines.append(f"... and {len(groups) - limit} more kinds of problem")
    return "\n".join(lines)
