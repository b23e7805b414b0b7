"""Quality benchmark screens: the applicant's entry page and organization filing, the
association's filing review, activities and recommending units."""
from __future__ import annotations

from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.datamodel import PagedSQLAInterface
from app.extensions import db
from app.security.scope import scoped_base_filters
from app.services import filing as svc
from app.services.errors import ServiceError
from app.storage import allowed_label, max_megabytes_label
from app.workflows.definitions import BENCHMARK_ACTIVITY, ORGANIZATION_FILING
from models import Activity, EconomicType, Industry, OrganizationFiling, RecommendingUnit, Region
from views.reference_choices import region_children
from views.review import ReviewMixin, _attachment_link, status_formatter
from views.exports import ExportableModelView


def filing_status(status: str) -> str:
    return ORGANIZATION_FILING.state_label(status)


class FilingSelfView(BaseView):
    route_base = "/benchmark"
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        filings = svc.list_for(g.user)
        return self.render_template("shenbao/benchmark/entry.html", activities=svc.open_activities(),
                                    filings=filings, filing_status=filing_status,
                                    filed_once=any(f.approved_at and f.status != "cancelled" for f in filings))

    @expose("/filing/new", methods=["POST"])
    @has_access
    def new_filing(self):
        try:
            year = int(request.form.get("year") or 0)
            if not 2000 <= year <= 2100:
                raise ValueError
        except ValueError:
            flash(_("Please choose the activity year."), "danger")
            return redirect(url_for("FilingSelfView.index"))
        filing = svc.create(g.user, year)
        return redirect(url_for("FilingSelfView.filing", filing_id=filing.id))

    @expose("/filing/<int:filing_id>", methods=["GET", "POST"])
    @has_access
    def filing(self, filing_id):
        try:
            filing = svc.own(g.user, filing_id)
        except ServiceError:
            abort(404)
        errors: dict[str, str] = {}
        if request.method == "POST":
            op = request.form.get("op", "save")
            try:
                if op == "update":
                    svc.start_update(g.user, filing.id, request.form.get("year"))
                    flash(_("Add the economic data of the new years and file the update; the association reviews "
                            "it. The organization stays filed."), "success")
                    return redirect(url_for("FilingSelfView.filing", filing_id=filing.id))
                if op == "cancel":
                    svc.cancel(g.user, filing.id)
                    flash(_("The filing was cancelled."), "success")
                    return redirect(url_for("FilingSelfView.index"))
                years = [{"year": str(y), **{n: (request.form.get(f"y{y}_{n}") or "").strip() for n in svc.YEAR_FIELDS}}
                         for y in svc.required_years(filing.for_year)]
                filing, errors = svc.save(g.user, filing.id, request.form, years)
                licence = request.files.get("licence")
                if licence is not None and licence.filename:
                    svc.attach_licence(g.user, filing.id, licence.stream, licence.filename)
                for y in svc.required_years(filing.for_year):
                    proof = request.files.get(f"y{y}_proof_file")
                    if proof is not None and proof.filename:
                        svc.attach_year_proof(g.user, filing.id, y, proof.stream, proof.filename)
                if op == "file":
                    svc.file(g.user, filing.id)
                    flash(_("Filed. The association will review the filing."), "success")
                    return redirect(url_for("FilingSelfView.filing", filing_id=filing.id))
                flash(_("Saved. Some fields still need attention.") if errors else _("Saved successfully."),
                      "warning" if errors else "success")
            except ServiceError as exc:
                errors = {**errors, **exc.field_errors}
                flash(exc.message, "danger")
            filing = svc.own(g.user, filing_id)
        draft = filing.draft or {}
        return self.render_template(
            "shenbao/benchmark/filing.html", filing=filing, draft=draft, errors=errors,
            years={str(r.get("year")): r for r in draft.get("economic_years") or []},
            required_years=svc.required_years(filing.for_year), sizes=svc.ORG_SIZES,
            economic_types=list(db.session.execute(select(EconomicType).order_by(EconomicType.code)).scalars()),
            divisions=list(db.session.execute(select(Industry).where(Industry.level == "division").order_by(Industry.code)).scalars()),
            provinces=region_children(None), cities=region_children(draft.get("province_code")) if draft.get("province_code") else [],
            editable=filing.status in svc.EDITABLE, status_label=filing_status(filing.status),
            update_years=svc.years_to_update(filing) if filing.status == "approved" else [],
            upload_limit=max_megabytes_label(), file_types=allowed_label("filing_licence"))


def _name_of(model, code) -> str:
    from views.reference_choices import reference_name

    return reference_name(model, code) or ""


def _when(value) -> str:
    from app.timeutil import beijing

    return beijing(value)


class FilingReviewView(ReviewMixin, ExportableModelView):
    route_base = "/review/filings"
    datamodel = PagedSQLAInterface(OrganizationFiling)
    show_template = "shenbao/review/filing_show.html"
    workflow = ORGANIZATION_FILING
    decide_service = staticmethod(svc.review)
    base_filters = scoped_base_filters()
    base_permissions = ["can_list", "can_show", "can_decide"]
    base_order = ("filed_at", "desc")
    list_title = _l("Organization filings")
    show_title = _l("Organization filing")
    list_columns = ["org_name", "for_year", "org_size", "status", "filed_at", "approved_at"]
    search_columns = ["org_name", "for_year", "status", "filed_at"]
    show_columns = ["org_name", "for_year", "economic_type_code", "province_code", "city_code", "address",
                    "industry_code", "quality_head", "quality_head_phone", "org_size",
                    "status", "filed_at", "approved_at", "return_reason"]  # the files: review/filing_show.html
    formatters_columns = {
        "status": status_formatter(ORGANIZATION_FILING),
        "org_size": lambda v: str(dict(svc.ORG_SIZES).get(v, v or "")),
        "economic_type_code": lambda v: _name_of(EconomicType, v),
        "province_code": lambda v: _name_of(Region, v),
        "city_code": lambda v: _name_of(Region, v),
        "industry_code": lambda v: f"{v} {_name_of(Industry, v)}" if v else "",
        "licence_attachment_id": _attachment_link,
        "return_reason": lambda v: v or "",
        "filed_at": _when, "approved_at": _when,
    }
    label_columns = {"org_name": _l("Organization name"), "for_year": _l("Activity year"), "org_size": _l("Organization size"),
                     "status": _l("Status"), "filed_at": _l("Filed at"), "approved_at": _l("Approved at"),
                     "economic_type_code": _l("Economic type"), "province_code": _l("Province"), "city_code": _l("City"),
                     "address": _l("Address"), "industry_code": _l("Industry"), "quality_head": _l("Head of quality department"),
                     "quality_head_phone": _l("Phone of the quality department head"),
                     "licence_attachment_id": _l("Business licence"), "return_reason": _l("Return reason")}

    def _decision_context(self, item):
        from views.review_details import attachments_by_id

        # The three years as filed, with the licence and the yearly proofs (app.services.filing).
        ids = [item.licence_attachment_id, *(y.proof_attachment_id for y in item.economic_years)]
        return {**super()._decision_context(item), "files": attachments_by_id(ids)}


class ActivityView(ExportableModelView):
    route_base = "/benchmark/activities"
    datamodel = PagedSQLAInterface(Activity)
    show_template = "shenbao/benchmark/activity_show.html"
    base_order = ("opens_on", "desc")
    list_title = _l("Activities")
    list_columns = ["year", "name", "opens_on", "closes_on", "status"]
    search_columns = ["year", "name", "status"]
    add_columns = edit_columns = ["name", "year", "opens_on", "closes_on", "commitment_text", "recommending_units"]
    label_columns = {"year": _l("Year"), "name": _l("Name"), "opens_on": _l("Declaration opens"),
                     "closes_on": _l("Declaration closes"), "status": _l("Status"),
                     "commitment_text": _l("Commitment letter"), "recommending_units": _l("Recommending units"),
                     "results_published_at": _l("Selection results published at"),
                     "results_publicity_ends_on": _l("Last day of the publicity")}
    formatters_columns = {"status": status_formatter(BENCHMARK_ACTIVITY), "results_publicity_ends_on": lambda v: v or ""}

    def pre_add(self, item):
        _check_window(item)

    def pre_update(self, item):
        _check_window(item)

    @expose("/template/<int:pk>", methods=["POST"])
    @has_access
    def template(self, pk):
        """Upload the summary-material template (.docx or PDF) applicants download."""
        activity = db.session.get(Activity, pk) or abort(404)
        upload = request.files.get("template")
        try:
            if upload is None or not upload.filename:
                raise ServiceError(_("Please choose the template file."))
            svc.upload_activity_template(g.user, activity, upload.stream, upload.filename)
            flash(_("The template was uploaded."), "success")
        except ServiceError as exc:
            flash(exc.message, "danger")
        return redirect(url_for("ActivityView.show", pk=pk))


def _check_window(item) -> None:
    from flask_appbuilder.exceptions import FABException

    if item.opens_on and item.closes_on and item.closes_on < item.opens_on:
        raise FABException(_("The window must open before it closes."))


class RecommendingUnitView(ExportableModelView):
    route_base = "/benchmark/recommending-units"
    datamodel = PagedSQLAInterface(RecommendingUnit)
    list_title = _l("Recommending units")
    list_columns = ["name", "phone", "email"]
    search_columns = ["name"]
    # Contact data: shown on the public contacts page (/portal/contacts).
    add_columns = edit_columns = show_columns = ["name", "phone", "email", "address"]
    label_columns = {"name": _l("Name"), "phone": _l("Phone"), "email": _l("E-mail"), "address": _l("Address")}
    formatters_columns = {"phone": lambda v: v or "", "email": lambda v: v or "", "address": lambda v: v or ""}
