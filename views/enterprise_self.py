"""The applicant's own enterprise: registration form, information page, core changes."""
from __future__ import annotations

from flask import flash, g, jsonify, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.services import enterprise as svc
from app.services import enterprise_form as form_spec
from app.services.errors import ServiceError
from app.storage import allowed_label, max_megabytes_label
from app.workflows.definitions import CORE_INFO_CHANGE, ENTERPRISE_REGISTRATION
from models import Attachment, EconomicType, ForeignCapitalSource, TechField
from views.reference_choices import region_children


def _rows(prefix: str, columns: tuple[str, ...]) -> list[dict[str, str]]:
    values = {c: request.form.getlist(f"{prefix}_{c}") for c in columns}
    count = max((len(v) for v in values.values()), default=0)
    rows = []
    for i in range(count):
        row = {c: (values[c][i] if i < len(values[c]) else "").strip() for c in columns}
        if any(row.values()):
            rows.append(row)
    return rows


def posted_draft() -> dict:
    data = {f.name: (request.form.get(f.name) or "").strip() for f in form_spec.FIELDS
            if f.kind != "file" and f.name in request.form}
    if "sh_name" in request.form or request.form.get("tables") == "1":
        data["shareholders"] = _rows("sh", ("name", "kind", "amount", "ratio"))
        data["venture_investments"] = _rows("vc", ("investor", "amount", "date"))
    return data


def form_context(draft: dict, licence: Attachment | None = None) -> dict:
    """Choices the form needs (``ctx`` in the templates), each list limited to what one
    select shows."""
    province = draft.get("province_code") or ""
    city = draft.get("city_code") or ""
    return {
        "licence": licence,
        "provinces": region_children(None),
        "cities": region_children(province) if province else [],
        "counties": region_children(city) if city else [],
        "tech_fields": list(db.session.execute(select(TechField).order_by(TechField.code)).scalars()),
        "economic_types": list(db.session.execute(select(EconomicType).order_by(EconomicType.code)).scalars()),
        "foreign_sources": list(db.session.execute(select(ForeignCapitalSource).order_by(ForeignCapitalSource.code)).scalars()),
        "hightech_zones": form_spec.zones("hightech"),
        "econdev_zones": form_spec.zones("econdev"),
        "shareholder_kinds": form_spec.SHAREHOLDER_KINDS,
        "upload_limit": max_megabytes_label(),
        "licence_types": allowed_label("business_licence"),
    }


class MyEnterpriseView(BaseView):
    route_base = "/my-enterprise"
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        enterprise = svc.enterprise_of(g.user)
        if enterprise is not None and enterprise.status == "approved":
            return redirect(url_for("MyEnterpriseView.info"))
        return redirect(url_for("MyEnterpriseView.registration"))

    @expose("/registration", methods=["GET", "POST"])
    @has_access
    def registration(self):
        errors: dict[str, str] = {}
        if request.method == "POST":
            op = request.form.get("op", "save")
            try:
                enterprise, errors = svc.save_draft(g.user, posted_draft(), request.form.get("version"))
                licence = request.files.get("licence")
                if licence is not None and licence.filename:
                    svc.attach_licence(g.user, licence.stream, licence.filename)
                    errors.pop("licence_attachment_id", None)
                if op == "submit":
                    svc.submit(g.user, enterprise.version)
                    flash(_("Submitted. Your evaluation agency will review the registration."), "success")
                    return redirect(url_for("MyEnterpriseView.registration"))
                if errors:
                    flash(_("Saved. Some fields still need attention before you can submit."), "warning")
                else:
                    flash(_("Saved successfully."), "success")
            except ServiceError as exc:
                # Keep what was typed even when saving failed: show the posted values again.
                errors = {**errors, **exc.field_errors}
                flash(exc.message, "danger")
        enterprise = svc.get_or_create(g.user)
        draft = dict(enterprise.draft or {})
        if request.method == "POST" and svc.editable_sections(enterprise):
            draft.update(posted_draft())
        licence = None
        if draft.get("licence_attachment_id"):
            licence = db.session.get(Attachment, int(draft["licence_attachment_id"]))
        return self.render_template(
            "shenbao/enterprise_form.html",
            enterprise=enterprise,
            draft=draft,
            errors=errors,
            fields=form_spec.FIELDS,
            sections=svc.editable_sections(enterprise),
            status_label=ENTERPRISE_REGISTRATION.state_label(enterprise.status),
            ctx=form_context(draft, licence),
        )

    @expose("/fetch-registry", methods=["POST"])
    @has_access
    def fetch_registry(self):
        code = request.form.get("credit_code", "")
        try:
            return jsonify(ok=True, **svc.fetch_registry(code))
        except ServiceError as exc:
            return jsonify(ok=False, message=exc.message), exc.status_code

    @expose("/regions")
    @has_access
    def regions(self):
        parent = request.args.get("parent") or None
        return jsonify([{"code": r.code, "name": r.name} for r in region_children(parent)])

    @expose("/info")
    @has_access
    def info(self):
        enterprise = svc.enterprise_of(g.user)
        if enterprise is None:
            return redirect(url_for("MyEnterpriseView.registration"))
        return self.render_template(
            "shenbao/enterprise_info.html",
            enterprise=enterprise,
            user=g.user,
            status_label=ENTERPRISE_REGISTRATION.state_label(enterprise.status),
            choice_label=form_spec.choice_label,
        )

    @expose("/core-change", methods=["GET", "POST"])
    @has_access
    def core_change(self):
        errors: dict[str, str] = {}
        try:
            change = svc.open_core_change(g.user)
        except ServiceError as exc:
            flash(exc.message, "warning")
            return redirect(url_for("MyEnterpriseView.index"))
        if request.method == "POST":
            op = request.form.get("op", "save")
            try:
                if op == "cancel":
                    svc.cancel_core_change(g.user, change.id)
                    flash(_("The change request was cancelled."), "success")
                    return redirect(url_for("MyEnterpriseView.info"))
                change, errors = svc.save_core_change(g.user, change.id, posted_draft())
                if op == "submit":
                    svc.submit_core_change(g.user, change.id, change.version)
                    flash(_("Submitted. The approved information stays in force until the agency approves the change."), "success")
                    return redirect(url_for("MyEnterpriseView.info"))
                flash(_("Saved successfully."), "success")
            except ServiceError as exc:
                errors = {**errors, **exc.field_errors}
                flash(exc.message, "danger")
        draft = dict(change.data or {})
        if request.method == "POST":
            draft.update(posted_draft())
        return self.render_template(
            "shenbao/core_change_form.html",
            change=change,
            draft=draft,
            errors=errors,
            status_label=CORE_INFO_CHANGE.state_label(change.status),
            editable=change.status in ("draft", "returned"),
            fields=form_spec.FIELDS,
            ctx=form_context(draft),
        )
