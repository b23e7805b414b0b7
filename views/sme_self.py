"""The applicant's Tech-SME evaluation screens (manual 4.4): list, nine tables,
self-evaluation, cover, submit / withdraw, details and PDF."""
from __future__ import annotations

from flask import Response, abort, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.services import sme as svc
from app.services import sme_documents
from app.services import sme_form as form
from app.services.sme import rulesets
from app.services.errors import ServiceError
from app.storage import allowed_label, max_megabytes_label
from app.services.progress_labels import sme_status_label
from app.services.industries import all_rows as industry_rows
from models import EnterpriseIp


status_label = sme_status_label


def _posted_rows(table: form.Table) -> tuple[list[dict], dict[int, tuple]]:
    names = [c.name for c in table.columns if c.kind != "file"]
    values = {c: request.form.getlist(f"{table.rows}_{c}") for c in names + ["proof", "registry_id"]}
    count = max((len(v) for v in values.values()), default=0)
    rows, proofs = [], {}
    files = request.files.getlist(f"{table.rows}_proof_file")
    for i in range(count):
        row = {c: (values[c][i] if i < len(values[c]) else "").strip() for c in values}
        upload = files[i] if i < len(files) else None
        if not any(row.get(c) for c in names) and not (upload and upload.filename):
            continue
        if upload is not None and upload.filename:
            proofs[len(rows)] = (upload.stream, upload.filename)
        rows.append(row)
    return rows, proofs


def _registered(enterprise) -> dict[str, str]:
    """Table 1's enterprise name and code, read-only: as registered (the draft before approval)."""
    draft = enterprise.draft or {}
    return {"name": enterprise.name or draft.get("name") or "",
            "credit_code": enterprise.credit_code or draft.get("credit_code") or ""}


class SmeSelfView(BaseView):
    route_base = "/sme"
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        return self.render_template("shenbao/sme/list.html", evaluations=svc.list_for(g.user),
                                    status_label=status_label, year=svc.evaluation_year())

    @expose("/new", methods=["GET", "POST"])
    @has_access
    def new(self):
        if request.method == "POST":
            try:
                evaluation = svc.create(g.user)
            except ServiceError as exc:
                flash(exc.message, "danger")
                return redirect(url_for("SmeSelfView.index"))
            return redirect(url_for("SmeSelfView.table", evaluation_id=evaluation.id, key="main"))
        year = svc.evaluation_year()
        try:
            rules = rulesets.in_force(year)[1]
        except ServiceError:  # no set covers the year: creating says so; the page leaves the line out
            rules = None
        return self.render_template("shenbao/sme/instructions.html", year=year, rules=rules)

    def _context(self, evaluation, **extra):
        return dict(evaluation=evaluation, tables=form.TABLES, status_label=status_label,
                    indicator_labels=form.INDICATOR_LABELS,
                    editable=evaluation.status in svc.EDITABLE, **extra)

    @expose("/<int:evaluation_id>/table/<key>", methods=["GET", "POST"])
    @has_access
    def table(self, evaluation_id, key):
        evaluation = self._own(evaluation_id, places=False)
        table = form.TABLE_BY_KEY.get(key) or abort(404)
        errors: dict[str, str] = {}
        if request.method == "POST":
            values = {c.name: (request.form.get(c.name) or "").strip() for c in table.fields} if table.fields else None
            rows, proofs = _posted_rows(table) if table.rows else (None, None)
            try:
                evaluation, errors = svc.save_table(g.user, evaluation.id, key, values, rows, proofs)
                flash(_("Saved. Some fields still need attention.") if errors else _("Saved successfully."),
                      "warning" if errors else "success")
            except ServiceError as exc:
                flash(exc.message, "danger")
                # keep what was typed on screen
                evaluation.data = {**(evaluation.data or {}), **({key: values} if values else {}),
                                   **({table.rows: rows} if rows is not None else {})}
        else:
            errors = form.validate(evaluation.data or {}, for_submit=False, year=evaluation.year, only=table)
        industries = industry_rows() if key == "main" else ()
        data = evaluation.data or {}
        extra = {}
        if key == "ip":
            kind = request.args.get("kind") or ""
            stmt = select(EnterpriseIp).where(EnterpriseIp.enterprise_id == evaluation.enterprise_id)
            if kind:
                stmt = stmt.where(EnterpriseIp.kind == kind)
            extra = {"registry": list(db.session.execute(stmt.order_by(EnterpriseIp.id)).scalars()),
                     "registry_kind": kind, "ip_stats": form.ip_stats(data.get("ip") or [], rulesets.scored_with(evaluation))}
        if key == "finance":
            extra["rd_summary"] = sme_documents.rd_summary(data.get("rd_projects") or [], rulesets.scored_with(evaluation))
        if key == "hr":
            extra["hr_totals"] = form.hr_totals(data.get("hr") or {})
            extra["hr_max"] = form.MAX_COUNT
        if key == "main":
            extra["enterprise"] = _registered(evaluation.enterprise)
        return self.render_template(
            "shenbao/sme/table.html", table=table, data=data, values=data.get(key) or {},
            rows=data.get(table.rows) or [] if table.rows else [], errors=errors,
            sections=[i for i in industries if i.level == "section"],
            divisions=[i for i in industries if i.level == "division"],
            upload_limit=max_megabytes_label(), proof_types=allowed_label("sme_proof"),
            **self._context(evaluation, **extra))

    @expose("/<int:evaluation_id>/ip/from-registry", methods=["POST"])
    @has_access
    def ip_from_registry(self, evaluation_id):
        try:
            added = svc.add_from_registry(g.user, evaluation_id, request.form.getlist("ip_id"))
            flash(_("%(n)d items added.", n=added), "success")
        except ServiceError as exc:
            flash(exc.message, "danger")
        return redirect(url_for("SmeSelfView.table", evaluation_id=evaluation_id, key="ip"))

    @expose("/<int:evaluation_id>/ip/delete", methods=["POST"])
    @has_access
    def ip_delete(self, evaluation_id):
        try:
            removed = svc.delete_ip_rows(g.user, evaluation_id, request.form.getlist("row"))
            flash(_("%(n)d items deleted.", n=removed), "success")
        except ServiceError as exc:
            flash(exc.message, "danger")
        return redirect(url_for("SmeSelfView.table", evaluation_id=evaluation_id, key="ip"))

    @expose("/<int:evaluation_id>/self-evaluation")
    @has_access
    def self_evaluation(self, evaluation_id):
        evaluation = self._own(evaluation_id, places=False)
        problems = svc.submit_problems(evaluation) if evaluation.status in svc.EDITABLE else []
        if db.session.is_modified(evaluation):  # the stored result was out of date (e.g. a rules update)
            db.session.commit()
        return self.render_template("shenbao/sme/self_evaluation.html", result=evaluation.result, problems=problems,
                                    rules=rulesets.scored_with(evaluation),
                                    upload_limit=max_megabytes_label(), cover_types=allowed_label("sme_cover"),
                                    **self._context(evaluation))

    @expose("/<int:evaluation_id>/cover.pdf")
    @has_access
    def cover_pdf(self, evaluation_id):
        evaluation = self._own(evaluation_id)
        from app.services.eseal.issued_documents import hand_out

        # Remembered, so that this very PDF signed with the enterprise's USB-Key is accepted back.
        pdf = hand_out("sme_cover", evaluation.id, evaluation.enterprise_id, sme_documents.cover_pdf(evaluation))
        return self._pdf(pdf, f"cover-{evaluation.system_number}.pdf")

    @expose("/<int:evaluation_id>/information.pdf")
    @has_access
    def information_pdf(self, evaluation_id):
        evaluation = self._own(evaluation_id)
        return self._pdf(sme_documents.information_pdf(evaluation), f"sme-{evaluation.system_number}.pdf")

    @expose("/<int:evaluation_id>/cover", methods=["POST"])
    @has_access
    def upload_cover(self, evaluation_id):
        upload = request.files.get("cover")
        try:
            if upload is None or not upload.filename:
                raise ServiceError(_("Please choose the scanned cover to upload."))
            svc.upload_cover(g.user, evaluation_id, upload.stream, upload.filename)
            flash(_("The cover was uploaded."), "success")
        except ServiceError as exc:
            flash(exc.message, "danger")
        return redirect(url_for("SmeSelfView.self_evaluation", evaluation_id=evaluation_id))

    @expose("/<int:evaluation_id>/submit", methods=["POST"])
    @has_access
    def submit(self, evaluation_id):
        try:
            svc.submit(g.user, evaluation_id, request.form.get("version"))
            flash(_("Submitted. Waiting for the evaluation agency to confirm."), "success")
        except ServiceError as exc:
            flash(exc.message, "danger")
        return redirect(url_for("SmeSelfView.detail", evaluation_id=evaluation_id))

    @expose("/<int:evaluation_id>/withdraw", methods=["POST"])
    @has_access
    def withdraw(self, evaluation_id):
        try:
            svc.withdraw(g.user, evaluation_id, request.form.get("version"))
            flash(_("Withdrawn. You can change the materials and submit again."), "success")
        except ServiceError as exc:
            flash(exc.message, "danger")
        return redirect(url_for("SmeSelfView.detail", evaluation_id=evaluation_id))

    @expose("/<int:evaluation_id>/")
    @has_access
    def detail(self, evaluation_id):
        evaluation = self._own(evaluation_id, places=False)
        return self.render_template("shenbao/sme/detail.html", result=evaluation.result,
                                    doc=sme_documents.summary(evaluation), **self._context(evaluation))

    def _own(self, evaluation_id, *, places: bool = True):
        try:
            return svc.own(g.user, evaluation_id, places=places)
        except ServiceError:
            abort(404)

    @staticmethod
    def _pdf(data: bytes, filename: str) -> Response:
        return Response(data, mimetype="application/pdf",
                        headers={"Content-Disposition": f'attachment; filename="{filename}"'})
