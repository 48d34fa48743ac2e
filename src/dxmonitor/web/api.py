"""JSON twins of the pages that gather several domains: home and search."""

import datetime

from django.http import HttpRequest
from ninja import Query, Router, Schema

from dxmonitor.accounts.api import is_signed_in, requester
from dxmonitor.catalog.queries import search_indicators
from dxmonitor.catalog.schemas import IndicatorPage, indicator_out
from dxmonitor.collection.queries import compare_all
from dxmonitor.collection.schemas import DocumentOut, ValueOut, document_out, value_out
from dxmonitor.common.api import ERRORS
from dxmonitor.common.language import current_language
from dxmonitor.geo.queries import search_units
from dxmonitor.geo.schemas import UnitBrief, UnitPage, unit_brief, unit_out

from .summary import summary

router = Router(tags=["pages"])


class StructureOut(Schema):
    key: str
    as_of: datetime.date
    counts: dict[str, int]


class HomeOut(Schema):
    structures: list[StructureOut]
    succession_links: int
    indicators: int
    values: dict[str, int]
    latest_real_facts: list[ValueOut]
    documents: list[DocumentOut]
    provinces: list[UnitBrief]


class SearchOut(Schema):
    q: str
    units: UnitPage
    indicators: IndicatorPage


@router.get("/home", response={200: HomeOut, **ERRORS}, url_name="home")
def home(request: HttpRequest):
    """What the system holds, and the latest real facts with their sources."""
    language = current_language()
    data = summary(viewer=requester(request))
    comparisons = compare_all(data["latest"])
    people = is_signed_in(request)
    return {
        "structures": data["structures"],
        "succession_links": data["successions"],
        "indicators": data["indicators"],
        "values": data["values"],
        "latest_real_facts": [
            value_out(v, language=language, comparisons=comparisons.get(v.pk, []), show_people=people)
            for v in data["latest"]
        ],
        "documents": [document_out(d, values_count=d.values_count) for d in data["documents"]],
        "provinces": [unit_brief(u) for u in data["provinces"]],
    }


@router.get("/search", response={200: SearchOut, **ERRORS}, url_name="search")
def search(request: HttpRequest, q: str = Query(..., max_length=200)):
    """Units and indicators matching `q`, diacritics optional; an empty query finds nothing."""
    language = current_language()
    q = q.strip()
    units = search_units(q=q, limit=30) if q else []
    indicators = search_indicators(q=q, limit=20) if q else []
    return {
        "q": q,
        "units": {"count": len(units), "items": [unit_out(u) for u in units]},
        "indicators": {
            "count": len(indicators),
            "items": [indicator_out(i, language=language) for i in indicators],
        },
    }
