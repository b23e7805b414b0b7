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
