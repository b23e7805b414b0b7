"""Password hashes: Argon2id at OWASP's password-storage minimum (m = 19 MiB, t = 2, p = 1) through
argon2-cffi. Werkzeug's scrypt / pbkdf2 hashes (FAB's default, what older accounts hold) still
verify, and are replaced by an Argon2id hash at the account's next successful sign-in.

Why: a login spent ~124 ms of CPU in scrypt (n = 2^15, r = 8), a fifth of the app's CPU under the
mixed load for 2.5 % of its requests; Argon2id at the OWASP minimum costs ~35 ms here and is
memory-hard as well (docs/security.md)."""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from werkzeug.security import check_password_hash

#: OWASP Password Storage Cheat Sheet, Argon2id minimum: 19 MiB, 2 iterations, 1 lane.
HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
ARGON2ID = "$argon2id$"
#: Checked when the account does not exist, so a wrong name costs as long as a wrong password.
_ABSENT = HASHER.hash("no such account")


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def verify(stored: str | None, password: str | None) -> bool:
    """Whether ``password`` matches ``stored`` (Argon2id, or a Werkzeug hash of an older account)."""
    if not stored or password is None:
        return False
    if stored.startswith(ARGON2ID):
        try:
            return HASHER.verify(stored, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False
    try:
        return check_password_hash(stored, password)
    except (ValueError, TypeError):  # not a hash Werkzeug knows
        return False


def verify_absent(password: str | None) -> None:
    """Spend a verification's time for an account that does not exist."""
    verify(_ABSENT, password or "")


def needs_upgrade(stored: str) -> bool:
    """An older hash (Werkzeug's, or Argon2id with weaker parameters) to replace after a sign-in."""
    return not stored.startswith(ARGON2ID) or HASHER.check_needs_rehash(stored)
