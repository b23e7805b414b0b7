"""Small, measured adjustments to Flask-AppBuilder internals, applied once at start-up.

Each names the FAB behaviour it changes and the figure or finding that justified it
(bench/results/list_pages-*.md; schemathesis, tests/web/test_api_fuzz.py).
"""
from __future__ import annotations

import re

import jsonschema
from flask import request
from jsonschema.exceptions import best_match


class _CachedJsonSchema:
    """Stands in for the ``jsonschema`` module inside ``flask_appbuilder.api``.

    FAB's ``@rison`` decorator calls ``jsonschema.validate(instance, schema)`` on every
    REST request, which re-checks the (constant) schema itself each time: ~4.6 ms per
    call here. Keep one validator per schema object; errors are the same exceptions.
    """

    ValidationError = jsonschema.ValidationError

    def __init__(self) -> None:
        self._validators: dict[int, tuple[dict, object]] = {}

    def validate(self, instance, schema) -> None:
        entry = self._validators.get(id(schema))
        if entry is None or entry[0] is not schema:
            cls = jsonschema.validators.validator_for(schema)
            cls.check_schema(schema)
            entry = (schema, cls(schema))
            self._validators[id(schema)] = entry
        error = best_match(entry[1].iter_errors(instance))
        if error is not None:
            raise error


class _StrictPrison:
    """Stands in for the ``prison`` module inside ``flask_appbuilder.api``.

    FAB's ``@rison`` decorator turns ``prison.ParserException`` into a 400 (after trying the
    argument as JSON), but prison raises other errors on some malformed input, e.g.
    ``ValueError`` for ``q=-2.1e`` (a number cut after its exponent mark), and those became
    500s (found by schemathesis). Every failure to parse is a ParserException here.
    """

    def __init__(self) -> None:
        import prison

        self._prison = prison
        self.decoder = prison.decoder

    def __getattr__(self, name):
        return getattr(self._prison, name)

    def loads(self, value, *args, **kwargs):
        try:
            return self._prison.loads(value, *args, **kwargs)
        except self._prison.decoder.ParserException:
            raise
        except (ValueError, TypeError, IndexError, KeyError, RecursionError) as exc:
            raise self._prison.decoder.ParserException(f"invalid rison: {exc}") from None


class _DecodedQueryString:
    """Stands in for the ``urllib`` module inside ``flask_appbuilder.api``.

    When ``q`` is not rison, FAB reads it as JSON, but first runs the already URL-decoded
    value through ``urllib.parse.parse_qs`` again: a ``&`` in a string cut the JSON (400), a
    ``+`` became a space and ``%41`` an ``A`` (a filter on "a+b" searched "a b"). Found by
    schemathesis, whose JSON values have such characters. ``parse_qs`` here keeps the value.
    """

    class parse:  # noqa: N801 - mirrors urllib.parse
        @staticmethod
        def parse_qs(query: str, *args, **kwargs) -> dict[str, list[str]]:
            name, _, value = query.partition("=")
            return {name: [value]}


# --- OpenAPI spec (/api/v1/_openapi) ---------------------------------------------------
# FAB's own operation docs disagree with what FAB answers; schemathesis (bench/api_fuzz.py)
# flagged each of these. Only the spec changes here, never a response.
_ERROR_REFS = {
    # @protect answers 403 when the role lacks the permission.
    "403": {"$ref": "#/components/responses/403"},
    # flask-jwt-extended answers 422 for a token it cannot use (wrong type, not a JWT).
    "422": {"$ref": "#/components/responses/422"},
}


def _pk_schema(api) -> dict | None:
    datamodel = getattr(api, "datamodel", None)
    try:
        python_type = datamodel.obj.__mapper__.primary_key[0].type.python_type
    except (AttributeError, IndexError, NotImplementedError):
        return None
    return {"type": "integer"} if python_type is int else None


def correct_operation(api, name: str, operation: dict) -> None:
    """Make one generated operation say what FAB really answers."""
    responses = operation.get("responses")
    if not responses:
        return
    # Docstring YAML gives the status codes as int keys, apispec's own as strings.
    if operation.get("security"):
        for code, ref in _ERROR_REFS.items():
            if code not in responses and int(code) not in responses:
                responses[code] = ref
    ok = responses.get(200) or responses.get("200") or {}
    body = ok.get("content", {}).get("application/json", {}).get("schema", {})
    properties = body.get("properties", {})
    pk = _pk_schema(api)
    if pk and name == "get_list" and "ids" in properties:
        properties["ids"]["items"] = pk  # documented as strings; FAB returns the primary keys
    if pk and name == "get" and "id" in properties:
        properties["id"] = {**properties["id"], **pk}
    if name == "info":
        for key in ("add_columns", "edit_columns"):  # documented as objects; FAB returns lists of fields
            if key in properties:
                properties[key] = {"type": "array", "items": {"type": "object"}}


def _bound_pages() -> None:
    """FAB's ``q`` schema lets ``page`` be any integer; FAB multiplies it by the page size into
    an OFFSET: ``page:-1`` is a PostgreSQL error and ``page:99999999999999999999`` overflows
    either driver (500s, seen while reading what schemathesis may send). FAB's own
    validation now answers 400 for those, and the spec says so."""
    from flask_appbuilder.api.schemas import get_list_schema

    get_list_schema["properties"]["page"].update({"minimum": 0, "maximum": 2**31 - 1})


# The largest page FAB's own page-size menu offers (25, 50, 75, 100). A list action (bulk PDF,
# bulk decisions) gets the ticked rows of one page, so this also bounds what one action asks for.
PAGE_SIZE_MAX = 100


def _int_list_args(pattern: str, low: int, high: int) -> dict[str, int]:
    values = {}
    for arg in request.args:
        match = re.findall(pattern, arg)
        if not match:
            continue
        try:
            values[match[0]] = min(max(int(request.args.get(arg)), low), high)
        except (TypeError, ValueError):
            continue  # not a number: the view's default, as if the argument were absent
    return values


def page_args() -> dict[str, int]:
    return _int_list_args("page_(.*)", 0, 2**31 - 1)


def page_size_args() -> dict[str, int]:
    return _int_list_args("psize_(.*)", 1, PAGE_SIZE_MAX)


def _bound_list_args() -> None:
    """FAB's HTML lists read ``_page_<View>`` and ``_psize_<View>`` with a bare ``int()``: a
    non-number was a 500, a negative page a PostgreSQL error (500), a page past 2**63 an overflow
    (500), and any page size was served (``_psize_=100000``: every row of a 100,000-row list in
    one page). Same names and meaning, but a non-number is ignored and the values are bounded."""
    import flask_appbuilder.baseviews as baseviews
    import flask_appbuilder.urltools as urltools
    import flask_appbuilder.views as views

    for module in (urltools, baseviews, views):
        module.get_page_args = page_args
        module.get_page_size_args = page_size_args


def _order_by_listed_columns_only() -> None:
    """FAB orders an HTML list by whatever ``_oc_<View>`` names: a column that does not exist was
    a 500, and one the view does not offer (a hidden column) would let the order reveal it. Such
    an order is ignored: the view's default order applies."""
    from flask_appbuilder.baseviews import BaseCRUDView

    original = BaseCRUDView._get_list_widget

    def _get_list_widget(self, filters, actions=None, order_column="", order_direction="", *args, **kwargs):
        if order_column and order_column not in (self.order_columns or ()):
            order_column, order_direction = "", ""
        return original(self, filters, actions, order_column, order_direction, *args, **kwargs)

    BaseCRUDView._get_list_widget = _get_list_widget


def _correct_openapi(fab_api) -> None:
    original = fab_api.BaseApi.operation_helper

    def operation_helper(self, path=None, operations=None, methods=None, func=None, **kwargs):
        original(self, path=path, operations=operations, methods=methods, func=func, **kwargs)
        for operation in (operations or {}).values():
            correct_operation(self, func.__name__, operation)

    fab_api.BaseApi.operation_helper = operation_helper


def _cache_filter_conversion() -> None:
    """FAB builds a ``Filters`` object several times per list request (search, base and inner
    filters), and each one converts every column of the model into filter instances again
    (~120 conversions, 15 % of a REST list's CPU in bench/load/profile_requests.py). The
    result depends only on the converter, the model interface and the columns, so keep it per
    interface. FAB already shares filter instances across requests (a view's ``_filters``);
    callers get fresh dict and lists, because ``Filters.__init__`` extends them in place."""
    import weakref

    from flask_appbuilder.models.filters import Filters

    original = Filters._get_filters
    cache: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def _get_filters(self, cols):
        per_model = cache.setdefault(self.datamodel, {})
        key = (self.filter_converter, tuple(cols))
        filters = per_model.get(key)
        if filters is None:
            filters = per_model[key] = original(self, cols)
        return {col: list(items) for col, items in filters.items()}

    Filters._get_filters = _get_filters


def _reuse_relation_aliases() -> None:
    """FAB joins a dotted list column (``enterprise.name``) through ``aliased(Model,
    name=relation)``, a new alias on every request: building it was ~15 % of a REST list's CPU
    (py-spy). An alias is immutable and this one always means the same model under the same
    name, so one per (model, name) serves every request and thread; other calls are FAB's own."""
    from flask_appbuilder.models.sqla import interface
    from sqlalchemy.orm import aliased

    aliases: dict = {}

    def shared_alias(element, alias=None, name=None, **kwargs):
        if alias is not None or kwargs or name is None:
            return aliased(element, alias, name, **kwargs)
        key = (element, name)
        made = aliases.get(key)
        if made is None:
            made = aliases[key] = aliased(element, name=name)
        return made

    interface.aliased = shared_alias


# --- HTML routes every ModelView inherits ------------------------------------------------
# A scripted attack over every role and route found these answering 500 (tests/web/test_fab_routes_web.py).

def _in_scope_or_404(view, pk):
    """The record ``pk`` of ``view`` through its base filters (the row scope), else 404: FAB's
    actions read the record without them."""
    from flask import abort

    try:
        item = view.datamodel.get(view._deserialize_pk_if_composite(pk), view._base_filters)
    except (ValueError, TypeError, LookupError):
        item = None
    if item is None:
        abort(404)
    return item


def _checked_actions() -> None:
    """FAB's ``/action/<name>/<pk>`` and ``/action_post`` look the action up before any access
    check: an unknown name was an AttributeError (a 500) for anyone holding a CSRF token, anonymous
    visitors included. Unknown: 404. Known and allowed: the records come through the view's base
    filters (FAB passed any record, or None for a missing one). Refusals stay FAB's."""
    import functools

    from flask import abort, request
    from flask_appbuilder.views import ModelView

    original_action, original_post = ModelView.action, ModelView.action_post

    def allowed(view, name: str) -> bool:
        if name not in view.actions:
            abort(404)
        return view.is_get_mutation_allowed() and view.appbuilder.sm.has_access(
            view.get_action_permission_name(name), view.class_permission_name)

    @functools.wraps(original_action)
    def action(self, name, pk):
        if not allowed(self, name):
            return original_action(self, name, pk)
        return self.actions[name].func(_in_scope_or_404(self, pk))

    @functools.wraps(original_post)
    def action_post(self):
        name = request.form.get("action", "")
        if not allowed(self, name):
            return original_post(self)
        return self.actions[name].func([_in_scope_or_404(self, pk) for pk in request.form.getlist("rowid")])

    ModelView.action, ModelView.action_post = action, action_post


def _download_needs_an_upload_folder() -> None:
    """FAB's ``/download/<filename>`` serves FileColumn uploads from UPLOAD_FOLDER. No model here
    has one and the setting is unset: a KeyError, a 500 for every role with a list (applicants'
    /my-enterprise/ip/download/x included). No folder, or no such file: 404."""
    import functools
    import os

    from flask import abort, current_app
    from flask_appbuilder.views import ModelView
    from werkzeug.security import safe_join

    original = ModelView.download

    @functools.wraps(original)
    def download(self, filename):
        folder = current_app.config.get("UPLOAD_FOLDER")
        path = safe_join(folder, filename) if folder else None
        if path is None or not os.path.isfile(path):
            abort(404)
        return original(self, filename)

    ModelView.download = download


def _chart_group_by_in_range() -> None:
    """FAB's ``/chart/<group_by>`` (the admin's user statistics) turns ``group_by`` into an index
    of its chart definitions: ``x`` was a ValueError, ``9`` an IndexError (500s). Not one: 404."""
    import functools

    from flask import abort
    from flask_appbuilder.charts.views import GroupByChartView

    original = GroupByChartView.chart

    @functools.wraps(original)
    def chart(self, group_by=0):
        if not str(group_by).isdigit() or int(group_by) >= len(self.definitions):
            abort(404)
        return original(self, group_by)

    GroupByChartView.chart = chart


_applied = False


# --- Role names as people read them -------------------------------------------------------
# A role's name is its identifier (app.security.roles); the user and group screens print the
# role itself, which FAB's model prints as that identifier ("AgencyReviewer").

def _roles_by_label() -> None:
    from flask_appbuilder.security.sqla.models import Role

    from app.security.roles import role_label

    # A list of roles prints its items' repr: both read the label.
    Role.__str__ = Role.__repr__ = lambda self: role_label(self.name)


def _user_statistics_in_the_users_language() -> None:
    """FAB names its two user charts in plain English strings: the same names, translatable."""
    from flask_appbuilder.security.views import UserStatsChartView
    from flask_babel import lazy_gettext

    UserStatsChartView.definitions = [
        {"label": lazy_gettext("Login count"), "group": "username", "series": ["login_count"]},
        {"label": lazy_gettext("Failed login count"), "group": "username", "series": ["fail_login_count"]},
    ]


def _labels_for_unnamed_columns() -> None:
    """FAB's own screens (users, groups, user statistics) and any view that leaves a column
    unnamed get the column's translated label (views.screen_text), not FAB's English
    prettified name ("Login Count")."""
    from flask_appbuilder.baseviews import BaseModelView

    from views.screen_text import COMMON_LABELS

    prettified = BaseModelView._gen_labels_columns

    def _gen_labels_columns(self, list_columns):
        labels = dict(self.label_columns or {})
        for column in list_columns:
            if not labels.get(column) and column in COMMON_LABELS:
                labels[column] = COMMON_LABELS[column]
        self.label_columns = labels
        prettified(self, list_columns)

    BaseModelView._gen_labels_columns = _gen_labels_columns


def apply() -> None:
    global _applied
    if _applied:
        return
    import flask_appbuilder.api as fab_api

    fab_api.jsonschema = _CachedJsonSchema()
    fab_api.prison = _StrictPrison()
    fab_api.urllib = _DecodedQueryString()
    _correct_openapi(fab_api)
    _bound_pages()
    _bound_list_args()
    _order_by_listed_columns_only()
    _cache_filter_conversion()
    _reuse_relation_aliases()
    _checked_actions()
    _download_needs_an_upload_folder()
    _chart_group_by_in_range()
    _roles_by_label()
    _labels_for_unnamed_columns()
    _user_statistics_in_the_users_language()
    _applied = True
