"""Reading scores: the ranking of a group of peers, one unit's breakdown, and the what-if.

The pages, their JSON twins, the exports and the command line all come here. Scores add up a
unit's figures, so reading them takes a role over the unit (a ranking: over the unit asked for),
as every analytics answer does. Rank changes compare with the score of the same scheme a year
earlier (the latest version scored then): a unit formed in 2025 has no earlier rank.
"""

from dataclasses import dataclass, field

from dxmonitor.catalog.models import SchemeComponent, SchemeGroup, SchemeVersion, ScoringScheme
from dxmonitor.catalog.scheme_rules import describe
from dxmonitor.catalog.schemes import Tree, require_version, tree_of
from dxmonitor.collection.periods import Period
from dxmonitor.common.errors import DomainError, NotFound
from dxmonitor.common.users import AnyUser
from dxmonitor.geo.models import Level, Unit

from . import answers
from .models import Score
from .scoring import PRECISION, peer_root, previous_year


def check_read(viewer: AnyUser | None, unit: Unit | None) -> None:
    """Scores add up every figure under a unit: reading them takes a role over it."""
    answers.check_read(viewer, unit, what=("scores", "điểm"))


def scored_version(
    *, scheme: ScoringScheme, period: Period, root: Unit | None, number: int | None = None
) -> SchemeVersion | None:
    """The version asked for, or the latest one with scores for the period and peer group."""
    if number is not None:
        return require_version(scheme, number)
    return (
        SchemeVersion.objects.filter(scheme=scheme, scores__period=period.code, scores__peer_root=root)
        .order_by("-number")
        .first()
    )


def previous_ranks(*, scheme: ScoringScheme, period: Period, unit_ids: list[int]) -> dict[int, int]:
    """Each unit's rank a year earlier under the same scheme (its latest version scored then)."""
    earlier = previous_year(period)
    found: dict[int, int] = {}
    rows = (
        Score.objects.filter(scheme=scheme, period=earlier.code, unit_id__in=unit_ids)
        .order_by("unit_id", "-version__number")
        .values_list("unit_id", "rank")
    )
    for unit_id, rank in rows:
        found.setdefault(unit_id, rank)
    return found


@dataclass
class Row:
    score: Score
    previous_rank: int | None

    @property
    def change(self) -> int | None:
        """Places gained (positive) or lost since the year before."""
        return None if self.previous_rank is None else self.previous_rank - self.score.rank


@dataclass
class Ranking:
    scheme: ScoringScheme
    period: Period
    root: Unit | None
    within: Unit | None
    version: SchemeVersion | None
    groups: list[SchemeGroup] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)

    @property
    def peers(self) -> int:
        return self.rows[0].score.peers if self.rows else 0


def ranking(
    *, scheme: ScoringScheme, period: Period, within: Unit | None, number: int | None = None
) -> Ranking:
    """The stored scores of a peer group, best first; `within` below the group narrows the rows,
    never the ranks (a district's communes keep their rank in the province)."""
    if within is None and scheme.level != Level.PROVINCE:
        raise DomainError(
            "give the province (or a unit in it) whose units to rank",
            "Cần chọn tỉnh (hoặc một đơn vị thuộc tỉnh) để xếp hạng",
            field="within",
        )
    root = peer_root(scheme=scheme, unit=within)
    version = scored_version(scheme=scheme, period=period, root=root, number=number)
    result = Ranking(scheme, period, root, within, version)
    if version is None:
        return result
    result.groups = [g for g in version.groups.order_by("position") if g.parent_id is None]
    scores = Score.objects.filter(version=version, period=period.code, peer_root=root).select_related(
        "unit", "unit__parent"
    )
    if within is not None and within != root:
        scores = scores.filter(unit__path__startswith=within.path)
    scores = list(scores.order_by("rank", "unit__code"))
    before = previous_ranks(scheme=scheme, period=period, unit_ids=[s.unit_id for s in scores])
    result.rows = [Row(s, before.get(s.unit_id)) for s in scores]
    return result


@dataclass
class GroupLine:
    group: SchemeGroup
    depth: int
    points: float
    max_points: float

    @property
    def score(self) -> float:
        return self.points / self.max_points if self.max_points else 0.0


@dataclass
class ComponentLine:
    component: SchemeComponent
    depth: int
    part: dict

    @property
    def points(self) -> float:
        return self.part.get("points", 0.0)

    @property
    def missing(self) -> bool:
        return self.part.get("missing", True)

    def rule_text(self, language: str) -> str:
        return describe(rule=self.component.rule, terms=self.component.terms, language=language)


@dataclass
class WhatIf:
    component: SchemeComponent
    points_needed: float
    score_after: float
    rank_after: int
    places: int


@dataclass
class Breakdown:
    score: Score
    tree: Tree
    previous_rank: int | None
    lines: list[GroupLine | ComponentLine]
    what_if: list[WhatIf]

    @property
    def change(self) -> int | None:
        return None if self.previous_rank is None else self.previous_rank - self.score.rank


def require_score(*, scheme: ScoringScheme, unit: Unit, period: Period, number: int | None = None) -> Score:
    scores = Score.objects.filter(scheme=scheme, unit=unit, period=period.code).select_related(
        "version", "unit", "unit__parent", "peer_root"
    )
    if number is not None:
        scores = scores.filter(version__number=number)
    score = scores.order_by("-version__number").first()
    if score is None:
        version = f" version {number}" if number is not None else ""
        raise NotFound(
            f"{unit.name} has no score under {scheme.code}{version} for {period.code}; compute it first",
            f"{unit.name} chưa có điểm theo bộ chỉ số {scheme.code} kỳ {period.label('vi')}; "
            "hãy tính điểm trước",
            field="unit",
        )
    return score


def breakdown(*, scheme: ScoringScheme, unit: Unit, period: Period, number: int | None = None) -> Breakdown:
    """A unit's score group by group and component by component, with its what-if."""
    score = require_score(scheme=scheme, unit=unit, period=period, number=number)
    tree = tree_of(score.version)
    depth: dict[int, int] = {}
    lines: list[GroupLine | ComponentLine] = []
    by_group: dict[int, list[SchemeComponent]] = {}
    for component in tree.components:
        by_group.setdefault(component.group_id, []).append(component)
    for group in tree.groups:
        depth[group.pk] = depth[group.parent_id] + 1 if group.parent_id else 0
        points, max_points = score.groups.get(group.code, [0.0, group.max_points])
        lines.append(GroupLine(group, depth[group.pk], points, max_points))
        lines.extend(
            ComponentLine(c, depth[group.pk] + 1, score.parts.get(c.code, {}))
            for c in by_group.get(group.pk, [])
        )
    before = previous_ranks(scheme=scheme, period=period, unit_ids=[unit.pk]).get(unit.pk)
    return Breakdown(score, tree, before, lines, what_if(score=score, tree=tree))


def what_if(*, score: Score, tree: Tree) -> list[WhatIf]:
    """For each component short of its maximum: the rank full points there would reach, the
    others' scores as they are; the biggest climb first, the cheapest of equal climbs first."""
    others = list(
        Score.objects.filter(version=score.version, period=score.period, peer_root=score.peer_root)
        .exclude(pk=score.pk)
        .values_list("points", flat=True)
    )
    found = []
    for component in tree.components:
        have = score.parts.get(component.code, {}).get("points", 0.0)
        needed = round(component.max_points - have, PRECISION)
        if needed <= 0:
            continue
        after = round(score.points + needed, PRECISION)
        rank_after = 1 + sum(1 for points in others if points > after)
        found.append(
            WhatIf(
                component=component,
                points_needed=needed,
                score_after=after / score.max_points if score.max_points else 0.0,
                rank_after=rank_after,
                places=score.rank - rank_after,
            )
        )
    return sorted(found, key=lambda w: (-w.places, w.points_needed, w.component.position))


def periods_scored(scheme: ScoringScheme) -> list[str]:
    """The periods a scheme has scores for, latest first."""
    codes = Score.objects.filter(scheme=scheme).values_list("period", flat=True).distinct().order_by()
    return sorted(set(codes), reverse=True)


def roots_scored(*, scheme: ScoringScheme, period: Period) -> list[Unit]:
    """The provinces whose units have scores of a scheme for a period."""
    ids = (
        Score.objects.filter(scheme=scheme, period=period.code, peer_root__isnull=False)
        .values_list("peer_root_id", flat=True)
        .distinct()
        .order_by()
    )
    return list(Unit.objects.filter(pk__in=set(ids)).order_by("code", "valid_from"))
