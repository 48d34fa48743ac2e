"""The "Hướng dẫn" sheet of a template: how to fill it in, how to write numbers, what an upload does."""

from django.conf import settings
from django.utils import timezone
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font

from dxmonitor.collection.datasets import window

from . import layout

TITLE = Font(bold=True, size=14)
HEADING = Font(bold=True, size=12)
WRAP = Alignment(wrap_text=True, vertical="top")
STATES_VI = {
    "not_open": "chưa mở",
    "open": "đang mở",
    "late": "đã quá hạn nộp (vẫn nhận, báo cáo bị ghi là nộp muộn)",
    "closed": "đã khóa sổ: tệp tải lên sẽ bị từ chối, trừ khi người phê duyệt mở lại kỳ",
    "reopened": "đã được mở lại",
}


def _text(sheet, text: str, font: Font | None = None) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"
    cell.alignment = WRAP
    if font is not None:
        cell.font = font
    return cell


def write_guide(sheet, *, scope, rows: int, extra_rows: int) -> None:
    dataset, period = scope.dataset, scope.period
    found = window(dataset, period)
    state = STATES_VI.get(found.state(timezone.localdate()), "")
    level = "thôn, bản" if dataset.level == "village" else "xã"
    sheet.column_dimensions["A"].width = 110
    lines: list[tuple[str, Font | None]] = [
        ("Hướng dẫn điền mẫu nhập số liệu", TITLE),
        (f"Bộ số liệu: {dataset.name_vi} ({dataset.code})", None),
        (f"Kỳ báo cáo: {period.label('vi')} ({period.code}) — {state}", None),
        (
            f"Hạn nộp: {found.due_on:%d/%m/%Y}; khóa sổ: {found.closes_on:%d/%m/%Y}"
            + (f"; mở lại đến {found.reopened_until:%d/%m/%Y}" if found.reopened_until else ""),
            None,
        ),
        (
            f"Đơn vị: {len(scope.units)} {level}"
            + (f" thuộc {scope.within.name}" if scope.within is not None else "")
            + f"; {len(scope.members)} chỉ tiêu; {rows} dòng số liệu.",
            None,
        ),
        ("", None),
        ("Cách điền", HEADING),
        (
            f"1. Trang “{layout.DATA_SHEET}” có một dòng cho mỗi chỉ tiêu của mỗi đơn vị. Chỉ điền các cột "
            "nền trắng: Giá trị, Tử số, Mẫu số, Ghi chú. Các cột mã, tên, đơn vị tính và kỳ đã khóa.",
            None,
        ),
        ("2. Số liệu đã nhập trước đó được điền sẵn; sửa trực tiếp nếu cần.", None),
        (
            "3. Ô để trống nghĩa là không thay đổi: số liệu đã có không bị xóa. Muốn xóa một số liệu, "
            "hãy xóa trên biểu mẫu nhập liệu của hệ thống.",
            None,
        ),
        (
            "4. Chỉ tiêu tỷ lệ: có thể nhập Tử số và Mẫu số, hệ thống tự tính tỷ lệ. Nếu nhập cả Giá trị "
            "thì Giá trị phải khớp với Tử số/Mẫu số (chênh không quá 0,5). Tử số không được lớn hơn Mẫu số.",
            None,
        ),
        (
            f"5. Thêm dòng: {extra_rows} dòng trống ở cuối bảng; chọn Mã đơn vị và Mã chỉ tiêu trong danh "
            "sách thả xuống. Cột Kỳ để trống thì lấy kỳ của mẫu.",
            None,
        ),
        (
            f"6. Không gộp ô, không đổi tên trang “{layout.DATA_SHEET}”, không xóa các trang ẩn. Có thể đổi "
            "thứ tự cột hoặc thêm cột riêng: hệ thống nhận cột theo tiêu đề.",
            None,
        ),
        ("", None),
        ("Cách ghi số", HEADING),
        (
            "• Số nguyên hoặc số thập phân theo cách viết Việt Nam: 1.234 (một nghìn hai trăm ba mươi tư), "
            "1.234,5.",
            None,
        ),
        ("• Tỷ lệ phần trăm ghi từ 0 đến 100: 24,3 hoặc 24,3%. Không quá 100%.", None),
        ("• Không ghi chữ trong ô số (“khoảng”, “trên”, “hộ”); ghi chú đưa vào cột Ghi chú.", None),
        ("• Số không được âm.", None),
        ("", None),
        ("Khi tải tệp lên", HEADING),
        (
            "Bước 1 — Kiểm tra: hệ thống đọc toàn bộ tệp và liệt kê mọi lỗi theo trang, dòng và cột "
            "(ví dụ “Số liệu!G12”). Chưa có gì được ghi.",
            None,
        ),
        (
            "Bước 2 — Áp dụng: khi tệp không còn lỗi, bấm “Áp dụng”. Tất cả số liệu được ghi cùng lúc, "
            "hoặc không ghi gì nếu có lỗi. Mỗi thay đổi được lưu lịch sử kèm tên tệp và số dòng.",
            None,
        ),
        ("Tải lên lại cùng một tệp không làm thay đổi gì.", None),
        (
            f"Bị từ chối: kỳ đã khóa sổ, đơn vị ngoài phạm vi bạn được giao, báo cáo đã nộp, tệp lớn hơn "
            f"{settings.DXM_MAX_UPLOAD_MB} MB, tệp không phải .xlsx hoặc CSV.",
            None,
        ),
        (
            "Tệp CSV cũng được nhận với cùng các cột (tiêu đề tiếng Việt như trên hoặc mã máy unit_code, "
            "indicator, period, value, numerator, denominator, note), lưu dạng CSV UTF-8 hoặc Unicode Text.",
            None,
        ),
    ]
    for text, font in lines:
        sheet.append([_text(sheet, text, font)])
