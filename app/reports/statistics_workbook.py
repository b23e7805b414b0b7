"""The statistics as a workbook: a summary sheet, then one sheet per breakdown with its table and
a native Excel chart (column, pie or line) drawn from the table's cells."""
from __future__ import annotations

import datetime as dt
from typing import BinaryIO

import xlsxwriter
from flask_babel import gettext as _

CHART_TYPES = {"bar": "column", "pie": "pie", "line": "line"}


def _sheet_name(text: str, used: set[str]) -> str:
    base = "".join(ch for ch in text if ch not in "[]:*?/\\")[:28] or "Sheet"
    name, n = base, 2
    while name in used:
        name, n = f"{base[:26]}-{n}", n + 1
    used.add(name)
    return name


def write_statistics(target: str | BinaryIO, computed: list[dict], *, scope_text: str) -> None:
    """:param computed: results of app.reports.statistics.compute, one per report."""
    workbook = xlsxwriter.Workbook(target, {"in_memory": True})
    bold = workbook.add_format({"bold": True})
    title = workbook.add_format({"bold": True, "font_size": 14})
    header = workbook.add_format({"bold": True, "bg_color": "#DDE4EE", "border": 1})
    count_format = workbook.add_format({"num_format": "#,##0"})
    share_format = workbook.add_format({"num_format": "0.0%"})
    money_format = workbook.add_format({"num_format": "#,##0.00"})
    used: set[str] = set()
    summary = workbook.add_worksheet(_sheet_name(_("Totals"), used))
    summary.set_column(0, 0, 36)
    summary.set_column(1, 1, 16)
    now = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).strftime("%Y-%m-%d %H:%M")
    summary.write_string(0, 0, _("Statistics"), title)
    summary.write_string(1, 0, _("Scope: %(scope)s — generated at %(time)s (Beijing time)", scope=scope_text, time=now))
    row = 3
    for data in computed:
        report = data["report"]
        summary.write_string(row, 0, str(report.title), bold)
        row += 1
        for label, value in data["headline"]:
            summary.write_string(row, 0, str(label))
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                summary.write_number(row, 1, value, count_format)
            else:
                summary.write_number(row, 1, float(value), money_format)
            row += 1
        for dimension, rows in data["sections"]:
            name = _sheet_name(f"{report.title}-{dimension.title}", used)
            summary.write_url(row, 0, f"internal:'{name}'!A1", string=str(dimension.title))
            row += 1
            _breakdown_sheet(workbook, name, f"{report.title} · {dimension.title}", dimension.chart, rows,
                             header, title, count_format, share_format)
        row += 1
    workbook.close()


def _breakdown_sheet(workbook, name, heading, chart_kind, rows, header, title, count_format, share_format) -> None:
    sheet = workbook.add_worksheet(name)
    sheet.write_string(0, 0, heading, title)
    for col, text in enumerate((_("Group"), _("Count"), _("Share"))):
        sheet.write_string(1, col, text, header)
    total = sum(count for _label, count in rows) or 1
    for i, (label, count) in enumerate(rows, start=2):
        sheet.write_string(i, 0, label)
        sheet.write_number(i, 1, count, count_format)
        sheet.write_number(i, 2, count / total, share_format)
    last = len(rows) + 1
    sheet.write_string(last + 1, 0, _("Total"), header)
    sheet.write_formula(last + 1, 1, f"=SUM(B3:B{last + 1})", count_format, sum(c for _l, c in rows))
    sheet.set_column(0, 0, 32)
    sheet.set_column(1, 2, 12)
    sheet.freeze_panes(2, 0)
    if not rows:
        return
    chart = workbook.add_chart({"type": CHART_TYPES.get(chart_kind, "column")})
    chart.add_series({"name": heading, "categories": [name, 2, 0, last, 0], "values": [name, 2, 1, last, 1],
                      **({"data_labels": {"percentage": True}} if chart_kind == "pie" else {})})
    chart.set_title({"name": heading})
    if chart_kind != "pie":
        chart.set_legend({"none": True})
    chart.set_size({"width": 640, "height": 360})
    sheet.insert_chart("E2", chart)
