"""Changes to the analytics store. The store is derived data: its one action is to catch up."""

from collections.abc import Callable
from typing import TYPE_CHECKING

from dxmonitor.common.users import AnyUser

from .refresh import RefreshReport, refresh

if TYPE_CHECKING:
    from dxmonitor.catalog.models import SchemeVersion, ScoringScheme
    from dxmonitor.geo.models import Unit
    from dxmonitor.jobs.models import Job


def refresh_store(*, full: bool = False, progress: Callable[[str], None] | None = None) -> RefreshReport:
    """Take in the value changes since the last refresh (only the years, units and indicators
    they touch), or rebuild the whole store from the operational database when `full`."""
    return refresh(full=full, progress=progress)


def refresh_in_background() -> bool:
    """Whether refreshes go to the worker: yes whenever the store is a file, which every process
    shares (see `store`); an in-memory store lives in one process, which refreshes it itself."""
    from .store import store_path

    return store_path() != ":memory:"


def request_refresh(*, full: bool = False, user: AnyUser | None = None) -> "Job":
    """After a change the figures depend on (an approval, an import): queue a refresh for the
    worker, unless one that does as much is already waiting, in the caller's transaction.
    Where jobs run at once in the caller's process (tests), the refresh is done on return."""
    from dxmonitor.jobs.actions import enqueue
    from dxmonitor.jobs.models import Job

    waiting = Job.objects.filter(kind="analytics.refresh", status=Job.Status.QUEUED)
    queued = waiting.filter(arguments__full=True).first() or (
        None if full else waiting.filter(arguments__full=False).first()
    )
    if queued is not None:
        return queued
    return enqueue(kind="analytics.refresh", user=user, arguments={"full": full})


def catch_up() -> None:
    """Before answering from the store: if values changed since its last refresh, see that a
    refresh is on its way (the answer is the store as it is; the worker brings it up to date)."""
    from .refresh import store_behind

    if store_behind():
        request_refresh()


def queue_scores(
    *,
    scheme: "ScoringScheme",
    period: str,
    within: "Unit | None" = None,
    version: "SchemeVersion | None" = None,
    user: AnyUser | None = None,
) -> "Job":
    """Have the worker score and rank a period (after refreshing the store), once the request
    is known to be allowed: a refusal or a bad period is the caller's answer, not a failed job."""
    from dxmonitor.jobs.actions import enqueue

    from .scoring import check_compute

    checked, version, _roots = check_compute(
        scheme=scheme, period=period, within=within, version=version, user=user
    )
    arguments = {
        "scheme": scheme.code,
        "period": checked.code,
        "within": within.pk if within is not None else None,
        "version": version.number,
    }
    return enqueue(kind="scores.compute", user=user, arguments=arguments)
