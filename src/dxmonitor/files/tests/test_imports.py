"""Checking and applying files: every problem at its sheet, row and column; all or nothing."""

import pytest

from dxmonitor.collection.models import Value, ValueChange
from dxmonitor.files.actions import import_file

from .books import fill, open_book, row_of, save_book

pytestmark = pytest.mark.django_db


def _check(data: bytes, user, name: str = "bao-cao.xlsx"):
    return import_file(data=data, file_name=name, user=user, dry_run=True)


def _apply(data: bytes, user, name: str = "bao-cao.xlsx"):
    return import_file(data=data, file_name=name, user=user, dry_run=False)


def _problems(report) -> dict[str, str]:
    return {p.ref: p.message_vi for p in report.problems}


def test_an_untouched_template_holds_nothing_to_write(template, clerk):
    report = _check(template, clerk)
    assert report.ok and report.values == 0 and report.rows_skipped >= 5
    assert report.dataset == "XA_FILE" and report.sheet == "Số liệu"


def test_filled_template_applies_once_then_changes_nothing(template, clerk, commune, current_quarter):
    data = fill(template, {"CTX.VILLAGES": 12, "CTX.HOUSEHOLDS": "1.234", "HR.DX_TRAINEES": 40})
    checked = _check(data, clerk)
    assert checked.ok and (checked.values, checked.created) == (3, 3)
    assert not Value.objects.filter(unit=commune).exists()
    applied = _apply(data, clerk)
    assert applied.applied and applied.created == 3
    value = Value.objects.get(unit=commune, indicator__code="CTX.HOUSEHOLDS", period=current_quarter.code)
    assert value.value == 1234 and value.source_type == "import" and value.source_file == "bao-cao.xlsx"
    sheet = open_book(data)["Số liệu"]
    assert value.source_row == row_of(sheet, "CTX.HOUSEHOLDS")
    changes = ValueChange.objects.count()
    again = _apply(data, clerk)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert ValueChange.objects.count() == changes


def test_every_problem_at_its_cell(template, clerk, commune):
    book = open_book(template)
    sheet = book["Số liệu"]
    villages, households = row_of(sheet, "CTX.VILLAGES"), row_of(sheet, "CTX.HOUSEHOLDS")
    coverage, online = row_of(sheet, "AWR.CDT_VILLAGE_COVERAGE"), row_of(sheet, "GOV.ONLINE_DOSSIER_RATE")
    sheet[f"G{villages}"] = "mười hai"  # text in a number cell
    sheet[f"G{online}"] = 130  # a percentage over 100
    sheet[f"H{coverage}"], sheet[f"I{coverage}"] = 14, 12  # numerator over denominator
    sheet[f"G{households}"] = 900
    sheet["A9"], sheet["C9"], sheet["G9"] = commune.code, "XXX.KHONG_CO", 5  # unknown indicator
    sheet["A10"], sheet["C10"], sheet["G10"] = "99999", "HR.DX_TRAINEES", 5  # unknown unit
    sheet["A12"], sheet["C12"], sheet["G12"], sheet["A13"] = commune.code, "HR.DX_TRAINEES", 3, commune.code
    sheet.merge_cells("A12:A13")
    report = _check(save_book(book), clerk)
    problems = _problems(report)
    assert (
        problems[f"Số liệu!G{villages}"]
        == "Giá trị: “mười hai” không phải là số (viết như 1.234,5 hoặc 24,3%)"
    )
    assert "không được vượt quá 100 (130)" in problems[f"Số liệu!G{online}"]
    assert problems[f"Số liệu!H{coverage}"] == "Tử số 14 lớn hơn mẫu số 12"
    assert "XXX.KHONG_CO" in problems["Số liệu!C9"]
    assert "99999" in problems["Số liệu!A10"]
    assert problems["Số liệu!A12:A13"].startswith("Ô gộp A12:A13")
    assert report.problems_total == 6
    by_ref = {p.ref: p for p in report.problems}
    assert (by_ref[f"Số liệu!G{villages}"].row, by_ref[f"Số liệu!G{villages}"].header) == (
        villages,
        "Giá trị",
    )
    assert report.values == 5 and report.created == 1  # the households figure alone is good
    # Applying refuses the whole file: nothing of it is written.
    applied = _apply(save_book(book), clerk)
    assert not applied.applied and applied.problems_total == 6
    assert not Value.objects.filter(unit=commune).exists()


def test_blank_rows_are_skipped_and_renamed_headers_still_read(template, clerk, commune):
    book = open_book(template)
    sheet = book["Số liệu"]
    sheet.insert_rows(5, amount=3)  # blank rows in the middle
    sheet["G1"] = "Số liệu quý"  # an officer renames the header; the hidden keys still say "value"
    sheet.move_range("J1:J20", cols=2)  # and moves the notes two columns right
    sheet[f"G{row_of(sheet, 'CTX.VILLAGES')}"] = 7
    sheet[f"L{row_of(sheet, 'CTX.VILLAGES')}"] = "theo báo cáo thôn"
    report = _apply(save_book(book), clerk)
    assert report.applied and report.created == 1
    assert Value.objects.get(unit=commune, indicator__code="CTX.VILLAGES").note == "theo báo cáo thôn"


def test_a_percentage_formatted_cell_is_read_as_excel_shows_it(template, clerk, commune):
    book = open_book(template)
    sheet = book["Số liệu"]
    cell = sheet[f"G{row_of(sheet, 'GOV.ONLINE_DOSSIER_RATE')}"]
    cell.value, cell.number_format = 0.243, "0.0%"  # typed as 24,3% in Excel
    report = _apply(save_book(book), clerk)
    assert report.applied
    assert Value.objects.get(unit=commune, indicator__code="GOV.ONLINE_DOSSIER_RATE").value == pytest.approx(
        24.3
    )


def test_a_unit_outside_the_users_subtree_is_refused_and_nothing_written(
    template, clerk, commune, other_commune
):
    book = open_book(template)
    sheet = book["Số liệu"]
    sheet[f"G{row_of(sheet, 'CTX.VILLAGES')}"] = 9
    sheet["A9"], sheet["C9"], sheet["G9"] = other_commune.code, "CTX.VILLAGES", 11
    report = _apply(save_book(book), clerk)
    assert not report.applied
    assert "nằm ngoài các đơn vị bạn được nhập số liệu" in _problems(report)["Số liệu!A9"]
    assert not Value.objects.filter(unit__in=[commune, other_commune]).exists()


def test_a_closed_period_is_refused(clerk, quarterly, closed_quarter, commune):
    text = f"unit_code,indicator,period,value\n{commune.code},CTX.VILLAGES,{closed_quarter.code},10\n"
    report = _apply(text.encode(), clerk, "so-lieu.csv")
    assert not report.applied
    assert "đã khóa" in _problems(report)["C2"]


def test_the_template_binds_its_period_and_data_set(template, clerk, commune, closed_quarter):
    book = open_book(template)
    sheet = book["Số liệu"]
    sheet["A9"], sheet["C9"], sheet["F9"], sheet["G9"] = commune.code, "CTX.VILLAGES", closed_quarter.code, 3
    sheet["A10"], sheet["C10"], sheet["G10"] = commune.code, "INF.BTS_STATIONS", 2  # not in the data set
    sheet["A11"], sheet["C11"], sheet["G11"] = (
        commune.code,
        "HR.DX_TRAINEES",
        4,
    )  # period left blank: the template's
    report = _check(save_book(book), clerk)
    problems = _problems(report)
    assert "khác kỳ của mẫu" in problems["Số liệu!F9"]
    assert "không thuộc bộ số liệu" in problems["Số liệu!C10"]
    assert report.problems_total == 2 and report.created == 1


def test_a_submitted_report_takes_no_file(template, clerk, quarterly, commune, current_quarter):
    from dxmonitor.workflow.models import Report, ReportStatus

    Report.objects.create(
        dataset=quarterly, unit=commune, period=current_quarter.code, status=ReportStatus.SUBMITTED
    )
    report = _check(fill(template, {"CTX.VILLAGES": 4}), clerk)
    assert "đã nộp" in next(iter(_problems(report).values()))


def test_village_figures_by_file(clerk, village_set, this_year, villages):
    from dxmonitor.files.template import build_template, template_scope

    data = build_template(template_scope(dataset=village_set, period=this_year, user=clerk))
    book = open_book(data)
    sheet = book["Số liệu"]
    for village in villages:
        sheet[f"G{row_of(sheet, 'CTX.HOUSEHOLDS', village.code)}"] = 120
    report = _apply(save_book(book), clerk)
    assert report.applied and report.created == 2
    assert Value.objects.filter(unit__in=villages, indicator__code="CTX.HOUSEHOLDS").count() == 2
