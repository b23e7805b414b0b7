"""Business registry ("获取企业信息"): import from CSV/xlsx (all or nothing) and look-up."""
from __future__ import annotations

import pytest
from openpyxl import Workbook

from app.extensions import db
from app.services import enterprise as svc
from app.services.errors import NotFound
from app.services.registry import import_registry_rows, read_registry_file
from models import BusinessRegistryEntry
from tests import factories as f


def test_import_xlsx_then_fetch_fills_the_name(app, tmp_path):
    code = f.credit_code()
    book = Workbook()
    sheet = book.active
    sheet.append(["credit_code", "name", "legal_rep_name", "registration_authority"])
    sheet.append([code, "导入示例有限公司", "李雷", "杭州市市场监督管理局"])
    sheet.append(["N2330104MA0123456U", "字母开头机构", "", ""])
    path = tmp_path / "registry.xlsx"
    book.save(path)
    assert import_registry_rows(read_registry_file(path)) == 2
    assert svc.fetch_registry(code)["name"] == "导入示例有限公司"
    assert svc.fetch_registry("N2330104MA0123456U")["name"] == "字母开头机构"


def test_import_with_one_bad_row_imports_nothing(app, tmp_path):
    path = tmp_path / "registry.csv"
    path.write_text(f"credit_code,name\n{f.credit_code()},好企业\n91330106MA27ABCD1X,校验位错误\n", encoding="utf-8")
    with pytest.raises(ValueError) as exc:
        import_registry_rows(read_registry_file(path))
    assert "3" in str(exc.value)  # the bad row's line number
    assert db.session.query(BusinessRegistryEntry).count() == 0


def test_fetch_unknown_code_says_so(app):
    with pytest.raises(NotFound):
        svc.fetch_registry(f.credit_code())
