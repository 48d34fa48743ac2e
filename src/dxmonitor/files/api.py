"""JSON twins of the Excel and CSV pages: templates, uploads checked then applied, value exports.

Uploads and templates need a signed-in user or a bearer token: a template lists the units the
caller enters figures for, and an upload is checked against the same data-entry subtree.
"""

import uuid

from django.http import HttpResponse
from django.urls import reverse
from ninja import File, Query, Router, Schema
from ninja.files import UploadedFile
from pydantic import Field

from dxmonitor.accounts.api import WRITE_AUTH, is_signed_in, requester
from dxmonitor.collection.api import ValueFilter, filtered_values
from dxmonitor.collection.models import ImportJob
from dxmonitor.common import exports
from dxmonitor.common.api import ErrorOut
from dxmonitor.common.language import current_language
from dxmonitor.common.users import ApiRequest

from . import actions
from .actions import job_report
from .exports import values_table
from .queries import template_for

router = Router(tags=["files"])

UPLOAD_ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 413: ErrorOut}
FILE_RESPONSE = {
    "content": {exports.CONTENT_TYPES["xlsx"]: {}, exports.CONTENT_TYPES["csv"]: {}},
    "description": "the file",
}


class FileProblemOut(Schema):
    sheet: str
    row: int | None
    column: str
    header: str
    field: str
    ref: str
    message: str
    message_en: str
    message_vi: str


class UploadReportOut(Schema):
    format: str
    file_name: str
    sheet: str
    dataset: str
    period: str
    values: int = Field(description="figures read from the file")
    created: int
    updated: int
    unchanged: int
    rejected: int
    rows_skipped: int = Field(description="blank rows, and template rows left empty")
    problems_total: int
    problems: list[FileProblemOut] = Field(description="at most 1000, by row")
    applied: bool
    seconds: float


class UploadOut(Schema):
    id: uuid.UUID
    file_name: str
    format: str
    stage: str = Field(
        description="checked, applying (a large file, by a background job: see job_url), applied, "
        "or refused (the apply found problems)"
    )
    can_apply: bool
    created_at: str
    check: UploadReportOut
    apply: UploadReportOut | None
    url: str
    apply_url: str
    job_url: str | None


def upload_out(job: ImportJob) -> dict:
    check = job_report(job, "check")
    applied = job_report(job, "apply")
    stage = job.summary.get("stage", "")
    return {
        "id": job.pk,
        "file_name": job.file_name,
        "format": job.format,
        "stage": stage,
        "can_apply": stage == actions.CHECKED and check is not None and check.ok,
        "created_at": job.created_at.isoformat(),
        "check": check.as_dict() if check else {},
        "apply": applied.as_dict() if applied else None,
        "url": reverse("api:upload", args=[job.pk]),
        "apply_url": reverse("api:upload_apply", args=[job.pk]),
        "job_url": reverse("api:job", kwargs={"job_id": job.pk}) if stage == actions.APPLYING else None,
    }


@router.get(
    "/templates/{dataset}/{period}",
    response={200: None, **UPLOAD_ERRORS},
    auth=WRITE_AUTH,
    url_name="template",
    openapi_extra={"responses": {200: FILE_RESPONSE}},
)
def template(request: ApiRequest, dataset: str, period: str, unit: int | None = None):
    """The Excel template of a data set and period (`2026Q4`, `2026`) for the units the caller
    enters figures for, with the figures already entered; `unit` narrows it to one unit's subtree."""
    data, name = template_for(user=request.auth, dataset=dataset, period=period, unit_id=unit)
    return HttpResponse(
        data,
        content_type=exports.CONTENT_TYPES["xlsx"],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.post("/uploads", response={200: UploadOut, **UPLOAD_ERRORS}, auth=WRITE_AUTH, url_name="uploads")
def upload(request: ApiRequest, file: File[UploadedFile]):
    """Check an .xlsx or .csv file of values (multipart field `file`): nothing is written. The
    answer is the report — every problem at its sheet, row and column — and the upload's `id`."""
    data = actions.read_upload(file)
    job = actions.check_upload(data=data, file_name=file.name or "", user=request.auth)
    return upload_out(job)


@router.get(
    "/uploads/{job_id}", response={200: UploadOut, **UPLOAD_ERRORS}, auth=WRITE_AUTH, url_name="upload"
)
def upload_detail(request: ApiRequest, job_id: str):
    """An upload's report: its check and, once applied, what the apply wrote."""
    return upload_out(actions.get_upload(job_id=job_id, user=request.auth))


@router.post(
    "/uploads/{job_id}/apply",
    response={200: UploadOut, **UPLOAD_ERRORS},
    auth=WRITE_AUTH,
    url_name="upload_apply",
)
def upload_apply(request: ApiRequest, job_id: str):
    """Write every figure of a checked upload, or none (409 when its check found problems).
    Applying twice changes nothing more; if the data changed since the check (a period closed),
    nothing is written and `stage` is `refused` with the new problems."""
    job = actions.get_upload(job_id=job_id, user=request.auth)
    return upload_out(actions.apply_upload(job=job, user=request.auth))


class ExportFilter(ValueFilter):
    format: str = Field("csv", pattern="^(csv|xlsx)$", description="csv (UTF-8 with BOM) or xlsx")


@router.get(
    "/values/export",
    response={200: None, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    url_name="values_export",
    openapi_extra={"responses": {200: FILE_RESPONSE}},
)
def values_export(request: ApiRequest, filters: Query[ExportFilter]):
    """The values `GET /values` selects with the same filters (no paging: the whole list, up to
    1,000,000), as `format=csv` or `format=xlsx`, with the columns an upload reads. Cells that a
    spreadsheet would run as formulas come out as text."""
    viewer = requester(request)
    values = filtered_values(filters, viewer=viewer)
    table = values_table(
        values, language=current_language(), show_people=is_signed_in(request), title="Số liệu"
    )
    return exports.response(table, format=filters.format, stem="so-lieu")
