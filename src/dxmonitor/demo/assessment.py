"""The assessment demo: the 2024 round of the commune index (DTI 2025 structure) for the communes of
Lai Châu (the structure of 2024, whose synthetic figures prefill the sheets), part-way through, and
the 2023 round of the communes of huyện Than Uyên published, so that every stage can be seen:

- 2023, published: every commune self-assessed and appraised, one explanation accepted, the
  council's decision and the official report waiting for its signature;
- 2024, open: one commune submitted and appraised in part (a figure adjusted with its reason,
  evidence asked for another), one submitted and waiting, one filling its sheet, the rest not begun.

Three accounts act in it: a commune (data entry and approver of its commune), an appraiser of the
provincial People's Committee Office (government services) and the organiser (administrator of the
province). Running it again changes nothing.
"""

import datetime
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from dxmonitor.accounts.actions import ensure_user, grant_role
from dxmonitor.accounts.models import Role
from dxmonitor.assessment import actions, appraisal
from dxmonitor.assessment.models import Department, Review, Round
from dxmonitor.catalog.schemes import require_scheme
from dxmonitor.geo.models import LEGACY_LAST_DAY, Level, Unit
from dxmonitor.geo.queries import filter_units, valid_on

SCHEME = "DTI_XA_405"
DEPARTMENTS = [
    ("SKHCN", "Sở Khoa học và Công nghệ", "Department of Science and Technology", ["NT"]),
    ("VPUB", "Văn phòng UBND tỉnh", "Provincial People's Committee Office", ["CQS"]),
    ("SCT", "Sở Công Thương", "Department of Industry and Trade", ["KTS"]),
    ("SYT", "Sở Y tế và Công an tỉnh", "Department of Health and Provincial Police", ["XHS"]),
]
ORGANISER, APPRAISER, COMMUNE = "bantochuc.laichau", "thamdinh.vpub", "danhgia.xa"


@dataclass
class AssessmentAccount:
    username: str
    password: str
    description: str


def _passwords() -> dict[str, str]:
    path = settings.VAR_DIR / "demo-assessment-accounts.txt"
    known = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            name, _, password = line.strip().partition(" ")
            if name and password:
                known[name] = password
    if any(name not in known for name in (ORGANISER, APPRAISER, COMMUNE)):
        for name in (ORGANISER, APPRAISER, COMMUNE):
            known.setdefault(name, secrets.token_urlsafe(9))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(f"{n} {p}\n" for n, p in known.items()), encoding="utf-8")
        path.chmod(0o600)
    return known


def assessment_accounts() -> list[AssessmentAccount]:
    known = _passwords()
    return [
        AssessmentAccount(COMMUNE, known[COMMUNE], "assessment, commune (fills and submits)"),
        AssessmentAccount(APPRAISER, known[APPRAISER], "assessment, appraiser of government services"),
        AssessmentAccount(ORGANISER, known[ORGANISER], "assessment, organiser for tỉnh Lai Châu"),
    ]


def _account(username: str, password: str):
    user = get_user_model().objects.filter(username=username).first()
    if user is not None and user.check_password(password):
        return user
    return ensure_user(username=username, password=password)[0]


@dataclass
class AssessmentDemoReport:
    rounds: int = 0
    created: int = 0


def _fill(round_: Round, unit: Unit, user, *, limit: int | None = None) -> None:
    """Enter what the system did not measure, each figure with a document (a link)."""
    sheet = actions.get_sheet(round_, unit.pk)
    waiting = [e for e in sheet.entries.select_related("component") if not e.measured]
    for entry in waiting[:limit]:
        found = actions.get_entry(sheet, entry.component.code)
        actions.save_entry(entry=found, user=user, figure=str(1 + entry.component.position % 4))
        actions.add_evidence(
            entry=found,
            user=user,
            number=f"{10 + entry.component.position}/QĐ-UBND",
            issued_on=datetime.date(round_.year, 3, 15),
            issuer=f"UBND {unit.name}",
            abstract=f"Minh chứng {entry.component.code} (dữ liệu mô phỏng)",
            link="https://laichau.gov.vn/",
        )


def _appraise_all(round_: Round, unit: Unit, appraisers: dict[str, object]) -> None:
    sheet = actions.get_sheet(round_, unit.pk)
    for entry in sheet.entries.select_related("component").exclude(
        review__in=[Review.ACCEPTED, Review.ADJUSTED]
    ):
        who = appraisers[entry.component.code.split(".")[0]]
        appraisal.appraise(entry=actions.get_entry(sheet, entry.component.code), user=who, decision="accept")


def load_assessment_demo(*, admin) -> AssessmentDemoReport:
    report = AssessmentDemoReport()
    scheme = require_scheme(SCHEME)
    for code, vi, en, prefixes in DEPARTMENTS:
        actions.set_department(
            scheme=scheme, code=code, name_vi=vi, name_en=en, prefixes=prefixes, user=admin
        )
    province = filter_units(level=Level.PROVINCE, as_of=LEGACY_LAST_DAY, q="Lai Châu").first()
    communes = list(
        Unit.objects.filter(
            valid_on(LEGACY_LAST_DAY), level=Level.COMMUNE, path__startswith=province.path
        ).order_by("code")
    )
    known = _passwords()
    organiser = _account(ORGANISER, known[ORGANISER])
    grant_role(user=organiser, role=Role.ADMIN, unit=province)
    # The demo's own appraisers of the other departments act through the organiser's account.
    office = _account(APPRAISER, known[APPRAISER])
    appraisers = {}
    for code, *_ in DEPARTMENTS:
        who = office if code == "VPUB" else organiser
        actions.grant_appraiser(
            user=who,
            department=Department.objects.get(scheme=scheme, code=code),
            province=province,
            granted_by=organiser,
        )
        for prefix in Department.objects.get(scheme=scheme, code=code).prefixes:
            appraisers[prefix] = who
    commune_user = _account(COMMUNE, known[COMMUNE])
    first = communes[0]
    for role in (Role.DATA_ENTRY, Role.APPROVER):
        grant_role(user=commune_user, role=role, unit=first)
    today = timezone.localdate()
    rounds = Round.objects.filter(scheme=scheme, province=province)
    report.rounds = rounds.count()
    if not rounds.filter(year=2023).exists():
        _published_round(scheme, province, communes, organiser, appraisers, today)
        report.created += 1
    if not rounds.filter(year=2024).exists():
        _open_round(scheme, province, communes, organiser, office, commune_user, appraisers, today)
        report.created += 1
    report.rounds = Round.objects.filter(scheme=scheme, province=province).count()
    return report


def _published_round(scheme, province, communes, organiser, appraisers, today) -> None:
    district = Unit.objects.filter(pk=communes[0].parent_id).first()
    units = [c for c in communes if c.parent_id == district.pk]
    round_ = actions.open_round(
        scheme=scheme,
        year=2023,
        province=province,
        units=units,
        user=organiser,
        self_until=today + datetime.timedelta(days=1),
        appraisal_until=today + datetime.timedelta(days=2),
        explanation_until=today + datetime.timedelta(days=3),
        publish_by=today + datetime.timedelta(days=4),
        title=f"Đánh giá chỉ số chuyển đổi số cấp xã năm 2023 — {district.name} (dữ liệu mô phỏng)",
    )
    for unit in units:
        _fill(round_, unit, organiser)
        actions.submit_sheet(sheet=actions.get_sheet(round_, unit.pk), user=organiser)
        _appraise_all(round_, unit, appraisers)
    appraisal.close_appraisal(round_=round_, user=organiser)
    sheet = actions.get_sheet(round_, units[0].pk)
    explained = appraisal.explain(
        entry=actions.get_entry(sheet, "CQS.1"),
        user=organiser,
        text="Số liệu đã đối chiếu với hệ thống một cửa",
    )
    appraisal.reply_explanation(
        entry=explained, user=appraisers["CQS"], accept=True, reply="Chấp nhận giải trình"
    )
    appraisal.publish(
        round_=round_,
        user=organiser,
        decision="Hội đồng thẩm định thống nhất kết quả (dữ liệu mô phỏng)",
        signer_name="Nguyễn Văn A",
    )


def _open_round(scheme, province, communes, organiser, office, commune_user, appraisers, today) -> None:
    round_ = actions.open_round(
        scheme=scheme,
        year=2024,
        province=province,
        units=communes,
        user=organiser,
        self_until=today + datetime.timedelta(days=14),
        appraisal_until=today + datetime.timedelta(days=30),
        explanation_until=today + datetime.timedelta(days=40),
        publish_by=today + datetime.timedelta(days=50),
        title="Đánh giá chỉ số chuyển đổi số cấp xã năm 2024 — tỉnh Lai Châu (dữ liệu mô phỏng)",
    )
    first, second, third = communes[:3]
    # The demo commune fills everything but two components: it can be seen filling and submitting.
    _fill(round_, first, commune_user, limit=None)
    sheet = actions.get_sheet(round_, first.pk)
    actions.save_entry(entry=actions.get_entry(sheet, "KTS.1"), user=commune_user, figure="")
    # The second submitted; the Office adjusted one figure and asked for evidence on another.
    _fill(round_, second, organiser)
    actions.submit_sheet(sheet=actions.get_sheet(round_, second.pk), user=organiser)
    sheet = actions.get_sheet(round_, second.pk)
    appraisal.appraise(
        entry=actions.get_entry(sheet, "CQS.1"),
        user=office,
        decision="adjust",
        figure="40%",
        reason="Hệ thống một cửa điện tử ghi nhận 40% hồ sơ trực tuyến",
    )
    appraisal.appraise(
        entry=actions.get_entry(sheet, "CQS.3"),
        user=office,
        decision="ask",
        reason="Đề nghị bổ sung thống kê thanh toán trực tuyến trên Cổng dịch vụ công",
    )
    # The third submitted and waits for appraisal.
    _fill(round_, third, organiser)
    actions.submit_sheet(sheet=actions.get_sheet(round_, third.pk), user=organiser)
