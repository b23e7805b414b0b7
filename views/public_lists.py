"""Public pages (no login): the publicity lists (公示名单) with the objection form (公示异议) and
its outcome lookup, and the certificate query (证书查询). See shenbao/portal/base.html for the
section bar. The reviewers' objection queue is in views/objection_review.py."""
from __future__ import annotations

from flask import abort, current_app, flash, make_response, request, session
from flask_appbuilder import BaseView, expose
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import Length

from app.services import public_lists, public_query
from app.services.errors import NotFound, ServiceError
from app.services.sme import objections
from app.web import checks_its_own_text
from app.workflows.definitions import SME_EVALUATION
from views.forms import CaptchaMixin, NoControlCharacters, apply_errors

_TEXT = NoControlCharacters()


class ObjectionForm(CaptchaMixin, FlaskForm):
    objector_name = StringField(_l("Your name"), validators=[Length(max=objections.NAME_MAX), _TEXT])
    contact = StringField(_l("Mobile or e-mail"), validators=[Length(max=objections.CONTACT_MAX), _TEXT])
    reason = TextAreaField(_l("Reason of the objection"),
                           validators=[Length(max=objections.REASON_MAX), NoControlCharacters(multiline=True)])
    form_token = HiddenField()


class LookupForm(FlaskForm):
    reference = StringField(_l("Reference number"), validators=[Length(max=20), _TEXT])
    contact = StringField(_l("Mobile or e-mail given with the objection"),
                          validators=[Length(max=objections.CONTACT_MAX), _TEXT])


def _form_errors(form) -> None:
    """WTForms' own messages (length, control characters) stay beside their fields."""
    if form.errors.get("csrf_token"):
        flash(_("The form has expired. Please try again."), "danger")


class PublicListsView(BaseView):
    route_base = "/portal"
    default_view = "publicity"

    @expose("/publicity")
    @expose("/publicity/")
    def publicity(self):
        """正在公示 (open batches, by province), 公示结果 (closed batches) and the benchmark lists."""
        page, q = public_lists.open_publicity(request.args.get("q"), request.args.get("page"))
        return self.render_template("shenbao/portal/publicity.html", page=page, q=q,
                                    past=public_lists.closed_batches(request.args.get("past_page")),
                                    activities=public_lists.selection_lists())

    @expose("/publicity/results/<int:batch_id>")
    def results(self, batch_id):
        try:
            batch, page, q = public_lists.batch_results(batch_id, request.args.get("q"), request.args.get("page"))
        except NotFound:
            abort(404)
        return self.render_template("shenbao/portal/publicity_results.html", batch=batch, page=page, q=q)

    @expose("/objections/sme/<int:record_id>", methods=["GET", "POST"])
    @checks_its_own_text
    def object_sme(self, record_id):
        try:
            evaluation = public_lists.sme_record_open_to_objection(record_id)
        except NotFound:
            abort(404)
        return self._objection_page(objections.file_sme_objection, record_id,
                                    subject=public_lists.public_sme_record(evaluation),
                                    batch=evaluation.publicity_batch)

    @expose("/objections/benchmark/<int:record_id>", methods=["GET", "POST"])
    @checks_its_own_text
    def object_declaration(self, record_id):
        try:
            declaration = public_lists.declaration_open_to_objection(record_id)
        except NotFound:
            abort(404)
        return self._objection_page(objections.file_declaration_objection, record_id,
                                    selection=public_lists.public_selection(declaration),
                                    activity=declaration.activity)

    def _objection_page(self, file_objection, record_id, **subject):
        form = ObjectionForm()
        evidence_errors: list[str] = []
        if request.method == "POST":
            if form.validate():
                upload = request.files.get("evidence")
                try:
                    filed = file_objection(record_id, objections.ObjectionForm(
                        objector_name=form.objector_name.data or "", contact=form.contact.data or "",
                        reason=form.reason.data or "", form_token=form.form_token.data or "",
                        captcha_id=session.pop("captcha_id", None), captcha=form.captcha.data or ""),
                        (upload.stream, upload.filename) if upload is not None and upload.filename else None)
                except NotFound:
                    abort(404)
                except ServiceError as exc:
                    field_errors = dict(exc.field_errors)
                    if "evidence" in field_errors:  # the file input is not a WTForms field
                        evidence_errors.append(field_errors.pop("evidence"))
                    flash(exc.message if not exc.field_errors else _("Please correct the marked fields."), "danger")
                    for message in apply_errors(form, field_errors):
                        flash(message, "danger")
                else:
                    return self.render_template("shenbao/portal/objection_filed.html", objection=filed.objection,
                                                repeated=filed.repeated)
            else:
                _form_errors(form)
        if not form.form_token.data:
            form.form_token.data = objections.new_form_token()
        form.captcha.data = ""
        from app.storage import allowed_label, max_megabytes_label

        return self.render_template("shenbao/portal/objection_form.html", form=form,
                                    evidence_types=allowed_label(objections.EVIDENCE_PURPOSE),
                                    evidence_limit=max_megabytes_label(), evidence_errors=evidence_errors,
                                    reason_min=objections.REASON_MIN,
                                    reason_max=objections.REASON_MAX, **subject)

    @expose("/objections/lookup", methods=["GET", "POST"])
    @checks_its_own_text
    def lookup(self):
        """异议结果查询: reference number and the contact given → status and reply."""
        form = LookupForm()
        found = None
        searched = False
        if request.method == "POST":
            if form.validate():
                searched = True
                found = objections.lookup(form.reference.data, form.contact.data)
            else:
                _form_errors(form)
        from app.workflows.definitions import PUBLICITY_OBJECTION

        return self.render_template("shenbao/portal/objection_lookup.html", form=form, found=found,
                                    searched=searched, states=PUBLICITY_OBJECTION)

    @expose("/certificates")
    @expose("/certificates/")
    def certificates(self):
        """证书查询: by the full credit code or the name (≥ 4 characters), at most 20 results."""
        text = (request.args.get("q") or "").strip()[:public_query.QUERY_MAX]
        results, error = None, None
        if "q" in request.args:
            try:
                results = public_query.query(text)
            except ServiceError as exc:
                error = exc.field_errors.get("q", exc.message)
        response = make_response(self.render_template(
            "shenbao/portal/certificates.html", q=text, results=results, error=error,
            max_results=public_query.MAX_RESULTS, name_min=public_query.NAME_MIN,
            sme_status={s: SME_EVALUATION.state_label(s) for s in public_query.SME_STATUSES}))
        if error:
            response.status_code = 422
        return response


def register(appbuilder) -> None:
    """The public lists and their limits per client address; the reviewers' queues."""
    from views.objection_review import register as register_review

    appbuilder.add_view_no_menu(PublicListsView)
    app = current_app._get_current_object()
    limiter = appbuilder.sm.limiter
    _limit(app, limiter, ("PublicListsView.object_sme", "PublicListsView.object_declaration"),
           "PUBLIC_OBJECTION_LIMIT_PER_ADDRESS", "objection", ["POST"])
    _limit(app, limiter, ("PublicListsView.lookup",), "PUBLIC_LOOKUP_LIMIT_PER_ADDRESS", "objection_lookup", ["POST"])
    _limit(app, limiter, ("PublicListsView.certificates",), "PUBLIC_QUERY_LIMIT_PER_ADDRESS", "certificate_query",
           ["GET"], exempt_when=lambda: "q" not in request.args)  # the empty form is free
    register_review(appbuilder)


def _limit(app, limiter, endpoints, config_key, scope, methods, exempt_when=None) -> None:
    shared = limiter.shared_limit(lambda: current_app.config[config_key], scope=scope, methods=methods,
                                  exempt_when=exempt_when)
    for endpoint in endpoints:
        app.view_functions[endpoint] = shared(app.view_functions[endpoint])
