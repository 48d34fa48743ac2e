"""Importing a file of values: check it (nothing written), then apply it (all or nothing).

The web page and the API keep the uploaded file and its check as an `ImportJob`, so that "Áp
dụng" applies exactly the file that was checked; the command line checks and applies in one go.
Every value goes through `collection.bulk.import_values`: the single-value contract, the user's
data-entry subtree, closed periods; a template also binds its rows to its data set and period,
and refuses figures of reports already submitted.
"""

import datetime
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from dxmonitor.catalog.models import Indicator
from dxmonitor.collection.bulk import BulkSummary, RawValue, import_values
from dxmonitor.collection.models import DataSet, ImportJob, SourceType
from dxmonitor.collection.parsed_file import MAX_PROBLEMS, FileProblem, ParsedFile, place_rejection
from dxmonitor.collection.payloads import spool_dir
from dxmonitor.collection.periods import PeriodError, parse_period
from dxmonitor.common.errors import DomainError, Forbidden, NotFound
from dxmonitor.common.users import AnyUser
from dxmonitor.geo.models import Unit
from dxmonitor.workflow.models import HELD

from .formats import detect, read_file
from .housekeeping import check_quota, is_expired
from .replay import recording, replayed
from .sniff import check_size

CHECKED, APPLYING, APPLIED, REFUSED = "checked", "applying", "applied", "refused"
# A checked upload with more figures than this is applied by a background job: its user follows it
# on the upload page (or /jobs/) instead of waiting on a request for tens of seconds.
BACKGROUND_APPLY_VALUES = 20_000


class Conflict(DomainError):
    status = 409


@dataclass
class ImportReport:
    """What checking or applying a file found and did."""

    format: str
    file_name: str
    sheet: str = ""
    dataset: str = ""
    period: str = ""
    values: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    rows_skipped: int = 0
    problems: list[FileProblem] = field(default_factory=list)
    problems_total: int = 0
    applied: bool = False
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.problems_total == 0

    def as_dict(self) -> dict:
        return {
            "format": self.format, "file_name": self.file_name, "sheet": self.sheet,
            "dataset": self.dataset, "period": self.period, "values": self.values,
            "created": self.created, "updated": self.updated, "unchanged": self.unchanged,
            "rejected": self.rejected, "rows_skipped": self.rows_skipped,
            "problems_total": self.problems_total, "problems": [p.as_dict() for p in self.problems],
            "applied": self.applied, "seconds": round(self.seconds, 3),
        }  # fmt: skip


class _FileProblems(Exception):
    """Raised inside the values stream when applying a file that has problems: rolls back."""


def import_file(
    *, data: bytes, file_name: str, user: AnyUser | None, dry_run: bool, format: str | None = None
) -> ImportReport:
    """Check a file; unless `dry_run`, apply it when the check found nothing wrong (from the
    values the check recorded: the file is read once)."""
    if dry_run:
        return _run(parsed=read_file(data, format=format), file_name=file_name, user=user, dry_run=True)
    record = spool_dir() / f"{uuid.uuid4()}.values"
    try:
        parsed = recording(read_file(data, format=format), record)
        report = _run(parsed=parsed, file_name=file_name, user=user, dry_run=True)
        if not report.ok:
            return report
        again = replayed(record) or read_file(data, format=format)
        return _run(parsed=again, file_name=file_name, user=user, dry_run=False)
    finally:
        record.unlink(missing_ok=True)


def _run(*, parsed: ParsedFile, file_name: str, user: AnyUser | None, dry_run: bool) -> ImportReport:
    dataset = _template_dataset(parsed)
    values = _bound(parsed, dataset)
    if not dry_run:
        values = _guarded(values, parsed)
    try:
        summary = import_values(
            items=values,
            user=user,
            source_type=SourceType.IMPORT,
            source_file=file_name,
            dry_run=dry_run,
            all_or_nothing=not dry_run,
            # Rule and outlier results of a check would be rolled back with its values: skip them.
            run_checks=not dry_run,
        )
    except _FileProblems:
        summary = BulkSummary(dry_run=False, applied=False)
    return _report(parsed, summary, file_name=file_name)


def _report(parsed: ParsedFile, summary: BulkSummary, *, file_name: str) -> ImportReport:
    placed = [
        place_rejection(parsed, row=r.row, field=r.field, en=r.message_en, vi=r.message_vi)
        for r in summary.rejections
    ]
    problems = sorted(
        [*parsed.problems, *placed], key=lambda p: (p.row is not None, p.row or 0, len(p.column), p.column)
    )
    return ImportReport(
        format=parsed.format,
        file_name=file_name,
        sheet=parsed.sheet,
        dataset=parsed.dataset,
        period=parsed.period,
        values=summary.total,
        created=summary.created,
        updated=summary.updated,
        unchanged=summary.unchanged,
        rejected=summary.rejected,
        rows_skipped=parsed.rows_skipped,
        problems=problems[:MAX_PROBLEMS],
        problems_total=len(parsed.problems) + summary.rejected,
        applied=summary.applied and not summary.dry_run,
        seconds=summary.seconds,
    )


def _guarded(values: Iterator[RawValue], parsed: ParsedFile) -> Iterator[RawValue]:
    yield from values
    if parsed.problems:
        raise _FileProblems


def _template_dataset(parsed: ParsedFile) -> DataSet | None:
    """The data set a template was made for; a file that names an unknown one says so."""
    if not parsed.dataset:
        return None
    dataset = DataSet.objects.filter(code=parsed.dataset, is_active=True).first()
    if dataset is None:
        parsed.problem(
            f"the file is a template of data set {parsed.dataset}, which is not collected any more",
            f"Tệp là mẫu của bộ số liệu {parsed.dataset}, bộ này không còn được thu thập",
        )
    if parsed.period:
        try:
            parsed.period = parse_period(parsed.period).code
        except PeriodError:
            parsed.problem(
                f"the template records an unknown period {parsed.period!r}",
                f"Mẫu ghi kỳ báo cáo không hợp lệ {parsed.period!r}",
            )
            parsed.period = ""
    return dataset


def _bound(parsed: ParsedFile, dataset: DataSet | None) -> Iterator[RawValue]:
    """A template's rows stay within its data set and period, and out of submitted reports."""
    if dataset is None:
        yield from parsed.values
        return
    codes = set(dataset.members.values_list("indicator__code", flat=True))
    blocked = _submitted_codes(dataset, parsed.period)
    known: dict[str, bool] = {}
    for raw in parsed.values:
        if parsed.period and raw.period and _period_code(raw.period) not in (parsed.period, None):
            parsed.problem(
                f"period {raw.period} differs from the template's {parsed.period}; "
                "download the template of that period",
                f"Kỳ {raw.period} khác kỳ của mẫu ({parsed.period}); hãy tải mẫu của kỳ đó",
                row=raw.row,
                field="period",
            )
            continue
        if raw.indicator and raw.indicator not in codes and _known_indicator(raw.indicator, known):
            parsed.problem(
                f"indicator {raw.indicator} is not part of data set {dataset.code}",
                f"Chỉ tiêu {raw.indicator} không thuộc bộ số liệu {dataset.name_vi}",
                row=raw.row,
                field="indicator",
            )
            continue
        if raw.unit_code in blocked:
            parsed.problem(
                f"the report of {blocked[raw.unit_code]} for {parsed.period} is submitted; "
                "its figures cannot change by file",
                f"Báo cáo kỳ {parsed.period} của {blocked[raw.unit_code]} đã nộp; "
                "không sửa số liệu bằng tệp được",
                row=raw.row,
                field="unit_code",
            )
            continue
        yield raw


def _period_code(text: str) -> str | None:
    try:
        return parse_period(text).code
    except PeriodError:
        return None  # the import says what is wrong with it


def _known_indicator(code: str, cache: dict[str, bool]) -> bool:
    if code not in cache:
        cache[code] = Indicator.objects.filter(code=code).exists()
    return cache[code]


def _submitted_codes(dataset: DataSet, period: str) -> dict[str, str]:
    """Codes of the units whose figures sit in a submitted report: commune → its name."""
    if not period:
        return {}
    communes = Unit.objects.filter(reports__dataset=dataset, reports__period=period, reports__status__in=HELD)
    blocked = {c.code: c.name for c in communes}
    if dataset.level == "village":
        villages = Unit.objects.filter(parent__in=communes, level="village").select_related("parent")
        blocked = {v.code: v.parent.name for v in villages}
    return blocked


# ---------------------------------------------------------------------------------------------
# Uploads kept between the check and the apply


def read_upload(upload) -> bytes:
    """The bytes of an uploaded file, refused unread when larger than DXM_MAX_UPLOAD_MB."""
    check_size(upload.size or 0)
    return upload.read()


def upload_path(job_id: uuid.UUID | str) -> Path:
    return Path(settings.VAR_DIR) / "uploads" / str(job_id)


def values_path(job_id: uuid.UUID | str) -> Path:
    """The values the check of an upload read, for its apply."""
    return Path(settings.VAR_DIR) / "uploads" / f"{job_id}.values"


def check_upload(*, data: bytes, file_name: str, user: AnyUser) -> ImportJob:
    """Check an uploaded file and keep it with its report for `apply_upload`. Nothing is written
    to the values. A file that is not a table at all (wrong type, too large) is refused unkept."""
    file_name = Path(file_name or "tep").name[:255]
    if detect(data).name not in ("xlsx", "csv"):
        raise DomainError(
            "upload an Excel (.xlsx) or CSV table here; JSON and DHIS2 files go through "
            "POST /api/v1/dataValueSets or dxmonitor import",
            "Trang này nhận bảng Excel (.xlsx) hoặc CSV; tệp JSON và DHIS2 gửi qua API "
            "POST /api/v1/dataValueSets hoặc lệnh dxmonitor import",
            field="file",
        )
    check_quota(user=user, size=len(data))
    job_id = uuid.uuid4()
    path = upload_path(job_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        parsed = recording(read_file(data), values_path(job_id))
        report = _run(parsed=parsed, file_name=file_name, user=user, dry_run=True)
    except BaseException:
        values_path(job_id).unlink(missing_ok=True)
        raise
    job = ImportJob(
        id=job_id,
        user=user,
        format=report.format,
        file_name=file_name,
        dry_run=True,
        status=ImportJob.Status.DONE,
        total=report.values,
        processed=report.values,
        summary={"stage": CHECKED, "check": report.as_dict(), "apply": None},
        finished_at=timezone.now(),
    )
    path.write_bytes(data)
    job.save(force_insert=True)
    return job


def get_upload(*, job_id: uuid.UUID | str, user: AnyUser) -> ImportJob:
    """An upload of this user's; anyone else's is as good as absent."""
    try:
        key = uuid.UUID(str(job_id))
    except ValueError:
        key = None
    job = ImportJob.objects.filter(pk=key, user=user).first() if key else None
    if job is None or job.format not in ("xlsx", "csv") or "stage" not in (job.summary or {}):
        raise NotFound(f"no upload {job_id}", f"Không có tệp tải lên {job_id}", field="job")
    return job


def apply_upload(*, job: ImportJob, user: AnyUser) -> ImportJob:
    """Write every value of a checked upload, or none. Applying twice changes nothing more.
    A large upload is queued for a worker (stage "applying") and this returns at once."""
    from dxmonitor.jobs.actions import enqueue

    if job.user_id != user.pk:
        raise Forbidden("this upload is someone else's", "Tệp tải lên này là của người khác", field="job")
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        stage = job.summary.get("stage")
        if stage in (APPLIED, APPLYING):
            return job
        if is_expired(job):
            days = settings.DXM_UPLOADS_KEEP_DAYS
            raise Conflict(
                f"this upload has expired (uploads are kept {days} days); upload the file again",
                f"Tệp tải lên này đã hết hạn (tệp được lưu {days} ngày); hãy tải tệp lên lại",
                field="job",
            )
        if job.status == ImportJob.Status.RUNNING:
            raise Conflict("this upload is being applied", "Tệp này đang được áp dụng", field="job")
        if stage != CHECKED or job.summary["check"]["problems_total"]:
            raise Conflict(
                "the file has problems; fix them and upload it again",
                "Tệp còn lỗi; hãy sửa rồi tải lên lại",
                field="job",
            )
        if job.summary["check"].get("values", 0) > BACKGROUND_APPLY_VALUES:
            job.status = ImportJob.Status.QUEUED
            job.summary = {**job.summary, "stage": APPLYING}
            job.save(update_fields=["status", "summary"])
            enqueue(kind="files.apply", user=user, job_id=job.pk, arguments={"upload": str(job.pk)})
            job.refresh_from_db()
            return job
        job.status = ImportJob.Status.RUNNING
        job.save(update_fields=["status"])
    return _apply(job, user)


def apply_queued(*, upload_id: uuid.UUID) -> ImportJob:
    """The background half of `apply_upload`: run again from the start if a worker died (the
    apply is one transaction: a dead worker's attempt left nothing)."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update(of=("self",)).select_related("user").get(pk=upload_id)
        if job.summary.get("stage") != APPLYING:
            return job
        job.status = ImportJob.Status.RUNNING
        job.save(update_fields=["status"])
    return _apply(job, job.user)


def _apply(job: ImportJob, user: AnyUser) -> ImportJob:
    try:
        # The values the check recorded; only an upload checked before they were kept is read again.
        parsed = replayed(values_path(job.id))
        if parsed is None:
            parsed = read_file(upload_path(job.id).read_bytes(), format=job.format)
        report = _run(parsed=parsed, file_name=job.file_name, user=user, dry_run=False)
    except BaseException as exc:
        job.status = ImportJob.Status.FAILED
        job.error = str(exc)[:2000]
        job.save(update_fields=["status", "error"])
        raise
    job.summary = {**job.summary, "stage": APPLIED if report.applied else REFUSED, "apply": report.as_dict()}
    job.dry_run = not report.applied
    job.status = ImportJob.Status.DONE if report.applied else ImportJob.Status.FAILED
    job.processed = report.values
    job.finished_at = timezone.now()
    job.save(update_fields=["summary", "dry_run", "status", "processed", "finished_at"])
    return job


def job_report(job: ImportJob, key: str = "") -> ImportReport | None:
    """The check or apply report of an upload, as kept."""
    data = job.summary.get(key or ("apply" if job.summary.get("apply") else "check"))
    if not data:
        return None
    return ImportReport(
        **{k: v for k, v in data.items() if k not in ("problems",)},
        problems=[FileProblem.from_dict(p) for p in data.get("problems", [])],
    )


def uploads_of(user: AnyUser, *, since: datetime.timedelta = datetime.timedelta(days=30)):
    """The user's recent uploads, newest first."""
    return ImportJob.objects.filter(
        user=user, format__in=("xlsx", "csv"), created_at__gte=timezone.now() - since
    ).order_by("-created_at")
