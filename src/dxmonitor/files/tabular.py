"""Rows of cells to values: the part every table format shares (xlsx sheets, CSV files).

The header is found among the first rows by its names, not its position; a row of machine keys
under it (the template's hidden row) wins over the visible names. Blank rows are skipped, and so
are template rows left empty: an empty cell changes nothing.
"""

import datetime
from collections.abc import Iterable, Iterator

from dxmonitor.collection.bulk import RawValue
from dxmonitor.collection.parsed_file import FileProblem, ParsedFile
from dxmonitor.common.numbers import NumberFormatError, parse_number

from . import layout
from .workbook import Uncomputed

HEADER_SEARCH_ROWS = 20
MIN_HEADER_NAMES = 3


class Header:
    """Which column holds which field, and where the data starts."""

    def __init__(self, keys: dict[str, int], titles: dict[int, str], data_start: int) -> None:
        self.keys = keys
        self.titles = titles
        self.data_start = data_start

    def columns(self) -> dict[str, tuple[str, str]]:
        return {key: (layout.letter(index), self.titles.get(index, key)) for key, index in self.keys.items()}


def find_header(rows: list[tuple[int, list]], parsed: ParsedFile) -> Header | None:
    """The header among the first rows; problems (no header, a column twice, a missing column)
    go to `parsed`, and None means the file cannot be read at all."""
    best: tuple[int, int] | None = None  # (names recognised, position) of the likeliest header
    for position, (number, cells) in enumerate(rows):
        if layout.is_key_row(cells):
            return _mapping(parsed, keys_row=cells, titles_row=cells, data_start=number + 1)
        named = sum(1 for c in cells if layout.key_of(c))
        if named >= MIN_HEADER_NAMES:
            following = rows[position + 1] if position + 1 < len(rows) else None
            if following is not None and layout.is_key_row(following[1]):
                return _mapping(parsed, keys_row=following[1], titles_row=cells, data_start=following[0] + 1)
            return _mapping(parsed, keys_row=cells, titles_row=cells, data_start=number + 1)
        if named and (best is None or named > best[0]):
            best = (named, position)
    if best is not None:  # a header that names too few columns: say which are missing
        number, cells = rows[best[1]]
        return _mapping(parsed, keys_row=cells, titles_row=cells, data_start=number + 1)
    parsed.problem(
        "no header row: the first rows must name the columns (Mã đơn vị, Mã chỉ tiêu, Kỳ, Giá trị …)",
        "Không tìm thấy dòng tiêu đề: các dòng đầu phải ghi tên cột (Mã đơn vị, Mã chỉ tiêu, Kỳ, Giá trị …)",
        row=rows[0][0] if rows else 1,
    )
    return None


def _mapping(parsed: ParsedFile, *, keys_row: list, titles_row: list, data_start: int) -> Header | None:
    keys: dict[str, int] = {}
    titles = {i: str(t).strip() for i, t in enumerate(titles_row) if t not in (None, "")}
    header_row = data_start - 1
    for index, cell in enumerate(keys_row):
        key = layout.key_of(cell)
        if key is None:
            continue
        if key in keys:
            title = layout.BY_KEY[key].title_vi
            first, second = layout.letter(keys[key]), layout.letter(index)
            parsed.problems.append(
                _header_problem(
                    parsed,
                    f"the column {layout.BY_KEY[key].title_en} appears twice (columns {first} and {second})",
                    f"Cột {title} xuất hiện hai lần (cột {first} và {second})",
                    header_row,
                    second,
                )
            )
            continue
        keys[key] = index
    header = Header(keys, titles, data_start)
    parsed.columns = header.columns()
    missing = [k for k in ("unit_code", "indicator") if k not in keys]
    if not any(k in keys for k in layout.NUMBER_KEYS):
        missing.append("value")
    if "period" not in keys and not parsed.period:
        missing.append("period")
    for key in missing:
        column = layout.BY_KEY[key]
        parsed.problems.append(
            _header_problem(
                parsed,
                f"no column {column.title_en} ({column.key})",
                f"Thiếu cột {column.title_vi} ({column.key})",
                header_row,
                "",
            )
        )
    return None if missing else header


def _header_problem(parsed: ParsedFile, en: str, vi: str, row: int, column: str):
    from dxmonitor.collection.parsed_file import FileProblem

    return FileProblem(en, vi, parsed.sheet, row, column, "", "header")


def blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return str(value).strip()


def number(value: object) -> object:
    """A number as the cell holds it; text as typed (read later as a Vietnamese number)."""
    if value is None or (isinstance(value, int | float) and not isinstance(value, bool)):
        return value
    return text(value)


def unit_code(value: object, *, pad: int = 0) -> str:
    """A unit code; a code Excel turned into a number (3217 for "03217") gets its zeros back."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        code = text(value)
        return code.zfill(pad) if pad and code.isdigit() else code
    return text(value)


def values(
    rows: Iterable[tuple[int, list]],
    *,
    header: Header,
    parsed: ParsedFile,
    skip_rows: set[int] | frozenset = frozenset(),
    pad: int = 0,
) -> Iterator[RawValue]:
    """RawValues of the data rows, one per row that holds a figure."""
    keys = header.keys
    where = {k: keys.get(k) for k in layout.KEYS}
    reference = f"{parsed.sheet}!" if parsed.sheet else ""

    def cell(cells: list, key: str) -> object:
        index = where[key]
        return cells[index] if index is not None and index < len(cells) else None

    for number_, cells in rows:
        if number_ < header.data_start or number_ in skip_rows:
            continue
        if any(isinstance(c, Uncomputed) for c in cells):
            _uncomputed(cells, number_, header, parsed)
            continue
        if all(blank(c) for c in cells):
            parsed.rows_skipped += 1
            continue
        figures = [cell(cells, k) for k in layout.NUMBER_KEYS]
        note = text(cell(cells, "note"))
        if all(blank(f) for f in figures) and not note:
            parsed.rows_skipped += 1  # a template row left empty: nothing to change
            continue
        if not _numbers_read(figures, number_, parsed):
            continue
        yield RawValue(
            indicator=text(cell(cells, "indicator")),
            period=text(cell(cells, "period")) or parsed.period,
            unit_code=unit_code(cell(cells, "unit_code"), pad=pad),
            kind=layout.kind_code(text(cell(cells, "kind"))),
            value=number(figures[0]),
            comparator=layout.comparator_code(text(cell(cells, "comparator"))),
            numerator=number(figures[1]),
            denominator=number(figures[2]),
            note=note,
            ref=f"{reference}{number_}:{number_}",
            row=number_,
        )


def _uncomputed(cells: list, row: int, header: Header, parsed: ParsedFile) -> None:
    """Formula cells Excel never computed: the row cannot be read, and says so at each cell."""
    fields = {index: key for key, index in header.keys.items()}
    for index, cell in enumerate(cells):
        if isinstance(cell, Uncomputed):
            parsed.problems.append(
                FileProblem(
                    "a formula without a computed value: open the file in Excel, let it calculate "
                    "and save it, or type the figure",
                    "Ô có công thức nhưng chưa có giá trị tính sẵn: hãy mở tệp bằng Excel để tính "
                    "rồi lưu lại, hoặc gõ trực tiếp số liệu",
                    parsed.sheet,
                    row,
                    layout.letter(index),
                    header.titles.get(index, ""),
                    fields.get(index, ""),
                )
            )


def _numbers_read(figures: list, row: int, parsed: ParsedFile) -> bool:
    """Whether every figure of a row is a number; each that is not is reported at its cell."""
    ok = True
    for key, figure in zip(layout.NUMBER_KEYS, figures, strict=True):
        if not isinstance(figure, str) or not figure.strip():
            if isinstance(figure, bool | datetime.date):
                figure = text(figure)
            else:
                continue
        try:
            parse_number(figure)
        except NumberFormatError:
            column = layout.BY_KEY[key]
            shown = figure.strip()[:40]
            parsed.problem(
                f"{column.title_en}: “{shown}” is not a number (write 1.234,5 or 24,3%)",
                f"{column.title_vi}: “{shown}” không phải là số (viết như 1.234,5 hoặc 24,3%)",
                row=row,
                field=key,
            )
            ok = False
    return ok
