"""JSON API of the checks: declared rules, their violations, outlier flags (twins of /rules/, /checks/).

Rules are public. Violations and flags are figures of units: they need a signed-in user or a
token, and show only the units the user may read.
"""

import datetime

from ninja import Query, Router, Schema
from pydantic import Field

from dxmonitor.accounts.api import WRITE_AUTH
from dxmonitor.common.api import ERRORS, WRITE_ERRORS, Paging, page
from dxmonitor.common.display import format_value
from dxmonitor.common.language import current_language
from dxmonitor.common.users import ApiRequest
from dxmonitor.geo.api import get_unit
from dxmonitor.geo.schemas import UnitBrief, unit_brief

from . import outliers, rules
from .models import RuleViolation, ValidationRule, ValueFlag
from .periods import parse_period

router = Router(tags=["checks"])


class RuleOut(Schema):
    code: str
    name: str
    name_vi: str
    name_en: str
    left: str
    operator: str
    right: str
    expression: str
    severity: str
    active: bool


class RuleBrief(Schema):
    code: str
    name: str
    expression: str
    severity: str


class ViolationOut(Schema):
    id: int
    rule: RuleBrief
    unit: UnitBrief
    period: str
    period_label: str
    left_value: float
    right_value: float
    detected_at: datetime.datetime


class ViolationPage(Schema):
    count: int
    items: list[ViolationOut]


class CheckFilter(Paging):
    within: int | None = Field(None, description="a unit id: its whole subtree")
    period: str | None = Field(None, max_length=16)


class FlagFilter(CheckFilter):
    open: bool | None = Field(True, description="true: open flags (default); false: resolved; empty: all")


class RecheckIn(Schema):
    within: int | None = Field(None, gt=0, lt=2**63, description="a unit id; empty: the whole country")
    period: str | None = Field(None, max_length=16)


class RecheckOut(Schema):
    pairs: int
    violations: int
    violations_created: int
    violations_updated: int
    violations_removed: int
    values_checked: int
    flags_created: int
    flags_resolved: int
    flags_open: int


class IndicatorBrief(Schema):
    code: str
    name: str
    measure_unit: str


class FlaggedValueOut(Schema):
    id: int
    unit: UnitBrief
    indicator: IndicatorBrief
    period: str
    period_label: str
    kind: str
    value: float
    display: str
    deleted: bool


class FlagOut(Schema):
    id: int
    value: FlaggedValueOut
    reason: str
    reason_label: str
    flagged_value: float
    expected_low: float | None
    expected_high: float | None
    created_at: datetime.datetime
    open: bool
    resolved_at: datetime.datetime | None
    resolved_by: str | None
    resolution_note: str


class FlagPage(Schema):
    count: int
    items: list[FlagOut]


class ResolveIn(Schema):
    note: str = Field("", max_length=2000, description="what the approver checked")


def rule_out(rule: ValidationRule, *, language: str) -> dict:
    return {
        "code": rule.code,
        "name": rule.name_en if language.startswith("en") else rule.name_vi,
        "name_vi": rule.name_vi,
        "name_en": rule.name_en,
        "left": rule.left,
        "operator": rule.operator,
        "right": rule.right,
        "expression": str(rule),
        "severity": rule.severity,
        "active": rule.is_active,
    }


def violation_out(violation: RuleViolation, *, language: str) -> dict:
    rule = violation.rule
    return {
        "id": violation.pk,
        "rule": {
            "code": rule.code,
            "name": rule.name_en if language.startswith("en") else rule.name_vi,
            "expression": str(rule),
            "severity": rule.severity,
        },
        "unit": unit_brief(violation.unit),
        "period": violation.period,
        "period_label": parse_period(violation.period).label(language),
        "left_value": violation.left_value,
        "right_value": violation.right_value,
        "detected_at": violation.detected_at,
    }


def flag_out(flag: ValueFlag, *, language: str) -> dict:
    value = flag.value
    measure = value.indicator.measure_unit
    return {
        "id": flag.pk,
        "value": {
            "id": value.pk,
            "unit": unit_brief(value.unit),
            "indicator": {
                "code": value.indicator.code,
                "name": value.indicator.name(language),
                "measure_unit": measure,
            },
            "period": value.period,
            "period_label": parse_period(value.period).label(language),
            "kind": value.kind,
            "value": value.value,
            "display": format_value(
                value.value, comparator=value.comparator, measure_unit=measure, language=language
            ),
            "deleted": value.is_deleted,
        },
        "reason": flag.reason,
        "reason_label": str(ValueFlag.Reason(flag.reason).label),
        "flagged_value": flag.flagged_value,
        "expected_low": flag.expected_low,
        "expected_high": flag.expected_high,
        "created_at": flag.created_at,
        "open": flag.resolved_at is None,
        "resolved_at": flag.resolved_at,
        "resolved_by": flag.resolved_by.get_username() if flag.resolved_by else None,
        "resolution_note": flag.resolution_note,
    }


def recheck_out(report: rules.CheckReport) -> dict:
    found, flagged = report.violations, report.flags
    return {
        "pairs": found.pairs,
        "violations": found.violations,
        "violations_created": found.created,
        "violations_updated": found.updated,
        "violations_removed": found.removed,
        "values_checked": flagged.checked,
        "flags_created": flagged.created,
        "flags_resolved": flagged.resolved,
        "flags_open": flagged.open,
    }


@router.get("/rules", response={200: list[RuleOut], **ERRORS}, url_name="rules")
def list_rules(request: ApiRequest):
    """The declared validation rules, active or not (twin of /rules/)."""
    language = current_language()
    return [rule_out(r, language=language) for r in ValidationRule.objects.order_by("code")]


@router.get(
    "/violations", response={200: ViolationPage, **WRITE_ERRORS}, auth=WRITE_AUTH, url_name="violations"
)
def list_violations(request: ApiRequest, filters: Query[CheckFilter]):
    """Standing rule violations in a subtree and period, of the units the caller may read; errors first."""
    found = rules.violations(
        within=get_unit(filters.within) if filters.within else None,
        period=filters.period,
        user=request.auth,
    )
    count, items = page(found, limit=filters.limit, offset=filters.offset)
    language = current_language()
    return {"count": count, "items": [violation_out(v, language=language) for v in items]}


@router.post(
    "/violations/refresh",
    response={200: RecheckOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    url_name="violations_refresh",
)
def refresh(request: ApiRequest, payload: RecheckIn):
    """Re-run the rules and the outlier checks over a subtree and period.

    Needs data entry or approval over the whole subtree.
    """
    within = get_unit(payload.within) if payload.within else None
    return recheck_out(rules.recheck(within=within, period=payload.period, user=request.auth))


@router.get("/flags", response={200: FlagPage, **WRITE_ERRORS}, auth=WRITE_AUTH, url_name="flags")
def list_flags(request: ApiRequest, filters: Query[FlagFilter]):
    """Outlier flags of values the caller may read; open ones by default, newest first."""
    found = outliers.flags(
        within=get_unit(filters.within) if filters.within else None,
        user=request.auth,
        open=filters.open,
        period=filters.period,
    )
    count, items = page(found, limit=filters.limit, offset=filters.offset)
    language = current_language()
    return {"count": count, "items": [flag_out(f, language=language) for f in items]}


@router.post(
    "/flags/{flag_id}/resolve",
    response={200: FlagOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    url_name="flag_resolve",
)
def resolve(request: ApiRequest, flag_id: int, payload: ResolveIn):
    """An approver has looked at the flagged value and keeps it ("Đã xem, giữ nguyên")."""
    flag = outliers.get_flag(flag_id=flag_id, user=request.auth)
    resolved = outliers.resolve_flag(flag=flag, user=request.auth, note=payload.note)
    return flag_out(resolved, language=current_language())
