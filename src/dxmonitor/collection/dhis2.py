"""DHIS2 data value sets (JSON and CSV) read into our values through the DHIS2 mappings.

An integration written for DHIS2 posts here unchanged: its organisation units and data
elements (by UID or code, as `Dhis2Mapping.dhis2_id`) are mapped to our units and indicators; a
data element may carry an indicator's value, numerator or denominator, optionally per category
option combo, as an actual or a target. A numerator and a denominator of the same unit,
indicator, period and kind in one payload become one value. What cannot be mapped is a
conflict, reported as DHIS2 reports it (`ImportSummary`), never an error of the whole payload.
"""

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import ijson

from dxmonitor.common.errors import DomainError, Problem

from .bulk import BulkSummary, RawValue
from .models import Dhis2Mapping
from .payloads import Opener, amount, not_json, sorted_rejections
from .periods import PeriodError, parse_period

CSV_COLUMNS = (
    "dataelement",
    "period",
    "orgunit",
    "catoptcombo",
    "attroptcombo",
    "value",
    "storedby",
    "lastupdated",
    "comment",
    "followup",
    "deleted",
)
STRATEGIES = {"CREATE_AND_UPDATE", "NEW_AND_UPDATES"}
ID_SCHEMES = {"UID", "CODE"}
PARTS = ("value", "numerator", "denominator")
SEP = "\x1f"  # joins the DHIS2 ids a refused value carries: data element, org unit, period
_MACHINE_NUMBER = re.compile(r"^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$")


class Dhis2Refused(DomainError):
    """The whole payload is refused (an option we do not support); answered as an ImportSummary."""

    status = 409


def check_options(*, strategy: str | None, schemes: dict[str, str | None]) -> None:
    """importStrategy CREATE_AND_UPDATE only; id schemes UID or CODE (both match `dhis2_id`)."""
    if strategy and strategy.strip().upper() not in STRATEGIES:
        raise Dhis2Refused(
            f"importStrategy {strategy} is not supported: only CREATE_AND_UPDATE (values are never "
            "deleted in bulk; delete one value with DELETE /api/v1/values/{id})",
            f"Không hỗ trợ importStrategy {strategy}: chỉ CREATE_AND_UPDATE (không xóa số liệu hàng loạt)",
            field="importStrategy",
        )
    for name, scheme in schemes.items():
        if scheme and scheme.strip().upper() not in ID_SCHEMES:
            raise Dhis2Refused(
                f"{name} {scheme} is not supported: use UID or CODE (both are matched against the mappings)",
                f"Không hỗ trợ {name} {scheme}: dùng UID hoặc CODE",
                field=name,
            )


@dataclass(frozen=True)
class Target:
    indicator: str
    part: str
    kind: str


class Resolver:
    """The mappings, loaded once per payload."""

    def __init__(self) -> None:
        self.org_units: dict[str, int] = {}
        self.elements: dict[tuple[str, str], Target] = {}
        self.parts: dict[tuple[str, str], set[str]] = {}
        rows = Dhis2Mapping.objects.select_related("indicator").values_list(
            "kind", "dhis2_id", "category_option_combo", "unit_id", "indicator__code", "part", "value_kind"
        )
        for kind, dhis2_id, combo, unit_id, indicator, part, value_kind in rows:
            if kind == Dhis2Mapping.Kind.ORG_UNIT and unit_id is not None:
                self.org_units[dhis2_id] = unit_id
            elif kind == Dhis2Mapping.Kind.DATA_ELEMENT and indicator:
                self.elements[(dhis2_id, combo)] = Target(indicator, part, value_kind)
                self.parts.setdefault((indicator, value_kind), set()).add(part)

    def element(self, dhis2_id: str, combo: str) -> Target | None:
        return self.elements.get((dhis2_id, combo)) or self.elements.get((dhis2_id, ""))


@dataclass
class DataValue:
    """One DHIS2 data value, defaults from its envelope applied."""

    index: int
    data_element: str
    period: str
    org_unit: str
    combo: str
    value: Any
    comment: str = ""
    deleted: bool = False


@dataclass
class _Parts:
    unit_id: int
    period: str
    target: Target
    index: int
    ref: str
    comment: str = ""
    values: dict[str, Any] = field(default_factory=dict)


def is_machine_number(raw: Any) -> bool:
    """Whether a DHIS2 value is a number as DHIS2 writes it: `"1,500"` is not (DHIS2 refuses it),
    where the product's own formats would read it the Vietnamese way, as 1.5."""
    if isinstance(raw, bool):
        return False
    if isinstance(raw, int | float):
        return True
    return isinstance(raw, str) and bool(_MACHINE_NUMBER.match(raw))


def machine_number(raw: Any) -> Any:
    """DHIS2 writes numbers as machine strings ("4.306" is four point three): read them so."""
    if isinstance(raw, str) and _MACHINE_NUMBER.match(raw):
        return float(raw)
    return amount(raw)


class Dhis2Values:
    """DHIS2 data values → `RawValue`s; conflicts go to `report` as they are found.

    Values of an indicator mapped from several parts (numerator and denominator) wait until
    all their parts arrived, or the end of the payload, and are then merged into one value.
    """

    def __init__(self, *, report: BulkSummary, resolver: Resolver | None = None) -> None:
        self.report = report
        self.resolver = resolver or Resolver()
        self.pending: dict[tuple[int, str, str, str], _Parts] = {}
        self.position = 0

    def conflict(self, *, index: int, obj: str, problem: Problem) -> None:
        self.report.total += 1
        self.report.reject(ref=obj, row=index, problem=problem)

    def convert(self, values: Iterator[DataValue]) -> Iterator[RawValue]:
        for item in values:
            self.position = item.index + 1
            raw = self.one(item)
            if raw is not None:
                yield raw
        pending, self.pending = self.pending, {}
        for parts in pending.values():
            yield self.merged(parts)

    def one(self, item: DataValue) -> RawValue | None:
        if not (item.data_element and item.org_unit and item.period):
            missing = next(
                name
                for name, given in (
                    ("dataElement", item.data_element),
                    ("orgUnit", item.org_unit),
                    ("period", item.period),
                )
                if not given
            )
            self.conflict(
                index=item.index,
                obj=item.data_element or item.org_unit,
                problem=Problem(missing, f"{missing} is missing", f"Thiếu {missing}"),
            )
            return None
        try:
            parse_period(item.period)
        except PeriodError:
            self.conflict(
                index=item.index,
                obj=item.period,
                problem=Problem(
                    "period",
                    f"Period not valid: `{item.period}`: dxmonitor keeps years (2024), quarters (2024Q3) and "
                    "months (202409); DHIS2's daily, weekly, bi-monthly, six-monthly and financial periods "
                    "are not supported",
                    f"Kỳ không hợp lệ: `{item.period}`: dxmonitor chỉ có năm (2024), quý (2024Q3) và tháng "
                    "(202409)",
                ),
            )
            return None
        unit_id = self.resolver.org_units.get(item.org_unit)
        if unit_id is None:
            self.conflict(
                index=item.index,
                obj=item.org_unit,
                problem=Problem(
                    "orgUnit",
                    f"Org unit {item.org_unit} is not mapped to a dxmonitor unit (dhis2 mappings)",
                    f"Đơn vị DHIS2 {item.org_unit} chưa được ánh xạ sang đơn vị của dxmonitor",
                ),
            )
            return None
        target = self.resolver.element(item.data_element, item.combo)
        if target is None:
            combo = f" with category option combo {item.combo}" if item.combo else ""
            self.conflict(
                index=item.index,
                obj=item.data_element,
                problem=Problem(
                    "dataElement",
                    f"Data element {item.data_element}{combo} is not mapped to an indicator",
                    f"Phần tử dữ liệu {item.data_element}{combo} chưa được ánh xạ sang chỉ tiêu",
                ),
            )
            return None
        if item.deleted:
            self.conflict(
                index=item.index,
                obj=item.data_element,
                problem=Problem(
                    "deleted",
                    "deleting values is not supported in bulk; use DELETE /api/v1/values/{id}",
                    "Không hỗ trợ xóa số liệu hàng loạt",
                ),
            )
            return None
        if item.value is None or (isinstance(item.value, str) and not item.value.strip()):
            self.conflict(
                index=item.index,
                obj=item.data_element,
                problem=Problem(
                    "value",
                    "the value is empty (values are not deleted in bulk)",
                    "Giá trị trống (không xóa số liệu hàng loạt)",
                ),
            )
            return None
        if not is_machine_number(item.value):
            self.conflict(
                index=item.index,
                obj=item.data_element,
                problem=Problem(
                    "value",
                    f"Value must match data element's number type constraints: {str(item.value)[:40]!r} "
                    "is not a number as DHIS2 writes it (dot decimals, no thousands separators)",
                    f"Giá trị {str(item.value)[:40]!r} không phải số theo cách DHIS2 ghi "
                    "(dấu chấm thập phân, không có dấu phân cách hàng nghìn)",
                ),
            )
            return None
        ref = SEP.join((item.data_element, item.org_unit, item.period))
        if self.resolver.parts.get((target.indicator, target.kind), {"value"}) == {target.part}:
            parts = _Parts(unit_id, item.period, target, item.index, ref, item.comment)
            parts.values[target.part] = item.value
            return self.merged(parts)
        key = (unit_id, target.indicator, item.period, target.kind)
        parts = self.pending.setdefault(key, _Parts(unit_id, item.period, target, item.index, ref))
        if target.part in parts.values:
            self.conflict(
                index=item.index,
                obj=item.data_element,
                problem=Problem(
                    target.part,
                    f"the {target.part} of {target.indicator} for this org unit and period came twice",
                    f"{target.part} của {target.indicator} cho đơn vị và kỳ này bị gửi hai lần",
                ),
            )
            return None
        parts.values[target.part] = item.value
        parts.comment = parts.comment or item.comment
        if set(parts.values) >= self.resolver.parts[(target.indicator, target.kind)]:
            del self.pending[key]
            return self.merged(parts)
        return None

    @staticmethod
    def merged(parts: _Parts) -> RawValue:
        return RawValue(
            indicator=parts.target.indicator,
            period=parts.period,
            unit_id=parts.unit_id,
            kind=parts.target.kind,
            value=machine_number(parts.values.get("value")),
            numerator=machine_number(parts.values.get("numerator")),
            denominator=machine_number(parts.values.get("denominator")),
            note=parts.comment[:2000],
            ref=parts.ref,
            row=parts.index,
        )


def _text(raw: Any, limit: int = 64) -> str:
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    return str(raw).strip()[:limit]


def _flag(raw: Any) -> bool:
    return raw is True or (isinstance(raw, str) and raw.strip().lower() in ("true", "1"))


def envelope_after(opener: Opener) -> dict[str, Any]:
    """Every top-level field, wherever it stands: read only when a value needs a default that
    did not come before the data values (a full pass over the payload)."""
    found: dict[str, Any] = {}
    with opener() as stream:
        for prefix, event, value in ijson.parse(stream, use_float=True):
            if prefix and "." not in prefix and event in ("string", "number"):
                found[prefix] = value
    return found


class Dhis2Json:
    """`{"dataSet", "period", "orgUnit", …, "dataValues": [{"dataElement", …}]}`."""

    def __init__(self, opener: Opener, *, envelope: dict[str, Any], report: BulkSummary) -> None:
        self.opener = opener
        self.envelope = envelope
        self.complete_envelope = False
        self.values = Dhis2Values(report=report)
        self.report = report

    @property
    def position(self) -> int:
        return self.values.position

    def __iter__(self) -> Iterator[RawValue]:
        return self.values.convert(self._read())

    def _default(self, name: str) -> str:
        if name not in self.envelope and not self.complete_envelope:
            self.envelope = {**envelope_after(self.opener), **self.envelope}
            self.complete_envelope = True
        return _text(self.envelope.get(name))

    def _read(self) -> Iterator[DataValue]:
        with self.opener() as stream:
            try:
                for index, item in enumerate(ijson.items(stream, "dataValues.item", use_float=True)):
                    if not isinstance(item, dict):
                        self.values.conflict(
                            index=index,
                            obj=str(index),
                            problem=Problem(
                                "dataValues",
                                "each data value must be a JSON object",
                                "Mỗi giá trị phải là một đối tượng JSON",
                            ),
                        )
                        continue
                    yield DataValue(
                        index=index,
                        data_element=_text(item.get("dataElement")),
                        period=_text(item.get("period"), 16) or self._default("period"),
                        org_unit=_text(item.get("orgUnit")) or self._default("orgUnit"),
                        combo=_text(item.get("categoryOptionCombo")),
                        value=item.get("value"),
                        comment=_text(item.get("comment"), 2000),
                        deleted=_flag(item.get("deleted")),
                    )
            except ijson.JSONError as exc:
                raise not_json(exc) from exc


class Dhis2Csv:
    """DHIS2's CSV: dataelement, period, orgunit, catoptcombo, attroptcombo, value, storedby,
    lastupdated, comment, followup, deleted; the header row is optional."""

    def __init__(self, opener: Opener, *, report: BulkSummary) -> None:
        self.opener = opener
        self.values = Dhis2Values(report=report)

    @property
    def position(self) -> int:
        return self.values.position

    def __iter__(self) -> Iterator[RawValue]:
        return self.values.convert(self._read())

    def _read(self) -> Iterator[DataValue]:
        with self.opener() as stream:
            text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
            try:
                rows = csv.reader(text)
                columns = CSV_COLUMNS
                index = 0
                for line, cells in enumerate(rows, start=1):
                    if not any(c.strip() for c in cells):
                        continue
                    if line == 1 and cells[0].strip().lower() == "dataelement":
                        columns = tuple(c.strip().lower() for c in cells)
                        continue
                    row = {name: cells[i].strip() for i, name in enumerate(columns) if i < len(cells)}
                    yield DataValue(
                        index=index,
                        data_element=row.get("dataelement", "")[:64],
                        period=row.get("period", "")[:16],
                        org_unit=row.get("orgunit", "")[:64],
                        # DHIS2's current header and its older spelling.
                        combo=(row.get("categoryoptioncombo") or row.get("catoptcombo", ""))[:64],
                        value=row.get("value", ""),
                        comment=row.get("comment", "")[:2000],
                        deleted=_flag(row.get("deleted", "")),
                    )
                    index += 1
            except UnicodeDecodeError as exc:
                raise DomainError(
                    "the CSV is not UTF-8 text", "Tệp CSV không phải văn bản UTF-8", field="body"
                ) from exc
            except csv.Error as exc:
                raise DomainError(
                    f"the CSV cannot be read: {exc}", f"Không đọc được tệp CSV: {exc}", field="body"
                ) from exc
            finally:
                text.detach()


def _object(ref: str, field_name: str) -> str:
    if SEP not in ref:
        return ref
    element, org_unit, period = [*ref.split(SEP), "", ""][:3]
    if field_name == "unit":
        return org_unit
    if field_name == "period":
        return period or element
    return element


def error_code(field_name: str, message: str) -> str:
    """DHIS2's error code for a conflict, so that clients can tell kinds of conflict apart."""
    if field_name in ("orgUnit",) or (field_name == "unit" and "outside" not in message):
        return "E7612"
    if field_name == "unit":
        return "E7617"
    if field_name in ("dataElement", "indicator"):
        return "E7610"
    if field_name == "categoryOptionCombo":
        return "E7613"
    if field_name == "period":
        if "submitted" in message or "closed" in message:
            return "E7642"
        return "E7643" if "not open" in message else "E7611"
    if "empty" in message or "missing" in message:
        return "E7618"
    return "E7619"


def import_options(*, dry_run: bool, strategy: str = "CREATE_AND_UPDATE", asynchronous: bool = False) -> dict:
    return {
        "idSchemes": {},
        "dryRun": dry_run,
        "async": asynchronous,
        "importStrategy": strategy,
        "mergeMode": "REPLACE",
        "reportMode": "FULL",
        "skipExistingCheck": False,
        "sharing": False,
        "skipNotifications": False,
        "skipAudit": False,
        "force": False,
        "firstRowIsHeader": True,
    }


def _conflict(rejection) -> dict:
    objects = {}
    if SEP in rejection.ref:
        element, org_unit, period = [*rejection.ref.split(SEP), "", ""][:3]
        objects = {"dataElement": element, "orgUnit": org_unit, "period": period}
    return {
        "object": _object(rejection.ref, rejection.field),
        "objects": objects,
        "value": rejection.message_en,
        "value_vi": rejection.message_vi,
        "errorCode": error_code(rejection.field, rejection.message_en),
        "property": rejection.field,
        "indexes": [rejection.row] if rejection.row is not None else [],
    }


def import_summary(
    summary: BulkSummary, *, dry_run: bool, strategy: str = "CREATE_AND_UPDATE", deleted: int = 0
) -> dict:
    """DHIS2's ImportSummary: counts, conflicts (object, message, error code, indexes), status."""
    kept = summary.created + summary.updated + summary.unchanged + deleted
    status = "SUCCESS" if not summary.rejected else ("WARNING" if kept else "ERROR")
    description = "Import process completed successfully"
    if summary.rejected:
        description = f"Import process completed with {summary.rejected} conflicts"
        if not kept:
            description = "Import process failed: no value could be imported"
    if dry_run:
        description += " (dry run: nothing was saved)"
    conflicts = [_conflict(r) for r in sorted_rejections(summary)]
    return {
        "responseType": "ImportSummary",
        "status": status,
        "description": description,
        "importOptions": import_options(dry_run=dry_run, strategy=strategy),
        "importCount": {
            "imported": summary.created,
            "updated": summary.updated,
            "ignored": summary.unchanged + summary.rejected,
            "deleted": deleted,
        },
        "conflicts": conflicts,
        "rejectedIndexes": sorted({i for c in conflicts for i in c["indexes"]}),
        "dataSetComplete": "false",
    }


def refused_summary(exc: DomainError, *, dry_run: bool) -> dict:
    """An ImportSummary for a payload refused whole (unsupported option, unreadable body)."""
    return {
        "responseType": "ImportSummary",
        "status": "ERROR",
        "description": exc.message_en,
        "importOptions": import_options(dry_run=dry_run),
        "importCount": {"imported": 0, "updated": 0, "ignored": 0, "deleted": 0},
        "conflicts": [
            {
                "object": exc.field,
                "objects": {},
                "value": exc.message_en,
                "value_vi": exc.message_vi,
                "errorCode": "",
                "property": exc.field,
                "indexes": [],
            }
        ],
        "rejectedIndexes": [],
        "dataSetComplete": "false",
    }
