"""What the JSON twins of the data-entry pages answer."""

import datetime

from django.urls import reverse
from ninja import Schema

from dxmonitor.collection.datasets import Window
from dxmonitor.common.display import format_value

from .models import Report, ReportStatus
from .queries import STATE_LABELS, Completeness, DatasetOverview, ReportForm


class DatasetOut(Schema):
    code: str
    name: str
    level: str
    period_type: str
    opens_after_days: int
    due_days: int
    closes_days: int


class WindowOut(Schema):
    state: str
    state_label: str
    opens_on: datetime.date
    due_on: datetime.date
    closes_on: datetime.date
    reopened_until: datetime.date | None


class EventOut(Schema):
    action: str
    from_status: str
    to_status: str
    by: str | None
    at: datetime.datetime
    reason: str
    is_late: bool


class ReportOut(Schema):
    status: str
    is_late: bool
    submitted_at: datetime.datetime | None
    submitted_by: str | None
    approval_levels: list[str] = []
    approvals: int = 0
    decided_at: datetime.datetime | None = None
    decided_by: str | None = None
    reason: str = ""
    history: list[EventOut] = []


class MissingOut(Schema):
    unit_id: int
    unit: str
    indicator: str


class ReportCompletenessOut(Schema):
    filled: int
    total: int
    required_filled: int
    required: int
    missing: list[MissingOut] = []


class FormIndicatorOut(Schema):
    code: str
    name: str
    measure_unit: str
    kind: str
    required: bool
    position: int
    has_parts: bool


class ReportCellOut(Schema):
    indicator: str
    value_id: int | None
    value: float | None
    numerator: float | None
    denominator: float | None
    display: str
    version: int
    filled: bool


class RowUnitOut(Schema):
    id: int
    code: str
    name: str
    level: str
    synthetic: bool


class RowOut(Schema):
    unit: RowUnitOut
    cells: list[ReportCellOut]


class ReportFormOut(Schema):
    dataset: DatasetOut
    unit: RowUnitOut
    period: str
    period_label: str
    window: WindowOut
    report: ReportOut
    completeness: ReportCompletenessOut
    editable: bool
    lock: str
    indicators: list[FormIndicatorOut]
    rows: list[RowOut]
    page_url: str


class PeriodColumnOut(Schema):
    period: str
    label: str
    window: WindowOut


class OverviewCellOut(Schema):
    period: str
    state: str
    completeness: ReportCompletenessOut
    report: ReportOut
    page_url: str
    api_url: str


class OverviewRowOut(Schema):
    unit: RowUnitOut
    periods: list[OverviewCellOut | None]


class DatasetOverviewOut(Schema):
    dataset: DatasetOut
    periods: list[PeriodColumnOut]
    count: int
    items: list[OverviewRowOut]


class CollectOut(Schema):
    as_of: datetime.date
    datasets: list[DatasetOverviewOut]


def dataset_out(dataset, language: str) -> dict:
    return {
        "code": dataset.code,
        "name": dataset.name(language),
        "level": dataset.level,
        "period_type": dataset.period_type,
        "opens_after_days": dataset.opens_after_days,
        "due_days": dataset.due_days,
        "closes_days": dataset.closes_days,
    }


def window_out(found: Window, state: str) -> dict:
    return {
        "state": state,
        "state_label": str(STATE_LABELS[state]),
        "opens_on": found.opens_on,
        "due_on": found.due_on,
        "closes_on": found.closes_on,
        "reopened_until": found.reopened_until,
    }


def _name(user) -> str | None:
    return user.get_username() if user is not None else None


def event_out(event) -> dict:
    return {
        "action": event.action,
        "from_status": event.from_status,
        "to_status": event.to_status,
        "by": _name(event.by),
        "at": event.at,
        "reason": event.reason,
        "is_late": event.is_late,
    }


def report_out(report: Report | None, *, history: bool = False) -> dict:
    if report is None:
        return {"status": ReportStatus.DRAFT, "is_late": False, "submitted_at": None, "submitted_by": None}
    return {
        "status": report.status,
        "is_late": report.is_late,
        "submitted_at": report.submitted_at,
        "submitted_by": _name(report.submitted_by),
        "approval_levels": report.dataset.levels,
        "approvals": report.approvals,
        "decided_at": report.decided_at,
        "decided_by": _name(report.decided_by),
        "reason": report.reason,
        "history": [event_out(e) for e in report.events.select_related("by")] if history else [],
    }


def completeness_out(counted: Completeness, language: str) -> dict:
    return {
        "filled": counted.filled,
        "total": counted.total,
        "required_filled": counted.required_filled,
        "required": counted.required,
        "missing": [{"unit_id": u.pk, "unit": u.name, "indicator": i.code} for u, i in counted.missing],
    }


def unit_ref(unit) -> dict:
    return {
        "id": unit.pk,
        "code": unit.code,
        "name": unit.name,
        "level": unit.level,
        "synthetic": unit.is_synthetic,
    }


def form_out(form: ReportForm, language: str) -> dict:
    rows = []
    for unit, cells in form.rows():
        out = []
        for cell in cells:
            value = cell.value if cell.filled else None
            out.append(
                {
                    "indicator": cell.indicator.code,
                    "value_id": cell.value.pk if cell.value is not None else None,
                    "value": value.value if value else None,
                    "numerator": value.numerator if value else None,
                    "denominator": value.denominator if value else None,
                    "display": format_value(
                        value.value, measure_unit=cell.indicator.measure_unit, language=language
                    )
                    if value
                    else "",
                    "version": cell.version,
                    "filled": cell.filled,
                }
            )
        rows.append({"unit": unit_ref(unit), "cells": out})
    return {
        "dataset": dataset_out(form.dataset, language),
        "unit": unit_ref(form.unit),
        "period": form.period.code,
        "period_label": form.period.label(language),
        "window": window_out(form.window, form.state),
        "report": report_out(form.report, history=True),
        "completeness": completeness_out(form.completeness, language),
        "editable": form.editable,
        "lock": form.lock,
        "indicators": [
            {
                "code": m.indicator.code,
                "name": m.indicator.name(language),
                "measure_unit": m.indicator.measure_unit,
                "kind": m.indicator.kind,
                "required": m.required,
                "position": m.position,
                "has_parts": m.indicator.has_parts,
            }
            for m in form.members
        ],
        "rows": rows,
        "page_url": reverse("web:entry_form", args=[form.dataset.code, form.unit.pk, form.period.code]),
    }


def overview_out(overview: DatasetOverview, language: str) -> dict:
    code = overview.dataset.code
    items = []
    for row in overview.rows:
        cells = []
        for cell in row.cells:
            if cell is None:
                cells.append(None)
                continue
            args = [code, row.unit.pk, cell.period.code]
            cells.append(
                {
                    "period": cell.period.code,
                    "state": cell.state,
                    "completeness": completeness_out(cell.completeness, language),
                    "report": report_out(cell.report),
                    "page_url": reverse("web:entry_form", args=args),
                    "api_url": reverse("api:report_detail", args=args),
                }
            )
        items.append({"unit": unit_ref(row.unit), "periods": cells})
    return {
        "dataset": dataset_out(overview.dataset, language),
        "periods": [
            {"period": p.code, "label": p.label(language), "window": window_out(w, s)}
            for p, w, s, _ in overview.columns
        ],
        "count": overview.count,
        "items": items,
    }


class ReportRefOut(Schema):
    dataset: str
    unit: dict
    period: str
    period_label: str
    status: str
    is_late: bool
    submitted_at: datetime.datetime | None
    submitted_by: str | None
    decided_at: datetime.datetime | None
    decided_by: str | None
    reason: str
    waiting_for: dict | None = None
    page_url: str
    api_url: str


class DueOut(Schema):
    dataset: str
    dataset_name: str
    unit: dict
    period: str
    period_label: str
    due_on: datetime.date
    days_left: int
    page_url: str


class InboxOut(Schema):
    waiting: list[ReportRefOut]
    returned: list[ReportRefOut]
    due: list[DueOut]


def report_ref_out(report: Report, language: str, waiting_for=None) -> dict:
    from dxmonitor.collection.periods import parse_period

    args = [report.dataset.code, report.unit_id, report.period]
    return {
        "dataset": report.dataset.code,
        "unit": unit_ref(report.unit),
        "period": report.period,
        "period_label": parse_period(report.period).label(language),
        "status": report.status,
        "is_late": report.is_late,
        "submitted_at": report.submitted_at,
        "submitted_by": _name(report.submitted_by),
        "decided_at": report.decided_at,
        "decided_by": _name(report.decided_by),
        "reason": report.reason,
        "waiting_for": unit_ref(waiting_for) if waiting_for is not None else None,
        "page_url": reverse("web:entry_form", args=args),
        "api_url": reverse("api:report_detail", args=args),
    }


def inbox_out(found, language: str) -> dict:
    from .inbox import deciding_units

    deciding = deciding_units(found.waiting)
    return {
        "waiting": [report_ref_out(r, language, deciding.get(r.pk)) for r in found.waiting],
        "returned": [report_ref_out(r, language) for r in found.returned],
        "due": [
            {
                "dataset": item.dataset.code,
                "dataset_name": item.dataset.name(language),
                "unit": unit_ref(item.unit),
                "period": item.period.code,
                "period_label": item.period.label(language),
                "due_on": item.due_on,
                "days_left": item.days_left,
                "page_url": reverse(
                    "web:entry_form", args=[item.dataset.code, item.unit.pk, item.period.code]
                ),
            }
            for item in found.due
        ],
    }
