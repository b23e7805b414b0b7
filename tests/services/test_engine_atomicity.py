"""The engine owns the transaction: a transition that fails at commit leaves nothing behind —
no row, no key on the token, no stored file, no notification — and the code proves that no
service changes a status or commits on its own."""
from __future__ import annotations

import ast
import datetime as dt
import os
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm.exc import StaleDataError

from app.extensions import db
from app.pki import token as tk
from app.security import roles as R
from app.services.eseal import seal_keys
from app.services.errors import Conflict
from models import Attachment, Enterprise, InboxMessage, OutboxMessage, SealApplication, SealKey, WorkflowLog
from tests import factories
from tests.factories import with_hook
from tests.services.test_eseal import applicant, operator, paid_application  # noqa: F401 - fixtures

ROOT = Path(__file__).resolve().parents[2]
PIN = "24681357"


def _stored_files() -> set[str]:
    from flask import current_app

    root = Path(current_app.config["UPLOAD_DIR"])
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def _tokens_of(lib, enterprise_id: int) -> list[str]:
    prefix = f"SB{enterprise_id:07d}-"
    labels = []
    for slot in lib.getSlotList(tokenPresent=True):
        label = lib.getTokenInfo(slot).label.strip()
        if label.startswith(prefix):
            labels.append(label)
    return labels


def _count(model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def test_a_conflict_at_commit_leaves_no_key_on_the_token_and_no_file(applicant, operator, pkcs11_lib):
    """The commit of "provision" fails as a concurrent change would make it fail (StaleDataError):
    the key generated on the token and the seal image written to storage are undone."""
    application = paid_application(applicant, operator)
    enterprise_id = applicant.enterprise_id
    files_before, tokens_before = _stored_files(), set(_tokens_of(pkcs11_lib, enterprise_id))
    attachments_before, outbox_before = _count(Attachment), _count(OutboxMessage)
    produced = {}

    def concurrent_change(step):
        produced["label"] = step.record.key.token_label if step.record.key else None
        raise StaleDataError("UPDATE statement on table 'seal_application' expected to update 1 row(s); 0 were matched.")

    from app.workflows.definitions import SEAL_APPLICATION

    with pytest.MonkeyPatch.context() as patch, pytest.raises(Conflict):
        patch.setattr(seal_keys, "SEAL_APPLICATION", with_hook(patch, SEAL_APPLICATION, "provision", concurrent_change))
        patch.setattr(seal_keys.secrets, "randbelow", lambda _n: int(PIN))
        seal_keys.produce(operator, application.id)

    # The provision hook did run: a token was initialised and a key made before the failure.
    assert produced["label"] and produced["label"] not in tokens_before
    with tk.TokenSession(pkcs11_lib, produced["label"], PIN) as session:
        assert session.list_key_ids() == []
        assert session.read_data(seal_keys.SEAL_IMAGE_LABEL) is None
    assert _stored_files() == files_before
    assert _count(Attachment) == attachments_before and _count(OutboxMessage) == outbox_before
    assert db.session.execute(select(SealKey).where(SealKey.enterprise_id == enterprise_id)).first() is None
    assert db.session.get(SealApplication, application.id).status == "paid"

    # Nothing is left half-done: the operator simply produces again.
    application, pin = seal_keys.produce(operator, application.id)
    assert application.status == "provisioned" and application.key.status == "issued" and pin


def test_a_notifying_transition_rolled_back_leaves_no_message(app, monkeypatch):
    enterprise = factories.gen_enterprise(status="submitted")
    reviewer = factories.gen_user(R.AGENCY_REVIEWER, agency_region="330100")
    before = (_count(OutboxMessage), _count(InboxMessage), _count(WorkflowLog))

    def fails_late(step):
        raise RuntimeError("the disk is full")

    from app.workflows import engine
    from app.workflows.definitions import ENTERPRISE_REGISTRATION

    workflow = with_hook(monkeypatch, ENTERPRISE_REGISTRATION, "return", fails_late)
    with pytest.raises(RuntimeError):
        engine.apply(workflow, Enterprise, enterprise.id, "return", reviewer, comment="营业执照不清晰")
    assert (_count(OutboxMessage), _count(InboxMessage), _count(WorkflowLog)) == before
    assert db.session.get(Enterprise, enterprise.id).status == "submitted"


def test_a_return_reaches_the_applicant_by_sms_email_and_inbox(app):
    from app.services import enterprise as svc

    enterprise = factories.gen_enterprise(status="submitted")
    enterprise.legal_rep_mobile, enterprise.legal_rep_email = "13912345678", "boss@example.com"
    db.session.commit()
    reviewer = factories.gen_user(R.AGENCY_REVIEWER, agency_region="330100")
    svc.review(reviewer, enterprise.id, "return", "营业执照照片不清晰，请重新上传", enterprise.version)

    sent = db.session.execute(select(OutboxMessage).where(
        OutboxMessage.record_type == "enterprise", OutboxMessage.record_id == enterprise.id)).scalars().all()
    assert {(m.channel, m.recipient) for m in sent} == {("sms", "13912345678"), ("email", "boss@example.com")}
    assert all("营业执照照片不清晰" in m.body for m in sent)
    inbox = db.session.execute(select(InboxMessage).where(InboxMessage.enterprise_id == enterprise.id)).scalars().all()
    assert inbox and all(m.read_at is None and "营业执照照片不清晰" in m.body for m in inbox)


# --- the code itself: one place changes a status and commits a transition ----------------------

SOURCES = sorted([*(ROOT / "app").rglob("*.py"), *(ROOT / "views").rglob("*.py")])
ENGINE = ROOT / "app" / "workflows" / "engine.py"
# Rows that are not workflow records: an export job's, a rule-set bench run's and an outbox
# message's delivery state are their workers' bookkeeping.
NOT_RECORDS = {ROOT / "app" / "reports" / "export.py", ROOT / "app" / "notify" / "delivery.py",
               ROOT / "app" / "services" / "sme" / "ruleset_bench.py"}


def _status_writes(tree: ast.AST) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(
            node, (ast.AugAssign, ast.AnnAssign)) else []
        for target in targets:
            for element in (target.elts if isinstance(target, ast.Tuple) else [target]):
                if isinstance(element, ast.Attribute) and element.attr == "status":
                    lines.append(node.lineno)
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "setattr"
                and len(node.args) > 1 and isinstance(node.args[1], ast.Constant) and node.args[1].value == "status"):
            lines.append(node.lineno)
    return lines


def test_only_the_engine_assigns_a_status():
    offenders = [f"{path.relative_to(ROOT)}:{line}" for path in SOURCES if path not in (ENGINE, *NOT_RECORDS)
                 for line in _status_writes(ast.parse(path.read_text(encoding="utf-8")))]
    assert not offenders, "status assigned outside app/workflows/engine.py:\n" + "\n".join(offenders)


def _calls(node: ast.AST, name: str) -> bool:
    return any(isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == name
               for n in ast.walk(node))


def _is_transition_call(node: ast.AST) -> bool:
    return any(isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr in ("apply", "follow")
               and isinstance(n.func.value, ast.Name) and n.func.value.id == "engine" for n in ast.walk(node))


def _is_hook(node: ast.FunctionDef) -> bool:
    args = node.args.args
    return bool(args) and args[0].arg == "step"


def test_no_transition_commits_or_rolls_back_outside_the_engine():
    """Functions that carry out a transition (call engine.apply / follow) or are a row's hook
    (take the ``step``) leave the commit and the rollback to the engine."""
    offenders = []
    for path in SOURCES:
        if path == ENGINE:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and (_is_transition_call(node) or _is_hook(node)):
                if _calls(node, "commit") or _calls(node, "rollback"):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}")
    assert not offenders, "transitions committed outside the engine:\n" + "\n".join(offenders)


def test_views_never_roll_back():
    """Services end their transactions (engine.apply, or a use case's own commit and rollback):
    a view only maps their errors to messages."""
    offenders = [f"{path.relative_to(ROOT)}:{node.lineno}" for path in sorted((ROOT / "views").rglob("*.py"))
                 for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                 if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                 and node.func.attr == "rollback"]
    assert not offenders, "views rolling back:\n" + "\n".join(offenders)
