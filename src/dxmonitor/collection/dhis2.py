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
from .models import Dhis2Mapping, Value
from .payloads import Opener, amount, not_json
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
# DHIS2's import strategies and their older spellings.
STRATEGIES = {
    "CREATE_AND_UPDATE": "CREATE_AND_UPDATE",
    "NEW_AND_UPDATES": "CREATE_AND_UPDATE",
    "CREATE": "CREATE",
    "NEW": "CREATE",
    "UPDATE": "UPDATE",
    "UPDATES": "UPDATE",
    "DELETE": "DELETE",
    "DELETES": "DELETE",
}
ATOMIC_MODES = {"ALL", "NONE"}
ID_SCHEMES = {"UID", "CODE"}
PARTS = ("value", "numerator", "denominator")
SEP = "\x1f"  # joins the DHIS2 ids a refused value carries: data element, org unit, period
_MACHINE_NUMBER = re.compile(r"^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$")


class Dhis2Refused(DomainError):
    """The whole payload is refused (an option we do not support); answered as an ImportSummary."""

    status = 409


def check_options(*, strategy: str | None, schemes: dict[str, str | None], atomic: str | None = None) -> str:
    """The import strategy (DHIS2's names); id schemes UID or CODE (both match `dhis2_id`);
    atomicMode ALL or NONE. Anything else refuses the payload whole."""
    chosen = STRATEGIES.get((strategy or "CREATE_AND_UPDATE").strip().upper())
    if chosen is None:
        raise Dhis2Refused(
            f"importStrategy {strategy} is not supported: CREATE_AND_UPDATE, CREATE, UPDATE or DELETE",
            f"Không hỗ trợ importStrategy {strategy}: CREATE_AND_UPDATE, CREATE, UPDATE hoặc DELETE",
            field="importStrategy",
        )
    if atomic and atomic.strip().upper() not in ATOMIC_MODES:
        raise Dhis2Refused(
            f"atomicMode {atomic} is not supported: ALL or NONE",
            f"Không hỗ trợ atomicMode {atomic}: ALL hoặc NONE",
            field="atomicMode",
        )
    for name, scheme in schemes.items():
        if scheme and scheme.strip().upper() not in ID_SCHEMES:
            raise Dhis2Refused(
                f"{name} {scheme} is not supported: use UID or CODE (both are matched against the mappings)",
                f"Không hỗ trợ {name} {scheme}: dùng UID hoặc CODE",
                field=name,
            )
    return chosen


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
class Deletion:
    """A value a DHIS2 payload deletes (importStrategy DELETE, `deleted`, or an empty value)."""

    index: int
    unit_id: int
    target: Target
    period: str
    ref: str


@dataclass
class _Sum:
    """Disaggregations of a data element mapped for any combo, added up into one figure."""

    unit_id: int
    period: str
    target: Target
    index: int
    ref: str
    comment: str
    total: float = 0.0
    combos: set[str] = field(default_factory=set)


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

    def __init__(
        self, *, report: BulkSummary, resolver: Resolver | None = None, strategy: str = "CREATE_AND_UPDATE"
    ) -> None:
        self.report = report
        self.resolver = resolver or Resolver()
        self.strategy = strategy
        self.pending: dict[tuple[int, str, str, str], _Parts] = {}
        self.sums: dict[tuple[int, str, str, str, str], _Sum] = {}
        self.deletions: list[Deletion] = []
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
        sums, self.sums = self.sums, {}
        for added in sums.values():
            raw = self.place(
                added.unit_id, added.period, added.target, added.index, added.ref, added.comment, added.total
            )
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
        ref = SEP.join((item.data_element, item.org_unit, item.period))
        if item.deleted or self.strategy == "DELETE" or item.value is None or not str(item.value).strip():
            # DHIS2 deletes a value marked deleted, every value of a DELETE import, and an empty one.
            self.deletions.append(Deletion(item.index, unit_id, target, item.period, ref))
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
        if self.strategy in ("CREATE", "UPDATE") and not self.follows_strategy(item, unit_id, target):
            return None
        if item.combo and (item.data_element, item.combo) not in self.resolver.elements:
            # Mapped for any combo: the disaggregations are added up into one figure.
            key = (unit_id, target.indicator, item.period, target.kind, target.part)
            added = self.sums.setdefault(
                key, _Sum(unit_id, item.period, target, item.index, ref, item.comment)
            )
            if item.combo in added.combos:
                self.conflict(
                    index=item.index,
                    obj=item.data_element,
                    problem=Problem(
                        "categoryOptionCombo",
                        f"category option combo {item.combo} of {item.data_element} came twice",
                        f"Tổ hợp {item.combo} của {item.data_element} bị gửi hai lần",
                    ),
                )
                return None
            added.combos.add(item.combo)
            added.total += float(item.value)
            return None
        return self.place(unit_id, item.period, target, item.index, ref, item.comment, item.value)

    def follows_strategy(self, item: DataValue, unit_id: int, target: Target) -> bool:
        """CREATE keeps only new values, UPDATE only existing ones; the others are conflicts."""
        exists = Value.objects.filter(
            unit_id=unit_id,
            indicator__code=target.indicator,
            period=parse_period(item.period).code,
            kind=target.kind,
            is_deleted=False,
        ).exists()
        if exists == (self.strategy == "UPDATE"):
            return True
        en = "the value exists already" if exists else "there is no value to update"
        vi = "Số liệu đã có" if exists else "Chưa có số liệu để cập nhật"
        self.conflict(
            index=item.index,
            obj=item.data_element,
            problem=Problem(
                "importStrategy",
                f"importStrategy {self.strategy}: {en}",
                f"importStrategy {self.strategy}: {vi}",
            ),
        )
        return False

    def place(
        self, unit_id: int, period: str, target: Target, index: int, ref: str, comment: str, value: Any
    ) -> RawValue | None:
        """One part of an indicator's value: the value itself, or a part that waits for the others."""
        if self.resolver.parts.get((target.indicator, target.kind), {"value"}) == {target.part}:
            parts = _Parts(unit_id, period, target, index, ref, comment)
            parts.values[target.part] = value
            return self.merged(parts)
        key = (unit_id, target.indicator, period, target.kind)
        parts = self.pending.setdefault(key, _Parts(unit_id, period, target, index, ref))
        if target.part in parts.values:
            self.conflict(
                index=index,
                obj=ref.split(SEP, 1)[0],
                problem=Problem(
                    target.part,
                    f"the {target.part} of {target.indicator} for this org unit and period came twice",
                    f"{target.part} của {target.indicator} cho đơn vị và kỳ này bị gửi hai lần",
                ),
            )
            return None
        parts.values[target.part] = value
        parts.comment = parts.comment or comment
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

    def __init__(
        self,
        opener: Opener,
        *,
        envelope: dict[str, Any],
        report: BulkSummary,
        strategy: str = "CREATE_AND_UPDATE",
    ) -> None:
        self.opener = opener
        self.envelope = envelope
        self.complete_envelope = False
        self.values = Dhis2Values(report=report, strategy=strategy)
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

    def __init__(self, opener: Opener, *, report: BulkSummary, strategy: str = "CREATE_AND_UPDATE") -> None:
        self.opener = opener
        self.values = Dhis2Values(report=report, strategy=strategy)

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
