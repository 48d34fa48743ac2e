"""JSON API for values, their history and their source documents."""

import datetime

from django.db.models import QuerySet
from ninja import Query, Router, Schema, Status
from pydantic import Field

from dxmonitor.accounts.api import WRITE_AUTH, api_client_of, is_signed_in, requester
from dxmonitor.accounts.permissions import ENTER, can
from dxmonitor.accounts.queries import can_administer
from dxmonitor.catalog.api import require_indicator
from dxmonitor.common.api import ERRORS, WRITE_ERRORS, ErrorOut, Paging, page
from dxmonitor.common.errors import DomainError, Forbidden, NotFound
from dxmonitor.common.ids import is_id
from dxmonitor.common.language import current_language
from dxmonitor.common.users import ApiRequest
from dxmonitor.geo.api import get_unit
from dxmonitor.geo.models import Unit
from dxmonitor.geo.queries import unit_for_code

from . import queries
from .actions import Provenance, delete_value, record_value
from .models import Document, SourceType, Value
from .periods import parse_period
from .queued import QueuedConflict, record_queued_value
from .schemas import (
    DocumentDetailOut,
    DocumentOut,
    NewerOut,
    RecordOut,
    ValueChangeOut,
    ValueIn,
    ValueOut,
    change_out,
    document_out,
    newer_out,
    value_out,
)

router = Router(tags=["values"])


class ValuePage(Schema):
    count: int
    items: list[ValueOut]


class ValueFilter(Paging):
    indicator: str | None = Field(None, max_length=64)
    unit: int | None = None
    within: int | None = None
    period: str | None = Field(None, max_length=16)
    kind: str | None = Field(None, max_length=8)
    synthetic: bool | None = None
    document: int | None = None
    include_deleted: bool = False


def language() -> str:
    return current_language()


def get_value(value_id: int, *, viewer=queries.SYSTEM) -> Value:
    value = (
        queries.filter_values(include_deleted=True, viewer=viewer).filter(pk=value_id).first()
        if is_id(value_id)
        else None
    )
    if value is None:
        raise NotFound(f"value {value_id} does not exist", f"Không có số liệu {value_id}")
    return value


def resolve_unit_ref(*, unit_id: int | None, unit_code: str | None, period: str) -> Unit:
    if unit_id is not None:
        return get_unit(unit_id)
    if not unit_code:
        raise DomainError(
            "give unit_id or unit_code", "Cần chỉ rõ đơn vị (unit_id hoặc unit_code)", field="unit"
        )
    return unit_for_code(code=unit_code, on=parse_period(period).end)


def serialise(request: ApiRequest, values: list[Value]) -> list[dict]:
    comparisons = queries.compare_all(values)
    people = is_signed_in(request)
    return [
        value_out(v, language=language(), comparisons=comparisons.get(v.pk, []), show_people=people)
        for v in values
    ]


@router.get("/values", response={200: ValuePage, **ERRORS}, url_name="values")
def list_values(request: ApiRequest, filters: Query[ValueFilter]):
    """Values with their provenance and target comparisons, real figures first.

    Synthetic demo values carry `synthetic: true`; `synthetic=false` leaves them out.
    Deleted values are listed for administrators only (`include_deleted=true`).
    """
    values = filtered_values(filters, viewer=requester(request))
    count, items = page(values, limit=filters.limit, offset=filters.offset)
    return {"count": count, "items": serialise(request, items)}


def filtered_values(filters: ValueFilter, *, viewer) -> QuerySet[Value]:
    """The values a filter selects for a viewer: one definition for the list and its exports."""
    if filters.include_deleted and not can_administer(viewer):
        raise Forbidden("only administrators see deleted values", "Chỉ quản trị viên xem được số liệu đã xóa")
    return queries.filter_values(
        viewer=viewer,
        indicator=require_indicator(filters.indicator) if filters.indicator else None,
        unit=get_unit(filters.unit) if filters.unit else None,
        within=get_unit(filters.within) if filters.within else None,
        period=parse_period(filters.period) if filters.period is not None else None,
        kind=filters.kind,
        synthetic=filters.synthetic,
        document=_document(filters.document) if filters.document else None,
        include_deleted=filters.include_deleted,
    )


@router.get("/values/{value_id}", response={200: ValueOut, **ERRORS}, url_name="value_detail")
def value_detail(request: ApiRequest, value_id: int):
    return serialise(request, [get_value(value_id, viewer=requester(request))])[0]


@router.get(
    "/values/{value_id}/history", response={200: list[ValueChangeOut], **ERRORS}, url_name="value_history"
)
def value_history(request: ApiRequest, value_id: int):
    """Every version of the value: who, when, from where, old → new."""
    people = is_signed_in(request)
    value = get_value(value_id, viewer=requester(request))
    return [change_out(c, show_people=people) for c in queries.value_history(value)]


class ConflictOut(ErrorOut):
    conflict: NewerOut


@router.post(
    "/values",
    response={200: RecordOut, 201: RecordOut, 409: ConflictOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    url_name="value_record",
)
def post_value(request: ApiRequest, payload: ValueIn):
    """Create or update one value within the caller's data-entry subtree.

    The same content twice answers `unchanged`; every change is kept in the value's history.
    With `base_version` (the entry form's offline queue sends it) the figure is applied only
    while that version is current; otherwise the answer is 409 with the figure someone else
    entered, who and when, until `keep` says which figure to keep.
    """
    unit = resolve_unit_ref(unit_id=payload.unit_id, unit_code=payload.unit_code, period=payload.period)
    indicator = require_indicator(payload.indicator)
    if payload.base_version is not None:
        return _post_queued(request, payload, unit, indicator)
    evidence = payload.evidence
    recorded = record_value(
        unit=unit,
        indicator=indicator,
        period=payload.period,
        kind=payload.kind,
        value=payload.value,
        comparator=payload.comparator,
        numerator=payload.numerator,
        denominator=payload.denominator,
        note=payload.note,
        user=request.auth,
        provenance=Provenance(
            source_type=SourceType.API,
            api_client=api_client_of(request),
            document=_document(evidence.document_id) if evidence and evidence.document_id else None,
            evidence_quote=evidence.quote if evidence else "",
            evidence_start=evidence.start if evidence else None,
            evidence_end=evidence.end if evidence else None,
        ),
    )
    status = 201 if recorded.outcome == "created" else 200
    return Status(
        status, {"outcome": recorded.outcome, "value": serialise(request, [get_value(recorded.value.pk)])[0]}
    )


def _post_queued(request: ApiRequest, payload: ValueIn, unit: Unit, indicator):
    try:
        recorded = record_queued_value(
            unit=unit,
            indicator=indicator,
            period=payload.period,
            value=payload.value,
            numerator=payload.numerator,
            denominator=payload.denominator,
            base_version=payload.base_version or 0,
            entered_offline_at=payload.entered_offline_at,
            keep=payload.keep,
            user=request.auth,
        )
    except QueuedConflict as exc:
        return Status(
            409,
            {
                "detail": exc.message_en,
                "detail_vi": exc.message_vi,
                "errors": [p.as_dict() for p in exc.problems],
                "conflict": newer_out(exc.newer, measure_unit=indicator.measure_unit, language=language()),
            },
        )
    status = 201 if recorded.outcome == "created" else 200
    return Status(
        status, {"outcome": recorded.outcome, "value": serialise(request, [get_value(recorded.value.pk)])[0]}
    )


@router.delete(
    "/values/{value_id}", response={200: RecordOut, **WRITE_ERRORS}, auth=WRITE_AUTH, url_name="value_delete"
)
def remove_value(request: ApiRequest, value_id: int, reason: str = Query("", max_length=2000)):
    """Soft-delete a value within the caller's data-entry subtree; it keeps its history."""
    value = get_value(value_id, viewer=request.auth)
    if not can(request.auth, ENTER, value.unit):
        raise Forbidden(
            f"you may not change figures of {value.unit.name}",
            f"Bạn không được sửa số liệu của {value.unit.name}",
        )
    recorded = delete_value(
        value=value,
        user=request.auth,
        reason=reason,
        provenance=Provenance(source_type=SourceType.API, api_client=api_client_of(request)),
    )
    return {"outcome": recorded.outcome, "value": serialise(request, [get_value(value_id)])[0]}


def _document(document_id: int) -> Document:
    document = Document.objects.filter(pk=document_id).first()
    if document is None:
        raise NotFound(f"document {document_id} does not exist", f"Không có tài liệu {document_id}")
    return document


class DocumentPage(Schema):
    count: int
    items: list[DocumentOut]


@router.get("/documents", response={200: DocumentPage, **ERRORS}, url_name="documents")
def list_documents(request: ApiRequest, paging: Query[Paging]):
    count, items = page(queries.documents(), limit=paging.limit, offset=paging.offset)
    return {"count": count, "items": [document_out(d, values_count=d.values_count) for d in items]}


@router.get(
    "/documents/{document_id}", response={200: DocumentDetailOut, **ERRORS}, url_name="document_detail"
)
def document_detail(request: ApiRequest, document_id: int):
    return document_out(_document(document_id), with_text=True)


class ValuePeriodOut(Schema):
    code: str
    type: str
    start: datetime.date | None
    end: datetime.date | None
    label_vi: str
    label_en: str


@router.get("/periods/{text}", response={200: ValuePeriodOut, **ERRORS}, url_name="period")
def read_period(request: ApiRequest, text: str):
    """Parse a period as the API accepts it: "2024", "2024Q3", "202409" (also "Q3/2024", "9/2024")."""
    period = parse_period(text[:32])
    return {
        "code": period.code,
        "type": period.type,
        "start": period.start,
        "end": period.end,
        "label_vi": period.label("vi"),
        "label_en": period.label("en"),
    }


class AuditFilter(Paging):
    within: int | None = None
    user: str | None = Field(None, max_length=150)
    source_type: str | None = Field(None, max_length=12)
    since: datetime.date | None = None


class AuditEntryOut(ValueChangeOut):
    value_id: int
    unit: str
    unit_code: str
    indicator: str
    period: str
    kind: str


class AuditPage(Schema):
    count: int
    items: list[AuditEntryOut]


@router.get("/audit", response={200: AuditPage, **ERRORS}, url_name="audit")
def audit_trail(request: ApiRequest, filters: Query[AuditFilter]):
    """Every change to the values the caller may read: who, when, from which form, file and row or
    client, old → new (twin of the audit page)."""
    viewer = requester(request)
    changes = queries.audit(
        viewer=viewer,
        within=get_unit(filters.within) if filters.within else None,
        username=filters.user,
        source_type=filters.source_type,
        since=filters.since,
    )
    count, items = page(changes, limit=filters.limit, offset=filters.offset)
    people = is_signed_in(request)
    return {"count": count, "items": [audit_out(c, show_people=people) for c in items]}


def audit_out(change, *, show_people: bool) -> dict:
    value = change.value
    return {
        **change_out(change, show_people=show_people),
        "value_id": value.pk,
        "unit": value.unit.name,
        "unit_code": value.unit.code,
        "indicator": value.indicator.code,
        "period": value.period,
        "kind": value.kind,
    }
