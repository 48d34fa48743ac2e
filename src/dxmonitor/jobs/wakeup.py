"""Waking idle workers at once when a job is queued, on PostgreSQL (LISTEN/NOTIFY).

A notification sent inside the enqueuing transaction is delivered when it commits, so a worker
never wakes for a job it cannot see yet. On SQLite workers poll (`DXM_WORKER_POLL_SECONDS`).
"""

from django.db import connection, connections

CHANNEL = "dxm_jobs"


def notify_workers() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"NOTIFY {CHANNEL}")


class Waiter:
    """Sleeps until a notification or the poll interval, whichever comes first."""

    def __init__(self) -> None:
        self._listener = None
        if connections["default"].vendor == "postgresql":
            import psycopg

            params = connections["default"].get_connection_params()
            params.pop("cursor_factory", None)
            params.pop("context", None)
            self._listener = psycopg.connect(**params, autocommit=True)
            self._listener.execute(f"LISTEN {CHANNEL}")

    def wait(self, seconds: float) -> None:
        if self._listener is None:
            import time

            time.sleep(seconds)
            return
        woken = False
        for _ in self._listener.notifies(timeout=seconds, stop_after=1):
            woken = True
        if woken:
            # Drain the others: one wake-up looks at the queue once.
            for _ in self._listener.notifies(timeout=0.001):
                pass

    def close(self) -> None:
        if self._listener is not None:
            self._listener.close()
