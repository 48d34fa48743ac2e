"""The shapes of the open-data API (/api/v1/public/…) and the functions that fill them.

Public values carry no people: no user names, no API clients, no file names of uploads; only
what the public may know — the figure, its unit and indicator, and the published document and
quote it was read from.
"""

import datetime
import functools
from collections.abc import Callable

from django.urls import reverse
from ninja import Schema
from pydantic import Field

from dxmonitor.catalog.models import Indicator
from dxmonitor.collection.models import Document, SourceType, Value
from dxmonitor.collection.periods import PeriodError, parse_period
from dxmonitor.common.api import MAX_OFFSET
from dxmonitor.common.display import format_ratio, format_value, unit_label
from dxmonitor.geo.models import Unit

from .queries import ALL, DATA_CHOICES, Counts, IndicatorSummary

PAGE_LIMIT = 50
MAX_PAGE_LIMIT = 500

Link = Callable[[str], str]


def _same(path: str) -> str:
    return path


class PublicPaging(Schema):
    limit: int = Field(
        PAGE_LIMIT, ge=0, le=MAX_PAGE_LIMIT, description=f"items per page, at most {MAX_PAGE_LIMIT}"
    )
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="items to skip")


class PublicFilter(PublicPaging):
    data: str = Field(ALL, pattern="^(" + "|".join(DATA_CHOICES) + ")$", description="all, real or synthetic")
    period: str = Field("", max_length=16, description='a period code: "2024", "2024Q3", "202409"')


class ValuesFilter(PublicFilter):
    indicator: str = Field("", max_length=64, description="an indicator code")
    unit: int | None = Field(None, ge=1, description="a unit id: its own figures")
    within: int | None = Field(
        None, ge=1, description="a unit id: its figures and those of every unit under it"
    )


class LicenceOut(Schema):
    id: str
    name: str
    url: str
    publisher: str
    statement_vi: str
    statement_en: str
    attribution_vi: str
    attribution_en: str


class PortalRuleOut(Schema):
    rule_vi: str
    rule_en: str
    synthetic_vi: str
    synthetic_en: str
    aggregates_vi: str
    aggregates_en: str


class PublicUnitRef(Schema):
    id: int
    code: str
    name: str
    level: str
    parent: str | None
    valid_from: datetime.date | None
    valid_to: datetime.date | None
    page_url: str


class PublicIndicatorRef(Schema):
    code: str
    name: str
    measure_unit: str
    measure_label: str
    page_url: str


class PublicDocumentOut(Schema):
    id: int
    title: str
    url: str
    published_on: datetime.date | None
    page_url: str


class PublicSourceOut(Schema):
    type: str
    label: str
    document: PublicDocumentOut | None
    evidence_quote: str
    evidence_url: str | None


class PublicValueOut(Schema):
    id: int
    unit: PublicUnitRef
    indicator: PublicIndicatorRef
    period: str
    period_label: str
    kind: str
    value: float
    comparator: str
    display: str
    numerator: float | None
    denominator: float | None
    ratio: str
    synthetic: bool
    data_label: str
    source: PublicSourceOut


class PublicValuePage(Schema):
    count: int
    limit: int
    offset: int
    items: list[PublicValueOut]


class CountsOut(Schema):
    real: int
    synthetic: int
    units: int
    documents: int


DownloadsOut = dict[str, str]  # format → address of the download


class IndicatorSummaryOut(Schema):
    code: str
    name: str
    group: str
    measure_unit: str
    real: int
    synthetic: int
    units: int
    latest_period: str
    page_url: str


@functools.lru_cache(maxsize=8192)
def _path(name: str, key: str | int) -> str:
    # A download writes a link per figure to the same few hundred pages: resolve each once.
    return reverse(name, args=[key])


def unit_ref(unit: Unit, *, link: Link = _same) -> dict:
    return {
        "id": unit.pk,
        "code": unit.code,
        "name": unit.name,
        "level": unit.level,
        "parent": unit.parent.name if unit.parent_id and unit.parent else None,
        "valid_from": unit.valid_from,
        "valid_to": unit.valid_to,
        "page_url": link(_path("portal:unit", unit.pk)),
    }


def indicator_ref(indicator: Indicator, *, language: str, link: Link = _same) -> dict:
    return {
        "code": indicator.code,
        "name": indicator.name(language),
        "measure_unit": indicator.measure_unit,
        "measure_label": unit_label(indicator.measure_unit, language),
        "page_url": link(_path("portal:indicator", indicator.code)),
    }


def document_ref(document: Document, *, link: Link = _same) -> dict:
    page = link(_path("web:document", document.pk))
    return {
        "id": document.pk,
        "title": document.title,
        "url": document.url or page,
        "published_on": document.published_on,
        "page_url": page,
    }


_SOURCE_LABELS = {choice.value: choice.label for choice in SourceType}


def source_label(value: Value, language: str) -> str:
    return _source_label(value.source_type, language)


@functools.lru_cache(maxsize=64)
def _source_label(source_type: str, language: str) -> str:
    from django.utils.translation import override

    with override(language):
        return str(_SOURCE_LABELS.get(source_type, source_type))


def period_label(code: str, language: str) -> str:
    try:
        return parse_period(code).label(language)
    except PeriodError:
        return code


def public_value_out(value: Value, *, language: str, link: Link = _same) -> dict:
    document = value.document
    evidence_url = None
    if document is not None:
        anchor = f"#q{value.evidence_start}" if value.evidence_start is not None else ""
        evidence_url = link(_path("web:document", document.pk)) + anchor
    indicator = value.indicator
    return {
        "id": value.pk,
        "unit": unit_ref(value.unit, link=link),
        "indicator": indicator_ref(indicator, language=language, link=link),
        "period": value.period,
        "period_label": period_label(value.period, language),
        "kind": value.kind,
        "value": value.value,
        "comparator": value.comparator,
        "display": format_value(
            value.value, comparator=value.comparator, measure_unit=indicator.measure_unit, language=language
        ),
        "numerator": value.numerator,
        "denominator": value.denominator,
        "ratio": format_ratio(value.numerator, value.denominator, language=language),
        "synthetic": value.is_synthetic,
        "data_label": "synthetic" if value.is_synthetic else "real",
        "source": {
            "type": value.source_type,
            "label": source_label(value, language),
            "document": document_ref(document, link=link) if document else None,
            "evidence_quote": value.evidence_quote,
            "evidence_url": evidence_url,
        },
    }


def value_page(values, *, count: int, limit: int, offset: int, language: str) -> dict:
    return {
        "count": count,
        "limit": limit,
        "offset": offset,
        "items": [public_value_out(v, language=language) for v in values],
    }


def counts_out(found: Counts) -> dict:
    return {
        "real": found.real,
        "synthetic": found.synthetic,
        "units": found.units,
        "documents": found.documents,
    }


def summary_out(summary: IndicatorSummary, *, language: str) -> dict:
    indicator = summary.indicator
    return {
        "code": indicator.code,
        "name": indicator.name(language),
        "group": indicator.group.name_en if language.startswith("en") else indicator.group.name_vi,
        "measure_unit": indicator.measure_unit,
        "real": summary.real,
        "synthetic": summary.synthetic,
        "units": summary.units,
        "latest_period": summary.latest_period,
        "page_url": reverse("portal:indicator", args=[indicator.code]),
    }
