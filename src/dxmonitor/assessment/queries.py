"""Reading rounds: the rounds a user sees, a unit's sheet with its points as they stand, and the
ranking by peer group (xã, phường, đặc khu …) — total, per pillar and per component, with each
unit's change from its self-assessment and its rank in the year before."""

from dataclasses import dataclass, field

from django.db.models import QuerySet

from dxmonitor.catalog.schemes import Tree, tree_of
from dxmonitor.common.users import AnyUser
from dxmonitor.geo.models import Unit

from .access import may_read_round
from .measure import PRECISION
from .models import Entry, Evidence, Round, Sheet, Stage


def rounds_for(user: AnyUser | None) -> list[Round]:
    rounds = Round.objects.select_related("scheme", "version", "province").order_by("-year", "-id")
    return [r for r in rounds[:200] if may_read_round(user, r)]


def published_rounds() -> QuerySet[Round]:
    return Round.objects.filter(stage=Stage.PUBLISHED).select_related("scheme", "version", "province")


def entries_of(sheet: Sheet) -> list[Entry]:
    entries = list(
        sheet.entries.select_related("component__group", "appraised_by").order_by("component__position")
    )
    files: dict[int, list[Evidence]] = {}
    for evidence in Evidence.objects.filter(entry__sheet=sheet).defer("data").order_by("id"):
        files.setdefault(evidence.entry_id, []).append(evidence)
    for entry in entries:
        entry.documents = files.get(entry.pk, [])
    return entries


def _total(values) -> float:
    return round(sum(v or 0.0 for v in values), PRECISION)


@dataclass
class Standing:
    unit: Unit
    status: str
    self_points: float
    points: float
    pillars: dict[str, float] = field(default_factory=dict)
    components: dict[str, float | None] = field(default_factory=dict)
    rank: int = 0
    previous_rank: int | None = None

    @property
    def change(self) -> float:
        return round(self.points - self.self_points, PRECISION)


PEER_GROUP_VI = {"xa": "Xã", "phuong": "Phường", "dac_khu": "Đặc khu", "thi_tran": "Thị trấn"}
PEER_GROUP_EN = {
    "xa": "Communes (xã)",
    "phuong": "Wards (phường)",
    "dac_khu": "Special zones (đặc khu)",
    "thi_tran": "Towns (thị trấn)",
}


@dataclass
class Ranking:
    round: Round
    tree: Tree
    groups: dict[str, list[Standing]]

    def peer_label(self, code: str, language: str = "vi") -> str:
        names = PEER_GROUP_EN if language.startswith("en") else PEER_GROUP_VI
        return names.get(code, code)


def ranking(round_: Round) -> Ranking:
    """Every unit of the round by peer group, best first; ties share a rank ("1, 2, 2, 4")."""
    tree = tree_of(round_.version)
    by_sheet: dict[int, list[Entry]] = {}
    for entry in Entry.objects.filter(sheet__round=round_).select_related("component"):
        by_sheet.setdefault(entry.sheet_id, []).append(entry)
    previous = _previous_ranks(round_)
    groups: dict[str, list[Standing]] = {}
    for sheet in round_.sheets.select_related("unit").order_by("unit__code"):
        entries = by_sheet.get(sheet.pk, [])
        points = {e.component.code: e.points for e in entries}
        standing = Standing(
            unit=sheet.unit,
            status=sheet.status,
            self_points=_total(e.self_points for e in entries),
            points=_total(points.values()),
            components=points,
            previous_rank=previous.get(sheet.unit_id),
        )
        for pillar in tree.top:
            standing.pillars[pillar.code] = _total(points.get(c.code) for c in tree.under(pillar))
        groups.setdefault(sheet.unit.unit_type, []).append(standing)
    for standings in groups.values():
        standings.sort(key=lambda s: (-s.points, s.unit.code))
        last, rank = None, 0
        for position, standing in enumerate(standings, start=1):
            if standing.points != last:
                rank, last = position, standing.points
            standing.rank = rank
    return Ranking(round_, tree, dict(sorted(groups.items())))


def _previous_ranks(round_: Round) -> dict[int, int]:
    """Each unit's rank in the published round of the same scheme and province a year before."""
    before = (
        published_rounds()
        .filter(scheme_id=round_.scheme_id, province_id=round_.province_id, year=round_.year - 1)
        .order_by("-published_at")
        .first()
    )
    if before is None:
        return {}
    return {s.unit.pk: s.rank for group in ranking(before).groups.values() for s in group}


def public_evidence(round_: Round) -> list[Evidence]:
    """The evidence list of a published round: every document's number, date, issuer and abstract;
    files themselves only where marked public."""
    return list(
        Evidence.objects.filter(entry__sheet__round=round_)
        .defer("data")
        .select_related("entry__component", "entry__sheet__unit")
        .order_by("entry__sheet__unit__code", "entry__component__position", "id")
    )


def sheet_summary(sheet: Sheet) -> tuple[list[Entry], dict[int, str]]:
    """A sheet's entries with their documents, and the department appraising each component."""
    from .access import department_of, departments_of

    entries = entries_of(sheet)
    departments = departments_of(sheet.round)
    owners = {}
    for entry in entries:
        owner = department_of(entry.component, departments)
        owners[entry.pk] = owner.code if owner else ""
    return entries, owners
