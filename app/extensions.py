"""Extension singletons, bound to an app by create_app().

The AppBuilder is made per app (it keeps a list of views), see app/__init__.py.
"""
from flask_appbuilder import Model
from flask_appbuilder.utils.legacy import get_sqla_class
from flask_migrate import Migrate

# FAB models live on Model.metadata, not on a fresh db.metadata: share it, or
# `flask db migrate` would propose dropping every table.
db = get_sqla_class()(metadata=Model.metadata)
migrate = Migrate()


def commit_keeping_loaded() -> None:
    """Commit without expiring what the session has loaded. For a save whose page is drawn
    right after from the objects just written: reading them back (the record and the signed-in
    user: two statements per table save in the load test) would return the same values. Only
    for writes whose values are all set in Python (no server-side defaults or triggers)."""
    session = db.session()
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True
