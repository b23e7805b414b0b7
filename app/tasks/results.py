"""Where task results (export workbooks...) are kept: only these functions touch the files, so
the shared-storage backend (app/storage) can take them over in one place.

Today: files in EXPORT_DIR, named by the task's result name. ``save_result`` moves a finished
local file in with an atomic rename, so a reader (on any app server sharing the folder) sees
the whole file or none, and saving the same name twice leaves one file.
"""
from __future__ import annotations

import os
import re
import shutil
import uuid
from pathlib import Path
from typing import BinaryIO

from flask import current_app

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,199}")


def _path(name: str) -> Path:
    if not _NAME.fullmatch(name) or ".." in name:
        raise ValueError(f"not a result name: {name!r}")
    folder = Path(current_app.config["EXPORT_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name


def save_result(name: str, local_path: str | Path) -> None:
    """Keep the file at ``local_path`` as the result ``name`` (the local file is moved away)."""
    target = _path(name)
    staged = target.with_name(f".{name}.{uuid.uuid4().hex[:8]}.tmp")
    shutil.move(str(local_path), staged)  # a rename on the same file system, else a copy
    os.replace(staged, target)


def open_result(name: str) -> BinaryIO | None:
    """The result's bytes to read (the caller closes it), or None when there is none."""
    try:
        return open(_path(name), "rb")
    except FileNotFoundError:
        return None


def delete_result(name: str) -> bool:
    """Remove an expired result: whether there was one."""
    try:
        _path(name).unlink()
    except FileNotFoundError:
        return False
    return True
