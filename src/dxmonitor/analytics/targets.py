"""How far a figure — reported or added up — stands from its targets.

The same judgement as for a single value (collection.queries.compare): a national target
(749/QĐ-TTg, 411/QĐ-TTg) for the first target year at or after the figure's, the one for the
unit's level winning over one for every level (work records online: province 90, district 80,
commune 60); and the unit's own target, set either in the catalogue for that unit or entered
as a target value of the unit, again the first at or after the figure's year.
"""

from dxmonitor.catalog.models import Direction, Indicator, Target
from dxmonitor.catalog.queries import pick_national_target
from dxmonitor.collection.models import Value, ValueKind
from dxmonitor.collection.queries import TargetComparison, compare
from dxmonitor.geo.models import Unit

from .queries import Figure


def target_gaps(
    *, figures: list[Figure], units: dict[int, Unit], indicators: dict[int, Indicator], year: int | None
) -> dict[tuple[int, int], list[TargetComparison]]:
    """Comparisons of many figures of one period, keyed by (unit id, indicator id)."""
    judged = [
        f for f in figures if f.value is not None and indicators[f.indicator_id].direction != Direction.NONE
    ]
    if not judged:
        return {}
    indicator_ids = {f.indicator_id for f in judged}
    unit_ids = {f.unit_id for f in judged}
    national: dict[int, list[Target]] = {}
    scoped: dict[tuple[int, int], list[tuple[float, int, str]]] = {}
    for target in Target.objects.filter(indicator_id__in=indicator_ids).filter(
        scope_unit__isnull=True
    ) | Target.objects.filter(indicator_id__in=indicator_ids, scope_unit_id__in=unit_ids):
        if target.scope_unit_id is None:
            national.setdefault(target.indicator_id, []).append(target)
        else:
            key = (target.scope_unit_id, target.indicator_id)
            scoped.setdefault(key, []).append((target.value, target.year, target.source))
    entered = (
        Value.objects.filter(
            kind=ValueKind.TARGET,
            is_deleted=False,
            period_start__isnull=False,
            unit_id__in=unit_ids,
            indicator_id__in=indicator_ids,
        )
        .select_related("document")
        .order_by("period_start")
    )
    for value in entered:
        source = value.document.title if value.document else ""
        key = (value.unit_id, value.indicator_id)
        scoped.setdefault(key, []).append((value.value, value.period_start.year, source))
    found = {}
    for figure in judged:
        unit, indicator = units[figure.unit_id], indicators[figure.indicator_id]
        candidates: list[tuple[float, int, str, str, str]] = []
        target_year = year or min((t.year for t in national.get(indicator.pk, [])), default=None)
        if target_year is not None:
            chosen = pick_national_target(national.get(indicator.pk, []), year=target_year, level=unit.level)
            if chosen is not None:
                candidates.append((chosen.value, chosen.year, chosen.level, chosen.source, "national"))
        own = sorted(
            (
                t
                for t in scoped.get((unit.pk, indicator.pk), [])
                if target_year is None or t[1] >= target_year
            ),
            key=lambda t: t[1],
        )
        if own:
            candidates.append((own[0][0], own[0][1], unit.level, own[0][2], "local"))
        results = []
        for target, target_at, level, source, scope in candidates:
            status, gap, bound = compare(
                value=figure.value, comparator=figure.comparator, target=target, direction=indicator.direction
            )
            results.append(TargetComparison(status, target, target_at, level, source, scope, gap, bound))
        found[(figure.unit_id, figure.indicator_id)] = results
    return found
