"""Keep the store in step with the operational database: a full rebuild, or only what changed.

Every change to a value leaves a history row (ValueChange); the store remembers the last one it
took in (its watermark). An incremental refresh reads the values changed since, replaces their
facts, and recomputes the figures of only the years, units (the changed ones, their ancestors
and the villages beside them) and indicators (with those that weigh or are weighed by them)
they touch. Anything that changes how figures add up — the catalogue's rules — rebuilds all.
"""

import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import duckdb
import pyarrow as pa
from django.db.models import Max

from dxmonitor.collection.models import ValueChange

from . import feed
from .rollup import build_year
from .store import (
    SCHEMA_VERSION,
    ensure_fact_table,
    fact_table,
    fact_years,
    get_meta,
    set_meta,
    store,
)

Progress = Callable[[str], None]
_refreshing = threading.Lock()
# Beyond this share of the stored facts an incremental refresh would cost more than a rebuild.
FULL_REBUILD_SHARE = 0.2


@dataclass
class RefreshReport:
    full: bool
    values: int = 0
    years: list[int] = field(default_factory=list)
    figures: int = 0
    seconds: float = 0.0
    watermark: int = 0


def watermark_now() -> int:
    return ValueChange.objects.aggregate(top=Max("id"))["top"] or 0


def refresh(*, full: bool = False, progress: Progress | None = None) -> RefreshReport:
    """Bring the store up to date; a full rebuild when asked, when the store is new or when
    the catalogue's rules of aggregation changed, else only what changed since the last time."""
    say = progress or (lambda _message: None)
    with _refreshing, store() as cursor:
        started = time.monotonic()
        top = watermark_now()
        _load_reference(cursor)
        rules = _rules_fingerprint(cursor)
        stale = (
            full
            or get_meta(cursor, "schema") != SCHEMA_VERSION
            or get_meta(cursor, "rules") != rules
            or not get_meta(cursor, "watermark")
        )
        report = _rebuild(cursor, say, top) if stale else _increment(cursor, say, top)
        set_meta(cursor, "schema", SCHEMA_VERSION)
        set_meta(cursor, "rules", rules)
        set_meta(cursor, "watermark", str(report.watermark))
        set_meta(cursor, "refreshed_at", str(time.time()))
        report.seconds = time.monotonic() - started
        return report


def _load_reference(cursor: duckdb.DuckDBPyConnection) -> None:
    feed.load_table(cursor, table="units", sql=feed.UNITS_SQL, schema=feed.UNIT_SCHEMA)
    feed.load_table(cursor, table="indicators", sql=feed.INDICATORS_SQL, schema=feed.INDICATOR_SCHEMA)
    feed.load_table(cursor, table="successions", sql=feed.SUCCESSIONS_SQL, schema=feed.SUCCESSION_SCHEMA)
    feed.load_table(cursor, table="datasets", sql=feed.DATASETS_SQL, schema=feed.DATASET_SCHEMA)
    feed.load_table(cursor, table="reports", sql=feed.REPORTS_SQL, schema=feed.REPORT_SCHEMA)


def _rules_fingerprint(cursor: duckdb.DuckDBPyConnection) -> str:
    rows = cursor.execute(
        "SELECT id, aggregation, period_aggregation, context_id FROM indicators ORDER BY id"
    ).fetchall()
    return hashlib.sha256(repr(rows).encode()).hexdigest()[:16]


def _rebuild(cursor: duckdb.DuckDBPyConnection, say: Progress, top: int) -> RefreshReport:
    report = RefreshReport(full=True, watermark=top)
    for year in fact_years(cursor):
        cursor.execute(f"DROP TABLE IF EXISTS {fact_table(year)}")
    cursor.execute("DELETE FROM figures")
    say("values: reading from the operational database")
    report.values = _insert_facts(cursor, feed.VALUES_SQL, [], say=say)
    cursor.execute("CHECKPOINT")
    report.years = fact_years(cursor)
    for number, year in enumerate(report.years, start=1):
        report.figures += build_year(cursor, year=year)
        say(f"figures: {year} done ({number}/{len(report.years)})")
    return report


def _insert_facts(
    cursor: duckdb.DuckDBPyConnection, sql: str, params: list, *, say: Progress | None = None
) -> int:
    """Stream values into the year tables they belong to."""
    count = 0
    made: set[int | None] = set()
    for batch in feed.batches(sql, feed.VALUE_SCHEMA, params):
        cursor.register("incoming", batch)
        years = [
            y
            for (y,) in cursor.execute(
                "SELECT DISTINCT COALESCE(year(period_start), 0) FROM incoming"
            ).fetchall()
        ]
        for year in years:
            if year not in made:
                ensure_fact_table(cursor, year)
                made.add(year)
            where = "period_start IS NULL" if not year else f"year(period_start) = {year}"
            cursor.execute(
                f"INSERT INTO {fact_table(year)} SELECT {feed.FACT_SELECT} FROM incoming WHERE {where}"
            )
        cursor.unregister("incoming")
        count += batch.num_rows
        if say:
            say(f"values: {count:,} read")
    return count


def _increment(cursor: duckdb.DuckDBPyConnection, say: Progress, top: int) -> RefreshReport:
    mark = int(get_meta(cursor, "watermark") or 0)
    report = RefreshReport(full=False, watermark=top)
    if top <= mark:
        report.watermark = mark
        return report
    changed = sorted(
        set(ValueChange.objects.filter(id__gt=mark, id__lte=top).values_list("value_id", flat=True))
    )
    stored = sum(
        cursor.execute(f"SELECT count(*) FROM {fact_table(y)}").fetchone()[0] for y in fact_years(cursor)
    )
    if len(changed) > max(10_000, FULL_REBUILD_SHARE * stored):
        return _rebuild(cursor, say, top)
    report.values = len(changed)
    # The current state of every changed value, deleted ones included, so that their facts go.
    cursor.execute("CREATE OR REPLACE TEMP TABLE changed (id BIGINT)")
    for start in range(0, len(changed), 50_000):
        cursor.register("ids", pa.table({"id": pa.array(changed[start : start + 50_000], type=pa.int64())}))
        cursor.execute("INSERT INTO changed SELECT id FROM ids")
        cursor.unregister("ids")
    for year in fact_years(cursor):
        cursor.execute(f"DELETE FROM {fact_table(year)} WHERE value_id IN (SELECT id FROM changed)")
    for start in range(0, len(changed), 5_000):
        part = changed[start : start + 5_000]
        _insert_facts(cursor, feed.VALUES_SQL + f" AND id IN ({', '.join(['%s'] * len(part))})", part)
    touched = _touched(changed)
    years = sorted({year for _, _, year in touched})
    _scope(cursor, touched)
    for year in years:
        report.figures += build_year(cursor, year=year, scope="scope_units", indicators="scope_indicators")
    report.years = years
    say(f"refreshed {len(changed):,} changed values in {len(years)} year(s)")
    return report


def _touched(changed: list[int]) -> list[tuple[int, int, int]]:
    """(unit, indicator, year) of the changed values, deleted ones included."""
    from dxmonitor.collection.models import Value

    found = []
    for start in range(0, len(changed), 5_000):
        rows = Value.objects.filter(pk__in=changed[start : start + 5_000]).values_list(
            "unit_id", "indicator_id", "period_start"
        )
        found.extend((unit, indicator, day.year if day else 0) for unit, indicator, day in rows)
    return found


def _scope(cursor: duckdb.DuckDBPyConnection, touched: list[tuple[int, int, int]]) -> None:
    """The units and indicators whose figures a change can move."""
    cursor.register(
        "touched",
        pa.table(
            {
                "unit_id": pa.array([t[0] for t in touched], type=pa.int64()),
                "indicator_id": pa.array([t[1] for t in touched], type=pa.int64()),
            }
        ),
    )
    # A changed unit and every ancestor (the ids in its path), and the villages beside each
    # commune among them: village figures are not kept, so a commune is recomputed from all.
    cursor.execute(
        """
        CREATE OR REPLACE TEMP TABLE scope_units AS
        WITH ancestors AS (
            SELECT DISTINCT CAST(unnest(string_split(trim(u.path, '/'), '/')) AS BIGINT) AS id
            FROM units u WHERE u.id IN (SELECT unit_id FROM touched)
        )
        SELECT id FROM ancestors
        UNION SELECT v.id FROM units v WHERE v.level = 'village' AND v.parent_id IN (SELECT id FROM ancestors)
        """
    )
    # The changed indicators, the rates they weigh, and the weights of those rates.
    cursor.execute(
        """
        CREATE OR REPLACE TEMP TABLE scope_indicators AS
        WITH direct AS (SELECT DISTINCT indicator_id AS id FROM touched),
             weighed AS (SELECT i.id FROM indicators i WHERE i.context_id IN (SELECT id FROM direct)),
             wanted AS (SELECT id FROM direct UNION SELECT id FROM weighed)
        SELECT id FROM wanted
        UNION SELECT i.context_id FROM indicators i WHERE i.id IN (SELECT id FROM wanted) AND
            i.context_id IS NOT NULL
        """
    )
    cursor.unregister("touched")
