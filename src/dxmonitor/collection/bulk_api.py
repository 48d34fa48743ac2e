"""The bulk API: many values in one request (ours or DHIS2's), import jobs, DHIS2 mappings.

`POST /api/v1/dataValueSets` takes our JSON, DHIS2 JSON or DHIS2 CSV by Content-Type; DHIS2's
own paths (`dhis2_api`) take the same through `submit`. Views parse the request and call
`jobs.submit_payload`.
"""

import datetime
import uuid

from django.http import HttpResponse
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from pydantic import Field

from dxmonitor.accounts.client_auth import BULK_AUTH
from dxmonitor.accounts.permissions import ENTER, grants
from dxmonitor.accounts.queries import can_administer
from dxmonitor.common.api import ERRORS, WRITE_ERRORS, ErrorOut, Paging, ProblemOut, page
from dxmonitor.common.bounded_json import JsonTooComplex
from dxmonitor.common.errors import DomainError, Forbidden
from dxmonitor.common.users import ApiRequest

from . import dhis2_mappings
from .dhis2 import Dhis2Refused, check_options
from .dhis2_summary import refused_summary
from .jobs import get_job, job_out, read_payload, submit_payload
from .payloads import FORMAT_DHIS2_JSON, FORMAT_OURS

router = Router(tags=["bulk"])


class BulkQuery(Schema):
    dryRun: bool | None = Field(None, description="check and count, write nothing")
    dry_run: bool | None = Field(None, description="the same as dryRun")
    importStrategy: str | None = Field(
        None,
        max_length=40,
        description="DHIS2 payloads: CREATE_AND_UPDATE (default), CREATE, UPDATE or DELETE",
    )
    atomicMode: str | None = Field(
        None,
        max_length=12,
        description="DHIS2 payloads: NONE (default) keeps what is valid, ALL writes nothing on a conflict",
    )
    idScheme: str | None = Field(None, max_length=40, description="UID or CODE (both match the mappings)")
    dataElementIdScheme: str | None = Field(None, max_length=40)
    orgUnitIdScheme: str | None = Field(None, max_length=40)
    async_: bool | None = Field(
        None, alias="async", description="DHIS2 paths: import in the background and answer 202 with a job"
    )

    def is_dry_run(self) -> bool:
        return bool(self.dryRun or self.dry_run)


class RejectionOut(ProblemOut):
    ref: str
    index: int | None = None


class BulkResultOut(Schema):
    total: int
    created: int
    updated: int
    unchanged: int
    rejected: int
    dry_run: bool
    applied: bool
    seconds: float
    rejections: list[RejectionOut]
    rejections_shown: int


class ImportCountOut(Schema):
    imported: int
    updated: int
    ignored: int
    deleted: int


class ConflictOut(Schema):
    object: str
    objects: dict[str, str] = {}
    value: str
    value_vi: str = ""
    errorCode: str = ""
    property: str = ""
    indexes: list[int] = []


class ImportSummaryOut(Schema):
    responseType: str
    status: str
    description: str
    importOptions: dict
    importCount: ImportCountOut
    conflicts: list[ConflictOut]
    rejectedIndexes: list[int] = []
    dataSetComplete: str


class ImportJobOut(Schema):
    id: str
    status: str
    format: str
    dry_run: bool
    total: int
    processed: int
    created_at: datetime.datetime
    finished_at: datetime.datetime | None
    error: str
    result: dict | None
    status_url: str
    job_url: str


BODY_DOC = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {"type": "object"},
                "example": {
                    "values": [
                        {"unit": "03217", "indicator": "CTX.VILLAGES", "period": "2025Q3", "value": 12}
                    ]
                },
            },
            "application/csv": {"schema": {"type": "string"}},
        },
    }
}
RESPONSES = {
    200: BulkResultOut | ImportSummaryOut,
    202: ImportJobOut,
    409: ImportSummaryOut,
    413: ErrorOut,
    503: ErrorOut | ImportSummaryOut,
    415: ErrorOut,
    **WRITE_ERRORS,
}


def _content_length(request: ApiRequest) -> int | None:
    raw = request.META.get("CONTENT_LENGTH") or ""
    return int(raw) if raw.isdigit() else None


def submit(request: ApiRequest, options: BulkQuery, *, suffix: str, dhis2: bool) -> tuple[int, dict, str]:
    """Read and import (or queue) a posted payload: the status, the answer and the format.

    A payload in DHIS2's formats is answered with an ImportSummary even when refused whole
    (unsupported option: 409; unreadable: 409; too large: 413; wrong Content-Type: 415); ours
    raises, for the error answer. At DHIS2's paths every refusal is an ImportSummary.
    """
    dry_run = options.is_dry_run()
    user = request.auth
    found = grants(user)
    if not (found.everything or found.paths(ENTER)):
        raise Forbidden(
            "you may not enter figures for any unit", "Bạn không được giao nhập số liệu cho đơn vị nào"
        )
    atomic_mode = getattr(options, "atomicMode", None)
    try:
        strategy = check_options(
            strategy=options.importStrategy,
            schemes={
                "idScheme": options.idScheme,
                "dataElementIdScheme": options.dataElementIdScheme,
                "orgUnitIdScheme": options.orgUnitIdScheme,
            },
            atomic=atomic_mode,
        )
    except Dhis2Refused as exc:
        return exc.status, refused_summary(exc, dry_run=dry_run), FORMAT_DHIS2_JSON
    fmt = FORMAT_OURS
    try:
        payload = read_payload(
            stream=request,  # type: ignore[arg-type]
            content_length=_content_length(request),
            content_type=request.META.get("CONTENT_TYPE", ""),
            suffix=suffix,
        )
        fmt = payload.format
        if dhis2 and fmt == FORMAT_OURS:
            # DHIS2's paths answer with DHIS2's ImportSummary, which our format's answer is not.
            payload.body.discard()
            raise DomainError(
                'DHIS2\'s path takes DHIS2\'s {"dataValues": [...]}; post {"values": [...]} to '
                "/api/v1/dataValueSets",
                'Đường dẫn của DHIS2 nhận {"dataValues": [...]} của DHIS2; hãy gửi {"values": [...]} tới '
                "/api/v1/dataValueSets",
                field="values",
            )
        if fmt == FORMAT_OURS and strategy != "CREATE_AND_UPDATE":
            payload.body.discard()
            raise Dhis2Refused(
                f"importStrategy {options.importStrategy} applies to DHIS2 payloads only",
                f"importStrategy {options.importStrategy} chỉ áp dụng cho dữ liệu DHIS2",
                field="importStrategy",
            )
        payload.strategy = strategy
        payload.atomic = (atomic_mode or "").strip().upper() == "ALL"
        submitted = submit_payload(
            payload=payload,
            user=user,
            api_client=getattr(request, "api_client", "") or "session",
            dry_run=dry_run,
            background=not dhis2 or bool(options.async_),
            always=dhis2 and bool(options.async_),  # DHIS2's clients follow a job whatever its size
        )
    except DomainError as exc:
        # DHIS2 answers a payload it cannot import with an ImportSummary; a body past our parsing
        # limits (measured before its format is known) is a bad request, the limit named.
        if (dhis2 or (fmt != FORMAT_OURS and exc.status == 400)) and not isinstance(exc, JsonTooComplex):
            status = exc.status if exc.status != 400 else 409
            return status, refused_summary(exc, dry_run=dry_run), fmt
        raise
    if submitted.job is not None:
        return 202, job_out(submitted.job), fmt
    answer = submitted.answer or {}
    return (409 if answer.get("status") == "ERROR" else 200), answer, fmt


def _post(request: ApiRequest, response: HttpResponse, options: BulkQuery):
    status, body, _fmt = submit(request, options, suffix="", dhis2=False)
    if status == 202:
        response["Location"] = body["status_url"]
    return Status(status, body)


DESCRIPTION = """Many values in one request, checked one by one against the caller's data-entry subtree.

Body by Content-Type: `application/json` with our `{"values": [...]}` or DHIS2's
`{"dataValues": [...]}`; `application/csv` or `text/csv` with DHIS2's CSV. The answer is in the
payload's own shape: our summary (created, updated, unchanged, rejected, each rejection with its
index) or DHIS2's ImportSummary. Over 5,000 values or 2 MB the payload is imported in the
background: 202 with the job and its `status_url`."""


@router.post(
    "/dataValueSets",
    response=RESPONSES,
    auth=BULK_AUTH,
    url_name="data_value_sets",
    openapi_extra=BODY_DOC,
    description=DESCRIPTION,
)
def post_data_value_sets(request: ApiRequest, response: HttpResponse, options: Query[BulkQuery]):
    return _post(request, response, options)


@router.get(
    "/imports/{job_id}", response={200: ImportJobOut, **WRITE_ERRORS}, auth=BULK_AUTH, url_name="import_job"
)
def import_job(request: ApiRequest, job_id: uuid.UUID):
    """A background import: status (queued, running, done, failed), processed of total values and,
    when done, the answer the payload would have had. Its sender and administrators only."""
    return job_out(get_job(job_id=job_id, user=request.auth))


class MappingFilter(Paging):
    kind: str | None = Field(None, max_length=12)


class MappingUnitOut(Schema):
    id: int
    code: str
    name: str
    level: str
    valid_from: datetime.date | None
    valid_to: datetime.date | None


class MappingOut(Schema):
    id: int
    kind: str
    dhis2_id: str
    category_option_combo: str
    unit: MappingUnitOut | None
    indicator: str | None
    part: str | None
    value_kind: str | None


class MappingPage(Schema):
    count: int
    items: list[MappingOut]


class MappingIn(Schema):
    kind: str = Field(..., max_length=12)
    dhis2_id: str = Field(..., max_length=64)
    category_option_combo: str = Field("", max_length=64)
    unit_code: str = Field("", max_length=24)
    unit_id: int | None = Field(None, gt=0, lt=2**63)
    indicator: str = Field("", max_length=64)
    part: str = Field("", max_length=12)
    value_kind: str = Field("", max_length=8)


class MappingsIn(Schema):
    mappings: list[MappingIn] = Field(..., max_length=10_000)
    as_of: datetime.date | None = Field(
        None, description="the day whose units the codes mean (default today)"
    )
    dry_run: bool = False


class MappingReportOut(Schema):
    created: int
    updated: int
    unchanged: int
    dry_run: bool


def _require_admin(user) -> None:
    if not can_administer(user):
        raise Forbidden("only administrators manage DHIS2 mappings", "Chỉ quản trị viên quản lý ánh xạ DHIS2")


@router.get(
    "/dhis2/mappings", response={200: MappingPage, **WRITE_ERRORS}, auth=BULK_AUTH, url_name="dhis2_mappings"
)
def list_mappings(request: ApiRequest, filters: Query[MappingFilter]):
    """How DHIS2 org units and data elements map to our units and indicators (twin of /dhis2/mappings/)."""
    _require_admin(request.auth)
    count, items = page(
        dhis2_mappings.mappings(kind=filters.kind), limit=filters.limit, offset=filters.offset
    )
    return {"count": count, "items": [dhis2_mappings.mapping_out(m) for m in items]}


@router.post("/dhis2/mappings", response={200: MappingReportOut, **ERRORS, **WRITE_ERRORS}, auth=BULK_AUTH)
def post_mappings(request: ApiRequest, payload: MappingsIn):
    """Create or update mappings (the columns of `dxmonitor dhis2 mappings load`); all or nothing."""
    _require_admin(request.auth)
    rows = [
        (number, {k: "" if v is None else str(v) for k, v in item.dict().items()})
        for number, item in enumerate(payload.mappings, start=1)
    ]
    report = dhis2_mappings.load_mappings(
        rows=rows, on=payload.as_of or timezone.localdate(), dry_run=payload.dry_run
    )
    return report.as_dict()
