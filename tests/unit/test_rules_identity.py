"""Unit tests for rules.credit_code and rules.id_number."""

from datetime import date

import pytest

from rules import RuleViolation
from rules.credit_code import (
    CREDIT_CODE_ALPHABET,
    CREDIT_CODE_WEIGHTS,
    credit_code_check_char,
    make_credit_code,
    validate_credit_code,
)
from rules.id_number import id_check_char, validate_id_number

TODAY = date(2024, 6, 1)


# --------------------------------------------------------------------------
# RuleViolation
# --------------------------------------------------------------------------


def test_rule_violation_is_frozen_and_has_message():
    v = RuleViolation("password.length", {"min": 6, "max": 12})
    assert v.default_message == "The password must be 6 to 12 characters long."
    with pytest.raises(AttributeError):
        v.code = "x"  # type: ignore[misc]
    assert RuleViolation("x").params == {}
    assert RuleViolation("unknown.code").default_message == "unknown.code"


# --------------------------------------------------------------------------
# Unified social credit code
# --------------------------------------------------------------------------


def test_alphabet_and_weights():
    assert len(CREDIT_CODE_ALPHABET) == 31
    assert not set("IOSVZ") & set(CREDIT_CODE_ALPHABET)
    assert CREDIT_CODE_WEIGHTS == tuple(pow(3, i, 31) for i in range(17))


def test_hand_computed_check_char():
    # 91330100MA27ABCD1: values 9,1,3,3,0,1,0,0,21,10,2,7,10,11,12,13,1
    # weighted sum = 1879; 1879 mod 31 = 19; (31 - 19) mod 31 = 12 -> "C"
    assert credit_code_check_char("91330100MA27ABCD1") == "C"
    assert make_credit_code("91330100MA27ABCD1") == "91330100MA27ABCD1C"


@pytest.mark.parametrize(
    "code",
    [
        "N2330104MA0123456U",  # letter-initial (rejected by python-stdnum)
        "Y1110000MA1234567K",  # letter-initial (rejected by python-stdnum)
        "91330100MA27ABCD1C",  # hand-computed above
        "91350100M000100Y43",  # published GB 32100 example
    ],
)
def test_valid_credit_codes(code):
    assert validate_credit_code(code) is None


@pytest.mark.parametrize(
    "code, expected",
    [
        ("", "credit_code.required"),
        (None, "credit_code.required"),
        ("   ", "credit_code.required"),
        ("91330100ma27abcd1c", "credit_code.lowercase"),
        ("n2330104MA0123456U", "credit_code.lowercase"),
        ("91330100MA27ABCD1", "credit_code.length"),
        ("91330100MA27ABCD1C0", "credit_code.length"),
        ("91330100MA27ABCD1I", "credit_code.charset"),
        ("91330100MA27ABCDOC", "credit_code.charset"),
        ("91330100MA27ABCDZC", "credit_code.charset"),
        ("91330100MA27ABCDSC", "credit_code.charset"),
        ("91330100MA27ABCDVC", "credit_code.charset"),
        ("91330100MA27ABC-1C", "credit_code.charset"),
        ("91330100MA27ABCD1D", "credit_code.check"),
        ("N2330104MA0123456V", "credit_code.charset"),
        ("N2330104MA0123456T", "credit_code.check"),
        ("Y1110000MA1234567J", "credit_code.check"),
        ("91350100M000100Y44", "credit_code.check"),
    ],
)
def test_invalid_credit_codes(code, expected):
    violation = validate_credit_code(code)
    assert isinstance(violation, RuleViolation)
    assert violation.code == expected
    assert violation.default_message


def test_lowercase_not_silently_uppercased():
    # The uppercase form is valid, yet the lowercase input must be rejected.
    assert validate_credit_code("N2330104MA0123456U") is None
    assert validate_credit_code("N2330104ma0123456U").code == "credit_code.lowercase"


def test_charset_violation_reports_char_and_position():
    violation = validate_credit_code("91330100MA27ABCDOC")
    assert violation.params == {"char": "O", "position": 17}


@pytest.mark.parametrize("bad", ["91330100MA27ABCD", "91330100MA27ABCDO", "9133010OMA27ABCD1"])
def test_check_char_rejects_malformed_input(bad):
    with pytest.raises(ValueError):
        credit_code_check_char(bad)


@pytest.mark.parametrize(
    "first17",
    ["91330100MA27ABCD1", "N2330104MA0123456", "12100000400000000", "Y1110000MA1234567"],
)
def test_make_credit_code_roundtrip(first17):
    code = make_credit_code(first17)
    assert len(code) == 18
    assert validate_credit_code(code) is None


# --------------------------------------------------------------------------
# ID card / passport
# --------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["360426199101010071", "34052419800101001X"])
def test_valid_id_cards(value):
    assert validate_id_number("id_card", value, today=TODAY) is None


def test_id_check_char():
    assert id_check_char("36042619910101007") == "1"
    assert id_check_char("34052419800101001") == "X"
    with pytest.raises(ValueError):
        id_check_char("3404261991010100")


@pytest.mark.parametrize(
    "value, expected",
    [
        ("", "id_number.required"),
        (None, "id_number.required"),
        ("36042619910101007", "id_number.length"),
        ("3604261991010100710", "id_number.length"),
        ("360426199101010072", "id_number.check"),
        ("34052419800101001 ", "id_number.format"),
        ("340524198001010010", "id_number.check"),
        ("34052419800101001x", "id_number.lowercase_x"),
        ("3604261991010100A1", "id_number.format"),
        ("36042619910101007Y", "id_number.format"),
        ("360426199102300071", "id_number.birth_date"),  # 1991-02-30
        ("360426199113010071", "id_number.birth_date"),  # month 13
        ("360426202501010071", "id_number.birth_date"),  # after TODAY
        ("360426189912310071", "id_number.birth_date"),  # before 1900
    ],
)
def test_invalid_id_cards(value, expected):
    violation = validate_id_number("id_card", value, today=TODAY)
    assert isinstance(violation, RuleViolation)
    assert violation.code == expected


def test_future_birth_date_reason_and_boundary():
    first17 = "36042620240601007"
    on_today = first17 + id_check_char(first17)
    assert validate_id_number("id_card", on_today, today=TODAY) is None
    first17 = "36042620240602007"
    tomorrow = first17 + id_check_char(first17)
    violation = validate_id_number("id_card", tomorrow, today=TODAY)
    assert violation == RuleViolation("id_number.birth_date", {"reason": "future"})


def test_bad_date_reason():
    violation = validate_id_number("id_card", "360426199102300071", today=TODAY)
    assert violation.params == {"reason": "invalid"}


def test_today_defaults_to_real_date():
    assert validate_id_number("id_card", "360426199101010071") is None
    first17 = f"360426{date.today().year + 1}0101007"
    future = first17 + id_check_char(first17)
    assert validate_id_number("id_card", future).code == "id_number.birth_date"


@pytest.mark.parametrize("value", ["E12345678", "G1234", "AB1234567890CDEFGHIJ", "ea1234567"])
def test_valid_passports(value):
    assert validate_id_number("passport", value) is None


@pytest.mark.parametrize(
    "value, expected",
    [
        ("", "id_number.required"),
        ("G123", "id_number.passport_format"),
        ("AB1234567890CDEFGHIJK", "id_number.passport_format"),
        ("E1234-5678", "id_number.passport_format"),
        ("E1234 5678", "id_number.passport_format"),
        ("护照12345", "id_number.passport_format"),
    ],
)
def test_invalid_passports(value, expected):
    violation = validate_id_number("passport", value)
    assert violation is not None and violation.code == expected


def test_passport_violation_params():
    violation = validate_id_number("passport", "G12")
    assert violation.params == {"min": 5, "max": 20}
    assert violation.default_message == "The passport number must be 5 to 20 letters or digits."


@pytest.mark.parametrize("id_type", ["", "driver_license", "ID_CARD"])
def test_unknown_id_type(id_type):
    violation = validate_id_number(id_type, "360426199101010071")
    assert violation == RuleViolation("id_number.type", {"id_type": id_type})
