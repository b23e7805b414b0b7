"""Business registry lookup behind "获取企业信息".

The default provider reads the local ``business_registry_entry`` table (importable from
xlsx/CSV with ``flask --app run import-registry``). ``BUSINESS_REGISTRY_PROVIDER`` may name
a class ``module:Class`` with a ``lookup(credit_code) -> dict | None`` method instead.
"""
from __future__ import annotations

import csv
import importlib
from pathlib import Path
from typing import Protocol

from flask import current_app

from app.extensions import db
from models import BusinessRegistryEntry


class RegistryProvider(Protocol):
    def lookup(self, credit_code: str) -> dict[str, str] | None: ...


class TableRegistryProvider:
    def lookup(self, credit_code: str) -> dict[str, str] | None:
        entry = db.session.get(BusinessRegistryEntry, credit_code)
        if entry is None:
            return None
        return {
            "credit_code": entry.credit_code,
            "name": entry.name,
            "legal_rep_name": entry.legal_rep_name or "",
            "registration_authority": entry.registration_authority or "",
        }


def provider() -> RegistryProvider:
    name = current_app.config.get("BUSINESS_REGISTRY_PROVIDER", "table")
    if name == "table":
        return TableRegistryProvider()
    module_name, _, class_name = name.partition(":")
    return getattr(importlib.import_module(module_name), class_name)()


def lookup_registry(credit_code: str) -> dict[str, str] | None:
    return provider().lookup(credit_code)


REGISTRY_COLUMNS = ("credit_code", "name", "legal_rep_name", "registration_authority")


def import_registry_rows(rows: list[dict[str, str]]) -> int:
    """Upsert registry rows (all or nothing). Returns the number of rows written."""
    from rules.credit_code import validate_credit_code

    problems = []
    for number, row in enumerate(rows, start=2):
        code = (row.get("credit_code") or "").strip()
        if validate_credit_code(code) or not (row.get("name") or "").strip():
            problems.append(number)
    if problems:
        raise ValueError(f"invalid rows (line numbers): {problems[:20]}")
    for row in rows:
        db.session.merge(BusinessRegistryEntry(**{k: (row.get(k) or "").strip() or None for k in REGISTRY_COLUMNS}))
    db.session.commit()
    return len(rows)


def read_registry_file(path: Path) -> list[dict[str, str]]:
    if path.suffix.lower() == ".xlsx":
        from openpyxl import load_workbook

        sheet = load_workbook(path, read_only=True).active
        rows = sheet.iter_rows(values_only=True)
        header = [str(h).strip() for h in next(rows)]
        return [dict(zip(header, ["" if v is None else str(v) for v in r])) for r in rows]
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))
