"""Backups (`flask backup` / `flask restore`): a snapshot restored into an EMPTY second instance
gives back every row and every file; tampered, incomplete and non-empty cases are refused.

Two Flask apps live in one test: the source (the conftest ``app``, its context pushed) and a
target made here on a fresh SQLite file or PostgreSQL schema; ``db.engine`` / ``db.session``
follow whichever app context is current, so the target is only touched inside
``with target.app_context():``.

Tests taking the ``storage`` fixture run with the stored files in the local folder and in
SeaweedFS (S3); the targets use the same kind of store as the source unless a test says otherwise.
"""
from __future__ import annotations

import base64
import datetime as dt
import gzip
import hashlib
import json
import os
import time
from decimal import Decimal
from pathlib import Path

import orjson
import pytest
import sqlalchemy as sa
from flask_appbuilder import Model

from app.extensions import db
from app.ops import backup as ops
from app.ops.backup import BackupError, create_backup, restore_backup, verify_backup
from app.security import roles as R
from models import (
    Attachment,
    CertificateAuthority,
    Enterprise,
    KeyCertificate,
    OutboxMessage,
    SealKey,
    ShenbaoUser,
    WorkflowLog,
)
from tests import factories
from app.storage.backends import storage_backend
from tests.conftest import BOTH_STORES, PG_OK, drop_pg_schema, new_pg_schema, use_s3

CA_DER = bytes(range(256)) * 3 + b"\x00\xff\x00"  # LargeBinary with NULs and high bytes


def _kind(application) -> str:
    return "postgresql" if application.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql") else "sqlite"


@pytest.fixture
def instance(app, tmp_path):
    """Give the source app an instance directory holding a SoftHSM configuration whose token
    directory (fake token files: no module is loaded here) lies under it, as in production."""
    base = tmp_path / "instance"
    token = base / "tokens" / "3f0c1a52-token"
    token.mkdir(parents=True)
    (token / "token.object").write_bytes(os.urandom(320))
    (token / "token.lock").write_bytes(b"")
    (token / "9b1e7d1c-key.object").write_bytes(os.urandom(1500))
    conf = base / "softhsm2.conf"
    conf.write_text(f"# written by the test\ndirectories.tokendir = {base / 'tokens'}\n"
                    "objectstore.backend = file\nlog.level = ERROR\n", encoding="utf-8")
    app.config.update(INSTANCE_DIR=base, SOFTHSM2_CONF=str(conf), PKCS11_MODULE="/usr/lib/softhsm/libsofthsm2.so")
    return base


@pytest.fixture
def empty_instance(app, tmp_path, request):
    """Factory of empty target apps (as the conftest ``app``, without schema or data); their
    files go where the source's do (folder, or a fresh prefix of the bucket) unless ``storage``
    says "local" or "s3"."""
    made: list[tuple[object, str | None]] = []

    def make(kind: str | None = None, *, migrate: bool = False, storage: str | None = None):
        from app import create_app

        kind = kind or _kind(app)
        base = tmp_path / f"target{len(made)}"
        base.mkdir()
        schema = None
        if kind == "sqlite":
            url = f"sqlite:///{base / 'restored.db'}"
        else:
            schema, url = new_pg_schema("r_")
        target = create_app({
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": url,
            "INSTANCE_DIR": base / "instance",
            "UPLOAD_DIR": str(base / "instance" / "uploads"),
            "EXPORT_DIR": str(base / "exports"),
            "IMPORT_DIR": str(base / "imports"),
            "SOFTHSM2_CONF": str(base / "instance" / "softhsm2.conf"),  # not written yet: tokens/ beside it
            "RATELIMIT_ENABLED": False,
            "SERVER_NAME": None,
        })
        made.append((target, schema))
        if (storage or app.config.get("STORAGE_BACKEND", "local")) == "s3":
            use_s3(target, request.getfixturevalue("seaweedfs"))
        if migrate:
            from flask_migrate import upgrade

            with target.app_context():
                upgrade()
        return target

    yield make
    for target, schema in made:
        with target.app_context():
            db.session.remove()
            db.engine.dispose()
        if schema:
            drop_pg_schema(schema)


def _build_data() -> dict:
    """Users, an approved enterprise (licence upload, workflow log, outbox), a Tech-SME evaluation
    (JSON tables, cover upload), Decimal fees and shares, and PKI rows with LargeBinary columns."""
    enterprise = factories.gen_enterprise(status="approved")
    evaluation = factories.gen_sme(status="pending_agency")
    db.session.add(OutboxMessage(channel="sms", recipient="13900000009", body="验证码 123456，3分钟内有效",
                                 backend="outbox", status="sent", sent_at=dt.datetime(2026, 3, 1, 8, 30, 15, 123456)))
    db.session.add(CertificateAuthority(role="root", token_label="Shenbao CA", key_ref="7368656e62616f2d726f6f74",
                                        der=CA_DER, crl_number=3, crl_der=b"\x30\x82\x00",
                                        crl_issued_at=dt.datetime(2026, 1, 2, 3, 4, 5, 678901)))
    key = SealKey(enterprise_id=enterprise.id, token_label="ee-0123456789abcdef", key_ref="00112233",
                  public_key=b"\x30\x59" + bytes(89), paid_until=dt.date(2027, 5, 1), reminders_sent=[30, 7])
    key.certificates.append(KeyCertificate(serial="0A1B2C", subject="CN=测试", not_before=dt.datetime(2026, 5, 1),
                                           not_after=dt.datetime(2027, 5, 1), der=os.urandom(600)))
    db.session.add(key)
    db.session.commit()
    return {"enterprise_id": enterprise.id, "evaluation_id": evaluation.id}


def _all_rows() -> dict[str, list[dict]]:
    """Every table of the current app's database, ordered by primary key."""
    out = {}
    with db.engine.connect() as conn:
        for table in Model.metadata.sorted_tables:
            rows = [dict(row._mapping) for row in conn.execute(sa.select(table))]
            # Sorted here, not by the database: collations differ between SQLite and PostgreSQL.
            out[table.name] = sorted(rows, key=lambda r: tuple(r[c.name] for c in table.primary_key.columns))
    return out


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _stored(application) -> dict[str, bytes]:
    """Every file in the app's storage backend (folder or bucket), by key."""
    backend = storage_backend(application)
    out = {}
    for item in backend.iter_objects():
        with backend.open(item.key) as fh:
            out[item.key] = fh.read()
    return out


def _token_dir(application) -> Path:
    return Path(application.config["INSTANCE_DIR"]) / "tokens"


# --- the round trip ------------------------------------------------------------------------------


def _round_trips():
    """Database kinds × target kinds on the folder; on S3 only what the store changes."""
    pg = pytest.mark.skipif(not PG_OK, reason="no PostgreSQL")
    for kind in ("same", "same-migrated", "other"):
        yield pytest.param("sqlite", "local", kind, id=f"sqlite-local-{kind}")
        yield pytest.param("postgresql", "local", kind, id=f"pg-local-{kind}", marks=pg)
    yield pytest.param("sqlite", "local", "other-storage", id="sqlite-local-other-storage")
    for kind in ("same", "other-storage"):
        yield pytest.param("sqlite", "s3", kind, id=f"sqlite-s3-{kind}")


@pytest.mark.parametrize(("app", "storage", "target_kind"), list(_round_trips()), indirect=["app", "storage"])
def test_restore_into_an_empty_instance_gives_back_every_row_and_file(app, storage, instance, empty_instance,
                                                                        tmp_path, target_kind):
    if target_kind == "other" and not PG_OK:
        pytest.skip("no PostgreSQL: the cross-database restore needs both")
    _build_data()
    before = _all_rows()
    uploads_before = _stored(app)
    tokens_before = _tree(_token_dir(app))
    assert before["attachment"] and before["key_certificate"] and before["sme_evaluation"]
    assert len(uploads_before) == len(before["attachment"]) >= 2

    started = time.perf_counter()
    manifest = create_backup(tmp_path / "backup")
    elapsed = time.perf_counter() - started
    print(f"\nbackup ({_kind(app)}): {manifest.summary()} in {elapsed:.2f} s")
    assert manifest.complete and manifest.contains_keys
    assert verify_backup(tmp_path / "backup") == []

    other = {"sqlite": "postgresql", "postgresql": "sqlite"}[_kind(app)]
    # "other-storage": files from the folder go into a bucket, from a bucket into the folder.
    other_storage = {"local": "s3", "s3": "local"}[storage.name] if target_kind == "other-storage" else None
    target = empty_instance(other if target_kind == "other" else None, migrate=target_kind == "same-migrated",
                            storage=other_storage)
    with target.app_context():
        restored = restore_backup(tmp_path / "backup")
        assert restored.rows == manifest.rows
        assert storage_backend(target).name == (other_storage or storage.name)
        after = _all_rows()
        uploads_after = _stored(target)
        tokens_after = _tree(_token_dir(target))
        if target_kind == "same-migrated":
            with db.engine.connect() as conn:  # the migration record survives (no stamp over it)
                assert conn.execute(sa.text("SELECT count(*) FROM alembic_version")).scalar() == 1

        # Every row, value for value (JSON, Decimal, dates, LargeBinary decoded back).
        for name, rows in before.items():
            assert after[name] == rows, name
        # Every file byte for byte; each attachment row finds its file with its sha256.
        assert uploads_after == uploads_before
        assert tokens_after == tokens_before
        for row in after["attachment"]:
            data = uploads_after[f"{row['stored_name'][:2]}/{row['stored_name']}"]
            assert hashlib.sha256(data).hexdigest() == row["sha256"] and len(data) == row["size"]

        # The restored instance works: new rows get fresh keys (PostgreSQL sequences reset,
        # both SERIAL columns and FAB's named sequences), the ORM reads what was restored.
        ca = db.session.execute(sa.select(CertificateAuthority)).scalar_one()
        assert ca.der == CA_DER
        enterprise = db.session.get(Enterprise, before["enterprise"][0]["id"])
        assert enterprise.licence_attachment_id is not None and enterprise.status == "approved"
        user = factories.gen_user(R.AGENCY_REVIEWER, agency_region="330100")
        assert user.id > max(r["id"] for r in before["ab_user"])
        message = OutboxMessage(channel="email", recipient="x@example.com", body="after restore", backend="outbox")
        db.session.add(message)
        db.session.commit()
        assert message.id > max(r["id"] for r in before["outbox_message"])

        # A backup of the restored instance (no key used yet, so no softhsm2.conf written) keeps the keys.
        again = create_backup(tmp_path / "backup-of-restored")
        assert again.contains_keys and again.rows > manifest.rows
        assert sorted(f.path for f in again.files) == sorted(f.path for f in manifest.files)


def test_manifest_and_dump_format(app, instance, tmp_path):
    ids = _build_data()
    manifest = create_backup(tmp_path / "backup")
    root = tmp_path / "backup"
    data = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    assert list(data)[-1] == "complete" and data["complete"] is True
    assert data["contains_keys"] is True
    assert data["database"]["dialect"] == _kind(app)
    assert dt.datetime.fromisoformat(data["created_at"].replace("Z", "+00:00")).tzinfo is not None
    names = [t["name"] for t in data["database"]["tables"]]
    assert names == [t.name for t in Model.metadata.sorted_tables]  # all app + FAB tables, in load order
    assert "ab_user" in names and "attachment" in names
    assert data["totals"] == {"tables": len(names), "rows": manifest.rows, "files": len(manifest.files),
                              "bytes": manifest.bytes}
    paths = [f["path"] for f in data["files"]]
    assert any(p.startswith("files/uploads/") for p in paths)
    assert "files/tokens/3f0c1a52-token/9b1e7d1c-key.object" in paths
    readme = (root / "README.txt").read_text(encoding="utf-8")
    assert "PRIVATE KEYS" in readme and "ENCRYPTED" in readme
    assert not list(tmp_path.glob(".backup.partial-*"))  # renamed into place

    def rows(table):
        with gzip.open(root / "db" / f"{table}.jsonl.gz", "rb") as fh:
            return [orjson.loads(line) for line in fh]

    entry = {t["name"]: t for t in data["database"]["tables"]}
    for name in ("attachment", "outbox_message", "ab_user"):
        assert len(rows(name)) == entry[name]["rows"] > 0
    ca = rows("certificate_authority")[0]
    assert ca["der"] == base64.b64encode(CA_DER).decode()
    assert ca["crl_issued_at"] == "2026-01-02T03:04:05.678901"
    fee = rows("eseal_fee_item")[0]
    assert isinstance(fee["amount"], str) and Decimal(fee["amount"]) > 0
    evaluation = next(r for r in rows("sme_evaluation") if r["id"] == ids["evaluation_id"])
    assert isinstance(evaluation["data"], dict) and evaluation["data"]["finance"]["sales_revenue"] == "1000"
    assert rows("seal_key")[0]["reminders_sent"] == [30, 7] and rows("seal_key")[0]["paid_until"] == "2027-05-01"


def test_token_directory_outside_the_instance_is_left_out_with_a_warning(app, tmp_path):
    # The conftest's session token directory is not under INSTANCE_DIR (the repository's instance/).
    factories.gen_enterprise(status="submitted")
    manifest = create_backup(tmp_path / "backup")
    assert not manifest.contains_keys
    assert not any(f.path.startswith("files/tokens/") for f in manifest.files)
    assert any("outside the instance" in w for w in manifest.warnings)
    assert "no token directory" in (tmp_path / "backup" / "README.txt").read_text(encoding="utf-8")


# --- refusals ------------------------------------------------------------------------------------


@BOTH_STORES
def test_tampered_dump_is_refused_naming_the_file(app, storage, instance, empty_instance, tmp_path):
    _build_data()
    create_backup(tmp_path / "backup")
    dump = tmp_path / "backup" / "db" / "outbox_message.jsonl.gz"
    with gzip.open(dump, "rb") as fh:
        lines = fh.read().splitlines()
    forged = orjson.loads(lines[0])
    forged.update(id=999, body="forged")
    with gzip.open(dump, "wb") as fh:  # a valid dump, one row more: only the checksum tells
        fh.write(b"\n".join(lines + [orjson.dumps(forged)]) + b"\n")
    target = empty_instance()
    with target.app_context():
        with pytest.raises(BackupError) as exc:
            restore_backup(tmp_path / "backup")
        assert "refused: db/outbox_message.jsonl.gz" in str(exc.value) and "tampered" in str(exc.value)
        assert not sa.inspect(db.engine).get_table_names()  # nothing touched
    assert not Path(target.config["UPLOAD_DIR"]).exists() and _stored(target) == {}
    assert verify_backup(tmp_path / "backup")[0].startswith("db/outbox_message.jsonl.gz")


def test_tampered_or_missing_file_is_refused(app, instance, empty_instance, tmp_path):
    _build_data()
    manifest = create_backup(tmp_path / "backup")
    upload = next(f.path for f in manifest.files if f.path.startswith("files/uploads/"))
    path = tmp_path / "backup" / upload
    data = bytearray(path.read_bytes())
    data[-2] ^= 0x01  # same size, one bit
    path.write_bytes(bytes(data))
    (tmp_path / "backup" / "files" / "uploads" / "zz").mkdir()
    (tmp_path / "backup" / "files" / "uploads" / "zz" / "extra.pdf").write_bytes(b"%PDF-")
    token = tmp_path / "backup" / "files" / "tokens" / "3f0c1a52-token" / "token.object"
    token.unlink()
    problems = verify_backup(tmp_path / "backup")
    assert any(p.startswith(upload) and "sha256" in p for p in problems)
    assert "files/tokens/3f0c1a52-token/token.object: missing" in problems
    assert "files/uploads/zz/extra.pdf: not listed in the manifest" in problems
    target = empty_instance()
    with target.app_context(), pytest.raises(BackupError, match=upload):
        restore_backup(tmp_path / "backup")


def test_incomplete_backup_is_refused(app, instance, empty_instance, tmp_path):
    factories.gen_enterprise(status="submitted")
    create_backup(tmp_path / "backup")
    manifest_path = tmp_path / "backup" / "manifest.json"
    data = json.loads(manifest_path.read_text(encoding="utf-8"))
    data["complete"] = False
    manifest_path.write_text(json.dumps(data), encoding="utf-8")
    target = empty_instance()
    with target.app_context():
        with pytest.raises(BackupError, match="incomplete"):
            restore_backup(tmp_path / "backup")
        del data["complete"]
        manifest_path.write_text(json.dumps(data), encoding="utf-8")
        with pytest.raises(BackupError, match="incomplete"):
            restore_backup(tmp_path / "backup")
        manifest_path.unlink()
        with pytest.raises(BackupError, match="no manifest.json"):
            restore_backup(tmp_path / "backup")


def test_interrupted_backup_leaves_nothing_that_looks_like_one(app, instance, tmp_path, monkeypatch):
    factories.gen_enterprise(status="submitted")
    real_copy = ops._copy_file
    calls = []

    def copy_then_fail(*args, **kwargs):
        calls.append(args)
        if len(calls) == 2:
            raise KeyboardInterrupt  # the operator pressed Ctrl-C while files were copied
        return real_copy(*args, **kwargs)

    monkeypatch.setattr(ops, "_copy_file", copy_then_fail)
    with pytest.raises(KeyboardInterrupt):
        create_backup(tmp_path / "backup")
    assert not (tmp_path / "backup").exists()
    assert not list(tmp_path.glob(".backup.partial-*"))

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(ops, "_copy_file", disk_full)
    with pytest.raises(BackupError, match="No space left"):
        create_backup(tmp_path / "backup")
    assert not (tmp_path / "backup").exists()


@BOTH_STORES
def test_restore_into_a_non_empty_instance_is_refused(app, storage, instance, empty_instance, tmp_path):
    factories.gen_enterprise(status="submitted")
    create_backup(tmp_path / "backup")
    # The source itself has rows (reference data, users).
    with pytest.raises(BackupError, match="the database is not empty"):
        restore_backup(tmp_path / "backup")
    # An empty database but files already in UPLOAD_DIR or the bucket.
    target = empty_instance()
    storage_backend(target).put_bytes("ab/abc.pdf", b"%PDF-1.4")
    with target.app_context():
        with pytest.raises(BackupError, match=("UPLOAD_DIR" if storage.name == "local" else "S3 bucket")
                           + ".* is not empty"):
            restore_backup(tmp_path / "backup")
        assert not sa.inspect(db.engine).get_table_names()
    # A target after `init` (roles written) is not empty either.
    target = empty_instance()
    with target.app_context():
        Model.metadata.create_all(db.engine)
        from app.security.setup import sync_roles

        sync_roles()
        db.session.commit()
        with pytest.raises(BackupError, match=r"table ab_\w+ has rows"):
            restore_backup(tmp_path / "backup")


@BOTH_STORES
def test_a_failed_restore_removes_the_files_it_stored(app, storage, instance, empty_instance, tmp_path,
                                                      monkeypatch):
    _build_data()
    manifest = create_backup(tmp_path / "backup")
    uploads = [f for f in manifest.files if f.path.startswith("files/uploads/")]
    target = empty_instance()
    seen = {}

    def load_fails(conn, *args):
        seen["stored"] = len(_stored(target))  # the files went in first
        raise sa.exc.OperationalError("INSERT INTO attachment", {}, Exception("disk I/O error"))

    monkeypatch.setattr(ops, "_load_database", load_fails)
    with target.app_context():
        with pytest.raises(BackupError, match="restore failed, the database was rolled back: .*disk I/O error"):
            restore_backup(tmp_path / "backup")
        assert db.session.execute(sa.select(sa.func.count()).select_from(Attachment)).scalar() == 0
    assert seen["stored"] == len(uploads) >= 2
    assert _stored(target) == {}


def test_a_backup_of_another_migration_is_refused(app, instance, empty_instance, tmp_path):
    with db.engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)"))
        conn.execute(sa.text("INSERT INTO alembic_version VALUES ('0123456789ab')"))
    manifest = create_backup(tmp_path / "backup")
    assert manifest.alembic_revision == "0123456789ab"
    target = empty_instance(migrate=True)
    with target.app_context(), pytest.raises(BackupError, match="the backup at 0123456789ab"):
        restore_backup(tmp_path / "backup")


def test_schema_created_by_restore_is_stamped_with_the_backup_revision(app, empty_instance, tmp_path):
    with db.engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)"))
        conn.execute(sa.text("INSERT INTO alembic_version VALUES ('0123456789ab')"))
    create_backup(tmp_path / "backup")
    target = empty_instance()
    with target.app_context():
        restore_backup(tmp_path / "backup")
        with db.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one() == "0123456789ab"


# --- consistency -----------------------------------------------------------------------------------


def test_the_dump_is_one_moment_of_the_database(app, instance, tmp_path, monkeypatch):
    """A row committed by someone else while the dump runs is not in it (one transaction)."""
    factories.gen_enterprise(status="submitted")
    db.session.commit()
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    writer = sa.create_engine(url, connect_args={"timeout": 0.3} if url.startswith("sqlite") else {})
    real_dump = ops._dump_table
    outcome = {}

    def dump_then_write(conn, table, *args):
        entry = real_dump(conn, table, *args)
        if table.name == Model.metadata.sorted_tables[0].name:
            try:
                with writer.begin() as other:
                    other.execute(sa.insert(OutboxMessage.__table__).values(
                        channel="sms", recipient="late", body="written during the dump", backend="outbox",
                        status="queued", created_at=dt.datetime(2026, 1, 1)))
                outcome["committed"] = True
            except sa.exc.OperationalError as exc:  # SQLite: the read transaction holds writers off
                outcome["committed"] = False
                outcome["error"] = str(exc)
        return entry

    monkeypatch.setattr(ops, "_dump_table", dump_then_write)
    create_backup(tmp_path / "backup")
    writer.dispose()
    with gzip.open(tmp_path / "backup" / "db" / "outbox_message.jsonl.gz", "rb") as fh:
        recipients = [orjson.loads(line)["recipient"] for line in fh]
    assert "late" not in recipients
    if _kind(app) == "postgresql":
        assert outcome["committed"] is True  # REPEATABLE READ: writers go on, the dump does not see them
        assert db.session.execute(sa.select(OutboxMessage).where(OutboxMessage.recipient == "late")).scalar_one()
    else:
        assert outcome["committed"] is False and "locked" in outcome["error"]


# --- CLI ------------------------------------------------------------------------------------------


@BOTH_STORES
def test_cli_backup_and_restore(app, storage, instance, empty_instance, tmp_path):
    _build_data()
    target_dir = tmp_path / "cli-backup"
    result = app.test_cli_runner().invoke(args=["backup", str(target_dir)])
    assert result.exit_code == 0, result.output
    assert "tables" in result.output and "rows" in result.output and "files" in result.output
    assert "bytes" in result.output and "store it encrypted" in result.output
    result = app.test_cli_runner().invoke(args=["backup", str(target_dir)])
    assert result.exit_code != 0 and "not an empty directory" in result.output

    target = empty_instance()
    # Flask's CLI reuses the current app context when there is one (here the source's): push the target's.
    with target.app_context():
        result = target.test_cli_runner().invoke(args=["restore", str(target_dir)])
        assert result.exit_code == 0, result.output
        assert result.output.startswith(f"restored {target_dir}")
        assert db.session.execute(sa.select(sa.func.count()).select_from(ShenbaoUser)).scalar() > 0
        assert db.session.execute(sa.select(sa.func.count()).select_from(WorkflowLog)).scalar() > 0
        assert db.session.execute(sa.select(sa.func.count()).select_from(Attachment)).scalar() >= 2
        assert len(_stored(target)) == db.session.execute(sa.select(sa.func.count()).select_from(Attachment)).scalar()
        result = target.test_cli_runner().invoke(args=["restore", str(target_dir)])  # now it is not empty
        assert result.exit_code != 0 and "not empty" in result.output
