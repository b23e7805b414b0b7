"""A bench run as people read it: the counts in sentences, the histogram's labels, the changed
enterprises' cells, and the whole run as an .xlsx workbook (a summary sheet and a changes sheet),
all in the reader's language."""
from __future__ import annotations

from typing import Any, BinaryIO, Iterable

from flask_babel import gettext as _
from flask_babel import ngettext

from app.reports.workbook import Column, SheetWriter, open_workbook
from app.timeutil import beijing
from app.services.sme.ruleset_rescore import BIN_COUNT

PATHS = {"scored": "Scored", "direct": "Qualified directly", "entry_failed": "Entry condition not met"}


def bin_labels() -> list[str]:
    """0–9, 10–19, …, 90–100, then "not scored"."""
    labels = [f"{10 * i}–{10 * i + 9}" for i in range(BIN_COUNT - 1)]
    return [*labels, f"{10 * (BIN_COUNT - 1)}–100", _("Not scored")]


def outcome_lines(summary: dict[str, Any]) -> list[str]:
    """The counts each way in sentences ("12 enterprises would newly qualify; …")."""
    s = summary
    return [
        ngettext("%(num)d past submission was re-scored.", "%(num)d past submissions were re-scored.",
                 s["rescored"]),
        ngettext("%(num)d enterprise would newly qualify.", "%(num)d enterprises would newly qualify.",
                 s["newly_qualified"]),
        ngettext("%(num)d enterprise would no longer qualify.", "%(num)d enterprises would no longer qualify.",
                 s["no_longer_qualified"]),
        ngettext("%(num)d enterprise would still qualify.", "%(num)d enterprises would still qualify.",
                 s["still_qualified"]),
        ngettext("%(num)d enterprise would still not qualify.", "%(num)d enterprises would still not qualify.",
                 s["still_not_qualified"]),
        ngettext("For %(num)d enterprise the points change but not the outcome.",
                 "For %(num)d enterprises the points change but not the outcome.", s["points_changed"]),
        ngettext("%(num)d submission could not be re-scored (its data no longer reads).",
                 "%(num)d submissions could not be re-scored (their data no longer reads).", s["not_rescored"]),
    ]


def qualified_text(value: bool | None) -> str:
    if value is None:
        return ""
    return _("Conforms") if value else _("Does not conform")


def path_text(value: str | None) -> str:
    return _(PATHS[value]) if value in PATHS else ""


def points_text(points: list | None, index: int) -> Any:
    """Indicator 9, 10 or 11's points ("not scored" when the path stopped before them)."""
    if not points or points[index] is None:
        return _("Not scored")
    return points[index]


def total_text(value: int | None) -> Any:
    return _("Not scored") if value is None else value


def selection_text(test_run, province_name: str | None) -> str:
    year = str(test_run.selection_year) if test_run.selection_year else _("All years")
    province = province_name or (_("All provinces") if not test_run.selection_province else "")
    return f"{year} · {province}"


def change_cells(change, province_name: str) -> list[Any]:
    return [change.enterprise_name, change.credit_code or "", province_name, change.year,
            qualified_text(change.old_qualified), qualified_text(change.new_qualified),
            points_text(change.old_points, 0), points_text(change.new_points, 0),
            points_text(change.old_points, 1), points_text(change.new_points, 1),
            points_text(change.old_points, 2), points_text(change.new_points, 2),
            total_text(change.old_total), total_text(change.new_total),
            path_text(change.old_path), path_text(change.new_path)]


def change_headers() -> list[str]:
    return [_("Enterprise name"), _("Unified social credit code"), _("Province"), _("Evaluation year"),
            _("Qualifies now"), _("Qualifies under the draft"),
            _("Indicator 9 now"), _("Indicator 9 under the draft"),
            _("Indicator 10 now"), _("Indicator 10 under the draft"),
            _("Indicator 11 now"), _("Indicator 11 under the draft"),
            _("Total now"), _("Total under the draft"), _("Path now"), _("Path under the draft")]


def write_run_workbook(target: str | BinaryIO, *, ruleset_name: str, test_run, province_name: str | None,
                       changes: Iterable[Any], region_names: dict[str, str]) -> int:
    """Summary sheet (what was tested, the counts, the histogram) and the changes sheet.

    :returns: The number of change rows written.
    """
    summary = test_run.summary or {}
    workbook = open_workbook(target)
    title = _("Test bench run of %(name)s, %(time)s (Beijing time)", name=ruleset_name,
              time=beijing(test_run.finished_at or test_run.created_at))
    sheet = SheetWriter(workbook, _("Run summary"), [Column("item", _("Item")), Column("value", _("Value"), "int"),
                                                 Column("after", "", "int")], title)
    sheet.write([_("Past submissions selected"), selection_text(test_run, province_name)])
    for key, label in (("rescored", _("Re-scored")), ("newly_qualified", _("Would newly qualify")),
                       ("no_longer_qualified", _("Would no longer qualify")),
                       ("still_qualified", _("Would still qualify")),
                       ("still_not_qualified", _("Would still not qualify")),
                       ("points_changed", _("Points change, outcome unchanged")),
                       ("not_rescored", _("Could not be re-scored"))):
        sheet.write([label, summary.get(key, 0)])
    sheet.write([])
    sheet.write([_("Score distribution"), _("Now"), _("Under the draft")])
    histogram = summary.get("histogram") or {}
    for index, label in enumerate(bin_labels()):
        sheet.write([label, (histogram.get("before") or [0] * (BIN_COUNT + 1))[index],
                     (histogram.get("after") or [0] * (BIN_COUNT + 1))[index]])
    sheet.finish()
    changes_sheet = SheetWriter(workbook, _("Changed enterprises"),
                                [Column(str(i), header) for i, header in enumerate(change_headers())],
                                _("Enterprises whose outcome or points differ under the draft"))
    for change in changes:
        changes_sheet.write(change_cells(change, region_names.get(change.province_code or "", "")))
    written = changes_sheet.finish()
    workbook.close()
    return written
