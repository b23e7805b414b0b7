"""The uploads part of a backup (app.ops.backup): stored files copied out of the configured
storage backend (local folder or S3 bucket) into ``files/uploads/<key>``, and put back into
whichever backend the restoring instance uses (a folder backup can go into a bucket and back).
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from app.storage.backends import StorageBackend, check_key

_CHUNK = 1 << 20


def copy_stream(source: BinaryIO, target: Path, *, private: bool = True) -> tuple[int, str]:
    """Write ``source`` to a new file, fsync; size and sha256 of the bytes. ``private``: owner-only
    (0600 / 0700). Also what app.ops.backup copies token files with."""
    digest = hashlib.sha256()
    size = 0
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700 if private else 0o777)
    with open(target, "xb") as fout:
        if private:
            os.chmod(target, 0o600)
        while chunk := source.read(_CHUNK):
            digest.update(chunk)
            fout.write(chunk)
            size += len(chunk)
        fout.flush()
        os.fsync(fout.fileno())
    return size, digest.hexdigest()


def copy_out(backend: StorageBackend, uploads_dir: Path, skipped: list[str]) -> list[tuple[str, int, str]]:
    """Every stored object except in-flight ``.part`` files, as (key, size, sha256). Keys that
    could not be a file name here (``..``, absolute) are left out and named in ``skipped``."""
    copied = []
    for item in backend.iter_objects():
        if item.key.endswith(".part"):  # an upload being written (the folder backend renames when done)
            continue
        try:
            check_key(item.key)
        except ValueError:
            skipped.append(item.key)
            continue
        try:
            with backend.open(item.key) as stream:
                size, sha = copy_stream(stream, uploads_dir / PurePosixPath(item.key))
        except FileNotFoundError:  # removed meanwhile (the orphan sweep): no row of the snapshot names it
            continue
        copied.append((item.key, size, sha))
    return copied


def is_empty(backend: StorageBackend) -> bool:
    return next(iter(backend.iter_objects()), None) is None


class _Hashing:
    def __init__(self, stream: BinaryIO):
        self._stream = stream
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size)
        self.digest.update(data)
        return data


def put_back(backend: StorageBackend, files: list[tuple[Path, str, int, str]], written: list[str]) -> None:
    """Store each (source file, key, size, sha256); every key stored is appended to ``written``
    at once, so the caller can remove them all if anything fails.

    :raises ValueError: a file read back differently from its manifest entry (changed meanwhile).
    """
    for source, key, size, sha in files:
        with open(source, "rb") as fh:
            hashing = _Hashing(fh)
            written.append(key)
            stored = backend.put(key, hashing)
        if stored != size or hashing.digest.hexdigest() != sha:
            raise ValueError(f"{key}: read {stored} bytes not matching the manifest while restoring "
                             "(the backup changed during the restore?)")
