"""The analytics store: DuckDB files built for scans, next to the operational database.

Dashboards read figures from here instead of scanning the operational database: leaf values
(`facts`, one table per year so that a refresh rewrites only the years it touches) and the
figures of every commune, district and province at every month, quarter and year (`figures`).
The store is derived data: it can always be rebuilt from the operational database.

Any number of processes share it. A DuckDB file is held by one process while it is open for
writing, so nothing ever writes the file readers read: the store is a series of generations,
each a file of its own, and the store's path is a symbolic link to the current one. A refresh
(one at a time, under an exclusive lock on a file beside the store) copies the current
generation (or starts an empty one for a full rebuild), brings the copy up to date, and then
points the link at it in one rename. Readers open the current generation read-only, which any
number of processes may do at once, and move to a newer one at their next question: a reader
sees either the whole of one refresh or none of it, and never waits for one.
"""

import fcntl
import os
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
from django.conf import settings

SCHEMA_VERSION = "2"

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
# The in-memory store (tests, one process): one read-write connection per process.
_memory: dict[str, duckdb.DuckDBPyConnection] = {}
# Read-only connections to the generations of the file stores: per generation file, the
# connection and how many cursors of it are in use (an old one closes when none are).
_readers: dict[str, list] = {}
# Generations kept besides the current one: a reader in the middle of a question on the
# previous one keeps its open file either way (an unlinked file lives while it is open).
KEEP_GENERATIONS = 1


def store_path() -> str:
    """The store (setting DXM_ANALYTICS_PATH); ":memory:" keeps it in memory (tests)."""
    configured = getattr(settings, "ANALYTICS_PATH", "")
    return configured or str(Path(settings.VAR_DIR) / "analytics.duckdb")


def _config() -> dict:
    memory = getattr(settings, "ANALYTICS_MEMORY", "")
    return {"memory_limit": memory} if memory else {}


def generations_dir(path: str) -> Path:
    return Path(path + ".d")


def current_generation(path: str) -> Path | None:
    """The file the store's path points at now; a plain file (a store written before
    generations) is its own generation."""
    link = Path(path)
    if link.is_symlink():
        return link.parent / os.readlink(link)
    return link if link.exists() else None


def _open_memory(path: str) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect(path, config=_config())
    connection.execute(_TABLES)
    return connection


@contextmanager
def store() -> Iterator[duckdb.DuckDBPyConnection]:
    """A cursor on the store's current generation, read-only (the in-memory store of tests is
    read-write). One connection per process and generation."""
    path = store_path()
    if path == ":memory:":
        with _lock:
            connection = _memory.get(path)
            if connection is None:
                connection = _memory[path] = _open_memory(path)
        cursor = connection.cursor()
        try:
            yield cursor
        finally:
            cursor.close()
        return
    generation = current_generation(path)
    if generation is None:
        publish_empty(path)
        generation = current_generation(path)
    key = str(generation)
    with _lock:
        held = _readers.get(key)
        if held is None:
            held = _readers[key] = [duckdb.connect(key, read_only=True, config=_config()), 0]
        held[1] += 1
        cursor = held[0].cursor()
    try:
        yield cursor
    finally:
        cursor.close()
        with _lock:
            held[1] -= 1
            _close_idle(keep=key)


def _close_idle(*, keep: str) -> None:
    """Close the connections to older generations that no cursor uses any more."""
    for key, (connection, users) in list(_readers.items()):
        if key != keep and users == 0:
            connection.close()
            del _readers[key]


def close_all() -> None:
    with _lock:
        for connection in _memory.values():
            connection.close()
        _memory.clear()
        for connection, _users in _readers.values():
            connection.close()
        _readers.clear()


@contextmanager
def writer_lock(path: str, *, wait: bool = True) -> Iterator[bool]:
    """One writer at a time across processes: an exclusive lock on a file beside the store,
    released by the kernel if its process dies. Yields whether the lock is held (always, when
    waiting for it)."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with open(path + ".lock", "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def new_generation(path: str, *, copy: bool) -> Path:
    """A file for the next generation: a copy of the current one, or empty. Under the writer lock."""
    folder = generations_dir(path)
    folder.mkdir(parents=True, exist_ok=True)
    numbers = [int(p.stem[1:]) for p in folder.glob("g*.duckdb") if p.stem[1:].isdigit()]
    target = folder / f"g{max(numbers, default=0) + 1:06d}.duckdb"
    target.unlink(missing_ok=True)
    Path(str(target) + ".wal").unlink(missing_ok=True)
    current = current_generation(path)
    if copy and current is not None:
        shutil.copyfile(current, target)
    return target


def open_for_writing(target: Path) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect(str(target), config=_config())
    connection.execute(_TABLES)
    return connection


def publish(path: str, target: Path) -> None:
    """Point the store at a finished generation in one rename, and remove the ones before it
    that no reader should still need."""
    link = Path(path)
    temporary = link.with_name(link.name + ".next")
    temporary.unlink(missing_ok=True)
    temporary.symlink_to(os.path.relpath(target, link.parent))
    os.replace(temporary, link)
    older = sorted(p for p in generations_dir(path).glob("g*.duckdb") if p.name < target.name)
    for stale in older[: max(0, len(older) - KEEP_GENERATIONS)]:
        stale.unlink(missing_ok=True)
        Path(str(stale) + ".wal").unlink(missing_ok=True)


def publish_empty(path: str) -> None:
    """Give a new installation's readers an empty store until the first refresh is done. A
    refresh that holds the lock publishes one itself before its long work: wait for that."""
    deadline = time.monotonic() + 60
    while current_generation(path) is None:
        with writer_lock(path, wait=False) as held:
            if held and current_generation(path) is None:
                target = new_generation(path, copy=False)
                open_for_writing(target).close()
                publish(path, target)
                return
        if time.monotonic() > deadline:
            raise TimeoutError(f"no analytics store at {path}")
        time.sleep(0.05)


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
