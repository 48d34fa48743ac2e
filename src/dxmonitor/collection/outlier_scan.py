"""Reading what the outlier checks compare, set-based: a few large streamed queries.

Every value checked is judged against rows of its own indicator: its unit's earlier periods
(history) and its parent's other units in the same period (peers). Both come out of one
stream ordered by indicator and period: a period's rows are the peers of its values, and the
rows of each unit, period after period, are its history (the latest few kept per series; the
codes of one period type sort in time order). The stream holds one period's rows and one
indicator's series windows at a time, whatever the number of values checked.

- Up to CHUNK values (a form, a small payload): the values are read by id, then one stream
  reads their units' series and, in their periods, their parents' units.
- More (a bulk load, a re-check): the ids are staged in a temporary table as runs of
  consecutive ids; one grouped query says which indicators and parent units they touch, and
  one stream per set of parents (a load usually covers all its indicators for the same
  units) reads every value of those indicators under those parents, the parents staged in a
  temporary table too. The load's own rows make most of what is read.
"""

from array import array
from bisect import bisect_right
from collections.abc import Container, Iterable, Iterator, Sequence
from itertools import groupby
from operator import itemgetter
from typing import NamedTuple

from django.db import connection
from django.db.models import Q
from django.db.models.expressions import RawSQL

from dxmonitor.catalog.models import Indicator, Kind
from dxmonitor.geo.models import Unit

from . import bulk_sql
from .models import Value, ValueFlag
from .outliers import (
    CHUNK,
    FLAG_COLUMNS,
    HISTORY_DEPTH,
    K_HISTORY,
    MIN_HISTORY,
    SKIPPED_KINDS,
    FlagReport,
    Judge,
    PeerGroup,
    expected_range,
)

RUNS, PARENTS = "dxm_checked_runs", "dxm_checked_parents"
V, F, U = Value._meta.db_table, ValueFlag._meta.db_table, Unit._meta.db_table
FETCH = 5000
STREAM = (
    "indicator_id", "period", "id", "unit_id", "unit__parent_id", "period_type", "period_start", "kind",
    "is_synthetic", "value",
)  # fmt: skip


class Subject(NamedTuple):
    """What is known of a value to check before the stream reads its neighbours."""

    id: int
    unit_id: int
    parent_id: int | None
    indicator_id: int
    indicator_kind: str
    period: str
    period_start: object
    value: float
    is_deleted: bool

    @property
    def judged(self) -> bool:
        return (
            not self.is_deleted and self.period_start is not None and self.indicator_kind not in SKIPPED_KINDS
        )


class IdSet:
    """Ids kept as runs of consecutive ids: a bulk load's million ids make a run or a few."""

    def __init__(self, ids: Iterable[int]) -> None:
        self.starts, self.ends = array("q"), array("q")
        for found in sorted(ids):
            if self.ends and found <= self.ends[-1] + 1:
                if found > self.ends[-1]:
                    self.ends[-1] = found
                continue
            self.starts.append(found)
            self.ends.append(found)

    def __contains__(self, found: object) -> bool:
        at = bisect_right(self.starts, found) - 1  # type: ignore[arg-type]
        return at >= 0 and found <= self.ends[at]  # type: ignore[operator]

    def __len__(self) -> int:
        return sum(self.ends) - sum(self.starts) + len(self.starts)

    def runs(self) -> list[tuple[int, int]]:
        return list(zip(self.starts, self.ends, strict=True))

    def membership(self) -> Container[int]:
        """The fastest test of membership: a range when the ids make one run."""
        if len(self.starts) == 1:
            return range(self.starts[0], self.ends[0] + 1)
        return self


def scan(rows: Iterable[tuple], *, wanted: Container[int], counts: set[int], judge: Judge) -> None:
    """Judge the wanted values among rows of STREAM columns ordered by indicator and period (none
    deleted): per period the peer groups, per unit and series the latest earlier figures."""
    current = None
    windows: dict[tuple, list[float]] = {}
    count = False
    for (indicator_id, _), members in groupby(rows, key=itemgetter(0, 1)):
        if indicator_id != current:
            current, windows, count = indicator_id, {}, indicator_id in counts
        _period(members, windows, count=count, wanted=wanted, judge=judge)


def _period(
    members: Iterable[tuple], windows: dict, *, count: bool, wanted: Container[int], judge: Judge
) -> None:
    figures: dict[tuple, list[float]] = {}
    found = []  # (value id, value, peer group, history) of the wanted values
    for _, _, value_id, unit_id, parent_id, period_type, start, kind, synthetic, value in members:
        peers = None
        if parent_id is not None:
            peers = (parent_id, kind, synthetic)
            group = figures.get(peers)
            if group is None:
                figures[peers] = [value]
            else:
                group.append(value)
        if start is None:  # undated: neither history nor peers
            if value_id in wanted:
                judge.judge(value_id, value, None, None)
            continue
        series = (unit_id, kind, period_type, synthetic)
        window = windows.get(series)
        if value_id in wanted:
            history = None
            if window is not None and len(window) >= MIN_HISTORY:
                history = expected_range(window, k=K_HISTORY, count=count)
            found.append((value_id, value, peers, history))
        if window is None:
            windows[series] = [value]
        else:
            window.append(value)
            if len(window) > HISTORY_DEPTH:
                del window[0]
    groups: dict[tuple, PeerGroup] = {}
    for value_id, value, peers, history in found:
        around = None
        if peers is not None:
            group = groups.get(peers)
            if group is None:
                group = groups[peers] = PeerGroup(figures[peers])
            around = group.ranges.get(value)
        judge.judge(value_id, value, history, around)


def _stream(rows) -> Iterator[tuple]:
    return rows.order_by("indicator_id", "period").values_list(*STREAM).iterator(chunk_size=FETCH)


def _finish(judge: Judge, known: dict[int, tuple[float, bool]] | None = None) -> None:
    """Values with an open flag that no stream judged: deleted, undated, of a rank indicator."""
    unseen = sorted(judge.unseen())
    for start in range(0, len(unseen), CHUNK):
        batch = unseen[start : start + CHUNK]
        if known is not None:
            found = [(pk, *known[pk]) for pk in batch if pk in known]
        else:
            found = Value.objects.filter(pk__in=batch).values_list("pk", "value", "is_deleted")
        for pk, value, deleted in found:
            if deleted:
                judge.deleted(pk)
            else:
                judge.judge(pk, value, None, None)
    judge.flush()


def _flag_rows(value_ids: list[int]) -> Iterator[tuple]:
    """The flags that still count for the values: open ones and those a person resolved."""
    return (
        ValueFlag.objects.filter(value_id__in=value_ids)
        .filter(Q(resolved_at__isnull=True) | Q(resolved_by__isnull=False))
        .order_by("created_at", "pk")
        .values_list(*FLAG_COLUMNS)
    )


def check_subjects(subjects: Sequence[Subject]) -> FlagReport:
    """Check a few values already read (up to CHUNK): one stream reads their units' series and,
    in their periods, their parents' units."""
    report = FlagReport(checked=len(subjects))
    judge = Judge(_flag_rows([s.id for s in subjects]), report)
    judged = [s for s in subjects if s.judged]
    if judged:
        near = Q(unit_id__in={s.unit_id for s in judged})
        parents = {s.parent_id for s in judged if s.parent_id is not None}
        if parents:
            near |= Q(period__in={s.period for s in judged}, unit__parent_id__in=parents)
        rows = Value.objects.filter(near, indicator_id__in={s.indicator_id for s in judged}, is_deleted=False)
        counts = {s.indicator_id for s in judged if s.indicator_kind == Kind.COUNT}
        scan(_stream(rows), wanted={s.id for s in judged}, counts=counts, judge=judge)
    _finish(judge, known={s.id: (s.value, s.is_deleted) for s in subjects})
    return report


def _subjects(ids: list[int]) -> list[Subject]:
    rows = Value.objects.filter(pk__in=ids).values_list(
        "pk", "unit_id", "unit__parent_id", "indicator_id", "indicator__kind", "period", "period_start",
        "value", "is_deleted",
    )  # fmt: skip
    return [Subject(*row) for row in rows]


def _query(sql: str) -> Iterator[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        while rows := cursor.fetchmany(FETCH):
            yield from rows


def check_many(value_ids: Iterable[int]) -> FlagReport:
    """Check values by id, in a transaction; see the module's docstring for how they are read."""
    ids = IdSet(value_ids)
    if len(ids) <= CHUNK:
        return check_subjects(_subjects([pk for first, last in ids.runs() for pk in range(first, last + 1)]))
    bulk_sql.stage_numbers(RUNS, ("lo", "hi"), ids.runs())
    report = FlagReport()
    kinds = dict(Indicator.objects.values_list("pk", "kind"))
    touched: dict[int, set[int | None]] = {}  # indicator → parent units
    for indicator_id, parent_id, n in _query(
        f"SELECT v.indicator_id, u.parent_id, COUNT(*) FROM {RUNS} r "
        f"JOIN {V} v ON v.id BETWEEN r.lo AND r.hi JOIN {U} u ON u.id = v.unit_id "
        "GROUP BY v.indicator_id, u.parent_id"
    ):
        report.checked += n
        if kinds[indicator_id] not in SKIPPED_KINDS:
            touched.setdefault(indicator_id, set()).add(parent_id)
    flags = _query(
        f"SELECT f.id, f.value_id, f.reason, f.flagged_value, f.expected_low, f.expected_high, f.resolved_at "
        f"FROM {RUNS} r "
        f"JOIN {F} f ON f.value_id BETWEEN r.lo AND r.hi "
        f"WHERE f.resolved_at IS NULL OR f.resolved_by_id IS NOT NULL ORDER BY f.created_at, f.id"
    )
    judge = Judge(flags, report)
    by_parents: dict[frozenset, list[int]] = {}
    for indicator_id, parents in touched.items():
        by_parents.setdefault(frozenset(parents), []).append(indicator_id)
    if by_parents:
        bulk_sql.read_whole_results()
    counts = {pk for pk, kind in kinds.items() if kind == Kind.COUNT}
    wanted = ids.membership()
    for parents, indicators in by_parents.items():
        bulk_sql.stage_numbers(PARENTS, ("id",), [(p,) for p in sorted(p for p in parents if p is not None)])
        near = Q(unit__parent_id__in=RawSQL(f"SELECT id FROM {PARENTS}", ()))
        if None in parents:
            near |= Q(unit__parent_id__isnull=True)
        rows = Value.objects.filter(near, indicator_id__in=sorted(indicators), is_deleted=False)
        scan(_stream(rows), wanted=wanted, counts=counts, judge=judge)
    _finish(judge)
    return report
