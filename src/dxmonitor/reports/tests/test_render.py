"""The official report as PDF and DOCX: layout of Nghị định 30/2020/NĐ-CP, fonts, text, signature space."""

import dataclasses
import datetime
import io
import os
import shutil
import subprocess
from pathlib import Path

import pypdf
import pytest
from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.shape import WD_INLINE_SHAPE
from docx.oxml.ns import qn
from PIL import Image

from dxmonitor.common.numbers import format_number
from dxmonitor.reports import chart as charts
from dxmonitor.reports.chart import draw_chart_png
from dxmonitor.reports.layout import Chart, OfficialDocument, RenderedPdf, Section, Table, date_line
from dxmonitor.reports.render_docx import render_docx
from dxmonitor.reports.render_pdf import render_pdf

# A quarterly digital-transformation report of a province, as the report builder hands it over.
# (indicator, actual %, target %); None = the province has not reported the figure yet.
INDICATORS: list[tuple[str, float | None, float]] = [
    ("Tỷ lệ hồ sơ thủ tục hành chính được xử lý trực tuyến toàn trình", 62.4, 80),
    ("Tỷ lệ dịch vụ công trực tuyến toàn trình trên tổng số thủ tục hành chính đủ điều kiện", 85.2, 80),
    ("Tỷ lệ hộ gia đình có kết nối Internet băng rộng cáp quang", 78.3, 80),
    ("Tỷ lệ thôn, bản được phủ sóng mạng di động 4G", 96.1, 100),
    ("Tỷ lệ người dân trưởng thành có điện thoại thông minh", 74.5, 80),
    ("Tỷ lệ người dân trưởng thành có tài khoản thanh toán điện tử", 68.9, 70),
    ("Tỷ lệ người dân trưởng thành có chữ ký số hoặc chữ ký điện tử cá nhân", 41.25, 50),
    ("Tỷ lệ hồ sơ công việc cấp tỉnh được xử lý trên môi trường mạng", 95.6, 90),
    ("Tỷ lệ hồ sơ công việc cấp xã được xử lý trên môi trường mạng", 72.8, 60),
    ("Tỷ lệ văn bản trao đổi giữa các cơ quan nhà nước dưới dạng điện tử", 98.4, 90),
    ("Tỷ lệ chế độ báo cáo được cung cấp trực tuyến trên Hệ thống thông tin báo cáo của tỉnh", 100, 100),
    ("Tỷ lệ cơ sở giáo dục phổ thông triển khai học bạ số", 64.0, 70),
    ("Tỷ lệ cơ sở khám bệnh, chữa bệnh sử dụng bệnh án điện tử", None, 50),
    ("Tỷ lệ doanh nghiệp nhỏ và vừa sử dụng nền tảng số", 35.7, 50),
    ("Tỷ lệ thôn, bản có Tổ công nghệ số cộng đồng hoạt động", 100, 100),
    ("Tỷ lệ hồ sơ thủ tục hành chính được thanh toán trực tuyến", 44.0, 45),
]

SIGNER = "Nguyễn Thị Thu Hà"
TABLE_CELL = "Tỷ lệ doanh nghiệp nhỏ và vừa sử dụng nền tảng số"
ISSUED_ON = datetime.date(2026, 11, 21)


def _assessment(actual: float | None, target: float) -> str:
    if actual is None:
        return "Chưa có số liệu"
    return "Đạt" if actual >= target else "Chưa đạt"


def sample_document(*, parent_body: str = "") -> OfficialDocument:
    rows = [
        [
            str(number),
            name,
            format_number(actual) + "%" if actual is not None else "-",
            format_number(target) + "%",
            _assessment(actual, target),
        ]
        for number, (name, actual, target) in enumerate(INDICATORS, start=1)
    ]
    reached = sum(1 for _, actual, target in INDICATORS if actual is not None and actual >= target)
    chosen = INDICATORS[:8]
    results = Section(
        heading="I. KẾT QUẢ THỰC HIỆN",
        paragraphs=[
            "Thực hiện Quyết định số 749/QĐ-TTg ngày 03/6/2020 của Thủ tướng Chính phủ phê duyệt "
            "Chương trình Chuyển đổi số quốc gia đến năm 2025, định hướng đến năm 2030 và Kế hoạch "
            "chuyển đổi số năm 2026 của Ủy ban nhân dân tỉnh, trong quý III năm 2026 các sở, ban, ngành "
            "và Ủy ban nhân dân các xã, phường đã tập trung triển khai đồng bộ các nhiệm vụ về chính "
            "quyền số, kinh tế số và xã hội số.",
            f"Đến hết quý III năm 2026, toàn tỉnh có {reached}/{len(INDICATORS)} chỉ tiêu đạt hoặc vượt "
            "mục tiêu năm; 01 chỉ tiêu chưa có số liệu do cơ sở khám bệnh, chữa bệnh chưa hoàn thành "
            "báo cáo. Hạ tầng số tiếp tục được mở rộng tới các thôn, bản vùng sâu, vùng xa; tỷ lệ hồ sơ "
            "công việc được xử lý trên môi trường mạng ở cấp tỉnh đạt 95,6%, vượt mục tiêu đề ra.",
            "Kết quả cụ thể của từng chỉ tiêu so với mục tiêu năm 2026 như sau:",
        ],
        tables=[
            Table(
                caption="Bảng 1. Kết quả các chỉ tiêu chuyển đổi số so với mục tiêu năm 2026",
                header=["TT", "Chỉ tiêu", "Thực hiện", "Mục tiêu", "Đánh giá"],
                rows=rows,
                widths=[0.6, 5.4, 1.4, 1.4, 1.5],
                align=["center", "left", "right", "right", "center"],
            )
        ],
        charts=[
            Chart(
                caption="Biểu đồ 1. Một số chỉ tiêu chính quyền số và hạ tầng số so với mục tiêu",
                labels=[name for name, _, _ in chosen],
                values=[actual for _, actual, _ in chosen],
                targets=[target for _, _, target in chosen],
            )
        ],
    )
    tasks = Section(
        heading="II. NHIỆM VỤ TRỌNG TÂM QUÝ IV NĂM 2026",
        paragraphs=[
            "1. Các sở, ban, ngành và Ủy ban nhân dân các xã, phường rà soát, tái cấu trúc quy trình, "
            "nâng tỷ lệ hồ sơ thủ tục hành chính được xử lý trực tuyến toàn trình; hoàn thành số hóa "
            "hồ sơ, kết quả giải quyết thủ tục hành chính còn tồn đọng.",
            "2. Sở Khoa học và Công nghệ phối hợp với các doanh nghiệp viễn thông phát triển hạ tầng "
            "cáp quang đến các thôn, bản chưa có kết nối; hướng dẫn Tổ công nghệ số cộng đồng hỗ trợ "
            "người dân cài đặt, sử dụng chữ ký số cá nhân và tài khoản thanh toán điện tử.",
            "3. Sở Y tế đôn đốc các cơ sở khám bệnh, chữa bệnh triển khai bệnh án điện tử và báo cáo "
            "số liệu trước ngày 15 tháng 12 năm 2026.",
        ],
    )
    return OfficialDocument(
        parent_body=parent_body,
        issuing_body="ỦY BAN NHÂN DÂN\nTỈNH LAI CHÂU",
        number="15/BC-UBND",
        place="Lai Châu",
        issued_on=ISSUED_ON,
        kind="BÁO CÁO",
        title="Kết quả chuyển đổi số quý III năm 2026",
        sections=[results, tasks],
        recipients=[
            "Bộ Khoa học và Công nghệ (b/c)",
            "TT. Tỉnh ủy, TT. HĐND tỉnh (b/c)",
            "Chủ tịch, các PCT UBND tỉnh",
            "Các sở, ban, ngành tỉnh",
            "UBND các xã, phường",
        ],
        authority="TM. ỦY BAN NHÂN DÂN",
        signer_title="KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH",
        signer_name=SIGNER,
        author="Ủy ban nhân dân tỉnh Lai Châu",
        keywords="chuyển đổi số, báo cáo quý, Lai Châu",
    )


MOTTO_LINES = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
DATE_LINE = "Lai Châu, ngày 21 tháng 11 năm 2026"
MM = 72 / 25.4


@pytest.fixture(scope="module")
def rendered() -> RenderedPdf:
    return render_pdf(sample_document())


@pytest.fixture(scope="module")
def reader(rendered: RenderedPdf) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(rendered.data))


def _pdftoppm() -> str:
    found = shutil.which("pdftoppm")
    if found:
        return found
    if os.environ.get("CI") == "true":
        pytest.fail("pdftoppm is required to check the rendered pages (Debian package poppler-utils)")
    pytest.skip("pdftoppm is not installed (Debian package poppler-utils); the pages are not rasterised")


def _page_png(pdf: bytes, page: int, dpi: int, folder: Path) -> Image.Image:
    """Page `page` (from 0) rasterised by poppler, kept as a PNG in `folder`."""
    source = folder / "report.pdf"
    source.write_bytes(pdf)
    prefix = folder / f"page-{page + 1}-{dpi}dpi"
    number = str(page + 1)
    options = ["-r", str(dpi), "-png", "-f", number, "-l", number, "-singlefile"]
    subprocess.run([_pdftoppm(), *options, str(source), str(prefix)], check=True)
    return Image.open(prefix.with_suffix(".png")).convert("L")


def _dark_share(image: Image.Image, box_mm: tuple[float, float, float, float], dpi: int) -> float:
    box = tuple(round(v / 25.4 * dpi) for v in box_mm)
    region = image.crop(box)
    pixels = list(region.get_flattened_data())
    return sum(1 for p in pixels if p < 128) / len(pixels)


def _dark_centre_x_mm(image: Image.Image, box_mm: tuple[float, float, float, float], dpi: int) -> float:
    x0, y0, x1, y1 = (round(v / 25.4 * dpi) for v in box_mm)
    xs = [x for y in range(y0, y1) for x in range(x0, x1) if image.getpixel((x, y)) < 128]
    return (sum(xs) / len(xs)) * 25.4 / dpi


def _text_positions(page: pypdf.PageObject) -> list[tuple[str, float, float]]:
    """(text, x, y) of every text run of the page, in PDF points from the bottom left."""
    found: list[tuple[str, float, float]] = []

    def visit(text: str, cm: list[float], tm: list[float], _font: object, _size: float) -> None:
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            found.append((text.strip(), x, y))

    page.extract_text(visitor_text=visit)
    return found


def _y_of(positions: list[tuple[str, float, float]], text: str) -> float:
    ys = [y for found, _, y in positions if text in found]
    assert ys, f"{text!r} is not on the page"
    return ys[0]


def test_date_line_pads_days_below_ten_and_the_first_two_months() -> None:
    assert date_line("Lai Châu", datetime.date(2026, 2, 5)) == "Lai Châu, ngày 05 tháng 02 năm 2026"
    assert date_line("Lai Châu", datetime.date(2026, 1, 31)) == "Lai Châu, ngày 31 tháng 01 năm 2026"
    assert date_line("Lai Châu", datetime.date(2026, 11, 21)) == "Lai Châu, ngày 21 tháng 11 năm 2026"
    assert date_line("Hà Nội", datetime.date(2026, 3, 15)) == "Hà Nội, ngày 15 tháng 3 năm 2026"
    assert date_line("Điện Biên", datetime.date(2026, 12, 1)) == "Điện Biên, ngày 01 tháng 12 năm 2026"


def test_pdf_embeds_every_font_it_uses(reader: pypdf.PdfReader) -> None:
    seen = set()
    for page in reader.pages:
        fonts = page["/Resources"]["/Font"]
        assert fonts, "a page without fonts has no text"
        for font in fonts.values():
            font = font.get_object()
            if font["/Subtype"] == "/Type0":
                font = font["/DescendantFonts"][0].get_object()
            descriptor = font.get("/FontDescriptor")
            assert descriptor is not None and "/FontFile2" in descriptor.get_object(), font["/BaseFont"]
            seen.add(str(font["/BaseFont"]).split("+")[-1])
    assert {"Tinos-Regular", "Tinos-Bold", "Tinos-Italic", "Tinos-BoldItalic"} <= seen


def test_pdf_text_is_extractable_with_its_diacritics(reader: pypdf.PdfReader) -> None:
    assert len(reader.pages) >= 2
    first = reader.pages[0].extract_text()
    for line in (*MOTTO_LINES, "Số: 15/BC-UBND", DATE_LINE, "BÁO CÁO", "ỦY BAN NHÂN DÂN", "TỈNH LAI CHÂU"):
        assert line in first
    everything = "\n".join(page.extract_text() for page in reader.pages)
    for text in ("Nơi nhận:", "- Lưu: VT.", "- Bộ Khoa học và Công nghệ (b/c);", SIGNER):
        assert text in everything
    assert "TM. ỦY BAN NHÂN DÂN" in everything and "PHÓ CHỦ TỊCH" in everything
    # a table cell, wrapped on two lines in its column
    assert TABLE_CELL in " ".join(everything.split())


def test_pdf_metadata(reader: pypdf.PdfReader) -> None:
    meta = reader.metadata
    assert meta.title == "Báo cáo Kết quả chuyển đổi số quý III năm 2026"
    assert meta.author == "Ủy ban nhân dân tỉnh Lai Châu"
    assert "15/BC-UBND" in meta.subject
    assert meta["/Keywords"] == "chuyển đổi số, báo cáo quý, Lai Châu"
    assert reader.trailer["/Root"]["/Lang"] == "vi-VN"


def test_pdf_page_is_a4_and_page_numbers_start_on_the_second_page(reader: pypdf.PdfReader) -> None:
    for number, page in enumerate(reader.pages, start=1):
        box = page.mediabox
        assert (round(float(box.width) / MM), round(float(box.height) / MM)) == (210, 297)
        in_top_margin = [(text, x) for text, x, y in _text_positions(page) if y > float(box.height) - 20 * MM]
        if number == 1:
            assert in_top_margin == []
        else:
            assert [text for text, _ in in_top_margin] == [str(number)]
            # centred over the text column, which runs from 30 mm to 195 mm
            assert abs(in_top_margin[0][1] / MM - 112.5) < 3


def test_pdf_table_crosses_a_page_and_repeats_its_header_row(reader: pypdf.PdfReader) -> None:
    pages_with_rows = [
        index
        for index, page in enumerate(reader.pages)
        if any(name.split()[-1] in page.extract_text() for name, _, _ in INDICATORS)
    ]
    first_name, last_name = INDICATORS[0][0], INDICATORS[-1][0]
    texts = [" ".join(page.extract_text().split()) for page in reader.pages]
    starts = next(i for i, text in enumerate(texts) if first_name in text)
    ends = next(i for i, text in enumerate(texts) if last_name in text)
    assert ends > starts, pages_with_rows
    for index in range(starts, ends + 1):
        assert "Đánh giá" in texts[index] and "Mục tiêu" in texts[index]


def test_pdf_header_sits_in_two_columns(rendered: RenderedPdf, tmp_path: Path) -> None:
    dpi = 50
    page = _page_png(rendered.data, 0, dpi, tmp_path)
    assert abs(page.size[0] - 210 / 25.4 * dpi) <= 1 and abs(page.size[1] - 297 / 25.4 * dpi) <= 1
    issuing = (30, 20, 102, 38)  # left column: issuing body
    motto = (102, 20, 195, 38)  # right column: national name and motto
    assert _dark_share(page, issuing, dpi) > 0.03
    assert _dark_share(page, motto, dpi) > 0.03
    # each column's text is centred in its own column, not across the page
    assert abs(_dark_centre_x_mm(page, issuing, dpi) - 66) < 6
    assert abs(_dark_centre_x_mm(page, motto, dpi) - 148.5) < 6
    # "Số: …" under the issuing body, the date line under the motto, on one row
    assert _dark_share(page, (30, 38, 102, 48), dpi) > 0.01
    assert _dark_share(page, (102, 38, 195, 48), dpi) > 0.01
    # nothing in the margins
    assert _dark_share(page, (0, 0, 28, 297), dpi) == 0
    assert _dark_share(page, (0, 0, 210, 17), dpi) == 0
    assert _dark_share(page, (197, 0, 210, 297), dpi) == 0


def test_pdf_signature_box_is_the_empty_space_between_signer_title_and_name(
    rendered: RenderedPdf, reader: pypdf.PdfReader, tmp_path: Path
) -> None:
    assert rendered.signature_page == len(reader.pages) - 1
    page = reader.pages[rendered.signature_page]
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    x1, y1, x2, y2 = rendered.signature_box
    assert 0 <= x1 < x2 <= width and 0 <= y1 < y2 <= height
    assert x1 > width / 2, "the signature goes right of the page centre"
    assert round((y2 - y1) / MM) == 30
    positions = _text_positions(page)
    assert _y_of(positions, "PHÓ CHỦ TỊCH") > y2
    assert _y_of(positions, "Nơi nhận:") > y2
    assert _y_of(positions, SIGNER) < y1
    for text, x, y in positions:
        assert not (x1 <= x <= x2 and y1 <= y <= y2), f"{text!r} is inside the signature box"

    dpi = 50
    image = _page_png(rendered.data, rendered.signature_page, dpi, tmp_path)
    scale = dpi / 72
    inside = image.crop(
        (
            round(x1 * scale) + 1,
            round((height - y2) * scale) + 1,
            round(x2 * scale) - 1,
            round((height - y1) * scale) - 1,
        )
    )
    assert min(inside.get_flattened_data()) > 240, "the signature box must be blank"
    # the same page is not blank around it: the signer's name is just below
    below = image.crop(
        (
            round(x1 * scale),
            round((height - y1) * scale),
            round(x2 * scale),
            round((height - y1 + 25) * scale),
        )
    )
    assert min(below.get_flattened_data()) < 100


def test_pdf_with_a_parent_body_prints_it_above_the_issuing_body() -> None:
    document = dataclasses.replace(
        sample_document(parent_body="UBND TỈNH LAI CHÂU"), issuing_body="Sở Khoa học và Công nghệ"
    )
    page = pypdf.PdfReader(io.BytesIO(render_pdf(document).data)).pages[0]
    positions = _text_positions(page)
    assert _y_of(positions, "UBND TỈNH LAI CHÂU") > _y_of(positions, "SỞ KHOA HỌC VÀ CÔNG NGHỆ")
    assert _y_of(positions, "SỞ KHOA HỌC VÀ CÔNG NGHỆ") > _y_of(positions, "Số: 15/BC-UBND")


def _docx_text(doc: DocxDocument) -> str:
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts += [cell.text for cell in row.cells]
    return "\n".join(parts)


def test_docx_holds_the_same_report_on_an_a4_page() -> None:
    doc = Document(io.BytesIO(render_docx(sample_document())))
    text = _docx_text(doc)
    for line in (
        *MOTTO_LINES,
        "Số: 15/BC-UBND",
        DATE_LINE,
        "BÁO CÁO",
        "Kết quả chuyển đổi số quý III năm 2026",
    ):
        assert line in text
    for line in ("Nơi nhận:", "- Lưu: VT.", "TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH", SIGNER):
        assert line in text
    data = next(table for table in doc.tables if table.rows[0].cells[1].text == "Chỉ tiêu")
    assert len(data.rows) == 1 + len(INDICATORS)
    for row, (name, _, _) in zip(data.rows[1:], INDICATORS, strict=True):
        assert row.cells[1].text == name
    assert [c.text for c in data.rows[14].cells] == ["14", TABLE_CELL, "35,7%", "50%", "Chưa đạt"]
    assert data.style.name == "Table Grid"
    assert data.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None

    section = doc.sections[0]
    assert (round(section.page_width.mm, 1), round(section.page_height.mm, 1)) == (210.0, 297.0)
    margins = (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    assert [round(m.mm, 1) for m in margins] == [20.0, 20.0, 30.0, 15.0]
    assert section.different_first_page_header_footer
    header_xml = section.header._element.xml
    assert "PAGE" in header_xml and 'w:fldCharType="begin"' in header_xml


def test_docx_sets_times_new_roman_for_every_script() -> None:
    doc = Document(io.BytesIO(render_docx(sample_document())))
    fonts = doc.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    for script in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        assert fonts.get(qn(script)) == "Times New Roman"
    assert fonts.get(qn("w:asciiTheme")) is None
    runs = [run for p in doc.paragraphs for run in p.runs if run.text]
    runs += [
        run
        for table in doc.tables
        for row in table.rows
        for cell in row.cells
        for p in cell.paragraphs
        for run in p.runs
        if run.text
    ]
    assert len(runs) > 50
    assert {run.font.name for run in runs} == {"Times New Roman"}
    assert all(run._r.rPr.rFonts.get(qn("w:eastAsia")) == "Times New Roman" for run in runs)


def test_docx_embeds_the_chart_as_a_png_picture() -> None:
    doc = Document(io.BytesIO(render_docx(sample_document())))
    pictures = [shape for shape in doc.inline_shapes if shape.type == WD_INLINE_SHAPE.PICTURE]
    assert len(pictures) == 1
    assert round(pictures[0].width.mm) == 165  # the text width between the margins
    image_parts = [part for part in doc.part.package.parts if part.content_type == "image/png"]
    assert len(image_parts) == 1 and image_parts[0].blob.startswith(b"\x89PNG")
    assert "Biểu đồ 1. Một số chỉ tiêu chính quyền số và hạ tầng số so với mục tiêu" in _docx_text(doc)


def _bar_pixels(png: bytes) -> int:
    image = Image.open(io.BytesIO(png)).convert("RGB")
    return sum(1 for pixel in image.get_flattened_data() if pixel == charts.BAR)


def _chart(values: list[float | None], targets: list[float | None] | None = None) -> Chart:
    labels = ["Tỷ lệ hộ gia đình có cáp quang", "Tỷ lệ người dân có chữ ký số cá nhân"][: len(values)]
    return Chart(caption="Biểu đồ", labels=labels, values=values, targets=targets or [None] * len(values))


def test_chart_is_a_png_of_the_requested_width_and_the_same_every_time() -> None:
    chart = _chart([72.5, 41.25], [80, 50])
    png = draw_chart_png(chart, width_px=900, dpi=150)
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.size[0] == 900 and image.size[1] > 200
    assert round(image.info["dpi"][0]) == 150
    assert draw_chart_png(chart, width_px=900, dpi=150) == png


def test_chart_bars_grow_with_their_values_and_none_draws_no_bar() -> None:
    small, large = (
        _bar_pixels(draw_chart_png(_chart([30, 40]))),
        _bar_pixels(draw_chart_png(_chart([60, 80]))),
    )
    assert large > small * 1.5
    one_bar = _bar_pixels(draw_chart_png(_chart([60])))
    assert _bar_pixels(draw_chart_png(_chart([60, None], [None, 50]))) == one_bar
    # only the legend's swatch is left when there is no value at all
    assert 0 < _bar_pixels(draw_chart_png(_chart([None, None]))) < one_bar / 3


def test_chart_marks_targets() -> None:
    def target_pixels(png: bytes) -> int:
        return sum(
            1 for p in Image.open(io.BytesIO(png)).convert("RGB").get_flattened_data() if p == charts.TARGET
        )

    legend_only = target_pixels(draw_chart_png(_chart([60, 70])))
    assert target_pixels(draw_chart_png(_chart([60, 70], [80, 50]))) > legend_only * 2


def test_chart_labels_wrap_on_two_lines_and_shorten_what_is_left() -> None:
    font = charts._font("regular", 30)
    long_name = (
        "Tỷ lệ hồ sơ thủ tục hành chính được xử lý trực tuyến toàn trình trên Cổng Dịch vụ công "
        "quốc gia và Hệ thống thông tin giải quyết thủ tục hành chính của tỉnh"
    )
    lines = charts._wrap(long_name, font, 600)
    assert len(lines) == 2 and lines[-1].endswith("…")
    assert all(font.getlength(line) <= 600 for line in lines)
    assert charts._wrap("Chữ ký số", font, 600) == ["Chữ ký số"]
