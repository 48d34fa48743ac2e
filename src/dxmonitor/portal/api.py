"""The open-data API under /api/v1/public/: no sign-in, read-only, paged; the JSON twin of every
portal page. Everything here reads through `queries.public_values`."""

from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import urlencode
from ninja import Query, Router, Schema
from pydantic import Field

from dxmonitor.common.api import ERRORS, page
from dxmonitor.common.language import current_language
from dxmonitor.geo.models import Level
from dxmonitor.geo.queries import ancestors

from . import downloads, queries
from .actions import request_summary
from .licence import licence_out, rule_out
from .schemas import (
    CountsOut,
    DownloadsOut,
    IndicatorSummaryOut,
    LicenceOut,
    PortalRuleOut,
    PublicDocumentOut,
    PublicFilter,
    PublicPaging,
    PublicUnitRef,
    PublicValuePage,
    ValuesFilter,
    counts_out,
    document_ref,
    summary_out,
    unit_ref,
    value_page,
)

router = Router(tags=["open data"])

FILE_RESPONSE = {
    "content": {content_type: {} for content_type in downloads.CONTENT_TYPES.values()},
    "description": "the file, with its licence and sources",
}


def download_links(params: dict[str, str]) -> dict[str, str]:
    base = reverse("api:public_export")
    return {format: base + "?" + urlencode({**params, "format": format}) for format in downloads.FORMATS}


class PortalHomeOut(Schema):
    licence: LicenceOut
    rule: PortalRuleOut
    counts: CountsOut
    indicators: list[IndicatorSummaryOut]
    downloads: DownloadsOut
    units_url: str
    about_url: str


class PortalSourceOut(PublicDocumentOut):
    values_count: int


class AboutOut(Schema):
    licence: LicenceOut
    rule: PortalRuleOut
    counts: CountsOut
    sources: list[PortalSourceOut]
    download_formats: list[str]
    max_download_rows: int


class PortalTargetOut(Schema):
    year: int
    level: str
    value: float
    source: str


class IndicatorDetailOut(Schema):
    code: str
    name: str
    name_vi: str
    name_en: str
    group: str
    measure_unit: str
    kind: str
    direction: str
    definition: str
    targets: list[PortalTargetOut]
    counts: CountsOut
    periods: list[str]
    values: PublicValuePage
    downloads: DownloadsOut


class UnitSummaryOut(PublicUnitRef):
    real: int
    synthetic: int


class UnitListOut(Schema):
    count: int
    limit: int
    offset: int
    items: list[UnitSummaryOut]


class PortalUnitDetailOut(Schema):
    unit: PublicUnitRef
    ancestors: list[PublicUnitRef]
    counts: CountsOut
    periods: list[str]
    values: PublicValuePage
    downloads: DownloadsOut


class UnitsFilter(PublicPaging):
    level: str = Field(
        "",
        pattern="^(|" + "|".join(Level.values) + ")$",
        description="province, district, commune or village",
    )
    q: str = Field("", max_length=120, description="part of the name; diacritics and level words optional")


class ExportFilter(Schema):
    format: str = Field("csv", pattern="^(csv|xlsx|json)$", description="csv, xlsx or json")
    indicator: str = Field("", max_length=64)
    unit: int | None = Field(None, ge=1)
    within: int | None = Field(None, ge=1)
    period: str = Field("", max_length=16)
    data: str = Field(queries.ALL, pattern="^(all|real|synthetic)$")


def _values(selection: queries.Selection, *, limit: int, offset: int) -> dict:
    count, items = page(selection.values(), limit=limit, offset=offset)
    return value_page(items, count=count, limit=limit, offset=offset, language=current_language())


@router.get("/public", response={200: PortalHomeOut, **ERRORS}, url_name="public_home")
def home(request: HttpRequest):
    """What the portal publishes: the licence, the rule, how many figures, the indicators that have
    public figures, and the downloads of everything (twin of `/public/`)."""
    language = current_language()
    request_summary()
    counts, summaries = queries.public_summary()
    return {
        "licence": licence_out(),
        "rule": rule_out(),
        "counts": counts_out(counts),
        "indicators": [summary_out(s, language=language) for s in summaries],
        "downloads": download_links({}),
        "units_url": reverse("api:public_units"),
        "about_url": reverse("api:public_about"),
    }


@router.get("/public/about", response={200: AboutOut, **ERRORS}, url_name="public_about")
def about(request: HttpRequest):
    """The licence, the rule of what is public, and every source document public figures cite
    (twin of `/public/about/`)."""
    request_summary()
    return {
        "licence": licence_out(),
        "rule": rule_out(),
        "counts": counts_out(queries.public_summary()[0]),
        "sources": [{**document_ref(d), "values_count": d.values_count} for d in queries.public_documents()],
        "download_formats": list(downloads.FORMATS),
        "max_download_rows": downloads.MAX_DOWNLOAD_ROWS,
    }


@router.get(
    "/public/indicators/{code}", response={200: IndicatorDetailOut, **ERRORS}, url_name="public_indicator"
)
def indicator_detail(request: HttpRequest, code: str, filters: Query[PublicFilter]):
    """One indicator, its national targets and its public figures, paged (twin of
    `/public/indicators/{code}/`)."""
    language = current_language()
    selection = queries.select(indicator=code, period=filters.period, data=filters.data)
    indicator = selection.indicator
    every = queries.select(indicator=code).values()
    return {
        "code": indicator.code,
        "name": indicator.name(language),
        "name_vi": indicator.name_vi,
        "name_en": indicator.name_en,
        "group": indicator.group.name_en if language.startswith("en") else indicator.group.name_vi,
        "measure_unit": indicator.measure_unit,
        "kind": indicator.kind,
        "direction": indicator.direction,
        "definition": indicator.definition,
        "targets": [
            {"year": t.year, "level": t.level, "value": t.value, "source": t.source}
            for t in indicator.targets.filter(scope_unit__isnull=True).order_by("year", "level")
        ],
        "counts": counts_out(queries.counts(every)),
        "periods": queries.periods(every),
        "values": _values(selection, limit=filters.limit, offset=filters.offset),
        "downloads": download_links(selection.as_params()),
    }


@router.get("/public/units", response={200: UnitListOut, **ERRORS}, url_name="public_units")
def units(request: HttpRequest, filters: Query[UnitsFilter]):
    """The units that have public figures of their own, with how many (twin of `/public/units/`)."""
    count, items = page(
        queries.public_units(level=filters.level or None, q=filters.q),
        limit=filters.limit,
        offset=filters.offset,
    )
    return {
        "count": count,
        "limit": filters.limit,
        "offset": filters.offset,
        "items": [{**unit_ref(u), "real": u.real, "synthetic": u.synthetic} for u in items],
    }


@router.get("/public/units/{unit_id}", response={200: PortalUnitDetailOut, **ERRORS}, url_name="public_unit")
def unit_detail(request: HttpRequest, unit_id: int, filters: Query[PublicFilter]):
    """One unit and the public figures of it and of every unit under it, paged (twin of
    `/public/units/{id}/`)."""
    selection = queries.select(within=unit_id, period=filters.period, data=filters.data)
    unit = selection.within
    every = queries.select(within=unit_id).values()
    return {
        "unit": unit_ref(unit),
        "ancestors": [unit_ref(a) for a in ancestors(unit)],
        "counts": counts_out(queries.counts(every)),
        "periods": queries.periods(every),
        "values": _values(selection, limit=filters.limit, offset=filters.offset),
        "downloads": download_links(selection.as_params()),
    }


@router.get("/public/values", response={200: PublicValuePage, **ERRORS}, url_name="public_values")
def values(request: HttpRequest, filters: Query[ValuesFilter]):
    """Public figures with their source document and quote, real before synthetic, paged;
    filters: `indicator`, `unit` (its own), `within` (it and the units under it), `period`, `data`."""
    selection = queries.select(
        indicator=filters.indicator,
        unit=filters.unit,
        within=filters.within,
        period=filters.period,
        data=filters.data,
    )
    return _values(selection, limit=filters.limit, offset=filters.offset)


@router.get(
    "/public/values/export",
    response={200: None, **ERRORS},
    url_name="public_export",
    openapi_extra={"responses": {200: FILE_RESPONSE}},
)
def export(request: HttpRequest, filters: Query[ExportFilter]):
    """The public figures `GET /public/values` selects (no paging, at most 100,000) as
    `format=csv`, `xlsx` or `json`, each with the licence (CC BY 4.0) and its sources."""
    language = current_language()
    selection = queries.select(
        indicator=filters.indicator,
        unit=filters.unit,
        within=filters.within,
        period=filters.period,
        data=filters.data,
    )
    stem = "du-lieu-mo"
    if selection.indicator:
        stem += "-" + selection.indicator.code
    if selection.unit or selection.within:
        stem += "-" + (selection.unit or selection.within).code
    return downloads.response(
        selection.values(),
        format=filters.format,
        stem=stem,
        language=language,
        selection=downloads.describe(
            indicator=selection.indicator,
            unit=selection.unit,
            within=selection.within,
            period=selection.period.code if selection.period else "",
            data=selection.data,
            language=language,
        ),
        filters=selection.as_params(),
        link=_origin(request),
    )


def _origin(request: HttpRequest):
    """Absolute links for files that leave the site, without asking the request for each one."""
    origin = request.build_absolute_uri("/").rstrip("/")
    return lambda path: origin + path
