"""站内消息: the signed-in user's messages (every result the workflows notify), the envelope in
the top bar with the unread count, and the enterprise's choice of SMS and e-mail."""
from __future__ import annotations

from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _

from app.extensions import db
from app.notify import messages as inbox
from app.notify.links import record_url
from app.security import roles as R
from app.security.scope import role_names
from app.services import certificate_issuance as issuance
from views.certificates import SHOW_PAGES

PER_PAGE = 20


def unread_for_current_user() -> int:
    """The badge in the top bar (app/navbar_cache.py): 0 for visitors, without a query."""
    user = getattr(g, "user", None)
    if user is None or not getattr(user, "is_authenticated", False):
        return 0
    # Counted with the user's load; gone once a commit expired the user (e.g. messages just read).
    loaded = user.__dict__.get("unread_messages")
    return loaded if loaded is not None else inbox.unread_count(user.id)


def _may_choose_channels(user) -> bool:
    return R.APPLICANT in role_names(user) and bool(user.enterprise_id)


def _record_link(message) -> str | None:
    """The applicant's progress page of the record; a failed certificate goes to the review page
    where the reviewer it was sent to re-issues it."""
    if not (message.record_type and message.record_id):
        return None
    if message.template == issuance.TASK and message.record_type in SHOW_PAGES:
        return url_for(SHOW_PAGES[message.record_type], pk=message.record_id)
    return record_url(message.record_type, message.record_id)


class MessagesView(BaseView):
    route_base = "/messages"
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        try:
            page = max(int(request.args.get("page", 0)), 0)
        except ValueError:
            page = 0
        rows, total = inbox.user_messages(g.user.id, page=page, per_page=PER_PAGE)
        preferences = inbox.preferences(g.user.enterprise_id) if _may_choose_channels(g.user) else None
        return self.render_template("shenbao/messages/list.html", rows=rows, total=total, page=page,
                                    pages=(total + PER_PAGE - 1) // PER_PAGE, preferences=preferences)

    @expose("/<int:message_id>")
    @has_access
    def show(self, message_id):
        message = inbox.own_message(g.user.id, message_id) or abort(404)
        inbox.mark_read(message)
        db.session.commit()
        link = _record_link(message)
        return self.render_template("shenbao/messages/show.html", message=message, link=link)

    @expose("/read-all", methods=["POST"])
    @has_access
    def read_all(self):
        count = inbox.mark_all_read(g.user.id)
        db.session.commit()
        flash(_("%(n)d message(s) marked as read.", n=count), "success")
        return redirect(url_for("MessagesView.index"))

    @expose("/preferences", methods=["POST"])
    @has_access
    def preferences(self):
        if not _may_choose_channels(g.user):
            abort(403)
        inbox.save_preferences(g.user.enterprise_id, sms=request.form.get("sms") == "y",
                               email=request.form.get("email") == "y")
        db.session.commit()
        flash(_("Your notification settings were saved. In-app messages always arrive."), "success")
        return redirect(url_for("MessagesView.index"))
