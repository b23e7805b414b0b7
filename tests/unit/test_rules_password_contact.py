"""Unit tests for rules.password and rules.contact."""

import pytest

from rules.contact import validate_email, validate_mobile, validate_sms_code
from rules.password import PASSWORD_MAX, PASSWORD_MIN, validate_password


# --------------------------------------------------------------------------
# Password
# --------------------------------------------------------------------------


def test_password_limits():
    assert (PASSWORD_MIN, PASSWORD_MAX) == (6, 12)


@pytest.mark.parametrize(
    "pw",
    ["abc123", "a1b2c3d4e5f6", "ABCDE1", "1abcde", "Passw0rd"],
)
def test_valid_passwords(pw):
    assert validate_password(pw) is None


@pytest.mark.parametrize(
    "pw, expected",
    [
        ("", "password.length"),
        (None, "password.length"),
        ("abc12", "password.length"),  # 5
        ("abcdef1234567", "password.length"),  # 13
        ("abcdef", "password.needs_letter_and_digit"),
        ("abcdefghijkl", "password.needs_letter_and_digit"),
        ("123456", "password.needs_letter_and_digit"),
        ("abc12!", "password.charset"),
        ("abc 123", "password.charset"),
        ("abc12三", "password.charset"),
        ("abc12３", "password.charset"),  # full-width digit is not ASCII
        ("!!!!!!", "password.charset"),
    ],
)
def test_invalid_passwords(pw, expected):
    violation = validate_password(pw)
    assert violation is not None and violation.code == expected


def test_password_length_params():
    violation = validate_password("a1")
    assert violation.params == {"min": 6, "max": 12}
    assert violation.default_message == "The password must be 6 to 12 characters long."


# --------------------------------------------------------------------------
# Mobile
# --------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["13800138000", "19912345678", "10000000000"])
def test_valid_mobiles(value):
    assert validate_mobile(value) is None


@pytest.mark.parametrize(
    "value, expected",
    [
        ("", "mobile.required"),
        (None, "mobile.required"),
        ("1380013800", "mobile.format"),  # 10 digits
        ("138001380001", "mobile.format"),  # 12 digits
        ("23800138000", "mobile.format"),  # starts with 2
        ("1380013800a", "mobile.format"),
        ("138 0013 800", "mobile.format"),
        ("+8613800138", "mobile.format"),
        ("１3800138000", "mobile.format"),  # full-width digit
    ],
)
def test_invalid_mobiles(value, expected):
    violation = validate_mobile(value)
    assert violation is not None and violation.code == expected


# --------------------------------------------------------------------------
# Email
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["user@example.com", "first.last+tag@mail.example.com.cn", "a@b.co", "张三@例子.中国"],
)
def test_valid_emails(value):
    assert validate_email(value) is None


@pytest.mark.parametrize(
    "value, expected",
    [
        ("", "email.required"),
        (None, "email.required"),
        ("userexample.com", "email.format"),
        ("user@@example.com", "email.format"),
        ("a@b@example.com", "email.format"),
        ("@example.com", "email.format"),
        ("user@localhost", "email.format"),
        ("user@", "email.format"),
        ("us er@example.com", "email.format"),
        ("user@example.com ", "email.format"),
        ("user@.example.com", "email.format"),
        ("user@example..com", "email.format"),
        ("user@example.com.", "email.format"),
        ("a" * 243 + "@example.com", "email.format"),  # 255 chars
    ],
)
def test_invalid_emails(value, expected):
    violation = validate_email(value)
    assert violation is not None and violation.code == expected


def test_email_length_boundary():
    assert validate_email("a" * 242 + "@example.com") is None  # 254 chars


# --------------------------------------------------------------------------
# SMS code
# --------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["000000", "123456"])
def test_valid_sms_codes(value):
    assert validate_sms_code(value) is None


@pytest.mark.parametrize("value", ["", None, "12345", "1234567", "12345a", "12 345", "１23456"])
def test_invalid_sms_codes(value):
    violation = validate_sms_code(value)
    assert violation is not None and violation.code == "sms_code.format"
    assert violation.default_message == "The SMS verification code must be exactly 6 digits."
