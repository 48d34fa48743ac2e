"""Any table to .csv and .xlsx: Vietnamese intact, formulas never run."""

import io
import zipfile

from dxmonitor.common.exports import Column, Table, csv_chunks, neutralise, xlsx_bytes

from .books import open_book

DANGEROUS = ["=1+1", "+cmd", "-2+3", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("http://x.invalid","bấm")']


def _table() -> Table:
    rows = [[text, -5, 1.5, "Xã Tà Mít"] for text in DANGEROUS] + [["bình thường", None, 0, ""]]
    return Table("Số liệu: thử/1", [Column("Ghi chú"), Column("Số"), Column("Tỷ lệ"), Column("Đơn vị")], rows)


def test_neutralise_only_text_that_would_run():
    assert [neutralise(t) for t in DANGEROUS] == ["'" + t for t in DANGEROUS]
    assert neutralise("bình thường") == "bình thường" and neutralise(-5) == -5


def test_csv_has_a_bom_and_apostrophes():
    text = "".join(csv_chunks(_table()))
    assert text.startswith("\ufeffGhi chú,Số,Tỷ lệ,Đơn vị\r\n")
    assert "'=1+1,-5,1.5,Xã Tà Mít" in text and '"\'=HYPERLINK(""http://x.invalid"",""bấm"")"' in text
    assert "bình thường,,0," in text


def test_xlsx_writes_text_never_formulas():
    data = xlsx_bytes(_table())
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert b"<f>" not in archive.read("xl/worksheets/sheet1.xml")
    sheet = open_book(data).active
    assert sheet.title == "Số liệu thử 1" and sheet.freeze_panes == "A2"
    for row, text in enumerate(DANGEROUS, start=2):
        cell = sheet.cell(row, 1)
        # Whether a carriage return comes back as such or as a line feed depends on the XML
        # library openpyxl finds (lxml keeps it); the text stays text either way.
        assert cell.value.replace("\r", "\n") == text.replace("\r", "\n")
        assert cell.data_type == "s" and cell.quotePrefix
        assert sheet.cell(row, 2).value == -5 and sheet.cell(row, 2).data_type == "n"
    assert not sheet.cell(len(DANGEROUS) + 2, 1).quotePrefix
