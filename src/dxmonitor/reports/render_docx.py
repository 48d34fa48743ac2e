"""An official report as DOCX in the layout of Nghị định 30/2020/NĐ-CP, for offices that edit in Word.

Same content, page, margins and parts as the PDF (see render_pdf). Word's own fonts are named, not
embedded: every machine that opens an official document has Times New Roman. The header and the
signature block are borderless tables; the short lines under the issuing body, the motto and the title
are bottom borders of empty paragraphs indented to the line's length, which Word keeps in place when
the text is edited.
"""

import io

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.text.font import CT_RPr
from docx.shared import Emu, Mm, Pt
from docx.table import Table as DocxTable
from docx.table import _Cell
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from reportlab.pdfbase import pdfmetrics

from dxmonitor.reports import chart as charts
from dxmonitor.reports import render_pdf as pdf
from dxmonitor.reports.layout import Chart, OfficialDocument, Section, date_line, recipient_lines
from dxmonitor.reports.layout import Table as DataTable

FONT = "Times New Roman"
LANGUAGE = "vi-VN"
ALIGN = {
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
}
_PT_PER_MM = 72 / 25.4
# The children of w:pPr that come after w:pBdr (ECMA-376 §17.3.1.26); Word refuses them out of order.
_AFTER_PBDR = (
    "w:shd",
    "w:tabs",
    "w:suppressAutoHyphens",
    "w:kinsoku",
    "w:wordWrap",
    "w:overflowPunct",
    "w:topLinePunct",
    "w:autoSpaceDE",
    "w:autoSpaceDN",
    "w:bidi",
    "w:adjustRightInd",
    "w:snapToGrid",
    "w:spacing",
    "w:ind",
    "w:contextualSpacing",
    "w:mirrorIndents",
    "w:suppressOverlap",
    "w:jc",
    "w:textDirection",
    "w:textAlignment",
    "w:textboxTightWrap",
    "w:outlineLvl",
    "w:divId",
    "w:cnfStyle",
    "w:rPr",
    "w:sectPr",
    "w:pPrChange",
)


def render_docx(document: OfficialDocument) -> bytes:
    """The report as DOCX bytes."""
    pdf.register_fonts()  # Tinos' metrics size the short lines as Times New Roman sets the text
    doc = Document()
    _page(doc)
    _fonts(doc)
    _properties(doc, document)
    _header(doc, document)
    _title(doc, document)
    for section in document.sections:
        _section(doc, section)
    _closing(doc, document)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _page(doc: DocxDocument) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = _mm(pdf.MARGIN_TOP)
    section.bottom_margin = _mm(pdf.MARGIN_BOTTOM)
    section.left_margin = _mm(pdf.MARGIN_LEFT)
    section.right_margin = _mm(pdf.MARGIN_RIGHT)
    section.header_distance = Mm(10)
    section.footer_distance = Mm(10)
    # Nghị định 30: the page number, centred in the top margin, from the second page on.
    section.different_first_page_header_footer = True
    paragraph = section.header.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _page_field(paragraph)


def _page_field(paragraph: Paragraph) -> None:
    """A PAGE field: Word and LibreOffice put the page's number in its place."""
    begin, instruction, separate, result, end = (_run(paragraph, "", size=13) for _ in range(5))
    for run, kind in ((begin, "begin"), (separate, "separate"), (end, "end")):
        mark = OxmlElement("w:fldChar")
        mark.set(qn("w:fldCharType"), kind)
        run._r.append(mark)
    code = OxmlElement("w:instrText")
    code.set(qn("xml:space"), "preserve")
    code.text = " PAGE "
    instruction._r.append(code)
    result.text = "2"


def _fonts(doc: DocxDocument) -> None:
    """Times New Roman for every script on the defaults and the styles used, theme fonts removed."""
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        rpr = defaults.find(qn("w:rPrDefault") + "/" + qn("w:rPr"))
        if rpr is not None:
            _rfonts(rpr, language=True)
    for name in ("Normal", "Header", "Table Grid"):
        style = doc.styles[name]
        _rfonts(style.element.get_or_add_rPr(), language=True)
    normal = doc.styles["Normal"]
    normal.font.size = Pt(pdf.BODY_SIZE)
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = 1.0


def _rfonts(rpr: CT_RPr, *, language: bool = False) -> None:
    fonts = rpr.get_or_add_rFonts()
    # A theme font attribute wins over the named one in Word; the default template sets them.
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)
    for script in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(script), FONT)
    if language:
        lang = rpr.find(qn("w:lang"))
        if lang is None:
            lang = OxmlElement("w:lang")
            rpr.insert_element_before(lang, "w:eastAsianLayout", "w:specVanish", "w:oMath")
        lang.set(qn("w:val"), LANGUAGE)


def _properties(doc: DocxDocument, document: OfficialDocument) -> None:
    props = doc.core_properties
    props.title = f"{document.kind.capitalize()} {document.title}".strip()
    props.author = document.author or " ".join(document.issuing_body.split())
    props.subject = f"{document.kind} số {document.number}: {document.title}"
    props.keywords = document.keywords
    props.language = LANGUAGE
    props.comments = ""
    props.last_modified_by = props.author


def _mm(points: float) -> Emu:
    return Mm(points / _PT_PER_MM)


def _run(paragraph: Paragraph, text: str, *, size: float, bold: bool = False, italic: bool = False) -> Run:
    run = paragraph.add_run(text)
    run.font.name = FONT
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.italic = italic
    _rfonts(run._r.get_or_add_rPr())
    return run


def _lines(
    container: _Cell | DocxDocument,
    text: str,
    *,
    size: float,
    bold: bool = False,
    italic: bool = False,
    align: str = "center",
    first: bool = False,
) -> Paragraph:
    """One paragraph, its lines broken where the text has "\\n"; `first` reuses a cell's empty paragraph."""
    paragraph = container.paragraphs[0] if first else container.add_paragraph()
    paragraph.alignment = ALIGN[align]
    for number, line in enumerate(text.split("\n")):
        run = _run(paragraph, "", size=size, bold=bold, italic=italic)
        if number:
            run.add_break()
        run.add_text(line)
    return paragraph


def _short_line(
    container: _Cell | DocxDocument, *, length_pt: float, room_pt: float, after: float = 2
) -> None:
    """A centred solid line `length_pt` long: the bottom border of an empty, indented paragraph."""
    paragraph = container.add_paragraph()
    indent = max(0.0, (room_pt - length_pt) / 2)
    fmt = paragraph.paragraph_format
    fmt.left_indent = fmt.right_indent = Pt(indent)
    fmt.space_before, fmt.space_after = Pt(0), Pt(after)
    fmt.line_spacing = Pt(3)
    _run(paragraph, "", size=2)
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().insert_element_before(borders, *_AFTER_PBDR)


def _layout_table(doc: DocxDocument, rows: int) -> DocxTable:
    """A borderless two-column table across the text width, without cell margins."""
    table = doc.add_table(rows=rows, cols=2)
    table.autofit = False
    properties = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    properties.insert_element_before(borders, "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook")
    margins = OxmlElement("w:tblCellMar")
    for edge in ("left", "right"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:w"), "0")
        element.set(qn("w:type"), "dxa")
        margins.append(element)
    properties.insert_element_before(margins, "w:tblLook", "w:tblCaption", "w:tblDescription")
    # Word lays out a fixed table by its grid columns, LibreOffice by the cells: set both.
    for column, width in enumerate((_mm(pdf.LEFT_COLUMN), _mm(pdf.RIGHT_COLUMN))):
        table.columns[column].width = width
        for cell in table.columns[column].cells:
            cell.width = width
    return table


def _width(text: str, face: str, size: float) -> float:
    return max(pdfmetrics.stringWidth(line, pdf.FONT_NAMES[face], size) for line in text.split("\n"))


def _header(doc: DocxDocument, document: OfficialDocument) -> None:
    issuing = document.issuing_body.upper()
    parent = document.parent_body.upper()
    size = pdf.fitting_size(f"{issuing}\n{parent}".strip(), "bold", pdf.LEFT_COLUMN, (13, 12))
    table = _layout_table(doc, rows=2)
    left, right = table.rows[0].cells
    if parent.strip():
        _lines(left, parent, size=size, first=True)
        _lines(left, issuing, size=size, bold=True)
    else:
        _lines(left, issuing, size=size, bold=True, first=True)
    line = min(_width(issuing, "bold", size), pdf.LEFT_COLUMN) * 0.4
    _short_line(left, length_pt=line, room_pt=pdf.LEFT_COLUMN)
    national_size = pdf.fitting_size(pdf.NATIONAL_NAME, "bold", pdf.RIGHT_COLUMN, (13, 12))
    _lines(right, pdf.NATIONAL_NAME, size=national_size, bold=True, first=True)
    _lines(right, pdf.MOTTO, size=pdf.BODY_SIZE, bold=True)
    _short_line(right, length_pt=_width(pdf.MOTTO, "bold", pdf.BODY_SIZE), room_pt=pdf.RIGHT_COLUMN)
    number, dated = table.rows[1].cells
    _lines(number, f"Số: {document.number}", size=13, first=True).paragraph_format.space_before = Pt(6)
    dated_line = date_line(document.place, document.issued_on)
    _lines(dated, dated_line, size=pdf.BODY_SIZE, italic=True, first=True).paragraph_format.space_before = Pt(
        6
    )


def _title(doc: DocxDocument, document: OfficialDocument) -> None:
    kind = _lines(doc, document.kind.upper(), size=pdf.BODY_SIZE, bold=True)
    kind.paragraph_format.space_before = Pt(14)
    kind.paragraph_format.keep_with_next = True
    title = _lines(doc, document.title, size=pdf.BODY_SIZE, bold=True)
    title.paragraph_format.keep_with_next = True
    widest = min(_width(document.title, "bold", pdf.BODY_SIZE), pdf.CONTENT_WIDTH)
    _short_line(doc, length_pt=max(25 * _PT_PER_MM, widest / 3), room_pt=pdf.CONTENT_WIDTH, after=10)


def _body_paragraph(doc: DocxDocument, text: str, *, bold: bool = False) -> Paragraph:
    paragraph = _lines(doc, text, size=pdf.BODY_SIZE, bold=bold, align="justify")
    fmt = paragraph.paragraph_format
    fmt.first_line_indent = _mm(pdf.FIRST_LINE_INDENT)
    fmt.space_after = Pt(6)
    fmt.line_spacing = Pt(18)
    return paragraph


def _section(doc: DocxDocument, section: Section) -> None:
    heading = _body_paragraph(doc, section.heading, bold=True)
    heading.paragraph_format.space_before = Pt(12)
    heading.paragraph_format.keep_with_next = True
    for text in section.paragraphs:
        _body_paragraph(doc, text)
    for table in section.tables:
        _data_table(doc, table)
    for chart in section.charts:
        _chart(doc, chart)


def _caption(doc: DocxDocument, text: str, *, keep_with_next: bool) -> None:
    paragraph = _lines(doc, text, size=13, bold=True)
    paragraph.paragraph_format.space_before = Pt(6)
    paragraph.paragraph_format.space_after = Pt(4)
    paragraph.paragraph_format.keep_with_next = keep_with_next


def _data_table(doc: DocxDocument, data: DataTable) -> None:
    _caption(doc, data.caption, keep_with_next=True)
    columns = len(data.header)
    relative = data.widths or [1.0] * columns
    widths = [_mm(pdf.CONTENT_WIDTH * part / sum(relative)) for part in relative]
    align = data.align or ["left"] + ["right"] * (columns - 1)
    table = doc.add_table(rows=1 + len(data.rows), cols=columns, style="Table Grid")
    table.autofit = False
    # Word repeats a row marked as header at the top of every page the table runs onto.
    for column, width in enumerate(widths):
        table.columns[column].width = width
    header_row = table.rows[0]
    header_row._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    for row, values in zip(table.rows, [data.header, *data.rows], strict=True):
        is_header = row is header_row
        for index, (cell, value) in enumerate(zip(row.cells, values, strict=True)):
            cell.width = widths[index]
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            where = "center" if is_header else align[index] if align[index] in ALIGN else "left"
            _lines(cell, value, size=12, bold=is_header, align=where, first=True)
    doc.add_paragraph().paragraph_format.space_after = Pt(0)


def _chart(doc: DocxDocument, chart: Chart) -> None:
    picture = doc.add_paragraph()
    picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
    picture.paragraph_format.keep_with_next = True
    picture.paragraph_format.space_before = Pt(4)
    png = charts.draw_chart_png(chart)
    picture.add_run().add_picture(io.BytesIO(png), width=_mm(pdf.CONTENT_WIDTH))
    _caption(doc, chart.caption, keep_with_next=False)


def _closing(doc: DocxDocument, document: OfficialDocument) -> None:
    doc.add_paragraph().paragraph_format.space_after = Pt(6)
    table = _layout_table(doc, rows=1)
    # Word keeps a table row on one page when it is not allowed to break across pages.
    table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    left, right = table.rows[0].cells
    _lines(left, "Nơi nhận:", size=12, bold=True, italic=True, align="left", first=True)
    for line in recipient_lines(document.recipients):
        _lines(left, line, size=11, align="left")
    _lines(right, document.authority.upper(), size=pdf.BODY_SIZE, bold=True, first=True)
    _lines(right, document.signer_title.upper(), size=pdf.BODY_SIZE, bold=True)
    name = _lines(right, document.signer_name, size=pdf.BODY_SIZE, bold=True)
    name.paragraph_format.space_before = _mm(pdf.SIGNATURE_SPACE)
