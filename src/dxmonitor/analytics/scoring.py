"""Computing scores: a scheme version applied to the analytics store's figures of a group of peers.

Peers are the units of the scheme's level ranked together: the communes (or districts, villages)
of one province for a scheme below the province level, every province for a province scheme,
always those in force on the last day of the period (or of the province, if it ended sooner: the
communes of Lai Châu before 2025 are ranked for 2024 among themselves). Each component reads the
unit's figure for the period from the store — never the operational database — and turns it into
points by its rule; a figure that is not there earns nothing and is reported as missing. Points add
up through the groups; a score is points ÷ maximum points, per group and overall. Ranks go by
points, ties sharing a rank ("1, 2, 2, 4").
"""

import time
from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from dxmonitor.accounts.permissions import SCORE, grants
from dxmonitor.catalog.models import SchemeVersion, ScoringScheme
from dxmonitor.catalog.scheme_rules import points_for
from dxmonitor.catalog.schemes import Tree, require_version, tree_of
from dxmonitor.collection.periods import Period, parse_period
from dxmonitor.common.errors import DomainError, Forbidden
from dxmonitor.common.users import AnyUser
from dxmonitor.geo.models import Level, Unit
from dxmonitor.geo.queries import province_of, valid_on

from .models import Score
from .queries import Figure, figures_of
from .store import store

BATCH = 5_000
# Points are compared after rounding, so that 0.1 + 0.2 and 0.3 share a rank.
PRECISION = 6
LEVEL_VI = {Level.PROVINCE: "tỉnh", Level.DISTRICT: "huyện", Level.COMMUNE: "xã", Level.VILLAGE: "thôn"}


@dataclass
class ComputeReport:
    scheme: str
    version: int
    period: str
    peer_groups: int = 0
    units: int = 0
    complete: int = 0
    missing: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def require_dated(period: Period | str) -> Period:
    found = parse_period(period) if isinstance(period, str) else period
    if found.start is None or found.end is None:
        raise DomainError(
            "scores need a dated period (2024)", "Cần một kỳ có thời gian (ví dụ 2024)", field="period"
        )
    return found


def peer_root(*, scheme: ScoringScheme, unit: Unit | None) -> Unit | None:
    """The unit whose units of the scheme's level are ranked together with `unit`'s."""
    if scheme.level == Level.PROVINCE or unit is None:
        return None
    return unit if unit.level == Level.PROVINCE else province_of(unit)


def peers_of(*, scheme: ScoringScheme, root: Unit | None, period: Period) -> list[Unit]:
    """The units of the scheme's level under `root` (None: the country) in force at the period's
    end, or on the root's last day if it ended before that."""
    day = period.end
    if root is not None and root.valid_to is not None and root.valid_to < day:
        day = root.valid_to
    units = Unit.objects.filter(valid_on(day), level=scheme.level)
    if root is not None:
        units = units.filter(path__startswith=root.path).exclude(pk=root.pk)
    return list(units.order_by("code"))


def roots_for(*, scheme: ScoringScheme, within: Unit | None, period: Period) -> list[Unit | None]:
    """The peer groups a computation over `within` (None: everywhere) covers."""
    if scheme.level == Level.PROVINCE:
        return [None]
    if within is not None:
        return [peer_root(scheme=scheme, unit=within)]
    return list(Unit.objects.filter(valid_on(period.end), level=Level.PROVINCE).order_by("code"))


def may_score(user: AnyUser | None, root: Unit | None) -> bool:
    found = grants(user)
    if root is None:
        return found.everything or "" in found.paths(SCORE)
    return found.covers(SCORE, root)


def compute_scores(
    *,
    scheme: ScoringScheme,
    period: Period | str,
    within: Unit | None = None,
    version: SchemeVersion | None = None,
    user: AnyUser | None = None,
    refresh_store: bool = True,
) -> ComputeReport:
    """Score and rank every peer group under `within` (None: everywhere) for a period.

    With a `user`, the user must be an analyst or administrator over each peer group (the
    province); without one it is the operator's command. The scores of the same version and
    period are replaced; other versions' scores stay as they are.
    """
    started = time.monotonic()
    period, version, roots = check_compute(
        scheme=scheme, period=period, within=within, version=version, user=user
    )
    if refresh_store:
        from .refresh import refresh

        refresh()
    tree = tree_of(version)
    groups = [(root, peers_of(scheme=scheme, root=root, period=period)) for root in roots]
    groups = [(root, peers) for root, peers in groups if peers]
    if not groups:
        where = within.name if within is not None else "the country"
        where_vi = within.name if within is not None else "cả nước"
        raise DomainError(
            f"no unit of level {scheme.level} in {where} was in force in {period.code}",
            f"{where_vi} không có đơn vị cấp {LEVEL_VI.get(scheme.level, scheme.level)} nào "
            f"trong kỳ {period.label('vi')}",
            field="within",
        )
    figures = _figures(tree, [u.pk for _, peers in groups for u in peers], period)
    report = ComputeReport(scheme=scheme.code, version=version.number, period=period.code)
    now = timezone.now()
    rows: list[Score] = []
    missing: Counter[str] = Counter()
    for root, peers in groups:
        results = {u.pk: evaluate(tree, figures, u.pk) for u in peers}
        ranks = rank(results)
        for unit in peers:
            result = results[unit.pk]
            missing.update(code for code, part in result.parts.items() if part["missing"])
            rows.append(
                Score(
                    scheme=scheme,
                    version=version,
                    unit=unit,
                    period=period.code,
                    peer_root=root,
                    points=result.points,
                    max_points=tree.version.max_points,
                    score=result.points / tree.version.max_points if tree.version.max_points else 0.0,
                    rank=ranks[unit.pk],
                    peers=len(peers),
                    components=len(tree.components),
                    components_found=result.found,
                    groups=result.groups,
                    parts=result.parts,
                    synthetic=result.synthetic,
                    computed_at=now,
                    computed_by=user,
                )
            )
        report.peer_groups += 1
        report.units += len(peers)
        report.complete += sum(1 for r in results.values() if r.found == len(tree.components))
    with transaction.atomic():
        for root, peers in groups:
            Score.objects.filter(version=version, period=period.code).filter(
                Q(peer_root=root) | Q(unit__in=[u.pk for u in peers])
            ).delete()
        Score.objects.bulk_create(rows, batch_size=1_000)
    report.missing = dict(missing.most_common())
    report.seconds = time.monotonic() - started
    return report


def check_compute(
    *,
    scheme: ScoringScheme,
    period: Period | str,
    within: Unit | None = None,
    version: SchemeVersion | None = None,
    user: AnyUser | None = None,
) -> tuple[Period, SchemeVersion, list[Unit | None]]:
    """What a computation of scores would cover, once it is known to be allowed: the period,
    the version and the peer groups' roots. Raises what the request would get as its answer."""
    period = require_dated(period)
    version = version or require_version(scheme)
    if version.scheme_id != scheme.pk:
        raise DomainError(
            f"version {version.number} is not a version of {scheme.code}",
            f"Phiên bản {version.number} không thuộc bộ chỉ số {scheme.code}",
            field="version",
        )
    roots = roots_for(scheme=scheme, within=within, period=period)
    if user is not None:
        refused = [r for r in roots if not may_score(user, r)]
        if refused:
            where = refused[0].name if refused[0] is not None else "the whole country"
            where_vi = refused[0].name if refused[0] is not None else "toàn quốc"
            raise Forbidden(
                f"{user.get_username()} may not compute scores for {where}: analysts and administrators may",
                f"Tài khoản {user.get_username()} không được tính điểm cho {where_vi}; "
                "chỉ chuyên viên phân tích và quản trị viên được làm",
                field="within",
            )
    return period, version, roots


def _figures(tree: Tree, unit_ids: list[int], period: Period) -> dict[tuple[int, int], Figure]:
    indicator_ids = sorted(
        {c.indicator_id for c in tree.components}
        | {c.denominator_id for c in tree.components if c.denominator_id}
    )
    found: dict[tuple[int, int], Figure] = {}
    with store() as cursor:
        for start in range(0, len(unit_ids), BATCH):
            found.update(
                figures_of(
                    cursor,
                    unit_ids=unit_ids[start : start + BATCH],
                    indicator_ids=indicator_ids,
                    period=period,
                )
            )
    return found


@dataclass
class Result:
    points: float = 0.0
    found: int = 0
    synthetic: bool = False
    groups: dict[str, list[float]] = field(default_factory=dict)
    parts: dict[str, dict] = field(default_factory=dict)


def evaluate(tree: Tree, figures: dict[tuple[int, int], Figure], unit_id: int) -> Result:
    """One unit's points under a scheme version, component by component, then group by group."""
    result = Result()
    for component in tree.components:
        figure = figures.get((unit_id, component.indicator_id))
        below = figures.get((unit_id, component.denominator_id)) if component.denominator_id else None
        measured, why = _measure(figure, below, share=component.denominator_id is not None)
        points = 0.0
        if measured is not None:
            points = round(
                points_for(
                    rule=component.rule,
                    terms=component.terms,
                    measured=measured,
                    max_points=component.max_points,
                ),
                PRECISION,
            )
            result.found += 1
        used = [f for f in (figure, below) if f is not None]
        result.synthetic = result.synthetic or any(f.synthetic for f in used)
        result.parts[component.code] = {
            "points": points,
            "measured": measured,
            "missing": measured is None,
            "why": why,
            "comparator": figure.comparator if figure is not None else None,
            "method": figure.method if figure is not None else None,
            "complete": all(f.complete for f in used) if used else False,
        }
        result.points += points
    result.points = round(result.points, PRECISION)
    for group in tree.groups:
        inside = tree.under(group)
        result.groups[group.code] = [
            round(sum(result.parts[c.code]["points"] for c in inside), PRECISION),
            group.max_points,
        ]
    return result


def _measure(figure: Figure | None, below: Figure | None, *, share: bool) -> tuple[float | None, str]:
    """The figure a component scores, and why there is none when there is none."""
    if figure is None or figure.value is None:
        return None, "no_figure"
    if not share:
        return figure.value, ""
    if below is None or below.value is None:
        return None, "no_denominator"
    if below.value == 0:
        return None, "zero_denominator"
    return 100.0 * figure.value / below.value, ""


def rank(results: dict[int, Result]) -> dict[int, int]:
    """Competition ranks by points: ties share a rank, the next rank skips ("1, 2, 2, 4")."""
    ordered = sorted(results.items(), key=lambda item: -item[1].points)
    ranks: dict[int, int] = {}
    previous: float | None = None
    for position, (unit_id, result) in enumerate(ordered, start=1):
        if previous is None or result.points != previous:
            current = position
        ranks[unit_id] = current
        previous = result.points
    return ranks


def previous_year(period: Period) -> Period:
    """The same period a year earlier: 2023 for 2024, 2023Q3 for 2024Q3."""
    code = period.code
    year = period.start.year if period.start else 0
    return parse_period(str(year - 1) + code[4:]) if code[:4] == str(year) else parse_period(str(year - 1))
