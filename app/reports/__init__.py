"""Managers' reports: Excel export of any list, statistics workbooks, imports."""
