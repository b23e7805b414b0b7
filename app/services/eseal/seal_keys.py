"""USB-Keys: production on a PKCS#11 token, renewal, revocation, the seal image, and the daily
annual-fee job (reminders 30, 7 and 1 days before expiry; overdue keys marked)."""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
import secrets
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.services.unit_of_work import use_case
from app.pki import token as tk
from app.services.eseal import pki
from app.services.errors import ServiceError
from app.services.lookup import owned_by
from app.workflows import engine
from app.security.actors import SystemActor
from app.timeutil import today_in_china
from app.workflows.definitions import SEAL_APPLICATION, SEAL_KEY
from app.workflows.model import APPLICANT, OPERATOR, SCHEDULER
from models import Attachment, KeyCertificate, SealApplication, SealKey
from rules import eseal as rules

log = logging.getLogger(__name__)

KEY_LABEL = "seal"
SEAL_IMAGE_LABEL = "seal image"
REVOCATION_REASONS = {"key_compromise": "Key lost or compromised", "cessation_of_operation": "No longer used",
                      "superseded": "Replaced by a new key"}
STATUS_LABELS = {"valid": "Valid", "overdue": "Annual fee overdue", "suspended": "Suspended for the unpaid annual fee",
                 "expired": "Expired", "revoked": "Revoked"}


def key_status_label(status: str) -> str:
    return SEAL_KEY.state_label(status)


def _today() -> dt.date:
    return today_in_china()


def _not_after(paid_until: dt.date) -> dt.datetime:
    """The certificate ends with the paid period (the last paid day, 23:59:59 China time)."""
    end = dt.datetime.combine(paid_until, dt.time(23, 59, 59), tzinfo=dt.timezone(dt.timedelta(hours=8)))
    return end.astimezone(dt.timezone.utc)


def produce(actor, application_id: int, expected_version: int | None = None) -> tuple[SealApplication, str | None]:
    """Provision a new key (first application, replacement) or renew (same key, new certificate).

    :returns: the application and, for a new key, the token's initial user PIN — shown once to
        the operator for the PIN envelope, never stored.
    """
    pki.ensure_ca()
    application = db.session.get(SealApplication, application_id)
    if application is not None and application.kind == "renewal":
        return engine.apply(SEAL_APPLICATION, SealApplication, application_id, "renew", actor, channel=OPERATOR,
                            expected_version=expected_version), None
    pin = f"{secrets.randbelow(10 ** 8):08d}"
    record = engine.apply(SEAL_APPLICATION, SealApplication, application_id, "provision", actor, channel=OPERATOR,
                          expected_version=expected_version, params={"pin": pin})
    return record, pin


def provision_key(step) -> dict:
    """Hook of "provision": a token initialised, a key pair generated on it, its certificate and
    seal image written back. The token work cannot be rolled back with the database, so it is
    undone (the key objects destroyed) when the transition does not commit."""
    application, user_pin = step.record, step.params["pin"]
    enterprise = application.enterprise
    replaced = application.key if application.kind == "replacement" else None
    paid_until = replaced.paid_until if replaced is not None else rules.add_years(_today(), application.years)
    lib = pki.library()
    label = f"SB{enterprise.id:07d}-{secrets.token_hex(4)}"
    key_ref = secrets.token_bytes(8)
    so_pin = secrets.token_hex(8)
    tk.init_token(lib, label, so_pin, user_pin)
    step.undo.append(lambda: tk.reset_token(lib, label, so_pin, user_pin))
    seal_png = _seal_for_new_key(enterprise, replaced)
    with tk.TokenSession(lib, label, user_pin) as session:
        spki = session.generate_ec_key(key_ref, KEY_LABEL)
        cert = pki.issue_key_certificate(subject_name=enterprise.name, credit_code=enterprise.credit_code,
                                         public_key_info=spki, not_after=_not_after(paid_until),
                                         seal_sha256=hashlib.sha256(seal_png).digest())
        # Protected: the holder can neither delete nor swap them, even with the PIN.
        session.write_certificate(key_ref, KEY_LABEL, cert.dump(), protected=True)
        # The CA chain travels on the key, so any signing tool embeds it and any validator builds the path.
        authority = pki.ensure_ca()
        for role, ca_cert in (("issuing CA", authority.issuing), ("root CA", authority.root)):
            session.write_certificate(role.encode(), role, ca_cert.dump(), protected=True)
        session.write_data(SEAL_IMAGE_LABEL, seal_png, protected=True)
    key = SealKey(enterprise_id=enterprise.id, token_label=label, key_ref=key_ref.hex(), public_key=spki,
                  status=SEAL_KEY.initial, paid_until=paid_until, reminders_sent=[])
    db.session.add(key)
    db.session.flush()
    image = _store_png(seal_png, key, "seal.png")
    step.undo.append(lambda: _remove_file(image))
    key.seal_image_id = image.id
    db.session.add(_certificate_row(key, cert))
    engine.log_transition(SEAL_KEY, key, "produce", None, key.status, step.actor, None, None, at=step.now)
    application.key_id = key.id
    if replaced is not None and replaced.status != "revoked":
        engine.follow(SEAL_KEY, replaced, "supersede", step.actor, parent=step, params={"reason": "superseded"})
    return {"key": [None, label]}


def _seal_for_new_key(enterprise, replaced: SealKey | None) -> bytes:
    """The seal picture for a new key: the design the operator set for the enterprise's previous
    key (a custom seal is kept on replacement), else one drawn from the company name."""
    from app.storage import open_attachment

    # The newest design stored for it, which may postdate its own seal.
    image_id = _latest_seal_image_id(replaced) if replaced is not None else None
    if image_id is not None:
        with open_attachment(db.session.get(Attachment, image_id)) as fh:
            return fh.read()
    return render_seal_image(enterprise.name)


def _remove_file(attachment) -> None:
    from app.storage import delete_stored_file

    delete_stored_file(attachment)


def _issued_seal_sha256(row: KeyCertificate | None) -> bytes | None:
    """The seal-image hash of a key's certificate: the picture on the token does not change."""
    from asn1crypto import x509
    from shenbao_signer.seal import issued_seal_sha256

    return issued_seal_sha256(x509.Certificate.load(row.der)) if row is not None else None


def _certificate_row(key: SealKey, cert) -> KeyCertificate:
    native = cert["tbs_certificate"]["validity"]
    return KeyCertificate(key_id=key.id, serial=format(cert.serial_number, "x"), subject=cert.subject.human_friendly[:255],
                          not_before=native["not_before"].native.replace(tzinfo=None),
                          not_after=native["not_after"].native.replace(tzinfo=None), der=cert.dump())


def renew_key(step) -> dict:
    """Hook of "renew": the paid period extended, a new certificate for the same key; an overdue
    or suspended key is reinstated."""
    application = step.record
    key = application.key
    old = key.paid_until
    key.paid_until = rules.paid_until_after_renewal(key.paid_until, _today(), application.years)
    key.reminders_sent = []
    if key.status in ("overdue", "suspended"):
        engine.follow(SEAL_KEY, key, "reinstate", step.actor, parent=step)
    previous = current_certificate(key)
    cert = pki.issue_key_certificate(subject_name=application.enterprise.name,
                                     credit_code=application.enterprise.credit_code,
                                     public_key_info=key.public_key, not_after=_not_after(key.paid_until),
                                     seal_sha256=_issued_seal_sha256(previous))
    # The key is in the holder's hands; where its token is reachable here the certificate is
    # written beside the old one (a public object: no PIN needed), otherwise the holder downloads it.
    try:
        with tk.TokenSession(pki.library(), key.token_label, None) as session:
            session.write_certificate(bytes.fromhex(key.key_ref), KEY_LABEL, cert.dump(), protected=True)
    except (tk.TokenError, pki.PkiUnavailable):
        log.info("token %s not reachable here; certificate available for download", key.token_label)
    db.session.add(_certificate_row(key, cert))
    engine.log_transition(SEAL_KEY, key, "renew", key.status, key.status, step.actor, None,
                          {"paid_until": [old, key.paid_until]}, at=step.now)
    return {"paid_until": [old, key.paid_until]}


def ship_key(step) -> dict:
    """Hook of the application's "ship": the key goes with it."""
    application = step.record
    if application.key is not None and application.key.status == "issued":
        engine.follow(SEAL_KEY, application.key, "ship", step.actor, parent=step)
    return {"ems_tracking": [None, application.ems_tracking]}


def hold_certificates(step) -> None:
    """Hook of "suspend": the key's certificates go on the CRL on hold (certificateHold)."""
    for cert in step.record.certificates:
        if cert.revoked_at is None:
            cert.revoked_at, cert.revocation_reason = step.now, "certificate_hold"
    step.after_commit.append(pki.publish_crl)


def release_certificates(step) -> None:
    """Hook of "reinstate": held certificates leave the CRL (a hold is the one revocation that ends)."""
    for cert in step.record.certificates:
        if cert.revocation_reason == "certificate_hold":
            cert.revoked_at, cert.revocation_reason = None, None
    step.after_commit.append(pki.publish_crl)


def revoke_certificates(step) -> None:
    """Hook of "revoke" and "supersede": every certificate of the key revoked, the CRL published
    once the revocation is committed."""
    reason = step.params.get("reason") or "unspecified"
    key = step.record
    key.revocation_reason = reason
    for cert in key.certificates:
        if cert.revoked_at is None or cert.revocation_reason == "certificate_hold":
            cert.revoked_at = step.now
            cert.revocation_reason = reason
    step.after_commit.append(pki.publish_crl)


def render_seal_image(company_name: str) -> bytes:
    from app.pki.seal_image import render_seal

    return render_seal(company_name)


def _store_png(data: bytes, key: SealKey, filename: str) -> Attachment:
    from app.storage import save_upload

    attachment = save_upload(io.BytesIO(data), filename, "seal_image", enterprise_id=key.enterprise_id,
                             record_type="seal_key", record_id=key.id, uploaded_by_id=None)
    db.session.flush()  # its id is what the key points at
    return attachment


def seal_image_id(key: SealKey) -> int | None:
    """The key's seal image: the one it points at, else (keys produced before the pointer was
    written) the latest seal image stored for it."""
    return key.seal_image_id or _latest_seal_image_id(key)


def _latest_seal_image_id(key: SealKey) -> int | None:
    """The seal image stored last for a key (its own, or a design for its successor)."""
    return db.session.execute(select(Attachment.id).where(
        Attachment.record_type == "seal_key", Attachment.record_id == key.id, Attachment.purpose == "seal_image")
        .order_by(Attachment.id.desc())).scalars().first()


@use_case
def replace_seal_image(actor, key_id: int, stream, filename: str) -> SealKey:
    """A custom seal design (指南: 如对电子签章的样式有特殊需求…请提供相关的图形样式), for the
    enterprise's next key: the seal on this one is protected."""
    key = _operator_key(actor, key_id)
    if key.status == "revoked":
        raise ServiceError(_("This key is revoked."))
    from app.storage import save_upload

    attachment = save_upload(stream, filename, "seal_image", enterprise_id=key.enterprise_id,
                             record_type="seal_key", record_id=key.id, uploaded_by_id=actor.id)
    db.session.flush()
    # The seal on a produced USB-Key is protected (its certificate carries its hash): the new
    # design goes onto the enterprise's next key (replacement), never onto this one.
    engine.record_event(SEAL_KEY, key, "seal_design", actor, changes={"seal_design": [None, attachment.id]})
    db.session.commit()
    return key


def _operator_key(actor, key_id: Any) -> SealKey:
    from app.security.actors import require_operator
    from app.security.scope import in_scope
    from app.services.errors import NotFound

    require_operator(actor)
    key = in_scope(db.session, SealKey, key_id, actor)
    if key is None:
        raise NotFound(_("Record not found."))
    return key


def revoke(actor, key_id: int, reason: str) -> SealKey:
    """Revoke a key (lost, no longer used): its certificates go on the published CRL at once.

    The holder may revoke its own key (a lost key must stop signing without waiting for anyone);
    the CA operator any key.
    """
    from app.security import roles as R
    from app.security.scope import role_names

    if reason not in REVOCATION_REASONS:
        raise ServiceError(_("Please choose a value from the list."), {"reason": _("Please choose a value from the list.")})
    roles = role_names(actor)
    holder = R.APPLICANT in roles and not roles & {R.CA_OPERATOR, R.ADMIN}
    key = owned_by(actor, SealKey, key_id) if holder else _operator_key(actor, key_id)
    if key.status == "revoked":
        raise ServiceError(_("This key is revoked."))
    return engine.apply(SEAL_KEY, SealKey, key.id, "revoke", actor, channel=APPLICANT if holder else OPERATOR,
                        comment=_(REVOCATION_REASONS[reason]), params={"reason": reason})


def own_key(user, key_id: Any) -> SealKey:
    return owned_by(user, SealKey, key_id)


def keys_for(user) -> list[SealKey]:
    if not user.enterprise_id:
        return []
    return list(db.session.execute(select(SealKey).where(SealKey.enterprise_id == user.enterprise_id)
                                   .order_by(SealKey.id.desc())).scalars())


def current_certificate(key: SealKey) -> KeyCertificate | None:
    return key.certificates[-1] if key.certificates else None


def display_status(key: SealKey, today: dt.date | None = None) -> str:
    """证书状态 as the holder sees it: valid, overdue, expired or revoked."""
    today = today or _today()
    if key.status in ("revoked", "suspended"):
        return key.status
    # The certificate ends with the paid period, so an unpaid key is both; "overdue" says what to do.
    if key.status == "overdue" or rules.is_overdue(key.paid_until, today):
        return "overdue"
    cert = current_certificate(key)
    if cert is not None and cert.not_after < dt.datetime.combine(today, dt.time()):
        return "expired"
    return "valid"


# --- the daily annual-fee job ---------------------------------------------------------------

def fee_tick(today: dt.date) -> dict[str, int]:
    """Remind holders before the paid period ends, mark overdue keys and suspend keys still
    unpaid after the grace period (idempotent per day; the scheduler acts as the system)."""
    from flask import current_app

    actor = SystemActor()
    grace = dt.timedelta(days=int(current_app.config.get("ESEAL_SUSPEND_AFTER_DAYS", 30)))
    counts = {"reminded": 0, "overdue": 0, "suspended": 0}
    live = ("issued", "shipped", "active", "overdue")
    ids = db.session.execute(select(SealKey.id).where(SealKey.status.in_(live)).order_by(SealKey.id)).scalars().all()
    for key_id in ids:
        key = db.session.get(SealKey, key_id)
        if rules.is_overdue(key.paid_until, today):
            if key.status != "overdue":
                engine.apply(SEAL_KEY, SealKey, key.id, "overdue", actor, channel=SCHEDULER)
                counts["overdue"] += 1
            elif today > key.paid_until + grace:
                engine.apply(SEAL_KEY, SealKey, key.id, "suspend", actor, channel=SCHEDULER)
                counts["suspended"] += 1
            continue
        days = rules.reminder_due(key.paid_until, today, list(key.reminders_sent or []))
        if days is not None:
            _remind(key, days, actor)
            counts["reminded"] += 1
    return counts


def _remind(key: SealKey, days: int, actor) -> None:
    """A fee reminder: a timeline event with its notification, not a status change."""
    key.reminders_sent = [*(key.reminders_sent or []), days]
    engine.record_event(SEAL_KEY, key, "fee_reminder", actor, changes={"days_left": [None, days]},
                        notify=("seal_fee_due",))
    db.session.commit()


def _contacts(key: SealKey) -> tuple[str | None, str | None]:
    """The latest application's EMS contact, else the legal representative."""
    application = db.session.execute(select(SealApplication).where(
        SealApplication.enterprise_id == key.enterprise_id).order_by(SealApplication.id.desc())).scalars().first()
    enterprise = key.enterprise
    mobile = application.ems_phone if application is not None and application.ems_phone.startswith("1") else None
    mobile = mobile or enterprise.legal_rep_mobile
    email = application.ems_email if application is not None else enterprise.legal_rep_email
    return mobile, email
