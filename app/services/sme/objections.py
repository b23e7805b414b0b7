"""公示异议: objections from the public against a record on a publicity list, and their
decision by the province (Tech-SME) or the association (benchmark selection).

Filing one is the creation of a PUBLICITY_OBJECTION record; the evaluation it names enters
"objection" in the same transaction through SME_EVALUATION "object" (a FOLLOW row, the actor
being the objector: "公众 <name>" in the timeline). Deciding it follows "resolve" (dismissed,
once no other objection on the record is open) or "reject" (upheld) on the evaluation.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import BinaryIO

from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.i18n import violation_message
from app.security.actors import PublicActor
from app.services import captcha, public_lists
from app.services.errors import ServiceError
from app.storage import delete_stored_file, save_upload
from app.timeutil import today_in_china
from app.workflows import engine
from app.workflows.definitions import PUBLICITY_OBJECTION, SME_EVALUATION
from models import PublicityObjection
from rules.contact import validate_email, validate_mobile

# GS + year + 10 characters without 0/O, 1/I/L: read out over the telephone without doubt.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
REFERENCE_RANDOM_LENGTH = 10
NAME_MAX = 64
CONTACT_MAX = 254
REASON_MIN = 10
REASON_MAX = 2000
EVIDENCE_PURPOSE = "objection_evidence"


@dataclass
class ObjectionForm:
    objector_name: str
    contact: str
    reason: str
    form_token: str
    captcha_id: str | None
    captcha: str


@dataclass
class Filed:
    objection: PublicityObjection
    repeated: bool  # the same form sent again: the objection filed the first time


def new_form_token() -> str:
    """The one-time token a form carries: the same form posted twice files one objection."""
    return secrets.token_urlsafe(24)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_reference() -> str:
    suffix = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_RANDOM_LENGTH))
    return f"GS{today_in_china().year}{suffix}"


def normalize_contact(value: str | None) -> str:
    value = (value or "").strip()
    return value.lower() if "@" in value else value


def contact_problem(value: str) -> str | None:
    """A mainland mobile number or an e-mail address."""
    if not value:
        return _("Please give a mobile number or an e-mail address.")
    problem = validate_email(value) if "@" in value else validate_mobile(value)
    return violation_message(problem) if problem else None


def _check(form: ObjectionForm) -> dict[str, str]:
    errors: dict[str, str] = {}
    name = (form.objector_name or "").strip()
    if not name:
        errors["objector_name"] = _("This field is required.")
    elif len(name) > NAME_MAX:
        errors["objector_name"] = _("At most %(n)d characters.", n=NAME_MAX)
    problem = contact_problem(normalize_contact(form.contact))
    if problem:
        errors["contact"] = problem
    reason = (form.reason or "").strip()
    if not reason:
        errors["reason"] = _("Please give the reason of the objection.")
    elif len(reason) < REASON_MIN:
        errors["reason"] = _("Please describe the objection in at least %(n)d characters.", n=REASON_MIN)
    elif len(reason) > REASON_MAX:
        errors["reason"] = _("At most %(n)d characters.", n=REASON_MAX)
    return errors


def _already_filed(token: str) -> PublicityObjection | None:
    if not token:
        return None
    return db.session.execute(select(PublicityObjection).where(
        PublicityObjection.form_token_hash == _token_hash(token))).scalar_one_or_none()


def file_sme_objection(evaluation_id, form: ObjectionForm, evidence: tuple[BinaryIO, str] | None = None) -> Filed:
    """An objection to a Tech-SME record in an open publicity batch.

    :raises NotFound: the record is not in publicity (planned or closed batch, removed, unknown).
    :raises ServiceError: with the fields' messages.
    """
    evaluation = public_lists.sme_record_open_to_objection(evaluation_id)

    def follow(step) -> None:
        # A record already under objection keeps its one transition; this objection joins the queue.
        if evaluation.status == "in_publicity":
            engine.follow(SME_EVALUATION, evaluation, "object", step.actor, parent=step, comment=step.record.reason)

    return _file(form, evidence, follow, subject_type="sme_evaluation", sme_evaluation_id=evaluation.id,
                 province_code=evaluation.province_code, enterprise_id=evaluation.enterprise_id)


def file_declaration_objection(declaration_id, form: ObjectionForm,
                               evidence: tuple[BinaryIO, str] | None = None) -> Filed:
    """An objection to a declaration on a published benchmark selection list (until its end date)."""
    declaration = public_lists.declaration_open_to_objection(declaration_id)
    return _file(form, evidence, None, subject_type="declaration", declaration_id=declaration.id,
                 enterprise_id=declaration.enterprise_id)


def _file(form: ObjectionForm, evidence, follow, **subject) -> Filed:
    existing = _already_filed(form.form_token)
    if existing is not None:
        return Filed(existing, True)
    errors = _check(form)
    if not form.form_token:
        errors["form"] = _("The form has expired. Please try again.")
    if not captcha.verify(form.captcha_id, form.captcha):
        existing = _already_filed(form.form_token)  # a double click: the first one spent the captcha
        if existing is not None:
            return Filed(existing, True)
        errors["captcha"] = _("The verification characters are wrong or expired.")
    if errors:
        raise ServiceError(_("Please correct the marked fields."), errors)
    name = form.objector_name.strip()
    objection = PublicityObjection(reference=new_reference(), objector_name=name,
                                   objector_contact=normalize_contact(form.contact), reason=form.reason.strip(),
                                   form_token_hash=_token_hash(form.form_token), **subject)
    attachment = None
    if evidence is not None and evidence[1]:
        try:
            attachment = save_upload(evidence[0], evidence[1], EVIDENCE_PURPOSE, enterprise_id=None,
                                     record_type="publicity_objection", record_id=None, uploaded_by_id=None)
        except ServiceError as exc:
            db.session.rollback()
            raise ServiceError(_("Please correct the marked fields."), {"evidence": exc.message})

    def then(step) -> None:
        if attachment is not None:
            db.session.flush()
            attachment.record_id = objection.id
            objection.evidence_attachment_id = attachment.id
        if follow is not None:
            follow(step)

    undo = (lambda: delete_stored_file(attachment),) if attachment is not None else ()
    try:
        engine.create(PUBLICITY_OBJECTION, objection, PublicActor(name), event="file", undo=undo, then=then)
    except engine.IntegrityConflict:
        existing = _already_filed(form.form_token)  # the same form, sent twice at the same moment
        if existing is None:
            raise
        return Filed(existing, True)
    return Filed(objection, False)


def lookup(reference: str | None, contact: str | None) -> PublicityObjection | None:
    """The objection with this reference number, when ``contact`` is the one given with it
    (anything else answers nothing, so numbers cannot be tried one by one)."""
    reference = (reference or "").strip().upper()
    contact = normalize_contact(contact)
    if not reference or not contact or len(reference) > 20:
        return None
    objection = db.session.execute(select(PublicityObjection).where(
        PublicityObjection.reference == reference)).scalar_one_or_none()
    if objection is None or not hmac.compare_digest(objection.objector_contact.encode(), contact.encode()):
        return None
    return objection


def decide(actor, objection_id: int, action: str, comment: str | None = None,
           expected_version: int | None = None) -> PublicityObjection:
    """异议成立 (uphold) or 异议不成立 (dismiss), with the reply the objector will read."""
    return engine.apply(PUBLICITY_OBJECTION, PublicityObjection, objection_id, action, actor, comment=comment,
                        expected_version=expected_version)


def _other_open_objections(objection: PublicityObjection) -> int:
    return len(db.session.execute(select(PublicityObjection.id).where(
        PublicityObjection.sme_evaluation_id == objection.sme_evaluation_id,
        PublicityObjection.status == "received", PublicityObjection.id != objection.id)).all())


def follow_dismissal(step) -> None:
    """Hook of "dismiss": the evaluation goes back into publicity when no other objection on it
    is open (the scheduler completes it if its batch closed meanwhile)."""
    objection = step.record
    evaluation = objection.sme_evaluation
    if evaluation is not None and evaluation.status == "objection" and not _other_open_objections(objection):
        engine.follow(SME_EVALUATION, evaluation, "resolve", step.actor, parent=step, comment=step.comment)


def follow_upholding(step) -> None:
    """Hook of "uphold": the evaluation does not pass (the reply is the reason the enterprise reads)."""
    evaluation = step.record.sme_evaluation
    if evaluation is not None and evaluation.status == "objection":
        engine.follow(SME_EVALUATION, evaluation, "reject", step.actor, parent=step, comment=step.comment)
