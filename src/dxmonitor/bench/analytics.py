"""`dxmonitor bench analytics`: the analytics store at national scale, against plain SQL.

The bench makes a synthetic national data set in a PostgreSQL database of its own (created for
the run, dropped at the end): 34 provinces, 3,321 communes and some 63,600 villages with
Vietnamese names, 60 indicators of the catalogue (counts, rates with their numerators and
denominators, figures kept at their latest) and 60 months of village values — about 229 million
values at full scale. The values table has the columns of the product's own, so the product's
refresh code reads it through a `Source` exactly as it reads the operational database: the
bench times the real engine (a full rebuild, a refresh with nothing to take in, an incremental
refresh after one commune-month changed) and the real dashboard queries, then the same
questions as plain SQL GROUP BY over the PostgreSQL values table, the way DHIS2-style systems
add up, and checks that both give the same answers.
"""

import csv
import datetime
import os
import random
import resource
import secrets
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from dxmonitor.common.errors import DomainError

Say = Callable[[str], None]


@dataclass(frozen=True)
class Scale:
    provinces: int
    communes: int
    villages: int
    indicators: int
    months: int
    # Rounds of the dashboard query mix (four queries each), and of them those also asked of
    # PostgreSQL and compared: at national scale a round costs it tens of seconds of adding up.
    rounds: int
    baseline_rounds: int

    @property
    def values(self) -> int:
        return self.villages * self.indicators * self.months


SCALES = {
    "small": Scale(
        provinces=3, communes=30, villages=600, indicators=12, months=24, rounds=20, baseline_rounds=20
    ),
    # One year of the full country: what a machine too small or too busy for "full" can run.
    "medium": Scale(
        provinces=34, communes=3321, villages=63_600, indicators=60, months=12, rounds=40, baseline_rounds=8
    ),
    "full": Scale(
        provinces=34, communes=3321, villages=63_600, indicators=60, months=60, rounds=40, baseline_rounds=6
    ),
}
FIRST_YEAR = 2021
PROVINCE_NAMES = (
    "Hà Nội", "Huế", "Lai Châu", "Điện Biên", "Sơn La", "Lạng Sơn", "Quảng Ninh", "Thanh Hóa", "Nghệ An",
    "Hà Tĩnh", "Cao Bằng", "Tuyên Quang", "Lào Cai", "Thái Nguyên", "Phú Thọ", "Bắc Ninh", "Hưng Yên",
    "Hải Phòng", "Ninh Bình", "Quảng Trị", "Đà Nẵng", "Quảng Ngãi", "Gia Lai", "Khánh Hòa", "Lâm Đồng",
    "Đắk Lắk", "Hồ Chí Minh", "Đồng Nai", "Tây Ninh", "Cần Thơ", "Vĩnh Long", "Đồng Tháp", "Cà Mau",
    "An Giang",
)  # fmt: skip
SYLLABLES = (
    "An", "Bình", "Phú", "Tân", "Hòa", "Thạnh", "Long", "Phước", "Đông", "Tây", "Nam", "Bắc", "Trung",
    "Hưng", "Thịnh", "Lộc", "Minh", "Quang", "Hải", "Sơn", "Thủy", "Lâm", "Vĩnh", "Yên", "Đức", "Xuân",
    "Hạ", "Thượng", "Mỹ", "Cẩm", "Kim", "Ngọc", "Hồng", "Thái", "Gia", "Tiên", "Lạc", "Thuận", "Hiệp",
)  # fmt: skip
PROVINCE_ID, COMMUNE_ID, VILLAGE_ID = 1, 1001, 100_001  # first id of each level


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def default_server() -> str:
    """The PostgreSQL server of the configured database, else the one on this machine."""
    from django.conf import settings

    config = settings.DATABASES["default"]
    if "postgresql" not in config["ENGINE"]:
        return "postgresql://postgres@127.0.0.1:5432/postgres"
    auth = config["USER"] + (f":{config['PASSWORD']}" if config.get("PASSWORD") else "")
    return f"postgresql://{auth}@{config.get('HOST') or 'localhost'}:{config.get('PORT') or 5432}/postgres"


def with_database(server: str, name: str) -> str:
    return server.rsplit("/", 1)[0] + f"/{name}"


def connect(uri: str):
    import psycopg

    try:
        return psycopg.connect(uri, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        raise DomainError(
            f"the analytics bench needs PostgreSQL at {uri.rsplit('@', 1)[-1]}: {exc}",
            f"Đo hiệu năng phân tích cần PostgreSQL tại {uri.rsplit('@', 1)[-1]}",
        ) from exc


def pick_indicators(count: int) -> list[dict]:
    """`count` indicators of the catalogue that add up across units, taken in turn from the
    rates, the counts and the figures kept at their latest, with store ids 1, 2, …"""
    from dxmonitor.catalog.catalog_file import DEFAULT_CATALOG

    rows = list(csv.DictReader(DEFAULT_CATALOG.read_text(encoding="utf-8-sig").splitlines()))
    groups: dict[str, list[dict]] = {"ratio_of_sums": [], "sum": [], "latest": []}
    for row in rows:
        if row["aggregation"] in groups:
            groups[row["aggregation"]].append(row)
    chosen: list[dict] = []
    while len(chosen) < count and any(groups.values()):
        for group in groups.values():
            if group and len(chosen) < count:
                chosen.append(group.pop(0))
    ids = {row["code"]: number for number, row in enumerate(chosen, start=1)}
    return [
        {
            "id": ids[row["code"]],
            "code": row["code"],
            "kind": row["kind"],
            "measure_unit": row["unit"],
            "aggregation": row["aggregation"],
            "period_aggregation": row["period_aggregation"] or "end",
            "direction": row["direction"],
            # Every synthetic rate has its numerator and denominator: no weight is needed.
            "context_id": ids.get(row["denominator"]),
        }
        for row in chosen
    ]


# The units and indicators as generated; the dashboard bench copies them into the product's tables.
UNITS_AND_INDICATORS = """
CREATE TABLE bench_unit (
    id BIGINT PRIMARY KEY, code TEXT, name TEXT, level TEXT, parent_id BIGINT, path TEXT, depth INTEGER,
    valid_from DATE, valid_to DATE, province_id BIGINT, commune_id BIGINT
);
CREATE TABLE bench_indicator (
    id BIGINT PRIMARY KEY, code TEXT, kind TEXT, measure_unit TEXT, aggregation TEXT, period_aggregation TEXT,
    direction TEXT, context_id BIGINT
);
"""
SCHEMA = (
    UNITS_AND_INDICATORS
    + """
CREATE TABLE bench_succession (predecessor_id BIGINT, successor_id BIGINT, weight DOUBLE PRECISION);
CREATE TABLE bench_dataset (id BIGINT, code TEXT, level TEXT, period_type TEXT);
CREATE TABLE bench_report (
    dataset_id BIGINT, unit_id BIGINT, period TEXT, status TEXT, is_late BOOLEAN, submitted_at TIMESTAMPTZ
);
-- Throwaway data: no write-ahead log.
CREATE UNLOGGED TABLE bench_value (
    id BIGINT, unit_id BIGINT, indicator_id BIGINT, period_type TEXT, period TEXT, period_start DATE,
    kind TEXT, value DOUBLE PRECISION, comparator TEXT, numerator DOUBLE PRECISION,
    denominator DOUBLE PRECISION, is_synthetic BOOLEAN, is_deleted BOOLEAN
);
CREATE TABLE bench_change (id BIGSERIAL PRIMARY KEY, value_id BIGINT);
"""
)


def source_for(uri: str):
    from dxmonitor.analytics.feed import Source

    return Source(
        uri=uri,
        values_table="bench_value",
        changes_table="bench_change",
        units_sql=(
            "SELECT id, code, name, level, parent_id, path, depth, valid_from, valid_to FROM bench_unit"
        ),
        indicators_sql=(
            "SELECT id, code, kind, measure_unit, aggregation, period_aggregation, direction, context_id "
            "FROM bench_indicator"
        ),
        successions_sql="SELECT predecessor_id, successor_id, weight FROM bench_succession",
        datasets_sql="SELECT id, code, level, period_type FROM bench_dataset",
        reports_sql="SELECT dataset_id, unit_id, period, status, is_late, submitted_at FROM bench_report",
    )


def _array(words: tuple[str, ...]) -> str:
    return "ARRAY[" + ", ".join("'" + w.replace("'", "''") + "'" for w in words) + "]"


def make_units(db, scale: Scale) -> None:
    p, c, v = scale.provinces, scale.communes, scale.villages
    names, syllables, n = _array(PROVINCE_NAMES), _array(SYLLABLES), len(SYLLABLES)
    db.execute(
        f"""
        INSERT INTO bench_unit
        SELECT {PROVINCE_ID} + p, lpad(({PROVINCE_ID} + p)::text, 2, '0'),
               CASE WHEN p < {len(PROVINCE_NAMES)} THEN 'Tỉnh ' || ({names})[p + 1] ELSE 'Tỉnh ' || p END,
               'province', NULL, ({PROVINCE_ID} + p) || '/', 0, NULL, NULL, {PROVINCE_ID} + p, NULL
        FROM generate_series(0, {p - 1}) p
        """
    )
    db.execute(
        f"""
        INSERT INTO bench_unit
        SELECT {COMMUNE_ID} + c, lpad(({COMMUNE_ID} + c)::text, 5, '0'),
               CASE WHEN c % 7 = 0 THEN 'Phường ' ELSE 'Xã ' END || ({syllables})[c % {n} + 1] || ' '
                   || ({syllables})[(c / {n} + c) % {n} + 1]
                   || CASE WHEN c >= {n * n} THEN ' ' || c ELSE '' END,
               'commune', {PROVINCE_ID} + pr, ({PROVINCE_ID} + pr) || '/' || ({COMMUNE_ID} + c) || '/', 1,
               NULL, NULL, {PROVINCE_ID} + pr, {COMMUNE_ID} + c
        FROM (SELECT c, (c::bigint * {p} / {c})::int AS pr FROM generate_series(0, {c - 1}) c) x
        """
    )
    db.execute(
        f"""
        INSERT INTO bench_unit
        SELECT {VILLAGE_ID} + v, lpad(({COMMUNE_ID} + co)::text, 5, '0') || lpad((v - first)::text, 3, '0'),
               CASE WHEN v % 3 = 0 THEN 'Bản ' ELSE 'Thôn ' END || (v - first + 1),
               'village', {COMMUNE_ID} + co,
               ({PROVINCE_ID} + pr) || '/' || ({COMMUNE_ID} + co) || '/' || ({VILLAGE_ID} + v) || '/', 2,
               NULL, NULL, {PROVINCE_ID} + pr, {COMMUNE_ID} + co
        FROM (
            SELECT v, co, (co::bigint * {p} / {c})::int AS pr, min(v) OVER (PARTITION BY co) AS first
            FROM (SELECT v, (v::bigint * {c} / {v})::int AS co FROM generate_series(0, {v - 1}) v) y
        ) x
        """
    )
    db.execute("CREATE INDEX ON bench_unit (province_id)")
    db.execute("ANALYZE bench_unit")


def make_indicators(db, indicators: list[dict]) -> None:
    with db.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO bench_indicator VALUES (%(id)s, %(code)s, %(kind)s, %(measure_unit)s, "
            "%(aggregation)s, %(period_aggregation)s, %(direction)s, %(context_id)s)",
            indicators,
        )


def month_of(number: int) -> datetime.date:
    return datetime.date(FIRST_YEAR + number // 12, number % 12 + 1, 1)


VALUE_COLUMNS = (
    "id, unit_id, indicator_id, period_type, period, period_start, kind, value, comparator, numerator, "
    "denominator, is_synthetic, is_deleted"
)
# Each indicator's id in the values and its number n (1, 2, …) in the generated ones: the values
# of an indicator depend on its number only, whatever id the database it is written to gives it.
BENCH_INDICATORS = "SELECT id, id AS n, aggregation FROM bench_indicator"


def make_values(
    db,
    scale: Scale,
    say: Say,
    *,
    into: str = "bench_value",
    indicators: str = BENCH_INDICATORS,
    extra: dict[str, str] | None = None,
    synthetic: bool = False,
) -> None:
    """Every village × indicator × month, a month per statement; ids in that order. `into` is the
    table written, `extra` further columns of it and the SQL of their value ("{day}" in it: the
    month's first day)."""
    v, i = scale.villages, scale.indicators
    extra = extra or {}
    columns = VALUE_COLUMNS + "".join(f", {name}" for name in extra)
    started = time.monotonic()
    for m in range(scale.months):
        day = month_of(m)
        more = "".join(", " + sql.replace("{day}", day.isoformat()) for sql in extra.values())
        den = "(20 + (g.v * 37 + k.n * 11) % 180)"
        num = f"floor({den} * ((g.v * 13 + k.n * 7 + {m} * 3) % 101) / 100.0)"
        db.execute(
            f"""
            INSERT INTO {into} ({columns})
            SELECT {1 + m * i * v} + (k.n - 1) * {v} + g.v, {VILLAGE_ID} + g.v, k.id, 'M', '{day:%Y%m}',
                   DATE '{day.isoformat()}', 'actual',
                   CASE WHEN k.aggregation = 'ratio_of_sums' THEN 100.0 * {num} / {den}
                        ELSE ((g.v * 7919 + k.n * 104729 + {m} * 31) % 997 + 1)::float8 END,
                   'eq',
                   CASE WHEN k.aggregation = 'ratio_of_sums' THEN {num} END,
                   CASE WHEN k.aggregation = 'ratio_of_sums' THEN {den} END,
                   {str(synthetic).lower()}, false{more}
            FROM (SELECT * FROM ({indicators}) k0 ORDER BY n) k
            CROSS JOIN LATERAL generate_series(0, {v - 1}) g(v)
            """
        )
        if m % max(1, scale.months // 20) == 0 or m == scale.months - 1:
            done = (m + 1) * i * v
            say(
                f"  generated {done:,} of {scale.values:,} values ({day:%Y-%m}), "
                f"{time.monotonic() - started:.0f} s"
            )


def index_values(db, say: Say) -> None:
    started = time.monotonic()
    db.execute("SET maintenance_work_mem = '1GB'")
    # The baseline's indexes, as an analytics table would have: by month, and by indicator.
    db.execute("CREATE INDEX bench_value_period ON bench_value (period_start, indicator_id)")
    db.execute("CREATE INDEX bench_value_indicator ON bench_value (indicator_id, period_start)")
    # The product's values table has its primary key, which a refresh reads the changed values by.
    db.execute("ALTER TABLE bench_value ADD PRIMARY KEY (id)")
    db.execute("ANALYZE bench_value")
    say(f"  indexed and analysed in {time.monotonic() - started:.0f} s")


def change_commune_month(db, *, villages: list[int], day: datetime.date) -> int:
    """Change every value of one commune's villages in one month, as a data entry would,
    leaving a change row for each; the number of values changed."""
    row = db.execute(
        """
        WITH changed AS (
            UPDATE bench_value SET
                value = CASE WHEN numerator IS NULL THEN value + 1
                             ELSE 100.0 * least(denominator, numerator + 1) / denominator END,
                numerator = CASE WHEN numerator IS NULL THEN NULL ELSE least(denominator, numerator + 1) END
            WHERE period_start = %s AND unit_id = ANY(%s)
            RETURNING id
        ), logged AS (INSERT INTO bench_change (value_id) SELECT id FROM changed ORDER BY id RETURNING 1)
        SELECT count(*) FROM logged
        """,
        [day, villages],
    ).fetchone()
    return row[0]


def run(
    *,
    scale_name: str,
    server: str | None = None,
    keep: bool = False,
    database: str = "",
    seed: int = 2025,
    say: Say = print,
) -> dict:
    """Generate, rebuild, refresh, query, compare; the figures as a dict (the JSON line)."""
    from django.conf import settings
    from django.test import override_settings

    from dxmonitor.analytics import store
    from dxmonitor.analytics.refresh import refresh

    from .analytics_queries import Tree, compare_and_time

    scale = SCALES[scale_name]
    server = server or default_server()
    # A database kept by an earlier run (--keep) is used as it is: generating takes long.
    name = database or f"dxm_bench_{os.getpid()}_{secrets.token_hex(4)}"
    uri = with_database(server, name)
    folder = Path(tempfile.mkdtemp(prefix="dxm-bench-analytics-"))
    admin = connect(server)
    if not database:
        admin.execute(f'CREATE DATABASE "{name}"')
    say(
        f"bench analytics ({scale_name}): {scale.provinces} provinces, {scale.communes:,} communes, "
        f"{scale.villages:,} villages × {scale.indicators} indicators × {scale.months} months = "
        f"{scale.values:,} values; database {name}, store {folder}; load average "
        + ", ".join(f"{x:.2f}" for x in os.getloadavg())
    )
    try:
        with (
            connect(uri) as db,
            override_settings(
                ANALYTICS_PATH=str(folder / "analytics.duckdb"),
                ANALYTICS_MEMORY=settings.ANALYTICS_MEMORY or "8GB",
            ),
        ):
            started = time.monotonic()
            indicators = pick_indicators(scale.indicators)
            if not database:
                db.execute(SCHEMA)
                make_indicators(db, indicators)
                make_units(db, scale)
                say(f"generating values into PostgreSQL ({time.monotonic() - started:.0f} s)")
                make_values(db, scale, say)
                index_values(db, say)
            generate_s = time.monotonic() - started
            count = db.execute("SELECT count(*) FROM bench_value").fetchone()[0]
            if count != scale.values:
                raise DomainError(f"database {name} holds {count:,} values, not {scale.values:,}", "")
            say(f"generated {count:,} values in {generate_s:.0f} s")
            source = source_for(uri)
            tree = Tree.load(db, indicators)

            line_started = time.monotonic()

            def progress(message: str) -> None:
                say(f"  [{time.monotonic() - line_started:7.1f} s] {message}")

            say("full rebuild of the analytics store")
            rebuilt = refresh(full=True, progress=progress, source=source)
            say(
                f"rebuilt: {rebuilt.values:,} values, {rebuilt.figures:,} figures in "
                f"{rebuilt.seconds:.1f} s; "
                f"store {(folder / 'analytics.duckdb').stat().st_size / 1e9:.2f} GB"
            )
            if rebuilt.values != count:
                raise DomainError(f"the store took in {rebuilt.values:,} values of {count:,}", "")
            noop_ms = statistics.median(refresh(source=source).seconds * 1000 for _ in range(5))
            say(f"refresh with nothing changed: {noop_ms:.0f} ms (median of 5)")
            rng = random.Random(seed)
            commune = rng.choice(sorted(tree.villages))
            day = month_of(scale.months - 1 - rng.randrange(min(12, scale.months)))
            changed = change_commune_month(db, villages=tree.villages[commune], day=day)
            incremental = refresh(source=source, progress=progress)
            say(
                f"incremental refresh after one commune-month ({changed:,} values of commune {commune}, "
                f"{day:%Y-%m}): {incremental.seconds:.2f} s, {incremental.figures:,} figures rewritten"
            )
            if incremental.full or incremental.values != changed:
                raise DomainError("the incremental refresh did not take in exactly the change", "")
            timings = compare_and_time(db, tree=tree, scale=scale, rng=rng, say=say, changed=(commune, day))
    finally:
        store.close_all()
        if keep:
            say(f"kept: database {name} and store {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
            if not database:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
    return {
        "bench": "analytics",
        "scale": scale_name,
        "values": count,
        "rebuild_s": round(rebuilt.seconds, 1),
        "incremental_s": round(incremental.seconds, 3),
        "p50_ms": timings["p50_ms"],
        "p95_ms": timings["p95_ms"],
        "baseline_p95_ms": timings["baseline_p95_ms"],
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "baseline_p50_ms": timings["baseline_p50_ms"],
        "noop_refresh_ms": round(noop_ms, 1),
        "generate_s": round(generate_s, 1),
        "agreement": timings["agreement"],
    }
