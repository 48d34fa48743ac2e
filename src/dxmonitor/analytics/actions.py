"""Changes to the analytics store. The store is derived data: its one action is to catch up."""

from collections.abc import Callable

from .refresh import RefreshReport, refresh


def refresh_store(*, full: bool = False, progress: Callable[[str], None] | None = None) -> RefreshReport:
    """Take in the value changes since the last refresh (only the years, units and indicators
    they touch), or rebuild the whole store from the operational database when `full`."""
    return refresh(full=full, progress=progress)
