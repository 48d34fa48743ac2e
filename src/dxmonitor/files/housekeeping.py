"""Uploads do not pile up: each is kept DXM_UPLOADS_KEEP_DAYS days (then the scheduler's
`files.expire` job removes its file and the values its check read, leaving the report), and a
user's kept uploads never take more than DXM_UPLOAD_QUOTA_MB together."""

import datetime
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from dxmonitor.collection.models import ImportJob
from dxmonitor.common.errors import DomainError
from dxmonitor.common.users import AnyUser

UPLOAD_FORMATS = ("xlsx", "csv")
# A file without its row is left this long: its upload may be between writing and saving.
ORPHAN_SECONDS = 24 * 3600


class QuotaExceeded(DomainError):
    status = 413


def uploads_dir() -> Path:
    return Path(settings.VAR_DIR) / "uploads"


def files_of(job_id: uuid.UUID | str) -> list[Path]:
    """The upload as sent and the values its check read."""
    return [uploads_dir() / str(job_id), uploads_dir() / f"{job_id}.values"]


def is_expired(job: ImportJob) -> bool:
    return bool((job.summary or {}).get("expired"))


def expire_uploads(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Remove the files of uploads older than DXM_UPLOADS_KEEP_DAYS (not one being applied),
    marking them expired, and files no upload owns."""
    from .actions import APPLYING

    cutoff = (now or timezone.now()) - datetime.timedelta(days=int(settings.DXM_UPLOADS_KEEP_DAYS))
    uploads = removed = freed = 0
    old = ImportJob.objects.filter(format__in=UPLOAD_FORMATS, created_at__lt=cutoff).only("id", "summary")
    for job in old.iterator():
        summary = job.summary or {}
        if "stage" not in summary or summary.get("stage") == APPLYING or summary.get("expired"):
            continue
        for path in files_of(job.id):
            if path.is_file():
                freed += path.stat().st_size
                path.unlink(missing_ok=True)
                removed += 1
        job.summary = {**summary, "expired": True}
        job.save(update_fields=["summary"])
        uploads += 1
    removed_orphans, freed_orphans = _orphans()
    return {"uploads": uploads, "files": removed + removed_orphans, "bytes": freed + freed_orphans}


def _orphans() -> tuple[int, int]:
    folder = uploads_dir()
    if not folder.is_dir():
        return 0, 0
    owners: dict[str, bool] = {}
    removed = freed = 0
    for path in folder.iterdir():
        key = path.name.split(".", 1)[0]
        if key not in owners:
            try:
                owners[key] = ImportJob.objects.filter(pk=uuid.UUID(key)).exists()
            except ValueError:
                owners[key] = False
        if owners[key] or not path.is_file() or time.time() - path.stat().st_mtime < ORPHAN_SECONDS:
            continue
        freed += path.stat().st_size
        path.unlink(missing_ok=True)
        removed += 1
    return removed, freed


def kept_bytes(user: AnyUser) -> int:
    """What the user's uploads that have not expired take on disk."""
    total = 0
    for job in ImportJob.objects.filter(user=user, format__in=UPLOAD_FORMATS).only("id", "summary"):
        if not is_expired(job):
            total += sum(path.stat().st_size for path in files_of(job.id) if path.is_file())
    return total


def check_quota(*, user: AnyUser, size: int) -> None:
    """Refuse (413) an upload that would take the user's kept uploads past DXM_UPLOAD_QUOTA_MB."""
    quota_mb = float(settings.DXM_UPLOAD_QUOTA_MB)
    kept = kept_bytes(user)
    if kept + size <= quota_mb * 1024 * 1024:
        return
    days = int(settings.DXM_UPLOADS_KEEP_DAYS)
    shown_kept = f"{kept / 1024 / 1024:.1f}"
    raise QuotaExceeded(
        f"your uploads of the last {days} days take {shown_kept} MB; with this file they would pass "
        f"your quota of {quota_mb:g} MB (DXM_UPLOAD_QUOTA_MB); they are removed after {days} days",
        f"Các tệp bạn tải lên trong {days} ngày qua chiếm {shown_kept.replace('.', ',')} MB; thêm tệp này "
        f"sẽ vượt hạn mức {quota_mb:g} MB (DXM_UPLOAD_QUOTA_MB); tệp cũ được xoá sau {days} ngày",
        field="file",
    )
