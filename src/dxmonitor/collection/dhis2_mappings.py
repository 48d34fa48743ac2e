"""DHIS2 mappings: which of our units a DHIS2 organisation unit is, which indicator (and which
part of it) a DHIS2 data element carries. Loaded from a CSV or the API, all or nothing.

Columns: kind (`org_unit` or `data_element`), dhis2_id (UID or code, as DHIS2 sends it),
category_option_combo (data elements; empty: any), unit_code (org units; the unit in force on
`on`, or `unit_id`), indicator, part (`value`, `numerator`, `denominator`), value_kind
(`actual`, `target`).
"""

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import QuerySet

from dxmonitor.catalog.models import Indicator, Kind
from dxmonitor.common.errors import InvalidInput, Problem
from dxmonitor.geo.models import Unit
from dxmonitor.geo.queries import valid_on

from .models import Dhis2Mapping, ValueKind

COLUMNS = ("kind", "dhis2_id", "category_option_combo", "unit_code", "indicator", "part", "value_kind")
REQUIRED = ("kind", "dhis2_id")
PARTS = ("value", "numerator", "denominator")
RATIO_KINDS = (Kind.RATE, Kind.DENSITY)


@dataclass
class MappingReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    dry_run: bool = False

    def as_dict(self) -> dict:
        return {
            "created": len(self.created),
            "updated": len(self.updated),
            "unchanged": self.unchanged,
            "dry_run": self.dry_run,
        }


def mappings(*, kind: str | None = None) -> QuerySet[Dhis2Mapping]:
    found = Dhis2Mapping.objects.select_related("unit", "indicator").order_by(
        "kind", "dhis2_id", "category_option_combo"
    )
    return found.filter(kind=kind) if kind else found


def mapping_out(mapping: Dhis2Mapping) -> dict:
    unit = mapping.unit
    return {
        "id": mapping.pk,
        "kind": mapping.kind,
        "dhis2_id": mapping.dhis2_id,
        "category_option_combo": mapping.category_option_combo,
        "unit": None
        if unit is None
        else {
            "id": unit.pk,
            "code": unit.code,
            "name": unit.name,
            "level": unit.level,
            "valid_from": unit.valid_from,
            "valid_to": unit.valid_to,
        },
        "indicator": mapping.indicator.code if mapping.indicator_id else None,
        "part": mapping.part if mapping.kind == Dhis2Mapping.Kind.DATA_ELEMENT else None,
        "value_kind": mapping.value_kind if mapping.kind == Dhis2Mapping.Kind.DATA_ELEMENT else None,
    }


def _problem(line: int, column: str, en: str, vi: str) -> Problem:
    return Problem(column, en, vi, line)


def _units(rows: list[tuple[int, dict[str, str]]], on: datetime.date) -> tuple[dict, dict]:
    codes = {r.get("unit_code", "") for _, r in rows} - {""}
    ids = {int(r["unit_id"]) for _, r in rows if str(r.get("unit_id", "")).isdigit()}
    by_code: dict[str, list[Unit]] = {}
    for unit in Unit.objects.filter(valid_on(on), code__in=codes):
        by_code.setdefault(unit.code, []).append(unit)
    by_id = {u.pk: u for u in Unit.objects.filter(pk__in={i for i in ids if 0 < i < 2**63})}
    return by_code, by_id


def _wanted(
    line: int, row: dict[str, str], *, on: datetime.date, units: tuple[dict, dict], indicators: dict
) -> tuple[tuple[str, str, str], dict] | list[Problem]:
    problems: list[Problem] = []
    kind = row.get("kind", "").strip().lower()
    dhis2_id = row.get("dhis2_id", "").strip()
    combo = row.get("category_option_combo", "").strip()
    unit_code = row.get("unit_code", "").strip()
    unit_id = str(row.get("unit_id", "") or "").strip()
    code = row.get("indicator", "").strip()
    part = row.get("part", "").strip().lower() or "value"
    value_kind = row.get("value_kind", "").strip().lower() or ValueKind.ACTUAL
    if kind not in Dhis2Mapping.Kind.values:
        problems.append(
            _problem(
                line,
                "kind",
                f"kind must be org_unit or data_element, not {kind!r}",
                f"Cột kind phải là org_unit hoặc data_element, không phải {kind!r}",
            )
        )
    if not dhis2_id or len(dhis2_id) > 64:
        problems.append(
            _problem(
                line,
                "dhis2_id",
                "dhis2_id is required (at most 64 characters)",
                "Cần nhập dhis2_id (tối đa 64 ký tự)",
            )
        )
    if len(combo) > 64:
        problems.append(
            _problem(
                line,
                "category_option_combo",
                "category_option_combo is too long",
                "category_option_combo quá dài",
            )
        )
    fields: dict = {"unit_id": None, "indicator_id": None, "part": "value", "value_kind": ValueKind.ACTUAL}
    if kind == Dhis2Mapping.Kind.ORG_UNIT:
        by_code, by_id = units
        found = by_id.get(int(unit_id)) if unit_id.isdigit() else None
        if not unit_id:
            candidates = by_code.get(unit_code, [])
            found = candidates[0] if len(candidates) == 1 else None
        if found is None:
            problems.append(
                _problem(
                    line,
                    "unit_code",
                    f"no unit {unit_code or unit_id!r} in force on {on}",
                    f"Không có đơn vị {unit_code or unit_id!r} tại ngày {on:%d/%m/%Y}",
                )
            )
        if code or combo:
            problems.append(
                _problem(
                    line,
                    "indicator",
                    "an org unit mapping names a unit only",
                    "Ánh xạ đơn vị chỉ ghi mã đơn vị",
                )
            )
        fields["unit_id"] = found.pk if found is not None else None
    elif kind == Dhis2Mapping.Kind.DATA_ELEMENT:
        indicator = indicators.get(code)
        if indicator is None:
            problems.append(
                _problem(
                    line,
                    "indicator",
                    f"no indicator {code!r} in the catalogue",
                    f"Không có chỉ tiêu {code!r} trong danh mục",
                )
            )
        if unit_code or unit_id:
            problems.append(
                _problem(
                    line,
                    "unit_code",
                    "a data element mapping names no unit",
                    "Ánh xạ phần tử dữ liệu không ghi đơn vị",
                )
            )
        if part not in PARTS:
            problems.append(
                _problem(
                    line,
                    "part",
                    f"part must be value, numerator or denominator, not {part!r}",
                    f"Cột part phải là value, numerator hoặc denominator, không phải {part!r}",
                )
            )
        elif part != "value" and indicator is not None and indicator.kind not in RATIO_KINDS:
            problems.append(
                _problem(
                    line,
                    "part",
                    f"{code} is not a rate: it has no {part}",
                    f"{code} không phải tỷ lệ nên không có {part}",
                )
            )
        if value_kind not in ValueKind.values:
            problems.append(
                _problem(
                    line,
                    "value_kind",
                    f"value_kind must be actual or target, not {value_kind!r}",
                    f"Cột value_kind phải là actual hoặc target, không phải {value_kind!r}",
                )
            )
        fields.update(indicator_id=indicator.pk if indicator else None, part=part, value_kind=value_kind)
    if problems:
        return problems
    return (kind, dhis2_id, combo), fields


def load_mappings(
    *, rows: list[tuple[int, dict[str, str]]], on: datetime.date, dry_run: bool = False
) -> MappingReport:
    """Create or update mappings from (line, row) pairs; all or nothing, every problem by line.

    A mapping is identified by (kind, dhis2_id, category_option_combo); the same rows again
    change nothing. Mappings the rows do not mention are left alone.
    """
    if rows and (missing := [c for c in REQUIRED if c not in rows[0][1]]):
        raise InvalidInput(
            [Problem("file", f"missing columns: {', '.join(missing)}", f"Thiếu cột: {', '.join(missing)}")]
        )
    units = _units(rows, on)
    indicators = {
        i.code: i for i in Indicator.objects.filter(code__in={r.get("indicator", "") for _, r in rows})
    }
    problems: list[Problem] = []
    wanted: dict[tuple[str, str, str], tuple[int, dict]] = {}
    for line, row in rows:
        checked = _wanted(line, row, on=on, units=units, indicators=indicators)
        if isinstance(checked, list):
            problems.extend(checked)
            continue
        key, fields = checked
        if key in wanted:
            problems.append(
                _problem(
                    line,
                    "dhis2_id",
                    f"{key[1]} {key[2]} is mapped twice (line {wanted[key][0]})",
                    f"{key[1]} {key[2]} bị ánh xạ hai lần (dòng {wanted[key][0]})",
                )
            )
            continue
        wanted[key] = (line, fields)
    if problems:
        raise InvalidInput(problems)
    report = MappingReport(dry_run=dry_run)
    with transaction.atomic():
        stored = {
            (m.kind, m.dhis2_id, m.category_option_combo): m
            for m in Dhis2Mapping.objects.select_for_update().filter(dhis2_id__in={k[1] for k in wanted})
        }
        for key, (_, fields) in wanted.items():
            name = " ".join(k for k in key if k)
            current = stored.get(key)
            if current is None:
                report.created.append(name)
                if not dry_run:
                    Dhis2Mapping.objects.create(
                        kind=key[0], dhis2_id=key[1], category_option_combo=key[2], **fields
                    )
            elif any(getattr(current, k) != v for k, v in fields.items()):
                report.updated.append(name)
                if not dry_run:
                    for k, v in fields.items():
                        setattr(current, k, v)
                    current.save()
            else:
                report.unchanged += 1
    return report
