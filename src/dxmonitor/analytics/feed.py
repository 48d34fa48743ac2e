"""From the operational database to the store, through Arrow.

On PostgreSQL outside a transaction the rows come through the ADBC driver, which hands Arrow
record batches straight from COPY; elsewhere (SQLite, or inside a caller's transaction whose
rows no other connection could see) they come through Django's own connection, a batch at a
time. Either way memory stays bounded by the batch, whatever the table's size.

What is read comes from a `Source`: the product's own tables (the default), or tables with the
same columns in another PostgreSQL database — the analytics benchmark's synthetic national data
set, so that the benchmark times the very code that keeps the product's store.
"""

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import duckdb
import pyarrow as pa
from django.db import connection

from dxmonitor.catalog.models import Indicator
from dxmonitor.collection.models import Value, ValueChange
from dxmonitor.geo.models import Succession, Unit

BATCH = 100_000

UNITS_SQL = (
    f"SELECT id, code, name, level, parent_id, path, depth, valid_from, valid_to FROM {Unit._meta.db_table}"
)
INDICATORS_SQL = (
    f"SELECT id, code, kind, measure_unit, aggregation, period_aggregation, direction, "
    "denominator_indicator_id AS context_id "
    f"FROM {Indicator._meta.db_table}"
)
SUCCESSIONS_SQL = f"SELECT predecessor_id, successor_id, weight FROM {Succession._meta.db_table}"
DATASETS_SQL = "SELECT id, code, level, period_type FROM collection_dataset WHERE is_active"
REPORTS_SQL = "SELECT dataset_id, unit_id, period, status, is_late, submitted_at FROM workflow_report"
DATASET_SCHEMA = pa.schema([("id", pa.int64()), ("code", pa.string()), ("level", pa.string()),
                            ("period_type", pa.string())])  # fmt: skip
REPORT_SCHEMA = pa.schema([
    ("dataset_id", pa.int64()), ("unit_id", pa.int64()), ("period", pa.string()), ("status", pa.string()),
    ("is_late", pa.bool_()), ("submitted_at", pa.timestamp("us", tz="UTC")),
])  # fmt: skip
# Leaf values as the store keeps them; deleted values are left out.
VALUES_SQL = (
    f"SELECT id, unit_id, indicator_id, period_type, period, period_start, kind, value, "
    "comparator, numerator, "
    f"denominator, is_synthetic FROM {Value._meta.db_table} WHERE NOT is_deleted"
)
VALUE_SCHEMA = pa.schema([
    ("id", pa.int64()), ("unit_id", pa.int64()), ("indicator_id", pa.int64()), ("period_type", pa.string()),
    ("period", pa.string()), ("period_start", pa.date32()), ("kind", pa.string()), ("value", pa.float64()),
    ("comparator", pa.string()), ("numerator", pa.float64()), ("denominator", pa.float64()),
    ("is_synthetic", pa.bool_()),
])  # fmt: skip
UNIT_SCHEMA = pa.schema([
    ("id", pa.int64()), ("code", pa.string()), ("name", pa.string()), ("level", pa.string()),
    ("parent_id", pa.int64()), ("path", pa.string()), ("depth", pa.int32()), ("valid_from", pa.date32()),
    ("valid_to", pa.date32()),
])  # fmt: skip
INDICATOR_SCHEMA = pa.schema([
    ("id", pa.int64()), ("code", pa.string()), ("kind", pa.string()), ("measure_unit", pa.string()),
    ("aggregation", pa.string()), ("period_aggregation", pa.string()), ("direction", pa.string()),
    ("context_id", pa.int64()),
])  # fmt: skip
SUCCESSION_SCHEMA = pa.schema(
    [("predecessor_id", pa.int64()), ("successor_id", pa.int64()), ("weight", pa.float64())]
)


def values_sql(table: str) -> str:
    """Leaf values as the store keeps them; deleted values are left out."""
    return (
        "SELECT id, unit_id, indicator_id, period_type, period, period_start, kind, value, comparator, "
        f"numerator, denominator, is_synthetic FROM {table} WHERE NOT is_deleted"
    )


@dataclass(frozen=True)
class Source:
    """Where the store's rows come from. `uri` empty: the operational database through Django's
    connection; else a PostgreSQL database of that address. The values table has the columns of
    `collection_value` (with `is_deleted`), the changes table those of `collection_valuechange`
    that matter here (`id`, `value_id`): every change of a value leaves a row with a larger id."""

    uri: str = ""
    values_table: str = Value._meta.db_table
    changes_table: str = ValueChange._meta.db_table
    units_sql: str = UNITS_SQL
    indicators_sql: str = INDICATORS_SQL
    successions_sql: str = SUCCESSIONS_SQL
    datasets_sql: str = DATASETS_SQL
    reports_sql: str = REPORTS_SQL

    @property
    def values_sql(self) -> str:
        return values_sql(self.values_table)

    def batches(self, sql: str, schema: pa.Schema, params: list | None = None) -> Iterator[pa.RecordBatch]:
        if self.uri:
            if params:
                raise ValueError("queries on another database take no parameters")
            return _adbc_batches(sql, schema, uri=self.uri)
        return batches(sql, schema, params)

    def rows(self, sql: str) -> list[tuple]:
        """A small query's rows (no parameters: callers put only integers of their own in)."""
        if self.uri:
            with _psycopg(self.uri) as database:
                return database.execute(sql).fetchall()
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchall()

    def fingerprint(self, sql: str) -> str:
        """A cheap digest of a small query's rows, computed by PostgreSQL ("" elsewhere): the
        count and the sum of the rows' hashes, which any change of a row moves."""
        if not self.uri and connection.vendor != "postgresql":
            return ""
        count, total = self.rows(f"SELECT count(*), sum(hashtext(t::text)::bigint) FROM ({sql}) t")[0]
        return f"{count}:{total}"


# While a refresh runs, its queries share a connection per database: opening one costs
# milliseconds (tens for ADBC, which reads the server's types first), as much as a refresh
# with nothing to take in should cost in all.
_shared = threading.local()


@contextmanager
def shared_connections() -> Iterator[None]:
    if getattr(_shared, "pool", None) is not None:
        yield
        return
    _shared.pool = {}
    try:
        yield
    finally:
        pool, _shared.pool = _shared.pool, None
        for opened in pool.values():
            opened.close()


@contextmanager
def _connection(kind: str, uri: str, opener: Callable):
    pool = getattr(_shared, "pool", None)
    if pool is None:
        opened = opener()
        try:
            yield opened
        finally:
            opened.close()
        return
    if (kind, uri) not in pool:
        pool[(kind, uri)] = opener()
    yield pool[(kind, uri)]


def _psycopg(uri: str):
    import psycopg

    return _connection("psycopg", uri, lambda: psycopg.connect(uri, autocommit=True))


PRODUCT = Source()


def batches(sql: str, schema: pa.Schema, params: list | None = None) -> Iterator[pa.RecordBatch]:
    """Record batches of a query on the operational database."""
    if connection.vendor == "postgresql" and not connection.in_atomic_block and not params:
        yield from _adbc_batches(sql, schema, uri=_django_uri())
        return
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        while rows := cursor.fetchmany(BATCH):
            columns = list(zip(*rows, strict=True))
            yield pa.RecordBatch.from_arrays(
                [
                    pa.array(_booleans(column, field.type), type=field.type)
                    for column, field in zip(columns, schema, strict=False)
                ],
                schema=schema,
            )


def _booleans(column: tuple, kind: pa.DataType) -> tuple | list:
    # SQLite answers booleans as 0 and 1.
    return [None if v is None else bool(v) for v in column] if kind == pa.bool_() else column


def _django_uri() -> str:
    settings = connection.settings_dict
    auth = settings["USER"] + (f":{settings['PASSWORD']}" if settings.get("PASSWORD") else "")
    host, port = settings.get("HOST") or "localhost", settings.get("PORT") or 5432
    return f"postgresql://{auth}@{host}:{port}/{settings['NAME']}"


def _adbc_batches(sql: str, schema: pa.Schema, *, uri: str) -> Iterator[pa.RecordBatch]:
    import adbc_driver_postgresql.dbapi as adbc

    with _connection("adbc", uri, lambda: adbc.connect(uri)) as source, source.cursor() as cursor:
        cursor.execute(sql)
        reader = cursor.fetch_record_batch()
        for batch in reader:
            yield batch.cast(schema) if batch.schema != schema else batch


def load_table(
    cursor: duckdb.DuckDBPyConnection,
    *,
    table: str,
    sql: str,
    schema: pa.Schema,
    columns: str = "*",
    progress: Callable[[int], None] | None = None,
    source: Source = PRODUCT,
) -> int:
    """Replace a store table's rows with a query's, streaming."""
    cursor.execute(f"DELETE FROM {table}")
    return append(
        cursor, table=table, sql=sql, schema=schema, columns=columns, progress=progress, source=source
    )


def append(
    cursor: duckdb.DuckDBPyConnection,
    *,
    table: str,
    sql: str,
    schema: pa.Schema,
    columns: str = "*",
    params: list | None = None,
    progress: Callable[[int], None] | None = None,
    source: Source = PRODUCT,
) -> int:
    count = 0
    for batch in source.batches(sql, schema, params):
        cursor.register("incoming", batch)
        cursor.execute(f"INSERT INTO {table} SELECT {columns} FROM incoming")
        cursor.unregister("incoming")
        count += batch.num_rows
        if progress:
            progress(count)
    return count


# Store columns of a fact, from the incoming value columns.
FACT_SELECT = (
    "id, unit_id, indicator_id, COALESCE(NULLIF(period_type, ''), 'U'), COALESCE(year(period_start), 0), "
    "CASE WHEN period_type = 'Q' THEN quarter(period_start) END, "
    "CASE WHEN period_type = 'M' THEN month(period_start) END, "
    "kind, value, comparator, numerator, denominator, is_synthetic"
)
