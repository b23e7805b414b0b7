"""Backup and restore of a whole instance: database, uploads and the SoftHSM tokens.

A backup is a directory::

    manifest.json          what is inside: every file with size and sha256; "complete": true last
    README.txt             what it is, and that it holds private keys and personal data
    db/<table>.jsonl.gz    one JSON object per row, for every table of ``Model.metadata``
    files/uploads/...      the stored files (attachments) by key, from the folder or bucket of
                           STORAGE_BACKEND (app.ops.backup_uploads)
    files/tokens/...       the SoftHSM token directory (the platform CA's private keys)

The database dump is logical and dialect-neutral (a SQLite backup restores into PostgreSQL
and the other way round). All tables are read in ONE transaction, so they show one moment:
PostgreSQL ``REPEATABLE READ, READ ONLY``, SQLite one read transaction (writers wait for it).
Files are copied after the database is read; uploads are write-once (``app.storage``), so
every attachment row of the snapshot finds its file.

The backup is written to a hidden ``.<name>.partial-*`` directory beside the target and
renamed at the end, so an interrupted backup never looks like one. ``restore_backup`` goes
into an EMPTY instance only and refuses anything incomplete or not matching its checksums.
"""
from __future__ import annotations

import base64
import datetime as dt
import gzip
import hashlib
import json
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import Any

import orjson
import sqlalchemy as sa
from flask import current_app
from flask_appbuilder import Model

from app.extensions import db
from app.ops import backup_uploads
from app.storage.backends import LocalBackend, StorageBackend, storage_backend, storage_errors

__all__ = ["BackupError", "FileEntry", "Manifest", "TableEntry", "create_backup", "restore_backup",
           "verify_backup"]

FORMAT = "shenbao-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
README = "README.txt"
UPLOADS = "uploads"
TOKENS = "tokens"
BATCH = 1000  # rows per fetch and per INSERT batch: memory stays flat whatever the table size


class BackupError(RuntimeError):
    """The backup cannot be written, or this backup cannot be restored here (the message says why)."""


# --- manifest -------------------------------------------------------------------------------


@dataclass(frozen=True)
class TableEntry:
    name: str
    file: str  # db/<name>.jsonl.gz
    rows: int
    bytes: int
    sha256: str  # of the .jsonl.gz file
    columns: tuple[str, ...]


@dataclass(frozen=True)
class FileEntry:
    path: str  # files/uploads/... or files/tokens/...
    size: int
    sha256: str


@dataclass
class Manifest:
    created_at: str  # UTC, ISO 8601
    dialect: str
    alembic_revision: str | None
    tables: list[TableEntry]
    files: list[FileEntry]
    contains_keys: bool
    warnings: list[str] = field(default_factory=list)
    complete: bool = False

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)

    @property
    def bytes(self) -> int:
        return sum(t.bytes for t in self.tables) + sum(f.size for f in self.files)

    def summary(self) -> str:
        return f"{len(self.tables)} tables, {self.rows} rows, {len(self.files)} files, {self.bytes} bytes"

    def to_dict(self) -> dict[str, Any]:
        return {  # "complete" last: it is the final word of a finished backup
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": self.created_at,
            "app": {"name": "Shenbao", "alembic_revision": self.alembic_revision},
            "database": {
                "dialect": self.dialect,
                "tables": [{"name": t.name, "file": t.file, "rows": t.rows, "bytes": t.bytes,
                            "sha256": t.sha256, "columns": list(t.columns)} for t in self.tables],
            },
            "files": [{"path": f.path, "size": f.size, "sha256": f.sha256} for f in self.files],
            "contains_keys": self.contains_keys,
            "warnings": list(self.warnings),
            "totals": {"tables": len(self.tables), "rows": self.rows, "files": len(self.files),
                       "bytes": self.bytes},
            "complete": self.complete,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Manifest:
        if data.get("format") != FORMAT:
            raise BackupError(f"{MANIFEST} is not a Shenbao backup manifest (format {data.get('format')!r})")
        if data.get("format_version") != FORMAT_VERSION:
            raise BackupError(f"{MANIFEST}: backup format version {data.get('format_version')!r} is not "
                              f"supported (this release reads version {FORMAT_VERSION})")
        try:
            return cls(
                created_at=str(data["created_at"]),
                dialect=str(data["database"]["dialect"]),
                alembic_revision=data["app"].get("alembic_revision"),
                tables=[TableEntry(str(t["name"]), str(t["file"]), int(t["rows"]), int(t["bytes"]),
                                   str(t["sha256"]), tuple(str(c) for c in t["columns"]))
                        for t in data["database"]["tables"]],
                files=[FileEntry(str(f["path"]), int(f["size"]), str(f["sha256"])) for f in data["files"]],
                contains_keys=bool(data["contains_keys"]),
                warnings=[str(w) for w in data.get("warnings", [])],
                complete=data.get("complete") is True,
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise BackupError(f"{MANIFEST} is malformed ({exc!r})") from exc


def _read_manifest(source: Path) -> Manifest:
    path = source / MANIFEST
    if not source.is_dir():
        raise BackupError(f"{source} is not a directory")
    if not path.is_file():
        raise BackupError(f"no {MANIFEST} in {source}: not a backup, or an interrupted one")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise BackupError(f"{MANIFEST} is not valid JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise BackupError(f"{MANIFEST} is malformed (not an object)")
    if data.get("complete") is not True:
        raise BackupError(f"{source} is incomplete ({MANIFEST} has no \"complete\": true): the backup "
                          "was interrupted; take a new one")
    return Manifest.from_dict(data)


# --- column values <-> JSON -------------------------------------------------------------------


def _kind(column: sa.Column) -> str:
    kind = column.type
    if isinstance(kind, sa.types.TypeDecorator):
        kind = kind.impl_instance
    if isinstance(kind, sa.JSON):
        return "json"
    if isinstance(kind, sa.DateTime):
        return "datetime"
    if isinstance(kind, sa.Date):
        return "date"
    if isinstance(kind, sa.Time):
        return "time"
    if isinstance(kind, sa.Float):
        return "plain"
    if isinstance(kind, sa.Numeric):
        return "decimal" if kind.asdecimal else "plain"
    if isinstance(kind, sa.LargeBinary):
        return "bytes"
    if isinstance(kind, sa.Uuid):
        return "uuid"
    return "plain"  # strings, integers, booleans: JSON as they are


_ENCODERS: dict[str, Callable[[Any], Any]] = {
    "datetime": lambda v: v.isoformat(),
    "date": lambda v: v.isoformat(),
    "time": lambda v: v.isoformat(),
    "decimal": str,
    "bytes": lambda v: base64.b64encode(v).decode("ascii"),
    "uuid": str,
}


def _decoder(column: sa.Column) -> Callable[[Any], Any]:
    """JSON value of the dump -> the value to insert (None stays None, except in JSON columns)."""
    kind = _kind(column)
    if kind == "json":
        # JSON null and SQL NULL read alike; NULL where the column allows it.
        empty = sa.null() if column.nullable else sa.JSON.NULL
        return lambda v: empty if v is None else v
    convert = {
        "datetime": dt.datetime.fromisoformat,
        "date": dt.date.fromisoformat,
        "time": dt.time.fromisoformat,
        "decimal": Decimal,
        "bytes": base64.b64decode,
        "uuid": uuid.UUID if getattr(column.type, "as_uuid", True) else None,
    }.get(kind)
    if convert is None:
        return lambda v: v
    return lambda v: None if v is None else convert(v)


# --- helpers ---------------------------------------------------------------------------------


def _sha256_file(path: Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def _copy_file(source: Path, target: Path, *, private: bool = False) -> tuple[int, str]:
    """Copy, fsync; size and sha256 of the bytes copied. ``private``: owner-only (0600 / 0700)."""
    with open(source, "rb") as fin:
        return backup_uploads.copy_stream(fin, target, private=private)


def _files_under(root: Path) -> Iterator[Path]:
    """Regular files under ``root`` (symlinks not followed), in a stable order."""
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(dirpath) / name
            if path.is_file() and not path.is_symlink():
                yield path


def _has_files(root: Path) -> bool:
    return root.exists() and next(_files_under(root), None) is not None


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # not possible everywhere (Windows)
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _write_text(path: Path, text: str) -> None:
    """Write through a temporary name and fsync: the file is either old or new, never half."""
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        os.chmod(tmp, 0o600)
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _parse_tokendir(conf_text: str) -> str | None:
    """``directories.tokendir = ...`` of a softhsm2.conf (comments start with #)."""
    for line in conf_text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if sep and key.strip() == "directories.tokendir":
            return value.strip() or None
    return None


def _uses_softhsm(config) -> bool:
    return "softhsm" in str(config.get("PKCS11_MODULE", "")).lower()


def _token_dir(config) -> Path | None:
    """The SoftHSM token directory named by SOFTHSM2_CONF; None when the module is not SoftHSM.

    No softhsm2.conf yet (no key used since install or restore): ``tokens/`` beside where it
    will be, which is what the app writes into it on first use (``app.services.eseal.pki.library``).
    """
    if not _uses_softhsm(config) or not config.get("SOFTHSM2_CONF"):
        return None
    conf = Path(config["SOFTHSM2_CONF"])
    if conf.is_file():
        tokendir = _parse_tokendir(conf.read_text(encoding="utf-8", errors="replace"))
        return Path(tokendir).absolute() if tokendir else None
    return conf.parent.absolute() / "tokens"


def _instance_dir(config) -> Path:
    instance = config.get("INSTANCE_DIR")
    if instance:
        return Path(instance)
    return Path(config["SOFTHSM2_CONF"]).parent


def _is_under(path: Path, root: Path) -> bool:
    return path.resolve().is_relative_to(root.resolve())


# --- backup ----------------------------------------------------------------------------------


def create_backup(target_dir: Path) -> Manifest:
    """Write a consistent snapshot of this instance to ``target_dir`` (must not exist, or be empty).

    :returns: the manifest written (``complete`` true).
    :raises BackupError: target not usable, a model table missing in the database, or any I/O or
        database failure (nothing is left under the target name).
    """
    config = current_app.config
    target = Path(target_dir).absolute()
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BackupError(f"{target} already exists and is not an empty directory")
    backend = storage_backend()
    upload_dir = backend.root.absolute() if isinstance(backend, LocalBackend) else None
    token_dir = _token_dir(config)
    for inside in (upload_dir, token_dir):
        if inside is not None and _is_under(target, inside):
            raise BackupError(f"{target} is inside {inside}: choose a directory outside the instance data")
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}.partial-", dir=target.parent))  # mode 0700
    try:
        manifest = _write_backup(work, backend, token_dir)
        if target.exists():
            target.rmdir()  # empty, checked above
        os.rename(work, target)
        _fsync_dir(target.parent)
        return manifest
    except BaseException as exc:
        shutil.rmtree(work, ignore_errors=True)
        if isinstance(exc, (*storage_errors(), sa.exc.SQLAlchemyError)):
            raise BackupError(f"backup failed, nothing written: {exc}") from exc
        raise


def _write_backup(work: Path, backend: StorageBackend, token_dir: Path | None) -> Manifest:
    config = current_app.config
    created_at = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")
    warnings: list[str] = []
    # Until the very end the manifest says complete: false (and lives under the .partial name).
    _write_text(work / MANIFEST, json.dumps({"format": FORMAT, "format_version": FORMAT_VERSION,
                                                  "created_at": created_at, "complete": False}))
    # Everything owner-only: the backup holds personal data and, usually, private keys.
    (work / "db").mkdir(mode=0o700)
    (work / "files").mkdir(mode=0o700)
    attachments: dict[str, str] = {}
    tables, dialect, revision = _dump_database(work, attachments, warnings)

    files: list[FileEntry] = []
    skipped: list[str] = []
    for rel, size, sha in backup_uploads.copy_out(backend, work / "files" / UPLOADS, skipped):
        files.append(FileEntry(f"files/{UPLOADS}/{rel}", size, sha))
        expected = attachments.pop(rel.rpartition("/")[2], None)
        if expected is not None and expected != sha:
            warnings.append(f"attachment file {rel} does not match the sha256 in its database row")
    for key in skipped:
        warnings.append(f"stored object {key!r} has a name no backup can hold: not included")
    where = "UPLOAD_DIR" if backend.name == "local" else "the S3 bucket"
    for stored_name in sorted(attachments):
        warnings.append(f"attachment file {stored_name} is missing from {where} (row kept, no file)")

    contains_keys = False
    if token_dir is not None and token_dir.is_dir():
        instance = _instance_dir(config)
        if _is_under(token_dir, instance):
            for path in _files_under(token_dir):
                rel = path.relative_to(token_dir).as_posix()
                size, sha = _copy_file(path, work / "files" / TOKENS / rel, private=True)
                files.append(FileEntry(f"files/{TOKENS}/{rel}", size, sha))
                contains_keys = True
        else:
            warnings.append(f"SoftHSM token directory {token_dir} is outside the instance directory "
                            f"{instance}: not included; back it up separately (it holds the CA's private keys)")
    elif not _uses_softhsm(config):
        warnings.append(f"PKCS11_MODULE {config.get('PKCS11_MODULE')} is not SoftHSM: the keys stay on the "
                        "HSM and are not in this backup")

    manifest = Manifest(created_at=created_at, dialect=dialect, alembic_revision=revision, tables=tables,
                        files=files, contains_keys=contains_keys, warnings=warnings, complete=True)
    _write_text(work / README, _readme(manifest))
    _write_text(work / MANIFEST, json.dumps(manifest.to_dict(), ensure_ascii=False, indent=1))
    _fsync_dir(work)
    return manifest


def _readme(manifest: Manifest) -> str:
    keys = (
        "THIS BACKUP HOLDS PRIVATE KEYS. files/tokens/ is the SoftHSM token directory: the platform\n"
        "CA's private keys (root, issuing, document signing) and every token kept on this server.\n"
        if manifest.contains_keys else
        "This backup holds no token directory (see \"warnings\" in manifest.json for where the keys are).\n"
    )
    return (
        f"Shenbao backup, taken {manifest.created_at} from a {manifest.dialect} database.\n"
        f"{manifest.summary()}.\n\n"
        f"{keys}"
        "db/ and files/uploads/ hold the applicants' personal data and uploaded documents.\n"
        "Store this backup ENCRYPTED (an encrypted volume, or gpg / age before it leaves the\n"
        "server) and restrict access to it as to the production server itself.\n\n"
        "Restore into an EMPTY instance: a new database migrated with `flask --app run db upgrade`\n"
        "(do not run `init` or `demo`), an empty UPLOAD_DIR or S3 bucket and token directory, then\n"
        "`flask --app run restore DIR`. manifest.json lists every file with its sha256; restore\n"
        "refuses a backup without \"complete\": true or with any file not matching.\n"
    )


def _snapshot(engine: sa.Engine):
    """A connection inside one read-only transaction that sees one moment of the database."""
    conn = engine.connect()
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
    elif conn.dialect.name == "sqlite":
        # pysqlite starts transactions only before writes: begin one, or each SELECT stands alone.
        conn.exec_driver_sql("BEGIN")
    return conn


def _dump_database(work: Path, attachments: dict[str, str], warnings: list[str]
                   ) -> tuple[list[TableEntry], str, str | None]:
    conn = _snapshot(db.engine)
    try:
        existing = set(sa.inspect(conn).get_table_names())
        revision = None
        if "alembic_version" in existing:
            heads = conn.execute(sa.text("SELECT version_num FROM alembic_version ORDER BY 1")).scalars().all()
            revision = ",".join(heads) or None
        missing = [t.name for t in Model.metadata.sorted_tables if t.name not in existing]
        if missing:
            raise BackupError(f"table {missing[0]} is missing from the database "
                              f"({len(missing)} missing): run `flask --app run db upgrade` first")
        unknown = sorted(existing - {t.name for t in Model.metadata.sorted_tables} - {"alembic_version"})
        if unknown:
            warnings.append(f"tables not in the models, not backed up: {', '.join(unknown)}")
        entries = [_dump_table(conn, table, work, attachments) for table in Model.metadata.sorted_tables]
        return entries, conn.dialect.name, revision
    finally:
        conn.rollback()
        conn.close()


def _dump_table(conn: sa.Connection, table: sa.Table, work: Path, attachments: dict[str, str]) -> TableEntry:
    # str(): names are sqlalchemy quoted_name, and orjson takes only exact str keys.
    codecs = [(str(c.name), _ENCODERS.get(_kind(c))) for c in table.columns]
    statement = sa.select(table).order_by(*table.primary_key.columns).execution_options(yield_per=BATCH)
    rel = f"db/{table.name}.jsonl.gz"
    path = work / rel
    rows = 0
    is_attachment = table.name == "attachment"
    with open(path, "xb") as raw:
        os.chmod(path, 0o600)
        # mtime=0 and no file name in the header: the same rows give the same bytes.
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=6, mtime=0) as out:
            for part in conn.execute(statement).partitions():
                lines = []
                for row in part:
                    record = {name: (encode(value) if encode is not None and value is not None else value)
                              for (name, encode), value in zip(codecs, row)}
                    if is_attachment:
                        attachments[record["stored_name"]] = record["sha256"]
                    try:
                        lines.append(orjson.dumps(record))
                    except TypeError as exc:
                        raise BackupError(f"table {table.name}: a value cannot be written as JSON ({exc})") from exc
                lines.append(b"")
                out.write(b"\n".join(lines))
                rows += len(part)
        raw.flush()
        os.fsync(raw.fileno())
    return TableEntry(table.name, rel, rows, path.stat().st_size, _sha256_file(path),
                      tuple(str(c.name) for c in table.columns))


# --- verify ----------------------------------------------------------------------------------


def _check_rel(rel: str, *, prefixes: tuple[str, ...]) -> str | None:
    path = PurePosixPath(rel)
    if path.is_absolute() or ".." in path.parts or "\\" in rel or not rel.startswith(prefixes):
        return f"{rel}: path not allowed in a backup"
    return None


def verify_backup(source_dir: Path) -> list[str]:
    """Problems that stop ``source_dir`` from being restored; empty when it is complete and intact.

    Checks: a manifest with ``"complete": true``; every listed file present with its size and
    sha256; nothing unlisted under db/ or files/.
    """
    source = Path(source_dir)
    try:
        manifest = _read_manifest(source)
    except BackupError as exc:
        return [str(exc)]
    problems: list[str] = []
    listed: set[str] = set()
    checks = [(t.file, t.bytes, t.sha256, f"db/{t.name}.jsonl.gz") for t in manifest.tables]
    checks += [(f.path, f.size, f.sha256, None) for f in manifest.files]
    for rel, size, sha, expected_name in checks:
        bad = _check_rel(rel, prefixes=("db/", f"files/{UPLOADS}/", f"files/{TOKENS}/"))
        if bad is None and expected_name is not None and rel != expected_name:
            bad = f"{rel}: path not allowed in a backup"
        if bad:
            problems.append(bad)
            continue
        listed.add(rel)
        path = source / rel
        if not path.is_file():
            problems.append(f"{rel}: missing")
        elif path.stat().st_size != size:
            problems.append(f"{rel}: {path.stat().st_size} bytes, the manifest says {size} (damaged or tampered)")
        elif _sha256_file(path) != sha:
            problems.append(f"{rel}: sha256 does not match the manifest (damaged or tampered)")
    for top in ("db", "files"):
        if (source / top).is_dir():
            for path in _files_under(source / top):
                rel = path.relative_to(source).as_posix()
                if rel not in listed:
                    problems.append(f"{rel}: not listed in the manifest")
    return problems


# --- restore ---------------------------------------------------------------------------------


def restore_backup(source_dir: Path) -> Manifest:
    """Bring the backup in ``source_dir`` back into this EMPTY instance.

    Creates missing tables (``flask db upgrade`` beforehand is preferred), inserts every table in
    one transaction, resets PostgreSQL sequences, puts uploads and tokens back and checks them.

    :raises BackupError: incomplete or damaged backup (names the first bad file), instance not
        empty, schema revision or columns that do not match, or a failure while restoring (the
        database is rolled back and restored files removed).
    """
    source = Path(source_dir).absolute()
    problems = verify_backup(source)
    if problems:
        more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
        raise BackupError(f"backup {source} refused: {problems[0]}{more}")
    manifest = _read_manifest(source)
    config = current_app.config
    engine = db.engine
    metadata_tables = {t.name: t for t in Model.metadata.sorted_tables}

    for entry in manifest.tables:
        table = metadata_tables.get(entry.name)
        if table is None:
            raise BackupError(f"the backup has table {entry.name}, which this release does not know: "
                              "restore with the release that made the backup")
        unknown = [c for c in entry.columns if c not in table.c]
        if unknown:
            raise BackupError(f"table {entry.name}: column {unknown[0]} of the backup does not exist here: "
                              "restore with the release that made the backup")

    with engine.connect() as conn:
        existing = set(sa.inspect(conn).get_table_names())
        revision = None
        if "alembic_version" in existing:
            revision = ",".join(conn.execute(sa.text("SELECT version_num FROM alembic_version ORDER BY 1"))
                                .scalars().all()) or None
        for table in Model.metadata.sorted_tables:
            if table.name in MIGRATION_SEEDED:
                continue
            if table.name in existing and conn.execute(
                    sa.select(sa.literal(1)).select_from(table).limit(1)).first() is not None:
                raise BackupError(f"the database is not empty (table {table.name} has rows): restore goes into "
                                  "an empty instance only — a new database after `flask --app run db upgrade`, "
                                  "without `init` or `demo`")
    if revision and manifest.alembic_revision and revision != manifest.alembic_revision:
        raise BackupError(f"the database is at migration {revision}, the backup at {manifest.alembic_revision}: "
                          "restore with the release that made the backup (or upgrade it to that revision)")

    backend = storage_backend()
    if not backup_uploads.is_empty(backend):
        where = f"UPLOAD_DIR {backend.root}" if isinstance(backend, LocalBackend) else \
            f"the S3 bucket {backend.bucket}"
        raise BackupError(f"{where} is not empty: restore goes into an empty instance only")
    areas: dict[str, Path] = {}
    if any(f.path.startswith(f"files/{TOKENS}/") for f in manifest.files):
        token_dir = _token_dir(config)
        if token_dir is None:
            raise BackupError("the backup holds SoftHSM tokens but this instance does not use SoftHSM "
                              "(PKCS11_MODULE / SOFTHSM2_CONF)")
        areas[TOKENS] = token_dir
    for area, directory in areas.items():
        if _has_files(directory):
            raise BackupError(f"{directory} is not empty: restore goes into an empty instance only "
                              "(the SoftHSM token directory)")

    created_schema = False
    if any(name not in existing for name in metadata_tables):
        Model.metadata.create_all(engine)
        created_schema = not (existing & set(metadata_tables))

    staged: dict[str, Path] = {}
    moved: list[Path] = []
    stored: list[str] = []
    uploads = [(source / f.path, f.path[len(f"files/{UPLOADS}/"):], f.size, f.sha256)
               for f in manifest.files if f.path.startswith(f"files/{UPLOADS}/")]
    try:
        for area, directory in areas.items():
            staged[area] = _stage(source, manifest, area, directory)
        # Into the backend before the rows: each file whole under its key or not at all.
        backup_uploads.put_back(backend, uploads, stored)
        with engine.begin() as conn:
            _load_database(conn, source, manifest)
            if created_schema and manifest.alembic_revision:
                _stamp(conn, manifest.alembic_revision)
            for area, directory in areas.items():
                moved += _move_into_place(staged[area], directory, private=area == TOKENS)
        return manifest
    except BaseException as exc:
        for path in moved:
            path.unlink(missing_ok=True)
        for key in stored:
            backend.delete(key)
        if isinstance(exc, (*storage_errors(), sa.exc.SQLAlchemyError, ValueError, TypeError)):
            raise BackupError(f"restore failed, the database was rolled back: {exc}") from exc
        raise
    finally:
        for directory in staged.values():
            shutil.rmtree(directory, ignore_errors=True)


def _stage(source: Path, manifest: Manifest, area: str, directory: Path) -> Path:
    """Copy one area's files to a staging directory beside ``directory``; check each written file."""
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}.restore-", dir=directory.parent))
    prefix = f"files/{area}/"
    try:
        for entry in manifest.files:
            if not entry.path.startswith(prefix):
                continue
            target = staging / entry.path[len(prefix):]
            _copy_file(source / entry.path, target, private=area == TOKENS)
            if _sha256_file(target) != entry.sha256:
                raise BackupError(f"{entry.path}: the restored copy does not match its sha256 (disk problem?)")
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return staging


def _move_into_place(staging: Path, directory: Path, *, private: bool) -> list[Path]:
    moved = []
    directory.mkdir(parents=True, exist_ok=True, mode=0o700 if private else 0o777)
    for path in _files_under(staging):
        target = directory / path.relative_to(staging)
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700 if private else 0o777)
        if target.exists():
            raise BackupError(f"{target} appeared during the restore")
        os.replace(path, target)
        moved.append(target)
    return moved


def _rows(source: Path, entry: TableEntry) -> Iterator[dict[str, Any]]:
    with gzip.open(source / entry.file, "rb") as fh:
        for line in fh:
            if line.strip():
                yield orjson.loads(line)


#: Tables a migration fills (rows every instance has): not "data" when checking the target is empty.
MIGRATION_SEEDED = frozenset({"sme_ruleset"})


def _load_database(conn: sa.Connection, source: Path, manifest: Manifest) -> None:
    entries = {t.name: t for t in manifest.tables}
    order = Model.metadata.sorted_tables
    position = {t.name: i for i, t in enumerate(order)}
    later: list[tuple[sa.Table, list[sa.Column]]] = []
    for table in reversed(order):
        # What the migrations seed (the shipped 2017 rule set) comes back from the backup itself.
        if table.name in MIGRATION_SEEDED and table.name in entries:
            conn.execute(table.delete())
    for table in order:
        entry = entries.get(table.name)
        if entry is None:
            continue
        # Keys to rows inserted later (or to the same table) are set once every row is in.
        deferred = sorted({fk.parent for fk in table.foreign_keys
                           if position[fk.column.table.name] >= position[table.name]}, key=lambda c: c.name)
        decoders = [(name, table.c[name].key, _decoder(table.c[name])) for name in entry.columns]
        deferred_keys = {c.key for c in deferred}
        count = 0
        batch: list[dict[str, Any]] = []
        for record in _rows(source, entry):
            values = {}
            for name, key, decode in decoders:
                values[key] = None if key in deferred_keys else decode(record.get(name))
            batch.append(values)
            count += 1
            if len(batch) >= BATCH:
                conn.execute(table.insert(), batch)
                batch = []
        if batch:
            conn.execute(table.insert(), batch)
        if count != entry.rows:
            raise BackupError(f"{entry.file}: {count} rows, the manifest says {entry.rows}")
        if deferred:
            later.append((table, deferred))
    for table, deferred in later:
        _apply_deferred(conn, source, entries[table.name], table, deferred)
    if conn.dialect.name == "postgresql":
        _reset_sequences(conn, [t for t in order if t.name in entries])


def _apply_deferred(conn: sa.Connection, source: Path, entry: TableEntry, table: sa.Table,
                    deferred: list[sa.Column]) -> None:
    pk = list(table.primary_key.columns)
    if not pk:
        raise BackupError(f"table {table.name} has keys to set after loading but no primary key")
    # Columns with an onupdate (updated_at) are set to their backed-up value, not to "now".
    keep = [c for c in table.columns if c.onupdate is not None and c not in deferred and c.name in entry.columns]
    statement = (table.update()
                 .where(*[c == sa.bindparam(f"pk_{c.key}") for c in pk])
                 .values({c.key: sa.bindparam(f"v_{c.key}") for c in deferred + keep}))
    decoders = {c.name: _decoder(c) for c in pk + deferred + keep}

    def value(record, column):
        return decoders[column.name](record.get(column.name))

    batch = []
    for record in _rows(source, entry):
        if all(record.get(c.name) is None for c in deferred):
            continue
        params = {f"pk_{c.key}": value(record, c) for c in pk}
        params.update({f"v_{c.key}": value(record, c) for c in deferred + keep})
        batch.append(params)
        if len(batch) >= BATCH:
            conn.execute(statement, batch)
            batch = []
    if batch:
        conn.execute(statement, batch)


def _reset_sequences(conn: sa.Connection, tables: list[sa.Table]) -> None:
    """Every serial / identity / named sequence of an integer primary key continues after max(id)."""
    preparer = conn.dialect.identifier_preparer
    for table in tables:
        pk = list(table.primary_key.columns)
        if len(pk) != 1 or not isinstance(pk[0].type, sa.Integer):
            continue
        column = pk[0]
        qualified = preparer.format_table(table)
        sequence = conn.execute(sa.text("SELECT pg_get_serial_sequence(:t, :c)"),
                                {"t": qualified, "c": column.name}).scalar()
        if sequence is None and isinstance(column.default, sa.Sequence):  # FAB tables under create_all
            sequence = conn.execute(sa.text("SELECT CAST(to_regclass(:s) AS text)"),
                                    {"s": column.default.name}).scalar()
        if sequence is None:
            continue
        quoted = preparer.quote(column.name)
        conn.execute(sa.text(f"SELECT setval(CAST(:s AS regclass), COALESCE(MAX({quoted}), 1), "
                             f"MAX({quoted}) IS NOT NULL) FROM {qualified}"), {"s": sequence})


def _stamp(conn: sa.Connection, revision: str) -> None:
    """The schema was made by create_all: record the backup's migration, as `flask db stamp` would."""
    version = sa.Table("alembic_version", sa.MetaData(),
                       sa.Column("version_num", sa.String(32), primary_key=True))
    version.create(conn, checkfirst=True)
    conn.execute(version.insert(), [{"version_num": head} for head in revision.split(",")])
