"""导出 Excel of the reference lists, whose tables are keyed by a code rather than an ``id``
(regions, industries, technology fields, the business registry): each answers a real workbook
with the admin's rows (it was a 500, ``'Region' has no attribute 'id'``)."""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from app.security import roles as R
from tests import factories as f



@pytest.mark.parametrize("url,known_row", [
    ("/regionview/export/", ("330100", "杭州市", "市", "330000")),
    ("/industryview/export/", ("39", "计算机、通信和其他电子设备制造业", "大类", "C")),
    ("/techfieldview/export/", ("1.1", "软件", "1")),
    ("/businessregistryview/export/", ("91330106MA27XYZ12A", "杭州示例科技有限公司", "李雷", None)),
])
def test_reference_lists_export_a_workbook_with_their_rows(app, url, known_row):
    f.registry_entry("91330106MA27XYZ12A", "杭州示例科技有限公司")
    f.gen_user(R.ADMIN, "root")
    web = f.WebClient(app)
    web.login("root")
    response = web.get(url)
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    rows = list(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
    assert known_row in [tuple(row) for row in rows[2:]]  # title row, headers, then the data


def test_a_filtered_reference_export_keeps_only_the_matching_rows(app):
    f.gen_user(R.ADMIN, "root")
    web = f.WebClient(app)
    web.login("root")
    response = web.get("/regionview/export/?_flt_0_level=province")
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
    assert sorted(row[0] for row in rows[2:]) == ["110000", "330000"]
