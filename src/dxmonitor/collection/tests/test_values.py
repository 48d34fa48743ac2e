"""Values: one per (unit, indicator, period, kind), every change kept, deletes soft."""

import datetime

import pytest

from dxmonitor.collection.actions import (
    CREATED,
    DELETED,
    RESTORED,
    UNCHANGED,
    UPDATED,
    Provenance,
    add_document,
    delete_value,
    find_publication_date,
    record_value,
)
from dxmonitor.collection.models import SourceType, Value, ValueChange
from dxmonitor.collection.queries import compare, filter_values, target_comparisons, value_history
from dxmonitor.common.errors import DomainError, InvalidInput

pytestmark = pytest.mark.django_db
FORM = Provenance(source_type=SourceType.FORM)


@pytest.fixture
def tua_chua(unit_named):
    return unit_named("huyện Tủa Chùa")


def test_a_second_value_for_the_same_key_is_an_update_with_history(tua_chua, indicator, admin, officer):
    from dxmonitor.accounts.actions import grant_role

    grant_role(user=officer, role="data_entry", unit=tua_chua)
    household = indicator("INF.HOUSEHOLD_FIXED_BB")
    first = record_value(
        unit=tua_chua, indicator=household, period="2024", value="24,3", provenance=FORM, user=officer
    )
    assert first.outcome == CREATED
    second = record_value(
        unit=tua_chua,
        indicator=household,
        period="2024",
        value=26.1,
        user=admin,
        reason="số liệu cuối năm",
        provenance=Provenance(source_type=SourceType.IMPORT, source_file="bao-cao-q4.xlsx", source_row=12),
    )
    assert second.outcome == UPDATED
    assert Value.objects.filter(unit=tua_chua, indicator=household).count() == 1
    value = Value.objects.get(unit=tua_chua, indicator=household)
    assert value.value == 26.1 and value.version == 2
    assert value.source_type == SourceType.IMPORT and value.source_row == 12
    history = list(value_history(value))
    assert [(h.version, h.action) for h in history] == [(1, "create"), (2, "update")]
    assert history[0].after["value"] == 24.3 and history[0].changed_by == officer
    assert history[1].before["value"] == 24.3 and history[1].after["value"] == 26.1
    assert history[1].changed_by == admin and history[1].source_file == "bao-cao-q4.xlsx"
    assert history[1].reason == "số liệu cuối năm"


def test_the_same_content_twice_changes_nothing(tua_chua, indicator):
    household = indicator("INF.HOUSEHOLD_FIXED_BB")
    record_value(unit=tua_chua, indicator=household, period="2024", value=24.3, provenance=FORM)
    again = record_value(unit=tua_chua, indicator=household, period="2024", value="24,3%", provenance=FORM)
    assert again.outcome == UNCHANGED
    assert ValueChange.objects.filter(value=again.value).count() == 1


def test_delete_is_soft_and_recorded_and_a_new_write_restores(tua_chua, indicator, admin):
    household = indicator("INF.HOUSEHOLD_FIXED_BB")
    value = record_value(unit=tua_chua, indicator=household, period="2024", value=24.3, provenance=FORM).value
    assert delete_value(value=value, provenance=FORM, user=admin, reason="nhập nhầm").outcome == DELETED
    assert not filter_values(unit=tua_chua).exists()
    assert filter_values(unit=tua_chua, include_deleted=True).get().is_deleted
    assert delete_value(value=value, provenance=FORM).outcome == UNCHANGED
    restored = record_value(unit=tua_chua, indicator=household, period="2024", value=24.3, provenance=FORM)
    assert restored.outcome == RESTORED
    actions = [c.action for c in value_history(restored.value)]
    assert actions == ["create", "delete", "restore"]
    assert value_history(restored.value)[1].reason == "nhập nhầm"


def test_different_periods_and_kinds_are_different_values(tua_chua, indicator):
    household = indicator("INF.HOUSEHOLD_FIXED_BB")
    for period, kind in [("2023", "actual"), ("2024", "actual"), ("2025", "target"), ("", "actual")]:
        assert (
            record_value(
                unit=tua_chua, indicator=household, period=period, kind=kind, value=30, provenance=FORM
            ).outcome
            == CREATED
        )
    assert filter_values(unit=tua_chua).count() == 4


def test_a_rate_from_its_numerator_and_denominator(tua_chua, indicator):
    coverage = indicator("AWR.CDT_VILLAGE_COVERAGE")
    value = record_value(
        unit=tua_chua,
        indicator=coverage,
        period="2023",
        value=None,
        numerator=72,
        denominator=120,
        provenance=FORM,
    ).value
    assert value.value == 60 and (value.numerator, value.denominator) == (72, 120)


@pytest.mark.parametrize(
    ("kwargs", "field", "words"),
    [
        ({"value": 101}, "value", "exceed 100"),
        ({"value": "nhiều"}, "value", "not a number"),
        ({"value": -3}, "value", "negative"),
        ({"value": None}, "value", "required"),
        ({"value": None, "numerator": 130, "denominator": 120}, "numerator", "larger than denominator"),
        ({"value": 80, "numerator": 72, "denominator": 120}, "value", "disagrees"),
        ({"value": 50, "denominator": 0}, "denominator", "greater than zero"),
        ({"value": 50, "period": "2024Q5"}, "period", "unknown period"),
        ({"value": 50, "kind": "forecast"}, "kind", "actual or target"),
        ({"value": 50, "comparator": "gte"}, "comparator", "comparator"),
        ({"value": 50, "period": "2026"}, "period", "not in force"),
    ],
)
def test_bad_input_is_refused_and_nothing_written(tua_chua, indicator, kwargs, field, words):
    arguments = {"period": "2024", "kind": "actual", "comparator": "eq", **kwargs}
    with pytest.raises(InvalidInput) as caught:
        record_value(
            unit=tua_chua, indicator=indicator("AWR.CDT_VILLAGE_COVERAGE"), provenance=FORM, **arguments
        )
    problem = next(p for p in caught.value.problems if p.field == field)
    assert words in problem.message_en and problem.message_vi
    assert not Value.objects.filter(unit=tua_chua).exists()


def test_a_new_unit_cannot_hold_figures_from_before_it_existed(unit_named, indicator):
    new_commune = unit_named("xã Tủa Chùa", as_of=datetime.date(2025, 8, 1))
    with pytest.raises(InvalidInput, match="not in force"):
        record_value(
            unit=new_commune, indicator=indicator("CTX.VILLAGES"), period="2024", value=12, provenance=FORM
        )
    assert (
        record_value(
            unit=new_commune, indicator=indicator("CTX.VILLAGES"), period="2025Q4", value=12, provenance=FORM
        ).outcome
        == CREATED
    )


def test_evidence_must_match_the_document(tua_chua, indicator):
    document, created = add_document(
        text="Đến nay 12/12 xã đã có tổ công nghệ số cộng đồng.", title="Báo cáo"
    )
    assert created and add_document(text=document.text)[1] is False
    good = Provenance(
        source_type=SourceType.DOCUMENT,
        document=document,
        evidence_quote="12/12 xã",
        evidence_start=8,
        evidence_end=16,
    )
    record_value(
        unit=tua_chua,
        indicator=indicator("AWR.CDT_COMMUNE_COVERAGE"),
        period="",
        value=100,
        numerator=12,
        denominator=12,
        provenance=good,
    )
    bad = Provenance(
        source_type=SourceType.DOCUMENT,
        document=document,
        evidence_quote="13/13 xã",
        evidence_start=8,
        evidence_end=16,
    )
    with pytest.raises(DomainError, match="evidence"):
        record_value(
            unit=tua_chua,
            indicator=indicator("AWR.CDT_COMMUNE_COVERAGE"),
            period="2024",
            value=100,
            provenance=bad,
        )


def test_publication_date_is_read_from_the_top_of_an_article():
    text = "Tiêu đề\n\n02:21 PM 25/07/2023 Lượt xem: 273\n\nNội dung nhắc ngày 01/01/2020."
    assert find_publication_date(text) == datetime.date(2023, 7, 25)
    assert find_publication_date("Tiêu đề\nNội dung\n\n\n\n\nngày 01/01/2020") is None


class TestTargets:
    @pytest.mark.parametrize(
        ("value", "comparator", "target", "direction", "expected"),
        [
            (85, "eq", 80, "up", ("met", 0.0, "exact")),
            (24.3, "eq", 80, "up", ("not_met", pytest.approx(55.7), "exact")),
            (83, "approx", 100, "up", ("not_met", 17, "exact")),
            (97, "gt", 100, "up", ("undetermined", 3, "at_most")),
            (97, "gt", 90, "up", ("met", 0.0, "exact")),
            (40, "lt", 50, "up", ("not_met", 10, "at_least")),
            (60, "lt", 50, "up", ("undetermined", None, "exact")),
            (0, "eq", 0, "down", ("met", 0.0, "exact")),
            (17, "eq", 0, "down", ("not_met", 17, "exact")),
            (5, "gt", 0, "down", ("not_met", 5, "at_least")),
            (5, "lt", 0, "down", ("undetermined", 5, "at_most")),
        ],
    )
    def test_compare(self, value, comparator, target, direction, expected):
        assert compare(value=value, comparator=comparator, target=target, direction=direction) == expected

    def test_national_target_for_the_value_year_and_level(self, tua_chua, indicator, unit_named):
        household = record_value(
            unit=tua_chua,
            indicator=indicator("INF.HOUSEHOLD_FIXED_BB"),
            period="2023",
            value=24.3,
            provenance=FORM,
        ).value
        [national] = target_comparisons(household)
        assert (national.status, national.target, national.target_year) == ("not_met", 80, 2025)
        assert national.gap == pytest.approx(55.7)
        commune = unit_named("xã Hua Nà")
        records = record_value(
            unit=commune,
            indicator=indicator("GOV.WORK_RECORDS_ONLINE"),
            period="2024",
            value=65,
            provenance=FORM,
        ).value
        [by_level] = target_comparisons(records)
        assert (by_level.status, by_level.target, by_level.target_level) == ("met", 60, "commune")

    def test_a_local_target_is_compared_too(self, tua_chua, indicator):
        coverage = indicator("INF.FIBRE_VILLAGE_COVERAGE")
        record_value(
            unit=tua_chua, indicator=coverage, period="2025", kind="target", value=70, provenance=FORM
        )
        actual = record_value(
            unit=tua_chua, indicator=coverage, period="2024", value=52, provenance=FORM
        ).value
        scopes = {c.scope: (c.status, c.target) for c in target_comparisons(actual)}
        assert scopes == {"national": ("not_met", 100), "local": ("not_met", 70)}


def test_synthetic_and_real_values_never_overwrite_each_other(tua_chua, indicator):
    villages = indicator("CTX.VILLAGES")
    record_value(unit=tua_chua, indicator=villages, period="2024", value=120, provenance=FORM)
    with pytest.raises(DomainError, match="synthetic"):
        record_value(
            unit=tua_chua,
            indicator=villages,
            period="2024",
            value=99,
            is_synthetic=True,
            provenance=Provenance(source_type=SourceType.SYNTHETIC),
        )
    assert Value.objects.get(unit=tua_chua, indicator=villages).value == 120


def test_a_document_without_a_headline_gets_a_short_title():
    from dxmonitor.collection.actions import derive_title

    lead = (
        "ĐBP - Mặc dù còn gặp nhiều khó khăn do điều kiện kinh tế - xã hội, cơ cấu chất lượng nguồn nhân lực "
        * 2
    )
    title = derive_title(lead + "\nđoạn sau")
    assert title.endswith("…") and len(title) <= 121 and lead.startswith(title[:-1])
    assert derive_title("\n\nChuyển đổi số ở Than Uyên\nNội dung") == "Chuyển đổi số ở Than Uyên"
