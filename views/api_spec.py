"""The REST APIs' OpenAPI spec (/api/v1/_openapi) made to say what they answer.

FAB generates one generic description per kind of operation; schemathesis against it
(tests/web/test_api_fuzz.py, bench/api_fuzz.py) needs the exact one. FAB-wide corrections
(403 and 422 on protected operations, id types, _info) are in app/fab_patches.py; here,
those that need an API's own columns, and the interchange document's schema.
"""
from __future__ import annotations


class OpenApiSpecMixin:
    """For a FAB ModelRestApi: ``q`` of the list and the export described with this API's columns
    and filters, nullable relations as "null or the related object", no column required in
    the list and show items (``columns`` selects them), plus :meth:`openapi_extra_schemas`."""

    @property
    def list_query_schema_name(self) -> str:
        return f"{self.__class__.__name__}.list_query"

    def list_query_schema(self) -> dict:
        """``q`` of the list and the export, for this API: FAB documents one generic schema for
        every API (any column, any operation); here the columns and operations that exist."""
        from flask_appbuilder.api.schemas import get_list_schema

        search = self._filters.get_search_filters()
        filters = []
        for col in self.search_columns:
            oprs = [flt.arg_name for flt in search.get(col, [])]
            value = self._filter_value_schema(col)
            single = [opr for opr in oprs if opr not in ("in", "not_in")]
            for names, schema in ((single, value), ([o for o in oprs if o not in single], {"type": "array", "items": value})):
                if names:
                    filters.append({"type": "object", "required": ["col", "opr", "value"], "properties": {
                        "col": {"type": "string", "enum": [col]}, "opr": {"type": "string", "enum": names},
                        "value": schema}})
        columns = {"type": "array", "items": {"type": "string", "enum": list(self.list_columns)}}
        properties = dict(get_list_schema["properties"])
        properties.update({"filters": {"type": "array", "items": {"anyOf": filters}}, "columns": columns,
                           "select_columns": columns,
                           "order_column": {"type": "string", "enum": list(self.order_columns)}})
        # FAB answers 400 to both at once.
        return {**get_list_schema, "properties": properties, "not": {"required": ["columns", "select_columns"]}}

    def _filter_value_schema(self, col: str) -> dict:
        """What a filter on ``col`` compares with (PagedSQLAInterface.checked_filter_value)."""
        from flask_appbuilder.api.schemas import get_list_schema

        datamodel = self.datamodel
        if datamodel.is_string(col) or datamodel.is_text(col):
            return {"type": "string"}
        if datamodel.is_boolean(col):
            return {"type": "boolean"}
        if datamodel.is_integer(col):
            return {"type": "integer", "minimum": -(2**31), "maximum": 2**31 - 1}
        if datamodel.is_datetime(col):
            return {"type": "string", "format": "date-time"}
        if datamodel.is_date(col):
            return {"type": "string", "format": "date"}
        return get_list_schema["properties"]["filters"]["items"]["properties"]["value"]

    def operation_helper(self, path=None, operations=None, methods=None, func=None, **kwargs):
        super().operation_helper(path=path, operations=operations, methods=methods, func=func, **kwargs)
        if func.__name__ in ("get_list", "export"):
            for operation in operations.values():
                for parameter in operation.get("parameters", []):
                    if parameter.get("name") == "q" and parameter.get("in") == "query":
                        parameter["content"] = {"application/json": {
                            "schema": {"$ref": f"#/components/schemas/{self.list_query_schema_name}"}}}

    def openapi_extra_schemas(self) -> dict:
        """Further component schemas (name -> JSON schema) the API's docstrings refer to."""
        return {}

    def add_apispec_components(self, api_spec):
        super().add_apispec_components(api_spec)
        api_spec.components.schema(self.list_query_schema_name, self.list_query_schema())
        for name, schema in self.openapi_extra_schemas().items():
            if name not in api_spec.components.schemas:
                api_spec.components.schema(name, schema)
        # FAB describes the add and edit bodies (every column of the model, a USB-Key's key_ref
        # and public key among them) even where no POST or PUT route exists: leave those out.
        for method, name in (("post", self.add_model_schema_name), ("put", self.edit_model_schema_name)):
            if self.include_route_methods is not None and method not in self.include_route_methods:
                api_spec.components.schemas.pop(name, None)
        # apispec writes a nullable nested object (OpenAPI 3.0) as anyOf [any object or null,
        # the object's schema]: any object passes. Say "null or this schema" instead.
        prefix = f"{self.__class__.__name__}."
        for name, schema in api_spec.components.schemas.items():
            if name in (self.list_model_schema_name, self.show_model_schema_name):
                # ``q=(columns:!(...))`` answers only the columns asked for: none is always there.
                schema.pop("required", None)
            if name.startswith(prefix):
                for prop in schema.get("properties", {}).values():
                    options = prop.get("anyOf", [])
                    if len(options) == 2 and options[0] == {"type": "object", "nullable": True} and "$ref" in options[1]:
                        del prop["anyOf"]
                        prop.update({"nullable": True, "allOf": [options[1]]})


def interchange_schemas() -> dict[str, dict]:
    """JSON Schemas of the interchange document (rules.sme.interchange) for the OpenAPI spec:
    ``SmeInterchange`` what PUT accepts (the shape; the rules check the rest and answer 422),
    ``SmeInterchangeExport`` what GET answers (the tables as typed)."""
    from rules.sme.interchange import MAX_COUNT, MAX_YEAR, MIN_ITEM_YEAR
    from rules.sme.model import INSTITUTION_LEVELS, IP_KINDS, RD_FORMS, STANDARD_LEVELS

    def document(count, money, code, year, rank):
        staff = {"type": "object", "additionalProperties": False, "required": ["fulltime", "parttime", "temporary"],
                 "properties": {k: count for k in ("fulltime", "parttime", "temporary")}}

        def items(**properties):
            return {"type": "array", "items": {"type": "object", "additionalProperties": False,
                                               "required": list(properties), "properties": properties}}

        name = {"type": "string"}
        return {
            "type": "object", "additionalProperties": False,
            "required": ["year", "registered_in_mainland", "products_not_prohibited", "credit_ok", "employees",
                         "tech_staff", "sales_revenue", "total_assets", "cost_expenses"],
            "properties": {
                "year": {"type": "integer", "minimum": 0, "maximum": MAX_YEAR},
                "registered_in_mainland": {"type": "boolean"}, "products_not_prohibited": {"type": "boolean"},
                "credit_ok": {"type": "boolean"}, "employees": staff, "tech_staff": staff,
                "sales_revenue": money, "total_assets": money, "cost_expenses": money,
                "rd_projects": items(name=name, form=code(RD_FORMS), amount=money),
                "high_tech_certificate_valid": {"type": "boolean"},
                "national_awards": items(name=name, year=year, rank=rank),
                "rd_institutions": items(name=name, level=code(INSTITUTION_LEVELS)),
                "standards": items(name=name, level=code(STANDARD_LEVELS), year=year, rank=rank),
                "ip": items(name=name, kind=code(IP_KINDS)),
            },
        }

    count = {"type": "integer", "minimum": 0, "maximum": MAX_COUNT}
    money = {"anyOf": [{"type": "number", "minimum": 0},
                       {"type": "string", "pattern": r"^[0-9]+(\.[0-9]{1,4})?$"}]}
    typed = {"anyOf": [{"type": "integer"}, {"type": "string"}]}  # a number, or the text as typed
    return {
        "SmeInterchange": document(count, money, lambda codes: {"type": "string", "enum": list(codes)},
                                   {"type": "integer", "minimum": MIN_ITEM_YEAR, "maximum": MAX_YEAR},
                                   {"type": "integer", "minimum": 1, "maximum": MAX_COUNT}),
        "SmeInterchangeExport": document(typed, {"type": "string"}, lambda codes: {"type": "string"}, typed, typed),
    }
