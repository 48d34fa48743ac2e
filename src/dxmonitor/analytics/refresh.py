"""Keep the store in step with the operational database: a full rebuild, or only what changed.

Every change to a value leaves a history row (ValueChange); the store remembers the last one it
took in (its watermark). An incremental refresh reads the values changed since, replaces their
facts, and recomputes the figures of only the years, units (the changed ones, their ancestors
and the villages beside them) and indicators (with those that weigh or are weighed by them)
they touch. Anything that changes how figures add up — the catalogue's rules — rebuilds all.

The reference tables (units, indicators, successions, data sets, reports) are read at every
refresh but written to the store only when their fingerprint moved: the API refreshes before
answering, and a refresh with nothing to take in should cost next to nothing.
"""

import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import duckdb
import pyarrow as pa
from django.db import connection

from . import feed
from .feed import PRODUCT, Source
from .rollup import build_year
from .store import (
    SCHEMA_VERSION,
    current_generation,
    ensure_fact_table,
    fact_table,
    fact_years,
    get_meta,
    new_generation,
    open_for_writing,
    publish,
    set_meta,
    store,
    store_path,
    writer_lock,
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


def watermark_now(*, source: Source = PRODUCT) -> int:
    return source.rows(f"SELECT max(id) FROM {source.changes_table}")[0][0] or 0


def refresh(
    *, full: bool = False, progress: Progress | None = None, source: Source = PRODUCT
) -> RefreshReport:
    """Bring the store up to date; a full rebuild when asked, when the store is new or when
    the catalogue's rules of aggregation changed, else only what changed since the last time.

    A file store is written as a new generation that readers move to when it is complete;
    refreshes of several processes take turns (a second one waits for the first, then takes
    in what is left)."""
    say = progress or (lambda _message: None)
    path = store_path()
    if path == ":memory:":
        with _refreshing, store() as cursor, feed.shared_connections():
            return _refresh_into(cursor, full=full, say=say, source=source)
    with _refreshing, writer_lock(path), feed.shared_connections():
        if current_generation(path) is None:
            # Readers of a new installation get an empty store rather than wait for this one.
            empty = new_generation(path, copy=False)
            open_for_writing(empty).close()
            publish(path, empty)
        started = time.monotonic()
        if not full and _nothing_new(source=source):
            with store() as cursor:
                mark = int(get_meta(cursor, "watermark") or 0)
            return RefreshReport(full=False, watermark=mark, seconds=time.monotonic() - started)
        target = new_generation(path, copy=not full)
        writer = open_for_writing(target)
        try:
            cursor = writer.cursor()
            report = _refresh_into(cursor, full=full, say=say, source=source)
            cursor.close()
            writer.execute("CHECKPOINT")
        except BaseException:
            writer.close()
            target.unlink(missing_ok=True)
            raise
        writer.close()
        publish(path, target)
        report.seconds = time.monotonic() - started
        return report


def _nothing_new(*, source: Source) -> bool:
    """Whether the current generation already holds everything (answered only where it is
    cheap to tell: no value changed since, and on PostgreSQL the reference tables' digests)."""
    if not source.uri and connection.vendor != "postgresql":
        return False
    with store() as cursor:
        if get_meta(cursor, "schema") != SCHEMA_VERSION or not get_meta(cursor, "watermark"):
            return False
        if watermark_now(source=source) > int(get_meta(cursor, "watermark")):
            return False
        for table, sql in _reference_sql(source):
            fingerprint = source.fingerprint(sql)
            if not fingerprint or get_meta(cursor, f"table:{table}") != fingerprint:
                return False
    return True


def store_behind(*, source: Source = PRODUCT) -> bool:
    """Whether values changed since the store's last refresh (a cheap look, for requests)."""
    with store() as cursor:
        mark = int(get_meta(cursor, "watermark") or 0)
        versioned = get_meta(cursor, "schema") == SCHEMA_VERSION
    return not versioned or watermark_now(source=source) > mark


def _refresh_into(
    cursor: duckdb.DuckDBPyConnection, *, full: bool, say: Progress, source: Source
) -> RefreshReport:
    started = time.monotonic()
    top = watermark_now(source=source)
    _load_reference(cursor, source=source)
    rules = _rules_fingerprint(cursor)
    stale = (
        full
        or get_meta(cursor, "schema") != SCHEMA_VERSION
        or get_meta(cursor, "rules") != rules
        or not get_meta(cursor, "watermark")
    )
    report = _rebuild(cursor, say, top, source) if stale else _increment(cursor, say, top, source)
    # What the home page says the system holds, counted once here rather than at every visit.
    values = synthetic = 0
    for year in fact_years(cursor):
        counted = cursor.execute(
            f"SELECT count(*), count(*) FILTER (WHERE synthetic) FROM {fact_table(year)}"
        ).fetchone()
        values, synthetic = values + counted[0], synthetic + counted[1]
    # One commit for the meta rows: each costs a write of the store's log.
    cursor.execute("BEGIN TRANSACTION")
    set_meta(cursor, "count:values", str(values))
    set_meta(cursor, "count:synthetic", str(synthetic))
    set_meta(cursor, "schema", SCHEMA_VERSION)
    set_meta(cursor, "rules", rules)
    set_meta(cursor, "watermark", str(report.watermark))
    set_meta(cursor, "refreshed_at", str(time.time()))
    cursor.execute("COMMIT")
    report.seconds = time.monotonic() - started
    return report


def _reference_sql(source: Source) -> list[tuple[str, str]]:
    return [
        ("units", source.units_sql),
        ("indicators", source.indicators_sql),
        ("successions", source.successions_sql),
        ("datasets", source.datasets_sql),
        ("reports", source.reports_sql),
    ]


def _load_reference(cursor: duckdb.DuckDBPyConnection, *, source: Source) -> None:
    for table, sql, schema in (
        ("units", source.units_sql, feed.UNIT_SCHEMA),
        ("indicators", source.indicators_sql, feed.INDICATOR_SCHEMA),
        ("successions", source.successions_sql, feed.SUCCESSION_SCHEMA),
        ("datasets", source.datasets_sql, feed.DATASET_SCHEMA),
        ("reports", source.reports_sql, feed.REPORT_SCHEMA),
    ):
        fingerprint = source.fingerprint(sql)
        if fingerprint and get_meta(cursor, f"table:{table}") == fingerprint:
            continue
        rows = pa.Table.from_batches(list(source.batches(sql, schema)), schema=schema)
        fingerprint = fingerprint or _table_fingerprint(rows)
        if get_meta(cursor, f"table:{table}") == fingerprint:
            continue
        cursor.execute(f"DELETE FROM {table}")
        cursor.register("incoming", rows)
        cursor.execute(f"INSERT INTO {table} SELECT * FROM incoming")
        cursor.unregister("incoming")
        set_meta(cursor, f"table:{table}", fingerprint)


def _table_fingerprint(rows: pa.Table) -> str:
    digest = hashlib.sha256()
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, rows.schema) as writer:
        writer.write_table(rows)
    digest.update(sink.getvalue().to_pybytes())
    return digest.hexdigest()[:16]


def _rules_fingerprint(cursor: duckdb.DuckDBPyConnection) -> str:
    rows = cursor.execute(
        "SELECT id, aggregation, period_aggregation, context_id FROM indicators ORDER BY id"
    ).fetchall()
    return hashlib.sha256(repr(rows).encode()).hexdigest()[:16]


def _rebuild(cursor: duckdb.DuckDBPyConnection, say: Progress, top: int, source: Source) -> RefreshReport:
    report = RefreshReport(full=True, watermark=top)
    for year in fact_years(cursor):
        cursor.execute(f"DROP TABLE IF EXISTS {fact_table(year)}")
    cursor.execute("DELETE FROM figures")
    say("values: reading from the operational database")
    report.values = _insert_facts(cursor, source.values_sql, source=source, say=say)
    cursor.execute("CHECKPOINT")
    report.years = fact_years(cursor)
    for number, year in enumerate(report.years, start=1):
        report.figures += build_year(cursor, year=year, say=say)
        say(f"figures: {year} done ({number}/{len(report.years)})")
    return report


def _insert_facts(
    cursor: duckdb.DuckDBPyConnection, sql: str, *, source: Source, say: Progress | None = None
) -> int:
    """Stream values into the year tables they belong to."""
    count = 0
    made: set[int | None] = set()
    for batch in source.batches(sql, feed.VALUE_SCHEMA):
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


def _increment(cursor: duckdb.DuckDBPyConnection, say: Progress, top: int, source: Source) -> RefreshReport:
    mark = int(get_meta(cursor, "watermark") or 0)
    report = RefreshReport(full=False, watermark=top)
    if top <= mark:
        report.watermark = mark
        return report
    changed = sorted(
        {
            v
            for (v,) in source.rows(
                f"SELECT DISTINCT value_id FROM {source.changes_table} "
                f"WHERE id > {int(mark)} AND id <= {int(top)}"
            )
        }
    )
    stored = sum(
        cursor.execute(f"SELECT count(*) FROM {fact_table(y)}").fetchone()[0] for y in fact_years(cursor)
    )
    if len(changed) > max(10_000, FULL_REBUILD_SHARE * stored):
        return _rebuild(cursor, say, top, source)
    report.values = len(changed)
    # The current state of every changed value, deleted ones included, so that their facts go.
    touched = _touched(changed, source=source)
    years = sorted({year for _, _, year in touched})
    cursor.execute("CREATE OR REPLACE TEMP TABLE changed (id BIGINT)")
    for start in range(0, len(changed), 50_000):
        cursor.register("ids", pa.table({"id": pa.array(changed[start : start + 50_000], type=pa.int64())}))
        cursor.execute("INSERT INTO changed SELECT id FROM ids")
        cursor.unregister("ids")
    # A value keeps its period, so its facts are in its year's table — unless the row itself
    # is gone from the operational database, when any year's could hold them. The id range
    # lets the scan skip the row groups that cannot hold a changed value.
    stored_years = fact_years(cursor)
    for year in years if len(touched) == len(changed) else stored_years:
        if year in stored_years:
            cursor.execute(
                f"DELETE FROM {fact_table(year)} WHERE value_id BETWEEN {changed[0]} AND {changed[-1]} "
                "AND value_id IN (SELECT id FROM changed)"
            )
    for start in range(0, len(changed), 5_000):
        part = ", ".join(str(int(i)) for i in changed[start : start + 5_000])
        _insert_facts(cursor, source.values_sql + f" AND id IN ({part})", source=source)
    _scope(cursor, touched)
    for year in years:
        report.figures += build_year(cursor, year=year, scope="scope_units", indicators="scope_indicators")
    report.years = years
    say(f"refreshed {len(changed):,} changed values in {len(years)} year(s)")
    return report


def _touched(changed: list[int], *, source: Source) -> list[tuple[int, int, int]]:
    """(unit, indicator, year) of the changed values, deleted ones included."""
    found = []
    for start in range(0, len(changed), 5_000):
        part = ", ".join(str(int(i)) for i in changed[start : start + 5_000])
        rows = source.rows(
            f"SELECT unit_id, indicator_id, period_start FROM {source.values_table} WHERE id IN ({part})"
        )
        # SQLite answers dates as text: the year is its first four characters either way.
        found.extend((unit, indicator, int(str(day)[:4]) if day else 0) for unit, indicator, day in rows)
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
