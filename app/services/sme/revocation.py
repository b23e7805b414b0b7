"""撤销: the province revokes a Tech-SME registration (stored or numbered); its signed
certificates are revoked with it (ISSUED_DOCUMENT "revoke_with_record", a FOLLOW row), so the
verification page and the public certificate query say so."""
from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.workflows import engine
from app.workflows.definitions import ISSUED_DOCUMENT
from models import IssuedDocument


def revoke_certificates(step) -> None:
    """Hook of SME_EVALUATION "revoke": every version not yet revoked, with the same reason."""
    documents = db.session.execute(select(IssuedDocument).where(
        IssuedDocument.record_type == "sme_evaluation", IssuedDocument.record_id == step.record.id,
        IssuedDocument.status.in_(("current", "superseded"))).order_by(IssuedDocument.version)).scalars().all()
    for document in documents:
        engine.follow(ISSUED_DOCUMENT, document, "revoke_with_record", step.actor, parent=step, comment=step.comment)
