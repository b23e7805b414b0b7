"""A FAB data interface whose list queries stay fast at any page depth.

FAB pages by OFFSET over the fully joined query: at page 2,000 the database joins
~50,000 skipped rows to agency and regions before discarding them (bench/README.md).
Here the page's ids are chosen first on the bare table (filters, order, limit, offset:
an index-only walk with ix_*_status_submitted), then only those rows are loaded with
their joins: one query more, each of them fast on SQLite and PostgreSQL. The count ignores the display joins for the same reason.

Also the REST APIs' model → JSON conversion (ShenbaoModel2SchemaConverter).
"""
from __future__ import annotations

import datetime as dt

from flask_appbuilder.api.convert import Model2SchemaConverter
from flask_appbuilder.exceptions import FABException
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.utils.base import get_column_root_relation, is_column_dotted
from marshmallow import fields
from marshmallow_sqlalchemy import field_for
from sqlalchemy import JSON, BigInteger, func
from sqlalchemy.orm import Load, defer


class InvalidFilterValue(FABException):
    """A REST filter value the column cannot be compared with (FAB's REST lists answer 400)."""


class BoundedIdInterface(SQLAInterface):
    def get(self, id, filters=None, *args, **kwargs):  # noqa: A002 - FAB's signature
        # An id no table can hold (e.g. 20 digits) is simply not found, not a driver overflow.
        try:
            if not 0 < int(id) < 2**31:
                return None
        except (TypeError, ValueError):
            pass
        return super().get(id, filters, *args, **kwargs)


class PagedSQLAInterface(BoundedIdInterface):
    def __init__(self, obj, session=None, *, list_options=()):
        """:param list_options: loader options for the rows of an HTML list page (what a list shows
        needs fewer joins than the model's defaults, which suit a record's own page)."""
        super().__init__(obj, session)
        # Built once per interface, not on every list request. A JSON document (an evaluation's
        # whole form, ~10 KB to decode per row) is loaded only if a formatter reads it.
        deferred_documents = [defer(getattr(obj, column.key)) for column in obj.__table__.columns
                              if isinstance(column.type, JSON) and hasattr(obj, column.key)]
        self.list_options = (*deferred_documents, *list_options)

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
        if not select_columns:
            query = query.options(*self.list_options)
        return super()._apply_inner_all(query, None, order_column, order_direction, None, None,
                                        select_columns, aliases_mapping)

    def apply_inner_select_joins(self, query, select_columns=None, aliases_mapping=None):
        query = super().apply_inner_select_joins(query, select_columns, aliases_mapping)
        if not select_columns:
            return query
        # The columns asked for (REST) and nothing more: FAB joins a related column's model as an
        # entity of its own, and that model's default joined loads came along (an evaluation's
        # enterprise brought its three regions and agency: nine joined rows per listed row).
        # Explicit loads (FAB's contains_eager of the columns asked for) outrank the wildcard.
        related = {get_column_root_relation(c) for c in select_columns if is_column_dotted(c)}
        entities = {self.obj, *(self.get_alias_mapping(name, aliases_mapping) for name in related)}
        return query.options(*(Load(entity).lazyload("*") for entity in entities),
                             *(Load(self.obj).defaultload(getattr(self.obj, name)).lazyload("*") for name in related))

    def apply_all(self, query, filters=None, order_column="", order_direction="", page=None, page_size=None,
                  select_columns=None, outer_default_load=False):
        # FAB joins a related order column (enterprise.name) only when it is also selected:
        # q=(order_column:enterprise.name,select_columns:!(id)) was an SQL error, a 500 (found
        # by schemathesis). Selecting it loads one column more; the answer keeps the columns asked.
        if select_columns and "." in (order_column or "") and order_column not in select_columns:
            select_columns = [*select_columns, order_column]
        return super().apply_all(query, filters, order_column, order_direction, page, page_size, select_columns,
                                 outer_default_load)

    def query_count(self, query, filters=None, select_columns=None) -> int:
        if self._has_related_filter(filters):
            return super().query_count(query, filters, None)
        # count(id) over the filtered table, not count(*) over a subquery of the whole entity.
        counted = self.apply_filters(self.session.query(func.count(self.get_pk())), self.get_inner_filters(filters))
        return counted.scalar()

    def checked_filter_value(self, column: str, opr: str, value):
        """A REST filter's value (``q=(filters:!((col:..,opr:..,value:..)))``) as FAB's filters can
        use it on this column, or :class:`InvalidFilterValue` (a 400).

        FAB passes the value on as the client typed it: a number to "starts with" or a single
        value to "in" raised TypeError, 20 digits overflowed the driver, and on PostgreSQL a
        number against a text column, a word against a boolean or a NUL character were SQL
        errors: 500s, found by schemathesis. Numbers for a text column become text.
        """
        if opr in ("in", "not_in"):
            if not isinstance(value, list):
                raise InvalidFilterValue(f"Filter {column} {opr}: the value must be a list")
            return [self._checked_scalar(column, opr, item) for item in value]
        return self._checked_scalar(column, opr, value)

    def _checked_scalar(self, column: str, opr: str, value):
        def refuse(why: str):
            raise InvalidFilterValue(f"Filter {column} {opr}: {why}")

        if isinstance(value, (list, dict)):
            refuse("the value must be a single value")
        if isinstance(value, str) and "\x00" in value:
            refuse("the value must not contain NUL")
        if self.is_string(column) or self.is_text(column):
            if isinstance(value, bool):
                refuse("the value must be text")
            return value if isinstance(value, str) else str(value)
        if self.is_boolean(column):
            if isinstance(value, bool):
                return value
            if value in ("y", "n"):  # FAB's own spelling of true (its filters read "y")
                return value == "y"
            refuse("the value must be true or false")
        if self.is_integer(column):
            try:
                number = int(value) if not isinstance(value, (bool, float)) or float(value).is_integer() else None
            except (TypeError, ValueError, OverflowError):
                number = None
            if number is None or isinstance(value, bool):
                refuse("the value must be an integer")
            bits = 63 if isinstance(self.list_columns[column].type, BigInteger) else 31
            if not -(2**bits) <= number < 2**bits:
                refuse("the value is out of range")
            return number
        return value

    @staticmethod
    def _has_related_filter(filters) -> bool:
        # Filters on a related model's column need that model's join: keep FAB's path.
        return bool(filters) and any("." in (flt.column_name or "") for flt in filters.filters)


class UtcDateTime(fields.DateTime):
    """Timestamps are stored as naive UTC (models.base.utcnow): say so on the wire, as RFC 3339
    (and the OpenAPI ``date-time`` format) requires: ``2026-11-23T08:44:40+00:00``."""

    def _serialize(self, value, attr, obj, **kwargs):
        if isinstance(value, dt.datetime) and value.tzinfo is None:
            value = value.replace(tzinfo=dt.timezone.utc)
        return super()._serialize(value, attr, obj, **kwargs)


class ShenbaoModel2SchemaConverter(Model2SchemaConverter):
    """FAB's model → marshmallow conversion for the REST APIs, with two corrections found by
    schemathesis (tests/web/test_api_fuzz.py):

    - a nested many-to-one whose foreign key may be NULL (an enterprise's agency before it
      is submitted) is dumped as ``null``; FAB declares it not nullable, so the spec said an
      object was always there;
    - timestamps carry their UTC offset (:class:`UtcDateTime`);
    - exact decimals (money) are documented as the text they are sent as.
    """

    def _column2relation(self, datamodel, column, nested=False, parent_schema_name=None):
        field = super()._column2relation(datamodel, column, nested=nested, parent_schema_name=parent_schema_name)
        if nested and not field.required and not getattr(field, "many", False):
            field.allow_none = True
        return field

    def _column2field(self, datamodel, column, nested=True, parent_schema_name=None):
        field = super()._column2field(datamodel, column, nested=nested, parent_schema_name=parent_schema_name)
        if isinstance(field, fields.Decimal):
            # Money (Numeric) goes out exact, as text ("1000.00", Flask's JSON writes a Decimal so);
            # apispec documented a number.
            field.as_string = True
            field.metadata = {**field.metadata, "type": "string", "pattern": r"^-?[0-9]+(\.[0-9]+)?$"}
        if type(field) is fields.DateTime:
            unique = getattr(field, "unique", False)
            field = field_for(datamodel.obj, column.name, field_class=UtcDateTime)
            field.unique = unique
        return field
