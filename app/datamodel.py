"""A FAB data interface whose list queries stay fast at any page depth.

FAB pages by OFFSET over the fully joined query: at page 2,000 the database joins
~50,000 skipped rows to agency and regions before discarding them (bench/README.md).
Here the page's ids are chosen first on the bare table (filters, order, limit, offset:
an index-only walk with ix_*_status_submitted), then only those rows are loaded with
their joins: one query more, each of them fast on SQLite and PostgreSQL. The count ignores the display joins for the same reason.
"""
from __future__ import annotations

from flask_appbuilder.models.sqla.interface import SQLAInterface


class PagedSQLAInterface(SQLAInterface):
    def _apply_inner_all(self, query, filters=None, order_column="", order_direction="", page=None,
                         page_size=None, select_columns=None, aliases_mapping=None):
        if not page_size or "." in (order_column or "") or self._has_related_filter(filters):
            return super()._apply_inner_all(query, filters, order_column, order_direction, page, page_size,
                                            select_columns, aliases_mapping)
        pk = self.get_pk()
        ids = self.session.query(pk)
        ids = self.apply_filters(ids, self.get_inner_filters(filters))
        ids = self.apply_order_by(ids, order_column, order_direction, add_pk=True)
        # Fetched first, then matched as literals: with the ids as a subquery PostgreSQL
        # joins every row of the eager-loaded relations before matching (bench/README.md).
        page_ids = [row[0] for row in self.apply_pagination(ids, page, page_size).all()]
        query = query.filter(pk.in_(page_ids))
        return super()._apply_inner_all(query, None, order_column, order_direction, None, None,
                                        select_columns, aliases_mapping)

    def get(self, id, filters=None, *args, **kwargs):  # noqa: A002 - FAB's signature
        # An id no table can hold (e.g. 20 digits) is simply not found, not a driver overflow.
        try:
            if not 0 < int(id) < 2**31:
                return None
        except (TypeError, ValueError):
            pass
        return super().get(id, filters, *args, **kwargs)

    def query_count(self, query, filters=None, select_columns=None) -> int:
        return super().query_count(query, filters, None)

    @staticmethod
    def _has_related_filter(filters) -> bool:
        # Filters on a related model's column need that model's join: keep FAB's path.
        return bool(filters) and any("." in (flt.column_name or "") for flt in filters.filters)
