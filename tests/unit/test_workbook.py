"""Both export engines write the same workbook: title row, frozen header with auto-filter, typed
and formatted cells, formula-like text kept as text, and the progress callback."""
from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from app.reports.workbook import Column, write_workbook

COLUMNS = [Column("name", "企业名称"), Column("amount", "销售收入（万元）", "wan"), Column("day", "提交日期", "date"),
           Column("at", "提交时间", "datetime"), Column("count", "职工总数", "int"), Column("name2", "企业名称")]
ROWS = [['=HYPERLINK("http://evil","x")', Decimal("1234.5678"), dt.date(2026, 3, 1), dt.datetime(2026, 3, 1, 9, 30),
         120, "-1+1"],
        ["杭州示例科技有限公司", None, None, None, 0, "@SUM(A1)"]] * 1500


@pytest.mark.parametrize("engine", ["rustpy", "xlsxwriter"])
def test_engines_write_the_same_workbook(engine):
    out = io.BytesIO()
    seen = []
    count = write_workbook(out, sheet_name="企业", title="企业注册 — 筛选：无", columns=COLUMNS, rows=iter(ROWS),
                           progress=seen.append, engine=engine)
    assert count == len(ROWS) and seen == [1000, 2000, 3000]
    sheet = load_workbook(io.BytesIO(out.getvalue())).active
    assert sheet.title == "企业" and sheet["A1"].value == "企业注册 — 筛选：无"
    headers = [c.value for c in sheet[2]]
    assert headers[:5] == ["企业名称", "销售收入（万元）", "提交日期", "提交时间", "职工总数"]
    assert sheet.freeze_panes == "A3" and sheet.auto_filter.ref == f"A2:F{len(ROWS) + 2}"
    first = sheet[3]
    assert first[0].data_type == "s" and first[0].value.startswith("=HYPERLINK") and first[0].quotePrefix
    assert first[5].data_type == "s" and first[5].value == "-1+1"
    assert first[1].value == pytest.approx(1234.5678) and first[1].number_format == "#,##0.0000"
    assert first[2].value == dt.datetime(2026, 3, 1) and first[2].number_format == "yyyy-mm-dd"
    assert first[3].value == dt.datetime(2026, 3, 1, 9, 30) and "hh:mm" in first[3].number_format
    assert first[4].value == 120 and first[4].data_type == "n"
    assert sheet[4][1].value is None and sheet[4][4].value == 0
    assert sheet[4][5].value == "@SUM(A1)" and sheet[4][5].data_type == "s"
    assert sheet.max_row == len(ROWS) + 2


@pytest.mark.parametrize("engine", ["rustpy", "xlsxwriter"])
def test_an_empty_export_still_has_its_title_and_headers(engine):
    out = io.BytesIO()
    assert write_workbook(out, sheet_name="空", title="无记录", columns=COLUMNS, rows=iter([]), engine=engine) == 0
    sheet = load_workbook(io.BytesIO(out.getvalue())).active
    assert sheet["A1"].value == "无记录" and sheet["A2"].value == "企业名称"
    assert all(cell.value is None for row in sheet.iter_rows(min_row=3) for cell in row)
