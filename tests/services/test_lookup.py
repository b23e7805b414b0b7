"""app/services/lookup.py: records by id as session.get finds them, through a statement built once."""
from __future__ import annotations

import pytest
from sqlalchemy import inspect

from app.extensions import db
from app.services.errors import NotFound
from app.services.lookup import get_or_none, owned_by
from app.services.sme.filling import WITHOUT_PLACES
from models import SmeEvaluation
from tests import factories as f


def test_a_record_not_held_is_read_with_the_options_asked(app):
    evaluation = f.gen_sme()
    pk, owner = evaluation.id, f.owner_of(evaluation)
    owner_id = owner.id
    db.session.expunge_all()
    found = get_or_none(SmeEvaluation, pk, WITHOUT_PLACES)
    assert found.id == pk and found.system_number.endswith(f"{pk:08d}")
    assert "agency" in inspect(found).unloaded  # lazyload(agency): not joined
    assert "name" not in inspect(found.enterprise).unloaded
    again = get_or_none(SmeEvaluation, pk)  # held now: the same object, as session.get
    assert again is found
    db.session.expunge_all()
    assert "agency" not in inspect(get_or_none(SmeEvaluation, pk)).unloaded  # the model's defaults
    assert get_or_none(SmeEvaluation, pk + 1000) is None
    assert get_or_none(SmeEvaluation, "x") is None and get_or_none(SmeEvaluation, 2**40) is None
    db.session.expunge_all()
    stranger = f.gen_applicant()
    f.gen_enterprise(stranger)
    with pytest.raises(NotFound):
        owned_by(stranger, SmeEvaluation, pk, WITHOUT_PLACES)
    assert owned_by(db.session.get(type(owner), owner_id), SmeEvaluation, pk).id == pk


def test_a_held_record_changed_elsewhere_is_read_again_once_expired(app):
    evaluation = f.gen_sme()
    pk = evaluation.id
    db.session.execute(SmeEvaluation.__table__.update().where(SmeEvaluation.id == pk).values(return_reason="改过"))
    db.session.expire(evaluation)
    assert get_or_none(SmeEvaluation, pk).return_reason == "改过"
