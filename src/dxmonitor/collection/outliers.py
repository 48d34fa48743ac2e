"""Values far from their unit's own history or from their peers: kept, but flagged for review.

- History: the same unit, indicator and kind in earlier periods of the same type (the latest
  six, at least three). Expected: the median ± 4 robust deviations (1.4826 × the median
  absolute deviation, at least a tenth of the median); for counts, never beyond a third to
  three times the median (a ×3 jump is a typo more often than a change).
- Peers: the other units under the same parent, same indicator, period and kind (at least
  five). Expected: the median ± 3.5 robust deviations (a robust z-score above 3.5).

Real and synthetic figures are never compared with each other; ranks are not checked.
Checking is idempotent: a value keeps at most one open flag per reason; a value edited back
into range, deleted, or changed so that it can no longer be judged has its open flag resolved
automatically with a note; a flag a person resolved ("seen, kept") is not raised again for
the same figure. How the values and their neighbours are read, set-based and streamed, is in
`outlier_scan.py`; this module judges them and keeps the flags.
"""

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from dxmonitor.accounts.permissions import APPROVE, READ, grants
from dxmonitor.catalog.models import Kind
from dxmonitor.common.errors import Forbidden, NotFound
from dxmonitor.common.users import AnyUser
from dxmonitor.geo.models import Unit

from . import bulk_sql
from .models import Value, ValueFlag
from .periods import parse_period

CHUNK = 500
MIN_HISTORY = 3
HISTORY_DEPTH = 6
K_HISTORY = 4.0
JUMP = 3.0
MIN_PEERS = 5
K_PEERS = 3.5
MAD_SCALE = 1.4826
FLOOR_SHARE = 0.10
FLOOR_ABSOLUTE = 1.0
SKIPPED_KINDS = {Kind.RANK}

HISTORY, PEERS = ValueFlag.Reason.HISTORY, ValueFlag.Reason.PEERS
NOTE_BACK_IN_RANGE = "Tự động đóng: số liệu đã về trong khoảng dự kiến (value back within the expected range)"
NOTE_DELETED = "Tự động đóng: số liệu đã bị xóa (value deleted)"
NOTE_UNJUDGED = (
    "Tự động đóng: số liệu đã thay đổi, chưa đủ dữ liệu để so sánh "
    "(value changed; not enough figures left to judge it)"
)
# Flag writes are sent in batches of this many.
FLUSH = 2000

Range = tuple[float, float]


@dataclass
class FlagReport:
    checked: int = 0
    created: int = 0
    updated: int = 0
    resolved: int = 0
    open: int = 0

    def add(self, other: "FlagReport") -> None:
        for name in ("checked", "created", "updated", "resolved", "open"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


# --- the statistics ---------------------------------------------------------------------------


def _middle(ordered: list[float]) -> float:
    """The median of sorted figures, as `statistics.median` computes it."""
    half = len(ordered) // 2
    return ordered[half] if len(ordered) % 2 else (ordered[half - 1] + ordered[half]) / 2


def _bounds(middle: float, deviation: float, lowest: float, *, k: float, count: bool) -> Range:
    spread = max(MAD_SCALE * deviation, FLOOR_SHARE * abs(middle)) or FLOOR_ABSOLUTE
    low, high = middle - k * spread, middle + k * spread
    if count and middle > 0:
        low, high = max(low, middle / JUMP), min(high, middle * JUMP)
    if lowest >= 0:
        low = max(low, 0.0)
    return low, high


def expected_range(sample: Iterable[float], *, k: float, count: bool = False) -> Range:
    """median ± k robust deviations, with a floor so that a flat series is not a zero-width range."""
    ordered = sorted(sample)
    middle = _middle(ordered)
    deviation = _middle(sorted([abs(x - middle) for x in ordered]))
    return _bounds(middle, deviation, ordered[0], k=k, count=count)


class PeerGroup:
    """The figures of one parent's units for an indicator, period and kind, and the range each
    member is expected in, from the others (leave one out): exactly `expected_range(others,
    k=K_PEERS)`, for all members in O(n log n) instead of O(n² log n).

    Without member j the sorted figures are xs[:j] + xs[j+1:]: their median is one of three
    values depending on where j falls against the middle. For each of those the deviations of
    every figure are sorted once, and the member's own deviation is left out the same way.
    Equal figures leave the same others, hence share one range.
    """

    __slots__ = ("ranges",)

    def __init__(self, figures: list[float]) -> None:
        # figure → expected range of a member with that figure; empty with too few peers.
        self.ranges: dict[float, Range] = {}
        xs = sorted(figures)
        others = len(xs) - 1
        if others < MIN_PEERS:
            return
        half, odd = others // 2, others % 2
        for first, last in ((0, half - 1), (half, half), (half + 1, others)):
            if first > last:
                continue
            # xs without one member of this stretch, by position k: xs[k] below it, xs[k + 1] from it.
            upper = xs[half] if half < first else xs[half + 1]
            middle = upper if odd else ((xs[half - 1] if half - 1 < first else xs[half]) + upper) / 2
            deviations = sorted([abs(x - middle) for x in xs])
            for j in range(first, last + 1):
                value = xs[j]
                if value in self.ranges:
                    continue
                r = bisect_left(deviations, abs(value - middle))
                upper = deviations[half] if half < r else deviations[half + 1]
                lower = deviations[half - 1] if half - 1 < r else deviations[half]
                deviation = upper if odd else (lower + upper) / 2
                lowest = xs[1] if j == 0 else xs[0]
                self.ranges[value] = _bounds(middle, deviation, lowest, k=K_PEERS, count=False)


def _outside(value: float, low: float, high: float) -> bool:
    tolerance = 1e-9 * max(1.0, abs(value))
    return value < low - tolerance or value > high + tolerance


def _same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


# --- the flags --------------------------------------------------------------------------------

FLAG_COLUMNS = ("pk", "value_id", "reason", "flagged_value", "expected_low", "expected_high", "resolved_at")


class Judge:
    """Decides each checked value's flags from the ranges found for it, against the flags it has,
    and writes the outcome in batches.

    `flags` are rows of FLAG_COLUMNS, oldest first, restricted to open flags and to flags a
    person resolved (an automatic resolution plays no further part).
    """

    def __init__(self, flags: Iterable[tuple], report: FlagReport) -> None:
        self.report = report
        self.now = timezone.now()
        self.moment = bulk_sql.moment(self.now)
        # (value id, reason) → [flag id, flagged value, low, high] of its latest open flag.
        self.open: dict[tuple[int, str], list] = {}
        # (value id, reason) → the figures a person has seen and kept.
        self.reviewed: dict[tuple[int, str], list[float]] = defaultdict(list)
        for pk, value_id, reason, flagged, low, high, resolved_at in flags:
            if resolved_at is None:
                self.open[(value_id, reason)] = [pk, flagged, low, high]
            else:
                self.reviewed[(value_id, reason)].append(flagged)
        self.flagged_ids = {value_id for value_id, _ in self.open}
        self.seen: set[int] = set()
        self.new: list[tuple] = []
        self.resolved: list[tuple] = []
        self.moved: list[tuple] = []

    def judge(self, value_id: int, value: float, history: Range | None, peers: Range | None) -> None:
        """A value that stands (not deleted), with the range of each reason (None: not judged)."""
        if value_id in self.flagged_ids:
            self.seen.add(value_id)
        elif not self.reviewed:
            # The usual case, a million times over: in range (`_outside` inlined) and nothing on
            # record to keep up to date.
            tolerance = 1e-9 * max(1.0, abs(value))
            if (history is None or history[0] - tolerance <= value <= history[1] + tolerance) and (
                peers is None or peers[0] - tolerance <= value <= peers[1] + tolerance
            ):
                return
        self._decide(value_id, value, HISTORY, history)
        self._decide(value_id, value, PEERS, peers)
        if len(self.new) + len(self.resolved) + len(self.moved) >= FLUSH:
            self.flush()

    def deleted(self, value_id: int) -> None:
        for reason in (HISTORY, PEERS):
            flag = self.open.get((value_id, reason))
            if flag is not None:
                self._resolve(flag, NOTE_DELETED)

    def unseen(self) -> set[int]:
        """Values with an open flag that the scan did not judge: deleted, undated, ranks."""
        return self.flagged_ids - self.seen

    def _resolve(self, flag: list, note: str) -> None:
        self.resolved.append((self.moment, note, flag[0]))
        self.report.resolved += 1

    def _decide(self, value_id: int, value: float, reason: str, expected: Range | None) -> None:
        report = self.report
        flag = self.open.get((value_id, reason))
        if expected is None:
            if flag is not None and not _same(flag[1], value):
                self._resolve(flag, NOTE_UNJUDGED)
            elif flag is not None:
                report.open += 1
            return
        low, high = expected
        if not _outside(value, low, high):
            if flag is not None:
                self._resolve(flag, NOTE_BACK_IN_RANGE)
            return
        if flag is not None:
            report.open += 1
            if not (_same(flag[1], value) and _same(flag[2], low) and _same(flag[3], high)):
                self.moved.append((value, low, high, flag[0]))
                report.updated += 1
            return
        if any(_same(seen, value) for seen in self.reviewed.get((value_id, reason), ())):
            return  # a person has looked at this very figure and kept it
        self.new.append((value_id, reason, low, high, value, self.moment, ""))
        report.created += 1
        report.open += 1

    def flush(self) -> None:
        table = ValueFlag._meta.db_table
        columns = ("value_id", "reason", "expected_low", "expected_high", "flagged_value", "created_at")
        bulk_sql.insert_rows(table, (*columns, "resolution_note"), self.new)
        with connection.cursor() as cursor:
            if self.resolved:
                cursor.executemany(
                    f"UPDATE {table} SET resolved_at = %s, resolution_note = %s WHERE id = %s", self.resolved
                )
            if self.moved:
                cursor.executemany(
                    f"UPDATE {table} SET flagged_value = %s, expected_low = %s, expected_high = %s "
                    "WHERE id = %s",
                    self.moved,
                )
        self.new, self.resolved, self.moved = [], [], []


def flag_outliers(*, value_ids: Iterable[int]) -> FlagReport:
    """Check values against their history and peers; flag, update or resolve flags to match.

    Queries: a fixed number for up to CHUNK values; beyond that a fixed number plus one per
    indicator and 500 parent units, whatever the number of values.
    """
    from .outlier_scan import check_many

    with transaction.atomic(savepoint=False):
        return check_many(value_ids)


def flag_value(*, value: Value) -> FlagReport:
    """`flag_outliers` for one value just written; its unit and indicator, when already loaded,
    save a query."""
    from .outlier_scan import Subject, check_subjects

    if not (Value.unit.is_cached(value) and Value.indicator.is_cached(value)):
        return flag_outliers(value_ids=[value.pk])
    subject = Subject(
        value.pk,
        value.unit_id,
        value.unit.parent_id,
        value.indicator_id,
        value.indicator.kind,
        value.period,
        value.period_start,
        value.value,
        value.is_deleted,
    )
    with transaction.atomic(savepoint=False):
        return check_subjects([subject])


# --- reading and reviewing flags --------------------------------------------------------------


def flags(
    *,
    within: Unit | None,
    user: AnyUser | None,
    open: bool | None = True,
    period: str | None = None,
) -> QuerySet[ValueFlag]:
    """Flags of values the user may read, in a subtree (None: everywhere the user reads)."""
    rows = ValueFlag.objects.select_related(
        "value", "value__unit", "value__unit__parent", "value__indicator", "resolved_by"
    ).filter(grants(user).unit_filter(READ, prefix="value__unit__"))
    if within is not None:
        rows = rows.filter(value__unit__path__startswith=within.path)
    if open is not None:
        rows = rows.filter(resolved_at__isnull=open)
    if period:
        rows = rows.filter(value__period=parse_period(period).code)
    return rows.order_by("-created_at", "-pk")


def get_flag(*, flag_id: int, user: AnyUser | None) -> ValueFlag:
    found = (
        flags(within=None, user=user, open=None).filter(pk=flag_id).first() if 0 < flag_id < 2**63 else None
    )
    if found is None:
        raise NotFound(f"flag {flag_id} does not exist", f"Không có cảnh báo {flag_id}")
    return found


def may_resolve(user: AnyUser | None, flag: ValueFlag) -> bool:
    return grants(user).covers(APPROVE, flag.value.unit)


def resolve_flag(*, flag: ValueFlag, user: AnyUser, note: str = "") -> ValueFlag:
    """An approver has looked at the value and keeps it ("Đã xem, giữ nguyên").

    Resolving a flag twice changes nothing. The same figure is not flagged again.
    """
    if not may_resolve(user, flag):
        raise Forbidden(
            f"{user.get_username()} may not review the figures of {flag.value.unit.name}",
            f"Tài khoản {user.get_username()} không được duyệt số liệu của {flag.value.unit.name}",
            field="flag",
        )
    with transaction.atomic():
        current = ValueFlag.objects.select_for_update().get(pk=flag.pk)
        if current.resolved_at is None:
            current.resolved_at = timezone.now()
            current.resolved_by = user
            current.resolution_note = (note or "").strip()[:2000]
            current.save(update_fields=["resolved_at", "resolved_by", "resolution_note"])
    return flags(within=None, user=user, open=None).get(pk=flag.pk)
