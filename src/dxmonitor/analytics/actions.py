"""Changes to the analytics store. The store is derived data: its one action is to catch up."""

from collections.abc import Callable

from .refresh import RefreshReport, refresh


def refresh_store(*, full: bool = False, progress: Callable[[str], None] | None = None) -> RefreshReport:
    """Take in the value changes since the last refresh (only the years, units and indicators
    they touch), or rebuild the whole store from the operational database when `full`."""
    return refresh(full=full, progress=progress)


def refresh_in_background() -> bool:
    """Whether a process other than the one serving pages may open the store (a worker's job,
    a nightly rebuild). Not yet: the store is a DuckDB file that the first process to open it
    holds read-write, so the process that serves pages keeps refreshing it as it reads, and no
    refresh is queued. The day the store is shared by processes, this answers True and approvals,
    imports and the nightly schedule hand refreshes to the worker."""
    return False


def request_refresh(*, full: bool = False) -> None:
    """After a change the figures depend on (an approval, an import): queue a refresh for the
    worker, unless one is already waiting, in the caller's transaction."""
    if not refresh_in_background():
        return
    from dxmonitor.jobs.actions import enqueue
    from dxmonitor.jobs.models import Job

    waiting = Job.objects.filter(kind="analytics.refresh", status=Job.Status.QUEUED)
    if not full and waiting.filter(arguments__full=False).exists():
        return
    enqueue(kind="analytics.refresh", arguments={"full": full})
