"""Where task results (export workbooks...) are kept: only these functions touch the files, so
the shared-storage backend (app/storage) can take them over in one place.

With ``STORAGE_BACKEND=s3`` a result is the object ``results/<name>`` of the shared store, so any
app server hands it out (an object appears whole; storing the same name twice leaves one). With
the local folder (the embedded default) results are files in EXPORT_DIR: ``save_result`` moves a
finished local file in with an atomic rename, so a reader sees the whole file or none.
"""
from __future__ import annotations

import os
import re
import shutil
import uuid
from pathlib import Path
from typing import BinaryIO

from flask import current_app

from app.storage.backends import StorageBackend, storage_backend

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,199}")


def _path(name: str) -> Path:
    if not _NAME.fullmatch(name) or ".." in name:
        raise ValueError(f"not a result name: {name!r}")
    folder = Path(current_app.config["EXPORT_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name


def _shared_store() -> StorageBackend | None:
    """The object store when one is configured; None for the local folder (EXPORT_DIR)."""
    return storage_backend() if current_app.config.get("STORAGE_BACKEND", "local") == "s3" else None


def _key(name: str) -> str:
    _path(name)  # the same name check
    return f"results/{name}"


def save_result(name: str, local_path: str | Path) -> None:
    """Keep the file at ``local_path`` as the result ``name`` (the local file is moved away)."""
    store = _shared_store()
    if store is not None:
        with open(local_path, "rb") as fh:
            store.put(_key(name), fh)
        os.unlink(local_path)
        return
    target = _path(name)
    staged = target.with_name(f".{name}.{uuid.uuid4().hex[:8]}.tmp")
    shutil.move(str(local_path), staged)  # a rename on the same file system, else a copy
    os.replace(staged, target)


def open_result(name: str) -> BinaryIO | None:
    """The result's bytes to read (the caller closes it), or None when there is none."""
    store = _shared_store()
    try:
        if store is not None:
            return store.open(_key(name))
        return open(_path(name), "rb")
    except FileNotFoundError:
        return None


def delete_result(name: str) -> bool:
    """Remove an expired result: whether there was one."""
    store = _shared_store()
    if store is not None:
        key = _key(name)
        existed = store.exists(key)
        store.delete(key)
        return existed
    try:
        _path(name).unlink()
    except FileNotFoundError:
        return False
    return True
