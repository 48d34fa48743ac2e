"""What a file is, told by its bytes and never by its name, and whether it is safe to open.

An .xlsx is a zip archive: before openpyxl opens one, the sizes its entries declare are checked
(in total, and against what each is compressed to), so a few kilobytes that would unpack to
gigabytes ("zip bomb") are refused unopened. Python's zipfile never inflates an entry beyond
its declared size, so the declared sizes bound the work.
"""

import io
import zipfile

from django.conf import settings

from dxmonitor.common.errors import DomainError

XLSX, CSV = "xlsx", "csv"
# Worksheets of numbers and codes compress about 5 to 30 times; 100 is far beyond an honest file.
MAX_RATIO = 100
RATIO_FLOOR = 1024 * 1024  # entries this small are never suspect, whatever their ratio
MAX_ENTRIES = 10_000
# An honest workbook holds at most about 30 times its upload size once unpacked.
UNPACKED_PER_UPLOADED = 50

_SIGNATURES = (
    (b"%PDF", "PDF", "PDF"),
    (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        "an old Excel (.xls) or Word (.doc) file",
        "Excel cũ (.xls) hoặc Word (.doc)",
    ),
    (b"\x89PNG", "a PNG image", "ảnh PNG"),
    (b"\xff\xd8\xff", "a JPEG image", "ảnh JPEG"),
    (b"GIF8", "a GIF image", "ảnh GIF"),
    (b"Rar!", "a RAR archive", "tệp nén RAR"),
    (b"7z\xbc\xaf", "a 7-Zip archive", "tệp nén 7-Zip"),
    (b"\x1f\x8b", "a gzip archive", "tệp nén gzip"),
)


class FileRefused(DomainError):
    """A file the import does not open at all."""


class TooLarge(FileRefused):
    status = 413


def max_upload_bytes() -> int:
    return int(settings.DXM_MAX_UPLOAD_MB) * 1024 * 1024


def check_size(size: int) -> None:
    limit = settings.DXM_MAX_UPLOAD_MB
    if size > max_upload_bytes():
        raise TooLarge(
            f"the file is {size / 1024 / 1024:.1f} MB; at most {limit} MB are accepted "
            "(split it, or ask the administrator to raise DXM_MAX_UPLOAD_MB)",
            f"Tệp nặng {size / 1024 / 1024:.1f} MB; chỉ nhận tệp tối đa {limit} MB "
            "(hãy chia nhỏ tệp hoặc đề nghị quản trị viên nâng DXM_MAX_UPLOAD_MB)",
            field="file",
        )


def _wrong_type(what_en: str, what_vi: str) -> FileRefused:
    return FileRefused(
        f"the file is {what_en}, not an Excel workbook (.xlsx) or a CSV table; save it from Excel as .xlsx",
        f"Tệp là {what_vi}, không phải bảng tính Excel (.xlsx) hay bảng CSV; hãy lưu lại từ Excel dạng .xlsx",
        field="file",
    )


def is_zip(data: bytes) -> bool:
    return data.startswith((b"PK\x03\x04", b"PK\x05\x06"))


def is_text(data: bytes) -> bool:
    head = data[:4096]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True  # UTF-16, as Excel saves "Unicode text"
    return b"\x00" not in head


def refuse_foreign(data: bytes) -> None:
    """Refuse an empty file, or one whose bytes say it is something else (a PDF named .xlsx)."""
    if not data.strip():
        raise FileRefused("the file is empty", "Tệp rỗng, không có dữ liệu", field="file")
    for signature, what_en, what_vi in _SIGNATURES:
        if data.startswith(signature):
            raise _wrong_type(what_en, what_vi)


def unrecognised(data: bytes) -> FileRefused:
    """The refusal of bytes no import format recognises."""
    if is_zip(data):
        return _wrong_type("a zip archive", "tệp nén zip")
    if is_text(data):
        return _wrong_type("text in no known layout", "văn bản không theo định dạng nào được hỗ trợ")
    return _wrong_type("binary data", "dữ liệu nhị phân")


def check_workbook(data: bytes) -> None:
    """Refuse an archive that is not a workbook, or that would unpack to far more than it weighs."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise FileRefused(
            "the file is a damaged zip archive, not a readable .xlsx workbook",
            "Tệp nén bị hỏng, không phải bảng tính .xlsx đọc được",
            field="file",
        ) from exc
    with archive:
        entries = archive.infolist()
        names = {e.filename for e in entries}
        if "xl/workbook.xml" not in names and "[Content_Types].xml" in names:
            raise _wrong_type(
                "an Office document other than a workbook", "tài liệu Office khác (không phải bảng tính)"
            )
        if "xl/workbook.xml" not in names:
            raise _wrong_type("a zip archive", "tệp nén zip")
        if len(entries) > MAX_ENTRIES:
            raise _bomb(f"{len(entries)} parts", f"{len(entries)} thành phần")
        unpacked = sum(e.file_size for e in entries)
        if unpacked > UNPACKED_PER_UPLOADED * max_upload_bytes():
            raise _bomb(
                f"{unpacked / 1024 / 1024:.0f} MB unpacked", f"{unpacked / 1024 / 1024:.0f} MB khi giải nén"
            )
        for entry in entries:
            if entry.file_size > RATIO_FLOOR and entry.file_size > MAX_RATIO * max(entry.compress_size, 1):
                ratio = entry.file_size / max(entry.compress_size, 1)
                raise _bomb(f"a part compressed {ratio:.0f} times", f"một thành phần nén {ratio:.0f} lần")


def _bomb(what_en: str, what_vi: str) -> FileRefused:
    return FileRefused(
        f"the workbook declares {what_en}: that is not an honest spreadsheet (zip bomb); it was not opened",
        f"Bảng tính khai báo {what_vi}: đây không phải bảng tính bình thường (bom nén); tệp không được mở",
        field="file",
    )
