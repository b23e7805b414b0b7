"""Admin screens for reference data and the notification outbox."""
from __future__ import annotations


from app.datamodel import PagedSQLAInterface as SQLAInterface
from flask import flash, redirect
from flask_appbuilder.actions import action
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.timeutil import beijing

from models import (Agency, BusinessRegistryEntry, Industry, NotificationTemplate, OutboxMessage, Region, TechField,
                    Zone)
from views.exports import ExportableModelView
from views.reference_choices import region_name
from views.screen_text import level_name


class RegionView(ExportableModelView):
    list_title = _l("Regions")
    datamodel = SQLAInterface(Region)
    list_columns = ["code", "name", "level", "parent_code"]
    search_columns = ["code", "name", "level", "parent_code"]
    add_columns = edit_columns = ["code", "name", "level", "parent_code"]
    label_columns = {"code": _l("Code"), "name": _l("Name"), "level": _l("Level"), "parent_code": _l("Parent code")}
    formatters_columns = {"level": level_name}


class AgencyView(ExportableModelView):
    list_title = _l("Evaluation agencies")
    datamodel = SQLAInterface(Agency)
    list_columns = ["name", "level", "region_code", "province_code", "active"]
    search_columns = ["name", "level", "region_code", "province_code", "active"]
    # Phone, e-mail and address: shown on the public contacts page (/portal/contacts).
    add_columns = edit_columns = show_columns = ["name", "level", "region_code", "province_code", "active", "phone",
                                                 "email", "address"]
    label_columns = {"name": _l("Name"), "level": _l("Level"), "region_code": _l("Region code"),
                     "province_code": _l("Province"), "active": _l("Active"), "phone": _l("Phone"),
                     "email": _l("E-mail"), "address": _l("Address")}
    formatters_columns = {"level": level_name, "region_code": region_name, "province_code": region_name,
                          "phone": lambda v: v or "", "email": lambda v: v or "", "address": lambda v: v or ""}


class IndustryView(ExportableModelView):
    list_title = _l("Industries")
    datamodel = SQLAInterface(Industry)
    formatters_columns = {"level": level_name}
    list_columns = search_columns = ["code", "name", "level", "parent_code"]
    add_columns = edit_columns = ["code", "name", "level", "parent_code"]


class TechFieldView(ExportableModelView):
    list_title = _l("Technology fields")
    datamodel = SQLAInterface(TechField)
    list_columns = search_columns = ["code", "name", "parent_code"]
    add_columns = edit_columns = ["code", "name", "parent_code"]


ZONE_KINDS = {"hightech": _l("National high-tech zone"), "econdev": _l("National economic development zone")}


class ZoneView(ExportableModelView):
    list_title = _l("Zones")
    formatters_columns = {"kind": lambda kind: str(ZONE_KINDS.get(kind, kind or "")), "province_code": region_name}
    datamodel = SQLAInterface(Zone)
    list_columns = ["kind", "name", "province_code"]
    search_columns = ["kind", "name", "province_code"]
    add_columns = edit_columns = ["kind", "name", "province_code"]


class BusinessRegistryView(ExportableModelView):
    list_title = _l("Business registry")
    datamodel = SQLAInterface(BusinessRegistryEntry)
    list_columns = search_columns = ["credit_code", "name", "legal_rep_name", "registration_authority"]
    add_columns = edit_columns = ["credit_code", "name", "legal_rep_name", "registration_authority"]


OUTBOX_STATUS = {"queued": _l("Queued"), "sent": _l("Sent"), "failed": _l("Failed")}
CHANNELS = {"sms": _l("SMS"), "email": _l("E-mail")}
# Where a message went (app.notify.backends): kept in the outbox (embedded mode) or sent on.
DELIVERY_BACKENDS = {"outbox": _l("Kept in the outbox (embedded mode)"), "http": _l("SMS gateway (HTTP)"),
                     "smtp": _l("Mail relay (SMTP)")}


class OutboxView(ExportableModelView):
    """Every SMS and e-mail: queued, sent or failed with the last error; failed ones can be
    sent again. In development the outbox is the delivery itself."""
    list_title = _l("Outbox")

    datamodel = SQLAInterface(OutboxMessage)
    base_permissions = ["can_list", "can_show", "resend"]
    base_order = ("created_at", "desc")
    list_columns = ["created_at", "channel", "recipient", "subject", "body", "status", "attempts", "sent_at", "error"]
    show_columns = ["created_at", "channel", "recipient", "subject", "body", "backend", "status", "attempts",
                    "next_attempt_at", "sent_at", "error", "template"]
    search_columns = ["channel", "recipient", "status", "created_at"]
    label_columns = {"created_at": _l("Time"), "channel": _l("Channel"), "recipient": _l("Recipient"),
                     "subject": _l("Subject"), "body": _l("Content"), "backend": _l("Backend"), "status": _l("Status"),
                     "attempts": _l("Failed attempts"), "sent_at": _l("Sent at"), "error": _l("Last error"),
                     "next_attempt_at": _l("Next attempt"), "template": _l("Notification")}
    formatters_columns = {"status": lambda v: OUTBOX_STATUS.get(v, v), "channel": lambda v: CHANNELS.get(v, v),
                          "created_at": beijing, "sent_at": beijing, "next_attempt_at": beijing,
                          "error": lambda v: v or "", "subject": lambda v: v or "",
                          "backend": lambda v: str(DELIVERY_BACKENDS.get(v, v or ""))}

    @action("resend", _l("Resend"), _l("Send the selected failed messages again?"), "fa-repeat", single=False)
    def resend(self, items):
        from app.notify.delivery import resend_failed

        count = resend_failed([item.id for item in items])
        flash(_("%(n)d failed message(s) queued again.", n=count), "success" if count else "warning")
        return redirect(self.get_redirect())


def _usable_template(form, field) -> None:
    """The text must compile, use no private names and render with sample values."""
    from wtforms.validators import ValidationError

    from app.notify.templates import validate_template_text

    problem = validate_template_text(field.data)
    if problem:
        raise ValidationError(problem)


_TEMPLATE_TEXTS = ["message_title", "message_body", "sms_body", "email_subject", "email_body"]


class NotificationTemplateView(ExportableModelView):
    """The texts every notification is written with (zh and en), editable by the admin. Variables
    such as {{ enterprise_name }}, {{ reason }}, {{ department }}, {{ link }} come from the record."""
    list_title = _l("Notification templates")

    datamodel = SQLAInterface(NotificationTemplate)
    base_permissions = ["can_list", "can_show", "can_edit"]
    base_order = ("code", "asc")
    list_columns = ["code", "locale", "message_title", "updated_at"]
    search_columns = ["code", "locale", "message_title"]
    show_columns = ["code", "locale", *_TEMPLATE_TEXTS, "updated_at"]
    edit_columns = _TEMPLATE_TEXTS
    label_columns = {"code": _l("Notification"), "locale": _l("Language"), "message_title": _l("In-app message title"),
                     "message_body": _l("In-app message text"), "sms_body": _l("SMS text"),
                     "email_subject": _l("E-mail subject"), "email_body": _l("E-mail text"), "updated_at": _l("Changed at")}
    formatters_columns = {"updated_at": beijing, "locale": lambda v: {"zh": "中文", "en": "English"}.get(v, v)}
    validators_columns = {name: [_usable_template] for name in _TEMPLATE_TEXTS}

    def pre_update(self, item):
        from flask import g

        item.updated_by_id = getattr(g.user, "id", None)
