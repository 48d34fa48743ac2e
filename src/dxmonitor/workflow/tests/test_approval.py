"""Approving, returning and unlocking reports: each transition recorded, illegal ones refused,
approvers confined to their subtree and level, locked figures refused everywhere, e-mails sent."""

import datetime
import json

import pytest
from django.core import mail

from dxmonitor.catalog.models import Indicator
from dxmonitor.collection.actions import Provenance, record_value
from dxmonitor.collection.datasets import define_dataset
from dxmonitor.collection.models import SourceType
from dxmonitor.common.errors import DomainError, Forbidden
from dxmonitor.workflow.actions import Locked, save_entry, submit_report
from dxmonitor.workflow.approval import approve_report, approve_reports, return_report, unlock_report
from dxmonitor.workflow.inbox import inbox
from dxmonitor.workflow.models import Report, ReportEvent

from .conftest import QUARTERLY
from .test_submit import fill

pytestmark = pytest.mark.django_db
FORM = Provenance(source_type=SourceType.FORM)


@pytest.fixture
def submitted(quarterly, commune, clerk, current_quarter):
    fill(commune, current_quarter, clerk)
    return submit_report(dataset=quarterly, unit=commune, period=current_quarter.code, user=clerk)


@pytest.fixture
def outsider(db, unit_named):
    """An approver of another province (Điện Biên)."""
    from dxmonitor.accounts.actions import ensure_user, grant_role

    user, _ = ensure_user(username="pheduyet.dienbien", password="mat-khau-dai-000", email="db@example.vn")
    grant_role(user=user, role="approver", unit=unit_named("tỉnh Điện Biên", as_of=datetime.date(2025, 8, 1)))
    return user


def _with_email(user, address):
    user.email = address
    user.save()
    return user


def test_the_round_trip_submit_return_resubmit_approve(
    quarterly, commune, clerk, approver, current_quarter, django_capture_on_commit_callbacks
):
    def commit(action, **arguments):
        """Run an action and what it leaves for after its commit: the e-mails."""
        with django_capture_on_commit_callbacks(execute=True):
            return action(**arguments)

    _with_email(clerk, "canbo@thanuyen.vn")
    _with_email(approver, "pheduyet@laichau.vn")
    fill(commune, current_quarter, clerk)
    report = commit(submit_report, dataset=quarterly, unit=commune, period=current_quarter.code, user=clerk)
    assert [m.to for m in mail.outbox] == [["pheduyet@laichau.vn"]]
    assert "chờ phê duyệt" in mail.outbox[0].subject and "/collect/" in mail.outbox[0].body
    assert inbox(approver, today=datetime.date.today()).waiting == [report]

    returned = commit(
        return_report, report=report, user=approver, reason="Số hộ gia đình chưa khớp với thống kê"
    )
    assert returned.status == "returned" and returned.reason.startswith("Số hộ")
    assert mail.outbox[-1].to == ["canbo@thanuyen.vn"] and "Số hộ gia đình" in mail.outbox[-1].body
    assert inbox(clerk, today=datetime.date.today()).returned == [returned]
    assert inbox(approver, today=datetime.date.today()).waiting == []

    # Returned: the figures can change again, and the report is submitted anew.
    save_entry(
        dataset=quarterly,
        report_unit=commune,
        unit=commune,
        indicator=Indicator.objects.get(code="CTX.HOUSEHOLDS"),
        period=current_quarter,
        value="1.240",
        seen_version=1,
        user=clerk,
    )
    again = submit_report(dataset=quarterly, unit=commune, period=current_quarter.code, user=clerk)
    assert again.status == "submitted"
    locked = commit(approve_report, report=again, user=approver)
    assert locked.status == "locked" and locked.approvals == 1 and locked.decided_by == approver
    assert mail.outbox[-1].to == ["canbo@thanuyen.vn"] and "phê duyệt" in mail.outbox[-1].subject

    steps = list(ReportEvent.objects.filter(report=report).values_list("action", "from_status", "to_status"))
    assert steps == [
        ("submit", "draft", "submitted"),
        ("return", "submitted", "returned"),
        ("submit", "returned", "submitted"),
        ("approve", "submitted", "locked"),
    ]
    events = ReportEvent.objects.filter(report=report)
    assert events.get(action="return").reason == "Số hộ gia đình chưa khớp với thống kê"
    assert events.get(action="return").by == approver


def test_approving_an_already_approved_report_is_refused(submitted, approver):
    approve_report(report=submitted, user=approver)
    with pytest.raises(Locked) as refused:
        approve_report(report=submitted, user=approver)
    assert "đã được phê duyệt" in refused.value.message_vi
    assert refused.value.status == 409
    assert ReportEvent.objects.filter(report=submitted, action="approve").count() == 1


def test_approving_outside_ones_subtree_is_refused(submitted, outsider):
    with pytest.raises(Forbidden) as refused:
        approve_report(report=submitted, user=outsider)
    assert "không được phê duyệt" in refused.value.message_vi
    assert Report.objects.get(pk=submitted.pk).status == "submitted"
    assert inbox(outsider, today=datetime.date.today()).waiting == []


def test_a_commune_officer_cannot_approve_their_own_report(submitted, clerk):
    with pytest.raises(Forbidden):
        approve_report(report=submitted, user=clerk)


def test_illegal_transitions_say_why(quarterly, commune, clerk, approver, submitted):
    with pytest.raises(DomainError) as no_reason:
        return_report(report=submitted, user=approver, reason="  ")
    assert no_reason.value.message_vi == "Cần ghi lý do trả lại báo cáo"
    with pytest.raises(Locked) as not_locked:
        unlock_report(report=submitted, user=approver, reason="sửa số liệu")
    assert "chưa được phê duyệt và khóa" in not_locked.value.message_vi
    returned = return_report(report=submitted, user=approver, reason="thiếu số liệu")
    with pytest.raises(Locked) as on_returned:
        approve_report(report=returned, user=approver)
    assert "đã trả lại" in on_returned.value.message_vi


def test_locked_figures_are_refused_by_every_write_path(
    submitted, quarterly, commune, clerk, approver, current_quarter
):
    approve_report(report=submitted, user=approver)
    indicator = Indicator.objects.get(code="CTX.HOUSEHOLDS")
    with pytest.raises(Locked) as in_form:
        save_entry(
            dataset=quarterly,
            report_unit=commune,
            unit=commune,
            indicator=indicator,
            period=current_quarter,
            value="2.000",
            seen_version=1,
            user=clerk,
        )
    assert "đã được phê duyệt" in in_form.value.message_vi
    with pytest.raises(DomainError):
        record_value(
            unit=commune, indicator=indicator, period=current_quarter.code, value=2000, provenance=FORM
        )
    assert indicator.values.get(unit=commune, period=current_quarter.code).value == 1234


def test_unlocking_returns_the_report_with_its_reason(
    submitted, quarterly, commune, clerk, approver, current_quarter
):
    locked = approve_report(report=submitted, user=approver)
    with pytest.raises(DomainError):
        unlock_report(report=locked, user=approver, reason="")
    unlocked = unlock_report(report=locked, user=approver, reason="Sở yêu cầu điều chỉnh số hộ")
    assert unlocked.status == "returned" and unlocked.approvals == 0
    event = ReportEvent.objects.filter(report=submitted).last()
    assert (event.action, event.from_status, event.to_status) == ("unlock", "locked", "returned")
    record_value(
        unit=commune,
        indicator=Indicator.objects.get(code="CTX.HOUSEHOLDS"),
        period=current_quarter.code,
        value=1250,
        provenance=FORM,
        user=clerk,
    )


def test_two_levels_approve_in_turn(db, commune, clerk, approver, current_quarter, unit_named):
    """A data set approved by the commune's chair first, then by the province."""
    from dxmonitor.accounts.actions import ensure_user, grant_role

    dataset, _ = define_dataset(
        code="HAI_CAP",
        name_vi="Bộ số liệu duyệt hai cấp",
        name_en="Two-level data set",
        period_type="Q",
        level="commune",
        indicators=QUARTERLY,
        due_days=20,
        closes_days=60,
        approval_levels="commune,province",
    )
    chair, _ = ensure_user(username="chutich.thanuyen", password="mat-khau-dai-321")
    grant_role(user=chair, role="approver", unit=commune)
    fill(commune, current_quarter, clerk)
    report = submit_report(dataset=dataset, unit=commune, period=current_quarter.code, user=clerk)
    today = datetime.date.today()
    assert inbox(approver, today=today).waiting == [] and inbox(chair, today=today).waiting == [report]
    with pytest.raises(Forbidden):
        approve_report(report=report, user=approver)  # the province waits for the commune
    first = approve_report(report=report, user=chair)
    assert first.status == "approved" and first.approvals == 1
    assert inbox(approver, today=today).waiting == [first] and inbox(chair, today=today).waiting == []
    with pytest.raises(Forbidden):
        approve_report(report=first, user=chair)  # the commune has had its say
    final = approve_report(report=first, user=approver)
    assert final.status == "locked" and final.approvals == 2


def test_approval_levels_are_checked(db):
    with pytest.raises(DomainError) as refused:
        define_dataset(
            code="SAI_CAP",
            name_vi="x",
            name_en="x",
            period_type="Q",
            level="commune",
            indicators=QUARTERLY,
            approval_levels="province,commune",
        )
    assert "từ cấp thấp lên cấp cao" in refused.value.message_vi


def test_bulk_approval_decides_each_report_on_its_own(
    quarterly, commune, other_commune, clerk, approver, current_quarter
):
    from dxmonitor.accounts.actions import grant_role

    grant_role(user=clerk, role="data_entry", unit=other_commune)
    fill(commune, current_quarter, clerk)
    fill(other_commune, current_quarter, clerk)
    first = submit_report(dataset=quarterly, unit=commune, period=current_quarter.code, user=clerk)
    second = submit_report(dataset=quarterly, unit=other_commune, period=current_quarter.code, user=clerk)
    approve_report(report=second, user=approver)
    outcomes = approve_reports(reports=[first, second], user=approver)
    assert outcomes[0].error is None and outcomes[0].report.status == "locked"
    assert isinstance(outcomes[1].error, Locked)


def test_a_signed_report_can_be_required_for_approval(db, commune, clerk, approver, current_quarter):
    dataset, _ = define_dataset(
        code="CAN_KY",
        name_vi="Bộ số liệu cần báo cáo ký số",
        name_en="Data set needing a signed report",
        period_type="Q",
        level="commune",
        indicators=QUARTERLY,
        due_days=20,
        closes_days=60,
        requires_signed_report=True,
    )
    fill(commune, current_quarter, clerk)
    report = submit_report(dataset=dataset, unit=commune, period=current_quarter.code, user=clerk)
    with pytest.raises(DomainError) as refused:
        approve_report(report=report, user=approver)
    assert "báo cáo chính thức đã ký số" in refused.value.message_vi
    assert Report.objects.get(pk=report.pk).status == "submitted"


def test_returning_a_report_of_a_closed_period_reopens_it_for_the_unit(
    quarterly, commune, clerk, approver, closed_quarter
):
    from dxmonitor.collection.datasets import reopen_period, window

    today = datetime.date.today()
    reopen_period(
        dataset=quarterly,
        period=closed_quarter.code,
        unit=commune,
        until=today,
        by=approver,
        reason="nộp muộn",
    )
    fill(commune, closed_quarter, clerk)
    report = submit_report(dataset=quarterly, unit=commune, period=closed_quarter.code, user=clerk)
    return_report(report=report, user=approver, reason="Sai số hộ")
    found = window(quarterly, closed_quarter, unit=commune)
    assert found.reopened_until == today + datetime.timedelta(days=14)


def test_inbox_lists_reports_due_soon(quarterly, late_quarterly, commune, clerk, current_quarter):
    today = datetime.date.today()
    due = inbox(clerk, today=today).due
    assert {(d.dataset.code, d.unit) for d in due} >= {("LATE_Q", commune)}
    late = next(d for d in due if d.dataset.code == "LATE_Q")
    assert late.days_left <= 0


def test_reminders_go_to_the_officers_of_communes_with_reports_due(
    late_quarterly, commune, clerk, last_quarter
):
    from dxmonitor.workflow.notify import send_reminders

    _with_email(clerk, "canbo@thanuyen.vn")
    today = datetime.date.today()
    counted, sent = send_reminders(today=today, days=7, dry_run=True)
    assert counted >= 1 and sent == 0 and mail.outbox == []
    counted, sent = send_reminders(today=today, days=7)
    assert sent == 1 and mail.outbox[0].to == ["canbo@thanuyen.vn"]
    assert "Sắp đến hạn nộp báo cáo" in mail.outbox[0].subject and "đã trễ" in mail.outbox[0].body
    assert last_quarter.label("vi") in mail.outbox[0].body
    fill(commune, last_quarter, clerk)
    submit_report(dataset=late_quarterly, unit=commune, period=last_quarter.code, user=clerk)
    mail.outbox.clear()
    send_reminders(today=today, days=7)
    assert all(m.to != ["canbo@thanuyen.vn"] for m in mail.outbox)


def test_the_last_approval_publishes_the_figures_and_unlocking_withdraws_them(
    submitted, commune, approver, current_quarter, client
):
    from dxmonitor.portal.queries import public_values

    households = Indicator.objects.get(code="CTX.HOUSEHOLDS")
    assert not public_values(unit=commune, indicator=households).exists()
    approve_report(report=submitted, user=approver)
    published = public_values(unit=commune, indicator=households)
    assert [(v.period, v.value) for v in published] == [(current_quarter.code, 1234)]
    page = client.get(f"/api/v1/public/units/{commune.pk}").json()
    assert "CTX.HOUSEHOLDS" in json.dumps(page)
    unlock_report(report=submitted, user=approver, reason="Điều chỉnh số hộ")
    assert not public_values(unit=commune, indicator=households).exists()
