"""Evidence files: bounded in size and limited to what officials attach — PDF, images and Excel —
recognised by their bytes, not by the name the browser sends."""

import io
import zipfile

from django.conf import settings

from dxmonitor.common.errors import DomainError

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
KINDS = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".xls": "application/vnd.ms-excel",
}


def max_bytes() -> int:
    return int(getattr(settings, "ASSESSMENT_EVIDENCE_MAX_BYTES", DEFAULT_MAX_BYTES))


def _is_xlsx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return any(name.startswith("xl/") for name in archive.namelist())
    except zipfile.BadZipFile:
        return False


def _kind_of(data: bytes) -> str | None:
    if data.startswith(b"%PDF-"):
        return ".pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return ".png"
    if data.startswith(b"\xff\xd8\xff"):
        return ".jpg"
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return ".xls"
    if data.startswith(b"PK\x03\x04") and _is_xlsx(data):
        return ".xlsx"
    return None


def check_file(*, name: str, data: bytes) -> tuple[str, str]:
    """The file's clean name and content type; DomainError when too large or not allowed."""
    limit = max_bytes()
    if len(data) > limit:
        raise DomainError(
            f"the file is {len(data):,} bytes; evidence files may be at most {limit:,} bytes",
            f"Tệp có {len(data):,} byte; tệp minh chứng tối đa {limit:,} byte".replace(",", "."),
            field="file",
        )
    if not data:
        raise DomainError("the file is empty", "Tệp rỗng", field="file")
    kind = _kind_of(data)
    if kind is None:
        raise DomainError(
            "evidence files must be PDF, PNG, JPEG or Excel (.xlsx, .xls)",
            "Tệp minh chứng phải là PDF, ảnh PNG, JPEG hoặc Excel (.xlsx, .xls)",
            field="file",
        )
    clean = (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()[:200] or f"minh-chung{kind}"
    return clean, KINDS[kind]
