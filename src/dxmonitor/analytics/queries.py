"""Questions the analytics store answers: a figure, a pivot, a ranking, a series.

Every answer names its method: "reported" (the unit's own figure), "children" (added up from
the units under it), "months" / "quarters" (added up over time), "succession" (a unit that did
not exist yet, from the units it was formed from, weighted by the share of each that went into
it) or "ministry_average" (the plain average of those units, as the ministry scores merged
provinces), and how complete it is.
"""

import datetime
from dataclasses import dataclass, field

import duckdb

from dxmonitor.collection.periods import MONTH, QUARTER, YEAR, Period, parse_period

from .store import UNDATED, UNDATED_YEAR, fact_table, store

AUTO, SUCCESSION, MINISTRY_AVERAGE = "auto", "succession", "ministry_average"
METHODS = (AUTO, SUCCESSION, MINISTRY_AVERAGE)


@dataclass
class Figure:
    unit_id: int
    indicator_id: int
    period: str
    value: float | None
    comparator: str = "eq"
    numerator: float | None = None
    denominator: float | None = None
    method: str = ""
    parts: int | None = None
    expected: int | None = None
    unweighted: int = 0
    synthetic: bool = False
    sources: list[dict] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        if self.method == "reported":
            return True
        if self.unweighted:
            return False
        return self.parts is None or self.expected is None or self.parts >= self.expected

    def as_dict(self) -> dict:
        return {
            "unit_id": self.unit_id,
            "indicator_id": self.indicator_id,
            "period": self.period,
            "value": self.value,
            "comparator": self.comparator,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "method": self.method,
            "parts": self.parts,
            "expected": self.expected,
            "unweighted": self.unweighted,
            "complete": self.complete,
            "synthetic": self.synthetic,
            "sources": self.sources,
        }


def period_key(period: Period) -> tuple[str, int, int | None, int | None]:
    if period.start is None:
        return UNDATED, UNDATED_YEAR, None, None
    if period.type == YEAR:
        return YEAR, period.start.year, None, None
    if period.type == QUARTER:
        return QUARTER, period.start.year, (period.start.month - 1) // 3 + 1, None
    return MONTH, period.start.year, None, period.start.month


_FIGURE_COLUMNS = (
    "unit_id, indicator_id, value, comparator, numerator, denominator, method, parts, expected, unweighted, "
    "synthetic"
)


def _row_figure(row: tuple, period: Period) -> Figure:
    (
        unit_id,
        indicator_id,
        value,
        comparator,
        numerator,
        denominator,
        method,
        parts,
        expected,
        unweighted,
        synthetic,
    ) = row
    return Figure(
        unit_id,
        indicator_id,
        period.code,
        value,
        comparator or "eq",
        numerator,
        denominator,
        method,
        parts,
        expected,
        unweighted or 0,
        bool(synthetic),
    )


def figures_of(
    cursor: duckdb.DuckDBPyConnection,
    *,
    unit_ids: list[int],
    indicator_ids: list[int],
    period: Period,
    kind: str = "actual",
) -> dict[tuple[int, int], Figure]:
    """Stored figures, and for villages their own facts, of many units and indicators at once."""
    ptype, year, quarter, month = period_key(period)
    found: dict[tuple[int, int], Figure] = {}
    if not unit_ids or not indicator_ids:
        return found
    rows = cursor.execute(
        f"SELECT {_FIGURE_COLUMNS} FROM figures WHERE ptype = ? AND year = ? AND quarter IS NOT "
        "DISTINCT FROM ? "
        f"AND month IS NOT DISTINCT FROM ? AND kind = ? AND unit_id IN (SELECT unnest(?)) "
        f"AND indicator_id IN (SELECT unnest(?))",
        [ptype, year, quarter, month, kind, unit_ids, indicator_ids],
    ).fetchall()
    for row in rows:
        found[(row[0], row[1])] = _row_figure(row, period)
    missing = [u for u in unit_ids if any((u, i) not in found for i in indicator_ids)]
    if missing:
        found.update(
            _village_figures(cursor, unit_ids=missing, indicator_ids=indicator_ids, period=period, kind=kind)
        )
    return {k: v for k, v in found.items() if k[0] in set(unit_ids)}


def _village_figures(
    cursor: duckdb.DuckDBPyConnection,
    *,
    unit_ids: list[int],
    indicator_ids: list[int],
    period: Period,
    kind: str,
) -> dict[tuple[int, int], Figure]:
    """A village's figure is its own: reported at the period, or from its finer reports."""
    ptype, year, quarter, month = period_key(period)
    table = fact_table(year)
    if not cursor.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [table]
    ).fetchone()[0]:
        return {}
    months = (3 * quarter - 2, 3 * quarter) if ptype == QUARTER else (1, 12)
    rows = cursor.execute(
        f"""
        SELECT f.unit_id, f.indicator_id, f.ptype, f.quarter, f.month, f.value, f.comparator, f.numerator,
               f.denominator, f.synthetic, i.period_aggregation, i.aggregation
        FROM {table} f JOIN indicators i ON i.id = f.indicator_id
        WHERE f.kind = ? AND f.unit_id IN (SELECT unnest(?)) AND f.indicator_id IN (SELECT unnest(?))
        """,
        [kind, unit_ids, indicator_ids],
    ).fetchall()
    grouped: dict[tuple[int, int], list[tuple]] = {}
    for row in rows:
        grouped.setdefault((row[0], row[1]), []).append(row)
    found = {}
    for key, facts in grouped.items():
        exact = [f for f in facts if f[2] == ptype and f[3] == quarter and f[4] == month]
        if exact:
            f = exact[0]
            found[key] = Figure(
                key[0], key[1], period.code, f[5], f[6], f[7], f[8], "reported", synthetic=bool(f[9])
            )
            continue
        if ptype == MONTH:
            continue
        finer = [f for f in facts if f[2] == MONTH and months[0] <= f[4] <= months[1]]
        if ptype == YEAR and not finer:
            finer = [(f[0], f[1], f[2], f[3], 3 * f[3], *f[5:]) for f in facts if f[2] == QUARTER]
        if finer:
            found[key] = _over_time(key, finer, period)
    return found


def _over_time(key: tuple[int, int], facts: list[tuple], period: Period) -> Figure:
    flows = facts[0][10] == "sum"
    facts = sorted(facts, key=lambda f: f[4])
    method = "months" if facts[0][2] == MONTH else "quarters"
    if not flows:
        last = facts[-1]
        end_month = period.end.month if period.end else 12
        return Figure(
            key[0],
            key[1],
            period.code,
            last[5],
            last[6],
            last[7],
            last[8],
            method,
            int(last[4] == end_month),
            1,
            synthetic=any(f[9] for f in facts),
        )
    expected = 3 if period.type == QUARTER else (12 if method == "months" else 4)
    if facts[0][11] == "ratio_of_sums":
        if any(f[8] is None for f in facts):
            return Figure(
                key[0],
                key[1],
                period.code,
                None,
                method=method,
                parts=len(facts),
                expected=expected,
                unweighted=sum(f[8] is None for f in facts),
            )
        top, bottom = sum(f[7] for f in facts), sum(f[8] for f in facts)
        value = 100.0 * top / bottom if bottom else None
        return Figure(
            key[0],
            key[1],
            period.code,
            value,
            "eq",
            top,
            bottom,
            method,
            len(facts),
            expected,
            synthetic=any(f[9] for f in facts),
        )
    return Figure(
        key[0],
        key[1],
        period.code,
        sum(f[5] for f in facts),
        "eq",
        None,
        None,
        method,
        len(facts),
        expected,
        synthetic=any(f[9] for f in facts),
    )


def figure(
    *, unit_id: int, indicator_id: int, period: Period, kind: str = "actual", method: str = AUTO
) -> Figure | None:
    """The figure of one unit, indicator and period, by the method asked for.

    AUTO gives the unit's own figure when it existed during the period, and otherwise goes
    back through the succession links; SUCCESSION and MINISTRY_AVERAGE always do.
    """
    with store() as cursor:
        unit = cursor.execute("SELECT valid_from, valid_to FROM units WHERE id = ?", [unit_id]).fetchone()
        if unit is None:
            return None
        valid_from, valid_to = unit
        existed = period.start is None or (
            (valid_from is None or valid_from <= period.end)
            and (valid_to is None or valid_to >= period.start)
        )
        if method == AUTO and existed:
            return figures_of(
                cursor, unit_ids=[unit_id], indicator_ids=[indicator_id], period=period, kind=kind
            ).get((unit_id, indicator_id))
        return _through_succession(
            cursor,
            unit_id=unit_id,
            indicator_id=indicator_id,
            period=period,
            kind=kind,
            average=method == MINISTRY_AVERAGE,
        )


def _through_succession(
    cursor: duckdb.DuckDBPyConnection,
    *,
    unit_id: int,
    indicator_id: int,
    period: Period,
    kind: str,
    average: bool,
) -> Figure | None:
    """A unit's figure from the units it was formed from, weighted by the share of each."""
    if period.start is None:
        return None
    day = period.end or datetime.date.max
    # A new province was formed from old provinces — and, through them, their districts: only
    # the predecessors of its own level count, or the sums would count each figure twice. An
    # island district that became a special zone has no commune to stand for it: then any.
    sources = cursor.execute(
        """
        WITH candidates AS (
            SELECT s.predecessor_id, s.weight, u.name, u.level = me.level AS same_level
            FROM successions s JOIN units u ON u.id = s.predecessor_id JOIN units me ON me.id = s.successor_id
            WHERE s.successor_id = ? AND (u.valid_from IS NULL OR u.valid_from <= ?)
              AND (u.valid_to IS NULL OR u.valid_to >= ?)
        )
        SELECT predecessor_id, weight, name FROM candidates
        WHERE same_level OR NOT EXISTS (SELECT 1 FROM candidates WHERE same_level)
        ORDER BY predecessor_id
        """,
        [unit_id, day, period.start],
    ).fetchall()
    if not sources:
        return None
    aggregation, context_id = cursor.execute(
        "SELECT aggregation, context_id FROM indicators WHERE id = ?", [indicator_id]
    ).fetchone()
    ids = [s[0] for s in sources]
    found = figures_of(
        cursor,
        unit_ids=ids,
        indicator_ids=[indicator_id, *([context_id] if context_id else [])],
        period=period,
        kind=kind,
    )
    return combine_predecessors(
        unit_id=unit_id,
        indicator_id=indicator_id,
        period=period,
        sources=sources,
        found=found,
        aggregation=aggregation,
        context_id=context_id,
        average=average,
    )


def combine_predecessors(
    *,
    unit_id: int,
    indicator_id: int,
    period: Period,
    sources: list[tuple[int, float, str]],
    found: dict[tuple[int, int], Figure],
    aggregation: str,
    context_id: int | None,
    average: bool = False,
) -> Figure:
    """A unit's figure from its predecessors' (id, weight, name) and their figures in `found`
    (with the context indicator's, which weighs a rate reported without its denominator)."""
    parts = [(pid, w, name, found.get((pid, indicator_id))) for pid, w, name in sources]
    used = [(pid, w, name, f) for pid, w, name, f in parts if f is not None and f.value is not None]
    described = [
        {
            "unit_id": pid,
            "name": name,
            "weight": w,
            "value": f.value if f else None,
            "method": f.method if f else None,
        }
        for pid, w, name, f in parts
    ]
    result = Figure(
        unit_id,
        indicator_id,
        period.code,
        None,
        method=MINISTRY_AVERAGE if average else SUCCESSION,
        parts=len(used),
        expected=len(parts),
        sources=described,
    )
    if not used:
        return result
    result.synthetic = any(f.synthetic for *_, f in used)
    result.comparator = _combined_comparator([f.comparator for *_, f in used])
    if average:
        result.value = sum(f.value for *_, f in used) / len(used)
        return result
    if aggregation == "sum":
        result.value = sum(w * f.value for _, w, _, f in used)
        return result
    if aggregation == "ratio_of_sums":
        top = bottom = 0.0
        for pid, w, _, f in used:
            if f.denominator is not None and f.numerator is not None:
                top, bottom = top + w * f.numerator, bottom + w * f.denominator
                continue
            weight = found.get((pid, context_id)) if context_id else None
            if weight is None or weight.value is None:
                result.unweighted += 1
                continue
            top, bottom = top + w * f.value * weight.value / 100.0, bottom + w * weight.value
        result.numerator, result.denominator = top, bottom
        result.value = 100.0 * top / bottom if bottom else None
        return result
    # Indicators that are not added across units (scores, ranks, counts of services): only a
    # unit formed whole from one other carries its figure.
    if len(parts) == 1 and parts[0][1] == 1.0:
        result.value = used[0][3].value
    return result


def _combined_comparator(comparators: list[str]) -> str:
    gt, lt = "gt" in comparators, "lt" in comparators
    if gt and not lt:
        return "gt"
    if lt and not gt:
        return "lt"
    return "approx" if any(c != "eq" for c in comparators) else "eq"


def pivot(
    *, unit_ids: list[int], indicator_ids: list[int], periods: list[Period], kind: str = "actual"
) -> dict[tuple[int, int, str], Figure]:
    """Figures of units × indicators × periods: the stored figures of every period in one query
    (a query per period costs as much again, twelve times for a year of months), then, per
    period, the villages' own for the units without a stored figure."""
    found: dict[tuple[int, int, str], Figure] = {}
    if not unit_ids or not indicator_ids or not periods:
        return found
    wanted = {period_key(period): period for period in periods}
    with store() as cursor:
        rows = cursor.execute(
            f"SELECT ptype, year, quarter, month, {_FIGURE_COLUMNS} FROM figures WHERE kind = ? "
            "AND ptype IN (SELECT unnest(?)) AND year IN (SELECT unnest(?)) "
            "AND unit_id IN (SELECT unnest(?)) AND indicator_id IN (SELECT unnest(?))",
            [
                kind,
                sorted({k[0] for k in wanted}),
                sorted({k[1] for k in wanted}),
                unit_ids,
                indicator_ids,
            ],
        ).fetchall()
        for ptype, year, quarter, month, *row in rows:
            period = wanted.get((ptype, year, quarter, month))
            if period is not None:
                result = _row_figure(tuple(row), period)
                found[(result.unit_id, result.indicator_id, period.code)] = result
        for period in periods:
            missing = [u for u in unit_ids if any((u, i, period.code) not in found for i in indicator_ids)]
            if not missing:
                continue
            for (unit_id, indicator_id), result in _village_figures(
                cursor, unit_ids=missing, indicator_ids=indicator_ids, period=period, kind=kind
            ).items():
                found[(unit_id, indicator_id, period.code)] = result
    return found


@dataclass
class Place:
    unit_id: int
    figure: Figure | None
    rank: int | None
    previous_rank: int | None

    @property
    def change(self) -> int | None:
        """Places gained (positive) or lost since the previous period."""
        if self.rank is None or self.previous_rank is None:
            return None
        return self.previous_rank - self.rank


def ranking(
    *, unit_ids: list[int], indicator_id: int, period: Period, previous: Period | None, direction: str
) -> list[Place]:
    """Units ranked on one indicator; ties share a rank; units without a figure come last."""
    with store() as cursor:
        now = figures_of(cursor, unit_ids=unit_ids, indicator_ids=[indicator_id], period=period)
        before = (
            figures_of(cursor, unit_ids=unit_ids, indicator_ids=[indicator_id], period=previous)
            if previous
            else {}
        )
    ranks_now = _ranks({u: f.value for (u, _), f in now.items() if f.value is not None}, direction)
    ranks_before = _ranks({u: f.value for (u, _), f in before.items() if f.value is not None}, direction)
    places = [Place(u, now.get((u, indicator_id)), ranks_now.get(u), ranks_before.get(u)) for u in unit_ids]
    return sorted(places, key=lambda p: (p.rank is None, p.rank or 0, p.unit_id))


def _ranks(values: dict[int, float], direction: str) -> dict[int, int]:
    ordered = sorted(values.items(), key=lambda item: item[1], reverse=direction != "down")
    ranks: dict[int, int] = {}
    for position, (unit_id, value) in enumerate(ordered, start=1):
        previous = ordered[position - 2] if position > 1 else None
        ranks[unit_id] = ranks[previous[0]] if previous and previous[1] == value else position
    return ranks


def series(*, unit_id: int, indicator_id: int, ptype: str, kind: str = "actual") -> list[tuple[str, Figure]]:
    """A unit's figures of one indicator over every period of one type the store holds."""
    with store() as cursor:
        rows = cursor.execute(
            f"SELECT year, quarter, month, {_FIGURE_COLUMNS} FROM figures WHERE unit_id = ? AND "
            "indicator_id = ? "
            f"AND ptype = ? AND kind = ? ORDER BY year, quarter, month",
            [unit_id, indicator_id, ptype, kind],
        ).fetchall()
    result = []
    for year, quarter, month, *row in rows:
        code = (
            f"{year}"
            if ptype == YEAR
            else (f"{year}Q{quarter}" if ptype == QUARTER else f"{year}{month:02d}")
        )
        period = parse_period(code)
        result.append((code, _row_figure(tuple(row), period)))
    return result
