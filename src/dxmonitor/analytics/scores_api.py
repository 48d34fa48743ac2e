"""JSON API of scoring schemes and scores (twins of /scores/ and a unit's score page).

Scheme definitions are public. Scores add up a unit's figures: reading them takes a role over
the unit (a ranking: over the unit asked for), computing them an analyst or administrator role
over the province whose units are ranked together.
"""

import datetime

from ninja import Query, Router, Schema, Status
from pydantic import Field

from dxmonitor.accounts.api import WRITE_AUTH, requester
from dxmonitor.catalog.models import SchemeVersion, ScoringScheme
from dxmonitor.catalog.scheme_rules import describe
from dxmonitor.catalog.schemes import require_scheme, require_version, schemes, tree_of
from dxmonitor.common.api import ERRORS, WRITE_ERRORS
from dxmonitor.common.errors import NotFound
from dxmonitor.common.language import current_language
from dxmonitor.common.users import ApiRequest
from dxmonitor.geo.models import Unit
from dxmonitor.geo.queries import get_unit
from dxmonitor.geo.schemas import UnitBrief, unit_brief
from dxmonitor.jobs.schemas import JobOut, job_out

from . import scores
from .actions import queue_scores
from .scoring import require_dated

router = Router(tags=["scores"])
READ_ERRORS = {**ERRORS, 403: WRITE_ERRORS[403]}


def _unit(unit_id: int | None, *, field: str) -> Unit | None:
    if unit_id is None:
        return None
    unit = get_unit(unit_id)
    if unit is None:
        raise NotFound(f"unit {unit_id} does not exist", f"Không có đơn vị hành chính {unit_id}", field=field)
    return unit


# --- schemes ---------------------------------------------------------------------------------


class VersionOut(Schema):
    number: int
    basis: str
    max_points: float
    published_at: datetime.datetime
    source_file: str
    groups: int
    components: int


class SchemeOut(Schema):
    code: str
    name: str
    name_vi: str
    name_en: str
    level: str
    versions: list[VersionOut]


class ScoreGroupOut(Schema):
    code: str
    parent: str | None
    name: str
    depth: int
    max_points: float


class ComponentOut(Schema):
    code: str
    group: str
    name: str
    max_points: float
    rule: str
    rule_text: str
    indicator: str
    denominator: str | None
    thresholds: str
    terms: dict
    evidence: str
    source: str


class SchemeDetailOut(SchemeOut):
    version: int
    groups: list[ScoreGroupOut]
    components: list[ComponentOut]


def _version_out(version: SchemeVersion) -> dict:
    return {
        "number": version.number,
        "basis": version.basis,
        "max_points": version.max_points,
        "published_at": version.published_at,
        "source_file": version.source_file,
        "groups": version.groups.count(),
        "components": version.components.count(),
    }


def _scheme_out(scheme: ScoringScheme, language: str) -> dict:
    return {
        "code": scheme.code,
        "name": scheme.name(language),
        "name_vi": scheme.name_vi,
        "name_en": scheme.name_en,
        "level": scheme.level,
        "versions": [_version_out(v) for v in scheme.versions.order_by("-number")],
    }


@router.get("/scoring-schemes", response={200: list[SchemeOut], **ERRORS}, url_name="scoring_schemes")
def list_schemes(request: ApiRequest):
    """Every scoring scheme with its versions, latest first."""
    language = current_language()
    return [_scheme_out(s, language) for s in schemes()]


@router.get("/scoring-schemes/{code}", response={200: SchemeDetailOut, **ERRORS}, url_name="scoring_scheme")
def scheme_detail(request: ApiRequest, code: str, version: int | None = Query(None, ge=1)):
    """One scheme and one version's definition (default: the latest): groups and components in
    order, each component with its maximum points, rule, thresholds, evidence and source."""
    language = current_language()
    scheme = require_scheme(code)
    tree = tree_of(require_version(scheme, version))
    codes = {g.pk: g.code for g in tree.groups}
    depth: dict[int, int] = {}
    for group in tree.groups:
        depth[group.pk] = depth[group.parent_id] + 1 if group.parent_id else 0
    return {
        **_scheme_out(scheme, language),
        "version": tree.version.number,
        "groups": [
            {
                "code": g.code,
                "parent": codes.get(g.parent_id),
                "name": g.name(language),
                "depth": depth[g.pk],
                "max_points": g.max_points,
            }
            for g in tree.groups
        ],
        "components": [
            {
                "code": c.code,
                "group": codes[c.group_id],
                "name": c.name(language),
                "max_points": c.max_points,
                "rule": c.rule,
                "rule_text": describe(rule=c.rule, terms=c.terms, language=language),
                "indicator": c.indicator.code,
                "denominator": c.denominator.code if c.denominator_id else None,
                "thresholds": c.thresholds,
                "terms": c.terms,
                "evidence": c.evidence,
                "source": c.source,
            }
            for c in tree.components
        ],
    }


# --- computing -------------------------------------------------------------------------------


class ComputeIn(Schema):
    scheme: str = Field(..., max_length=40)
    period: str = Field(..., max_length=16, description="the period scored: 2024")
    within: int | None = Field(
        None, gt=0, lt=2**63, description="a province, or a unit in it; empty: every province (national role)"
    )
    version: int | None = Field(None, ge=1, description="the scheme version to apply; default: the latest")


@router.post(
    "/scores/compute", response={202: JobOut, **WRITE_ERRORS}, auth=WRITE_AUTH, url_name="scores_compute"
)
def compute(request: ApiRequest, payload: ComputeIn):
    """Have the worker compute the scores and ranks of a period from the analytics store
    (refreshed first): answers 202 with the job, whose result says how many units, peer groups,
    complete, and the components most often missing.

    Needs an analyst or administrator role over each province whose units are ranked.
    """
    scheme = require_scheme(payload.scheme)
    version = require_version(scheme, payload.version) if payload.version else None
    job = queue_scores(
        scheme=scheme,
        period=payload.period,
        within=_unit(payload.within, field="within"),
        version=version,
        user=request.auth,
    )
    job.refresh_from_db()
    return Status(202, job_out(job, may_retry=True))


# --- reading ---------------------------------------------------------------------------------


class RankingQuery(Schema):
    scheme: str = Field(..., max_length=40)
    period: str = Field(..., max_length=16)
    within: int | None = Field(
        None, description="a province, or a district in it (its units keep their ranks)"
    )
    version: int | None = Field(None, ge=1, description="default: the latest version with scores")


class GroupBrief(Schema):
    code: str
    name: str
    max_points: float


class RankingItem(Schema):
    unit: UnitBrief
    parent: str | None
    rank: int
    previous_rank: int | None
    change: int | None
    score: float
    points: float
    max_points: float
    groups: dict[str, float]
    components_found: int
    components: int
    synthetic: bool
    computed_at: datetime.datetime


class ScoreRankingOut(Schema):
    scheme: str
    scheme_name: str
    version: int | None
    period: str
    period_label: str
    previous_period: str
    root: UnitBrief | None
    within: UnitBrief | None
    peers: int
    groups: list[GroupBrief]
    items: list[RankingItem]


def ranking_out(found: scores.Ranking, *, language: str) -> dict:
    return {
        "scheme": found.scheme.code,
        "scheme_name": found.scheme.name(language),
        "version": found.version.number if found.version else None,
        "period": found.period.code,
        "period_label": found.period.label(language),
        "previous_period": scores.previous_year(found.period).code,
        "root": unit_brief(found.root) if found.root else None,
        "within": unit_brief(found.within) if found.within else None,
        "peers": found.peers,
        "groups": [
            {"code": g.code, "name": g.name(language), "max_points": g.max_points} for g in found.groups
        ],
        "items": [
            {
                "unit": unit_brief(row.score.unit),
                "parent": row.score.unit.parent.name if row.score.unit.parent_id else None,
                "rank": row.score.rank,
                "previous_rank": row.previous_rank,
                "change": row.change,
                "score": row.score.score,
                "points": row.score.points,
                "max_points": row.score.max_points,
                "groups": {
                    code: (points / top if top else 0.0) for code, (points, top) in row.score.groups.items()
                },
                "components_found": row.score.components_found,
                "components": row.score.components,
                "synthetic": row.score.synthetic,
                "computed_at": row.score.computed_at,
            }
            for row in found.rows
        ],
    }


@router.get("/scores", response={200: ScoreRankingOut, **READ_ERRORS}, url_name="scores")
def ranking(request: ApiRequest, query: Query[RankingQuery]):
    """Scores and ranks of the units of a province (twin of /scores/): best first, ties sharing a
    rank, each with its score per top group, rank change since the year before and coverage."""
    scheme = require_scheme(query.scheme)
    period = require_dated(query.period)
    within = _unit(query.within, field="within")
    scores.check_read(requester(request), within)
    found = scores.ranking(scheme=scheme, period=period, within=within, number=query.version)
    return ranking_out(found, language=current_language())


class UnitQuery(Schema):
    period: str = Field(..., max_length=16)
    version: int | None = Field(None, ge=1, description="default: the latest version with a score")


class GroupScoreOut(Schema):
    code: str
    parent: str | None
    name: str
    depth: int
    points: float
    max_points: float
    score: float


class ComponentScoreOut(Schema):
    code: str
    group: str
    name: str
    rule: str
    rule_text: str
    indicator: str
    denominator: str | None
    measured: float | None
    points: float
    max_points: float
    missing: bool
    why: str
    complete: bool
    method: str | None
    comparator: str | None
    evidence: str
    source: str


class WhatIfOut(Schema):
    component: str
    name: str
    points_needed: float
    score_after: float
    rank_after: int
    places: int


class ScoreDetailOut(Schema):
    unit: UnitBrief
    scheme: str
    scheme_name: str
    version: int
    basis: str
    period: str
    period_label: str
    score: float
    points: float
    max_points: float
    rank: int
    peers: int
    peer_root: UnitBrief | None
    previous_rank: int | None
    change: int | None
    components_found: int
    components: int
    synthetic: bool
    computed_at: datetime.datetime
    groups: list[GroupScoreOut]
    parts: list[ComponentScoreOut]
    what_if: list[WhatIfOut]


def what_if_out(steps: list[scores.WhatIf], *, language: str) -> list[dict]:
    return [
        {
            "component": w.component.code,
            "name": w.component.name(language),
            "points_needed": w.points_needed,
            "score_after": w.score_after,
            "rank_after": w.rank_after,
            "places": w.places,
        }
        for w in steps
    ]


def detail_out(found: scores.Breakdown, *, language: str) -> dict:
    score = found.score
    codes = {g.pk: g.code for g in found.tree.groups}
    groups, parts = [], []
    for line in found.lines:
        if isinstance(line, scores.GroupLine):
            groups.append(
                {
                    "code": line.group.code,
                    "parent": codes.get(line.group.parent_id),
                    "name": line.group.name(language),
                    "depth": line.depth,
                    "points": line.points,
                    "max_points": line.max_points,
                    "score": line.score,
                }
            )
            continue
        component, part = line.component, line.part
        parts.append(
            {
                "code": component.code,
                "group": codes[component.group_id],
                "name": component.name(language),
                "rule": component.rule,
                "rule_text": line.rule_text(language),
                "indicator": component.indicator.code,
                "denominator": component.denominator.code if component.denominator_id else None,
                "measured": part.get("measured"),
                "points": line.points,
                "max_points": component.max_points,
                "missing": line.missing,
                "why": part.get("why", ""),
                "complete": part.get("complete", False),
                "method": part.get("method"),
                "comparator": part.get("comparator"),
                "evidence": component.evidence,
                "source": component.source,
            }
        )
    return {
        "unit": unit_brief(score.unit),
        "scheme": score.scheme.code,
        "scheme_name": score.scheme.name(language),
        "version": score.version.number,
        "basis": score.version.basis,
        "period": score.period,
        "period_label": require_dated(score.period).label(language),
        "score": score.score,
        "points": score.points,
        "max_points": score.max_points,
        "rank": score.rank,
        "peers": score.peers,
        "peer_root": unit_brief(score.peer_root) if score.peer_root else None,
        "previous_rank": found.previous_rank,
        "change": found.change,
        "components_found": score.components_found,
        "components": score.components,
        "synthetic": score.synthetic,
        "computed_at": score.computed_at,
        "groups": groups,
        "parts": parts,
        "what_if": what_if_out(found.what_if, language=language),
    }


def _breakdown(request: ApiRequest, scheme: str, unit_id: int, query: UnitQuery) -> scores.Breakdown:
    found_scheme = require_scheme(scheme)
    unit = _unit(unit_id, field="unit")
    scores.check_read(requester(request), unit)
    return scores.breakdown(
        scheme=found_scheme, unit=unit, period=require_dated(query.period), number=query.version
    )


@router.get(
    "/scores/{scheme}/units/{unit_id}", response={200: ScoreDetailOut, **READ_ERRORS}, url_name="score_detail"
)
def score_detail(request: ApiRequest, scheme: str, unit_id: int, query: Query[UnitQuery]):
    """One unit's score group by group and component by component — each component's figure,
    rule and points, missing figures marked — with its rank, rank change and what-if."""
    return detail_out(_breakdown(request, scheme, unit_id, query), language=current_language())


@router.get(
    "/scores/{scheme}/units/{unit_id}/what-if",
    response={200: list[WhatIfOut], **READ_ERRORS},
    url_name="score_what_if",
)
def score_what_if(request: ApiRequest, scheme: str, unit_id: int, query: Query[UnitQuery]):
    """For each component short of its maximum, the rank the unit would reach with full points
    there (the other units as they are) and the points needed; the biggest climb first."""
    return what_if_out(_breakdown(request, scheme, unit_id, query).what_if, language=current_language())
