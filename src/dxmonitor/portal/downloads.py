"""Public figures as files — .csv, .xlsx and .json — each carrying its licence and its sources.

- .xlsx: the figures on the first sheet, then a sheet "Giấy phép và nguồn" / "Licence and sources"
  with the licence, the attribution to give, the rule of what is public, the selection and every
  source document the file's figures cite.
- .json: the same statements and sources at the head of the document, then the items.
- .csv: one header row and the figures, so that any tool reads it; every row names its source
  document, its address and its quote, and a `Giấy phép` / `Licence` column says CC-BY-4.0; the
  response carries `Link: <licence>; rel="license"`. The full statement is on /public/about/.

Cells that a spreadsheet would run as formulas come out inert (the common export helpers).
"""

import functools
import io
import json
from collections.abc import Iterator

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Count, QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from dxmonitor.collection.models import Document, Value
from dxmonitor.common import exports
from dxmonitor.common.errors import DomainError
from dxmonitor.geo.models import Level

from .licence import (
    AGGREGATES_NOTE,
    ATTRIBUTION,
    LICENCE_ID,
    LICENCE_NAME,
    LICENCE_STATEMENT,
    LICENCE_URL,
    RULE,
    SYNTHETIC_NOTE,
    licence_out,
    rule_out,
)
from .schemas import Link, document_ref, period_label, public_value_out, source_label

FORMATS = ("csv", "xlsx", "json")
MAX_DOWNLOAD_ROWS = 100_000
CONTENT_TYPES = {**exports.CONTENT_TYPES, "json": "application/json; charset=utf-8"}

# (Vietnamese title, English title, width)
_COLUMNS = (
    ("Mã đơn vị", "Unit code", 12),
    ("Đơn vị", "Unit", 30),
    ("Cấp", "Level", 10),
    ("Thuộc", "Part of", 26),
    ("Mã chỉ tiêu", "Indicator code", 26),
    ("Chỉ tiêu", "Indicator", 40),
    ("Đơn vị tính", "Measure", 12),
    ("Kỳ", "Period", 9),
    ("Tên kỳ", "Period label", 14),
    ("Loại", "Kind", 9),
    ("Giá trị", "Value", 12),
    ("So sánh", "Comparator", 9),
    ("Tử số", "Numerator", 11),
    ("Mẫu số", "Denominator", 11),
    ("Như nguồn nêu", "As stated", 18),
    ("Mô phỏng", "Synthetic", 9),
    ("Loại nguồn", "Source type", 22),
    ("Nguồn", "Source", 40),
    ("Ngày công bố", "Published on", 13),
    ("Địa chỉ nguồn", "Source address", 40),
    ("Trích dẫn", "Quote", 60),
    ("Giấy phép", "Licence", 11),
)


def _english(language: str) -> bool:
    return language.startswith("en")


def _columns(language: str) -> list[exports.Column]:
    return [exports.Column(en if _english(language) else vi, width) for vi, en, width in _COLUMNS]


@functools.lru_cache(maxsize=64)
def _level_label(level: str, language: str) -> str:
    from django.utils.translation import override

    with override(language):
        return str(Level(level).label) if level in Level.values else level


def check_size(values: QuerySet[Value]) -> int:
    """How many rows a download holds; a selection over the bound is refused, not cut short."""
    count = values.count()
    if count > MAX_DOWNLOAD_ROWS:
        raise DomainError(
            f"{count} figures selected; a download holds at most {MAX_DOWNLOAD_ROWS}: choose an "
            "indicator, a unit or a period, or page through /api/v1/public/values",
            f"Đã chọn {count} số liệu; mỗi tệp tải về tối đa {MAX_DOWNLOAD_ROWS}: hãy chọn chỉ tiêu, "
            "đơn vị hoặc kỳ, hoặc đọc lần lượt qua /api/v1/public/values",
            field="format",
        )
    return count


def _rows(values: QuerySet[Value], *, language: str, link: Link) -> Iterator[list]:
    for value in values.iterator(chunk_size=2000):
        out = public_value_out(value, language=language, link=link)
        document = out["source"]["document"]
        unit = value.unit
        yield [
            unit.code,
            unit.name,
            _level_label(unit.level, language),
            out["unit"]["parent"] or "",
            value.indicator.code,
            out["indicator"]["name"],
            out["indicator"]["measure_label"],
            value.period,
            out["period_label"],
            value.kind,
            value.value,
            value.comparator,
            value.numerator,
            value.denominator,
            out["display"],
            1 if value.is_synthetic else 0,
            source_label(value, language),
            document["title"] if document else "",
            document["published_on"] if document else None,
            out["source"]["evidence_url"] or "",
            value.evidence_quote,
            LICENCE_ID,
        ]


def values_table(values: QuerySet[Value], *, language: str, link: Link) -> exports.Table:
    title = "Figures" if _english(language) else "Số liệu"
    return exports.Table(title, _columns(language), _rows(values, language=language, link=link))


def sources(values: QuerySet[Value]) -> list[tuple[Document, int]]:
    """The documents a selection's figures cite, with how many figures each, newest first."""
    cited = dict(
        values.order_by()
        .filter(document__isnull=False)
        .values_list("document_id")
        .annotate(n=Count("id"))
        .values_list("document_id", "n")
    )
    documents = Document.objects.filter(pk__in=cited).order_by("-published_on", "title")
    return [(d, cited[d.pk]) for d in documents]


def _statement_rows(*, language: str, selection: str, count: int, link: Link) -> list[tuple[str, str]]:
    english = _english(language)
    return [
        (
            "Title" if english else "Tiêu đề",
            "dxmonitor — Open-data portal" if english else "dxmonitor — Cổng dữ liệu mở",
        ),
        ("Licence" if english else "Giấy phép", LICENCE_NAME),
        ("Licence text" if english else "Văn bản giấy phép", LICENCE_URL),
        ("Terms" if english else "Điều kiện", LICENCE_STATEMENT.text(language)),
        ("Attribution" if english else "Ghi công", ATTRIBUTION.text(language)),
        ("What is public" if english else "Số liệu nào được công khai", RULE.text(language)),
        ("Synthetic data" if english else "Dữ liệu mô phỏng", SYNTHETIC_NOTE.text(language)),
        ("Figures as stated" if english else "Số liệu như nguồn nêu", AGGREGATES_NOTE.text(language)),
        ("Selection" if english else "Phạm vi", selection),
        ("Figures in this file" if english else "Số liệu trong tệp", str(count)),
        (
            "Downloaded at" if english else "Tải về lúc",
            timezone.localtime().strftime("%Y-%m-%d %H:%M"),
        ),
        ("Portal" if english else "Cổng dữ liệu", link("/public/")),
    ]


def xlsx_bytes(values: QuerySet[Value], *, language: str, selection: str, count: int, link: Link) -> bytes:
    """The figures' sheet as the common export writes it, then the licence and sources sheet."""
    english = _english(language)
    table = values_table(values, language=language, link=link)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(exports.sheet_title(table.title))
    for index, column in enumerate(table.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    header = dict(font=exports.HEADER_FONT, fill=exports.HEADER_FILL)
    sheet.append([exports.text_cell(sheet, c.title, **header) for c in table.columns])
    for row in table.rows:
        sheet.append([exports.cell_for(sheet, v) for v in row])

    about = workbook.create_sheet(
        exports.sheet_title("Licence and sources" if english else "Giấy phép và nguồn")
    )
    about.column_dimensions["A"].width = 28
    about.column_dimensions["B"].width = 90
    about.column_dimensions["C"].width = 14
    about.column_dimensions["D"].width = 50
    for label, text in _statement_rows(language=language, selection=selection, count=count, link=link):
        about.append(
            [
                exports.text_cell(about, label, font=exports.HEADER_FONT),
                exports.text_cell(about, text, alignment=exports.WRAP),
            ]
        )
    about.append([])
    titles = (
        ("Source", "Title", "Published on", "Address")
        if english
        else ("Nguồn", "Tiêu đề", "Ngày công bố", "Địa chỉ")
    )
    about.append([exports.text_cell(about, t, **header) for t in titles])
    for number, (document, n) in enumerate(sources(values), start=1):
        ref = document_ref(document, link=link)
        cited = f"{number} ({n})"
        about.append(
            [
                exports.text_cell(about, cited),
                exports.text_cell(about, document.title, alignment=exports.WRAP),
                exports.cell_for(about, document.published_on),
                exports.text_cell(about, ref["url"]),
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def json_chunks(
    values: QuerySet[Value], *, language: str, selection: str, count: int, filters: dict, link: Link
) -> Iterator[str]:
    """The statements and sources first, then the items one by one: memory stays flat."""
    head = {
        "title": "dxmonitor — Open-data portal" if _english(language) else "dxmonitor — Cổng dữ liệu mở",
        "licence": licence_out(),
        "rule": rule_out(),
        "selection": selection,
        "filters": filters,
        "generated_at": timezone.now(),
        "count": count,
        "sources": [{**document_ref(d, link=link), "values_count": n} for d, n in sources(values)],
    }
    text = json.dumps(head, cls=DjangoJSONEncoder, ensure_ascii=False)
    yield text[:-1] + ', "items": ['
    for index, value in enumerate(values.iterator(chunk_size=2000)):
        item = json.dumps(
            public_value_out(value, language=language, link=link), cls=DjangoJSONEncoder, ensure_ascii=False
        )
        yield ("," if index else "") + item
    yield "]}"


def file_name(stem: str, format: str) -> str:
    return exports.file_name(stem, format)


def response(
    values: QuerySet[Value],
    *,
    format: str,
    stem: str,
    language: str,
    selection: str,
    filters: dict,
    link: Link,
) -> HttpResponse | StreamingHttpResponse:
    """The download of a selection of public values; refused (400) above MAX_DOWNLOAD_ROWS."""
    count = check_size(values)
    headers = {
        "Content-Disposition": f'attachment; filename="{file_name(stem, format)}"',
        "Link": f'<{LICENCE_URL}>; rel="license"',
    }
    if format == "xlsx":
        data = xlsx_bytes(values, language=language, selection=selection, count=count, link=link)
        return HttpResponse(data, content_type=CONTENT_TYPES["xlsx"], headers=headers)
    if format == "json":
        chunks = json_chunks(
            values, language=language, selection=selection, count=count, filters=filters, link=link
        )
        return StreamingHttpResponse(
            (c.encode("utf-8") for c in chunks), content_type=CONTENT_TYPES["json"], headers=headers
        )
    table = values_table(values, language=language, link=link)
    return StreamingHttpResponse(
        (chunk.encode("utf-8") for chunk in exports.csv_chunks(table)),
        content_type=CONTENT_TYPES["csv"],
        headers=headers,
    )


def describe(
    *, indicator=None, unit=None, within=None, period: str = "", data: str = "all", language: str
) -> str:
    """The selection in words, for the statement sheet: "Chỉ tiêu X · Đơn vị Y · Năm 2024"."""
    english = _english(language)
    parts = []
    if indicator is not None:
        parts.append(
            ("Indicator " if english else "Chỉ tiêu ") + f"{indicator.code} — {indicator.name(language)}"
        )
    if unit is not None:
        parts.append(("Unit " if english else "Đơn vị ") + unit.name)
    if within is not None:
        parts.append(
            ("Unit and the units under it: " if english else "Đơn vị và các đơn vị trực thuộc: ")
            + within.name
        )
    if period:
        parts.append(period_label(period, language))
    if data == "real":
        parts.append("real figures only" if english else "chỉ số liệu thật")
    elif data == "synthetic":
        parts.append("synthetic data only" if english else "chỉ dữ liệu mô phỏng")
    return " · ".join(parts) or ("All public figures" if english else "Toàn bộ số liệu công khai")
