"""The map: the units of a unit (or of the country) in force on a day, each with its figure and
how it stands against its target — provinces as shapes coloured by their figure (a choropleth),
communes and villages as symbols at their centroids over the communes of that day."""

import datetime

from django.db.models import Q
from django.utils import timezone

from dxmonitor.analytics import answers
from dxmonitor.analytics.schemas import display, indicator_ref, period_out, unit_ref
from dxmonitor.analytics.targets import target_gaps
from dxmonitor.catalog.models import Indicator
from dxmonitor.collection.periods import Period
from dxmonitor.common.errors import DomainError, NotFound
from dxmonitor.geo.models import Level, Unit
from dxmonitor.geo.queries import predecessors, successors, valid_on

from .figures import figures_for, source_text, status_of
from .queries import (
    default_period,
    default_unit,
    first_with_figure,
    first_with_tile,
    language,
    own_unit,
    require_year,
)
from .shapes import shapes_of, shapes_url


def require_day(text: str) -> datetime.date | None:
    if not text:
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError as exc:
        raise DomainError(
            f"date {text!r} is not a date (YYYY-MM-DD)",
            f"Ngày {text!r} không hợp lệ (YYYY-MM-DD)",
            field="date",
        ) from exc


def map_question(*, viewer, unit_id: int | None, indicator: str, period: str, date: str, level: str) -> dict:
    # Not asked: the country for a national role, else the viewer's own area.
    within = answers.require_unit(unit_id) if unit_id is not None else own_unit(viewer)
    answers.check_read(viewer, within)
    answers.ensure_fresh()
    chosen = require_year(period) if period else default_period(within)
    found = answers.require_indicators([indicator])[0] if indicator else None
    if found is None:
        home = within or default_unit(viewer)
        found = (first_with_tile(home, chosen) if home else None) or first_with_figure(None, None)
    if found is None:
        raise NotFound("no indicator to show", "Chưa có chỉ tiêu nào để hiển thị", field="indicator")
    return {
        "within": within,
        "indicator": found,
        "period": chosen,
        "day": require_day(date),
        "level": answers.require_level(level),
    }


def map_day(within: Unit | None, period: Period, day: datetime.date | None) -> datetime.date:
    """The day whose structure the map draws: asked, else one the unit was in force on."""
    if day is not None:
        return day
    chosen = period.end or timezone.localdate()
    if within is not None:
        if within.valid_to and within.valid_to < chosen:
            chosen = within.valid_to
        if within.valid_from and within.valid_from > chosen:
            chosen = within.valid_from
    return chosen


def areas_on(within: Unit | None, day: datetime.date) -> list[Unit] | None:
    """The units in force on `day` that cover `within`: itself, or across the reorganisation the
    units it became or was formed from (None: the whole country)."""
    if within is None:
        return None
    frontier, seen = [within], set()
    while frontier:
        unit = frontier.pop()
        if unit.pk in seen:
            continue
        seen.add(unit.pk)
        if unit.is_valid_on(day):
            continue
        if unit.valid_to and unit.valid_to < day:
            linked = [s.successor for s in successors(unit)]
        else:
            linked = [s.predecessor for s in predecessors(unit)]
        # Units of its own level when there are (a province became a province); else any (a
        # district, gone in 2025, went into a province).
        same = [u for u in linked if u.level == unit.level]
        frontier += same or linked
    found = [u for u in Unit.objects.filter(pk__in=seen).filter(valid_on(day))]
    return sorted(found, key=lambda u: u.code)


def map_level(within: Unit | None, level: str | None) -> str:
    if level:
        return level
    if within is None:
        return Level.PROVINCE
    return Level.COMMUNE if within.level in (Level.PROVINCE, Level.DISTRICT) else Level.VILLAGE


def map_answer(
    *, within: Unit | None, indicator: Indicator, period: Period, day: datetime.date | None, level: str | None
) -> dict:
    # map_question brought the store up to date: one refresh per request.
    lang = language()
    day = map_day(within, period, day)
    level = map_level(within, level)
    areas = areas_on(within, day)
    units = Unit.objects.filter(valid_on(day), level=level)
    if areas is not None:
        condition = Q(pk__in=[])
        for area in areas:
            condition |= Q(path__startswith=area.path)
        units = units.filter(condition)
    units = list(units.order_by("code")[: answers.LIMITS["units"]])
    figures = figures_for(units=units, indicators=[indicator], period=period)
    gaps = target_gaps(
        figures=list(figures.values()),
        units={u.pk: u for u in units},
        indicators={indicator.pk: indicator},
        year=period.year,
    )
    # Provinces have shapes (see shapes.py); the map is a choropleth only when every one has.
    shapes = shapes_of(units) if level == Level.PROVINCE else {}
    choropleth = bool(units) and all(shapes.get(u.pk) for u in units)
    points, unplaced = [], 0
    for unit in units:
        found = figures.get((unit.pk, indicator.pk))
        if unit.latitude is None or unit.longitude is None:
            unplaced += found is not None
            continue
        judged = status_of(gaps.get((unit.pk, indicator.pk), [])) if found else None
        points.append(
            {
                "unit": unit_ref(unit),
                "lat": unit.latitude,
                "lon": unit.longitude,
                "value": found.value if found else None,
                "display": display(found, indicator, lang),
                "method": found.method if found else "",
                "source": source_text(found, lang) if found else "",
                "status": judged["status"] if judged else ("no_target" if found else "no_figure"),
                "shapes": shapes[unit.pk] if choropleth else [],
            }
        )
    return {
        "within": unit_ref(within) if within else None,
        "areas": [unit_ref(a) for a in areas] if areas is not None else None,
        "indicator": indicator_ref(indicator, lang),
        "period": period_out(period.code, lang),
        "date": day,
        "level": level,
        "kind": "choropleth" if choropleth else "symbols",
        "shapes_url": shapes_url() if choropleth else None,
        "points": points,
        "unplaced": unplaced,
        "basemap": basemap(day, areas),
    }


def basemap(day: datetime.date, areas: list[Unit] | None) -> list[list[float]]:
    """The backdrop: the centroids of every commune in force on the day — for the whole country
    they draw its shape — rounded to about a kilometre."""
    units = Unit.objects.filter(valid_on(day), level=Level.COMMUNE, latitude__isnull=False)
    if areas is not None:
        condition = Q(pk__in=[])
        for area in areas:
            condition |= Q(path__startswith=area.path)
        units = units.filter(condition)
    return [[round(lon, 2), round(lat, 2)] for lat, lon in units.values_list("latitude", "longitude")]
