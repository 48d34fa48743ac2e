"""The round's result as an official report of the province in the layout of Nghị định 30/2020,
through the official-report machinery, so that it is numbered, kept and signed like the others."""

from dxmonitor.common.numbers import format_number
from dxmonitor.common.users import AnyUser
from dxmonitor.reports.content import Heading
from dxmonitor.reports.layout import OfficialDocument, Section, Table
from dxmonitor.reports.models import OfficialReport

from .models import Round

ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII"]


def _points(value: float) -> str:
    return format_number(value, language="vi", decimals=1)


def build(round_: Round, heading: Heading) -> OfficialDocument:
    from .queries import ranking

    result = ranking(round_)
    units = sum(len(s) for s in result.groups.values())
    pillars = result.tree.top
    province = round_.province.name[:1].lower() + round_.province.name[1:]
    sections = [
        Section(
            heading="TỔ CHỨC ĐÁNH GIÁ",
            paragraphs=[
                f"Ủy ban nhân dân {province} tổ chức đánh giá {round_.scheme.name_vi.lower()} "
                f"năm {round_.year} (phiên bản {round_.version.number}, "
                f"{format_number(round_.version.max_points)} điểm) đối với {units} đơn vị: "
                f"các đơn vị tự đánh giá kèm minh chứng đến ngày {round_.self_until:%d/%m/%Y}; "
                f"các sở, ngành thẩm định đến ngày {round_.appraisal_until:%d/%m/%Y}; kết quả tạm thời "
                f"được gửi các đơn vị giải trình đến ngày {round_.explanation_until:%d/%m/%Y}.",
                f"Kết luận của Hội đồng thẩm định: {round_.decision}",
            ],
        )
    ]
    for code, standings in result.groups.items():
        rows = [
            [
                str(s.rank),
                s.unit.name,
                *[_points(s.pillars[p.code]) for p in pillars],
                _points(s.points),
                _points(s.change),
            ]
            for s in standings
        ]
        sections.append(
            Section(
                heading=f"KẾT QUẢ XẾP HẠNG KHỐI {result.peer_label(code).upper()}",
                paragraphs=[f"{len(standings)} đơn vị, xếp theo tổng điểm sau thẩm định và giải trình."],
                tables=[
                    Table(
                        caption=f"Bảng {len(sections)}. Kết quả khối {result.peer_label(code).lower()}",
                        header=[
                            "Hạng",
                            "Đơn vị",
                            *[p.code for p in pillars],
                            "Tổng",
                            "Chênh lệch so với tự đánh giá",
                        ],
                        rows=rows,
                        widths=[0.7, 3.0, *[1.0] * len(pillars), 1.1, 1.6],
                        align=["center", "left", *["right"] * len(pillars), "right", "right"],
                    )
                ],
            )
        )
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
        title=f"Kết quả đánh giá {round_.scheme.name_vi.lower()} năm {round_.year}",
        sections=sections,
        recipients=heading.recipients,
        authority=heading.authority,
        signer_title=heading.signer_title,
        signer_name=heading.signer_name,
        author=heading.issuing_body.replace("\n", " "),
        keywords=f"chuyển đổi số; đánh giá; {round_.province.name}; {round_.year}",
    )


def issue_round_report(*, round_: Round, user: AnyUser, signer_name: str) -> OfficialReport:
    from dxmonitor.reports.actions import generate_report

    return generate_report(
        unit=round_.province,
        period=str(round_.year),
        user=user,
        signer_name=signer_name,
        recipients=["Bộ Khoa học và Công nghệ", "Các sở, ngành thẩm định", "UBND các xã, phường", "Lưu: VT"],
        build=lambda heading: build(round_, heading),
    )
