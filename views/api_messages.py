"""REST API of the in-app messages (站内消息): each signed-in user reads their own, whatever the
role (the admin too: a message is its recipient's, app.security.scope). Reading through the API
does not mark a message read; the message page (/messages/<id>) does."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.datamodel import PagedSQLAInterface
from app.security.scope import scoped_base_filters
from models import InboxMessage
from views.api import ReadOnlyApi

_LABELS = {"id": "ID", "title": _l("Title"), "body": _l("Message"), "record_type": _l("Record"),
           "record_id": "ID", "created_at": _l("Sent at"), "read_at": _l("Read at")}


class InboxMessageApi(ReadOnlyApi):
    resource_name = "message"
    datamodel = PagedSQLAInterface(InboxMessage)
    base_filters = scoped_base_filters()
    base_order = ("created_at", "desc")
    list_columns = ["id", "title", "record_type", "record_id", "created_at", "read_at"]
    show_columns = list_columns + ["body"]
    search_columns = ["title", "created_at", "read_at"]
    order_columns = ["id", "created_at", "read_at"]
    label_columns = _LABELS


APIS = (InboxMessageApi,)
