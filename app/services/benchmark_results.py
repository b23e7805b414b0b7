"""选拔结果公示: the association publishes an activity's selection results; the selected
declarations are listed publicly (app.services.public_lists) and objections are taken until
the end date it sets."""
from __future__ import annotations

import datetime as dt

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.extensions import db
from app.services.errors import ServiceError
from app.timeutil import today_in_china
from app.workflows import engine
from app.workflows.definitions import BENCHMARK_ACTIVITY
from app.workflows.model import OPERATOR
from models import Activity, Declaration


def publishable(actor) -> list[tuple[Activity, int]]:
    """Closed and published activities with their number of selected declarations."""
    from app.security.scope import scope_criterion

    activities = db.session.execute(select(Activity).where(
        Activity.status.in_(("closed", "published")), scope_criterion(Activity, actor))
        .order_by(Activity.year.desc(), Activity.id.desc())).scalars().all()
    counts = dict(db.session.execute(select(Declaration.activity_id, func.count(Declaration.id)).where(
        Declaration.status == "selected").group_by(Declaration.activity_id)).all())
    return [(a, counts.get(a.id, 0)) for a in activities]


def publish(actor, activity_id: int, ends_on: dt.date | None, expected_version=None) -> Activity:
    """Publish the selection results until ``ends_on`` (a Beijing date, today or later)."""
    if ends_on is None:
        raise ServiceError(_("Please give the last day of the publicity."),
                           {"ends_on": _("Please give the last day of the publicity.")})
    if ends_on < today_in_china():
        raise ServiceError(_("The last day of the publicity cannot be in the past."),
                           {"ends_on": _("The last day of the publicity cannot be in the past.")})
    return engine.apply(BENCHMARK_ACTIVITY, Activity, activity_id, "publish_results", actor, channel=OPERATOR,
                        params={"ends_on": ends_on})


def set_publicity_end(step) -> dict:
    """Hook of "publish_results": the end date the association chose."""
    step.record.results_publicity_ends_on = step.params["ends_on"]
    return {"results_publicity_ends_on": [None, step.params["ends_on"].isoformat()]}
