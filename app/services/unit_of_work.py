"""Use cases that are not transitions (saving a draft, uploading a proof, drawing a sample)
end their own transaction the way ``engine.apply`` ends a transition's: they commit what they
prepared, and when they raise, what they left in the session is rolled back here, so no caller
(a view, the API, a job) ever rolls back after them."""
from __future__ import annotations

import functools
from typing import Callable, TypeVar

from flask_babel import gettext as _
from sqlalchemy.orm.exc import StaleDataError

from app.extensions import db
from app.services.errors import Conflict

F = TypeVar("F", bound=Callable)


def use_case(fn: F) -> F:
    """Roll the session back when ``fn`` raises (the exception goes on to the caller)."""

    @functools.wraps(fn)
    def run(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except StaleDataError:
            # Two saves of one record at once (a double click): the later one is told, not a 500.
            db.session.rollback()
            raise Conflict(_("This record was changed by someone else meanwhile. Please reload and check it "
                             "again.")) from None
        except BaseException:
            db.session.rollback()
            raise

    return run  # type: ignore[return-value]
