"""Use cases that are not transitions (saving a draft, uploading a proof, drawing a sample)
end their own transaction the way ``engine.apply`` ends a transition's: they commit what they
prepared, and when they raise, what they left in the session is rolled back here, so no caller
(a view, the API, a job) ever rolls back after them."""
from __future__ import annotations

import functools
from typing import Callable, TypeVar

from app.extensions import db

F = TypeVar("F", bound=Callable)


def use_case(fn: F) -> F:
    """Roll the session back when ``fn`` raises (the exception goes on to the caller)."""

    @functools.wraps(fn)
    def run(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except BaseException:
            db.session.rollback()
            raise

    return run  # type: ignore[return-value]
