"""REST APIs (FAB ModelRestApi, OpenAPI at /api/v1/_openapi). Read-only, JWT only: a cookie
session is not accepted, so cross-site requests cannot ride on a browser login."""
from __future__ import annotations

from flask import g, request
from flask_appbuilder.api import expose, protect, safe
from flask_babel import lazy_gettext as _l
from app.datamodel import PagedSQLAInterface, ShenbaoModel2SchemaConverter

from app.extensions import db
from app.security.scope import in_scope, scoped_base_filters
from models import CoreInfoChange, EmailChangeRequest, Enterprise, SmeEvaluation
from app.workflows.definitions import CORE_INFO_CHANGE, EMAIL_CHANGE, ENTERPRISE_REGISTRATION, SME_EVALUATION
from views.api_spec import OpenApiSpecMixin, interchange_schemas
from views.exports import ExportableModelRestApi
from views.review import status_formatter

_READ_ONLY = {"get", "get_list", "info", "export"}
# What ``_info`` may answer here: FAB's add/edit form descriptions are left out (see ReadOnlyApi).
_INFO_KEYS = ("permissions", "filters")
# Column labels of the REST lists: the export's headers are the screens' Chinese terms.
_LABELS = {
    "id": "ID", "name": _l("Enterprise name"), "credit_code": _l("Unified social credit code"),
    "legal_rep_name": _l("Legal representative"), "status": _l("Status"), "submitted_at": _l("Submitted at"),
    "approved_at": _l("Approved at"), "agency.name": _l("Evaluation agency"), "province.name": _l("Province"),
    "city.name": _l("City"), "county.name": _l("County"), "enterprise.name": _l("Enterprise name"),
    "decided_at": _l("Decided at"), "enterprise_name": _l("Enterprise name"), "contact_name": _l("Contact name"),
    "new_email": _l("New e-mail address"), "created_at": _l("Submitted at"), "system_number": _l("System number"),
    "year": _l("Year"), "qualified": _l("Qualified"), "total_score": _l("Total score"), "path": _l("Path"),
    "certificate_number": _l("Registration number"),
}


class ReadOnlyApi(OpenApiSpecMixin, ExportableModelRestApi):
    """What every REST API here shares: JWT only, read-only, FAB's JSON with the corrections of
    ShenbaoModel2SchemaConverter, its OpenAPI spec made exact (views/api_spec.py)."""

    allow_browser_login = False
    include_route_methods = _READ_ONLY
    model2schemaconverter = ShenbaoModel2SchemaConverter
    # The export's cell formatters (FAB's REST JSON does not use them); none by default.
    formatters_columns: dict = {}

    def _handle_filters_args(self, rison_args):
        # The values checked (and typed) for their column first: see checked_filter_value.
        filters = rison_args.get("filters") or []
        checked = [{**flt, "value": self.datamodel.checked_filter_value(flt["col"], flt["opr"], flt["value"])}
                   if flt.get("col") in self.search_columns else flt for flt in filters]
        return super()._handle_filters_args({**rison_args, "filters": checked})

    def info_headless(self, **kwargs):
        # FAB's _info also describes the add and edit forms, and for each related column lists
        # the rows of the related model: SmeEvaluationApi's listed every enterprise's name to
        # any applicant. These APIs have no add or edit route: answer permissions and filters.
        rison_args = dict(kwargs.get("rison") or {})
        keys = [key for key in rison_args.get("keys") or _INFO_KEYS if key in _INFO_KEYS] or ["none"]
        return super().info_headless(rison={"keys": keys})


class EnterpriseApi(ReadOnlyApi):
    resource_name = "enterprise"
    datamodel = PagedSQLAInterface(Enterprise)
    base_filters = scoped_base_filters()
    list_columns = ["id", "name", "credit_code", "legal_rep_name", "status", "submitted_at", "approved_at",
                    "agency.name", "province.name", "city.name", "county.name"]
    show_columns = list_columns + ["legal_rep_mobile", "legal_rep_id_type", "registration_authority",
                                   "tax_authority", "tax_collection_mode", "return_reason"]
    search_columns = ["name", "credit_code", "status", "submitted_at"]
    order_columns = ["name", "credit_code", "status", "submitted_at"]
    label_columns = _LABELS
    formatters_columns = {"status": status_formatter(ENTERPRISE_REGISTRATION)}


class MyEnterpriseApi(EnterpriseApi):
    """The applicant's own enterprise (same scope rule: it can only ever be theirs)."""

    resource_name = "my_enterprise"


class CoreChangeApi(ReadOnlyApi):
    resource_name = "core_info_change"
    datamodel = PagedSQLAInterface(CoreInfoChange)
    base_filters = scoped_base_filters()
    list_columns = ["id", "enterprise.name", "status", "submitted_at", "decided_at"]
    show_columns = list_columns + ["data", "before", "return_reason"]
    search_columns = ["status", "submitted_at"]
    label_columns = _LABELS
    formatters_columns = {"status": status_formatter(CORE_INFO_CHANGE)}


class EmailChangeApi(ReadOnlyApi):
    resource_name = "email_change_request"
    datamodel = PagedSQLAInterface(EmailChangeRequest)
    base_filters = scoped_base_filters()
    list_columns = ["id", "credit_code", "enterprise_name", "contact_name", "new_email", "status", "agency.name", "created_at"]
    show_columns = list_columns + ["contact_mobile", "decision_comment"]
    search_columns = ["status", "credit_code"]
    label_columns = _LABELS
    formatters_columns = {"status": status_formatter(EMAIL_CHANGE)}


class SmeEvaluationApi(ReadOnlyApi):
    """Evaluations (scoped); ``/<pk>/interchange`` exports (GET) or imports (PUT, the applicant
    while the materials are editable) the rules' interchange JSON."""

    resource_name = "sme_evaluation"
    datamodel = PagedSQLAInterface(SmeEvaluation)
    include_route_methods = _READ_ONLY | {"export_interchange", "import_interchange"}
    method_permission_name = {"export_interchange": "get", "import_interchange": "put"}

    def openapi_extra_schemas(self) -> dict:
        return interchange_schemas()

    @expose("/<int:pk>/interchange", methods=["GET"])
    @protect()
    @safe
    def export_interchange(self, pk):
        """The evaluation's tables as the rules' interchange document.
        ---
        get:
          description: >-
            The evaluation's tables in the interchange format of ``flask score`` (rules.sme.interchange),
            as typed: a draft may hold text where the rules want numbers.
          parameters:
          - in: path
            name: pk
            required: true
            schema:
              type: integer
          responses:
            200:
              description: The interchange document
              content:
                application/json:
                  schema:
                    $ref: '#/components/schemas/SmeInterchangeExport'
            401:
              $ref: '#/components/responses/401'
            404:
              $ref: '#/components/responses/404'
        """
        from app.services import sme as svc

        record = in_scope(db.session, SmeEvaluation, pk)
        if record is None:
            return self.response_404()
        return self.response(200, **svc.export_interchange(record))

    @expose("/<int:pk>/interchange", methods=["PUT"])
    @protect()
    @safe
    def import_interchange(self, pk):
        """Fill the evaluation's tables from an interchange document and score it.
        ---
        put:
          description: >-
            The applicant's own evaluation, while its materials are editable. The rules validate
            the document first; a refusal names the field (``errors``: field path -> message).
          parameters:
          - in: path
            name: pk
            required: true
            schema:
              type: integer
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  $ref: '#/components/schemas/SmeInterchange'
          responses:
            200:
              description: The self-evaluation result (rules.sme.interchange.result_to_json)
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      result:
                        type: object
                    required: [result]
            401:
              $ref: '#/components/responses/401'
            404:
              $ref: '#/components/responses/404'
            422:
              description: The document is refused, or the materials are not editable
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      message:
                        type: string
                      errors:
                        type: object
                        additionalProperties:
                          type: string
                    required: [message]
        """
        from app.services import sme as svc
        from app.services.errors import ServiceError

        try:
            record = svc.import_interchange(g.user, pk, request.get_json(silent=True))
        except ServiceError as exc:
            if exc.status_code == 404:
                return self.response_404()
            return self.response(exc.status_code, message=exc.message, errors=exc.field_errors)
        return self.response(200, result=record.result)

    base_filters = scoped_base_filters()
    list_columns = ["id", "system_number", "enterprise.name", "year", "status", "qualified", "total_score", "path",
                    "submitted_at", "certificate_number"]
    show_columns = list_columns + ["result", "return_reason"]
    search_columns = ["status", "year", "submitted_at", "certificate_number", "qualified"]
    label_columns = _LABELS
    formatters_columns = {"status": status_formatter(SME_EVALUATION)}
    order_columns = ["system_number", "year", "status", "submitted_at", "total_score"]

