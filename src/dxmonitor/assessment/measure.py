"""Figures and points: reading what a unit typed, turning a figure into the component's points, and
prefilling each component with what the product already measured for the unit."""

from dxmonitor.catalog.models import SchemeComponent, SchemeVersion
from dxmonitor.catalog.scheme_rules import points_for
from dxmonitor.common.errors import DomainError
from dxmonitor.common.numbers import NumberFormatError, parse_number

# Points are kept rounded, so that 0.1 + 0.2 and 0.3 compare equal in a ranking.
PRECISION = 6


def read_figure(text: str | float | int | None, *, field: str = "figure") -> float | None:
    """A figure as officials type it ("1.234,5", "85%", "12"); empty means none."""
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    try:
        return parse_number(text)
    except NumberFormatError as exc:
        raise DomainError(
            f"{str(text).strip()[:40]!r} is not a number (write 1.234,5 or 85%)",
            f"{str(text).strip()[:40]!r} không phải là số (viết như 1.234,5 hoặc 85%)",
            field=field,
        ) from exc


def read_points(text: str | float | int | None, component: SchemeComponent) -> float | None:
    points = read_figure(text, field="points")
    if points is not None and not 0 <= points <= component.max_points + 1e-9:
        raise DomainError(
            f"{points:g} points is outside 0 to {component.max_points:g} for {component.code}",
            f"{points:g} điểm nằm ngoài khoảng 0 đến {component.max_points:g} của tiêu chí {component.code}",
            field="points",
        )
    return points


def points_of(component: SchemeComponent, figure: float | None) -> float | None:
    if figure is None:
        return None
    return round(
        points_for(
            rule=component.rule, terms=component.terms, measured=figure, max_points=component.max_points
        ),
        PRECISION,
    )


def measured_figures(
    *, version: SchemeVersion, unit_ids: list[int], year: int
) -> dict[tuple[int, str], tuple[float, str]]:
    """What the product measured for each unit and component in the year, from the analytics
    store as the scores read it: {(unit id, component code): (figure, where it comes from)}."""
    from dxmonitor.analytics.answers import ensure_fresh
    from dxmonitor.analytics.queries import figures_of
    from dxmonitor.analytics.scoring import evaluate
    from dxmonitor.analytics.store import store
    from dxmonitor.catalog.schemes import tree_of
    from dxmonitor.collection.periods import parse_period

    ensure_fresh()
    tree = tree_of(version)
    period = parse_period(str(year))
    indicator_ids = sorted(
        {c.indicator_id for c in tree.components}
        | {c.denominator_id for c in tree.components if c.denominator_id}
    )
    with store() as cursor:
        figures = figures_of(cursor, unit_ids=unit_ids, indicator_ids=indicator_ids, period=period)
    found: dict[tuple[int, str], tuple[float, str]] = {}
    for unit_id in unit_ids:
        result = evaluate(tree, figures, unit_id)
        for component in tree.components:
            part = result.parts[component.code]
            if part["measured"] is None:
                continue
            source = component.source or "dxmonitor"
            if result.synthetic:
                source = f"{source} (dữ liệu mô phỏng)"
            found[(unit_id, component.code)] = (round(part["measured"], PRECISION), source[:300])
    return found
