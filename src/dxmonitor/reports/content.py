"""What an official report says: a unit's figures for a period against their targets, how its
units below fare, what falls short — assembled from the analytics store into the layout of
Nghị định 30/2020 (reports.layout), in Vietnamese, the language of the document.
"""

import datetime
from dataclasses import dataclass

from dxmonitor.analytics.answers import ensure_fresh, units_under
from dxmonitor.analytics.targets import target_gaps
from dxmonitor.catalog.models import Direction, Indicator
from dxmonitor.collection.models import DataSet
from dxmonitor.collection.periods import Period
from dxmonitor.common.display import format_value
from dxmonitor.dashboard.figures import figures_for, judged_indicators, source_text, status_of
from dxmonitor.geo.models import Level, Unit

from .layout import Chart, OfficialDocument, Section, Table

ROMAN = ["I", "II", "III", "IV", "V", "VI"]
STATUS_WORDS = {"met": "Đạt", "not_met": "Chưa đạt", "undetermined": "Chưa xác định"}
# Children listed in the table of units below, worst first, so the report stays a few pages long.
MAX_CHILDREN = 40


@dataclass(frozen=True)
class Heading:
    """Who issues the report and who signs it, as the user filled them in."""

    issuing_body: str
    parent_body: str
    number: str
    place: str
    issued_on: datetime.date
    authority: str
    signer_title: str
    signer_name: str
    recipients: list[str]


def default_issuing_body(unit: Unit) -> str:
    """The people's committee of the unit, as its seal reads: "ỦY BAN NHÂN DÂN\\nTỈNH LAI CHÂU"."""
    return f"ỦY BAN NHÂN DÂN\n{unit.name.upper()}"


def default_recipients(unit: Unit, parent: Unit | None) -> list[str]:
    if unit.level == Level.PROVINCE:
        return ["Bộ Khoa học và Công nghệ", "Thường trực Tỉnh ủy", "Thường trực HĐND tỉnh", "Lưu: VT"]
    above = f"UBND {parent.name}" if parent is not None else "Ủy ban nhân dân cấp trên"
    return [above, "Sở Khoa học và Công nghệ", "Lưu: VT"]


def report_title(period: Period) -> str:
    return f"Kết quả thực hiện chuyển đổi số {period.label('vi').lower()}"


def _indicators(dataset: DataSet | None) -> list[Indicator]:
    if dataset is None:
        return judged_indicators(None)
    return [m.indicator for m in dataset.members.select_related("indicator__group").order_by("position")]


def _value(figure, indicator: Indicator) -> str:
    return format_value(figure.value, comparator=figure.comparator, measure_unit=indicator.measure_unit)


def build_document(
    *, unit: Unit, period: Period, dataset: DataSet | None, heading: Heading
) -> OfficialDocument:
    ensure_fresh()
    indicators = _indicators(dataset)
    own = figures_for(units=[unit], indicators=indicators, period=period)
    present = [i for i in indicators if (unit.pk, i.pk) in own]
    gaps = target_gaps(
        figures=[own[(unit.pk, i.pk)] for i in present],
        units={unit.pk: unit},
        indicators={i.pk: i for i in present},
        year=period.year,
    )
    judged = {i.pk: status_of(gaps.get((unit.pk, i.pk), [])) for i in present}
    sections = [
        _overview(unit, period, indicators, present, judged),
        _results(unit, period, indicators, own, judged),
    ]
    children = units_under(within=unit, level=None, period=period)
    if children:
        sections.append(_children(unit, period, children, present, judged))
    sections.append(_proposals(unit, present, judged, own))
    sections = [
        Section(heading=f"{ROMAN[n]}. {s.heading}", paragraphs=s.paragraphs, tables=s.tables, charts=s.charts)
        for n, s in enumerate(sections)
    ]
    return OfficialDocument(
        parent_body=heading.parent_body,
        issuing_body=heading.issuing_body,
        number=heading.number,
        place=heading.place,
        issued_on=heading.issued_on,
        kind="BÁO CÁO",
        title=report_title(period),
        sections=sections,
        recipients=heading.recipients,
        authority=heading.authority,
        signer_title=heading.signer_title,
        signer_name=heading.signer_name,
        author=heading.issuing_body.replace("\n", " "),
        keywords=f"chuyển đổi số; {unit.name}; {period.code}",
    )


def _lower_first(name: str) -> str:
    """ "Tỉnh Lai Châu" as it reads inside a sentence: "tỉnh Lai Châu"."""
    return name[:1].lower() + name[1:]


def _overview(unit, period, indicators, present, judged) -> Section:
    met = sum(1 for i in present if judged[i.pk] and judged[i.pk]["status"] == "met")
    with_target = sum(1 for i in present if judged[i.pk])
    paragraphs = [
        f"Thực hiện nhiệm vụ chuyển đổi số, Ủy ban nhân dân {_lower_first(unit.name)} báo cáo kết quả "
        f"{period.label('vi').lower()} "
        f"theo bộ chỉ tiêu giám sát chuyển đổi số, với số liệu tổng hợp từ các đơn vị trực thuộc "
        f"trên hệ thống dxmonitor.",
        f"Trong {len(indicators)} chỉ tiêu theo dõi, {len(present)} chỉ tiêu đã có số liệu; "
        f"{with_target} chỉ tiêu có mục tiêu để so sánh, trong đó {met} chỉ tiêu đạt mục tiêu.",
    ]
    return Section(heading="TÌNH HÌNH CHUNG", paragraphs=paragraphs)


def _results(unit, period, indicators, own, judged) -> Section:
    rows, labels, values, targets = [], [], [], []
    for number, indicator in enumerate(indicators, start=1):
        figure = own.get((unit.pk, indicator.pk))
        status = judged.get(indicator.pk)
        target = status["target"] if status else None
        rows.append(
            [
                str(number),
                indicator.name_vi,
                _value(figure, indicator) if figure else "Chưa có số liệu",
                format_value(target, measure_unit=indicator.measure_unit) if status else "—",
                STATUS_WORDS.get(status["status"], "")
                if status
                else ("Không có mục tiêu" if figure else "—"),
            ]
        )
        if indicator.measure_unit == "percent" and figure is not None:
            labels.append(indicator.name_vi)
            values.append(figure.value)
            targets.append(target)
    tables = [
        Table(
            caption="Bảng 1. Kết quả các chỉ tiêu so với mục tiêu",
            header=["TT", "Chỉ tiêu", "Thực hiện", "Mục tiêu", "Đánh giá"],
            rows=rows,
            widths=[0.6, 5.2, 1.7, 1.5, 1.6],
            align=["center", "left", "right", "right", "center"],
        )
    ]
    chart = Chart(
        caption="Biểu đồ 1. Các chỉ tiêu tỷ lệ so với mục tiêu",
        labels=labels[:12],
        values=values[:12],
        targets=targets[:12],
        unit="%",
    )
    charts = [chart] if labels else []
    paragraph = f"Kết quả các chỉ tiêu của {unit.name} {period.label('vi').lower()} như sau:"
    return Section(
        heading="KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU", paragraphs=[paragraph], tables=tables, charts=charts
    )


def _children(unit, period, children, present, judged) -> Section:
    key = next(
        (i for i in present if judged[i.pk] and i.measure_unit == "percent"), present[0] if present else None
    )
    if key is None:
        return Section(
            heading="KẾT QUẢ CỦA CÁC ĐƠN VỊ TRỰC THUỘC", paragraphs=["Chưa có số liệu của đơn vị trực thuộc."]
        )
    figures = figures_for(units=children, indicators=[key], period=period)
    ranked = sorted(
        children, key=lambda c: (figures.get((c.pk, key.pk)) is None, _sort_value(figures, c, key))
    )
    rows = []
    for child in ranked[:MAX_CHILDREN]:
        figure = figures.get((child.pk, key.pk))
        rows.append(
            [
                child.name,
                _value(figure, key) if figure else "Chưa có số liệu",
                source_text(figure, "vi") if figure else "",
            ]
        )
    missing = sum(1 for c in children if (c.pk, key.pk) not in figures)
    paragraphs = [
        f"Chỉ tiêu “{key.name_vi}” của {len(children)} đơn vị trực thuộc, xếp từ thấp đến cao"
        + (
            f" ({len(children) - MAX_CHILDREN} đơn vị cao nhất không liệt kê)"
            if len(children) > MAX_CHILDREN
            else ""
        )
        + (f"; {missing} đơn vị chưa có số liệu." if missing else ".")
    ]
    table = Table(
        caption=f"Bảng 2. {key.name_vi} theo đơn vị trực thuộc",
        header=["Đơn vị", "Thực hiện", "Nguồn số liệu"],
        rows=rows,
        widths=[3.2, 1.6, 3.4],
        align=["left", "right", "left"],
    )
    return Section(heading="KẾT QUẢ CỦA CÁC ĐƠN VỊ TRỰC THUỘC", paragraphs=paragraphs, tables=[table])


def _sort_value(figures, child, key) -> float:
    figure = figures.get((child.pk, key.pk))
    value = figure.value if figure is not None else 0.0
    # Worst first: for "higher is better" the lowest value, otherwise the highest.
    return value if key.direction != Direction.DOWN else -value


def _proposals(unit, present, judged, own) -> Section:
    short = [i for i in present if judged[i.pk] and judged[i.pk]["status"] == "not_met"]
    if not short:
        return Section(
            heading="ĐỀ XUẤT, KIẾN NGHỊ",
            paragraphs=["Các chỉ tiêu có mục tiêu đều đạt; đề nghị tiếp tục duy trì và nâng cao chất lượng."],
        )
    lines = [
        f"{i.name_vi}: thực hiện {_value(own[(unit.pk, i.pk)], i)}, "
        f"mục tiêu {format_value(judged[i.pk]['target'], measure_unit=i.measure_unit)}."
        for i in short
    ]
    return Section(
        heading="ĐỀ XUẤT, KIẾN NGHỊ",
        paragraphs=[
            f"Còn {len(short)} chỉ tiêu chưa đạt mục tiêu, cần tập trung chỉ đạo trong kỳ tới:",
            *[f"- {line}" for line in lines],
        ],
    )
