"""The data-entry form: who may open it, what a cell save answers, closed periods, concurrent edits."""

import re

import pytest

from dxmonitor.catalog.models import Indicator
from dxmonitor.collection.actions import Provenance, record_value
from dxmonitor.collection.models import SourceType, Value, ValueChange
from dxmonitor.workflow.queries import completeness

from .conftest import cell_path, form_path

pytestmark = pytest.mark.django_db


def value_of(unit, code, period):
    return Value.objects.filter(unit=unit, indicator__code=code, period=period.code, is_deleted=False).first()


def post_cell(client, dataset, unit, period, code, *, cell_unit=None, version=0, **parts):
    cell_unit = cell_unit or unit
    key = f"{cell_unit.pk}-{code}"
    data = {f"{name}-{key}": text for name, text in parts.items()}
    data[f"ver-{key}"] = str(version)
    return client.post(cell_path(dataset, unit, period, cell_unit, code), data, HTTP_HX_REQUEST="true")


def cell_state(html: str) -> str:
    match = re.search(r'<div class="cell[^"]*" id="cell-[^"]+" data-state="(\w*)"', html)
    assert match, html[:500]
    return match.group(1)


def test_the_form_renders_for_an_officer_in_scope(clerk_client, quarterly, commune, current_quarter):
    response = clerk_client.get(form_path(quarterly, commune, current_quarter))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Xã Than Uyên" in html and quarterly.name_vi in html
    assert "Quý" in html  # the period as officials write it
    assert f'name="v-{commune.pk}-CTX.HOUSEHOLDS"' in html
    # A rate gets a numerator and a denominator.
    assert f'name="n-{commune.pk}-AWR.CDT_VILLAGE_COVERAGE"' in html
    assert f'name="d-{commune.pk}-AWR.CDT_VILLAGE_COVERAGE"' in html
    assert "vendor/htmx/htmx.min.js" in html and "web/entry.js" in html
    assert 'data-window="open"' in html
    assert 'id="entry-summary"' in html


def test_htmx_is_loaded_only_where_needed(clerk_client, quarterly):
    html = clerk_client.get("/").content.decode()
    assert "htmx" not in html


def test_the_form_is_refused_out_of_scope_and_to_strangers(
    client, clerk_client, quarterly, other_commune, commune, current_quarter
):
    assert clerk_client.get(form_path(quarterly, other_commune, current_quarter)).status_code == 403
    response = clerk_client.post(
        cell_path(quarterly, other_commune, current_quarter, other_commune, "CTX.HOUSEHOLDS"),
        {f"v-{other_commune.pk}-CTX.HOUSEHOLDS": "100"},
    )
    assert response.status_code == 403
    assert not Value.objects.filter(unit=other_commune).exists()
    client.logout()
    anonymous = client.get(form_path(quarterly, commune, current_quarter))
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]


def test_unknown_data_set_period_or_unit_is_404(clerk_client, quarterly, commune, current_quarter, province):
    assert clerk_client.get(f"/collect/NOPE/{commune.pk}/{current_quarter.code}/").status_code == 404
    assert clerk_client.get(f"/collect/{quarterly.code}/{commune.pk}/2026/").status_code == 404  # a year
    assert clerk_client.get(f"/collect/{quarterly.code}/{commune.pk}/2026Q9/").status_code == 404
    assert clerk_client.get(form_path(quarterly, province, current_quarter)).status_code == 404


def test_a_reader_sees_the_form_read_only(client, quarterly, commune, current_quarter):
    from dxmonitor.accounts.actions import ensure_user, grant_role

    reader, _ = ensure_user(username="phantich", password="mat-khau-dai-000")
    grant_role(user=reader, role="analyst", unit=commune)
    client.force_login(reader)
    html = client.get(form_path(quarterly, commune, current_quarter)).content.decode()
    assert 'data-lock="read_only"' in html
    assert f'name="v-{commune.pk}-CTX.HOUSEHOLDS"' not in html
    response = post_cell(client, quarterly, commune, current_quarter, "CTX.HOUSEHOLDS", v="100")
    assert cell_state(response.content.decode()) == "refused"
    assert "không được nhập số liệu" in response.content.decode()
    assert not Value.objects.filter(unit=commune).exists()


def test_a_cell_saves_a_vietnamese_number(clerk_client, clerk, quarterly, commune, current_quarter):
    response = post_cell(clerk_client, quarterly, commune, current_quarter, "CTX.HOUSEHOLDS", v="1.234")
    assert response.status_code == 200
    html = response.content.decode()
    assert cell_state(html) == "saved" and "✓" in html
    assert 'value="1.234"' in html
    assert f'name="ver-{commune.pk}-CTX.HOUSEHOLDS" value="1"' in html
    # The completeness follows, out of band.
    assert 'id="entry-summary" class="entry-summary" hx-swap-oob="true"' in html
    assert 'data-required-filled="1" data-required="4"' in html
    value = value_of(commune, "CTX.HOUSEHOLDS", current_quarter)
    assert value.value == 1234 and value.source_type == SourceType.FORM and value.updated_by == clerk


def test_a_rate_is_saved_with_its_numerator_and_denominator(
    clerk_client, quarterly, commune, current_quarter
):
    response = post_cell(
        clerk_client, quarterly, commune, current_quarter, "AWR.CDT_VILLAGE_COVERAGE", n="12", d="15", v=""
    )
    assert cell_state(response.content.decode()) == "saved"
    assert "= 80%" in response.content.decode()
    value = value_of(commune, "AWR.CDT_VILLAGE_COVERAGE", current_quarter)
    assert (value.value, value.numerator, value.denominator) == (80, 12, 15)
    # A rate alone, as a percentage, also goes.
    post_cell(clerk_client, quarterly, commune, current_quarter, "GOV.ONLINE_DOSSIER_RATE", v="24,3%")
    assert value_of(commune, "GOV.ONLINE_DOSSIER_RATE", current_quarter).value == 24.3


@pytest.mark.parametrize(
    ("code", "parts", "message"),
    [
        ("CTX.HOUSEHOLDS", {"v": "12,3,4"}, "“12,3,4” không phải là số"),
        ("GOV.ONLINE_DOSSIER_RATE", {"v": "124%"}, "Tỷ lệ phần trăm không được vượt quá 100"),
        ("AWR.CDT_VILLAGE_COVERAGE", {"n": "16", "d": "15"}, "Tử số 16 lớn hơn mẫu số 15"),
        ("AWR.CDT_VILLAGE_COVERAGE", {"n": "16", "d": ""}, "Cần nhập cả tử số và mẫu số"),
        ("CTX.HOUSEHOLDS", {"v": "-5"}, "không được âm"),
    ],
)
def test_bad_input_returns_the_cell_with_the_error_and_writes_nothing(
    clerk_client, quarterly, commune, current_quarter, code, parts, message
):
    response = post_cell(clerk_client, quarterly, commune, current_quarter, code, **parts)
    assert response.status_code == 200
    html = response.content.decode()
    assert cell_state(html) == "error"
    assert message in html
    assert 'aria-invalid="true"' in html
    # What the officer typed stays in the box, to be corrected.
    typed = next(iter(parts.values()))
    assert f'value="{typed}"' in html
    assert not Value.objects.filter(unit=commune).exists()
    assert not ValueChange.objects.filter(value__unit=commune).exists()


def test_emptying_a_cell_deletes_its_value_softly(clerk_client, quarterly, commune, current_quarter):
    post_cell(clerk_client, quarterly, commune, current_quarter, "CTX.HOUSEHOLDS", v="900")
    response = post_cell(clerk_client, quarterly, commune, current_quarter, "CTX.HOUSEHOLDS", v="", version=1)
    assert cell_state(response.content.decode()) == "cleared"
    value = Value.objects.get(unit=commune, indicator__code="CTX.HOUSEHOLDS")
    assert value.is_deleted and value.version == 2
    assert 'data-required-filled="0"' in response.content.decode()


def test_a_closed_period_refuses_and_a_reopened_one_accepts(
    clerk_client, client, quarterly, commune, closed_quarter, approver
):
    html = clerk_client.get(form_path(quarterly, commune, closed_quarter)).content.decode()
    assert 'data-window="closed"' in html and 'data-lock="closed"' in html
    assert f'name="v-{commune.pk}-CTX.HOUSEHOLDS"' not in html
    assert "/reopen/" not in html  # the officer cannot reopen
    response = post_cell(clerk_client, quarterly, commune, closed_quarter, "CTX.HOUSEHOLDS", v="100")
    assert cell_state(response.content.decode()) == "refused"
    assert "đã khóa" in response.content.decode()
    assert not Value.objects.filter(unit=commune).exists()

    # The approver sees the reopening form and reopens the period.
    approver_client = client.__class__()
    approver_client.force_login(approver)
    page = approver_client.get(form_path(quarterly, commune, closed_quarter)).content.decode()
    assert "/reopen/" in page
    refused = approver_client.post(
        form_path(quarterly, commune, closed_quarter) + "reopen/", {"until": "2999-01-01", "reason": ""}
    )
    assert refused.status_code == 302
    assert not quarterly.windows.filter(reopened_until__isnull=False).exists()
    import datetime

    from django.utils import timezone

    until = timezone.localdate() + datetime.timedelta(days=7)
    answer = approver_client.post(
        form_path(quarterly, commune, closed_quarter) + "reopen/",
        {"until": until.strftime("%d/%m/%Y"), "reason": "Xã bổ sung số hộ"},
    )
    assert answer.status_code == 302
    html = clerk_client.get(form_path(quarterly, commune, closed_quarter)).content.decode()
    assert 'data-window="reopened"' in html and until.strftime("%d/%m/%Y") in html
    response = post_cell(clerk_client, quarterly, commune, closed_quarter, "CTX.HOUSEHOLDS", v="100")
    assert cell_state(response.content.decode()) == "saved"
    assert value_of(commune, "CTX.HOUSEHOLDS", closed_quarter).value == 100


def test_only_an_approver_reopens(clerk_client, quarterly, commune, closed_quarter):
    response = clerk_client.post(
        form_path(quarterly, commune, closed_quarter) + "reopen/", {"until": "2999-01-01", "reason": "x"}
    )
    assert response.status_code == 403


def test_a_concurrent_edit_is_saved_and_the_officer_is_told(
    clerk_client, clerk, approver, quarterly, commune, current_quarter
):
    post_cell(clerk_client, quarterly, commune, current_quarter, "CTX.VILLAGES", v="12")
    # The form now shows 12, version 1. Meanwhile the approver corrects it to 14.
    record_value(
        unit=commune,
        indicator=Indicator.objects.get(code="CTX.VILLAGES"),
        period=current_quarter.code,
        value=14,
        provenance=Provenance(source_type=SourceType.FORM),
        user=approver,
    )
    response = post_cell(clerk_client, quarterly, commune, current_quarter, "CTX.VILLAGES", v="15", version=1)
    html = response.content.decode()
    assert cell_state(html) == "saved"
    assert re.search(
        r"Giá trị vừa được pheduyet sửa từ 12 thành 14 lúc \d\d:\d\d; giá trị của bạn \(15\) đã được lưu\.",
        html,
    ), html
    value = value_of(commune, "CTX.VILLAGES", current_quarter)
    assert value.value == 15 and value.version == 3
    history = list(ValueChange.objects.filter(value=value).order_by("version"))
    assert [(h.after["value"], h.changed_by) for h in history] == [(12, clerk), (14, approver), (15, clerk)]


def test_a_stale_untouched_cell_never_overwrites_a_newer_value(
    clerk_client, approver, quarterly, commune, current_quarter
):
    post_cell(clerk_client, quarterly, commune, current_quarter, "CTX.VILLAGES", v="12")
    record_value(
        unit=commune,
        indicator=Indicator.objects.get(code="CTX.VILLAGES"),
        period=current_quarter.code,
        value=14,
        provenance=Provenance(source_type=SourceType.FORM),
        user=approver,
    )
    # The officer's form still shows 12 (version 1) and sends it back unchanged.
    response = post_cell(clerk_client, quarterly, commune, current_quarter, "CTX.VILLAGES", v="12", version=1)
    html = response.content.decode()
    assert cell_state(html) == "notice" and "thành 14" in html
    assert 'value="14"' in html
    assert value_of(commune, "CTX.VILLAGES", current_quarter).value == 14


def test_completeness_counts_required_and_all_figures(clerk_client, quarterly, commune, current_quarter):
    for code, parts in [
        ("CTX.VILLAGES", {"v": "15"}),
        ("CTX.HOUSEHOLDS", {"v": "1.234"}),
        ("HR.DX_TRAINEES", {"v": "320"}),
    ]:
        post_cell(clerk_client, quarterly, commune, current_quarter, code, **parts)
    counted = completeness(quarterly, commune, current_quarter)
    assert (counted.required_filled, counted.required, counted.filled, counted.total) == (2, 4, 3, 6)
    assert [i.code for _, i in counted.missing] == ["AWR.CDT_VILLAGE_COVERAGE", "GOV.ONLINE_DOSSIER_RATE"]
    html = clerk_client.get(form_path(quarterly, commune, current_quarter)).content.decode()
    assert '<b class="count">2/4</b>' in html and '<b class="count">3/6</b>' in html


def test_save_all_without_javascript(clerk_client, quarterly, commune, current_quarter):
    pk = commune.pk
    path = form_path(quarterly, commune, current_quarter)
    data = {
        f"v-{pk}-CTX.VILLAGES": "15",
        f"ver-{pk}-CTX.VILLAGES": "0",
        f"v-{pk}-CTX.HOUSEHOLDS": "1.234",
        f"ver-{pk}-CTX.HOUSEHOLDS": "0",
        f"v-{pk}-AWR.CDT_VILLAGE_COVERAGE": "",
        f"n-{pk}-AWR.CDT_VILLAGE_COVERAGE": "12",
        f"d-{pk}-AWR.CDT_VILLAGE_COVERAGE": "15",
        f"ver-{pk}-AWR.CDT_VILLAGE_COVERAGE": "0",
        f"v-{pk}-HR.DX_TRAINEES": "",
        f"ver-{pk}-HR.DX_TRAINEES": "0",
    }
    response = clerk_client.post(path, data)
    assert response.status_code == 302 and response["Location"] == path
    assert value_of(commune, "CTX.HOUSEHOLDS", current_quarter).value == 1234
    assert value_of(commune, "AWR.CDT_VILLAGE_COVERAGE", current_quarter).value == 80
    assert value_of(commune, "HR.DX_TRAINEES", current_quarter) is None

    # One bad figure: the others are saved, the bad one is shown with its error.
    data.update({f"v-{pk}-CTX.VILLAGES": "16", f"ver-{pk}-CTX.VILLAGES": "1", f"v-{pk}-HR.DX_TRAINEES": "ba"})
    data.update({f"ver-{pk}-CTX.HOUSEHOLDS": "1", f"ver-{pk}-AWR.CDT_VILLAGE_COVERAGE": "1"})
    response = clerk_client.post(path, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "“ba” không phải là số" in html and 'value="ba"' in html
    assert value_of(commune, "CTX.VILLAGES", current_quarter).value == 16
    assert value_of(commune, "CTX.HOUSEHOLDS", current_quarter).version == 1  # untouched, not rewritten


def test_the_village_grid(clerk_client, village_set, commune, other_commune, villages, today):
    from dxmonitor.workflow.queries import period_containing

    year = period_containing("Y", today)
    html = clerk_client.get(form_path(village_set, commune, year)).content.decode()
    assert 'class="entry-grid"' in html
    for village in villages:
        assert village.name in html
        assert f'name="v-{village.pk}-INF.BTS_STATIONS"' in html
    response = post_cell(
        clerk_client, village_set, commune, year, "CTX.HOUSEHOLDS", cell_unit=villages[1], v="87"
    )
    assert cell_state(response.content.decode()) == "saved"
    assert 'data-required-filled="1" data-required="6"' in response.content.decode()
    assert value_of(villages[1], "CTX.HOUSEHOLDS", year).value == 87
    counted = completeness(village_set, commune, year)
    assert (counted.filled, counted.total) == (1, 9)
    # A village of another commune is not part of this report.
    from dxmonitor.geo.actions import add_village

    elsewhere = add_village(commune=other_commune, name="Bản Khác (thử)", unit_type="ban")
    response = post_cell(
        clerk_client, village_set, commune, year, "CTX.HOUSEHOLDS", cell_unit=elsewhere, v="87"
    )
    assert response.status_code == 404


def test_a_commune_without_villages_is_told_so(clerk_client, village_set, commune, today):
    from dxmonitor.workflow.queries import period_containing

    html = clerk_client.get(form_path(village_set, commune, period_containing("Y", today))).content.decode()
    assert "entry-grid" not in html and 'class="empty"' in html


def test_an_expired_session_sends_htmx_to_the_login(client, quarterly, commune, current_quarter):
    response = client.post(
        cell_path(quarterly, commune, current_quarter, commune, "CTX.HOUSEHOLDS"), {}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 401 and response["HX-Redirect"].startswith("/login/")


def test_an_untouched_figure_with_many_decimals_survives_save_all(
    clerk_client, clerk, quarterly, commune, current_quarter
):
    record_value(
        unit=commune,
        indicator=Indicator.objects.get(code="GOV.ONLINE_DOSSIER_RATE"),
        period=current_quarter.code,
        value=45.4348,
        provenance=Provenance(source_type=SourceType.API),
        user=clerk,
    )
    html = clerk_client.get(form_path(quarterly, commune, current_quarter)).content.decode()
    assert 'value="45,4348"' in html
    key = f"{commune.pk}-GOV.ONLINE_DOSSIER_RATE"
    response = clerk_client.post(
        form_path(quarterly, commune, current_quarter),
        {f"v-{key}": "45,4348", f"n-{key}": "", f"d-{key}": "", f"ver-{key}": "1"},
    )
    assert response.status_code == 302
    value = value_of(commune, "GOV.ONLINE_DOSSIER_RATE", current_quarter)
    assert value.value == 45.4348 and value.version == 1


def test_broken_rules_show_as_the_cells_save(clerk_client, quarterly, commune, current_quarter):
    post_cell(clerk_client, quarterly, commune, current_quarter, "CTX.VILLAGES", v="10")
    response = post_cell(
        clerk_client, quarterly, commune, current_quarter, "AWR.CDT_VILLAGE_COVERAGE", n="12", d="15"
    )
    html = response.content.decode()
    assert cell_state(html) == "saved"
    summary = html[html.index('id="entry-summary"') :]
    assert 'data-violations="1"' in summary
    assert "Số thôn có tổ công nghệ số cộng đồng không vượt quá số thôn" in summary
    response = post_cell(clerk_client, quarterly, commune, current_quarter, "CTX.VILLAGES", v="15", version=1)
    assert "data-violations" not in response.content.decode()
