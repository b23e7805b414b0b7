"""The local signing agent (``signer/`` of this repository) as a source archive Shenbao serves, so an
enterprise installs it with ``pip install shenbao_signer-<version>.tar.gz``.

pip builds a wheel from any archive holding a ``pyproject.toml``; the archive is made here with
``tarfile`` on first request and kept until a file under ``signer/`` changes. Its bytes depend only
on the files (sorted names, fixed owner and modes, the newest file's time), so every worker serves
the same archive.
"""
from __future__ import annotations

import gzip
import io
import tarfile
import threading
import tomllib
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _

from app.services.errors import ServiceError

DISTRIBUTION = "shenbao_signer"
COMMAND = "shenbao-signer"
DEFAULT_SOURCE = Path(__file__).resolve().parents[3] / "signer"
# Left out of the archive: build output and caches a developer's checkout may hold.
SKIPPED_DIRS = {"__pycache__", "build", "dist", ".pytest_cache", ".mypy_cache", ".ruff_cache", ".tox", ".venv"}
SKIPPED_SUFFIXES = (".pyc", ".pyo", ".egg-info")


class SignerUnavailable(ServiceError):
    """This installation carries no ``signer/`` source to hand out."""

    status_code = 503


@dataclass(frozen=True)
class SignerArchive:
    version: str
    filename: str
    data: bytes


_lock = threading.Lock()
_cache: dict[tuple, SignerArchive] = {}


def source_dir() -> Path:
    return Path(current_app.config.get("SIGNER_SOURCE_DIR") or DEFAULT_SOURCE)


def _files(root: Path) -> list[Path]:
    found = []
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).parts
        if any(p in SKIPPED_DIRS or p.startswith(".") or p.endswith(SKIPPED_SUFFIXES) for p in relative):
            continue
        if path.is_file():
            found.append(path)
    return found


def version(root: Path | None = None) -> str:
    """The agent's version from its ``pyproject.toml``.

    :raises SignerUnavailable: no ``signer/`` directory or no readable project metadata.
    """
    root = root or source_dir()
    try:
        project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
        return str(project["version"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        raise SignerUnavailable(_("The signing agent is not available for download on this server "
                                  "(its source is missing). Please tell the platform's administrator."))


def archive() -> SignerArchive:
    """The current archive, rebuilt when a file under ``signer/`` changed since the last one."""
    root = source_dir()
    number = version(root)
    files = _files(root)
    stats = [f.stat() for f in files]
    fingerprint = (str(root), number, tuple((str(f), s.st_size, s.st_mtime_ns) for f, s in zip(files, stats)))
    with _lock:
        cached = _cache.get(fingerprint)
        if cached is None:
            newest = int(max((s.st_mtime for s in stats), default=0))
            cached = SignerArchive(number, f"{DISTRIBUTION}-{number}.tar.gz",
                                   _build(root, files, f"{DISTRIBUTION}-{number}", newest))
            _cache.clear()
            _cache[fingerprint] = cached
    return cached


def _build(root: Path, files: list[Path], top: str, mtime: int) -> bytes:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path in files:
            info = tarfile.TarInfo(f"{top}/{path.relative_to(root).as_posix()}")
            data = path.read_bytes()
            info.size, info.mtime, info.uid, info.gid, info.uname, info.gname = len(data), mtime, 0, 0, "", ""
            info.mode = 0o755 if path.stat().st_mode & 0o111 else 0o644
            tar.addfile(info, io.BytesIO(data))
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", mtime=mtime, filename="") as gz:
        gz.write(raw.getvalue())
    return out.getvalue()
