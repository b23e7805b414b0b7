"""Tech-SME rule sets as administered data: which set is in force for a year, the set an
evaluation was scored with, and the rules administrator's drafts (create, save, import).

A row's ``rules`` column is a ``rules.sme.ruleset_json`` document; it becomes a
``rules.sme.Ruleset`` here (checked there, so ``rules/`` keeps every rule). Publishing and the
other state changes are rows of ``SME_RULESET`` carried out by the workflow engine.
"""
from __future__ import annotations

import copy
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import bindparam, select
from sqlalchemy.orm import defer

from app.extensions import db
from app.i18n import violation_message
from app.security import roles as R
from app.security.scope import in_scope, role_names
from app.services.errors import Forbidden, NotFound, ServiceError
from app.services.unit_of_work import use_case
from app.workflows import engine
from app.workflows.definitions import SME_RULESET
from app.workflows.model import REVIEW
from models import SmeRuleset
from rules.sme import RULES_2017, Ruleset, RulesetError, ruleset_from_json, ruleset_to_json

EDITABLE = ("draft",)
#: The shipped set's title (its document number is in ``RULES_2017``).
BUILTIN_SOURCE = "科技型中小企业评价办法"

#: (row id, version) → its Ruleset; published rows never change, drafts change version.
_PARSED: dict[tuple[int, int], tuple[dict, Ruleset]] = {}  # (id, version) → (stored document, parsed)


def ensure_builtin() -> int:
    """The shipped 2017 set as a read-only published row (``flask init``; the migration makes
    it too). :returns: 1 if the row was added, else 0."""
    if db.session.execute(select(SmeRuleset.id).where(SmeRuleset.builtin.is_(True))).first():
        return 0
    from models.base import utcnow

    db.session.add(SmeRuleset(year=RULES_2017.year, status="published", source=BUILTIN_SOURCE,
                              document_number=RULES_2017.document_number, regulation_text="\n".join(RULES_2017.notes),
                              rules=ruleset_to_json(RULES_2017), builtin=True, published_at=utcnow()))
    db.session.flush()
    return 1


def parsed(row: SmeRuleset) -> Ruleset:
    """:param row: A stored rule set.
    :returns: Its ``Ruleset`` (cached per id and version).
    :raises RulesetError: For a stored draft that no longer checks."""
    key = (row.id, row.version)
    cached = _PARSED.get(key)
    # The stored document is compared too: an id and version can come back with other rules
    # (a database restored or rebuilt, as every test does), and a stale set would score wrongly.
    if cached is None or cached[0] != row.rules:
        if len(_PARSED) > 256:
            _PARSED.clear()
        cached = _PARSED[key] = (copy.deepcopy(row.rules), ruleset_from_json(row.rules))
    return cached[1]


# Asked on every table page: built once, and without the regulation's text (read if shown).
_IN_FORCE = (select(SmeRuleset).where(SmeRuleset.status == "published", SmeRuleset.year <= bindparam("year"))
             .options(defer(SmeRuleset.regulation_text))
             .order_by(SmeRuleset.year.desc(), SmeRuleset.id.desc()).limit(1))


def in_force(year: int) -> tuple[SmeRuleset, Ruleset]:
    """The published set for an evaluation year: the newest whose first year is not later.

    :raises ServiceError: When no published set covers the year.
    """
    row = db.session.execute(_IN_FORCE, {"year": year}).scalar_one_or_none()
    if row is None:
        raise ServiceError(_("No Tech-SME rules are published for %(year)s.", year=year))
    return row, parsed(row)


def scored_with(evaluation) -> Ruleset:
    """The rules that produced the evaluation's stored result (the year's set before any)."""
    row = evaluation.ruleset
    if row is not None:
        return parsed(row)
    return in_force(evaluation.year)[1]


def label(row: SmeRuleset | None) -> str:
    """How pages name a set: "2017 年起适用 · 国科发政〔2017〕115号" (the document number, else its title)."""
    if row is None:
        return ""
    return _("Rules from %(year)s · %(name)s", year=row.year, name=row.document_number or row.source)


def get(user, ruleset_id: Any) -> SmeRuleset:
    row = in_scope(db.session, SmeRuleset, ruleset_id, user)
    if row is None:
        raise NotFound(_("Record not found."))
    return row


def _check_role(user) -> None:
    if R.RULES_ADMIN not in role_names(user):
        raise Forbidden(_("Only the rules administrator may change rule sets."))


def field_errors(exc: RulesetError) -> dict[str, str]:
    """:returns: ``{field path: message in the user's language}`` for the form."""
    return {exc.field: violation_message(exc.violation)}


def _year_taken(ruleset: Ruleset, exclude_id: int | None) -> RulesetError | None:
    """A published set with the same first year (two sets cannot claim one year)."""
    stmt = select(SmeRuleset).where(SmeRuleset.status == "published", SmeRuleset.year == ruleset.year)
    if exclude_id is not None:
        stmt = stmt.where(SmeRuleset.id != exclude_id)
    other = db.session.execute(stmt.limit(1)).scalar_one_or_none()
    if other is None:
        return None
    return RulesetError("year", "ruleset.year_taken", year=other.year, source=other.document_number or other.source)


def checked(doc: dict, exclude_id: int | None = None) -> Ruleset:
    """:param doc: A rule-set document.
    :returns: Its ``Ruleset``.
    :raises ServiceError: With the field's message beside it (rules, then the year overlap)."""
    try:
        ruleset = ruleset_from_json(doc)
    except RulesetError as exc:
        raise ServiceError(_("The rule set has errors; see the marked fields."), field_errors(exc)) from None
    taken = _year_taken(ruleset, exclude_id)
    if taken is not None:
        raise ServiceError(_("The rule set has errors; see the marked fields."), field_errors(taken))
    return ruleset


def _next_year() -> int:
    from app.services.sme.filling import evaluation_year

    latest = db.session.execute(select(SmeRuleset.year).where(SmeRuleset.status == "published")
                                .order_by(SmeRuleset.year.desc()).limit(1)).scalar()
    return max(evaluation_year() + 1, (latest or 0) + 1)


def create_draft(user, copy_from_id: Any) -> SmeRuleset:
    """A new draft copied from a set (its rules, title, number and text), for the next year."""
    _check_role(user)
    source = get(user, copy_from_id)
    rules = copy.deepcopy(source.rules)
    rules["year"] = _next_year()
    row = SmeRuleset(year=rules["year"], source=source.source, document_number=source.document_number,
                     regulation_text=source.regulation_text, rules=rules, builtin=False,
                     copied_from_id=source.id, created_by_id=user.id)
    return engine.create(SME_RULESET, row, user, event="create")


@use_case
def save_draft(user, ruleset_id: Any, doc: dict, *, source: str, document_number: str,
               regulation_text: str | None, expected_version: int | None = None) -> SmeRuleset:
    """Check and store a draft's rules; nothing is saved when any field is wrong.

    :raises ServiceError: ``field_errors`` names the field (``tech_staff_bands[1][0]``...).
    """
    _check_role(user)
    row = get(user, ruleset_id)
    if row.builtin or row.status not in EDITABLE:
        raise ServiceError(_("Only a draft can be changed; a tested set must be reopened first."))
    if expected_version not in (None, "") and int(expected_version) != row.version:
        raise ServiceError(_("This record was changed by someone else meanwhile. Please reload and check it again."))
    doc = {**doc, "source": (source or "").strip() or doc.get("source", ""),
           "document_number": (document_number or "").strip()}
    ruleset = checked(doc, exclude_id=row.id)
    row.rules = ruleset_to_json(ruleset)
    row.year = ruleset.year
    row.source = (source or "").strip() or ruleset.source
    row.document_number = ruleset.document_number
    row.regulation_text = (regulation_text or "").strip() or None
    engine.record_event(SME_RULESET, row, "edit", user)
    db.session.commit()
    return row


@use_case
def import_draft(doc: Any, actor=None) -> SmeRuleset:
    """Store a rule-set document (``flask ruleset-import``) as a new draft.

    :raises RulesetError: Naming the field, for a document that does not check.
    """
    ruleset = ruleset_from_json(doc)
    taken = _year_taken(ruleset, None)
    if taken is not None:
        raise taken
    row = SmeRuleset(year=ruleset.year, source=ruleset.source, document_number=ruleset.document_number,
                     rules=ruleset_to_json(ruleset), builtin=False, created_by_id=getattr(actor, "id", None))
    return engine.create(SME_RULESET, row, actor, event="import")


def export_in_force(year: int) -> dict:
    """:returns: The JSON document of the set in force for an evaluation year."""
    row, ruleset = in_force(year)
    return {**ruleset_to_json(ruleset), "source": row.source if not row.builtin else ruleset.source}


def finished_run(row: SmeRuleset):
    """:returns: The newest finished bench run on the row's current version, or None."""
    from models import RulesetTestRun

    return db.session.execute(
        select(RulesetTestRun).where(RulesetTestRun.ruleset_id == row.id, RulesetTestRun.status == "done",
                                     RulesetTestRun.ruleset_version == row.version)
        .order_by(RulesetTestRun.id.desc()).limit(1)
    ).scalar_one_or_none()


def act(user, ruleset_id: Any, action: str, comment: str | None = None,
        expected_version: int | None = None) -> SmeRuleset:
    """A row of ``SME_RULESET`` (mark tested, reopen, publish), through the engine."""
    _check_role(user)
    return engine.apply(SME_RULESET, SmeRuleset, ruleset_id, action, user, comment=comment,
                        expected_version=expected_version, channel=REVIEW)
