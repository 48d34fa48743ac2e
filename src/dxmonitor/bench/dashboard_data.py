"""The analytics bench's synthetic country as a site of the product, for
`dxmonitor bench dashboard --scale small|medium|full`.

A PostgreSQL database is made for the run on 127.0.0.1:5432 (user postgres, trust) and given the
product's schema by its own migrations and the catalogue by `dxmonitor catalog load`. The units,
indicators and values are those of `dxmonitor bench analytics` (the same generator: names,
indicator choice, value distributions), written into the product's tables: the units into
`geo_unit` with their materialised paths and folded search text, the values into
`collection_value` with the catalogue's indicator ids. The product's own `dxmonitor analytics
refresh --full` then builds the store, and the site is served by `dxmonitor serve` in a process
of its own. The database and the folder (store included) are removed at the end.

Loading hundreds of millions of values goes the way a bulk load does: the values table (and the
empty tables that refer to it) are unlogged, the identity constraint and secondary indexes are
dropped during the load and built again after it, and foreign-key triggers are not fired for
columns the generator leaves empty. The table's primary key stays throughout. No history rows are
written: the store does not need them to build, and no page shown reads them.
"""

import datetime
import io
import os
import secrets
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from dxmonitor.common.errors import DomainError

from .analytics import (
    COMMUNE_ID,
    SCALES,
    UNITS_AND_INDICATORS,
    Scale,
    make_indicators,
    make_units,
    make_values,
    month_of,
    pick_indicators,
)

Say = Callable[[str], None]
SERVER = "postgresql://postgres@127.0.0.1:5432"
USERNAME = "dxm-bench"
VALUES = "collection_value"
# The product's indicator ids for the generated ones, numbered as the analytics bench numbers them.
PRODUCT_INDICATORS = (
    "SELECT c.id, b.id AS n, b.aggregation FROM bench_indicator b JOIN catalog_indicator c ON c.code = b.code"
)
# Columns of the product's values that the analytics bench's table has not, as a source of
# synthetic data would set them ("{day}" is the month's first day).
VALUE_EXTRA = {
    "period_end": "(DATE '{day}' + INTERVAL '1 month' - INTERVAL '1 day')::date",
    "source_type": "'synthetic'",
    "source_file": "''",
    "api_client": "''",
    "evidence_quote": "''",
    "note": "''",
    "version": "1",
    "is_published": "false",
    "created_at": "now()",
    "updated_at": "now()",
}
# Values by indicator and period: an index the pages timed do not read (their one query of the
# values table, entered targets by unit and indicator, goes by the identity), which would take
# another 11 GB of disk at full scale.
SKIPPED = {"collection_value_by_indicator"}
# Disk the values need while they are loaded and indexed, per value: the table (about 160 bytes
# a row), its primary key and identity, the sorts that build them, and the store (about 20).
DISK_PER_VALUE = 300
# And with a history row per value and the index by indicator and period (the product as it is).
HISTORY_PER_VALUE = 200
UNIT_TYPES = {"Tỉnh": "tinh", "Phường": "phuong", "Xã": "xa", "Thôn": "thon", "Bản": "ban"}


@dataclass
class Site:
    """A served copy of the synthetic country: where it lives and what it holds."""

    database: str
    database_url: str
    folder: Path
    store_path: Path
    login: list[str]
    commune_id: int
    values: int = 0
    units: int = 0
    figures: int = 0
    steps_s: dict[str, float] = field(default_factory=dict)

    def env(self) -> dict[str, str]:
        return dict(
            os.environ,
            DATABASE_URL=self.database_url,
            DXM_VAR_DIR=str(self.folder),
            DXM_ANALYTICS_PATH=str(self.store_path),
            PYTHONUNBUFFERED="1",
        )

    def database_bytes(self) -> int:
        with _connect(self.database_url) as db:
            return db.execute("SELECT pg_database_size(current_database())").fetchone()[0]


def _connect(uri: str):
    import psycopg

    try:
        return psycopg.connect(uri, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        raise DomainError(
            f"the dashboard bench on the analytics bench's data needs PostgreSQL at 127.0.0.1:5432 "
            f"(user postgres, no password): {exc}",
            "Đo bảng điều hành trên dữ liệu đo hiệu năng phân tích cần PostgreSQL tại 127.0.0.1:5432 "
            "(người dùng postgres, không mật khẩu)",
        ) from exc


def _free_bytes(path: Path) -> int:
    """Free disk under a folder, or under its nearest parent this user may look into."""
    for folder in [path, *path.parents]:
        try:
            return shutil.disk_usage(folder).free
        except OSError:
            continue
    return 0


def require_server() -> None:
    """Fail with a clear message, before anything is made, when the server is absent."""
    _connect(f"{SERVER}/postgres").close()


def _command() -> list[str]:
    from dxmonitor.dashboard.bench import command

    return command()


def _run(
    site: Site, args: list[str], *, say: Say, input_text: str | None = None, relay: bool = False
) -> None:
    """A dxmonitor command on the site's database; its output relayed when `relay`, else kept
    in the site's log and shown only if it fails."""
    process = subprocess.Popen(
        [*_command(), *args],
        env=site.env(),
        cwd=site.folder,
        stdin=subprocess.PIPE if input_text is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    if input_text is not None:
        process.stdin.write(input_text)
        process.stdin.close()
    lines = []
    last = 0.0
    for line in process.stdout:
        line = line.rstrip()
        lines.append(line)
        # Progress lines come by the thousand at full scale: one every few seconds is enough.
        if relay and line and (time.monotonic() - last > 5 or not line.lstrip().startswith("[")):
            say(f"    {line.strip()}")
            last = time.monotonic()
    if process.wait():
        tail = "\n".join(lines[-20:])
        raise DomainError(f"dxmonitor {' '.join(args)} failed:\n{tail}", f"dxmonitor {args[0]} thất bại")


def _step(site: Site, name: str, say: Say):
    @contextmanager
    def timed() -> Iterator[None]:
        started = time.monotonic()
        yield
        site.steps_s[name] = round(time.monotonic() - started, 1)
        say(f"  {name}: {site.steps_s[name]:.1f} s")

    return timed()


@contextmanager
def served_country(*, scale_name: str, say: Say, as_product: bool = False) -> Iterator[Site]:
    """The synthetic country of `scale_name` in a database and store of its own, removed after
    (`as_product`: see `build`)."""
    scale = SCALES[scale_name]
    require_server()
    name = f"dxm_bench_{'pages' if as_product else 'dashboard'}_{os.getpid()}_{secrets.token_hex(4)}"
    per_value = DISK_PER_VALUE + (HISTORY_PER_VALUE if as_product else 0)
    folder = Path(tempfile.mkdtemp(prefix="dxm-bench-dashboard-"))
    admin = _connect(f"{SERVER}/postgres")
    data = Path(admin.execute("SHOW data_directory").fetchone()[0])
    free = min(_free_bytes(data), _free_bytes(folder))
    if free < scale.values * per_value:
        admin.close()
        shutil.rmtree(folder, ignore_errors=True)
        raise DomainError(
            f"--scale {scale_name} needs about {scale.values * per_value / 1e9:.0f} GB of free disk "
            f"for the database and the store; {free / 1e9:.0f} GB is free",
            f"--scale {scale_name} cần khoảng {scale.values * per_value / 1e9:.0f} GB đĩa trống; "
            f"chỉ còn {free / 1e9:.0f} GB",
        )
    admin.execute(f'CREATE DATABASE "{name}"')
    site = Site(
        database=name,
        database_url=f"postgres://postgres@127.0.0.1:5432/{name}",
        folder=folder,
        store_path=folder / "analytics.duckdb",
        login=[USERNAME, secrets.token_urlsafe(12)],
        commune_id=COMMUNE_ID,
    )
    say(
        f"the analytics bench's country ({scale_name}): {scale.provinces} provinces, {scale.communes:,} "
        f"communes, {scale.villages:,} villages × {scale.indicators} indicators × {scale.months} months = "
        f"{scale.values:,} values; database {name}, folder {folder}; load average "
        + ", ".join(f"{x:.2f}" for x in os.getloadavg())
    )
    try:
        build(site, scale, say=say, as_product=as_product)
        yield site
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
        shutil.rmtree(folder, ignore_errors=True)
        say(f"removed database {name} and folder {folder}")


# History rows as a bulk import writes them: version 1, "create", the value's fields as `after`.
HISTORY = (
    "INSERT INTO collection_valuechange (value_id, version, action, before, after, changed_at, "
    "changed_by_id, source_type, document_id, source_file, source_row, api_client, reason) "
    "SELECT id, 1, 'create', NULL, jsonb_build_object('value', value, 'comparator', comparator, "
    "'numerator', numerator, 'denominator', denominator, 'note', note, 'is_synthetic', is_synthetic, "
    "'is_deleted', FALSE), created_at, NULL, source_type, NULL, '', NULL, '', '' "
    "FROM collection_value ORDER BY id"
)


def build(site: Site, scale: Scale, *, say: Say, as_product: bool = False) -> None:
    """The country in the product's tables. `as_product`: every index the product has and a
    history row per value, as a bulk import leaves them; the store and scores are left to the
    caller (the worker builds them)."""
    say("the product's schema and catalogue")
    with _step(site, "schema_s", say):
        _run(site, ["migrate"], say=say)
        _run(site, ["catalog", "load"], say=say)
        _run(site, ["user", "create", USERNAME, "--admin", "--password-stdin"], say=say,
             input_text=site.login[1] + "\n")  # fmt: skip
    with _connect(site.database_url) as db:
        with _step(site, "units_s", say):
            db.execute(UNITS_AND_INDICATORS)
            indicators = pick_indicators(scale.indicators)
            make_indicators(db, indicators)
            missing = db.execute(
                "SELECT b.code FROM bench_indicator b LEFT JOIN catalog_indicator c ON c.code = b.code "
                "WHERE c.id IS NULL"
            ).fetchall()
            if missing:
                raise DomainError(
                    f"indicators not in the catalogue: {missing}",
                    f"Chỉ tiêu không có trong danh mục: {missing}",
                )
            make_units(db, scale)
            site.units = copy_units(db)
        say(f"generating {scale.values:,} values into {VALUES}")
        with _step(site, "values_s", say):
            rebuild = unindex(db, skipped=set() if as_product else SKIPPED)
            if as_product:
                rebuild += unindex_table(db, "collection_valuechange")
            # Foreign-key triggers are not fired: the generator leaves every such column empty.
            db.execute("SET session_replication_role = replica")
            make_values(db, scale, say, into=VALUES, indicators=PRODUCT_INDICATORS, extra=VALUE_EXTRA,
                        synthetic=True)  # fmt: skip
            if as_product:
                say("writing a history row per value, as a bulk import does")
                db.execute(HISTORY)
            db.execute("SET session_replication_role = origin")
        say("building the values table's constraints and indexes again")
        with _step(site, "index_s", say):
            db.execute("SET maintenance_work_mem = '1GB'")
            for statement in rebuild:
                started = time.monotonic()
                db.execute(statement)
                say(f"    {statement[:90]}: {time.monotonic() - started:.0f} s")
            db.execute(f"ANALYZE {VALUES}")
            db.execute("DROP TABLE bench_unit, bench_indicator")
            for table in ("geo_unit", VALUES, "collection_valuechange"):
                db.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
                )
        site.values = db.execute(f"SELECT count(*) FROM {VALUES}").fetchone()[0]
        if site.values != scale.values:
            raise DomainError(
                f"{VALUES} holds {site.values:,} values, not {scale.values:,}",
                f"{VALUES} có {site.values:,} giá trị, không phải {scale.values:,}",
            )
    if as_product:
        return
    say("the product's full rebuild of the analytics store (dxmonitor analytics refresh --full)")
    with _step(site, "refresh_s", say):
        _run(site, ["analytics", "refresh", "--full"], say=say, relay=True)
    # The ranking panel reads stored scores: the shipped schemes, scored for the latest year.
    year = month_of(scale.months - 1).year
    say(f"the shipped scoring schemes, scored for {year} (dxmonitor scores compute)")
    with _step(site, "scores_s", say):
        _run(site, ["scores", "load"], say=say)
        _run(site, ["scores", "compute", "--period", str(year)], say=say, relay=True)
    import duckdb

    with duckdb.connect(str(site.store_path), read_only=True) as store:
        site.figures = store.execute("SELECT count(*) FROM figures").fetchone()[0]
    say(
        f"ready: {site.units:,} units, {site.values:,} values, {site.figures:,} figures; store "
        f"{site.store_path.stat().st_size / 1e6:,.0f} MB, database {site.database_bytes() / 1e6:,.0f} MB"
    )


def copy_units(db) -> int:
    """The generated units into the product's table, with the fields its searches read."""
    from dxmonitor.common.text import fold

    rows = db.execute(
        "SELECT id, code, name, level, parent_id, path, depth FROM bench_unit ORDER BY id"
    ).fetchall()
    short = {}
    now = datetime.datetime.now(datetime.UTC).isoformat()
    out = io.StringIO()
    for unit_id, code, name, level, parent_id, path, depth in rows:
        word, _, rest = name.partition(" ")
        short[unit_id] = rest
        ancestors = [short[int(a)] for a in path.strip("/").split("/")[:-1]]
        text = " ".join([fold(name), *(fold(a) for a in ancestors)])[:500]
        parent = parent_id if parent_id else "\\N"
        fields = [unit_id, code, name, rest, UNIT_TYPES[word], level, parent, path, depth, fold(rest), text,
                  "bench", "t", now, now]  # fmt: skip
        out.write("\t".join(str(f) for f in fields) + "\n")
    with (
        db.cursor() as cursor,
        cursor.copy(
            "COPY geo_unit (id, code, name, short_name, unit_type, level, parent_id, path, depth, "
            "search_key, search_text, source, is_synthetic, created_at, updated_at) FROM STDIN"
        ) as copy,
    ):
        copy.write(out.getvalue())
    return len(rows)


def unindex_table(db, table: str) -> list[str]:
    """A table's unique constraints and indexes dropped for a bulk load (its primary key stays);
    the statements that make it whole again."""
    rebuild = []
    for conname, definition in db.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass "
        "AND contype = 'u'",
        [table],
    ).fetchall():
        db.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{conname}"')
        rebuild.append(f'ALTER TABLE {table} ADD CONSTRAINT "{conname}" {definition}')
    for index, definition in db.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN "
        "(SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)",
        [table, table],
    ).fetchall():
        db.execute(f'DROP INDEX "{index}"')
        rebuild.append(definition)
    return rebuild


def unindex(db, *, skipped: set[str] = SKIPPED) -> list[str]:
    """Make the values table ready for a bulk load; the statements that make it whole again:
    its primary key, its identity, its indexes, then the references of other tables to it. The
    indexes named in `skipped` are left out (see SKIPPED)."""
    _unlog(db, VALUES, seen=set())  # while the references that tell which tables must follow are there
    keys, references = [], []
    for table, conname, definition, kind in db.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), contype FROM pg_constraint "
        "WHERE (conrelid = %s::regclass AND contype IN ('p', 'u')) OR (confrelid = %s::regclass AND "
        "contype = 'f' AND conrelid <> confrelid) ORDER BY contype DESC",
        [VALUES, VALUES],
    ).fetchall():
        statement = f'ALTER TABLE {table} ADD CONSTRAINT "{conname}" {definition}'
        (references if kind == "f" else keys).append((table, conname, statement))
    for table, conname, _ in references + keys[::-1]:
        db.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{conname}"')
    indexes = []
    for index, definition in db.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN "
        "(SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)",
        [VALUES, VALUES],
    ).fetchall():
        db.execute(f'DROP INDEX "{index}"')
        if index not in skipped:
            indexes.append(definition)
    # The primary key ("p") before the identity ("u"): ORDER BY contype DESC put "u" first.
    return [s for *_, s in keys[::-1]] + indexes + [s for *_, s in references]


def _unlog(db, table: str, *, seen: set[str]) -> None:
    """A table unlogged, and first every table that refers to it (a logged table cannot)."""
    seen.add(table)
    for (referrer,) in db.execute(
        "SELECT DISTINCT conrelid::regclass::text FROM pg_constraint WHERE contype = 'f' AND confrelid = "
        "%s::regclass AND conrelid <> confrelid",
        [table],
    ).fetchall():
        if referrer not in seen:
            _unlog(db, referrer, seen=seen)
    db.execute(f"ALTER TABLE {table} SET UNLOGGED")
