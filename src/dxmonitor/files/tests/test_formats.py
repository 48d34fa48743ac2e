"""What a file is comes from its bytes; CSV as Excel saves it; files refused before they are opened."""

import codecs
import io
import zipfile

import pytest

from dxmonitor.collection.models import Value
from dxmonitor.files.actions import import_file
from dxmonitor.files.sniff import FileRefused, TooLarge

from .books import fill

pytestmark = pytest.mark.django_db


def _apply(data: bytes, user, name: str):
    return import_file(data=data, file_name=name, user=user, dry_run=False)


def _csv(commune, period, *, header: str, rows: list[str], delimiter: str = ",") -> str:
    lines = [header.replace(",", delimiter)]
    lines += [r.format(unit=commune.code, period=period.code).replace(",", delimiter) for r in rows]
    return "\r\n".join(lines) + "\r\n"


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [("utf-8-sig", ","), ("utf-8", ";"), ("utf-16", "\t")],
    ids=["utf8-bom-comma", "utf8-semicolon", "utf16-tab"],
)
def test_csv_as_excel_saves_it(clerk, quarterly, current_quarter, commune, encoding, delimiter):
    text = _csv(
        commune,
        current_quarter,
        header="Mã đơn vị,Mã chỉ tiêu,Kỳ,Giá trị,Tử số,Mẫu số,Ghi chú",
        rows=[
            "{unit},CTX.VILLAGES,{period},12,,,theo thôn",
            "{unit},AWR.CDT_VILLAGE_COVERAGE,{period},,9,12,",
        ],
        delimiter=delimiter,
    )
    if delimiter == ";":
        text = text.replace("12", "1.200", 1)  # Vietnamese thousands
    report = _apply(text.encode(encoding), clerk, "so-lieu.csv")
    assert report.applied and report.format == "csv" and report.created == 2, report.problems
    coverage = Value.objects.get(unit=commune, indicator__code="AWR.CDT_VILLAGE_COVERAGE")
    assert coverage.value == 75 and coverage.numerator == 9


def test_csv_with_machine_keys_and_a_sep_line(clerk, quarterly, current_quarter, commune):
    unit, period = commune.code, current_quarter.code
    text = (
        "sep=;\r\nunit_code;indicator;period;kind;value;comparator;note\r\n"
        f'{unit};HR.DX_TRAINEES;{period};actual;"1.234,5";>;\r\n'
        "\r\n"
        f"{unit};CTX.VILLAGES;{period};;10;;\r\n"
    )
    report = _apply(text.encode(), clerk, "may.csv")
    assert report.applied and report.created == 2 and report.rows_skipped == 1
    trainees = Value.objects.get(unit=commune, indicator__code="HR.DX_TRAINEES")
    assert (trainees.value, trainees.comparator) == (1234.5, "gt")


def test_csv_problems_name_line_and_column(clerk, quarterly, current_quarter, commune):
    text = _csv(
        commune,
        current_quarter,
        header="unit_code,indicator,period,value",
        rows=["{unit},CTX.VILLAGES,{period},abc", "{unit},GOV.ONLINE_DOSSIER_RATE,{period},130%"],
    )
    report = _apply(text.encode(), clerk, "loi.csv")
    refs = {p.ref: p.message_vi for p in report.problems}
    assert set(refs) == {"D2", "D3"} and "không phải là số" in refs["D2"] and "100" in refs["D3"]


def test_an_unclosed_quote_is_reported_at_its_line_not_swallowed(clerk, quarterly, current_quarter, commune):
    text = _csv(
        commune,
        current_quarter,
        header="unit_code,indicator,period,value,note",
        rows=[
            "{unit},CTX.VILLAGES,{period},10,ổn",
            '{unit},CTX.HOUSEHOLDS,{period},1200,"ghi chú chưa đóng',
            "{unit},HR.DX_TRAINEES,{period},30,",
            "{unit},CTX.ENTERPRISES,{period},4,",
        ],
    )
    report = _apply(text.encode(), clerk, "ngoac.csv")
    assert not report.applied and not Value.objects.filter(unit=commune).exists()
    (problem,) = report.problems
    assert problem.row == 3 and "opened on this line is never closed" in problem.message_en
    assert "lines 3–5 would read as one cell" in problem.message_en
    assert "không được đóng" in problem.message_vi
    closed = text.replace('"ghi chú chưa đóng', '"ghi chú\r\nhai dòng"')
    assert _apply(closed.encode(), clerk, "ngoac.csv").created == 4


def test_a_csv_without_the_needed_columns_says_which(clerk):
    report = _apply(b"ten,gia tri\nThan Uyen,3\n", clerk, "x.csv")
    assert not report.applied
    messages = " ".join(p.message_vi for p in report.problems)
    assert "Thiếu cột Mã đơn vị" in messages and "Thiếu cột Mã chỉ tiêu" in messages


def test_an_xlsx_named_csv_is_read_as_a_workbook(template, clerk, commune):
    report = _apply(fill(template, {"CTX.VILLAGES": 8}), clerk, "bao-cao.csv")
    assert report.applied and report.format == "xlsx" and report.created == 1


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF", "PDF"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "Excel cũ (.xls)"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "ảnh PNG"),
        (b"", "Tệp rỗng"),
    ],
    ids=["pdf-named-xlsx", "old-xls", "png", "empty"],
)
def test_files_that_are_not_tables_are_refused(clerk, data, words):
    with pytest.raises(FileRefused) as caught:
        import_file(data=data, file_name="bao-cao.xlsx", user=clerk, dry_run=True)
    assert words in caught.value.message_vi


def test_a_word_document_is_not_a_workbook(clerk):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(FileRefused) as caught:
        import_file(data=buffer.getvalue(), file_name="bao-cao.xlsx", user=clerk, dry_run=True)
    assert "không phải bảng tính" in caught.value.message_vi


def test_over_the_size_limit(settings, clerk):
    settings.DXM_MAX_UPLOAD_MB = 1
    data = b"unit_code,indicator,period,value\n" + b"01,CTX.VILLAGES,2024,1\n" * 60_000
    with pytest.raises(TooLarge) as caught:
        import_file(data=data, file_name="lon.csv", user=clerk, dry_run=True)
    assert caught.value.status == 413 and "tối đa 1 MB" in caught.value.message_vi


def test_a_zip_bomb_is_refused_unopened(clerk):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (64 * 1024 * 1024))
    data = buffer.getvalue()
    assert len(data) < 200_000
    with pytest.raises(FileRefused) as caught:
        import_file(data=data, file_name="bom.xlsx", user=clerk, dry_run=True)
    assert "bom nén" in caught.value.message_vi


def test_xml_entities_are_refused(clerk, template):
    """ "Billion laughs": entities that expand without end are never declared by a spreadsheet."""
    source, buffer = zipfile.ZipFile(io.BytesIO(template)), io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in source.infolist():
            part = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                bomb = b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
                part = bomb + part
            archive.writestr(item, part)
    with pytest.raises(FileRefused):
        import_file(data=buffer.getvalue(), file_name="bom.xlsx", user=clerk, dry_run=True)


def test_a_damaged_workbook_is_refused(clerk, template):
    with pytest.raises(FileRefused):
        import_file(data=template[: len(template) // 2], file_name="hong.xlsx", user=clerk, dry_run=True)


def test_utf16_without_bom_text_is_not_mistaken(clerk):
    data = codecs.BOM_UTF16_LE + "unit_code\tindicator\n".encode("utf-16-le")
    report = import_file(data=data, file_name="x.txt", user=clerk, dry_run=True)
    assert report.format == "csv" and not report.ok
