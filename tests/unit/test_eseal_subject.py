"""A certificate subject in words: every DN attribute the platform may meet, labelled in the
user's language."""
from __future__ import annotations

import pytest
from asn1crypto import x509
from flask_babel import force_locale

from app.services.eseal.subject import name_lines

pytestmark = pytest.mark.parametrize("app", ["sqlite"], indirect=True)

NAME = x509.Name.build({"country_name": "CN", "state_or_province_name": "浙江省", "locality_name": "杭州市",
                        "organization_name": "某某有限公司", "organizational_unit_name": "质量部",
                        "common_name": "张三", "serial_number": "330106199001010011",
                        "organization_identifier": "91330106MA2000003Q"}, use_printable=False)


def test_every_attribute_is_labelled_in_chinese(app):
    with app.test_request_context(), force_locale("zh"):
        assert name_lines(NAME) == [("单位名称", "某某有限公司"), ("通用名称", "张三"), ("统一社会信用代码", "91330106MA2000003Q"),
                                    ("部门", "质量部"), ("主体序列号", "330106199001010011"), ("市", "杭州市"),
                                    ("省份", "浙江省"), ("国家", "中国")]


def test_and_in_english(app):
    with app.test_request_context(), force_locale("en"):
        assert [label for label, _value in name_lines(NAME)] == [
            "Name of the organization", "Common name", "Unified social credit code", "Organizational unit",
            "Subject serial number", "City", "Province", "Country"]


def test_a_common_name_repeating_the_organization_is_shown_once(app):
    name = x509.Name.build({"common_name": "某某有限公司", "organization_name": "某某有限公司"}, use_printable=False)
    with app.test_request_context(), force_locale("zh"):
        assert name_lines(name) == [("单位名称", "某某有限公司")]
