"""Read the catalogue file (the columns of shared/spec/indicators.csv) into indicator definitions."""

import csv
import io
import re
from pathlib import Path

from dxmonitor.common.errors import Problem

from .schemas import CODE_PATTERN, IndicatorIn, TargetIn

DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_CATALOG = DATA_DIR / "indicators.csv"
DEFAULT_GROUPS = DATA_DIR / "groups.csv"
COLUMNS = (
    "code",
    "pillar",
    "name_vi",
    "name_en",
    "unit",
    "kind",
    "numerator",
    "denominator",
    "aggregation",
    "direction",
    "target_2025",
    "target_2030",
    "target_source",
    "phrasings",
)
TARGET_YEARS = (2025, 2030)
# "province 90; district 80; commune 60" — a target that differs by level of government.
_LEVEL_TARGET = re.compile(r"^(province|district|commune|village)\s+([0-9.,]+)$")


def read_rows(text: str) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    return list(reader)


def parse_catalog(text: str) -> tuple[list[IndicatorIn], list[Problem]]:
    rows = read_rows(text)
    problems: list[Problem] = []
    if not rows:
        return [], [Problem("", "the catalogue file has no rows", "Tệp danh mục không có dòng nào")]
    missing = [c for c in COLUMNS if c not in rows[0]]
    if missing:
        return [], [Problem("", f"missing columns: {', '.join(missing)}", f"Thiếu cột: {', '.join(missing)}")]
    codes = {(r.get("code") or "").strip() for r in rows}
    definitions = []
    for number, row in enumerate(rows, start=2):
        definition, row_problems = _definition(row, number, codes)
        problems.extend(row_problems)
        if definition:
            definitions.append(definition)
    return definitions, problems


def _definition(
    row: dict[str, str], number: int, codes: set[str]
) -> tuple[IndicatorIn | None, list[Problem]]:
    problems: list[Problem] = []
    targets: list[TargetIn] = []
    source = (row.get("target_source") or "").strip()
    for year in TARGET_YEARS:
        cell = (row.get(f"target_{year}") or "").strip()
        if not cell:
            continue
        for part in (p.strip() for p in cell.split(";")):
            level_match = _LEVEL_TARGET.match(part)
            level, number_text = (level_match.group(1), level_match.group(2)) if level_match else ("", part)
            try:
                targets.append(
                    TargetIn(
                        year=year,
                        value=float(number_text.replace(",", ".")),
                        level=level,
                        source=source,
                    )
                )
            except ValueError:
                problems.append(
                    Problem(
                        f"target_{year}",
                        f"target {part!r} is not a number",
                        f"Mục tiêu {part!r} không phải là số",
                        number,
                    )
                )
    denominator = (row.get("denominator") or "").strip()
    denominator_indicator = denominator if CODE_PATTERN.match(denominator) else None
    if denominator_indicator and denominator_indicator not in codes:
        problems.append(
            Problem(
                "denominator",
                f"denominator {denominator} is not in the catalogue",
                f"Mẫu số {denominator} không có trong danh mục",
                number,
            )
        )
    definition = IndicatorIn(
        code=(row.get("code") or "").strip(),
        group=(row.get("pillar") or "").strip(),
        name_vi=(row.get("name_vi") or "").strip(),
        name_en=(row.get("name_en") or "").strip(),
        measure_unit=(row.get("unit") or "").strip(),
        kind=(row.get("kind") or "").strip(),
        numerator_label=(row.get("numerator") or "").strip(),
        denominator_label=denominator,
        denominator_indicator=denominator_indicator,
        aggregation=(row.get("aggregation") or "").strip(),
        # Optional column: a catalogue without it reads every figure at the period's end.
        period_aggregation=(row.get("period_aggregation") or "").strip() or "end",
        direction=(row.get("direction") or "").strip() or "none",
        phrasings=[p.strip() for p in (row.get("phrasings") or "").split("|") if p.strip()],
        targets=targets,
    )
    return definition, problems


def parse_groups(text: str) -> list[dict[str, str]]:
    return read_rows(text)
