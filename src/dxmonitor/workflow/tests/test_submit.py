"""Submitting a report: refused while incomplete, closed or already done; late after the deadline."""

import sys
import types
from dataclasses import dataclass

import pytest

from dxmonitor.catalog.models import Indicator
from dxmonitor.collection.actions import Provenance, record_value
from dxmonitor.collection.models import SourceType
from dxmonitor.common.errors import DomainError, Forbidden
from dxmonitor.workflow.actions import Locked, ReportIncomplete, submit_report
from dxmonitor.workflow.models import Report, ReportEvent

from .conftest import QUARTERLY, cell_path, form_path

pytestmark = pytest.mark.django_db
FORM = Provenance(source_type=SourceType.FORM)
FIGURES = {
    "CTX.VILLAGES": {"value": 15},
    "CTX.HOUSEHOLDS": {"value": "1.234"},
    "AWR.CDT_VILLAGE_COVERAGE": {"value": None, "numerator": 12, "denominator": 15},
    "GOV.ONLINE_DOSSIER_RATE": {"value": "24,3%"},
}


def fill(unit, period, user, codes=None):
    for code, figure in FIGURES.items():
        if codes is None or code in codes:
            record_value(
                unit=unit,
                indicator=Indicator.objects.get(code=code),
                period=period.code,
                provenance=FORM,
                user=user,
                **figure,
            )


def test_submission_is_refused_while_required_figures_are_missing(quarterly, commune, clerk, current_quarter):
    fill(commune, current_quarter, clerk, codes={"CTX.VILLAGES", "CTX.HOUSEHOLDS"})
    with pytest.raises(ReportIncomplete) as refused:
        submit_report(dataset=quarterly, unit=commune, period=current_quarter.code, user=clerk)
    message = refused.value.message_vi
    assert "còn thiếu 2 chỉ tiêu bắt buộc" in message
    assert "Tỷ lệ thôn, bản, tổ dân phố có tổ công nghệ số cộng đồng" in message
    assert "Tỷ lệ hồ sơ thủ tục hành chính được tiếp nhận và giải quyết trực tuyến" in message
    assert [p.field for p in refused.value.problems] == [
        "AWR.CDT_VILLAGE_COVERAGE",
        "GOV.ONLINE_DOSSIER_RATE",
    ]
    assert not Report.objects.exists()


def test_a_complete_report_is_submitted_once(quarterly, commune, clerk, current_quarter):
    fill(commune, current_quarter, clerk)
    report = submit_report(dataset=quarterly, unit=commune, period=current_quarter.code, user=clerk)
    assert report.status == "submitted" and not report.is_late
    assert report.submitted_by == clerk and report.submitted_at is not None
    event = ReportEvent.objects.get(report=report)
    assert (event.action, event.from_status, event.to_status, event.by, event.is_late) == (
        "submit",
        "draft",
        "submitted",
        clerk,
        False,
    )
    with pytest.raises(Locked) as again:
        submit_report(dataset=quarterly, unit=commune, period=current_quarter.code, user=clerk)
    assert "đã được nộp" in again.value.message_vi and "không nộp lại được" in again.value.message_vi
    assert ReportEvent.objects.count() == 1


def test_a_report_submitted_after_the_deadline_is_late(late_quarterly, commune, clerk, last_quarter):
    fill(commune, last_quarter, clerk)
    report = submit_report(dataset=late_quarterly, unit=commune, period=last_quarter, user=clerk)
    assert report.is_late
    assert ReportEvent.objects.get(report=report).is_late


def test_a_closed_period_cannot_be_submitted(quarterly, commune, clerk, closed_quarter):
    with pytest.raises(Locked) as refused:
        submit_report(dataset=quarterly, unit=commune, period=closed_quarter.code, user=clerk)
    assert "đã khóa sổ" in refused.value.message_vi


def test_only_those_who_enter_may_submit(quarterly, other_commune, clerk, current_quarter):
    with pytest.raises(Forbidden):
        submit_report(dataset=quarterly, unit=other_commune, period=current_quarter.code, user=clerk)


def test_a_period_of_another_type_is_refused(quarterly, commune, clerk):
    with pytest.raises(DomainError):
        submit_report(dataset=quarterly, unit=commune, period="2026", user=clerk)


@dataclass
class FakeRule:
    severity: str
    name_vi: str
    name_en: str


@dataclass
class FakeViolation:
    rule: FakeRule


def test_error_rule_violations_block_submission(monkeypatch, quarterly, commune, clerk, current_quarter):
    """Whatever collection.rules holds, an error-severity violation blocks; a warning does not."""
    fill(commune, current_quarter, clerk)
    found = []

    def violations_for(*, unit, period):
        found.append((unit, period))
        return [
            FakeViolation(FakeRule("warning", "Cảnh báo thử", "test warning")),
            FakeViolation(FakeRule("error", "Số thôn có tổ không vượt số thôn", "teams within villages")),
        ]

    fake = types.ModuleType("dxmonitor.collection.rules")
    fake.violations_for = violations_for
    import dxmonitor.collection as collection

    monkeypatch.setitem(sys.modules, "dxmonitor.collection.rules", fake)
    monkeypatch.setattr(collection, "rules", fake, raising=False)
    with pytest.raises(ReportIncomplete) as refused:
        submit_report(dataset=quarterly, unit=commune, period=current_quarter.code, user=clerk)
    assert "vi phạm 1 quy tắc kiểm tra: Số thôn có tổ không vượt số thôn" in refused.value.message_vi
    assert found == [(commune, current_quarter.code)]
    fake.violations_for = lambda *, unit, period: [FakeViolation(FakeRule("warning", "Cảnh báo", "warning"))]
    assert (
        submit_report(dataset=quarterly, unit=commune, period=current_quarter.code, user=clerk).is_late
        is False
    )


def test_submission_works_without_a_rules_module(monkeypatch, quarterly, commune, clerk, current_quarter):
    import dxmonitor.collection as collection

    monkeypatch.setitem(sys.modules, "dxmonitor.collection.rules", None)  # import fails
    monkeypatch.delattr(collection, "rules", raising=False)
    fill(commune, current_quarter, clerk)
    assert (
        submit_report(dataset=quarterly, unit=commune, period=current_quarter.code, user=clerk).status
        == "submitted"
    )


def test_the_submit_button_and_the_locked_form(clerk_client, quarterly, commune, clerk, current_quarter):
    path = form_path(quarterly, commune, current_quarter)
    refused = clerk_client.post(path + "submit/", follow=True)
    assert "còn thiếu 4 chỉ tiêu bắt buộc" in refused.content.decode()
    assert not Report.objects.exists()
    fill(commune, current_quarter, clerk)
    done = clerk_client.post(path + "submit/")
    assert done.status_code == 302 and done["Location"] == path
    html = clerk_client.get(path).content.decode()
    assert 'data-status="submitted"' in html and 'data-lock="submitted"' in html
    assert f'name="v-{commune.pk}-CTX.HOUSEHOLDS"' not in html and "/submit/" not in html
    # A cell posted from a form still open elsewhere is refused; nothing is written.
    response = clerk_client.post(
        cell_path(quarterly, commune, current_quarter, commune, "CTX.HOUSEHOLDS"),
        {f"v-{commune.pk}-CTX.HOUSEHOLDS": "999", f"ver-{commune.pk}-CTX.HOUSEHOLDS": "1"},
        HTTP_HX_REQUEST="true",
    )
    assert 'data-state="refused"' in response.content.decode()
    assert "đã được nộp" in response.content.decode()
    assert Indicator.objects.get(code="CTX.HOUSEHOLDS").values.get(unit=commune).value == 1234
    again = clerk_client.post(path + "submit/", follow=True)
    assert "không nộp lại được" in again.content.decode()


def test_the_village_report_needs_every_village(village_set, commune, villages, clerk, today):
    from dxmonitor.workflow.queries import period_containing

    year = period_containing("Y", today)
    for village in villages[:2]:
        for code in ("CTX.HOUSEHOLDS", "INF.BTS_STATIONS"):
            record_value(
                unit=village,
                indicator=Indicator.objects.get(code=code),
                period=year.code,
                value=3,
                provenance=FORM,
                user=clerk,
            )
    with pytest.raises(ReportIncomplete) as refused:
        submit_report(dataset=village_set, unit=commune, period=year.code, user=clerk)
    assert f"{villages[2].name}: Số hộ gia đình" in refused.value.message_vi
    for code in ("CTX.HOUSEHOLDS", "INF.BTS_STATIONS"):
        record_value(
            unit=villages[2],
            indicator=Indicator.objects.get(code=code),
            period=year.code,
            value=0,
            provenance=FORM,
            user=clerk,
        )
    assert (
        submit_report(dataset=village_set, unit=commune, period=year.code, user=clerk).status == "submitted"
    )


def test_quarterly_fixture_lists_its_indicators(quarterly):
    assert [m.indicator.code for m in quarterly.members.order_by("position")] == [c for c, _ in QUARTERLY]


def test_a_broken_shipped_rule_blocks_submission(quarterly, commune, clerk, current_quarter):
    """The rules loaded with the product: more villages with a team than villages is an error."""
    fill(commune, current_quarter, clerk)
    record_value(
        unit=commune,
        indicator=Indicator.objects.get(code="CTX.VILLAGES"),
        period=current_quarter.code,
        value=10,
        provenance=FORM,
        user=clerk,
    )
    with pytest.raises(ReportIncomplete) as refused:
        submit_report(dataset=quarterly, unit=commune, period=current_quarter.code, user=clerk)
    assert "vi phạm 1 quy tắc kiểm tra" in refused.value.message_vi
    assert "Số thôn có tổ công nghệ số cộng đồng không vượt quá số thôn" in refused.value.message_vi
    record_value(
        unit=commune,
        indicator=Indicator.objects.get(code="CTX.VILLAGES"),
        period=current_quarter.code,
        value=15,
        provenance=FORM,
        user=clerk,
    )
    assert (
        submit_report(dataset=quarterly, unit=commune, period=current_quarter.code, user=clerk).status
        == "submitted"
    )
