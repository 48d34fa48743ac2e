"""The dashboard query mix of `dxmonitor bench analytics`, through the store and as plain SQL.

Each round asks four questions a dashboard asks, of a random province and indicators: a
province's figure for a month, a pivot of its communes × three indicators × the twelve months of
a year, a ranking of its communes for a month (with their places the month before), and the
province's series over every month. The store answers through the functions the API calls
(`analytics.queries`); the baseline answers the same questions with GROUP BY over the
PostgreSQL values table joined to the units by their province column, the way DHIS2-style
systems add up at query time. Every answer of both is compared.
"""

import datetime
import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from dxmonitor.analytics import queries
from dxmonitor.collection.periods import parse_period
from dxmonitor.common.errors import DomainError

# A province's figure from its villages' values: counts add up, rates are the ratio of sums.
FIGURE = (
    "CASE WHEN i.aggregation = 'ratio_of_sums' "
    "THEN 100.0 * sum(v.numerator) / nullif(sum(v.denominator), 0) ELSE sum(v.value) END"
)
FROM = (
    "FROM bench_value v JOIN bench_unit u ON u.id = v.unit_id "
    "JOIN bench_indicator i ON i.id = v.indicator_id "
    "WHERE NOT v.is_deleted AND v.kind = 'actual' AND u.province_id = %s"
)


@dataclass
class Tree:
    provinces: list[int]
    communes: dict[int, list[int]]  # of each province
    villages: dict[int, list[int]]  # of each commune
    indicators: dict[int, dict]  # those that add up across units, by id

    @classmethod
    def load(cls, db, indicators: list[dict]) -> "Tree":
        communes: dict[int, list[int]] = {}
        villages: dict[int, list[int]] = {}
        provinces = []
        for unit_id, level, parent_id in db.execute(
            "SELECT id, level, parent_id FROM bench_unit ORDER BY id"
        ).fetchall():
            if level == "province":
                provinces.append(unit_id)
            elif level == "commune":
                communes.setdefault(parent_id, []).append(unit_id)
            else:
                villages.setdefault(parent_id, []).append(unit_id)
        added = {i["id"]: i for i in indicators if i["aggregation"] in ("sum", "ratio_of_sums")}
        return cls(provinces, communes, villages, added)


def _same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def _percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))]


class Checker:
    """Counts the answers compared and keeps the first disagreements."""

    def __init__(self) -> None:
        self.compared = 0
        self.wrong: list[str] = []

    def check(self, what: str, engine: float | None, baseline: float | None) -> None:
        self.compared += 1
        if not _same(engine, baseline):
            self.wrong.append(f"{what}: store {engine!r}, SQL {baseline!r}")


def compare_and_time(
    db,
    *,
    tree: Tree,
    scale,
    rng: random.Random,
    say: Callable[[str], None],
    changed: tuple[int, datetime.date],
) -> dict:
    from .analytics import FIRST_YEAR, month_of

    engine: dict[str, list[float]] = {"figure": [], "pivot": [], "ranking": [], "series": []}
    baseline: dict[str, list[float]] = {"figure": [], "pivot": [], "ranking": [], "series": []}
    checker = Checker()
    ids = sorted(tree.indicators)
    commune, changed_day = changed
    changed_province = next(p for p, cs in tree.communes.items() if commune in cs)

    def timed(into: list[float], call: Callable, *args, **kwargs):
        started = time.perf_counter()
        result = call(*args, **kwargs)
        into.append((time.perf_counter() - started) * 1000)
        return result

    def fetch(sql: str, params: list) -> list[tuple]:
        return db.execute(sql, params).fetchall()

    for number in range(scale.rounds):
        # The first round asks about the commune-month the incremental refresh took in.
        province = changed_province if number == 0 else rng.choice(tree.provinces)
        day = changed_day if number == 0 else month_of(rng.randrange(scale.months))
        indicator = rng.choice(ids)
        three = rng.sample(ids, min(3, len(ids)))
        communes = tree.communes[province]
        period = parse_period(f"{day:%Y%m}")
        previous_day = (day - datetime.timedelta(days=1)).replace(day=1)
        previous = parse_period(f"{previous_day:%Y%m}") if previous_day.year >= FIRST_YEAR else None
        months = [parse_period(f"{day.year}{m:02d}") for m in range(1, 13)]
        ratio = tree.indicators[indicator]["aggregation"] == "ratio_of_sums"
        direction = tree.indicators[indicator]["direction"]

        # The store, through the functions the API calls.
        figure = timed(
            engine["figure"], queries.figure, unit_id=province, indicator_id=indicator, period=period
        )
        pivot = timed(engine["pivot"], queries.pivot, unit_ids=communes, indicator_ids=three, periods=months)
        ranking = timed(
            engine["ranking"],
            queries.ranking,
            unit_ids=communes,
            indicator_id=indicator,
            period=period,
            previous=previous,
            direction=direction,
        )
        series = timed(engine["series"], queries.series, unit_id=province, indicator_id=indicator, ptype="M")

        if number >= scale.baseline_rounds:
            # At national scale PostgreSQL takes tens of seconds a round: the store's latency
            # is sampled over more rounds than the baseline's.
            if number % max(1, scale.rounds // 5) == 0:
                say(f"  query round {number + 1}/{scale.rounds}")
            continue
        # The same questions as GROUP BY over the values.
        sql_figure = timed(
            baseline["figure"],
            fetch,
            f"SELECT {FIGURE} {FROM} AND v.indicator_id = %s AND v.period_start = %s GROUP BY i.aggregation",
            [province, indicator, day],
        )
        sql_pivot = timed(
            baseline["pivot"],
            fetch,
            f"SELECT u.commune_id, v.indicator_id, v.period_start, {FIGURE} {FROM} "
            "AND v.indicator_id = ANY(%s) AND v.period_start BETWEEN %s AND %s "
            "GROUP BY u.commune_id, v.indicator_id, v.period_start, i.aggregation",
            [province, three, datetime.date(day.year, 1, 1), datetime.date(day.year, 12, 1)],
        )
        order = "ASC" if direction == "down" else "DESC"
        sql_ranking = timed(
            baseline["ranking"],
            fetch,
            f"SELECT commune_id, period_start, figure, rank() OVER (PARTITION BY period_start "
            f"ORDER BY figure {order}) FROM (SELECT u.commune_id, v.period_start, {FIGURE} AS figure "
            f"{FROM} AND v.indicator_id = %s AND v.period_start = ANY(%s) "
            "GROUP BY u.commune_id, v.period_start, i.aggregation) t",
            [province, indicator, [day, previous_day]],
        )
        sql_series = timed(
            baseline["series"],
            fetch,
            f"SELECT v.period_start, {FIGURE} {FROM} AND v.indicator_id = %s "
            "GROUP BY v.period_start, i.aggregation ORDER BY v.period_start",
            [province, indicator],
        )

        what = f"province {province}, indicator {indicator} ({'rate' if ratio else 'count'}), {day:%Y-%m}"
        checker.check(
            f"figure of {what}", figure.value if figure else None, sql_figure[0][0] if sql_figure else None
        )
        pivot_sql = {(c, i, f"{d:%Y%m}"): x for c, i, d, x in sql_pivot}
        for key in sorted(set(pivot_sql) | {k for k, f in pivot.items() if f.value is not None}):
            checker.check(f"pivot cell {key}", pivot[key].value if key in pivot else None, pivot_sql.get(key))
        ranks_sql = {(c, d): (x, r) for c, d, x, r in sql_ranking}
        for place in ranking:
            now = ranks_sql.get((place.unit_id, day), (None, None))
            checker.check(
                f"ranking figure of commune {place.unit_id}, {what}",
                place.figure.value if place.figure else None,
                now[0],
            )
            checker.check(f"rank of commune {place.unit_id}, {what}", place.rank, now[1])
            if previous:
                checker.check(
                    f"previous rank of commune {place.unit_id}, {what}",
                    place.previous_rank,
                    ranks_sql.get((place.unit_id, previous_day), (None, None))[1],
                )
        series_sql = {f"{d:%Y%m}": x for d, x in sql_series}
        if [code for code, _ in series] != sorted(series_sql):
            checker.wrong.append(f"series of {what}: the store and SQL hold different months")
        for code, found in series:
            checker.check(f"series of {what} at {code}", found.value, series_sql.get(code))
        if number == 0:
            # The changed commune's own figures, just refreshed.
            mine = queries.pivot(unit_ids=[commune], indicator_ids=ids, periods=[period])
            rows = db.execute(
                f"SELECT v.indicator_id, {FIGURE} {FROM} AND v.unit_id = ANY(%s) AND v.period_start = %s "
                "AND v.indicator_id = ANY(%s) GROUP BY v.indicator_id, i.aggregation",
                [province, tree.villages[commune], day, ids],
            ).fetchall()
            for indicator_id, value in rows:
                found = mine.get((commune, indicator_id, period.code))
                checker.check(
                    f"changed commune {commune}, indicator {indicator_id}, {day:%Y-%m}",
                    found.value if found else None,
                    value,
                )
        if number % max(1, scale.rounds // 5) == 0:
            say(f"  query round {number + 1}/{scale.rounds}")

    for kind in engine:
        say(
            f"  {kind:8} store p50 {_percentile(engine[kind], 0.5):8.1f} ms, p95 "
            f"{_percentile(engine[kind], 0.95):8.1f} ms | SQL GROUP BY p50 "
            f"{_percentile(baseline[kind], 0.5):8.1f} ms, p95 {_percentile(baseline[kind], 0.95):8.1f} ms"
        )
    if checker.wrong:
        for line in checker.wrong[:20]:
            say(f"  DISAGREE {line}")
        raise DomainError(
            f"the store and the SQL baseline disagree on {len(checker.wrong)} of {checker.compared} answers",
            f"Kho phân tích và truy vấn SQL đối chứng khác nhau ở {len(checker.wrong)} câu trả lời",
        )
    say(f"agreement: {checker.compared:,} answers compared, the store and SQL GROUP BY agree on all")
    everything = [ms for samples in engine.values() for ms in samples]
    everything_sql = [ms for samples in baseline.values() for ms in samples]
    p95, p95_sql = _percentile(everything, 0.95), _percentile(everything_sql, 0.95)
    say(
        f"dashboard query mix ({len(everything)} queries, {len(everything_sql)} of them as SQL): "
        f"store p50 {_percentile(everything, 0.5):.1f} ms, "
        f"p95 {p95:.1f} ms; SQL GROUP BY p50 {_percentile(everything_sql, 0.5):.1f} ms, p95 {p95_sql:.1f} ms "
        f"({p95_sql / p95 if p95 else 0:.0f}× at p95)"
    )
    return {
        "p50_ms": round(_percentile(everything, 0.5), 1),
        "p95_ms": round(p95, 1),
        "baseline_p50_ms": round(_percentile(everything_sql, 0.5), 1),
        "baseline_p95_ms": round(p95_sql, 1),
        "agreement": f"{checker.compared} answers agree",
    }
