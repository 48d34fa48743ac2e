"""The Excel template: what an officer downloads, checked cell by cell with openpyxl."""

import io
import zipfile

import pytest

from dxmonitor.common.errors import Forbidden
from dxmonitor.files.template import build_template, template_scope

from .books import open_book, row_of
from .conftest import QUARTERLY

pytestmark = pytest.mark.django_db


def test_sheets_headers_keys_and_rows(template, commune):
    book = open_book(template)
    assert book.sheetnames == ["Số liệu", "Hướng dẫn", "Danh mục", "_dxm"]
    assert [book[name].sheet_state for name in book.sheetnames] == [
        "visible",
        "visible",
        "hidden",
        "veryHidden",
    ]
    sheet = book["Số liệu"]
    headers = "Mã đơn vị|Tên đơn vị|Mã chỉ tiêu|Tên chỉ tiêu|Đơn vị tính|Kỳ|Giá trị|Tử số|Mẫu số|Ghi chú"
    assert [c.value for c in sheet[1]] == headers.split("|")
    assert [c.value for c in sheet[2]][:3] == ["unit_code", "unit_name", "indicator"]
    assert sheet.row_dimensions[2].hidden
    assert sheet.freeze_panes == "C3"
    rows = [r for r in sheet.iter_rows(min_row=3, values_only=True) if r[0]]
    assert len(rows) == 5  # one commune × five indicators
    assert rows[0][:2] == (commune.code, commune.name)
    assert [r[2] for r in rows] == [code for code, _ in QUARTERLY]
    assert rows[2][4] == "%"
    # Codes are text, so that a commune code keeps its leading zero.
    assert sheet["A3"].data_type == "s"


def test_locked_codes_open_entry_columns(template):
    sheet = open_book(template)["Số liệu"]
    assert sheet.protection.sheet
    assert sheet["A3"].protection.locked and sheet["D3"].protection.locked and sheet["A1"].protection.locked
    assert not any(sheet[f"{c}3"].protection.locked for c in "GHIJ")
    # The open rows under the data take new codes too.
    assert not sheet["A9"].protection.locked and not sheet["C9"].protection.locked


def test_validations_and_lists(template, commune):
    book = open_book(template)
    sheet = book["Số liệu"]
    rules = {str(v.sqref).split(":")[0]: v for v in sheet.data_validations.dataValidation}
    value = rules["G3"]
    assert (
        value.type == "decimal"
        and value.formula1 == "0"
        and "100" in value.formula2
        and "$E3" in value.formula2
    )
    assert rules["H3"].type == "decimal" and rules["H3"].operator == "greaterThanOrEqual"
    assert rules["A3"].type == "list" and rules["A3"].formula1 == "ds_don_vi"
    assert rules["C3"].type == "list" and rules["C3"].formula1 == "ds_chi_tieu"
    assert value.error and "phần trăm" in value.error
    lists = book["Danh mục"]
    assert lists["A2"].value == commune.code and lists["D2"].value == "CTX.VILLAGES"
    assert book.defined_names["ds_don_vi"].attr_text == "'Danh mục'!$A$2:$A$2"
    assert book.defined_names["ds_chi_tieu"].attr_text == "'Danh mục'!$D$2:$D$6"


def test_records_data_set_and_period(template, quarterly, current_quarter, clerk):
    book = open_book(template)
    meta = {row[0]: row[1] for row in book["_dxm"].iter_rows(values_only=True)}
    assert meta["dataset"] == quarterly.code and meta["period"] == current_quarter.code
    assert meta["created_by"] == clerk.username
    assert book.properties.subject == f"dxmonitor-template {quarterly.code} {current_quarter.code}"
    guide = " ".join(str(r[0]) for r in book["Hướng dẫn"].iter_rows(values_only=True) if r[0])
    assert "Cách điền" in guide and "Áp dụng" in guide and "1.234,5" in guide and quarterly.name_vi in guide


def test_prefilled_figures_and_inert_notes(clerk, quarterly, current_quarter, commune, indicator):
    from dxmonitor.collection.actions import Provenance, record_value

    form = Provenance(source_type="form")
    note = '=HYPERLINK("http://x.invalid","bấm")'
    period = current_quarter.code
    record_value(
        unit=commune,
        indicator=indicator("CTX.VILLAGES"),
        period=period,
        kind="actual",
        value=12,
        note=note,
        user=clerk,
        provenance=form,
    )
    record_value(
        unit=commune,
        indicator=indicator("AWR.CDT_VILLAGE_COVERAGE"),
        period=period,
        kind="actual",
        value=None,
        numerator=9,
        denominator=12,
        user=clerk,
        provenance=form,
    )
    data = build_template(template_scope(dataset=quarterly, period=current_quarter, user=clerk))
    sheet = open_book(data)["Số liệu"]
    villages, coverage = row_of(sheet, "CTX.VILLAGES"), row_of(sheet, "AWR.CDT_VILLAGE_COVERAGE")
    assert sheet[f"G{villages}"].value == 12
    note = sheet[f"J{villages}"]
    assert note.value.startswith("=HYPERLINK") and note.data_type == "s" and note.quotePrefix
    assert (sheet[f"G{coverage}"].value, sheet[f"H{coverage}"].value, sheet[f"I{coverage}"].value) == (
        75,
        9,
        12,
    )
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert b"<f>" not in archive.read("xl/worksheets/sheet1.xml")


def test_only_the_users_units(clerk, quarterly, current_quarter, commune, other_commune, officer_token):
    scope = template_scope(dataset=quarterly, period=current_quarter, user=clerk)
    assert [u.pk for u in scope.units] == [commune.pk]
    with pytest.raises(Forbidden):
        template_scope(dataset=quarterly, period=current_quarter, user=clerk, within=other_commune)


def test_a_user_without_a_role_gets_no_template(admin, quarterly, current_quarter, db):
    from dxmonitor.accounts.actions import ensure_user

    nobody, _ = ensure_user(username="khongvaitro", password="mat-khau-dai-000")
    with pytest.raises(Forbidden) as caught:
        template_scope(dataset=quarterly, period=current_quarter, user=nobody)
    assert "không được giao" in caught.value.message_vi


def test_village_template_has_a_row_per_village_and_indicator(clerk, village_set, this_year, villages):
    scope = template_scope(dataset=village_set, period=this_year, user=clerk)
    sheet = open_book(build_template(scope))["Số liệu"]
    rows = [r for r in sheet.iter_rows(min_row=3, values_only=True) if r[0]]
    assert len(rows) == 2 * 2
    assert {r[0] for r in rows} == {v.code for v in villages}
    assert rows[0][5] == this_year.code
