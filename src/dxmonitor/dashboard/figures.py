"""Figures of many units at once for the dashboard and the map, with where each comes from.

A unit asked about for a year before it existed answers through the units it was formed from,
as analytics.queries.figure does one figure at a time — here for every unit and indicator of a
page in three queries.
"""

from dxmonitor.analytics import queries
from dxmonitor.analytics.queries import Figure
from dxmonitor.analytics.schemas import method_label
from dxmonitor.analytics.store import store
from dxmonitor.catalog.models import Direction, Indicator, IndicatorGroup, Target
from dxmonitor.collection.periods import Period
from dxmonitor.geo.models import Unit


def existed(unit: Unit, period: Period) -> bool:
    if period.start is None:
        return True
    return unit.existed_during(period.start, period.end)


def figures_for(
    *, units: list[Unit], indicators: list[Indicator], period: Period
) -> dict[tuple[int, int], Figure]:
    """Figures of many units and indicators for one period; a unit that did not exist yet answers
    through the units it was formed from."""
    present = [u.pk for u in units if existed(u, period)]
    later = [u.pk for u in units if not existed(u, period)]
    ids = [i.pk for i in indicators]
    with store() as cursor:
        found = queries.figures_of(cursor, unit_ids=present, indicator_ids=ids, period=period)
        if later and ids:
            found.update(succession_figures(cursor, unit_ids=later, indicator_ids=ids, period=period))
    return {k: f for k, f in found.items() if f.value is not None}


def succession_figures(
    cursor, *, unit_ids: list[int], indicator_ids: list[int], period: Period
) -> dict[tuple[int, int], Figure]:
    """analytics.queries.figure's succession method for many units and indicators in three
    queries, where that function takes several per figure: a map of the 3,321 communes formed in
    2025 asked about 2024 would otherwise take seconds."""
    if period.start is None:
        return {}
    rows = cursor.execute(
        """
        SELECT s.successor_id, s.predecessor_id, s.weight, u.name, u.level = me.level
        FROM successions s JOIN units u ON u.id = s.predecessor_id JOIN units me ON me.id = s.successor_id
        WHERE s.successor_id IN (SELECT unnest(?)) AND (u.valid_from IS NULL OR u.valid_from <= ?)
          AND (u.valid_to IS NULL OR u.valid_to >= ?)
        ORDER BY s.successor_id, s.predecessor_id
        """,
        [unit_ids, period.end, period.start],
    ).fetchall()
    sources: dict[int, list[tuple]] = {}
    for successor, predecessor, weight, name, same_level in rows:
        sources.setdefault(successor, []).append((predecessor, weight, name, same_level))
    for successor, found in sources.items():
        # Only predecessors of the unit's own level count, or the sums would count twice.
        if any(same for *_, same in found):
            sources[successor] = [f for f in found if f[3]]
    rules = {
        i: (aggregation, context)
        for i, aggregation, context in cursor.execute(
            "SELECT id, aggregation, context_id FROM indicators WHERE id IN (SELECT unnest(?))",
            [indicator_ids],
        ).fetchall()
    }
    wanted = set(indicator_ids) | {c for _, c in rules.values() if c}
    parts_of = queries.figures_of(
        cursor,
        unit_ids=sorted({p for found in sources.values() for p, *_ in found}),
        indicator_ids=sorted(wanted),
        period=period,
    )
    result = {}
    for unit_id, found in sources.items():
        named = [(pid, w, name) for pid, w, name, _ in found]
        for indicator_id in indicator_ids:
            aggregation, context_id = rules.get(indicator_id, ("none", None))
            result[(unit_id, indicator_id)] = queries.combine_predecessors(
                unit_id=unit_id,
                indicator_id=indicator_id,
                period=period,
                sources=named,
                found=parts_of,
                aggregation=aggregation,
                context_id=context_id,
            )
    return result


def judged_indicators(group: IndicatorGroup | None) -> list[Indicator]:
    """Indicators that have a direction and a national target: those a tile can judge."""
    with_targets = Target.objects.filter(scope_unit__isnull=True).values_list("indicator_id", flat=True)
    found = Indicator.objects.filter(is_active=True, pk__in=with_targets).exclude(direction=Direction.NONE)
    if group is not None:
        found = found.filter(group=group)
    return list(found.select_related("group").order_by("group__position", "code"))


def status_of(comparisons: list) -> dict | None:
    """The comparison a tile shows: the unit's own target when it has one, else the national one."""
    if not comparisons:
        return None
    chosen = next((c for c in comparisons if c.scope == "local"), comparisons[0])
    return vars(chosen)


def source_text(figure: Figure, lang: str) -> str:
    """Where a figure comes from, in words: the method, the units it was formed from, synthetic."""
    parts = [method_label(figure.method, lang)]
    if figure.parts is not None and figure.expected is not None and figure.method != "reported":
        parts.append(f"{figure.parts}/{figure.expected}")
    if figure.sources:
        names = ", ".join(s["name"] for s in figure.sources[:4])
        more = "…" if len(figure.sources) > 4 else ""
        parts.append(("from " if lang.startswith("en") else "từ ") + names + more)
    if figure.synthetic:
        parts.append("synthetic" if lang.startswith("en") else "dữ liệu mô phỏng")
    return " · ".join(p for p in parts if p)
