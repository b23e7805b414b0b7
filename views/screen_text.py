"""Words FAB would make up in English: a generated screen's titles ("List Region", "Add
Enterprise Ip") and the labels of columns a view does not name ("Created At"). Every generated
screen takes its titles from its list title (ExportableModelView) and its unnamed columns'
labels from here (app.fab_patches), in the user's language."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

# Columns many models share, by name.
COMMON_LABELS = {
    "name": _l("Name"), "code": _l("Code"), "level": _l("Level"), "parent_code": _l("Parent code"),
    "kind": _l("Kind"), "active": _l("Active"), "created_at": _l("Created at"), "updated_at": _l("Updated at"),
    "opened_at": _l("Opened at"), "closed_at": _l("Closed at"), "credit_code": _l("Unified social credit code"),
    "legal_rep_name": _l("Legal representative"), "registration_authority": _l("Registration authority"),
    "province_code": _l("Province"), "region_code": _l("Region"), "record_type": _l("Record type"),
    "papers": _l("Papers received"), "description": _l("Description"), "version": _l("Version"),
    # FAB's user, role and group screens
    "first_name": _l("First Name"), "last_name": _l("Last Name"), "email": _l("Email"), "username": _l("User Name"),
    "login_count": _l("Login Count"), "last_login": _l("Last Login"), "fail_login_count": _l("Failed Login Count"),
    "created_on": _l("Created On"), "changed_on": _l("Changed On"), "created_by": _l("Created By"),
    "changed_by": _l("Changed By"), "roles": _l("Roles"), "groups": _l("Groups"), "users": _l("Users"),
    "label": _l("Label"), "user": _l("User"), "role": _l("Role"), "permissions": _l("Permissions"),
    "region": _l("Region"), "channel": _l("Channel"),
}
# Region and industry levels as the code tables name them.
LEVELS = {"province": _l("Province"), "city": _l("City"), "county": _l("County"),
          "section": _l("Section"), "division": _l("Division")}


def level_name(value) -> str:
    return str(LEVELS.get(value, value or ""))


def record_type_name(value) -> str:
    from app.programs import BY_RECORD_TYPE

    entry = BY_RECORD_TYPE.get(value)
    return str(entry.label) if entry is not None else (value or "")


def fill_titles(view) -> None:
    """The show/add/edit titles from the screen's list title, when the view sets none."""
    name = view.list_title
    if not name:
        return
    view.show_title = view.show_title or _l("View: %(name)s", name=name)
    view.add_title = view.add_title or _l("Add: %(name)s", name=name)
    view.edit_title = view.edit_title or _l("Edit: %(name)s", name=name)
