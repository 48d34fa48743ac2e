"""JSON twins of the dashboard and its map (/dashboard/ and /dashboard/map/).

Reading them takes a role over the unit asked about, as every analytics answer does; the map of
the whole country, a role over the whole country.
"""

from django.http import HttpRequest
from ninja import Query, Router

from dxmonitor.accounts.api import requester
from dxmonitor.common.api import ERRORS, WRITE_ERRORS

from . import maps, queries
from .schemas import DashboardOut, DashboardQuery, MapOut, MapQuery

router = Router(tags=["dashboard"])
READ_ERRORS = {**ERRORS, 403: WRITE_ERRORS[403]}


@router.get("/dashboard", response={200: DashboardOut, **READ_ERRORS}, url_name="dashboard")
def read_dashboard(request: HttpRequest, query: Query[DashboardQuery]):
    """A unit's dashboard for a year: tiles against the targets, the trend of one indicator, its
    units' figures, the laggards, the ranking by score and the completeness of reporting."""
    question = queries.dashboard_question(
        viewer=requester(request),
        unit_id=query.unit,
        period=query.period or "",
        group=query.group or "",
        indicator=query.indicator or "",
        scheme=query.scheme or "",
    )
    return queries.dashboard_answer(question)


@router.get("/dashboard/map", response={200: MapOut, **READ_ERRORS}, url_name="dashboard_map")
def read_map(request: HttpRequest, query: Query[MapQuery]):
    """The units of a unit (or of the country) in force on a day, at their centroids, each with its
    figure, the method and source behind it and how it stands against its target; the provinces
    also with the shapes that draw them (`kind` "choropleth"), other levels as symbols."""
    asked = maps.map_question(
        viewer=requester(request),
        unit_id=query.unit,
        indicator=query.indicator or "",
        period=query.period or "",
        date=query.date or "",
        level=query.level or "",
    )
    return maps.map_answer(**asked)
