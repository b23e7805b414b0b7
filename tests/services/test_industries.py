"""The industries the Tech-SME tables check against, kept per process (app/services/industries.py)."""
from __future__ import annotations

from app.extensions import db
from app.services import industries
from models import Industry


def test_an_edited_industry_is_seen_at_once(app):
    assert industries.parent_by_code() == {"C": "C", "39": "C"}
    db.session.add(Industry(code="40", name="仪器仪表制造业", level="division", parent_code="C"))
    db.session.commit()
    assert industries.parent_by_code()["40"] == "C"
    db.session.delete(db.session.get(Industry, "39"))
    db.session.commit()
    assert "39" not in industries.parent_by_code()
    assert [row.code for row in industries.all_rows()] == ["40", "C"]


def test_a_change_made_elsewhere_is_seen_within_the_cache_time(app, monkeypatch):
    industries.all_rows()
    # Another app server's edit: no flush in this process.
    db.session.execute(Industry.__table__.insert().values(code="41", name="其他制造业", level="division",
                                                          parent_code="C"))
    db.session.commit()
    assert "41" not in industries.parent_by_code()
    monkeypatch.setattr(industries, "CACHE_SECONDS", 0)
    assert industries.parent_by_code()["41"] == "C"
