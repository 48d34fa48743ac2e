"""The analytics store: a DuckDB file built for scans, next to the operational database.

Dashboards read figures from here instead of scanning the operational database: leaf values
(`facts`, one table per year so that a refresh rewrites only the years it touches) and the
figures of every commune, district and province at every month, quarter and year (`figures`).
The store is derived data: it can always be rebuilt from the operational database.
"""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
from django.conf import settings

SCHEMA_VERSION = "1"

_TABLES = """
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE IF NOT EXISTS units (
    id BIGINT, code VARCHAR, name VARCHAR, level VARCHAR, parent_id BIGINT, path VARCHAR, depth INTEGER,
    valid_from DATE, valid_to DATE
);
CREATE TABLE IF NOT EXISTS indicators (
    id BIGINT, code VARCHAR, kind VARCHAR, measure_unit VARCHAR, aggregation VARCHAR,
    period_aggregation VARCHAR, direction VARCHAR, context_id BIGINT
);
CREATE TABLE IF NOT EXISTS successions (predecessor_id BIGINT, successor_id BIGINT, weight DOUBLE);
CREATE TABLE IF NOT EXISTS datasets (id BIGINT, code VARCHAR, level VARCHAR, period_type VARCHAR);
CREATE TABLE IF NOT EXISTS reports (
    dataset_id BIGINT, unit_id BIGINT, period VARCHAR, status VARCHAR, is_late BOOLEAN,
        submitted_at TIMESTAMPTZ
);
CREATE TABLE IF NOT EXISTS figures (
    unit_id BIGINT, depth INTEGER, indicator_id BIGINT, ptype VARCHAR, year INTEGER, quarter INTEGER,
    month INTEGER, kind VARCHAR, value DOUBLE, comparator VARCHAR, numerator DOUBLE, denominator DOUBLE,
    method VARCHAR, parts INTEGER, expected INTEGER, unweighted INTEGER, synthetic BOOLEAN
);
"""

FACT_COLUMNS = """
    value_id BIGINT, unit_id BIGINT, indicator_id BIGINT, ptype VARCHAR, year INTEGER, quarter INTEGER,
    month INTEGER, kind VARCHAR, value DOUBLE, comparator VARCHAR, numerator DOUBLE, denominator DOUBLE,
    synthetic BOOLEAN
"""

_lock = threading.RLock()
_connections: dict[str, duckdb.DuckDBPyConnection] = {}


def store_path() -> str:
    """The DuckDB file (setting DXM_ANALYTICS_PATH); ":memory:" keeps it in memory (tests)."""
    configured = getattr(settings, "ANALYTICS_PATH", "")
    return configured or str(Path(settings.VAR_DIR) / "analytics.duckdb")


def _open(path: str) -> duckdb.DuckDBPyConnection:
    if path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    connection = duckdb.connect(path)
    memory = getattr(settings, "ANALYTICS_MEMORY", "")
    if memory:
        connection.execute(f"SET memory_limit = '{memory}'")
    connection.execute(_TABLES)
    return connection


@contextmanager
def store() -> Iterator[duckdb.DuckDBPyConnection]:
    """A cursor on the store. One connection per process and path; DuckDB serialises writers."""
    path = store_path()
    with _lock:
        connection = _connections.get(path)
        if connection is None:
            connection = _connections[path] = _open(path)
    cursor = connection.cursor()
    try:
        yield cursor
    finally:
        cursor.close()


def close_all() -> None:
    with _lock:
        for connection in _connections.values():
            connection.close()
        _connections.clear()


# Undated figures (a narrative's "12 tổ công nghệ số" with no year) are kept as year 0, period
# type "U": they add up across units like any other period, and never over time.
UNDATED_YEAR = 0
UNDATED = "U"


def fact_table(year: int | None) -> str:
    return "facts_undated" if not year else f"facts_y{year}"


def fact_years(cursor: duckdb.DuckDBPyConnection) -> list[int]:
    """The years the store holds facts of, undated (0) first when there are any."""
    names = [n for (n,) in cursor.execute("SELECT table_name FROM information_schema.tables").fetchall()]
    years = sorted(int(n[len("facts_y") :]) for n in names if n.startswith("facts_y"))
    return ([UNDATED_YEAR] if "facts_undated" in names else []) + years


def ensure_fact_table(cursor: duckdb.DuckDBPyConnection, year: int | None) -> str:
    name = fact_table(year)
    cursor.execute(f"CREATE TABLE IF NOT EXISTS {name} ({FACT_COLUMNS})")
    return name


def get_meta(cursor: duckdb.DuckDBPyConnection, key: str, default: str = "") -> str:
    row = cursor.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
    return row[0] if row else default


def set_meta(cursor: duckdb.DuckDBPyConnection, key: str, value: str) -> None:
    cursor.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, value])
