"""What waits for a user: reports to approve, reports returned to them, deadlines coming up."""

import datetime
from dataclasses import dataclass, field

from dxmonitor.accounts.permissions import APPROVE, ENTER, grants
from dxmonitor.collection.datasets import CLOSED, NOT_OPEN, window
from dxmonitor.collection.models import DataSet
from dxmonitor.collection.periods import Period
from dxmonitor.common.users import AnyUser
from dxmonitor.geo.models import Unit

from .approval import approves_at
from .models import HELD, Report, ReportEvent, ReportStatus
from .queries import active_datasets, entry_communes, recent_periods, reporting_communes

DUE_SOON_DAYS = 7
LIMIT = 200


@dataclass(frozen=True)
class DueItem:
    dataset: DataSet
    period: Period
    unit: Unit
    due_on: datetime.date
    days_left: int  # negative: late

    @property
    def days_late(self) -> int:
        return max(0, -self.days_left)


@dataclass
class Inbox:
    waiting: list[Report] = field(default_factory=list)
    returned: list[Report] = field(default_factory=list)
    due: list[DueItem] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.waiting) + len(self.returned) + len(self.due)


def _ancestor_units(reports: list[Report]) -> dict[int, Unit]:
    ids = {int(part) for r in reports for part in r.unit.path.split("/") if part}
    return {u.pk: u for u in Unit.objects.filter(pk__in=ids)}


def deciding_units(reports: list[Report]) -> dict[int, Unit | None]:
    """Per report id, the unit whose approvers decide next (one query for all of them)."""
    units = _ancestor_units(reports)
    found: dict[int, Unit | None] = {}
    for report in reports:
        levels = report.dataset.levels
        found[report.pk] = None
        if report.status not in (ReportStatus.SUBMITTED, ReportStatus.APPROVED) or report.approvals >= len(
            levels
        ):
            continue
        for part in report.unit.path.split("/"):
            unit = units.get(int(part)) if part else None
            if unit is not None and unit.level == levels[report.approvals]:
                found[report.pk] = unit
    return found


def waiting_for(user: AnyUser | None) -> list[Report]:
    """Reports waiting for the user's decision at their level, oldest submission first."""
    mine = grants(user)
    candidates = list(
        Report.objects.filter(status__in=[ReportStatus.SUBMITTED, ReportStatus.APPROVED])
        .filter(mine.unit_filter(APPROVE, prefix="unit__"))
        .select_related("dataset", "unit", "submitted_by")
        .order_by("submitted_at", "pk")[: LIMIT * 2]
    )
    deciding = deciding_units(candidates)
    waiting = [r for r in candidates if deciding[r.pk] is not None and approves_at(user, deciding[r.pk])]
    return waiting[:LIMIT]


def returned_to(user: AnyUser | None) -> list[Report]:
    """Reports of the user's units sent back to be corrected, most recent first."""
    return list(
        Report.objects.filter(status=ReportStatus.RETURNED)
        .filter(grants(user).unit_filter(ENTER, prefix="unit__"))
        .select_related("dataset", "unit", "decided_by")
        .order_by("-decided_at", "-pk")[:LIMIT]
    )


def due_soon(user: AnyUser | None, *, today: datetime.date, days: int = DUE_SOON_DAYS) -> list[DueItem]:
    """Reports of the user's communes not yet sent whose deadline is within `days` days or has
    passed while the period is still open, nearest deadline first."""
    return due_among(entry_communes(user, today=today), today=today, days=days)


def due_among(
    communes, *, today: datetime.date, days: int = DUE_SOON_DAYS, limit: int = LIMIT
) -> list[DueItem]:
    items: list[DueItem] = []
    for dataset in active_datasets():
        for period in recent_periods(dataset.period_type, today, count=2):
            found = window(dataset, period)
            state = found.state(today)
            if state in (CLOSED, NOT_OPEN) or (found.due_on - today).days > days:
                continue
            units = list(reporting_communes(dataset, communes, today=today)[: limit + 1])
            held = set(
                Report.objects.filter(
                    dataset=dataset, period=period.code, status__in=HELD, unit__in=units
                ).values_list("unit_id", flat=True)
            )
            items.extend(
                DueItem(dataset, period, unit, found.due_on, (found.due_on - today).days)
                for unit in units
                if unit.pk not in held
            )
    items.sort(key=lambda item: (item.due_on, item.dataset.code, item.unit.code))
    return items[:limit]


def inbox(user: AnyUser | None, *, today: datetime.date) -> Inbox:
    return Inbox(waiting=waiting_for(user), returned=returned_to(user), due=due_soon(user, today=today))


def history(report: Report | None) -> list[ReportEvent]:
    if report is None:
        return []
    return list(report.events.select_related("by"))
