"""A table page validates its own table only (sme_form.validate(only=...)): the messages it shows
are those the whole validation gives for that table, cross-table checks included."""
from __future__ import annotations

import itertools

from app.services import sme_form as form
from tests import factories as f

INDUSTRIES = {"39": "C", "01": "A"}


def _wrong_everywhere() -> dict:
    """Every table with something wrong: typed values, a row, and each cross check."""
    return f.sme_tables(
        main={"industry_section": "A", "industry_code": "39"},  # not in the chosen category
        entry={"products_ok": "maybe", "credit_ok": ""},
        finance={"sales_revenue": "abc", "total_assets": "-1", "cost_expenses": "10", "net_profit": "x"},
        rd_projects=[{"name": "甲", "number": "1", "form": "nope", "status": "ongoing", "amount": "1.234567"}],
        hr={"fulltime": "10", "parttime": "0", "temporary": "0", "tech_fulltime": "20", "tech_parttime": "0",
            "tech_temporary": "0", "new_hires": "²", "edu_doctor": "1", "edu_master": "1", "edu_bachelor": "1",
            "edu_college": "1", "edu_other": "1"},
        ip=[{"name": "", "kind": "invention_patent", "grant_date": "2025-02-30", "number": "", "acquisition": "x"}],
        standards=[{"name": "标准", "number": "GB 1", "level": "national", "year": "2031", "rank": "1"}],
        institutions=[{"name": "", "level": "bogus"}],
        awards=[{"name": "奖", "level": "national", "year": "2030", "rank": "one"}],
        other={"high_tech_cert": "yes", "high_tech_cert_number": "x" * 201, "high_tech_cert_valid_until": "soon"},
    )


def test_one_table_gets_the_whole_validations_messages_for_it(app):
    cases = itertools.product([_wrong_everywhere(), f.sme_tables(), {}], [None, INDUSTRIES], [False, True])
    with app.test_request_context("/"):
        for data, industries, for_submit in cases:
            whole = form.validate(data, for_submit=for_submit, year=2026, industries=industries)
            for table in form.TABLES:
                mine = {k: v for k, v in whole.items() if k.split(".")[0] in (table.key, table.rows)}
                only = form.validate(data, for_submit=for_submit, year=2026, industries=industries, only=table)
                assert only == mine, (table.key, industries, for_submit)


def test_the_wrong_data_has_a_message_in_every_table(app):
    """Guards the test above: it compares something in each table."""
    with app.test_request_context("/"):
        whole = form.validate(_wrong_everywhere(), for_submit=True, year=2026, industries=INDUSTRIES)
    assert {k.split(".")[0] for k in whole} >= {t.rows or t.key for t in form.TABLES} | {"main", "hr", "other"}
    assert {"main.industry_code", "hr.tech_fulltime", "hr.edu_structure", "standards.0.year", "awards.0.year"} <= set(whole)
