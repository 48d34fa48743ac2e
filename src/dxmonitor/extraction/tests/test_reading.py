"""Bad input is refused clearly or read safely: each case of the issue has its test here."""

import io
import time
import unicodedata
import zipfile

import pytest
from pypdf import PdfWriter

from dxmonitor.common.errors import DomainError
from dxmonitor.extraction.engine import extract
from dxmonitor.extraction.reading import MAX_BYTES, MAX_CHARS, read_file
from dxmonitor.extraction.terms import catalogue_from_csv

CATALOGUE = catalogue_from_csv()


def _docx(paragraphs: list[str], table: list[list[str]] | None = None) -> bytes:
    body = "".join(f"<w:p><w:r><w:t>{p}</w:t></w:r></w:p>" for p in paragraphs)
    if table:
        rows = "".join(
            "<w:tr>" + "".join(f"<w:tc><w:p><w:r><w:t>{c}</w:t></w:r></w:p></w:tc>" for c in row) + "</w:tr>"
            for row in table
        )
        body += f"<w:tbl>{rows}</w:tbl>"
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body>{body}</w:body></w:document>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", xml)
    return buffer.getvalue()


def _pdf_with_text(line: str) -> bytes:
    """A one-page PDF whose page draws `line` (ASCII) with a standard font: a real text layer."""
    content = f"BT /F1 12 Tf 72 720 Td ({line}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(content)).encode() + b" >>\nstream\n" + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def test_utf8_text_is_read_as_nfc():
    nfd = unicodedata.normalize("NFD", "Huyện Tủa Chùa đạt 24,3%").encode()
    assert read_file(name="a.txt", data=nfd) == "Huyện Tủa Chùa đạt 24,3%"
    assert read_file(name="a.txt", data=b"\xef\xbb\xbf" + "Tủa Chùa".encode()) == "Tủa Chùa"
    assert read_file(name="a.txt", data="Tủa Chùa\r\nđạt 5%".encode("utf-16")) == "Tủa Chùa\nđạt 5%"


def test_empty_file_is_refused():
    with pytest.raises(DomainError) as caught:
        read_file(name="rong.txt", data=b"")
    assert "empty" in caught.value.message_en
    assert "không có nội dung" in caught.value.message_vi


def test_binary_file_named_txt_is_refused():
    with pytest.raises(DomainError) as caught:
        read_file(name="baocao.txt", data=bytes(range(256)) * 40)
    assert "not a text file" in caught.value.message_en


def test_fifty_megabytes_of_text_is_refused_quickly():
    data = ("Tỷ lệ hộ gia đình có internet đạt 50%. " * 1_400_000).encode("utf-8")
    assert len(data) > 50_000_000 > MAX_BYTES
    started = time.monotonic()
    with pytest.raises(DomainError) as caught:
        read_file(name="lon.txt", data=data)
    assert time.monotonic() - started < 1
    assert "limit" in caught.value.message_en


def test_largest_accepted_text_is_read_in_bounded_time():
    sentence = "Huyện Mường Tè có 85% thôn, bản được phủ sóng điện thoại di động. "
    text = read_file(name="dai.txt", data=(sentence * (MAX_CHARS // len(sentence))).encode("utf-8"))
    started = time.monotonic()
    facts = extract(text, catalogue=CATALOGUE)
    assert time.monotonic() - started < 90
    assert len(facts) == 1  # the same fact stated nine thousand times is proposed once


def test_text_over_the_character_limit_is_refused():
    with pytest.raises(DomainError) as caught:
        read_file(name="dai.txt", data=b"a" * (MAX_CHARS + 1))
    assert "limit" in caught.value.message_en


def test_pdf_without_text_layer_needs_ocr():
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(DomainError) as caught:
        read_file(name="scan.pdf", data=buffer.getvalue())
    assert "OCR" in caught.value.message_en
    assert "OCR" in caught.value.message_vi


def test_pdf_with_text_layer_is_read():
    text = read_file(name="baocao.pdf", data=_pdf_with_text("Toan huyen co 12 to cong nghe so cong dong"))
    assert "12 to cong nghe so" in text


def test_broken_pdf_is_refused():
    with pytest.raises(DomainError):
        read_file(name="hong.pdf", data=b"%PDF-1.4 this is not a pdf")


def test_docx_paragraphs_become_lines():
    data = _docx(["Huyện Mường Tè", "Có 85% thôn, bản được phủ sóng điện thoại di động."])
    text = read_file(name="baocao.docx", data=data)
    assert text == "Huyện Mường Tè\nCó 85% thôn, bản được phủ sóng điện thoại di động."
    (fact,) = extract(text, catalogue=CATALOGUE)
    assert (fact.locality, fact.indicator, fact.value) == (
        "huyện Mường Tè",
        "INF.MOBILE_VILLAGE_COVERAGE",
        85,
    )


def test_zip_that_is_not_a_docx_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("anh.png", b"123")
    with pytest.raises(DomainError) as caught:
        read_file(name="baocao.docx", data=buffer.getvalue())
    assert ".docx" in caught.value.message_en


def test_other_language_reads_but_proposes_nothing():
    text = read_file(name="en.txt", data=b"The district connected 95% of villages to fibre in 2023.")
    assert extract(text, catalogue=CATALOGUE) == []


def test_docx_table_rows_read_as_lines():
    data = _docx(
        ["Báo cáo chuyển đổi số huyện Mường Tè"],
        table=[["Chỉ tiêu", "Kết quả"], ["Tỷ lệ hộ gia đình kết nối internet băng rộng", "45,5%"]],
    )
    text = read_file(name="bang.docx", data=data)
    assert text.splitlines()[-1] == "Tỷ lệ hộ gia đình kết nối internet băng rộng\t45,5%"
    (fact,) = extract(text, catalogue=CATALOGUE)
    assert (fact.indicator, fact.value) == ("INF.HOUSEHOLD_FIXED_BB", 45.5)


def test_pdf_lines_wrapped_inside_a_sentence_are_joined():
    from dxmonitor.extraction.reading import _unwrap

    wrapped = "Huyện Mường Tè\nTỷ lệ hộ gia đình kết nối\ninternet đạt\n45%.\nToàn huyện có\n12 tổ."
    assert (
        _unwrap(wrapped)
        == "Huyện Mường Tè\nTỷ lệ hộ gia đình kết nối internet đạt 45%.\nToàn huyện có 12 tổ."
    )
