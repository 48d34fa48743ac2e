"""Reading an .xlsx upload as a stream, one row at a time (see `workbook` for why not openpyxl).

A merged range keeps its value in its first cell only, so the others would silently import as
empty: merged ranges over the data are reported at their cells and their rows are not read.
A cell formatted as a percentage holds a fraction (24,3% is 0.243): its figure is given back as
24.3. Formulas count by the value Excel last computed; a formula without one (a file written by
a program that does not calculate) is reported at its cell.
"""

from collections.abc import Iterator

from openpyxl.utils.cell import range_boundaries

from dxmonitor.collection.parsed_file import FileProblem, ParsedFile

from . import layout, tabular
from .sniff import FileRefused, check_workbook
from .workbook import Sheet, Workbook, WorkbookError, WorkbookTooLarge

LEVEL_CODE_LENGTH = {"commune": 5, "district": 3, "province": 2}


def read_xlsx(data: bytes) -> ParsedFile:
    check_workbook(data)
    try:
        workbook = Workbook(data)
        meta = _meta(workbook)
        sheet = _data_sheet(workbook)
        rows = workbook.rows(sheet)
        head = []
        for row in rows:
            head.append(row)
            if len(head) == tabular.HEADER_SEARCH_ROWS:
                break
    except WorkbookTooLarge as exc:
        raise FileRefused(
            f"{exc.message_en}; it was not read", f"{exc.message_vi}; tệp không được đọc", field="file"
        ) from exc
    except WorkbookError as exc:
        raise FileRefused(
            "the workbook cannot be read; open it in Excel and save it again as .xlsx",
            "Không đọc được bảng tính; hãy mở bằng Excel và lưu lại dạng .xlsx",
            field="file",
        ) from exc
    parsed = ParsedFile(
        format="xlsx",
        values=iter(()),
        sheet=sheet.name,
        dataset=meta.get("dataset", ""),
        period=meta.get("period", ""),
    )
    header = tabular.find_header([(n, cells) for n, cells, _ in head], parsed)
    if header is None:
        workbook.close()
        return parsed
    skip = _merged(workbook, sheet, parsed, header)
    pad = LEVEL_CODE_LENGTH.get(meta.get("level", ""), 0)
    value_index = header.keys.get("value")

    def stream() -> Iterator[tuple[int, list]]:
        try:
            for source in (head, rows):
                for number, cells, percent in source:
                    if value_index in percent:
                        cells[value_index] = _hundredfold(cells[value_index])
                    yield number, cells
        except WorkbookError as exc:
            parsed.problem(
                f"the rest of the sheet cannot be read: {exc}",
                "Không đọc được phần còn lại của trang tính; hãy mở bằng Excel và lưu lại",
            )
        finally:
            workbook.close()

    parsed.values = tabular.values(stream(), header=header, parsed=parsed, skip_rows=skip, pad=pad)
    return parsed


def _hundredfold(value: object) -> object:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return round(value * 100, 10)
    return value


def _meta(workbook: Workbook) -> dict[str, str]:
    """The data set and period a template records: its hidden sheet, else its properties."""
    sheet = workbook.sheet(layout.META_SHEET)
    if sheet is not None:
        found = {}
        for _, cells, _ in workbook.rows(sheet):
            key, value = ([*cells, None, None])[:2]
            if key:
                found[str(key).strip()] = tabular.text(value)
        if found.get("format") == layout.TEMPLATE_MARK:
            return found
    subject = workbook.subject().split()
    if len(subject) == 3 and subject[0] == layout.TEMPLATE_MARK:
        return {"format": layout.TEMPLATE_MARK, "dataset": subject[1], "period": subject[2]}
    return {}


def _data_sheet(workbook: Workbook) -> Sheet:
    found = workbook.sheet(layout.DATA_SHEET)
    if found is not None:
        return found
    for sheet in workbook.sheets:
        if sheet.name in (layout.META_SHEET, layout.LISTS_SHEET, layout.GUIDE_SHEET):
            continue
        if sheet.state == "visible":
            return sheet
    raise FileRefused(
        f"the workbook has no sheet “{layout.DATA_SHEET}” of figures",
        f"Bảng tính không có trang “{layout.DATA_SHEET}” chứa số liệu",
        field="file",
    )


def _merged(workbook: Workbook, sheet: Sheet, parsed: ParsedFile, header: tabular.Header) -> set[int]:
    """Report merged ranges over the data, and return the rows they cover (not read further)."""
    rows: set[int] = set()
    for ref in workbook.merged_ranges(sheet):
        min_col, min_row, max_col, max_row = range_boundaries(ref)
        if max_row < header.data_start:
            continue
        first = max(min_row, header.data_start)
        title = header.titles.get(min_col - 1, "") if min_col == max_col else ""
        parsed.problems.append(
            FileProblem(
                f"merged cells {ref}: unmerge them and write the figure in each row",
                f"Ô gộp {ref}: hãy bỏ gộp ô (Unmerge) và ghi số liệu vào từng dòng",
                parsed.sheet,
                first,
                ref,
                title,
                "merged",
            )
        )
        rows.update(range(first, max_row + 1))
    return rows
