"""A streaming reader of .xlsx worksheets: rows of plain values, a million cells in seconds.

openpyxl's read-only mode builds an object per cell and re-parses every inline string; on a
100,000-row sheet that alone takes longer than checking and writing the figures. This reader
walks the sheet's XML once with expat, in chunks, and keeps only each cell's value and whether
its number format is a percentage. Workbook structure (sheet names and parts, shared strings,
number formats, properties) is small and read whole, except the shared strings: they are streamed
and capped, each at Excel's own cell limit and all together relative to the cells that could use
them, so that a small upload cannot unfold into gigabytes of text. The archive is checked against
zip bombs before anything is inflated (`sniff.check_workbook`).
"""

import io
import posixpath
import re
import xml.parsers.expat
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from xml.etree import ElementTree

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PACKAGE_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
NS_CORE = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
NS_DC = "http://purl.org/dc/elements/1.1/"
CHUNK = 1 << 18
PERCENT_BUILTIN = {9, 10}
_MERGE = re.compile(rb"<(?:\w+:)?mergeCell\b[^>]*?\bref=\"([A-Z]+[0-9]+(?::[A-Z]+[0-9]+)?)\"")


# Excel keeps at most 32,767 characters in a cell.
MAX_CELL_TEXT = 32_767
# The smallest cell that uses a shared string, <c t="s"><v>0</v></c>: no sheet of N bytes refers
# to more than N / 16 of them.
MIN_CELL_BYTES = 16
# All shared text together: this much always, twice the sheets' XML when they are larger, never
# more than the ceiling (characters).
SHARED_TEXT_FLOOR = 8_000_000
SHARED_TEXT_CEILING = 64_000_000


class WorkbookError(ValueError):
    """The archive is not a workbook this reader understands."""


class WorkbookTooLarge(WorkbookError):
    """The workbook's text would take far more memory than its cells justify."""

    def __init__(self, message_en: str, message_vi: str) -> None:
        super().__init__(message_en)
        self.message_en = message_en
        self.message_vi = message_vi


class Uncomputed:
    """A formula cell without the value Excel last computed (a file written by a program that
    does not calculate): neither empty nor a figure, so that its row is reported, not dropped."""

    def __repr__(self) -> str:
        return "UNCOMPUTED"


UNCOMPUTED = Uncomputed()


def _refuse_doctype(*_args) -> None:
    raise WorkbookError("the workbook's XML declares a DTD, which no spreadsheet does")


def _checked(data: bytes) -> bytes:
    """A part's XML, refused if it declares a DTD or entities (they could expand without end).
    A spreadsheet's text never holds these words unescaped: a "<" in a value is written "&lt;"."""
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        _refuse_doctype()
    return data


@dataclass(frozen=True)
class Sheet:
    name: str
    path: str
    state: str  # visible, hidden, veryHidden


def column_index(letters: str, _cache: dict[str, int] = {}) -> int:  # noqa: B006
    """ "A" → 0, "AA" → 26."""
    found = _cache.get(letters)
    if found is None:
        found = 0
        for ch in letters:
            found = found * 26 + ord(ch) - 64
        found -= 1
        _cache[letters] = found
    return found


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


class Workbook:
    def __init__(self, data: bytes) -> None:
        try:
            self.archive = zipfile.ZipFile(io.BytesIO(data))
            self.sheets = self._sheets()
            self.strings = self._shared_strings()
            self.percent_styles = self._percent_styles()
        except WorkbookError:
            raise
        except (KeyError, zipfile.BadZipFile, ElementTree.ParseError, ValueError) as exc:
            raise WorkbookError(str(exc)) from exc

    def close(self) -> None:
        self.archive.close()

    def _xml(self, path: str) -> ElementTree.Element:
        return ElementTree.fromstring(_checked(self.archive.read(path)))

    def _relationships(self, part: str) -> dict[str, str]:
        folder, name = posixpath.split(part)
        rels = posixpath.join(folder, "_rels", name + ".rels")
        if rels not in self.archive.NameToInfo:
            return {}
        found = {}
        for rel in self._xml(rels):
            target = rel.get("Target", "")
            if rel.get("TargetMode") == "External":
                continue
            path = (
                target.lstrip("/")
                if target.startswith("/")
                else posixpath.normpath(posixpath.join(folder, target))
            )
            found[rel.get("Id", "")] = path
        return found

    def _workbook_part(self) -> str:
        for rel in self._xml("_rels/.rels"):
            if rel.get("Type", "").endswith("/officeDocument"):
                return rel.get("Target", "xl/workbook.xml").lstrip("/")
        return "xl/workbook.xml"

    def _sheets(self) -> list[Sheet]:
        self.part = self._workbook_part()
        self.rels = self._relationships(self.part)
        root = self._xml(self.part)
        sheets = []
        for element in root.iter(f"{{{NS_MAIN}}}sheet"):
            path = self.rels.get(element.get(f"{{{NS_REL}}}id", ""), "")
            if path in self.archive.NameToInfo:
                sheets.append(Sheet(element.get("name", ""), path, element.get("state", "visible")))
        return sheets

    def _part_of_type(self, suffix: str) -> str | None:
        folder = posixpath.dirname(self.part)
        rels = posixpath.join(folder, "_rels", posixpath.basename(self.part) + ".rels")
        if rels not in self.archive.NameToInfo:
            return None
        for rel in self._xml(rels):
            if rel.get("Type", "").endswith(suffix):
                return posixpath.normpath(posixpath.join(folder, rel.get("Target", "")))
        return None

    def _shared_strings(self) -> list[str]:
        path = self._part_of_type("/sharedStrings")
        if not path or path not in self.archive.NameToInfo:
            return []
        sheet_bytes = sum(self.archive.NameToInfo[sheet.path].file_size for sheet in self.sheets)
        reader = _SharedStrings(
            max_count=sheet_bytes // MIN_CELL_BYTES + 1,
            max_chars=min(SHARED_TEXT_CEILING, max(SHARED_TEXT_FLOOR, 2 * sheet_bytes)),
        )
        with self.archive.open(path) as source:
            while chunk := source.read(CHUNK):
                reader.feed(chunk)
        reader.feed(b"", final=True)
        return reader.strings

    def _percent_styles(self) -> set[int]:
        """Indexes of the cell formats whose number format is a percentage."""
        path = self._part_of_type("/styles")
        if not path or path not in self.archive.NameToInfo:
            return set()
        root = self._xml(path)
        custom = {
            int(f.get("numFmtId", "0")): f.get("formatCode", "") for f in root.iter(f"{{{NS_MAIN}}}numFmt")
        }
        percent = {i for i, code in custom.items() if "%" in code.replace("\\%", "")} | PERCENT_BUILTIN
        found = set()
        cell_xfs = root.find(f"{{{NS_MAIN}}}cellXfs")
        for index, xf in enumerate(cell_xfs if cell_xfs is not None else []):
            if int(xf.get("numFmtId", "0")) in percent:
                found.add(index)
        return found

    def subject(self) -> str:
        if "docProps/core.xml" not in self.archive.NameToInfo:
            return ""
        element = self._xml("docProps/core.xml").find(f"{{{NS_DC}}}subject")
        return (element.text or "") if element is not None else ""

    def sheet(self, name: str) -> Sheet | None:
        return next((s for s in self.sheets if s.name == name), None)

    def merged_ranges(self, sheet: Sheet) -> list[str]:
        """The merged ranges of a sheet ("A5:A7"); they come after the data, so the XML is scanned
        in chunks for them alone."""
        found: list[str] = []
        tail = b""
        with self.archive.open(sheet.path) as source:
            while chunk := source.read(1 << 20):
                text = tail + chunk
                cut = max(0, len(text) - 200)  # a tag cut by the chunk is found in the next round
                found.extend(m.group(1).decode() for m in _MERGE.finditer(text) if m.start() < cut)
                tail = text[cut:]
        found.extend(m.group(1).decode() for m in _MERGE.finditer(tail))
        return list(dict.fromkeys(found))

    def rows(self, sheet: Sheet) -> Iterator[tuple[int, list, tuple[int, ...]]]:
        """(row number, values, columns formatted as percentages) for every row that has cells,
        in order; a missing cell is None."""
        reader = _SheetReader(self.strings, self.percent_styles)
        with self.archive.open(sheet.path) as source:
            while chunk := source.read(CHUNK):
                reader.feed(chunk)
                if reader.done:
                    yield from reader.done
                    reader.done = []
        reader.feed(b"", final=True)
        yield from reader.done


_C, _V, _T, _RPH, _ROW, _F = 1, 2, 3, 4, 5, 6
_ELEMENTS = {"c": _C, "v": _V, "t": _T, "rPh": _RPH, "row": _ROW, "f": _F}
_DIGITS = "0123456789"


class _SheetReader:
    """expat callbacks that turn <row><c><v>… into lists of values. A million cells go through
    here: the callbacks do as little as they can."""

    def __init__(self, strings: list[str], percent_styles: set[int]) -> None:
        self.strings = strings
        self.percent_styles = percent_styles
        self.done: list[tuple[int, list, tuple[int, ...]]] = []
        self.row_number = 0
        self.cells: list = []
        self.percent: list[int] = []
        self.column = 0
        self.type = "n"
        self.style = ""
        self.text: list[str] = []
        self.value: str | None = None
        self.inline: list[str] = []
        self.capture = False
        self.in_phonetic = False
        self.formula = False
        self.elements: dict[str, int] | None = None
        parser = xml.parsers.expat.ParserCreate()
        parser.buffer_text = True
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.CharacterDataHandler = self.data
        # A worksheet never declares a DTD or entities: refusing them refuses "billion laughs".
        parser.StartDoctypeDeclHandler = _refuse_doctype
        parser.EntityDeclHandler = _refuse_doctype
        self.parser = parser

    def feed(self, chunk: bytes, final: bool = False) -> None:
        try:
            self.parser.Parse(chunk, final)
        except xml.parsers.expat.ExpatError as exc:
            raise WorkbookError(f"the sheet's XML is damaged ({exc})") from exc

    def _names(self, root: str) -> dict[str, int]:
        # The root says whether the file writes "c" or "x:c": one prefix for the whole sheet.
        prefix = root.rsplit(":", 1)[0] + ":" if ":" in root else ""
        return {prefix + name: code for name, code in _ELEMENTS.items()}

    def start(self, name: str, attrs: dict) -> None:
        if self.elements is None:
            self.elements = self._names(name)
        code = self.elements.get(name)
        if code == _C:
            ref = attrs.get("r")
            self.column = column_index(ref.rstrip(_DIGITS)) if ref else len(self.cells)
            self.type = attrs.get("t", "n")
            self.style = attrs.get("s", "")
            self.value = None
            self.inline = []
            self.formula = False
        elif code == _F:
            self.formula = True
        elif code == _V or (code == _T and not self.in_phonetic):
            self.capture = True
            self.text = []
        elif code == _ROW:
            number = attrs.get("r")
            self.row_number = int(number) if number else self.row_number + 1
            self.cells = []
            self.percent = []
        elif code == _RPH:
            self.in_phonetic = True

    def data(self, text: str) -> None:
        if self.capture:
            self.text.append(text)

    def end(self, name: str) -> None:
        code = self.elements.get(name) if self.elements else None
        if code == _C:
            value = self._value()
            if value is None and self.formula:
                value = UNCOMPUTED
            if value is not None:
                cells = self.cells
                column = self.column
                if column >= len(cells):
                    cells.extend([None] * (column - len(cells) + 1))
                cells[column] = value
                if self.style and int(self.style) in self.percent_styles:
                    self.percent.append(column)
        elif code == _V:
            self.value = "".join(self.text)
            self.capture = False
        elif code == _T and self.capture:
            self.inline.append("".join(self.text))
            self.capture = False
        elif code == _ROW:
            if self.cells:
                self.done.append((self.row_number, self.cells, tuple(self.percent)))
            self.cells = []
        elif code == _RPH:
            self.in_phonetic = False

    def _value(self) -> object:
        kind, raw = self.type, self.value
        if kind == "n":
            if not raw:
                return None
            try:
                return int(raw) if raw.lstrip("-").isdigit() else float(raw)
            except ValueError:
                return raw
        if kind == "s":
            try:
                return self.strings[int(raw)] if raw is not None else None
            except (ValueError, IndexError):
                return None
        if kind == "inlineStr":
            return "".join(self.inline)
        if raw is None:
            return None
        if kind == "b":
            return raw == "1"
        return raw  # "str" (a formula's text), "e" (an error such as #DIV/0!), "d" (an ISO date)


class _SharedStrings:
    """expat callbacks that collect the shared strings (plain text, or rich-text runs; phonetic
    hints are not part of it), refusing as soon as one or all of them pass the caps."""

    def __init__(self, *, max_count: int, max_chars: int) -> None:
        self.strings: list[str] = []
        self.max_count = max_count
        self.max_chars = max_chars
        self.chars = 0
        self.parts: list[str] = []
        self.length = 0
        self.capture = False
        self.in_phonetic = False
        parser = xml.parsers.expat.ParserCreate()
        parser.buffer_text = True
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.CharacterDataHandler = self.data
        parser.StartDoctypeDeclHandler = _refuse_doctype
        parser.EntityDeclHandler = _refuse_doctype
        self.parser = parser

    def feed(self, chunk: bytes, final: bool = False) -> None:
        try:
            self.parser.Parse(chunk, final)
        except xml.parsers.expat.ExpatError as exc:
            raise WorkbookError(f"the shared strings' XML is damaged ({exc})") from exc

    def start(self, name: str, _attrs: dict) -> None:
        local = name.rsplit(":", 1)[-1]
        if local == "si":
            self.parts, self.length = [], 0
        elif local == "t" and not self.in_phonetic:
            self.capture = True
        elif local == "rPh":
            self.in_phonetic = True

    def data(self, text: str) -> None:
        if not self.capture:
            return
        self.length += len(text)
        self.chars += len(text)
        if self.length > MAX_CELL_TEXT:
            raise WorkbookTooLarge(
                f"a text of the workbook is longer than the {MAX_CELL_TEXT:,} characters a cell holds",
                f"Bảng tính có đoạn chữ dài hơn {MAX_CELL_TEXT:,} ký tự mà một ô chứa được".replace(",", "."),
            )
        if self.chars > self.max_chars:
            raise WorkbookTooLarge(
                f"the workbook's texts add up to more than {self.max_chars:,} characters, far more "
                "than its cells hold",
                f"Chữ trong bảng tính cộng lại hơn {self.max_chars:,} ký tự, quá nhiều so với số ô".replace(
                    ",", "."
                ),
            )
        self.parts.append(text)

    def end(self, name: str) -> None:
        local = name.rsplit(":", 1)[-1]
        if local == "si":
            self.strings.append("".join(self.parts))
            if len(self.strings) > self.max_count:
                raise WorkbookTooLarge(
                    f"the workbook has more shared texts ({len(self.strings):,}+) than its cells could use",
                    "Bảng tính có nhiều đoạn chữ dùng chung hơn số ô có thể dùng",
                )
        elif local == "t":
            self.capture = False
        elif local == "rPh":
            self.in_phonetic = False
