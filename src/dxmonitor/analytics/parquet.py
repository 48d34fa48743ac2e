"""The store as Parquet files that Apache Spark, Trino or DuckDB read directly.

Written from the store's current generation (read-only, so servers and the worker go on), into
Hive-partitioned folders, by year and indicator code:

    figures/year=2025/indicator=CTX.HOUSEHOLDS/data_0.parquet   communes, districts, provinces
    values/year=2025/indicator=CTX.HOUSEHOLDS/data_0.parquet    leaf values (villages and the rest)
    units/data_0.parquet, indicators/data_0.parquet             what the ids mean

Undated figures are year 0. A figure row carries what the product answers with (value,
comparator, numerator, denominator, method, parts, expected) and its period as `ptype` (M, Q, Y
or U), `quarter` and `month`; the unit's code and level come along so that a reader needs no join
for the usual questions. The export is written to a folder beside the target and renamed into
place, so a reader of the target never sees half of one.
"""

import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from .store import fact_table, fact_years, get_meta, store

_FIGURES = """
    SELECT f.unit_id, u.code AS unit_code, u.level AS unit_level, f.depth, f.ptype, f.quarter, f.month,
        f.kind, f.value, f.comparator, f.numerator, f.denominator, f.method, f.parts, f.expected,
        f.unweighted, f.synthetic, f.year, i.code AS indicator
    FROM figures f JOIN units u ON u.id = f.unit_id JOIN indicators i ON i.id = f.indicator_id
"""
_VALUES = """
    SELECT f.value_id, f.unit_id, u.code AS unit_code, u.level AS unit_level, f.ptype, f.quarter, f.month,
        f.kind, f.value, f.comparator, f.numerator, f.denominator, f.synthetic, f.year, i.code AS indicator
    FROM {table} f JOIN units u ON u.id = f.unit_id JOIN indicators i ON i.id = f.indicator_id
"""

_UNITS = "SELECT id, code, name, level, parent_id, path, depth, valid_from, valid_to FROM units"
_INDICATORS = "SELECT id, code, kind, measure_unit, aggregation, period_aggregation FROM indicators"


@dataclass
class ExportReport:
    folder: str
    figures: int
    values: int
    files: int
    watermark: int
    seconds: float


def export_parquet(*, folder: Path) -> ExportReport:
    """Write the store's figures and leaf values under `folder` (replacing what was there)."""
    started = time.monotonic()
    folder = folder.resolve()
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = folder.with_name(folder.name + ".writing")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    partitioned = "FORMAT PARQUET, PARTITION_BY (year, indicator), OVERWRITE_OR_IGNORE"
    with store() as cursor:
        watermark = int(get_meta(cursor, "watermark") or 0)
        figures = cursor.execute("SELECT count(*) FROM figures").fetchone()[0]
        cursor.execute(f"COPY ({_FIGURES}) TO '{_quoted(staging / 'figures')}' ({partitioned})")
        years = fact_years(cursor)
        values = 0
        if years:
            union = " UNION ALL ".join(_VALUES.format(table=fact_table(year)) for year in years)
            values = cursor.execute(f"SELECT count(*) FROM ({union})").fetchone()[0]
            cursor.execute(f"COPY ({union}) TO '{_quoted(staging / 'values')}' ({partitioned})")
        for name, sql in (("units", _UNITS), ("indicators", _INDICATORS)):
            (staging / name).mkdir()
            cursor.execute(f"COPY ({sql}) TO '{_quoted(staging / name / 'data_0.parquet')}' (FORMAT PARQUET)")
    files = sum(1 for _ in staging.rglob("*.parquet"))
    previous = folder.with_name(folder.name + ".previous")
    shutil.rmtree(previous, ignore_errors=True)
    if folder.exists():
        folder.rename(previous)
    staging.rename(folder)
    shutil.rmtree(previous, ignore_errors=True)
    return ExportReport(
        folder=str(folder),
        figures=figures,
        values=values,
        files=files,
        watermark=watermark,
        seconds=time.monotonic() - started,
    )


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")
