"""Turning an uploaded file into NFC text, and text into paragraphs and sentences.

Evidence spans are character offsets into the text this module returns, so nothing after it
may change the text: splitting only reports offsets.
"""

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import PurePath
from xml.etree import ElementTree

from dxmonitor.common.errors import DomainError
from dxmonitor.common.text import nfc

# A narrative report is a few dozen kilobytes of text (a long one, a few hundred). Files above
# MAX_BYTES are refused before they are opened and texts above MAX_CHARS after, so that memory
# and time stay bounded whatever is uploaded.
MAX_BYTES = 20_000_000
MAX_CHARS = 600_000
MAX_DOCX_XML = 20 * 1024 * 1024
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def read_file(*, name: str, data: bytes) -> str:
    """The text of a .txt, .docx or .pdf file (by content, then by name), NFC, with \\n newlines."""
    if not data:
        raise DomainError(f"{name} is empty", f"Tệp {name} không có nội dung", field="file")
    if len(data) > MAX_BYTES:
        raise DomainError(
            f"{name} is over the limit of {MAX_BYTES // 1_000_000} MB for a report",
            f"Tệp {name} vượt giới hạn {MAX_BYTES // 1_000_000} MB cho một báo cáo",
            field="file",
        )
    suffix = PurePath(name).suffix.lower()
    if data.startswith(b"%PDF") or suffix == ".pdf":
        text = _read_pdf(name, data)
    elif data.startswith(b"PK\x03\x04") or suffix == ".docx":
        text = _read_docx(name, data)
    else:
        text = _decode(name, data)
    if len(text) > MAX_CHARS:
        raise DomainError(
            f"{name} holds {len(text):,} characters of text; the limit for a report is {MAX_CHARS:,}",
            f"Tệp {name} có {len(text):,} ký tự, vượt giới hạn {MAX_CHARS:,} ký tự cho một báo cáo".replace(
                ",", "."
            ),
            field="file",
        )
    return clean_text(text)


def clean_text(text: str) -> str:
    return nfc(text).replace("\r\n", "\n").replace("\r", "\n")


def _decode(name: str, data: bytes) -> str:
    head = data[:8192]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    elif b"\x00" not in head:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = ""
        controls = sum(1 for ch in text[:8192] if ord(ch) < 32 and ch not in "\n\r\t\f")
        if text and controls <= len(text[:8192]) // 100:
            return text
    raise DomainError(
        f"{name} is not a text file (expected UTF-8 text, .docx or .pdf)",
        f"Tệp {name} không phải văn bản (cần tệp chữ UTF-8, .docx hoặc .pdf)",
        field="file",
    )


def _read_docx(name: str, data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            info = archive.getinfo("word/document.xml")
            if info.file_size > MAX_DOCX_XML:
                raise DomainError(
                    f"{name}: the document is too large to read",
                    f"Tệp {name} quá lớn, không đọc được",
                    field="file",
                )
            xml = archive.read(info)
    except (zipfile.BadZipFile, KeyError) as exc:
        raise DomainError(
            f"{name} is not a Word .docx document",
            f"Tệp {name} không phải văn bản Word (.docx)",
            field="file",
        ) from exc
    root = ElementTree.fromstring(xml)
    body = root.find(f"{_W}body")
    lines = []
    for child in body if body is not None else []:
        if child.tag == f"{_W}p":
            lines.append(_paragraph_text(child))
        elif child.tag == f"{_W}tbl":
            # A table row is one line, its cells apart by tabs: "Tỷ lệ hộ có cáp quang<TAB>45%".
            for row in child.iter(f"{_W}tr"):
                cells = [
                    " ".join(_paragraph_text(p) for p in cell.iter(f"{_W}p")) for cell in row.iter(f"{_W}tc")
                ]
                lines.append("\t".join(cells))
    return "\n".join(lines)


def _paragraph_text(paragraph) -> str:
    parts = []
    for node in paragraph.iter():
        if node.tag == f"{_W}t" and node.text:
            parts.append(node.text)
        elif node.tag == f"{_W}tab":
            parts.append("\t")
        elif node.tag in (f"{_W}br", f"{_W}cr"):
            parts.append("\n")
    return "".join(parts)


def _read_pdf(name: str, data: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise DomainError(
                f"{name} is a password-protected PDF", f"Tệp {name} là PDF có mật khẩu", field="file"
            )
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, OSError) as exc:
        raise DomainError(
            f"{name} is not a readable PDF", f"Tệp {name} không phải PDF đọc được", field="file"
        ) from exc
    text = _unwrap("\n".join(pages))
    if sum(1 for ch in text if ch.isalpha()) < 20 * max(1, len(pages)) // 4:
        raise DomainError(
            f"{name} has no text layer (a scanned image): it needs OCR before facts can be read",
            f"Tệp {name} không có lớp chữ (bản quét ảnh): cần nhận dạng chữ (OCR) trước khi trích xuất",
            field="file",
        )
    return text


_WRAPPED = re.compile(r"(?<=[^\s.!?:;])[ \t]*\n[ \t]*(?=[^\W_])")


def _unwrap(text: str) -> str:
    """A PDF's text layer breaks lines where the page did: a break inside a sentence (the next line
    starts in lower case or with a digit) becomes a space, so that a sentence reads as one."""
    return _WRAPPED.sub(lambda m: " " if _continues(text, m.end()) else m.group(), text)


def _continues(text: str, at: int) -> bool:
    return at < len(text) and (text[at].islower() or text[at].isdigit())


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    paragraph: int


# A sentence ends at . ! ? … followed by space and a capital, a digit or a quote; not after
# abbreviations such as "TP." or an initial.
_END = re.compile(r"[.!?…]+[\"”’)]*\s+(?=[\"“‘(]?[A-ZÀ-ỸĐ0-9])")
_ABBREVIATION = re.compile(r"(?:^|[\s(])(?:tp|tx|tt|ths|ts|pgs|gs|bs|nxb|v\.v|\w)\.$")


def split_sentences(text: str) -> list[Sentence]:
    sentences: list[Sentence] = []
    paragraph = 0
    offset = 0
    for line in text.split("\n"):
        line_start, line_end = offset, offset + len(line)
        offset = line_end + 1
        if not line.strip():
            continue
        start = line_start
        for match in _END.finditer(line):
            cut = line_start + match.end()
            before = text[max(start, cut - 8) : line_start + match.start() + 1].lower()
            if _ABBREVIATION.search(before):
                continue
            sentences.append(
                Sentence(start, line_start + match.start() + len(match.group().rstrip()), paragraph)
            )
            start = cut
        if start < line_end:
            sentences.append(Sentence(start, line_end, paragraph))
        paragraph += 1
    return sentences
