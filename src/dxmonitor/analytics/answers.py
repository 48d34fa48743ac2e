"""Questions as people and machines ask them — unit ids, indicator codes, periods as written —
turned into answers of the analytics store, checked against who is asking.

The API and the pages both come here, so that a page and its JSON twin give the same figures.
Every answer is read after an incremental refresh: the store takes in what changed since its
last refresh (nothing to do costs a few milliseconds), so an answer never lags the database.
"""

import datetime
import os
from dataclasses import dataclass

from django.db.models import Q

from dxmonitor.accounts.permissions import READ, grants
from dxmonitor.catalog.models import Indicator
from dxmonitor.collection.models import DataSet, ValueChange
from dxmonitor.collection.periods import MONTH, QUARTER, UNDATED, YEAR, Period, parse_period
from dxmonitor.common.errors import DomainError, Forbidden, NotFound
from dxmonitor.common.language import current_language
from dxmonitor.geo.models import LEVEL_ORDER, Level, Unit
from dxmonitor.geo.queries import get_unit, unit_for_code

from . import queries
from .actions import catch_up
from .completeness import completeness
from .schemas import (
    LIMITS,
    cell_out,
    display,
    indicator_ref,
    method_label,
    period_out,
    unit_ref,
)
from .store import fact_table, fact_years, get_meta, store, store_path
from .targets import target_gaps


def language() -> str:
    return current_language()


def ensure_fresh() -> None:
    """Before an answer: values changed since the store's refresh send one to the worker (run
    at once where jobs run in the caller's process); a request never refreshes the store."""
    catch_up()


# --- reading the question -------------------------------------------------------------------


def require_unit(unit_id: int | None, *, field: str = "unit") -> Unit:
    unit = get_unit(unit_id) if unit_id is not None else None
    if unit is None:
        raise NotFound(f"unit {unit_id} does not exist", f"Không có đơn vị hành chính {unit_id}", field=field)
    return unit


def require_indicators(codes: str | list[str]) -> list[Indicator]:
    wanted = [c.strip() for c in (codes.split(",") if isinstance(codes, str) else codes) if c.strip()]
    if not wanted:
        raise DomainError("give at least one indicator", "Cần chọn ít nhất một chỉ tiêu", field="indicators")
    if len(wanted) > LIMITS["indicators"]:
        raise DomainError(
            f"at most {LIMITS['indicators']} indicators at once",
            f"Tối đa {LIMITS['indicators']} chỉ tiêu mỗi lần",
            field="indicators",
        )
    found = {i.code: i for i in Indicator.objects.filter(code__in=wanted)}
    unknown = [c for c in wanted if c not in found]
    if unknown:
        raise NotFound(
            f"unknown indicator {', '.join(unknown)}",
            f"Không có chỉ tiêu {', '.join(unknown)}",
            field="indicator",
        )
    return [found[c] for c in dict.fromkeys(wanted)]


def require_period(text: str, *, field: str = "period") -> Period:
    try:
        return parse_period(text)
    except DomainError as exc:
        exc.field = field
        raise


def require_periods(text: str) -> list[Period]:
    codes = [c.strip() for c in text.split(",") if c.strip()]
    if not codes:
        raise DomainError("give at least one period", "Cần chọn ít nhất một kỳ", field="periods")
    if len(codes) > LIMITS["periods"]:
        raise DomainError(
            f"at most {LIMITS['periods']} periods at once",
            f"Tối đa {LIMITS['periods']} kỳ mỗi lần",
            field="periods",
        )
    return [require_period(c, field="periods") for c in dict.fromkeys(codes)]


def require_level(level: str | None, *, field: str = "level") -> str | None:
    if level and level not in Level.values:
        raise DomainError(
            f"level must be one of {', '.join(Level.values)}",
            f"Cấp phải là một trong {', '.join(Level.values)}",
            field=field,
        )
    return level or None


def unit_by_reference(*, unit_id: int | None, unit_code: str | None, period: Period) -> Unit:
    if unit_id is not None:
        return require_unit(unit_id)
    if not unit_code:
        raise DomainError("give unit or unit_code", "Cần chỉ rõ đơn vị (unit hoặc unit_code)", field="unit")
    return unit_for_code(code=unit_code, on=period.end)


def check_read(viewer, unit: Unit | None, *, what: tuple[str, str] = ("figures", "số liệu tổng hợp")) -> None:
    """Figures (and scores) add up every value under a unit, so reading them takes a role over
    the unit (over the whole country for national answers). `what` names them, en and vi."""
    found = grants(viewer)
    allowed = found.covers(READ, unit) if unit is not None else (found.everything or "" in found.paths(READ))
    if allowed:
        return
    where = unit.name if unit is not None else "the whole country"
    where_vi = unit.name if unit is not None else "toàn quốc"
    if not found.any:
        raise Forbidden(
            f"sign in with a role over {where} to read its {what[0]}",
            f"Hãy đăng nhập bằng tài khoản có vai trò tại {where_vi} để xem {what[1]}",
        )
    raise Forbidden(f"you have no role over {where}", f"Bạn không có vai trò tại {where_vi}")


def check_signed_in(viewer) -> None:
    if not grants(viewer).any:
        raise Forbidden("sign in with a role to read this", "Hãy đăng nhập bằng tài khoản có vai trò")


def previous_period(period: Period) -> Period | None:
    if period.start is None:
        return None
    if period.type == YEAR:
        return parse_period(str(period.start.year - 1))
    if period.type == QUARTER:
        quarter = (period.start.month - 1) // 3 + 1
        year, quarter = (period.start.year, quarter - 1) if quarter > 1 else (period.start.year - 1, 4)
        return parse_period(f"{year}Q{quarter}")
    first = period.start.replace(day=1) - datetime.timedelta(days=1)
    return parse_period(f"{first.year}{first.month:02d}")


def units_under(*, within: Unit | None, level: str | None, period: Period) -> list[Unit]:
    """The units a pivot or ranking lists: `within`'s children, or its descendants of `level`,
    in force on the period's last day (for an undated period, today)."""
    units = Unit.objects.all()
    if within is not None:
        units = units.filter(path__startswith=within.path).exclude(pk=within.pk)
    if level:
        units = units.filter(level=level)
    elif within is not None:
        units = units.filter(parent=within)
    else:
        units = units.filter(level=Level.PROVINCE)
    # The structure in force on the period's last day: a 2025 table lists the 34 provinces
    # formed on 01/07/2025, not the 63 that ended the day before.
    # A unit formed later (the merged Lai Châu asked about 2024) lists its own units, which
    # answer for the years before them through their predecessors.
    day = period.end or datetime.date.today()
    if within is not None and within.valid_from and within.valid_from > day:
        day = within.valid_from
    units = units.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day)).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=day)
    )
    found = list(units.order_by("code", "valid_from")[: LIMITS["units"] + 1])
    if len(found) > LIMITS["units"]:
        raise DomainError(
            f"more than {LIMITS['units']} units: choose a smaller area",
            f"Nhiều hơn {LIMITS['units']} đơn vị: hãy chọn phạm vi nhỏ hơn",
            field="within",
        )
    return sorted(found, key=lambda u: (LEVEL_ORDER.get(u.level, 9), u.code))


def _existed(unit: Unit, period: Period) -> bool:
    if period.start is None:
        return True
    return (unit.valid_from is None or unit.valid_from <= period.end) and (
        unit.valid_to is None or unit.valid_to >= period.start
    )


# --- answers -------------------------------------------------------------------------------


def figure_answer(
    *, unit: Unit, indicator: Indicator, period: Period, kind: str = "actual", method: str = queries.AUTO
) -> dict | None:
    if method not in queries.METHODS:
        raise DomainError(
            f"method must be one of {', '.join(queries.METHODS)}",
            f"Phương pháp phải là một trong {', '.join(queries.METHODS)}",
            field="method",
        )
    ensure_fresh()
    found = queries.figure(
        unit_id=unit.pk, indicator_id=indicator.pk, period=period, kind=kind, method=method
    )
    # Nothing to go on — not even a part that could not be weighted — is no figure at all.
    if found is None or (found.value is None and not found.unweighted):
        return None
    lang = language()
    gaps = (
        target_gaps(
            figures=[found], units={unit.pk: unit}, indicators={indicator.pk: indicator}, year=period.year
        )
        if kind == "actual"
        else {}
    )
    return {
        **found.as_dict(),
        "unit": unit_ref(unit),
        "indicator": indicator_ref(indicator, lang),
        "period": period.code,
        "period_label": period.label(lang),
        "kind": kind,
        "display": display(found, indicator, lang),
        "method_label": method_label(found.method, lang),
        "targets": [vars(t) for t in gaps.get((unit.pk, indicator.pk), [])],
    }


def pivot_answer(
    *, units: list[Unit], indicators: list[Indicator], periods: list[Period], kind: str = "actual"
) -> dict:
    ensure_fresh()
    lang = language()
    by_id = {i.pk: i for i in indicators}
    found = queries.pivot(
        unit_ids=[u.pk for u in units], indicator_ids=list(by_id), periods=periods, kind=kind
    )
    # A unit asked for a period before it existed answers through its predecessors.
    for period in periods:
        for unit in units:
            if _existed(unit, period):
                continue
            for indicator in indicators:
                result = queries.figure(
                    unit_id=unit.pk, indicator_id=indicator.pk, period=period, kind=kind, method=queries.AUTO
                )
                if result is not None and (result.value is not None or result.unweighted):
                    found[(unit.pk, indicator.pk, period.code)] = result
    cells = [
        cell_out(found[(u.pk, i.pk, p.code)], i, lang)
        for u in units
        for i in indicators
        for p in periods
        if (u.pk, i.pk, p.code) in found
    ]
    return {
        "units": [unit_ref(u) for u in units],
        "indicators": [indicator_ref(i, lang) for i in indicators],
        "periods": [period_out(p.code, lang) for p in periods],
        "cells": cells,
    }


def ranking_answer(
    *, within: Unit | None, level: str, indicator: Indicator, period: Period, previous: Period | None
) -> dict:
    ensure_fresh()
    lang = language()
    units = units_under(within=within, level=level, period=period)
    places = queries.ranking(
        unit_ids=[u.pk for u in units],
        indicator_id=indicator.pk,
        period=period,
        previous=previous,
        direction=indicator.direction,
    )
    by_id = {u.pk: u for u in units}
    items = []
    for place in places:
        figure = place.figure
        items.append(
            {
                "rank": place.rank,
                "previous_rank": place.previous_rank,
                "change": place.change,
                "unit": unit_ref(by_id[place.unit_id]),
                "value": figure.value if figure else None,
                "comparator": figure.comparator if figure else "eq",
                "display": display(figure, indicator, lang),
                "method": figure.method if figure else "",
                "complete": figure.complete if figure else False,
            }
        )
    return {
        "indicator": indicator_ref(indicator, lang),
        "period": period_out(period.code, lang),
        "previous": period_out(previous.code, lang) if previous else None,
        "within": unit_ref(within) if within else None,
        "level": level,
        "direction": indicator.direction,
        "items": items,
    }


SERIES_TYPES = {"M": MONTH, "Q": QUARTER, "Y": YEAR}
PERIOD_NAMES = {MONTH: ("month", "tháng"), QUARTER: ("quarter", "quý"), YEAR: ("year", "năm")}


def series_answer(*, unit: Unit, indicator: Indicator, ptype: str, kind: str = "actual") -> dict:
    ensure_fresh()
    lang = language()
    found = queries.series(unit_id=unit.pk, indicator_id=indicator.pk, ptype=SERIES_TYPES[ptype], kind=kind)
    return {
        "unit": unit_ref(unit),
        "indicator": indicator_ref(indicator, lang),
        "items": [cell_out(f, indicator, lang) for _, f in found],
    }


def require_dataset(code: str) -> DataSet:
    dataset = DataSet.objects.filter(code=code).first()
    if dataset is None:
        raise NotFound(f"no data set {code}", f"Không có bộ biểu mẫu {code}", field="dataset")
    return dataset


def completeness_answer(*, dataset: DataSet, within: Unit | None, period: Period) -> dict:
    if period.type == UNDATED or period.type != dataset.period_type:
        raise DomainError(
            f"data set {dataset.code} is reported by {PERIOD_NAMES[dataset.period_type][0]}",
            f"Bộ biểu mẫu {dataset.code} báo cáo theo {PERIOD_NAMES[dataset.period_type][1]}",
            field="period",
        )
    ensure_fresh()
    lang = language()
    total, children = completeness(dataset=dataset, within=within, period=period)
    return {
        "dataset": {
            "code": dataset.code,
            "name": dataset.name(lang),
            "level": dataset.level,
            "period_type": dataset.period_type,
        },
        "period": period_out(period.code, lang),
        "within": unit_ref(within) if within else None,
        "total": total.as_dict(),
        "children": [c.as_dict() for c in children],
    }


@dataclass
class Status:
    path: str
    size_bytes: int
    watermark: int
    pending_changes: int
    refreshed_at: datetime.datetime | None
    facts: int
    figures: int


def store_status() -> Status:
    """How current the store is, without refreshing it."""
    with store() as cursor:
        watermark = int(get_meta(cursor, "watermark") or 0)
        stamp = get_meta(cursor, "refreshed_at")
        facts = sum(
            cursor.execute(f"SELECT count(*) FROM {fact_table(y)}").fetchone()[0] for y in fact_years(cursor)
        )
        figures = cursor.execute("SELECT count(*) FROM figures").fetchone()[0]
    path = store_path()
    return Status(
        path=path,
        size_bytes=os.path.getsize(path) if os.path.exists(path) else 0,
        watermark=watermark,
        pending_changes=ValueChange.objects.filter(id__gt=watermark).count(),
        refreshed_at=datetime.datetime.fromtimestamp(float(stamp), tz=datetime.UTC) if stamp else None,
        facts=facts,
        figures=figures,
    )


def value_counts() -> dict[str, int]:
    """How many values the system holds, real and synthetic, as of the store's last refresh
    (counted by the refresh: nothing is counted per request)."""
    ensure_fresh()
    with store() as cursor:
        values = int(get_meta(cursor, "count:values") or 0)
        synthetic = int(get_meta(cursor, "count:synthetic") or 0)
    return {"values": values, "real_values": values - synthetic, "synthetic_values": synthetic}
