"""Public pages (no login): see shenbao/portal/base.html for the section bar.

/portal/ (index), notices, regulations, downloads (files at /portal/files/<id>), FAQ and contacts;
and the admin screens where the admin and each program's staff edit that content ("Portal
content" menu). The content rules live in app.services.portal.
"""
from __future__ import annotations

from flask import abort, flash, g, redirect, request, send_file, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.fieldwidgets import Select2Widget
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Optional, ValidationError
from wtforms.widgets import DateInput

from app.datamodel import PagedSQLAInterface
from app.services import portal as svc
from app.services.errors import ServiceError
from models import PortalArticle, ServiceDesk
from views.exports import ExportableModelView

# --- public pages -------------------------------------------------------------------------------


def _page_number() -> int:
    value = request.args.get("page", "1")
    return int(value) if value.isdigit() and 0 < len(value) < 6 else 1


def _program_filter() -> str | None:
    program = request.args.get("program") or None
    return program if program in svc.PROGRAM_LABELS else None


class PortalView(BaseView):
    """通知公告 · 政策法规 · 文件下载 · 常见问题 · 联系我们: anyone, signed in or not."""

    route_base = "/portal"
    default_view = "index"

    def _render(self, template: str, **context):
        return self.render_template(f"shenbao/portal/{template}", loc=svc.localized,
                                    programs=svc.PROGRAM_LABELS, **context)

    @expose("/")
    def index(self):
        return self._render("index.html", latest=svc.latest_by_program("notice", 5),
                            regulations=svc.public_list("regulation", per_page=5).items,
                            downloads=svc.public_list("download", per_page=5).items)

    def _list(self, kind: str, template: str, **extra):
        program = _program_filter()
        q = (request.args.get("q") or "").strip()[:100] if kind == "faq" else None
        page = svc.public_list(kind, program=program, q=q, page=_page_number())
        files = svc.files_of(a.id for a in page.items) if kind in ("download", "regulation") else {}
        return self._render(template, kind=kind, page=page, program=program, q=q, files=files, **extra)

    def _detail(self, kind: str, article_id: int):
        try:
            article = svc.public_article(kind, article_id)
        except ServiceError:
            abort(404)
        return self._render("article.html", kind=kind, article=article, files=svc.files_of([article.id])[article.id])

    @expose("/notices")
    def notices(self):
        return self._list("notice", "list.html")

    @expose("/notices/<int:article_id>")
    def notice(self, article_id):
        return self._detail("notice", article_id)

    @expose("/regulations")
    def regulations(self):
        return self._list("regulation", "list.html")

    @expose("/regulations/<int:article_id>")
    def regulation(self, article_id):
        return self._detail("regulation", article_id)

    @expose("/downloads")
    def downloads(self):
        return self._list("download", "downloads.html")

    @expose("/downloads/<int:article_id>")
    def download_detail(self, article_id):
        return self._detail("download", article_id)

    @expose("/files/<int:attachment_id>")
    def file(self, attachment_id):
        from app.storage import open_attachment

        try:
            attachment = svc.public_file(attachment_id)
            stream = open_attachment(attachment)
        except (ServiceError, FileNotFoundError):
            abort(404)
        return send_file(stream, mimetype=attachment.content_type, as_attachment=True,
                         download_name=attachment.original_name, max_age=0)

    @expose("/faq")
    def faq(self):
        return self._list("faq", "faq.html")

    @expose("/contacts")
    def contacts(self):
        return self._render("contacts.html", **svc.contacts())


# --- admin screens ---------------------------------------------------------------------------------


class _NativeDateInput(DateInput):
    def __call__(self, field, **kwargs):
        kwargs.setdefault("class", "form-control")
        return super().__call__(field, **kwargs)


def _program_allowed(form, field) -> None:
    if field.data not in svc.editable_programs(g.user):
        raise ValidationError(_("You may not edit the content of this program."))


def _expiry_after_publish(form, field) -> None:
    problem = svc.check_dates(form.publish_on.data, field.data)
    if problem:
        raise ValidationError(problem)


def _not_blank(form, field) -> None:
    if not (field.data or "").strip():
        raise ValidationError(_("Please enter the title."))


def _choices(labels: dict) -> list[tuple[str, str]]:
    return list(labels.items())


class _ProgramScope:
    """The rows of the programs the user edits (admin: all); the program checked on save."""

    def pre_add(self, item):
        self._check(item)

    def pre_update(self, item):
        self._check(item)

    def pre_delete(self, item):
        svc.check_editable(g.user, item.program)

    def _check(self, item):
        svc.check_editable(g.user, item.program)


def _scope_filters(model):
    from flask_appbuilder.models.filters import BaseFilter

    class ProgramScopeFilter(BaseFilter):
        name = "program scope"
        arg_name = "program_scope"

        def apply(self, query, value):
            return query.filter(model.program.in_(sorted(svc.editable_programs(g.user))))

    return [["id", ProgramScopeFilter, lambda: None]]


def _label(labels):
    return lambda value: str(labels.get(value, value or ""))


class PortalArticleView(_ProgramScope, ExportableModelView):
    """Notices, regulations, downloads and FAQ entries of the programs the user edits."""

    route_base = "/portal-admin/articles"
    datamodel = PagedSQLAInterface(PortalArticle)
    base_filters = _scope_filters(PortalArticle)
    base_order = ("publish_on", "desc")
    show_template = "shenbao/portal/admin_article_show.html"
    list_title = _l("Portal content")
    add_title = _l("Add portal content")
    edit_title = _l("Edit portal content")
    show_title = _l("Portal content")
    list_columns = ["kind", "program", "title_zh", "status", "pinned", "publish_on", "expires_on"]
    search_columns = ["kind", "program", "status", "title_zh", "title_en", "publish_on"]
    add_columns = edit_columns = ["kind", "program", "status", "pinned", "title_zh", "title_en", "body_zh", "body_en",
                                  "publish_on", "expires_on", "doc_number", "issuer_zh", "issuer_en"]
    # The show page names the Chinese texts (the edit form holds both languages): an English text
    # on a Chinese page reads as untranslated.
    show_columns = ["kind", "program", "status", "pinned", "title_zh", "body_zh", "publish_on", "expires_on",
                    "doc_number", "issuer_zh", "updated_at"]
    label_columns = {
        "kind": _l("Kind"), "program": _l("Program"), "status": _l("Status"), "pinned": _l("Pinned"),
        "title_zh": _l("Title (Chinese)"), "title_en": _l("Title (English)"),
        "body_zh": _l("Text (Chinese)"), "body_en": _l("Text (English)"),
        "publish_on": _l("Publish date"), "expires_on": _l("Expiry date"),
        "doc_number": _l("Document number"), "issuer_zh": _l("Issued by (Chinese)"),
        "issuer_en": _l("Issued by (English)"), "updated_at": _l("Changed at"),
    }
    description_columns = {
        "title_zh": _l("For a FAQ entry: the question."),
        "body_zh": _l("HTML: paragraphs, lists, tables and links are kept; scripts, styles and event attributes "
                      "are removed on saving. For a FAQ entry: the answer."),
        "expires_on": _l("Not shown on the public pages after this day. Empty: no expiry."),
        "doc_number": _l("Regulations only: the number as printed on the document."),
        "status": _l("Only published content, from its publish date to its expiry date, is public."),
    }
    add_form_extra_fields = edit_form_extra_fields = {
        "kind": SelectField(_l("Kind"), choices=_choices(svc.KIND_LABELS), widget=Select2Widget()),
        "program": SelectField(_l("Program"), choices=_choices(svc.PROGRAM_LABELS), widget=Select2Widget(),
                               validators=[_program_allowed]),
        "status": SelectField(_l("Status"), choices=_choices(svc.STATUS_LABELS), widget=Select2Widget(),
                              description=_l("Only published content, from its publish date to its expiry date, is "
                                             "public.")),
        "pinned": BooleanField(_l("Pinned")),  # not "required": unticked is a valid answer
        "publish_on": DateField(_l("Publish date"), format="%Y-%m-%d", validators=[DataRequired()],
                                widget=_NativeDateInput()),
        "expires_on": DateField(_l("Expiry date"), format="%Y-%m-%d", validators=[Optional(), _expiry_after_publish],
                                widget=_NativeDateInput(),
                                description=_l("Not shown on the public pages after this day. Empty: no expiry.")),
        "body_zh": TextAreaField(_l("Text (Chinese)"), render_kw={"rows": 10, "class": "form-control"},
                                 description=_l("HTML: paragraphs, lists, tables and links are kept; scripts, styles "
                                                "and event attributes are removed on saving. For a FAQ entry: the "
                                                "answer.")),
        "body_en": TextAreaField(_l("Text (English)"), render_kw={"rows": 10, "class": "form-control"}),
    }
    validators_columns = {"title_zh": [_not_blank]}
    formatters_columns = {"kind": _label(svc.KIND_LABELS), "program": _label(svc.PROGRAM_LABELS),
                          "status": _label(svc.STATUS_LABELS),
                          "pinned": lambda v: _("Yes") if v else _("No"),
                          "expires_on": lambda v: v or "", "title_en": lambda v: v or "",
                          "body_zh": lambda v: svc.sanitize(v), "body_en": lambda v: svc.sanitize(v),
                          "doc_number": lambda v: v or "", "issuer_zh": lambda v: v or "",
                          "issuer_en": lambda v: v or ""}

    def _check(self, item):
        svc.prepare(g.user, item)

    def _show_context(self, pk) -> dict:
        article = self.datamodel.get(pk, self._base_filters)
        return {"files": svc.files_of([article.id])[article.id] if article else []}

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk):
        pk = self._deserialize_pk_if_composite(pk)
        widgets = self._show(pk)
        return self.render_template(self.show_template, pk=pk, title=self.show_title, widgets=widgets,
                                    related_views=self._related_views, **self._show_context(pk))

    @expose("/files/<int:pk>", methods=["POST"])
    @has_access
    def files(self, pk):
        """Attach a file (PDF, Word .docx, Excel .xlsx) or remove one."""
        article = self.datamodel.get(pk, self._base_filters) or abort(404)
        try:
            remove = request.form.get("remove", "")
            if remove.isdigit():
                svc.remove_file(g.user, article, int(remove))
                flash(_("The file was removed."), "success")
            else:
                upload = request.files.get("file")
                if upload is None or not upload.filename:
                    raise ServiceError(_("Please choose the file."))
                svc.add_file(g.user, article, upload.stream, upload.filename)
                flash(_("The file was attached."), "success")
        except ServiceError as exc:
            flash(exc.message, "danger")
        return redirect(url_for("PortalArticleView.show", pk=pk))


class ServiceDeskView(_ProgramScope, ExportableModelView):
    """Each program's service desk: phone, hours, mailing address, the bank account for fees."""

    route_base = "/portal-admin/service-desks"
    datamodel = PagedSQLAInterface(ServiceDesk)
    base_filters = _scope_filters(ServiceDesk)
    list_title = _l("Service desks")
    add_title = _l("Add a service desk")
    edit_title = _l("Edit a service desk")
    show_title = _l("Service desk")
    list_columns = ["program", "name_zh", "phone", "email", "hours_zh"]
    search_columns = ["program", "name_zh", "phone"]
    add_columns = edit_columns = [
        "program", "name_zh", "name_en", "phone", "email", "hours_zh", "hours_en", "mail_address_zh",
        "mail_address_en", "mail_recipient", "bank_account_name", "bank_name", "bank_account", "note_zh", "note_en"]
    show_columns = [c for c in add_columns if not c.endswith("_en")]  # as on the article's show page
    label_columns = {
        "program": _l("Program"), "name_zh": _l("Name (Chinese)"), "name_en": _l("Name (English)"),
        "phone": _l("Phone"), "email": _l("E-mail"), "hours_zh": _l("Service hours (Chinese)"),
        "hours_en": _l("Service hours (English)"), "mail_address_zh": _l("Mailing address for papers (Chinese)"),
        "mail_address_en": _l("Mailing address for papers (English)"), "mail_recipient": _l("Recipient"),
        "bank_account_name": _l("Account name"), "bank_name": _l("Bank"), "bank_account": _l("Account number"),
        "note_zh": _l("Note (Chinese)"), "note_en": _l("Note (English)"),
    }
    add_form_extra_fields = edit_form_extra_fields = {
        "program": SelectField(_l("Program"), choices=_choices(svc.PROGRAM_LABELS), widget=Select2Widget(),
                               validators=[_program_allowed]),
    }
    validators_columns = {"name_zh": [_not_blank]}
    formatters_columns = {"program": _label(svc.PROGRAM_LABELS),
                          **{c: (lambda v: v or "") for c in ("name_en", "phone", "email", "hours_zh", "hours_en",
                                                              "mail_address_zh", "mail_address_en", "mail_recipient",
                                                              "bank_account_name", "bank_name", "bank_account",
                                                              "note_zh", "note_en")}}


def _sms_outbox_mode() -> bool:
    """SMS codes are kept in the outbox (embedded mode, app.notify.backends) rather than sent."""
    from flask import current_app

    return current_app.config.get("SMS_BACKEND", "outbox") == "outbox"


def register(appbuilder) -> None:
    """The public pages, the "Portal content" admin menu, and the help other pages show
    (templates call these globals only where the help appears: the login page, the e-seal
    remittance, the benchmark papers, the SMS code pages)."""
    from flask import current_app

    current_app.jinja_env.globals.update(service_desk=svc.service_desk, service_desks=svc.service_desks,
                                         portal_text=svc.localized, sms_outbox_mode=_sms_outbox_mode,
                                         portal_programs=svc.PROGRAM_LABELS)
    appbuilder.add_view_no_menu(PortalView)
    appbuilder.add_view(PortalArticleView, "Portal Articles", label=_l("Notices, regulations, downloads, FAQ"),
                        icon="fa-newspaper-o", category="Portal Content", category_label=_l("Portal content"),
                        category_icon="fa-globe")
    appbuilder.add_view(ServiceDeskView, "Service Desks", label=_l("Service desks"), icon="fa-phone",
                        category="Portal Content")
