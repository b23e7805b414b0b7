"""Admin screens for reference data and the notification outbox."""
from __future__ import annotations


from app.datamodel import PagedSQLAInterface as SQLAInterface
from flask_babel import lazy_gettext as _l

from models import Agency, BusinessRegistryEntry, Industry, OutboxMessage, Region, TechField, Zone
from views.exports import ExportableModelView


class RegionView(ExportableModelView):
    datamodel = SQLAInterface(Region)
    list_columns = ["code", "name", "level", "parent_code"]
    search_columns = ["code", "name", "level", "parent_code"]
    add_columns = edit_columns = ["code", "name", "level", "parent_code"]
    label_columns = {"code": _l("Code"), "name": _l("Name"), "level": _l("Level"), "parent_code": _l("Parent code")}


class AgencyView(ExportableModelView):
    datamodel = SQLAInterface(Agency)
    list_columns = ["name", "level", "region_code", "province_code", "active"]
    search_columns = ["name", "level", "region_code", "province_code", "active"]
    add_columns = edit_columns = ["name", "level", "region_code", "province_code", "active"]
    label_columns = {"name": _l("Name"), "level": _l("Level"), "region_code": _l("Region code"),
                     "province_code": _l("Province"), "active": _l("Active")}


class IndustryView(ExportableModelView):
    datamodel = SQLAInterface(Industry)
    list_columns = search_columns = ["code", "name", "level", "parent_code"]
    add_columns = edit_columns = ["code", "name", "level", "parent_code"]


class TechFieldView(ExportableModelView):
    datamodel = SQLAInterface(TechField)
    list_columns = search_columns = ["code", "name", "parent_code"]
    add_columns = edit_columns = ["code", "name", "parent_code"]


class ZoneView(ExportableModelView):
    datamodel = SQLAInterface(Zone)
    list_columns = ["kind", "name", "province_code"]
    search_columns = ["kind", "name", "province_code"]
    add_columns = edit_columns = ["kind", "name", "province_code"]


class BusinessRegistryView(ExportableModelView):
    datamodel = SQLAInterface(BusinessRegistryEntry)
    list_columns = search_columns = ["credit_code", "name", "legal_rep_name", "registration_authority"]
    add_columns = edit_columns = ["credit_code", "name", "legal_rep_name", "registration_authority"]


class OutboxView(ExportableModelView):
    """Every SMS and e-mail sent: the default delivery in development."""

    datamodel = SQLAInterface(OutboxMessage)
    base_permissions = ["can_list", "can_show"]
    base_order = ("created_at", "desc")
    list_columns = ["created_at", "channel", "recipient", "subject", "body", "backend", "status"]
    search_columns = ["channel", "recipient", "status", "created_at"]
    label_columns = {"created_at": _l("Time"), "channel": _l("Channel"), "recipient": _l("Recipient"),
                     "subject": _l("Subject"), "body": _l("Content"), "backend": _l("Backend"), "status": _l("Status")}
