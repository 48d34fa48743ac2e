"""The content of an official report (văn bản hành chính), independent of its file format.

The fields follow the parts of a document that Nghị định 30/2020/NĐ-CP (Phụ lục I) places on the page:
the issuing body and number on the left of the header, the national name and motto on the right, the
kind and title, the body, then "Nơi nhận" and the signature block. `render_pdf` and `render_docx` lay
these out; whoever builds a report fills them with text that is already formatted.
"""

import datetime
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Table:
    caption: str  # "Bảng 1. Kết quả các chỉ tiêu so với mục tiêu"
    header: list[str]
    rows: list[list[str]]  # cells already formatted (Vietnamese numbers "1.234,5")
    widths: list[float] | None = None  # relative column widths
    align: list[str] | None = None  # per column "left" | "right" | "center"


@dataclass(frozen=True)
class Chart:
    caption: str  # "Biểu đồ 1. ..."
    labels: list[str]  # one bar per label; long names are wrapped to two lines, then shortened
    values: list[float | None]  # None = no data: no bar, the row says "chưa có số liệu"
    targets: list[float | None]  # a target marker per bar; None = no target
    unit: str = "%"  # axis unit


@dataclass(frozen=True)
class Section:
    heading: str  # "I. KẾT QUẢ THỰC HIỆN"
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)


@dataclass(frozen=True)
class OfficialDocument:
    parent_body: str  # cơ quan chủ quản, "" if none, e.g. "UBND TỈNH LAI CHÂU"
    issuing_body: str  # "SỞ KHOA HỌC VÀ CÔNG NGHỆ" or "ỦY BAN NHÂN DÂN\nTỈNH LAI CHÂU"
    number: str  # "15/BC-UBND"; the renderers write "Số: 15/BC-UBND"
    place: str  # "Lai Châu"
    issued_on: datetime.date
    kind: str  # "BÁO CÁO"
    title: str  # "Kết quả chuyển đổi số quý III năm 2026"
    sections: list[Section]
    recipients: list[str]  # "Nơi nhận:" lines without the leading "- "
    authority: str  # "TM. ỦY BAN NHÂN DÂN"
    signer_title: str  # "CHỦ TỊCH" or "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH"
    signer_name: str
    author: str = ""  # file metadata
    keywords: str = ""


@dataclass(frozen=True)
class RenderedPdf:
    data: bytes
    # Where a visible digital signature goes: the empty space of the signature block between the
    # signer's title and name. Page index from 0; rectangle (x1, y1, x2, y2) in PDF points with the
    # origin at the bottom left of the page, as pyHanko's SigFieldSpec(box=...) takes it.
    signature_page: int
    signature_box: tuple[float, float, float, float]


def date_line(place: str, day: datetime.date) -> str:
    """ "Lai Châu, ngày 05 tháng 02 năm 2026".

    Nghị định 30/2020/NĐ-CP (Phụ lục I, mục II.5): days below 10 and the months 1 and 2 take a
    leading zero; the other months do not ("ngày 21 tháng 11", "ngày 15 tháng 3").
    """
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def recipient_lines(recipients: list[str]) -> list[str]:
    """The "Nơi nhận" lines as printed: "- name;" each, and "- Lưu: VT." last when not given."""
    names = [name.strip().removeprefix("- ").rstrip(";.").strip() for name in recipients if name.strip()]
    kept = [name for name in names if name.startswith("Lưu")] or ["Lưu: VT"]
    names = [name for name in names if not name.startswith("Lưu")] + kept
    lines = [f"- {name};" for name in names]
    lines[-1] = lines[-1][:-1] + "."
    return lines
