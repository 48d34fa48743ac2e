"""Read-side questions about the catalogue."""

from django.db.models import QuerySet

from dxmonitor.common.text import fold

from .models import Indicator, IndicatorGroup, Target


def filter_indicators(
    *, group: str | None = None, q: str | None = None, active: bool | None = True
) -> QuerySet[Indicator]:
    indicators = Indicator.objects.select_related("group", "denominator_indicator").prefetch_related(
        "targets"
    )
    if active is not None:
        indicators = indicators.filter(is_active=active)
    if group:
        indicators = indicators.filter(group__code=group)
    if q:
        indicators = [i for i in indicators if _matches(i, q)]  # type: ignore[assignment]
    return indicators


def _matches(indicator: Indicator, q: str) -> bool:
    """Diacritic-insensitive match on code, names and phrasings (the catalogue is small)."""
    needle = fold(q)
    haystack = fold(" ".join([indicator.code, indicator.name_vi, indicator.name_en, *indicator.phrasings]))
    return all(token in haystack for token in needle.split())


def search_indicators(*, q: str, limit: int = 20) -> list[Indicator]:
    found = list(filter_indicators(q=q))
    needle = fold(q)
    found.sort(
        key=lambda i: (
            0 if fold(i.code) == needle or fold(i.name_vi) == needle else 1,
            0 if needle in fold(i.name_vi) else 1,
            i.code,
        )
    )
    return found[:limit]


def get_indicator(code: str) -> Indicator | None:
    return (
        Indicator.objects.select_related("group", "denominator_indicator")
        .prefetch_related("targets")
        .filter(code=code)
        .first()
    )


def groups() -> QuerySet[IndicatorGroup]:
    return IndicatorGroup.objects.all()


def national_target(indicator: Indicator, *, year: int, level: str) -> Target | None:
    return pick_national_target(list(indicator.targets.all()), year=year, level=level)


def pick_national_target(targets: list[Target], *, year: int, level: str) -> Target | None:
    """The national target that applies to a unit of `level` in `year`.

    A value is judged against the first target year at or after it (a 2023 figure against
    the 2025 target); a level-specific target wins over one for every level.
    """
    candidates = [t for t in targets if t.scope_unit_id is None and t.year >= year and t.level in ("", level)]
    if not candidates:
        return None
    first_year = min(t.year for t in candidates)
    in_year = sorted(
        (t for t in candidates if t.year == first_year), key=lambda t: 0 if t.level == level else 1
    )
    return in_year[0]
