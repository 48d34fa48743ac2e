"""Bulk payloads imported now or in the background, with their job row.

A small payload (at most `BACKGROUND_VALUES` values and `BACKGROUND_BYTES` bytes) is checked
and written while the client waits. A larger one is spooled to VAR_DIR/imports and imported by
a background job (`dxmonitor worker`); its `ImportJob` row says how far it got and, at the end,
holds the answer the client would have had. The job first reads the whole payload once (a
malformed one fails there, before anything is written, and the count gives the progress its
total), then imports it through the bulk path.
"""

import logging
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any, Protocol

from django.db import DatabaseError, transaction
from django.urls import reverse
from django.utils import timezone

from dxmonitor.accounts.queries import can_administer
from dxmonitor.common.errors import DomainError, Forbidden, NotFound
from dxmonitor.common.retry import Busy, retrying
from dxmonitor.common.users import AnyUser

from .bulk import BulkSummary, RawValue, import_values
from .dhis2 import Dhis2Csv, Dhis2Json
from .dhis2_single import delete_many
from .dhis2_summary import import_summary
from .dhis2_xml import ADX_ROOT, DXF_ROOT, XmlValues, sniff_xml
from .models import ImportJob, SourceType
from .payloads import (
    CSV,
    FORMAT_ADX,
    FORMAT_DHIS2_CSV,
    FORMAT_DHIS2_JSON,
    FORMAT_DHIS2_XML,
    FORMAT_OURS,
    JSON,
    XML,
    Body,
    OurJson,
    media_type,
    receive_body,
    result,
    sniff_json,
    spool_dir,
)

logger = logging.getLogger(__name__)

BACKGROUND_VALUES = 5_000
BACKGROUND_BYTES = 2 * 1024 * 1024


class Reader(Protocol):
    position: int

    def __iter__(self) -> Iterator[RawValue]: ...


@dataclass
class Payload:
    id: uuid.UUID
    body: Body
    format: str
    envelope: dict[str, Any]
    # DHIS2's importStrategy and atomicMode ALL (nothing written when anything is refused).
    strategy: str = "CREATE_AND_UPDATE"
    atomic: bool = False


@dataclass
class Submitted:
    """What became of a payload: its answer (imported now) or its job (in the background)."""

    format: str
    answer: dict | None = None
    job: ImportJob | None = None


def read_payload(
    *, stream: IO[bytes], content_length: int | None, content_type: str, suffix: str = ""
) -> Payload:
    """Receive a body (spooled when large) and tell its format: ours, DHIS2 JSON or DHIS2 CSV."""
    media = media_type(content_type=content_type, suffix=suffix)
    payload_id = uuid.uuid4()
    body = receive_body(
        stream=stream,
        content_length=content_length,
        memory_limit=BACKGROUND_BYTES,
        name=f"{payload_id}.{media}",
    )
    try:
        if media == JSON:
            fmt, envelope = sniff_json(body.open)
        elif media == XML:
            root = sniff_xml(body.open)
            fmt, envelope = (FORMAT_ADX if root == ADX_ROOT else FORMAT_DHIS2_XML), {}
        else:
            fmt, envelope = FORMAT_DHIS2_CSV, {}
    except BaseException:
        body.discard()
        raise
    return Payload(id=payload_id, body=body, format=fmt, envelope=envelope)


def reader(payload: Payload, report: BulkSummary) -> Reader:
    if payload.format == FORMAT_OURS:
        return OurJson(payload.body.open, report=report)
    strategy = payload.strategy
    if payload.format == FORMAT_DHIS2_JSON:
        return Dhis2Json(payload.body.open, envelope=payload.envelope, report=report, strategy=strategy)
    if payload.format in (FORMAT_DHIS2_XML, FORMAT_ADX):
        root = ADX_ROOT if payload.format == FORMAT_ADX else DXF_ROOT
        return XmlValues(payload.body.open, report=report, root=root, strategy=strategy)
    return Dhis2Csv(payload.body.open, report=report, strategy=strategy)


def answer(
    fmt: str, summary: BulkSummary, *, dry_run: bool, strategy: str = "CREATE_AND_UPDATE", deleted: int = 0
) -> dict:
    if fmt == FORMAT_OURS:
        return result(summary)
    return import_summary(summary, dry_run=dry_run, strategy=strategy, deleted=deleted)


def _import(
    *,
    fmt: str,
    items: Reader | list[RawValue],
    report: BulkSummary,
    user: AnyUser,
    api_client: str,
    dry_run: bool,
    progress: Callable[[int], None] | None = None,
    payload: Payload | None = None,
    source: Reader | None = None,
) -> dict:
    atomic = payload is not None and payload.atomic

    def attempt() -> BulkSummary:
        return import_values(
            items=items,
            user=user,
            source_type=SourceType.API,
            source_file=f"dataValueSets ({fmt})",
            api_client=api_client,
            dry_run=dry_run,
            progress=progress,
            all_or_nothing=atomic,
            also_refused=report if atomic else None,
        )

    # A dry run is one transaction rolled back at the end: when it meets another writer it has
    # written nothing and runs again whole. A real import commits chunk by chunk and retries
    # each chunk itself.
    replay = dry_run and isinstance(items, list)
    summary = retrying(lambda: _unless_busy(attempt)) if replay else attempt()
    converter = getattr(source if source is not None else items, "values", None)
    deletions = getattr(converter, "deletions", None) or []
    deleted = 0
    if deletions and (summary.applied or dry_run):
        deleted = delete_many(
            deletions=deletions, user=user, api_client=api_client, dry_run=dry_run, report=report
        )
    summary.merge(report)
    if atomic and not dry_run and not summary.applied:
        # Nothing was kept: every value counts as ignored.
        summary.unchanged = summary.total - summary.rejected
        summary.created = summary.updated = 0
    strategy = payload.strategy if payload is not None else "CREATE_AND_UPDATE"
    return answer(fmt, summary, dry_run=dry_run, strategy=strategy, deleted=deleted)


def _unless_busy(attempt: Callable[[], BulkSummary]) -> BulkSummary:
    try:
        return attempt()
    except Busy as exc:
        if isinstance(exc.__cause__, DatabaseError):
            raise exc.__cause__ from None  # for `retrying` to try again
        raise


def submit_payload(
    *,
    payload: Payload,
    user: AnyUser,
    api_client: str,
    dry_run: bool,
    background: bool,
    always: bool = False,
) -> Submitted:
    """Import a payload now, or start its background job when it is large and `background`.

    Without `background` (DHIS2's own paths, whose clients wait for an ImportSummary) even a
    large payload is imported now, streamed from its spool file.
    """
    if not payload.body.spooled:
        report = BulkSummary(dry_run=dry_run)
        source = reader(payload, report)
        values = list(source)  # at most BACKGROUND_BYTES of input
        if not background or (source.position <= BACKGROUND_VALUES and not always):
            body = _import(
                fmt=payload.format,
                items=values,
                report=report,
                user=user,
                api_client=api_client,
                dry_run=dry_run,
                payload=payload,
                source=source,
            )
            return Submitted(format=payload.format, answer=body)
        payload.body.spool(name=f"{payload.id}.{CSV if payload.format == FORMAT_DHIS2_CSV else JSON}")
    if not background:
        try:
            report = BulkSummary(dry_run=dry_run)
            body = _import(
                fmt=payload.format,
                items=reader(payload, report),
                report=report,
                user=user,
                api_client=api_client,
                dry_run=dry_run,
                payload=payload,
            )
            return Submitted(format=payload.format, answer=body)
        finally:
            payload.body.discard()
    return Submitted(
        format=payload.format,
        job=start_job(payload=payload, user=user, api_client=api_client, dry_run=dry_run),
    )


def start_job(*, payload: Payload, user: AnyUser, api_client: str, dry_run: bool) -> ImportJob:
    """Record the import and queue its job, in one transaction: once this returns, the payload
    is imported even if this process dies the next instant."""
    from dxmonitor.jobs.actions import enqueue

    assert payload.body.path is not None
    with transaction.atomic():
        job = ImportJob.objects.create(
            id=payload.id,
            user=user,
            format=payload.format,
            file_name=payload.body.path.name,
            dry_run=dry_run,
            status=ImportJob.Status.QUEUED,
        )
        enqueue(
            kind="import.payload",
            user=user,
            job_id=job.pk,
            arguments={
                "import": str(job.pk),
                "envelope": payload.envelope,
                "api_client": api_client,
                "strategy": payload.strategy,
                "atomic": payload.atomic,
            },
        )
    job.refresh_from_db()
    return job


def _update(job_id: uuid.UUID, **fields: Any) -> None:
    ImportJob.objects.filter(pk=job_id).update(**fields)


def run_import(
    *,
    job_id: uuid.UUID,
    envelope: dict[str, Any],
    api_client: str,
    progress: Callable[[int, int | None], None] | None = None,
    strategy: str = "CREATE_AND_UPDATE",
    atomic: bool = False,
) -> dict:
    """Import a spooled payload: read it once whole (count, syntax), then import with progress.

    Run by the worker, and again from the start if the worker died: values already written are
    then unchanged, so each value is there once. A payload refused for what it holds fails with
    the reason (DomainError) and its file is removed; an unexpected error keeps the file, so that
    the job can be retried.
    """
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    path = spool_dir() / job.file_name
    body = Body(size=path.stat().st_size if path.exists() else 0, path=path)
    payload = Payload(
        id=job.pk, body=body, format=job.format, envelope=envelope, strategy=strategy, atomic=atomic
    )
    report_progress = progress or (lambda _done, _total: None)
    try:
        if job.user is None or not job.user.is_active:
            raise DomainError("the account that sent the payload is gone", "Tài khoản gửi dữ liệu không còn")
        if not path.exists():
            raise DomainError("the spooled payload is missing", "Không còn tệp dữ liệu đã nhận")
        _update(job.pk, status=ImportJob.Status.RUNNING, error="", processed=0, finished_at=None)
        counted = reader(payload, BulkSummary())
        for _ in counted:
            pass
        _update(job.pk, total=counted.position)
        report_progress(0, counted.position)
        report = BulkSummary(dry_run=job.dry_run)
        source = reader(payload, report)

        def advance(_checked: int) -> None:
            _update(job.pk, processed=source.position)
            report_progress(source.position, counted.position)

        body_out = _import(
            fmt=job.format,
            items=source,
            report=report,
            user=job.user,
            api_client=api_client,
            dry_run=job.dry_run,
            progress=advance,
            payload=payload,
        )
        _update(
            job.pk,
            status=ImportJob.Status.DONE,
            processed=counted.position,
            summary=body_out,
            finished_at=timezone.now(),
        )
        report_progress(counted.position, counted.position)
    except DomainError as exc:
        _update(
            job.pk,
            status=ImportJob.Status.FAILED,
            error=exc.message_en,
            finished_at=timezone.now(),
            summary={"detail": exc.message_en, "detail_vi": exc.message_vi},
        )
        body.discard()
        raise
    except Exception as exc:
        _update(
            job.pk,
            status=ImportJob.Status.FAILED,
            error=f"internal error: {exc}"[:2000],
            finished_at=timezone.now(),
        )
        raise
    body.discard()
    return body_out


PAYLOAD_FORMATS = (FORMAT_OURS, FORMAT_DHIS2_JSON, FORMAT_DHIS2_CSV, FORMAT_DHIS2_XML, FORMAT_ADX)


def get_job(*, job_id: uuid.UUID, user: AnyUser) -> ImportJob:
    """A job, for the user who sent it or an administrator."""
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None:
        raise NotFound(f"no import job {job_id}", f"Không có lượt nhập {job_id}")
    if job.user_id != user.pk and not can_administer(user):
        raise Forbidden(
            "only the sender of an import or an administrator can follow it",
            "Chỉ người gửi hoặc quản trị viên được xem lượt nhập này",
        )
    return job


def job_out(job: ImportJob) -> dict:
    return {
        "id": str(job.pk),
        "status": job.status,
        "format": job.format,
        "dry_run": job.dry_run,
        "total": job.total,
        "processed": job.processed,
        "created_at": job.created_at,
        "finished_at": job.finished_at,
        "error": job.error,
        "result": job.summary or None,
        "status_url": reverse("api:import_job", kwargs={"job_id": job.pk}),
        "job_url": reverse("api:job", kwargs={"job_id": job.pk}),
    }
