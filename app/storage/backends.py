"""Where stored files live: a local folder (the embedded default) or an S3-compatible bucket.

Keys are relative POSIX paths (``ab/ab12….pdf`` for attachments, ``results/<name>`` for task
results). The local folder keeps today's layout on disk: ``UPLOAD_DIR/<key>``. On S3 the key
is the object name (after ``S3_PREFIX``). Writes are all-or-nothing under the final key: the
folder writes ``<key>.part`` and renames it, S3 publishes an object only when its upload ends.

``storage_backend()`` is the configured backend of the current app (``STORAGE_BACKEND``).
The bucket is never public: downloads stream through the app's scope-checked views.
"""
from __future__ import annotations

import io
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import BinaryIO, Protocol

from flask import current_app

__all__ = ["LocalBackend", "S3Backend", "StorageBackend", "StoredObject", "check_key", "storage_backend",
           "storage_errors"]

_CHUNK = 1 << 20
_MULTIPART_FROM = 8 << 20  # S3 parts are 5 MB at least


@dataclass(frozen=True)
class StoredObject:
    key: str
    size: int
    modified: float  # seconds since the epoch (UTC)


def check_key(key: str) -> str:
    """A relative POSIX key without ``..``, backslashes or empty parts; ValueError otherwise."""
    parts = key.split("/")
    if (not key or key.startswith("/") or "\\" in key or "\x00" in key
            or any(part in ("", ".", "..") for part in parts)):
        raise ValueError(f"storage key not allowed: {key!r}")
    return key


class StorageBackend(Protocol):
    name: str

    def put(self, key: str, stream: BinaryIO) -> int:
        """Store the stream's bytes under ``key`` (replacing any); returns the size."""

    def put_bytes(self, key: str, data: bytes) -> int: ...

    def open(self, key: str) -> BinaryIO:
        """A readable binary stream. :raises FileNotFoundError: no such key."""

    def delete(self, key: str) -> None:
        """Remove ``key``; nothing happens when it is not there."""

    def exists(self, key: str) -> bool: ...

    def size(self, key: str) -> int:
        """:raises FileNotFoundError: no such key."""

    def iter_objects(self, prefix: str = "") -> Iterator[StoredObject]:
        """Every stored object under the folder ``prefix`` ("" = all), with size and last-modified."""


class LocalBackend:
    """Files under one folder, key = relative path. Symlinks are neither followed nor listed."""

    name = "local"

    def __init__(self, root: Path | str):
        self.root = Path(root)

    def path(self, key: str) -> Path:
        return self.root / check_key(key)

    def put(self, key: str, stream: BinaryIO) -> int:
        path = self.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".part") if not path.name.endswith(".part") else path
        size = 0
        try:
            with open(tmp, "wb") as fh:
                while chunk := stream.read(_CHUNK):
                    fh.write(chunk)
                    size += len(chunk)
                fh.flush()
                os.fsync(fh.fileno())
            if tmp != path:
                os.replace(tmp, path)  # never a half-written file under the final name
        except BaseException:
            if tmp != path:
                tmp.unlink(missing_ok=True)
            raise
        return size

    def put_bytes(self, key: str, data: bytes) -> int:
        return self.put(key, io.BytesIO(data))

    def open(self, key: str) -> BinaryIO:
        return open(self.path(key), "rb")

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def size(self, key: str) -> int:
        return self.path(key).stat().st_size

    def iter_objects(self, prefix: str = "") -> Iterator[StoredObject]:
        if not self.root.is_dir():
            return
        top = self.root / check_key(prefix.strip("/")) if prefix.strip("/") else self.root
        for dirpath, dirnames, filenames in os.walk(top):
            dirnames.sort()
            for name in sorted(filenames):
                path = Path(dirpath) / name
                key = path.relative_to(self.root).as_posix()
                if path.is_symlink():
                    continue
                try:
                    stat = path.stat()
                except FileNotFoundError:  # removed meanwhile
                    continue
                yield StoredObject(key, stat.st_size, stat.st_mtime)


class S3Backend:
    """One bucket (and an optional key prefix) of an S3-compatible store, through obstore (Rust's
    object_store crate). Why obstore and not boto3 or s3fs: docs/storage.md (bench/storage_backends.py).
    """

    name = "s3"

    def __init__(self, endpoint_url: str, bucket: str, access_key: str, secret_key: str, *,
                 region: str = "us-east-1", prefix: str = ""):
        from obstore.store import S3Store

        options = {}
        if endpoint_url:
            options["endpoint"] = endpoint_url
        if access_key:
            options.update(access_key_id=access_key, secret_access_key=secret_key)
        self.bucket = bucket
        self.store = S3Store(
            bucket, prefix=prefix.strip("/") or None, region=region or "us-east-1",
            # Path-style addressing: self-hosted stores (SeaweedFS, MinIO) have no per-bucket DNS.
            virtual_hosted_style_request=False,
            client_options={"allow_http": endpoint_url.startswith("http://") if endpoint_url else False,
                            "connect_timeout": "5s", "timeout": "120s"},
            retry_config={"max_retries": 3, "retry_timeout": timedelta(seconds=30)}, **options)

    def put(self, key: str, stream: BinaryIO) -> int:
        import obstore

        key = check_key(key)
        first = stream.read(_MULTIPART_FROM)
        if len(first) < _MULTIPART_FROM:  # one PUT: attachments and most results
            obstore.put(self.store, key, first, use_multipart=False)
            return len(first)
        # Larger: a multipart upload of 5 MB parts read as they come; the object appears only
        # when the upload completes (an aborted one leaves hidden parts: docs/storage.md).
        size = len(first)

        def chunks():
            nonlocal size
            yield first
            while chunk := stream.read(_MULTIPART_FROM):
                size += len(chunk)
                yield chunk

        obstore.put(self.store, key, chunks(), chunk_size=_MULTIPART_FROM, max_concurrency=2)
        return size

    def put_bytes(self, key: str, data: bytes) -> int:
        import obstore

        obstore.put(self.store, check_key(key), data)
        return len(data)

    def open(self, key: str) -> BinaryIO:
        import obstore
        from obstore.exceptions import NotFoundError

        try:
            result = obstore.get(self.store, check_key(key))
        except (NotFoundError, FileNotFoundError) as exc:
            raise FileNotFoundError(key) from exc
        return io.BufferedReader(_ChunkReader(result.stream(min_chunk_size=_CHUNK // 4), result.meta["size"]),
                                 buffer_size=_CHUNK // 4)

    def delete(self, key: str) -> None:
        import obstore
        from obstore.exceptions import NotFoundError

        try:
            obstore.delete(self.store, check_key(key))
        except (NotFoundError, FileNotFoundError):
            pass

    def size(self, key: str) -> int:
        import obstore
        from obstore.exceptions import NotFoundError

        try:
            return int(obstore.head(self.store, check_key(key))["size"])
        except (NotFoundError, FileNotFoundError) as exc:
            raise FileNotFoundError(key) from exc

    def exists(self, key: str) -> bool:
        try:
            self.size(key)
            return True
        except FileNotFoundError:
            return False

    def iter_objects(self, prefix: str = "") -> Iterator[StoredObject]:
        import obstore

        for batch in obstore.list(self.store, prefix=prefix.strip("/") or None, chunk_size=1000):
            for meta in batch:
                yield StoredObject(meta["path"], int(meta["size"]), meta["last_modified"].timestamp())


class _ChunkReader(io.RawIOBase):
    """A readable stream over obstore's chunk iterator: one GET, read as it arrives. A body
    shorter than the object's size raises (a cut connection must not look like a whole file)."""

    def __init__(self, chunks, size: int):
        self._chunks = iter(chunks)
        self._pending = memoryview(b"")
        self.size = size
        self._read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self._pending:
            try:
                self._pending = memoryview(bytes(next(self._chunks)))
            except StopIteration:
                if self._read != self.size:
                    raise OSError(f"object body ended at {self._read} of {self.size} bytes")
                return 0
        n = min(len(buffer), len(self._pending))
        buffer[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        self._read += n
        return n


def storage_errors() -> tuple[type[BaseException], ...]:
    """Exceptions a backend raises when the store fails (disk, network, credentials)."""
    try:
        from obstore.exceptions import BaseError
    except ImportError:
        return (OSError,)
    return (OSError, BaseError)


def _backend_from(config) -> StorageBackend:
    kind = str(config.get("STORAGE_BACKEND", "local")).strip().lower()
    if kind == "local":
        return LocalBackend(config["UPLOAD_DIR"])
    if kind == "s3":
        missing = [name for name in ("S3_BUCKET",) if not config.get(name)]
        if missing:
            raise RuntimeError(f"STORAGE_BACKEND=s3 needs {', '.join(missing)}")
        return S3Backend(config.get("S3_ENDPOINT_URL", ""), config["S3_BUCKET"], config.get("S3_ACCESS_KEY", ""),
                         config.get("S3_SECRET_KEY", ""), region=config.get("S3_REGION", "us-east-1"),
                         prefix=config.get("S3_PREFIX", ""))
    raise RuntimeError(f"STORAGE_BACKEND must be local or s3, not {kind!r}")


_SETTINGS = ("STORAGE_BACKEND", "UPLOAD_DIR", "S3_ENDPOINT_URL", "S3_BUCKET", "S3_ACCESS_KEY", "S3_SECRET_KEY",
             "S3_REGION", "S3_PREFIX")


def storage_backend(app=None) -> StorageBackend:
    """The backend the app's configuration names, made once per app and settings (a store's
    HTTP client keeps its connections; it is safe to share between threads)."""
    app = app or current_app._get_current_object()
    settings = tuple(str(app.config.get(name, "")) for name in _SETTINGS)
    cached = app.extensions.get("shenbao_storage")
    if cached is None or cached[0] != settings:
        cached = (settings, _backend_from(app.config))
        app.extensions["shenbao_storage"] = cached
    return cached[1]

