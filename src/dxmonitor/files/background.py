"""Background work of file uploads: applying a large checked upload, removing expired ones."""

import uuid

from dxmonitor.common.errors import DomainError
from dxmonitor.jobs.registry import Context, background


@background("files.apply", title_en="Applying an uploaded file", title_vi="Áp dụng tệp tải lên")
def apply(context: Context) -> dict:
    from .actions import REFUSED, apply_queued

    job = apply_queued(upload_id=uuid.UUID(context.arguments["upload"]))
    applied = job.summary.get("apply") or {}
    if job.summary.get("stage") == REFUSED:
        raise DomainError(
            f"nothing was written: applying found {applied.get('problems_total', 0)} problems "
            "that the check had not (the figures or the periods changed meanwhile)",
            f"Không ghi gì: khi áp dụng phát hiện {applied.get('problems_total', 0)} lỗi mà lúc kiểm tra "
            "chưa có (số liệu hoặc kỳ báo cáo đã thay đổi)",
        )
    return {k: applied.get(k) for k in ("values", "created", "updated", "unchanged")}


@background(
    "files.expire", title_en="Removal of expired uploads", title_vi="Xoá tệp tải lên đã hết hạn", priority=-30
)
def expire(context: Context) -> dict:
    from .housekeeping import expire_uploads

    return expire_uploads()
