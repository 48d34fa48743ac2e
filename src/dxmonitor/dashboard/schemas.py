"""The dashboard and its map as the API gives them, and the questions they take."""

import datetime

from ninja import Schema
from pydantic import Field

from dxmonitor.analytics.schemas import PeriodOut
from dxmonitor.collection.schemas import IndicatorRef, UnitRef


class DashboardQuery(Schema):
    unit: int | None = Field(None, description="unit id (default: the viewer's own unit, or a province)")
    period: str | None = Field(
        None, max_length=16, description='a year, "2024" (default: the latest with figures for most units)'
    )
    group: str | None = Field(None, max_length=12, description="indicator group code (default: every group)")
    indicator: str | None = Field(None, max_length=64, description="indicator of the charts")
    scheme: str | None = Field(None, max_length=40, description="scoring scheme of the ranking")


class MapQuery(Schema):
    unit: int | None = Field(
        None,
        description="unit id whose units to draw (default: the viewer's own area, or the country)",
    )
    indicator: str | None = Field(None, max_length=64, description="indicator (default: the dashboard's)")
    period: str | None = Field(None, max_length=16, description="a year (default: the latest)")
    date: str | None = Field(
        None, max_length=10, description="draw the units in force on this day (YYYY-MM-DD): 2025-06-30 "
        "for the structure before the reorganisation, 2025-07-01 after"
    )  # fmt: skip
    level: str | None = Field(None, description="level of the units drawn (default: communes of a province)")


class GroupRef(Schema):
    code: str
    name: str


class SchemeRef(Schema):
    code: str
    name: str
    level: str


class TileOut(Schema):
    indicator: IndicatorRef
    group: str
    value: float | None
    display: str
    method: str
    source: str
    complete: bool
    synthetic: bool
    status: str
    target: float | None
    target_display: str
    target_year: int | None
    target_source: str
    gap: float | None
    gap_display: str
    direction: str


class TrendPoint(Schema):
    period: str
    label: str
    value: float | None
    display: str
    source: str


class TrendTarget(Schema):
    year: int
    value: float
    display: str
    source: str


class TrendOut(Schema):
    indicator: IndicatorRef
    direction: str
    points: list[TrendPoint]
    targets: list[TrendTarget]


class ChildOut(Schema):
    unit: UnitRef
    value: float | None
    display: str
    source: str
    complete: bool


class LaggardOut(Schema):
    unit: UnitRef
    shortfall: float = Field(description="mean shortfall against the targets, as a share of the target")
    not_met: int
    judged: int
    worst: IndicatorRef
    worst_display: str
    worst_target: str


class ScoreRow(Schema):
    rank: int
    previous_rank: int | None
    change: int | None
    unit: UnitRef
    parent: str
    score: float
    points: float
    max_points: float
    coverage: float
    synthetic: bool
    groups: dict[str, float | None]


class DashboardRankingOut(Schema):
    scheme: SchemeRef | None
    schemes: list[SchemeRef]
    version: int | None
    peers: int
    groups: list[GroupRef]
    rows: list[ScoreRow]


class ReportingRow(Schema):
    dataset: GroupRef
    period: PeriodOut
    expected: int
    submitted: int
    on_time: int
    late: int
    share: float | None


class Reorganisation(Schema):
    formed_from: list[UnitRef]
    became: list[UnitRef]


class DashboardOut(Schema):
    unit: UnitRef
    trail: list[UnitRef]
    reorganisation: Reorganisation
    period: PeriodOut
    period_chosen: bool = Field(
        False, description="no year was asked: the latest year with figures for most units under this one"
    )
    periods: list[PeriodOut]
    group: str | None
    groups: list[GroupRef]
    indicator: IndicatorRef | None
    indicators: list[IndicatorRef]
    tiles: list[TileOut]
    trend: TrendOut | None
    children: list[ChildOut]
    laggards: list[LaggardOut]
    ranking: DashboardRankingOut
    completeness: list[ReportingRow]


class PointOut(Schema):
    unit: UnitRef
    lat: float
    lon: float
    value: float | None
    display: str
    method: str
    source: str
    status: str
    shapes: list[str] = Field(
        description="keys of the features of `shapes_url` that draw the unit (empty on a map of symbols)"
    )


class MapOut(Schema):
    within: UnitRef | None
    areas: list[UnitRef] | None
    indicator: IndicatorRef
    period: PeriodOut
    date: datetime.date
    level: str
    kind: str = Field(
        description='"choropleth" (provinces coloured by their figure) or "symbols" (circles at centroids)'
    )
    shapes_url: str | None = Field(description="GeoJSON of the province shapes of a choropleth")
    points: list[PointOut]
    unplaced: int = Field(description="units with a figure but no centroid")
    basemap: list[list[float]] = Field(description="[longitude, latitude] of every commune in force")
