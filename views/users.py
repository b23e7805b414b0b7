"""Admin user screens: FAB's, plus the mobile and the reviewer's agency (row scope)."""
from __future__ import annotations

from flask_appbuilder.security.views import UserDBModelView
from flask_babel import lazy_gettext as _l

from app.timeutil import beijing


class ShenbaoUserDBModelView(UserDBModelView):
    list_columns = ["first_name", "username", "mobile", "email", "active", "roles", "agency"]
    search_columns = ["first_name", "username", "mobile", "email", "active", "roles"]
    # One name field: Chinese names are not split into first and last.
    add_columns = ["first_name", "username", "mobile", "active", "email", "roles", "agency",
                   "password", "conf_password"]
    # enterprise_id is never editable here: it is set when the applicant registers its enterprise.
    edit_columns = ["first_name", "username", "mobile", "active", "email", "roles", "agency"]
    show_fieldsets = [
        (_l("User info"), {"fields": ["username", "mobile", "active", "roles", "agency", "login_count"]}),
        (_l("Personal Info"), {"fields": ["first_name", "email"], "expanded": True}),
        (_l("Audit Info"), {"fields": ["last_login", "fail_login_count", "created_on", "changed_on"], "expanded": False}),
    ]
    # The profile page (/users/userinfo/, every signed-in role): FAB's lists last_name, which this
    # view never shows, and the page was a 500.
    user_show_fieldsets = [
        (_l("User info"), {"fields": ["username", "mobile", "roles", "agency"]}),
        (_l("Personal Info"), {"fields": ["first_name", "email"], "expanded": True}),
    ]
    label_columns = {**UserDBModelView.label_columns, "mobile": _l("Mobile"), "agency": _l("Evaluation agency")}
    label_columns["first_name"] = _l("Name")
    # Stored in UTC: shown in Beijing time to the minute, as every other screen.
    formatters_columns = {c: beijing for c in ("last_login", "created_on", "changed_on")}

    def pre_add(self, item):
        # FAB's pre_add hashes with scrypt: Argon2id instead (app/security/passwords.py).
        from app.security import passwords

        item.last_name = item.last_name or ""
        item.password = passwords.hash_password(item.password)

