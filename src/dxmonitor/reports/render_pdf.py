"""An official report as PDF in the layout of Nghị định 30/2020/NĐ-CP (Phụ lục I), fonts embedded.

Times New Roman is what the decree prescribes; Tinos has the same metrics and an open licence, so the
page breaks match the DOCX opened in Word and the PDF can embed it. Every piece of text is set in
Tinos (the canvas' initial font included), so the file depends on no font of the reader's machine.
"""

import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    Image,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from dxmonitor.reports import chart as charts
from dxmonitor.reports.layout import Chart, OfficialDocument, RenderedPdf, Section, date_line, recipient_lines
from dxmonitor.reports.layout import Table as DataTable

# Nghị định 30/2020/NĐ-CP, Phụ lục I, mục I.3: top and bottom 20–25 mm, left 30–35 mm, right 15–20 mm.
MARGIN_TOP = 20 * mm
MARGIN_BOTTOM = 20 * mm
MARGIN_LEFT = 30 * mm
MARGIN_RIGHT = 15 * mm
PAGE_WIDTH, PAGE_HEIGHT = A4
CONTENT_WIDTH = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT
# The header and the signature block: issuing body / "Nơi nhận" on the left, the national name and
# motto / the signer on the right; 93 mm holds "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" at 12 pt bold.
LEFT_COLUMN = 72 * mm
RIGHT_COLUMN = CONTENT_WIDTH - LEFT_COLUMN
SIGNATURE_SPACE = 30 * mm
# A visible signature (image and signer details) fits 75 mm; centred in the right column it stays right
# of the page centre, where readers expect the signature.
SIGNATURE_WIDTH = 75 * mm
BODY_SIZE = 14
FIRST_LINE_INDENT = 10 * mm

NATIONAL_NAME = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"

FONT = "Tinos"
FONT_NAMES = {
    "regular": FONT,
    "bold": f"{FONT}-Bold",
    "italic": f"{FONT}-Italic",
    "bolditalic": f"{FONT}-BoldItalic",
}


def register_fonts() -> None:
    """Register the four Tinos faces with reportlab once, as a family so <b> and <i> pick them."""
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    for style, name in FONT_NAMES.items():
        pdfmetrics.registerFont(TTFont(name, str(charts.FONT_FILES[style])))
    pdfmetrics.registerFontFamily(
        FONT,
        normal=FONT_NAMES["regular"],
        bold=FONT_NAMES["bold"],
        italic=FONT_NAMES["italic"],
        boldItalic=FONT_NAMES["bolditalic"],
    )


def render_pdf(document: OfficialDocument) -> RenderedPdf:
    """The report as PDF bytes, with the page and rectangle left empty for the visible signature."""
    register_fonts()
    out = io.BytesIO()
    template = BaseDocTemplate(
        out,
        pagesize=A4,
        leftMargin=MARGIN_LEFT,
        rightMargin=MARGIN_RIGHT,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=f"{document.kind.capitalize()} {document.title}".strip(),
        author=document.author or _one_line(document.issuing_body),
        subject=f"{document.kind} số {document.number}: {document.title}",
        keywords=document.keywords,
        creator="dxmonitor",
        lang="vi-VN",
        initialFontName=FONT,
        initialFontSize=BODY_SIZE,
    )
    frame = Frame(
        MARGIN_LEFT,
        MARGIN_BOTTOM,
        CONTENT_WIDTH,
        PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id="body",
    )
    template.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=_page_number)])
    space = SignatureSpace(SIGNATURE_WIDTH, SIGNATURE_SPACE)
    template.build(_story(document, space))
    if space.page is None or space.box is None:
        raise RuntimeError("the signature block was not placed on any page")
    return RenderedPdf(data=out.getvalue(), signature_page=space.page, signature_box=space.box)


class HLine(Flowable):
    """A solid line centred in the available width, as under the issuing body, the motto and the title."""

    def __init__(
        self, width: float, *, thickness: float = 0.6, space_before: float = 4, space_after: float = 2
    ):
        super().__init__()
        self.line_width = width
        self.thickness = thickness
        self.space_before = space_before
        self.space_after = space_after

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.avail_width = avail_width
        return avail_width, self.space_before + self.thickness + self.space_after

    def draw(self) -> None:
        x = (self.avail_width - self.line_width) / 2
        y = self.space_after + self.thickness / 2
        self.canv.setLineWidth(self.thickness)
        self.canv.line(x, y, x + self.line_width, y)


class SignatureSpace(Flowable):
    """Empty space of the signature block; remembers where it was drawn for the signature stamp."""

    def __init__(self, width: float, height: float):
        super().__init__()
        self.box_width = width
        self.space_height = height
        self.page: int | None = None
        self.box: tuple[float, float, float, float] | None = None

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.space_width = avail_width
        return avail_width, self.space_height

    def draw(self) -> None:
        width = min(self.box_width, self.space_width)
        left = (self.space_width - width) / 2
        x1, y1 = self.canv.absolutePosition(left, 0)
        x2, y2 = self.canv.absolutePosition(left + width, self.space_height)
        self.page = self.canv.getPageNumber() - 1
        self.box = (round(x1, 2), round(y1, 2), round(x2, 2), round(y2, 2))


def _page_number(canvas: Canvas, _template: BaseDocTemplate) -> None:
    # Nghị định 30: Arabic numerals, centred in the top margin, from the second page on.
    page = canvas.getPageNumber()
    if page < 2:
        return
    canvas.saveState()
    canvas.setFont(FONT, 13)
    canvas.drawCentredString(MARGIN_LEFT + CONTENT_WIDTH / 2, PAGE_HEIGHT - 13 * mm, str(page))
    canvas.restoreState()


def _style(
    name: str, *, size: float = BODY_SIZE, face: str = "regular", align: int = TA_CENTER, **extra: float
) -> ParagraphStyle:
    return ParagraphStyle(
        name,
        fontName=FONT_NAMES[face],
        fontSize=size,
        leading=extra.pop("leading", round(size * 1.2, 1)),
        alignment=align,
        **extra,
    )


def _text(value: str) -> str:
    """Plain text to paragraph markup: escaped, line breaks kept."""
    return "<br/>".join(escape(line) for line in value.split("\n"))


def _one_line(value: str) -> str:
    return " ".join(value.split())


def fitting_size(text: str, face: str, width: float, sizes: tuple[float, ...]) -> float:
    """The largest size of those allowed at which every line of `text` fits `width`."""
    lines = text.split("\n")
    for size in sizes:
        if all(pdfmetrics.stringWidth(line, FONT_NAMES[face], size) <= width for line in lines):
            return size
    return sizes[-1]


def _widest(text: str, face: str, size: float) -> float:
    return max(pdfmetrics.stringWidth(line, FONT_NAMES[face], size) for line in text.split("\n"))


def _header(document: OfficialDocument) -> Table:
    issuing = document.issuing_body.upper()
    parent = document.parent_body.upper()
    size = fitting_size(f"{issuing}\n{parent}".strip(), "bold", LEFT_COLUMN, (13, 12))
    left: list[Flowable] = []
    if parent.strip():
        left.append(Paragraph(_text(parent), _style("parent", size=size)))
    left.append(Paragraph(_text(issuing), _style("issuing", size=size, face="bold")))
    # Nghị định 30: a line a third to a half as long as the issuing body's name.
    left.append(HLine(min(_widest(issuing, "bold", size), LEFT_COLUMN) * 0.4))
    national_size = fitting_size(NATIONAL_NAME, "bold", RIGHT_COLUMN, (13, 12))
    right: list[Flowable] = [
        Paragraph(NATIONAL_NAME, _style("national", size=national_size, face="bold")),
        Paragraph(MOTTO, _style("motto", size=BODY_SIZE, face="bold")),
        HLine(pdfmetrics.stringWidth(MOTTO, FONT_NAMES["bold"], BODY_SIZE)),
    ]
    number = Paragraph(_text(f"Số: {document.number}"), _style("number", size=13))
    dated = Paragraph(
        _text(date_line(document.place, document.issued_on)), _style("date", size=BODY_SIZE, face="italic")
    )
    table = Table([[left, right], [number, dated]], colWidths=[LEFT_COLUMN, RIGHT_COLUMN])
    table.setStyle(_borderless(top_padding=[(0, 1, 6)]))
    return table


def _borderless(*, top_padding: list[tuple[int, int, float]] = ()) -> TableStyle:
    commands: list[tuple] = [
        # A table cell sets its own font even when it holds only paragraphs; Helvetica by default.
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 0),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
    ]
    for column, row, padding in top_padding:
        commands.append(("TOPPADDING", (column, row), (-1, row), padding))
    return TableStyle(commands)


def _title(document: OfficialDocument) -> list[Flowable]:
    title_style = _style("title", face="bold")
    widest = _widest(document.title, "bold", BODY_SIZE)
    return [
        Spacer(1, 14),
        Paragraph(_text(document.kind.upper()), _style("kind", face="bold")),
        Paragraph(_text(document.title), title_style),
        HLine(max(25 * mm, min(widest, CONTENT_WIDTH) / 3), space_after=10),
    ]


BODY = _style("body", align=TA_JUSTIFY, firstLineIndent=FIRST_LINE_INDENT, spaceAfter=6, leading=18)
HEADING = _style(
    "heading",
    face="bold",
    align=TA_JUSTIFY,
    firstLineIndent=FIRST_LINE_INDENT,
    spaceBefore=12,
    spaceAfter=6,
    keepWithNext=1,
)
CAPTION = _style("caption", size=13, face="bold", spaceBefore=6, spaceAfter=4)
# Room for the caption, the header row and a few rows: less than that left on the page starts the
# table on the next one; more, and the table flows on with its header row repeated.
TABLE_START = 40 * mm
CELL = {
    "left": _style("cell-left", size=12, align=TA_LEFT),
    "right": _style("cell-right", size=12, align=TA_RIGHT),
    "center": _style("cell-center", size=12, align=TA_CENTER),
}
HEAD_CELL = _style("cell-head", size=12, face="bold")


def _section(section: Section) -> list[Flowable]:
    story: list[Flowable] = [Paragraph(_text(section.heading), HEADING)]
    story += [Paragraph(_text(paragraph), BODY) for paragraph in section.paragraphs]
    for table in section.tables:
        story += _data_table(table)
    for chart in section.charts:
        story.append(_chart(chart))
    return story


def _data_table(table: DataTable) -> list[Flowable]:
    columns = len(table.header)
    relative = table.widths or [1.0] * columns
    widths = [CONTENT_WIDTH * part / sum(relative) for part in relative]
    align = table.align or ["left"] + ["right"] * (columns - 1)
    data = [[Paragraph(_text(cell), HEAD_CELL) for cell in table.header]]
    for row in table.rows:
        data.append([Paragraph(_text(cell), CELL.get(align[i], CELL["left"])) for i, cell in enumerate(row)])
    grid = Table(data, colWidths=widths, repeatRows=1)
    grid.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return [CondPageBreak(TABLE_START), Paragraph(_text(table.caption), CAPTION), grid, Spacer(1, 6)]


def _chart(chart: Chart) -> Flowable:
    png = charts.draw_chart_png(chart)
    image = Image(io.BytesIO(png))
    ratio = image.imageHeight / image.imageWidth
    image.drawWidth, image.drawHeight = CONTENT_WIDTH, CONTENT_WIDTH * ratio
    return KeepTogether([Spacer(1, 4), image, Paragraph(_text(chart.caption), CAPTION)])


def _closing(document: OfficialDocument, space: SignatureSpace) -> Flowable:
    left: list[Flowable] = [Paragraph("Nơi nhận:", _style("to", size=12, face="bolditalic", align=TA_LEFT))]
    recipient = _style("recipient", size=11, align=TA_LEFT, leading=13)
    left += [Paragraph(_text(line), recipient) for line in recipient_lines(document.recipients)]
    signer = _style("signer", face="bold")
    right: list[Flowable] = [
        Paragraph(_text(document.authority.upper()), signer),
        Paragraph(_text(document.signer_title.upper()), signer),
        space,
        Paragraph(_text(document.signer_name), signer),
    ]
    table = Table([[left, right]], colWidths=[LEFT_COLUMN, RIGHT_COLUMN])
    table.setStyle(_borderless())
    return KeepTogether([Spacer(1, 12), table])


def _story(document: OfficialDocument, space: SignatureSpace) -> list[Flowable]:
    story: list[Flowable] = [_header(document), *_title(document)]
    for section in document.sections:
        story += _section(section)
    story.append(_closing(document, space))
    return story
