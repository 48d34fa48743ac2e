"""Writers that meet: which database failures are worth another try, and the try itself.

Two writers of overlapping figures can still meet although each locks its rows in key order:
one inserts a key the other has just inserted (a unique violation on the value's identity or
its history's version), PostgreSQL picks a deadlock victim among other statements that touch
the same rows (rules, flags), or SQLite's single writer is busy beyond its timeout. Each is
solved by running the transaction again a moment later; when a few tries do not do it, the
client is told to come back (`Busy`, 503 with Retry-After) rather than given a server error.
"""

import random
import time
from collections.abc import Callable
from typing import TypeVar

from django.db import DatabaseError, IntegrityError, OperationalError

from .errors import DomainError

T = TypeVar("T")

ATTEMPTS = 5
# Seconds a client is asked to wait when the tries ran out.
RETRY_AFTER = 2

# deadlock_detected, serialization_failure, lock_not_available
_TRANSIENT_STATES = {"40P01", "40001", "55P03"}
# Unique constraints that two writers of the same figures can meet on, and a retry resolves:
# on the second try the key exists and the write becomes an update.
_RACED_CONSTRAINTS = {"collection_value_identity", "collection_change_version", "collection_violation_once"}
_RACED_TABLES = ("collection_value.", "collection_valuechange.", "collection_ruleviolation.")


class Busy(DomainError):
    """The database stayed contended after a few tries: nothing was written, try again soon."""

    status = 503

    def __init__(self, *, retry_after: int = RETRY_AFTER) -> None:
        super().__init__(
            f"other writers are changing the same figures; nothing was written, send it again in "
            f"{retry_after} seconds",
            f"Đang có người khác ghi cùng số liệu; chưa ghi gì, hãy gửi lại sau {retry_after} giây",
        )
        self.retry_after = retry_after


def is_transient(exc: BaseException) -> bool:
    """Whether `exc` is a meeting of concurrent writers that another try would get past."""
    if not isinstance(exc, DatabaseError):
        return False
    cause = exc.__cause__
    state = getattr(cause, "sqlstate", None)
    if state in _TRANSIENT_STATES:
        return True
    if isinstance(exc, IntegrityError):
        if state == "23505":
            diag = getattr(cause, "diag", None)
            return getattr(diag, "constraint_name", None) in _RACED_CONSTRAINTS
        text = str(exc)
        return text.startswith("UNIQUE constraint failed") and any(t in text for t in _RACED_TABLES)
    if isinstance(exc, OperationalError) and state is None:
        # SQLite: another process held the write lock longer than the connection's timeout.
        return "database is locked" in str(exc) or "database table is locked" in str(exc)
    return False


def pause(attempt: int) -> None:
    """Wait a little longer after each failed try, jittered so that the writers part."""
    time.sleep(random.uniform(0.02, 0.1) * (2**attempt))


def retrying(work: Callable[[], T], *, attempts: int = ATTEMPTS) -> T:
    """Run `work` (a whole transaction) until it gets past concurrent writers; `Busy` after
    `attempts` tries. Anything else it raises goes through unchanged."""
    for attempt in range(attempts):
        try:
            return work()
        except DatabaseError as exc:
            if not is_transient(exc):
                raise
            if attempt == attempts - 1:
                raise Busy() from exc
            pause(attempt)
    raise AssertionError("unreachable")
