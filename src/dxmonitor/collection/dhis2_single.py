"""One DHIS2 data value read, written or deleted (`/api/dataValues`), through the mappings.

A write goes through the bulk path (the same contract, subtree and calendar checks as a payload
of one value); a conflict is refused with 409 and DHIS2's message. Deleting a data element that
carries a rate's numerator or denominator deletes the whole value, as a rate cannot stand on one
of its parts.
"""

from dxmonitor.accounts.permissions import ENTER, can
from dxmonitor.common.errors import DomainError, Forbidden, Problem
from dxmonitor.common.users import AnyUser

from .actions import Provenance, delete_value
from .bulk import BulkSummary, import_values
from .dhis2 import DataValue, Deletion, Dhis2Values, Resolver
from .dhis2_export import machine
from .models import SourceType, Value
from .periods import PeriodError, parse_period


class Dhis2Conflict(DomainError):
    status = 409


def _find(*, data_element: str, period: str, org_unit: str, combo: str) -> tuple[Value | None, str]:
    resolver = Resolver()
    unit_id = resolver.org_units.get(org_unit)
    if unit_id is None:
        raise Dhis2Conflict(
            f"Organisation unit not found or not accessible: `{org_unit}`",
            f"Đơn vị DHIS2 `{org_unit}` chưa được ánh xạ",
            field="ou",
        )
    target = resolver.element(data_element, combo)
    if target is None:
        raise Dhis2Conflict(
            f"Data element not found or not accessible: `{data_element}`",
            f"Phần tử dữ liệu `{data_element}` chưa được ánh xạ",
            field="de",
        )
    try:
        code = parse_period(period).code
    except PeriodError as exc:
        raise Dhis2Conflict(f"Period not valid: `{period}`", exc.message_vi, field="pe") from exc
    value = (
        Value.objects.select_related("unit")
        .filter(
            unit_id=unit_id, indicator__code=target.indicator, period=code, kind=target.kind, is_deleted=False
        )
        .first()
    )
    return value, target.part


def read_one(*, data_element: str, period: str, org_unit: str, combo: str) -> str:
    value, part = _find(data_element=data_element, period=period, org_unit=org_unit, combo=combo)
    figure = getattr(value, part) if value is not None else None
    if figure is None:
        raise Dhis2Conflict("Data value does not exist", "Không có số liệu này", field="de")
    return machine(figure)


def write_one(
    *,
    user: AnyUser,
    data_element: str,
    period: str,
    org_unit: str,
    combo: str,
    value: str | None,
    comment: str,
    api_client: str,
) -> BulkSummary:
    """Create or update one value; an empty value deletes it, as in DHIS2."""
    if value is None or not str(value).strip():
        delete_one(
            user=user,
            data_element=data_element,
            period=period,
            org_unit=org_unit,
            combo=combo,
            api_client=api_client,
        )
        return BulkSummary()
    report = BulkSummary()
    converter = Dhis2Values(report=report)
    item = DataValue(
        index=0,
        data_element=data_element,
        period=period,
        org_unit=org_unit,
        combo=combo,
        value=value,
        comment=comment,
    )
    summary = import_values(
        items=converter.convert(iter([item])),
        user=user,
        source_type=SourceType.API,
        source_file="dataValues",
        api_client=api_client,
    )
    summary.merge(report)
    if summary.rejected:
        first = summary.rejections[0]
        raise Dhis2Conflict(first.message_en, first.message_vi, field=first.field)
    return summary


def delete_one(
    *, user: AnyUser, data_element: str, period: str, org_unit: str, combo: str, api_client: str
) -> None:
    value, _part = _find(data_element=data_element, period=period, org_unit=org_unit, combo=combo)
    if value is None:
        raise Dhis2Conflict(
            "Data value cannot be deleted because it does not exist",
            "Không có số liệu này để xóa",
            field="de",
        )
    if not can(user, ENTER, value.unit):
        raise Forbidden(
            f"you may not change figures of {value.unit.name}",
            f"Bạn không được sửa số liệu của {value.unit.name}",
        )
    delete_value(
        value=value, user=user, provenance=Provenance(source_type=SourceType.API, api_client=api_client)
    )


def delete_many(
    *, deletions: list[Deletion], user: AnyUser, api_client: str, dry_run: bool, report: BulkSummary
) -> int:
    """Delete what a DHIS2 payload deletes; how many were deleted (or would be, in a dry run).

    A value that is not there is ignored, as DHIS2 does; one outside the caller's units, or held
    by a submitted report, is a conflict."""
    deleted = 0
    provenance = Provenance(source_type=SourceType.API, api_client=api_client)
    for item in deletions:
        report.total += 1
        try:
            code = parse_period(item.period).code
        except PeriodError as exc:
            report.reject(
                ref=item.ref, row=item.index, problem=Problem("period", exc.message_en, exc.message_vi)
            )
            continue
        value = (
            Value.objects.select_related("unit")
            .filter(
                unit_id=item.unit_id,
                indicator__code=item.target.indicator,
                period=code,
                kind=item.target.kind,
                is_deleted=False,
            )
            .first()
        )
        if value is None:
            report.unchanged += 1
            continue
        if not can(user, ENTER, value.unit):
            report.reject(
                ref=item.ref,
                row=item.index,
                problem=Problem(
                    "unit",
                    f"{value.unit.name} is outside the units you may enter figures for",
                    f"{value.unit.name} nằm ngoài các đơn vị bạn được nhập số liệu",
                ),
            )
            continue
        if not dry_run:
            try:
                delete_value(value=value, user=user, provenance=provenance)
            except DomainError as exc:
                report.reject(
                    ref=item.ref, row=item.index, problem=Problem("period", exc.message_en, exc.message_vi)
                )
                continue
        deleted += 1
    return deleted
