"""Quality benchmark projects (申报主体) and declarations (manual §4–6): commitment, contact
data, summary material, submission within the window, recommender choice and reviews."""
from __future__ import annotations

import re
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import flag_modified

from app.extensions import db
from app.services.unit_of_work import use_case
from app.timeutil import today_in_china
from app.services.lookup import owned_by
from app.i18n import violation_message
from app.services import enterprise as enterprise_svc
from app.services import filing as filing_svc
from app.services.errors import ServiceError
from app.storage import attach_to, save_upload
from app.workflows import engine
from app.workflows.definitions import DECLARATION
from app.workflows.model import APPLICANT
from models import Activity, Attachment, Declaration, OrganizationFiling, Project
from models.base import utcnow
from rules import benchmark as rows_rules
from rules.contact import validate_email, validate_mobile

EDITABLE = ("draft", "returned_by_recommender", "returned_by_association")
IP_COLUMNS = ("category", "name", "country", "grant_date", "certificate_number", "right_holder", "inventor",
              "validity_years", "application_number", "grant_number", "proof")
HONOUR_COLUMNS = ("award", "level", "awarding_body", "date", "note", "proof")
CONTACT_FIELDS = ("department", "person", "position", "mobile", "phone", "fax", "email", "postcode", "address")


# --- projects -----------------------------------------------------------------------

def parse_keywords(value: Any) -> list[str]:
    if isinstance(value, list):
        items = value
    else:
        items = re.split(r"[,，;；、\s]+", str(value or ""))
    return [k.strip() for k in items if k and k.strip()]


def project_errors(project: Project) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not (project.name or "").strip():
        errors["name"] = _("This field is required.")
    keywords = project.keywords or []
    if not 1 <= len(keywords) <= 3:
        errors["keywords"] = _("Give 1 to 3 keywords.")
    elif any(len(k) > 20 for k in keywords):
        errors["keywords"] = _("A keyword has at most 20 characters.")
    if not (project.summary or "").strip():  # 项目简介 is marked * in the manual (§4)
        errors["summary"] = _("This field is required.")
    today = today_in_china()
    for i, row in enumerate((project.data or {}).get("ip") or []):
        if not (row.get("name") or "").strip():
            errors[f"ip.{i}.name"] = _("This field is required.")
        _date_error(errors, f"ip.{i}.grant_date", row.get("grant_date"), today)
        if (row.get("validity_years") or "").strip() and rows_rules.parse_validity_years(row["validity_years"]) is None:
            errors[f"ip.{i}.validity_years"] = _("Enter the validity as a whole number of years from 1 to %(n)d, "
                                                 "e.g. 20.", n=rows_rules.VALIDITY_MAX_YEARS)
    for i, row in enumerate((project.data or {}).get("honours") or []):
        if not (row.get("award") or "").strip():
            errors[f"honours.{i}.award"] = _("This field is required.")
        _date_error(errors, f"honours.{i}.date", row.get("date"), today)
    return errors


def _date_error(errors: dict[str, str], key: str, text: str | None, today) -> None:
    if not (text or "").strip():
        return
    day = rows_rules.parse_date(text)
    if day is None:
        errors[key] = _("Enter a real date as YYYY-MM-DD, e.g. 2021-05-01.")
    elif day > today:
        errors[key] = _("The date must not be later than today.")


def _clean_row(row: dict, columns: tuple[str, ...]) -> dict[str, str]:
    """The row as typed; a valid date is kept as YYYY-MM-DD and a valid validity without
    leading zeros, so that the printed form reads alike whatever the typing."""
    clean = {c: (row.get(c) or "").strip() for c in columns}
    for name in ("grant_date", "date"):
        day = rows_rules.parse_date(clean.get(name))
        if day is not None:
            clean[name] = day.isoformat()
    years = rows_rules.parse_validity_years(clean.get("validity_years"))
    if years is not None:
        clean["validity_years"] = str(years)
    return clean


@use_case
def save_project(user, project_id: int | None, values: dict[str, Any], ip: list[dict] | None = None,
                 honours: list[dict] | None = None,
                 proofs: dict[tuple[str, int], tuple] | None = None,
                 other_evidence: tuple | None = None) -> tuple[Project, dict[str, str]]:
    """Create or update a project, keeping what was typed; returns its messages.

    :param proofs: (table, row index) -> (stream, filename) of proof files sent with the rows.
    :param other_evidence: (stream, filename) of 项目其他证实性材料; a refused file is reported
        beside its field and the rest of the form is still saved.
    """
    enterprise = enterprise_svc.get_or_create(user)
    if project_id is None:
        project = Project(enterprise_id=enterprise.id, name="", keywords=[], data={})
        db.session.add(project)
    else:
        project = own_project(user, project_id)
    project.name = (values.get("name") or "").strip()[:200]
    project.keywords = parse_keywords(values.get("keywords"))
    project.summary = values.get("summary") or ""
    data = dict(project.data or {})
    if ip is not None:
        data["ip"] = [_clean_row(row, IP_COLUMNS) for row in ip]
    if honours is not None:
        data["honours"] = [_clean_row(row, HONOUR_COLUMNS) for row in honours]
    project.data = data
    db.session.flush()
    for (table, index), (stream, filename) in (proofs or {}).items():
        rows = data.get(table) or []
        if index < len(rows):
            attachment = save_upload(stream, filename, "benchmark_proof", enterprise_id=project.enterprise_id,
                                     record_type="benchmark_project", record_id=project.id, uploaded_by_id=user.id)
            db.session.flush()
            rows[index] = {**rows[index], "proof": str(attachment.id)}
    flag_modified(project, "data")  # rows changed in place after the flush above
    upload_errors: dict[str, str] = {}
    if other_evidence is not None:
        try:
            attachment = save_upload(other_evidence[0], other_evidence[1], "benchmark_proof",
                                     enterprise_id=project.enterprise_id, record_type="benchmark_project",
                                     record_id=project.id, uploaded_by_id=user.id)
        except ServiceError as exc:  # refused before anything was stored
            upload_errors["other_evidence"] = exc.message
        else:
            db.session.flush()
            project.other_evidence_attachment_id = attachment.id
    db.session.commit()
    return project, {**project_errors(project), **upload_errors}


def own_project(user, project_id: int) -> Project:
    return owned_by(user, Project, project_id)


def projects_for(user) -> list[Project]:
    if not user.enterprise_id:
        return []
    return list(db.session.execute(select(Project).where(Project.enterprise_id == user.enterprise_id)
                                   .order_by(Project.id.desc())).scalars())


# --- declarations ---------------------------------------------------------------------

@use_case
def start(user, activity_id: int, filing_id: int, project_id: int, commitment_accepted: bool) -> Declaration:
    """Open a declaration once the commitment letter is accepted (who, when, which text)."""
    activity = db.session.get(Activity, activity_id)
    if activity is None or activity.status != "open":
        raise ServiceError(_("This activity is not open for declaration."))
    if not commitment_accepted:
        raise ServiceError(_("Please read and accept the commitment letter."), {"commitment": _("Please read and accept the commitment letter.")})
    filing = db.session.get(OrganizationFiling, filing_id)
    if filing is None or filing.enterprise_id != user.enterprise_id or filing.status != "approved":
        raise ServiceError(_("Only an approved organization filing can declare."), {"filing_id": _("Only an approved organization filing can declare.")})
    project = own_project(user, project_id)
    declaration = Declaration(activity_id=activity.id, enterprise_id=filing.enterprise_id, filing_id=filing.id,
                              project_id=project.id, status="draft", commitment_text=activity.commitment_text,
                              commitment_accepted_at=utcnow(), commitment_by_id=user.id, contact={})
    db.session.add(declaration)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise ServiceError(_("This project is already declared in this activity."))
    return declaration


def own(user, declaration_id: int) -> Declaration:
    return owned_by(user, Declaration, declaration_id)


def contact_errors(contact: dict[str, str], for_submit: bool) -> dict[str, str]:
    errors: dict[str, str] = {}
    for name in CONTACT_FIELDS:
        value = (contact.get(name) or "").strip()
        if not value:
            if for_submit and name != "fax":
                errors[name] = _("This field is required.")
            continue
        if name == "mobile" and validate_mobile(value):
            errors[name] = violation_message(validate_mobile(value))
        elif name == "email" and validate_email(value):
            errors[name] = violation_message(validate_email(value))
        elif name in ("phone", "fax") and not re.fullmatch(r"0\d{2,3}-\d{7,8}(-\d{1,6})?", value):
            errors[name] = _("Enter the area code and number, e.g. 010-12345678.")
        elif name == "postcode" and not re.fullmatch(r"\d{6}", value):
            errors[name] = _("The postcode has 6 digits.")
    return errors


@use_case
def save(user, declaration_id: int, contact: dict[str, str]) -> tuple[Declaration, dict[str, str]]:
    declaration = own(user, declaration_id)
    if declaration.status not in EDITABLE:
        raise ServiceError(_("The declaration cannot be changed in its current status."))
    declaration.contact = {name: (contact.get(name) or "").strip() for name in CONTACT_FIELDS}
    db.session.commit()
    return declaration, contact_errors(declaration.contact, for_submit=False)


@use_case
def upload_summary(user, declaration_id: int, stream, filename: str):
    declaration = own(user, declaration_id)
    if declaration.status not in EDITABLE:
        raise ServiceError(_("The declaration cannot be changed in its current status."))
    return attach_to(declaration, "summary_attachment_id", stream, filename, "declaration_summary",
                     record_type="declaration", uploaded_by_id=user.id)


@use_case
def upload_signed_form(user, declaration_id: int, stream, filename: str):
    """The declaration form printed from Shenbao, stamped and scanned, or signed with the USB-Key."""
    from app.services.declaration_documents import PRINTABLE
    from app.services.eseal.issued_documents import signed_copy_check

    declaration = own(user, declaration_id)
    if declaration.status not in PRINTABLE:
        raise ServiceError(_("Printing is available once the qualification review has passed."))
    return attach_to(declaration, "signed_form_attachment_id", stream, filename, "declaration_form",
                     record_type="declaration", uploaded_by_id=user.id,
                     transform=signed_copy_check("declaration", declaration.id, declaration.enterprise_id))


def submit_problems(declaration: Declaration) -> list[str]:
    problems = []
    if declaration.activity.status != "open":
        problems.append(_("The declaration window of this activity is closed; the draft is kept."))
    filing = db.session.get(OrganizationFiling, declaration.filing_id)
    if filing is None or filing.status != "approved":
        problems.append(_("Only an approved organization filing can declare."))
    elif missing := filing_svc.missing_for(filing, declaration.activity.year):
        problems.append(_("The organization filing has no economic data for %(years)s (the three years before "
                          "the activity). Add them on the filing page with \"Update the economic data\": no new "
                          "filing is needed.", years="、".join(str(y) for y in missing)))
    if project_errors(declaration.project):
        problems.append(_("The project is incomplete (name, 1 to 3 keywords, summary, tables)."))
    if contact_errors(declaration.contact or {}, for_submit=True):
        problems.append(_("Some contact data are missing or invalid."))
    if not declaration.summary_attachment_id:
        problems.append(_("Please upload the summary material."))
    return problems


def snapshot(declaration: Declaration) -> dict:
    """What was submitted: organization, three years, project with its rows."""
    filing = db.session.get(OrganizationFiling, declaration.filing_id)
    years = filing_svc.required_years(declaration.activity.year)
    project = declaration.project
    other = db.session.get(Attachment, project.other_evidence_attachment_id) if project.other_evidence_attachment_id else None
    return {
        "organization": {name: getattr(filing, name) for name in (
            "org_name", "economic_type_code", "province_code", "city_code", "address", "industry_code",
            "quality_head", "quality_head_phone", "org_size")},
        "economic_years": [{"year": y.year, "total_assets": str(y.total_assets), "operating_revenue": str(y.operating_revenue),
                            "other_revenue": str(y.other_revenue), "total_profit": str(y.total_profit),
                            "total_tax": str(y.total_tax), "employees": y.employees}
                           for y in filing.economic_years if y.year in years],
        "project": {"name": project.name, "keywords": list(project.keywords or []), "summary": project.summary or "",
                    # the file's name is what the printed form lists; older projects kept typed text
                    "other_evidence": other.original_name if other else (project.other_evidence or ""),
                    "other_evidence_attachment_id": other.id if other else None,
                    "ip": [dict(r) for r in (project.data or {}).get("ip") or []],
                    "honours": [dict(r) for r in (project.data or {}).get("honours") or []]},
        "contact": dict(declaration.contact or {}),
    }


def submit(user, declaration_id: int, expected_version: int | None = None, unit_id: Any = None) -> Declaration:
    """Submit; a declaration the recommending unit returned goes back to that unit (or to the
    one given as ``unit_id``) at once, without choosing again."""
    declaration = own(user, declaration_id)
    unit = None
    if declaration.status == "returned_by_recommender" and declaration.recommending_unit_id:
        if unit_id in (None, ""):  # not asked: the same unit, while the activity still has it
            unit = _activity_units(declaration).get(declaration.recommending_unit_id)
        else:
            unit = _activity_unit(declaration, unit_id)
    record = engine.apply(DECLARATION, Declaration, declaration.id, "submit", user, channel=APPLICANT,
                          expected_version=expected_version)
    if unit is None:
        return record
    return engine.apply(DECLARATION, Declaration, record.id, "choose_recommender", user, channel=APPLICANT,
                        params={"unit": unit})


def freeze_snapshot(step) -> None:
    """Hook of "submit": what reviewers read is what was submitted, whatever is edited later."""
    step.record.snapshot = snapshot(step.record)


def _activity_units(declaration: Declaration) -> dict:
    return {u.id: u for u in declaration.activity.recommending_units}


def _activity_unit(declaration: Declaration, unit_id: Any):
    unit = _activity_units(declaration).get(int(unit_id)) if str(unit_id).isdigit() else None
    if unit is None:
        msg = _("Please choose one of the activity's recommending units.")
        raise ServiceError(msg, {"unit_id": msg})
    return unit


def choose_recommender(user, declaration_id: int, unit_id: Any) -> Declaration:
    """The applicant picks one of the activity's recommending units after submitting (the one
    chosen before a return is offered first)."""
    declaration = own(user, declaration_id)
    unit = _activity_unit(declaration, unit_id)
    return engine.apply(DECLARATION, Declaration, declaration.id, "choose_recommender", user, channel=APPLICANT,
                        params={"unit": unit})


def set_recommender(step) -> dict:
    """Hook of "choose_recommender"."""
    unit = step.params["unit"]
    step.record.recommending_unit_id = unit.id
    return {"recommending_unit": [None, unit.name]}


def review(actor, declaration_id: int, action: str, comment: str | None = None,
           expected_version: int | None = None) -> Declaration:
    """Recommender (recommend / return) and association (qualify / return / reject / select)."""
    return engine.apply(DECLARATION, Declaration, declaration_id, action, actor,
                        comment=comment, expected_version=expected_version)


def activity_title(activity: Activity) -> str:
    """The activity as the certificate names it: its name, with the year in front only when the
    name does not already carry it (names are typed like "2026年全国质量标杆活动")."""
    name = (activity.name or "").strip()
    return name if str(activity.year) in name else f"{activity.year}年{name}"


def issue_result_certificate(declaration: Declaration, actor=None, task_id: int | None = None):
    """The signed result certificate of a declaration selected as a quality benchmark."""
    from app.services.eseal import issued_documents

    enterprise = declaration.enterprise
    activity = declaration.activity
    org_name = ((declaration.snapshot or {}).get("organization") or {}).get("org_name") or enterprise.name
    return issued_documents.issue(
        kind="benchmark_result", number=f"BM{activity.year}-{declaration.id:06d}", title="全国质量标杆",
        holder_name=org_name, credit_code=enterprise.credit_code or "",
        paragraphs=[f"{org_name}的“{declaration.project.name}”经推荐、资格审查和评审，"
                    f"在{activity_title(activity)}中被确定为全国质量标杆。"],
        fields=[("活动", activity_title(activity)), ("项目", declaration.project.name),
                ("推荐单位", declaration.recommending_unit.name if declaration.recommending_unit else "")],
        enterprise_id=enterprise.id, record_type="declaration", record_id=declaration.id, actor=actor,
        task_id=task_id)
