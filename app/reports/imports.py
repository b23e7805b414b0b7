"""Excel and CSV imports, as a registry of importers: each names its columns (the template's
headers), parses and checks every row, and applies the whole file in one transaction.

Flow: upload → every row checked → preview (or an error report: row, column, value, message,
downloadable as .xlsx) → confirm → all rows written, or none.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Callable

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.security import roles as R
from app.services.errors import ServiceError

MAX_ROWS = 200_000
# A .xlsx is a zip: refuse one that unpacks to an unreasonable size (a zip bomb).
XLSX_MAX_UNPACKED = 300 * 1024 * 1024
XLSX_MAX_RATIO = 200


class CellError(ValueError):
    """A value that cannot be taken; the message is in the user's language."""


@dataclass(frozen=True)
class Field:
    key: str
    header: Any  # lazy string: the template's column header
    parse: Callable[[str], Any]
    required: bool = True
    example: str = ""


@dataclass
class RowProblem:
    row: int  # the spreadsheet's row number
    column: str
    value: str
    message: str


@dataclass
class Parsed:
    rows: list[dict[str, Any]] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)


@dataclass(frozen=True)
class Importer:
    key: str
    title: Any
    roles: frozenset[str]
    fields: tuple[Field, ...]
    apply: Callable[[list[dict[str, Any]], Any], int]  # (rows, user) -> rows written
    # (row, user, file) -> {field: message}; ``file`` holds every parsed row of the upload.
    check: Callable[[dict[str, Any], Any, list[dict[str, Any]]], dict[str, str]] | None = None
    note: Any = ""


# --- value parsers -------------------------------------------------------------------------

def text(max_length: int) -> Callable[[str], str]:
    def parse(value: str) -> str:
        if len(value) > max_length:
            raise CellError(_("At most %(n)d characters.", n=max_length))
        return value

    return parse


def digits(length: int) -> Callable[[str], str]:
    def parse(value: str) -> str:
        if len(value) != length or not value.isdigit():
            raise CellError(_("Enter %(n)d digits.", n=length))
        return value

    return parse


def choice(options: dict[str, str]) -> Callable[[str], str]:
    """Accepts the code or its Chinese name."""
    def parse(value: str) -> str:
        for code, label in options.items():
            if value in (code, str(label)):
                return code
        raise CellError(_("Choose one of: %(options)s.", options="、".join(str(v) for v in options.values())))

    return parse


def amount(value: str) -> Decimal:
    try:
        number = Decimal(value.replace(",", ""))
    except InvalidOperation:
        raise CellError(_("Enter a number."))
    if number < 0 or number.as_tuple().exponent < -2:
        raise CellError(_("Enter an amount of 0 or more with at most 2 decimals."))
    return number


def date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value[:10].replace("/", "-"))
    except ValueError:
        raise CellError(_("Enter a date as YYYY-MM-DD."))


def yes_no(value: str) -> bool:
    if value in ("是", "yes", "Yes", "1", "true", "TRUE", "Y"):
        return True
    if value in ("否", "no", "No", "0", "false", "FALSE", "N"):
        return False
    raise CellError(_("Enter 是 or 否."))


# --- reading files -------------------------------------------------------------------------

def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def read_table(data: bytes, filename: str) -> list[list[str]]:
    """All rows of the first sheet (.xlsx) or of a CSV (UTF-8 with or without BOM, or GB18030)."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        if not data.startswith(b"PK\x03\x04"):
            raise ServiceError(_("The file is not an Excel (.xlsx) workbook."))
        _check_zip(data)
        from python_calamine import CalamineWorkbook

        try:
            sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
            rows = sheet.to_python(skip_empty_area=False)
        except Exception:  # noqa: BLE001 - any parser failure is the file's problem
            raise ServiceError(_("The workbook cannot be read. Save it again as .xlsx and retry."))
        return [[_cell_text(v) for v in row] for row in rows]
    if name.endswith(".csv"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                content = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ServiceError(_("The CSV file is neither UTF-8 nor GB18030 text."))
        return [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(content))]
    raise ServiceError(_("Upload an .xlsx workbook or a .csv file."))


def _check_zip(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise ServiceError(_("The file is not an Excel (.xlsx) workbook."))
    if unpacked > XLSX_MAX_UNPACKED or unpacked > XLSX_MAX_RATIO * max(len(data), 1):
        raise ServiceError(_("The workbook expands to an unreasonable size and was refused."))


def parse(importer: Importer, table: list[list[str]], user) -> Parsed:
    """Match the header row, parse every row, collect every problem (nothing is written)."""
    result = Parsed()
    numbered = [(number, r) for number, r in enumerate(table, start=1) if any(cell for cell in r)]
    if not numbered:
        raise ServiceError(_("The file is empty."))
    header = numbered[0][1]
    names = {str(f.header): f for f in importer.fields} | {f.key: f for f in importer.fields}
    positions = {}
    for index, cell in enumerate(header):
        target = names.get(cell.rstrip("*").strip())
        if target is not None:
            positions[target.key] = index
    missing = [str(f.header) for f in importer.fields if f.required and f.key not in positions]
    if missing:
        raise ServiceError(_("Columns missing in the first row: %(columns)s. Download the template.",
                             columns="、".join(missing)))
    if len(numbered) - 1 > MAX_ROWS:
        raise ServiceError(_("At most %(n)d rows per file.", n=MAX_ROWS))
    parsed_rows = []
    for offset, raw in numbered[1:]:
        values: dict[str, Any] = {"_row": offset}
        bad = False
        for f in importer.fields:
            position = positions.get(f.key)
            cell = raw[position].strip() if position is not None and position < len(raw) else ""
            if not cell:
                if f.required:
                    result.problems.append(RowProblem(offset, str(f.header), "", _("This field is required.")))
                    bad = True
                values[f.key] = None
                continue
            try:
                values[f.key] = f.parse(cell)
            except CellError as exc:
                result.problems.append(RowProblem(offset, str(f.header), cell, str(exc)))
                bad = True
        if not bad:
            parsed_rows.append(values)
    for values in parsed_rows:
        problems = importer.check(values, user, parsed_rows) if importer.check is not None else {}
        for key, message in problems.items():
            header_text = next((str(f.header) for f in importer.fields if f.key == key), key)
            result.problems.append(RowProblem(values["_row"], header_text, str(values.get(key) or ""), message))
        if not problems:
            result.rows.append(values)
    _duplicates(importer, result)
    return result


def _duplicates(importer: Importer, result: Parsed) -> None:
    """The first field is the row's key: a key twice in one file is a mistake, not an update."""
    key = importer.fields[0].key
    seen: dict[Any, int] = {}
    for row in result.rows:
        if row[key] in seen:
            result.problems.append(RowProblem(row["_row"], str(importer.fields[0].header), str(row[key]),
                                              _("Repeats row %(row)d.", row=seen[row[key]])))
        else:
            seen[row[key]] = row["_row"]


def confirm(importer: Importer, table: list[list[str]], user) -> int:
    """Check again and write everything in one transaction; a single bad row writes nothing."""
    parsed = parse(importer, table, user)
    if parsed.problems:
        raise ServiceError(_("The file has %(n)d problem(s); nothing was imported.", n=len(parsed.problems)))
    try:
        written = importer.apply(parsed.rows, user)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return written


# --- the importers ---------------------------------------------------------------------------

def _apply_registry(rows, user) -> int:
    from models import BusinessRegistryEntry

    for row in rows:
        db.session.merge(BusinessRegistryEntry(credit_code=row["credit_code"], name=row["name"],
                                               legal_rep_name=row.get("legal_rep_name"),
                                               registration_authority=row.get("registration_authority")))
    return len(rows)


def _credit_code(value: str) -> str:
    from rules.credit_code import validate_credit_code

    if validate_credit_code(value) is not None:
        raise CellError(_("The unified social credit code is not valid."))
    return value


LEVELS = {"province": _l("Province"), "city": _l("City"), "county": _l("County")}


def _check_region(row, user, file) -> dict[str, str]:
    from models import Region

    problems = {}
    parent = row.get("parent_code")
    if row["level"] == "province" and parent:
        problems["parent_code"] = _("A province has no parent.")
    elif row["level"] != "province":
        if not parent:
            problems["parent_code"] = _("This field is required.")
        elif parent == row["code"]:
            problems["parent_code"] = _("A region cannot be its own parent.")
        elif db.session.get(Region, parent) is None and parent not in {r["code"] for r in file}:
            problems["parent_code"] = _("No region with this code (in the file or already known).")
    return problems


def _apply_regions(rows, user) -> int:
    from models import Region

    order = {"province": 0, "city": 1, "county": 2}
    for row in sorted(rows, key=lambda r: order[r["level"]]):
        db.session.merge(Region(code=row["code"], name=row["name"], level=row["level"],
                                parent_code=row.get("parent_code") or None))
        db.session.flush()
    return len(rows)


def _apply_units(rows, user) -> int:
    from models import RecommendingUnit

    existing = {u.name: u for u in db.session.execute(select(RecommendingUnit)).scalars()}
    for row in rows:
        unit = existing.get(row["name"]) or RecommendingUnit(name=row["name"])
        unit.active = 0 if row.get("active") is False else 1
        db.session.add(unit)
    return len(rows)


ZONE_KINDS = {"hightech": _l("National high-tech zone"), "econdev": _l("National economic-development zone")}


def _check_zone(row, user, file) -> dict[str, str]:
    from models import Region

    code = row.get("province_code")
    if code and db.session.get(Region, code) is None:
        return {"province_code": _("No region with this code (in the file or already known).")}
    return {}


def _apply_zones(rows, user) -> int:
    from models import Zone

    existing = {(z.kind, z.name): z for z in db.session.execute(select(Zone)).scalars()}
    for row in rows:
        zone = existing.get((row["kind"], row["name"])) or Zone(kind=row["kind"], name=row["name"])
        zone.province_code = row.get("province_code") or None
        db.session.add(zone)
    return len(rows)


FEE_CODES = {"first_key": _l("First USB-Key"), "annual_fee": _l("Annual fee"), "replacement_key": _l("Replacement key")}


def _apply_fees(rows, user) -> int:
    from models import FeeItem

    existing = {f.code: f for f in db.session.execute(select(FeeItem)).scalars()}
    for row in rows:
        item = existing.get(row["code"]) or FeeItem(code=row["code"])
        item.name = row.get("name") or item.name or str(FEE_CODES[row["code"]])
        item.amount = row["amount"]
        item.unit = row.get("unit") or item.unit or "元/把"
        db.session.add(item)
    return len(rows)


def _ip_kinds() -> dict[str, str]:
    from app.services.sme_form import IP_KINDS

    return dict(IP_KINDS)


def _ip_acquisition() -> dict[str, str]:
    from app.services.sme_form import IP_ACQUISITION

    return dict(IP_ACQUISITION)


def _lazy_choice(options: Callable[[], dict[str, str]]) -> Callable[[str], str]:
    return lambda value: choice(options())(value)


def _check_ip(row, user, file) -> dict[str, str]:
    if not getattr(user, "enterprise_id", None):
        return {"number": _("Register your enterprise first.")}
    return {}


def _apply_ip(rows, user) -> int:
    from models import EnterpriseIp

    existing = {(ip.kind, ip.number): ip for ip in db.session.execute(
        select(EnterpriseIp).where(EnterpriseIp.enterprise_id == user.enterprise_id)).scalars()}
    for row in rows:
        ip = existing.get((row["kind"], row["number"])) or EnterpriseIp(enterprise_id=user.enterprise_id,
                                                                        kind=row["kind"], number=row["number"])
        ip.name = row["name"]
        ip.grant_date = row.get("grant_date")
        ip.acquisition = row.get("acquisition") or "original"
        db.session.add(ip)
    return len(rows)


IMPORTERS: dict[str, Importer] = {i.key: i for i in (
    Importer("business_registry", _l("Business registry"), frozenset({R.ADMIN}), (
        Field("credit_code", _l("Unified social credit code"), _credit_code, example="91330106MA2000001X"),
        Field("name", _l("Enterprise name"), text(128), example="杭州示例科技有限公司"),
        Field("legal_rep_name", _l("Legal representative"), text(64), required=False, example="张三"),
        Field("registration_authority", _l("Registration authority"), text(128), required=False,
              example="杭州市市场监督管理局"),
    ), _apply_registry),
    Importer("regions", _l("Regions (GB/T 2260)"), frozenset({R.ADMIN}), (
        Field("code", _l("Region code"), digits(6), example="330106"),
        Field("name", _l("Name"), text(64), example="西湖区"),
        Field("level", _l("Level"), choice(LEVELS), example="区县"),
        Field("parent_code", _l("Parent code"), digits(6), required=False, example="330100"),
    ), _apply_regions, check=_check_region, note=_l("New codes are added, known codes renamed or moved.")),
    Importer("recommending_units", _l("Recommending units"), frozenset({R.ADMIN, R.ASSOCIATION_REVIEWER}), (
        Field("name", _l("Name"), text(128), example="浙江省质量协会"),
        Field("active", _l("Active"), yes_no, required=False, example="是"),
    ), _apply_units),
    Importer("zones", _l("High-tech and development zones"), frozenset({R.ADMIN}), (
        Field("name", _l("Name"), text(128), example="杭州国家高新技术产业开发区"),
        Field("kind", _l("Kind"), choice(ZONE_KINDS), example="国家高新区"),
        Field("province_code", _l("Province code"), digits(6), required=False, example="330000"),
    ), _apply_zones, check=_check_zone),
    Importer("fee_schedule", _l("Fee schedule"), frozenset({R.ADMIN, R.CA_OPERATOR}), (
        Field("code", _l("Fee"), choice(FEE_CODES), example="首次购买USB-Key"),
        Field("amount", _l("Amount (yuan)"), amount, example="1000.00"),
        Field("name", _l("Name"), text(64), required=False, example="首次购买USB-Key（含当年年金）"),
        Field("unit", _l("Unit"), text(16), required=False, example="元/把"),
    ), _apply_fees),
    Importer("enterprise_ip", _l("IP registry"), frozenset({R.APPLICANT}), (
        Field("number", _l("Grant number"), text(64), example="ZL201910000001.X"),
        Field("name", _l("IP name"), text(200), example="一种传感器"),
        Field("kind", _l("Kind"), _lazy_choice(_ip_kinds), example="发明专利"),
        Field("grant_date", _l("Grant date"), date, required=False, example="2021-05-01"),
        Field("acquisition", _l("Acquisition"), _lazy_choice(_ip_acquisition), required=False, example="自主研发"),
    ), _apply_ip, check=_check_ip, note=_l("Rows with a known kind and number update it; others are added.")),
)}


def importers_for(user) -> list[Importer]:
    from app.security.scope import role_names

    roles = role_names(user)
    return [i for i in IMPORTERS.values() if i.roles & roles]


# --- files for the user: the template and the error report -----------------------------------

def template_workbook(importer: Importer) -> bytes:
    """Headers (required ones marked *), one example row, and the allowed values."""
    import xlsxwriter

    from app.reports.workbook import excel_sheet_name

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet(excel_sheet_name(importer.title))
    header = workbook.add_format({"bold": True, "bg_color": "#DDE4EE", "border": 1})
    example = workbook.add_format({"font_color": "#888888", "italic": True})
    for col, f in enumerate(importer.fields):
        sheet.write_string(0, col, f"{f.header}{' *' if f.required else ''}", header)
        sheet.write_string(1, col, f.example, example)
        sheet.set_column(col, col, max(14, 2 * len(str(f.header)) + 4))
    sheet.freeze_panes(1, 0)
    notes = workbook.add_worksheet(_("Notes")[:31])
    notes.set_column(0, 0, 100)
    lines = [_("Fill one row per record below the header; delete the grey example row. Columns marked * are "
               "required. The whole file is imported or nothing."), str(importer.note or "")]
    for line_number, line in enumerate(filter(None, lines)):
        notes.write_string(line_number, 0, line)
    workbook.close()
    return buffer.getvalue()


def error_report(problems: list[RowProblem]) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    sheet = workbook.add_worksheet(_("Problems")[:31])
    header = workbook.add_format({"bold": True, "bg_color": "#F2DEDE", "border": 1})
    text_format = workbook.add_format({"quote_prefix": True})
    for col, title in enumerate((_("Row"), _("Column"), _("Value"), _("Message"))):
        sheet.write_string(0, col, title, header)
    for i, problem in enumerate(sorted(problems, key=lambda p: (p.row, p.column)), start=1):
        sheet.write_number(i, 0, problem.row)
        sheet.write_string(i, 1, problem.column)
        sheet.write_string(i, 2, problem.value, text_format)
        sheet.write_string(i, 3, problem.message)
    sheet.set_column(0, 0, 8)
    sheet.set_column(1, 2, 24)
    sheet.set_column(3, 3, 60)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(len(problems), 1), 3)
    workbook.close()
    return buffer.getvalue()
