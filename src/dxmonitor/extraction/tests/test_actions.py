"""Reading a report into the review queue, and what accepting, correcting and rejecting do."""

import datetime

import pytest

from dxmonitor.collection.models import SourceType, Value, ValueChange
from dxmonitor.common.errors import DomainError
from dxmonitor.extraction.actions import (
    accept_all,
    accept_fact,
    edit_fact,
    read_seed_articles,
    read_text,
    read_upload,
    reject_fact,
)
from dxmonitor.extraction.models import FactStatus

REPORT = (
    "Báo cáo kết quả chuyển đổi số huyện Tủa Chùa (Điện Biên) năm 2023\n"
    "Đến nay huyện Tủa Chùa có 12/12 xã, thị trấn đã thành lập tổ công nghệ số cộng đồng; "
    "tỷ lệ hộ gia đình kết nối internet băng rộng đạt 31,5%.\n"
    "Toàn huyện còn 15 bản chưa có điện lưới quốc gia."
)

pytestmark = pytest.mark.django_db


def _fact(result, code):
    return next(f for f in result.facts if f.indicator and f.indicator.code == code)


def test_reading_proposes_facts_placed_on_the_unit_of_the_time(unit_named):
    result = read_text(text=REPORT, published_on=datetime.date(2024, 3, 1))
    codes = [f.indicator.code for f in result.facts]
    assert codes == [
        "AWR.CDT_COMMUNE_COVERAGE",
        "CTX.COMMUNES",
        "INF.HOUSEHOLD_FIXED_BB",
        "INF.VILLAGES_WITHOUT_GRID",
    ]
    district = unit_named("huyện Tủa Chùa", province="Điện Biên")
    assert {f.unit_id for f in result.facts} == {district.pk}
    share = _fact(result, "INF.HOUSEHOLD_FIXED_BB")
    assert share.value == pytest.approx(31.5)
    assert result.document.text[share.evidence_start : share.evidence_end] == share.evidence_quote
    assert all(f.status == FactStatus.PENDING for f in result.facts)


def test_undated_report_naming_a_district_is_placed_before_2025(unit_named):
    result = read_text(text=REPORT)
    assert result.document.published_on is None
    assert result.facts[0].unit_id == unit_named("huyện Tủa Chùa", province="Điện Biên").pk


def test_reading_the_same_text_again_keeps_the_decisions(admin):
    first = read_text(text=REPORT, user=admin)
    reject_fact(fact=first.facts[1], user=admin)
    again = read_text(text=REPORT, user=admin)
    assert again.document == first.document
    assert [f.pk for f in again.facts] == [f.pk for f in first.facts]
    assert again.facts[1].status == FactStatus.REJECTED


def test_accepting_records_a_value_citing_the_document(admin):
    result = read_text(text=REPORT, published_on=datetime.date(2024, 3, 1), user=admin)
    fact = accept_fact(fact=_fact(result, "AWR.CDT_COMMUNE_COVERAGE"), user=admin)
    assert fact.status == FactStatus.ACCEPTED
    value = Value.objects.get(pk=fact.recorded_value_id)
    assert (value.value, value.numerator, value.denominator) == (100, 12, 12)
    assert value.period == "2023"  # the year the title names, not the publication's
    assert value.source_type == SourceType.EXTRACTION
    assert value.document_id == result.document.pk
    assert result.document.text[value.evidence_start : value.evidence_end] == value.evidence_quote
    assert ValueChange.objects.filter(value=value, source_type=SourceType.EXTRACTION).count() == 1
    with pytest.raises(DomainError):
        accept_fact(fact=fact, user=admin)


def test_a_correction_is_validated_like_any_value(admin):
    result = read_text(text=REPORT, published_on=datetime.date(2024, 3, 1), user=admin)
    fact = _fact(result, "INF.HOUSEHOLD_FIXED_BB")
    with pytest.raises(DomainError) as caught:
        accept_fact(fact=fact, changes={"value": "135"}, user=admin)
    assert "100" in caught.value.message_en
    fact.refresh_from_db()
    assert fact.status == FactStatus.PENDING and "100" in fact.problem
    assert (fact.value, fact.edited) == (31.5, False)  # the refused correction is not kept
    accepted = accept_fact(fact=fact, changes={"value": "35,5", "period": "2024"}, user=admin)
    value = Value.objects.get(pk=accepted.recorded_value_id)
    assert (value.value, value.period, accepted.edited) == (35.5, "2024", True)


def test_edit_refuses_an_unknown_indicator_and_a_bad_number(admin):
    fact = read_text(text=REPORT, user=admin).facts[0]
    with pytest.raises(DomainError):
        edit_fact(fact=fact, changes={"indicator": "NO.SUCH"}, user=admin)
    with pytest.raises(DomainError) as caught:
        edit_fact(fact=fact, changes={"value": "mười"}, user=admin)
    assert "mười" in caught.value.message_vi


def test_a_fact_without_a_unit_cannot_be_accepted(admin):
    result = read_text(text="Tỷ lệ hộ gia đình kết nối internet băng rộng đạt 40%.", user=admin)
    (fact,) = result.facts
    assert fact.unit is None
    with pytest.raises(DomainError) as caught:
        accept_fact(fact=fact, user=admin)
    assert caught.value.field == "unit_id"


def test_an_officer_cannot_record_figures_outside_their_units(officer):
    result = read_text(text=REPORT, user=officer)
    with pytest.raises(DomainError):
        accept_fact(fact=result.facts[0], user=officer)
    assert not Value.objects.filter(source_type=SourceType.EXTRACTION).exists()


def test_accept_all_accepts_what_passes_and_keeps_the_rest(admin):
    result = read_text(text=REPORT, published_on=datetime.date(2024, 3, 1), user=admin)
    edit_fact(fact=_fact(result, "INF.VILLAGES_WITHOUT_GRID"), changes={"value": "-3"}, user=admin)
    outcome = accept_all(document=result.document, user=admin)
    assert outcome.accepted == 3
    assert len(outcome.refused) == 1
    statuses = sorted(result.document.proposed_facts.values_list("status", flat=True))
    assert statuses == ["accepted", "accepted", "accepted", "pending"]


def test_upload_of_a_bad_file_is_refused_and_stores_nothing():
    with pytest.raises(DomainError):
        read_upload(name="baocao.txt", data=b"\x00\x01\x02" * 100)
    from dxmonitor.collection.models import Document

    assert not Document.objects.exists()


def test_seed_articles_fill_the_demo_queue(admin):
    report = read_seed_articles(user=admin)
    assert report.documents == 5
    assert report.facts >= 40
    assert read_seed_articles(user=admin).facts == report.facts


def test_bare_province_names_are_places_once_units_are_loaded():
    from dxmonitor.extraction.engine import extract
    from dxmonitor.extraction.places import province_names
    from dxmonitor.extraction.terms import catalogue_from_csv

    assert {"Lai Châu", "Hà Nội", "Điện Biên"} <= province_names()
    text = "Chuyển đổi số ở vùng cao\nĐến nay, Sơn La đã cấp 12.500 chữ ký số cho cán bộ."
    (fact,) = extract(text, catalogue=catalogue_from_csv(), provinces=province_names())
    assert fact.locality == "tỉnh Sơn La"


def test_seed_articles_with_the_loaded_units():
    """The shipped development set, with bare province names known: strict F1 stays at least 0.9."""
    from dxmonitor.extraction.tests.test_engine import DEMO_DATA, seed_f1

    assert seed_f1(DEMO_DATA, provinces=True) >= 0.9


def test_pasted_text_over_the_limit_is_refused():
    from dxmonitor.collection.models import Document
    from dxmonitor.extraction.reading import MAX_CHARS

    with pytest.raises(DomainError) as caught:
        read_text(text="Huyện Mường Tè có 85% thôn. " * (MAX_CHARS // 20))
    assert "limit" in caught.value.message_en
    assert not Document.objects.exists()


def test_a_text_after_2025_naming_a_former_district(unit_named):
    result = read_text(text=REPORT, published_on=datetime.date(2025, 9, 1))
    assert result.facts[0].unit_id == unit_named("huyện Tủa Chùa", province="Điện Biên").pk


def test_the_district_named_after_a_commune_tells_namesakes_apart():
    # Xã Nậm Cha (huyện Sìn Hồ) and xã Nậm Chà (huyện Nậm Nhùn) fold to the same name.
    text = "Chuyển đổi số ở Lai Châu\nXã Nậm Chà, huyện Nậm Nhùn có 100% thôn có internet."
    (fact,) = read_text(text=text, published_on=datetime.date(2024, 5, 1)).facts
    assert (fact.locality, fact.within) == ("xã Nậm Chà", "huyện Nậm Nhùn")
    assert fact.unit is not None and fact.unit.name == "Xã Nậm Chà"
    assert fact.unit.parent.name == "Huyện Nậm Nhùn"
