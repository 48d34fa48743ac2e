"""The cycle through the actions: open, self-assess with evidence, appraise, explain, publish."""

import datetime

import pytest
import time_machine

from dxmonitor.assessment import actions, appraisal
from dxmonitor.assessment.access import Locked
from dxmonitor.assessment.models import Event, Explanation, Review, SheetStatus, Stage
from dxmonitor.assessment.queries import ranking
from dxmonitor.common.errors import DomainError, Forbidden, InvalidInput

from .conftest import PDF, fill


def entry(round_, unit, code):
    return actions.get_entry(actions.get_sheet(round_, unit.pk), code)


def test_a_round_prefills_what_the_system_measured(opened, units):
    first = entry(opened, units[0], "CQS.1")
    assert first.measured and first.system_figure == 75.0 and first.figure == 75.0
    assert "giải quyết thủ tục hành chính" in first.system_source
    # 75 % of dossiers online; the maximum (80 points) is earned at 80 %.
    assert first.self_points == pytest.approx(75.0)
    assert entry(opened, units[2], "CQS.1").figure is None
    assert opened.sheets.count() == 3 and opened.version.scheme_id == opened.scheme_id


def test_figures_read_as_officials_write_them(opened, units, people):
    households = entry(opened, units[0], "NT.3.3")
    saved = actions.save_entry(entry=households, user=people["specialist1"], figure="85%")
    assert saved.figure == 85.0 and not saved.measured and saved.self_points == 50.0
    saved = actions.save_entry(entry=households, user=people["specialist1"], figure="1.234,5")
    assert saved.figure == 1234.5
    with pytest.raises(DomainError) as refused:
        actions.save_entry(entry=households, user=people["specialist1"], figure="tám mươi")
    assert "not a number" in refused.value.message_en


def test_a_sheet_with_components_missing_is_refused_listing_them(opened, units, people):
    fill(opened, units[0], people["specialist1"], skip=("NT.2.1", "KTS.1"))
    sheet = actions.get_sheet(opened, units[0].pk)
    with pytest.raises(InvalidInput) as refused:
        actions.submit_sheet(sheet=sheet, user=people["approver1"])
    assert [p.field for p in refused.value.problems] == ["NT.2.1", "KTS.1"]
    # The specialist fills; only the approver submits.
    with pytest.raises(Forbidden):
        actions.submit_sheet(sheet=sheet, user=people["specialist1"])


def test_an_entered_figure_needs_its_evidence(opened, units, people):
    fill(opened, units[0], people["specialist1"])
    overridden = actions.save_entry(
        entry=entry(opened, units[0], "CQS.1"), user=people["specialist1"], figure="80"
    )
    with pytest.raises(InvalidInput) as refused:
        actions.submit_sheet(sheet=actions.get_sheet(opened, units[0].pk), user=people["approver1"])
    assert [p.field for p in refused.value.problems] == ["CQS.1"]
    actions.add_evidence(
        entry=overridden,
        user=people["specialist1"],
        number="12/BC-UBND",
        issued_on=datetime.date(2026, 1, 10),
        issuer="UBND xã Than Uyên",
        abstract="Báo cáo kết quả giải quyết thủ tục hành chính năm 2025",
        file_name="bao-cao.pdf",
        data=PDF,
    )
    sheet = actions.submit_sheet(sheet=actions.get_sheet(opened, units[0].pk), user=people["approver1"])
    assert sheet.status == SheetStatus.SUBMITTED


def test_evidence_files_are_bounded_and_typed(opened, units, people, settings):
    target = entry(opened, units[0], "NT.1.2")
    kwargs = {"entry": target, "user": people["specialist1"], "number": "5/QĐ-UBND", "file_name": "a.pdf"}
    settings.ASSESSMENT_EVIDENCE_MAX_BYTES = 1000
    with pytest.raises(DomainError) as refused:
        actions.add_evidence(**kwargs, data=PDF + b" " * 2000)
    assert "at most 1,000 bytes" in refused.value.message_en
    with pytest.raises(DomainError) as refused:
        actions.add_evidence(**{**kwargs, "file_name": "virus.pdf"}, data=b"MZ\x90\x00 executable")
    assert "PDF, PNG, JPEG or Excel" in refused.value.message_en
    kept = actions.add_evidence(**kwargs, data=PDF)
    assert kept.content_type == "application/pdf" and kept.size == len(PDF)


def submitted(opened, units, people, count=3):
    for number, unit in enumerate(units[:count], start=1):
        fill(opened, unit, people[f"specialist{number}"])
        actions.submit_sheet(sheet=actions.get_sheet(opened, unit.pk), user=people[f"approver{number}"])


def test_appraisers_act_only_on_their_department_and_province(opened, units, people, unit_named):
    submitted(opened, units, people, count=1)
    online = entry(opened, units[0], "CQS.1")
    with pytest.raises(Forbidden):
        appraisal.appraise(entry=online, user=people["thamdinh_khcn"], decision="accept")
    with pytest.raises(Forbidden):
        appraisal.appraise(entry=online, user=people["specialist1"], decision="accept")
    done = appraisal.appraise(entry=online, user=people["thamdinh_vp"], decision="accept")
    assert done.review == Review.ACCEPTED and done.appraised_points == done.self_points
    # An appraiser of another province's Office appraises nothing here.
    from dxmonitor.accounts.actions import ensure_user, grant_role
    from dxmonitor.assessment.models import Department

    elsewhere, _ = ensure_user(username="thamdinh_dienbien", password="mat-khau-dai-2026")
    other = unit_named("tỉnh Điện Biên", as_of=datetime.date(2025, 8, 1))
    boss, _ = ensure_user(username="quantri_dienbien", password="mat-khau-dai-2026")
    grant_role(user=boss, role="admin", unit=other)
    actions.grant_appraiser(
        user=elsewhere, department=Department.objects.get(code="VPUB"), province=other, granted_by=boss
    )
    with pytest.raises(Forbidden):
        appraisal.appraise(entry=online, user=elsewhere, decision="accept")


def test_the_whole_round(opened, units, people, province):
    submitted(opened, units, people)
    # The Office adjusts one commune's online dossiers with a reason and asks another for evidence.
    adjusted = appraisal.appraise(
        entry=entry(opened, units[0], "CQS.1"),
        user=people["thamdinh_vp"],
        decision="adjust",
        figure="60%",
        reason="Số liệu hệ thống một cửa điện tử cho thấy 60%",
    )
    assert adjusted.review == Review.ADJUSTED and adjusted.appraised_points == pytest.approx(60.0)
    with pytest.raises(InvalidInput):
        appraisal.appraise(
            entry=entry(opened, units[0], "CQS.2"), user=people["thamdinh_vp"], decision="adjust", figure="50"
        )
    asked = appraisal.appraise(
        entry=entry(opened, units[1], "CQS.2"),
        user=people["thamdinh_vp"],
        decision="ask",
        reason="Đề nghị bổ sung báo cáo thống kê hồ sơ đúng hạn",
    )
    assert asked.review == Review.ASKED
    # The commune answers with a new document, then the Office accepts.
    actions.add_evidence(
        entry=asked,
        user=people["specialist2"],
        number="3/BC-UBND",
        abstract="Thống kê hồ sơ",
        file_name="tk.pdf",
        data=PDF,
    )
    actions.answer_question(entry=asked, user=people["specialist2"], answer="Đã bổ sung báo cáo 3/BC-UBND")
    with pytest.raises(InvalidInput) as refused:
        appraisal.close_appraisal(round_=opened, user=people["organiser"])
    assert len(refused.value.problems) > 10
    for sheet in opened.sheets.all():
        for item in sheet.entries.select_related("component").exclude(
            review__in=[Review.ACCEPTED, Review.ADJUSTED]
        ):
            appraiser = (
                people["thamdinh_vp"] if item.component.code.startswith("CQS") else people["thamdinh_khcn"]
            )
            if item.component.code.startswith(("KTS", "XHS")):
                appraiser = people["organiser"]
                from dxmonitor.assessment.models import Appraiser, Department

                Appraiser.objects.get_or_create(
                    user=appraiser, department=Department.objects.get(code="SCT"), province=province
                )
            appraisal.appraise(entry=item, user=appraiser, decision="accept")
    progress = appraisal.progress(opened)
    assert all(row["done"] == row["total"] for row in progress["departments"])
    opened = appraisal.close_appraisal(round_=opened, user=people["organiser"])
    assert opened.stage == Stage.EXPLANATION
    provisional = ranking(opened)
    than_uyen = next(s for s in provisional.groups["xa"] if s.unit == units[0])
    assert than_uyen.change == pytest.approx(-15.0)
    assert set(provisional.groups) == {"xa", "phuong"}
    # Than Uyên explains; the Office accepts its 75 %.
    explained = appraisal.explain(
        entry=entry(opened, units[0], "CQS.1"), user=people["specialist1"], text="Số liệu 75% đúng"
    )
    with pytest.raises(InvalidInput):
        appraisal.publish(
            round_=opened, user=people["organiser"], decision="Thống nhất", signer_name="Lê Văn Minh"
        )
    replied = appraisal.reply_explanation(
        entry=explained, user=people["thamdinh_vp"], accept=True, reply="Chấp nhận"
    )
    assert replied.explanation == Explanation.ACCEPTED and replied.appraised_points == pytest.approx(75.0)
    published = appraisal.publish(
        round_=opened,
        user=people["organiser"],
        decision="Hội đồng thống nhất kết quả",
        signer_name="Lê Văn Minh",
    )
    assert published.stage == Stage.PUBLISHED and published.report.unit == province
    assert bytes(published.report.pdf).startswith(b"%PDF")
    assert published.report.title.startswith("Kết quả đánh giá")
    # Locked: nothing changes any more.
    with pytest.raises(Locked):
        actions.save_entry(entry=entry(opened, units[0], "NT.1.2"), user=people["specialist1"], figure="0")
    with pytest.raises(Locked):
        appraisal.appraise(
            entry=entry(opened, units[0], "CQS.1"), user=people["thamdinh_vp"], decision="accept"
        )
    kinds = set(Event.objects.filter(round=opened).values_list("kind", flat=True))
    assert {"opened", "figure", "evidence", "submitted", "adjust", "ask", "answered", "accept"} <= kinds
    assert {"provisional", "explained", "explanation_accepted", "published"} <= kinds


def test_an_explanation_after_its_deadline_is_refused(opened, units, people):
    submitted(opened, units, people, count=3)
    for sheet in opened.sheets.all():
        sheet.entries.update(review=Review.ACCEPTED)
    appraisal.close_appraisal(round_=opened, user=people["organiser"])
    late = datetime.datetime(2026, 12, 21, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=7)))
    with time_machine.travel(late, tick=False), pytest.raises(DomainError) as refused:
        appraisal.explain(entry=entry(opened, units[0], "CQS.1"), user=people["specialist1"], text="Muộn")
    assert "deadline for explanations was 20/12/2026" in refused.value.message_en
