"""The catalogue as loaded from the shipped file, and administrators' changes to it."""

import csv
import io

import pytest

from dxmonitor.catalog.actions import create_indicator, load_catalog, update_indicator
from dxmonitor.catalog.catalog_file import DEFAULT_CATALOG
from dxmonitor.catalog.models import Indicator, IndicatorChange, Target
from dxmonitor.catalog.queries import national_target, search_indicators
from dxmonitor.catalog.schemas import IndicatorIn, IndicatorPatch, TargetIn
from dxmonitor.common.errors import DomainError, InvalidInput

pytestmark = pytest.mark.django_db


def shipped_rows() -> list[dict]:
    return list(csv.DictReader(io.StringIO(DEFAULT_CATALOG.read_text(encoding="utf-8"))))


def test_every_row_of_the_catalogue_file_is_an_indicator():
    rows = shipped_rows()
    assert len(rows) == 66
    assert Indicator.objects.count() == len(rows)
    for row in rows:
        indicator = Indicator.objects.get(code=row["code"])
        assert indicator.group.code == row["pillar"]
        assert indicator.name_vi == row["name_vi"] and indicator.name_en == row["name_en"]
        assert indicator.measure_unit == row["unit"] and indicator.kind == row["kind"]
        assert indicator.aggregation == row["aggregation"] and indicator.direction == row["direction"]
        assert indicator.phrasings == [p for p in row["phrasings"].split("|") if p]
        assert indicator.period_aggregation == row["period_aggregation"]


def test_denominators_link_to_context_indicators():
    household_share = Indicator.objects.get(code="INF.HOUSEHOLD_FIXED_BB")
    assert household_share.denominator_indicator.code == "CTX.HOUSEHOLDS"
    assert household_share.numerator_label == "households with fixed broadband"
    signed = Indicator.objects.get(code="GOV.EDOC_SIGNED")
    assert signed.denominator_indicator is None and signed.denominator_label == "documents exchanged"


def test_national_targets_with_year_and_source():
    targets = {(t.year, t.level): t for t in Target.objects.filter(indicator__code="INF.HOUSEHOLD_FIXED_BB")}
    assert targets[(2025, "")].value == 80 and targets[(2030, "")].value == 100
    assert "411/QĐ-TTg" in targets[(2025, "")].source


def test_level_specific_targets():
    work_records = Indicator.objects.get(code="GOV.WORK_RECORDS_ONLINE")
    by_level = {t.level: t.value for t in work_records.targets.filter(year=2025)}
    assert by_level == {"province": 90, "district": 80, "commune": 60}
    assert national_target(work_records, year=2024, level="commune").value == 60
    assert national_target(work_records, year=2024, level="province").value == 90
    assert national_target(work_records, year=2026, level="commune").value == 100


def test_reloading_changes_nothing():
    report = load_catalog()
    assert report.created == [] and report.updated == [] and report.unchanged == 66
    assert not IndicatorChange.objects.filter(action="update").exists()


def test_a_bad_file_is_rejected_whole_with_every_problem(tmp_path):
    rows = shipped_rows()
    rows[0]["kind"] = "sometimes"
    rows[1]["target_2025"] = "nhiều"
    rows[2]["code"] = "lower.case"
    rows.append(dict(rows[3]))  # duplicate code
    path = tmp_path / "bad.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    name_before = Indicator.objects.get(code=rows[0]["code"]).name_vi
    with pytest.raises(InvalidInput) as caught:
        load_catalog(path=path)
    fields = {(p.row, p.field) for p in caught.value.problems}
    assert (2, "kind") in fields and (3, "target_2025") in fields and (4, "code") in fields
    assert any("appears twice" in p.message_en for p in caught.value.problems)
    assert Indicator.objects.get(code=rows[0]["code"]).name_vi == name_before


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(DomainError, match="not found"):
        load_catalog(path=tmp_path / "none.csv")


def new_definition(**overrides) -> IndicatorIn:
    data = {
        "code": "INF.PUBLIC_WIFI_POINTS",
        "group": "INF",
        "name_vi": "Số điểm wifi công cộng miễn phí",
        "name_en": "Free public wifi points",
        "measure_unit": "point",
        "kind": "count",
        "aggregation": "sum",
        "direction": "up",
        "phrasings": ["wifi công cộng", "điểm phát wifi miễn phí"],
        "targets": [TargetIn(year=2030, value=500, source="Kế hoạch tỉnh")],
    }
    data.update(overrides)
    return IndicatorIn(**data)


def test_an_administrator_adds_an_indicator(admin):
    indicator = create_indicator(data=new_definition(), user=admin)
    assert indicator.targets.get().value == 500
    change = indicator.changes.get()
    assert change.action == "create" and change.changed_by == admin
    assert [i.code for i in search_indicators(q="wifi cong cong")] == ["INF.PUBLIC_WIFI_POINTS"]
    with pytest.raises(DomainError, match="already exists"):
        create_indicator(data=new_definition(), user=admin)


def test_an_invalid_definition_lists_every_problem():
    with pytest.raises(InvalidInput) as caught:
        create_indicator(
            data=new_definition(
                code="bad",
                kind="lots",
                measure_unit="percent",
                aggregation="ratio_of_sums",
                targets=[TargetIn(year=2030, value=120)],
            )
        )
    fields = {p.field for p in caught.value.problems}
    assert {"code", "kind", "denominator_label", "targets"} <= fields
    assert all(p.message_vi for p in caught.value.problems)


def test_an_edit_is_recorded_with_old_and_new(admin):
    update_indicator(
        code="INF.BTS_STATIONS",
        data=IndicatorPatch(
            name_en="Mobile base transceiver stations", targets=[TargetIn(year=2030, value=900)]
        ),
        user=admin,
    )
    indicator = Indicator.objects.get(code="INF.BTS_STATIONS")
    assert indicator.name_en == "Mobile base transceiver stations"
    assert [(t.year, t.value) for t in indicator.targets.all()] == [(2030, 900)]
    change = indicator.changes.filter(action="update").get()
    assert change.changes["name_en"] == ["Mobile base stations (BTS)", "Mobile base transceiver stations"]
    assert "targets" in change.changes and change.channel == "form"


def test_an_edit_that_breaks_the_rules_changes_nothing(admin):
    with pytest.raises(InvalidInput):
        update_indicator(code="INF.HOUSEHOLD_FIXED_BB", data=IndicatorPatch(kind="nonsense"), user=admin)
    assert Indicator.objects.get(code="INF.HOUSEHOLD_FIXED_BB").kind == "rate"


def test_editing_an_unknown_indicator_is_not_found():
    with pytest.raises(DomainError, match="unknown indicator"):
        update_indicator(code="NOPE.NOPE", data=IndicatorPatch(name_en="x"))


def test_search_ignores_diacritics_and_finds_phrasings():
    assert search_indicators(q="cap quang")[0].code in {
        "INF.FIBRE_COMMUNE_COVERAGE",
        "INF.FIBRE_VILLAGE_COVERAGE",
        "INF.HOUSEHOLD_FIXED_BB",
    }
    assert "GOV.LATE_DOSSIERS" in [i.code for i in search_indicators(q="ho so tre han")]


def test_reloading_the_file_keeps_what_administrators_changed(admin):
    update_indicator(
        code="SOC.DIGITAL_ID",
        data=IndicatorPatch(
            definition="Tài khoản VNeID mức 2", is_active=False, targets=[TargetIn(year=2026, value=60)]
        ),
        user=admin,
    )
    report = load_catalog()
    assert report.kept == ["SOC.DIGITAL_ID"] and report.updated == []
    kept = Indicator.objects.get(code="SOC.DIGITAL_ID")
    assert (kept.definition, kept.is_active) == ("Tài khoản VNeID mức 2", False)
    assert [(t.year, t.value) for t in kept.targets.all()] == [(2026, 60)]
    replaced = load_catalog(overwrite=True)
    assert replaced.updated == ["SOC.DIGITAL_ID"]
    restored = Indicator.objects.get(code="SOC.DIGITAL_ID")
    assert restored.targets.count() == 0
    # The file has no column for these: even an overwrite leaves them to people.
    assert (restored.definition, restored.is_active) == ("Tài khoản VNeID mức 2", False)


def test_flows_add_up_over_time_and_stocks_are_read_at_the_end():
    assert Indicator.objects.get(code="HR.DX_TRAINEES").period_aggregation == "sum"
    assert Indicator.objects.get(code="GOV.ONLINE_DOSSIER_RATE").period_aggregation == "sum"
    assert Indicator.objects.get(code="CTX.VILLAGES").period_aggregation == "end"
    assert Indicator.objects.get(code="INF.FIBRE_VILLAGE_COVERAGE").period_aggregation == "end"
