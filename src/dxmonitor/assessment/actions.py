"""Rounds and self-assessment: every write of the first half of the cycle. Each function checks
who may do it, owns its transaction and writes an `Event`.

The appraisal, explanation and publication are in `appraisal.py`.
"""

import datetime
import hashlib
import itertools

from django.db import transaction
from django.utils import timezone

from dxmonitor.accounts.permissions import is_national_admin
from dxmonitor.catalog.models import SchemeVersion, ScoringScheme
from dxmonitor.common.errors import DomainError, Forbidden, InvalidInput, NotFound, Problem
from dxmonitor.common.ids import is_id
from dxmonitor.common.users import AnyUser
from dxmonitor.geo.models import Level, Unit
from dxmonitor.geo.queries import valid_on

from .access import (
    require_before,
    require_open,
    require_organiser,
    require_unit_role,
)
from .evidence import check_file
from .measure import measured_figures, points_of, read_figure
from .models import Appraiser, Department, Entry, Event, Evidence, Review, Round, Sheet, SheetStatus, Stage


def record(
    round_: Round,
    kind: str,
    *,
    actor,
    unit: Unit | None = None,
    component: str = "",
    reason: str = "",
    **data,
) -> Event:
    return Event.objects.create(
        round=round_, unit=unit, component=component, kind=kind, actor=actor, reason=reason, data=data
    )


# --- departments and appraisers -------------------------------------------------------------


def set_department(
    *,
    scheme: ScoringScheme,
    code: str,
    name_vi: str,
    name_en: str,
    prefixes: list[str],
    user: AnyUser,
) -> Department:
    """Name a department and the scheme groups or components it appraises (created or replaced)."""
    if not is_national_admin(user):
        raise Forbidden(
            "only national administrators configure the appraising departments",
            "Chỉ quản trị viên toàn quốc được cấu hình sở, ngành thẩm định",
            field="department",
        )
    codes = {c for c in scheme.versions.values_list("components__code", flat=True) if c}
    codes |= {g for g in scheme.versions.values_list("groups__code", flat=True) if g}
    cleaned = [p.strip() for p in prefixes if p and p.strip()]
    problems = [
        Problem("prefixes", f"{scheme.code} has no group or component {p}", f"{scheme.code} không có mục {p}")
        for p in cleaned
        if p not in codes
    ]
    if not code.strip() or not name_vi.strip() or not cleaned:
        problems.append(
            Problem(
                "code", "a department needs a code, a name and its groups", "Cần mã, tên và các mục thẩm định"
            )
        )
    if problems:
        raise InvalidInput(problems)
    with transaction.atomic():
        department, _ = Department.objects.update_or_create(
            scheme=scheme,
            code=code.strip()[:32],
            defaults={
                "name_vi": name_vi.strip(),
                "name_en": name_en.strip() or name_vi.strip(),
                "prefixes": cleaned,
            },
        )
    return department


def grant_appraiser(
    *, user: AnyUser, department: Department, province: Unit, granted_by: AnyUser
) -> Appraiser:
    """Make `user` an appraiser of `department`'s components for the units of `province`."""
    if province.level != Level.PROVINCE:
        raise DomainError(
            "appraisers are named for a province", "Người thẩm định được giao theo tỉnh", field="unit"
        )
    require_organiser(granted_by, province)
    with transaction.atomic():
        appraiser, _ = Appraiser.objects.get_or_create(
            user=user, department=department, province=province, defaults={"granted_by": granted_by}
        )
    return appraiser


# --- rounds -------------------------------------------------------------------------------


def open_round(
    *,
    scheme: ScoringScheme,
    year: int,
    province: Unit,
    user: AnyUser,
    self_until: datetime.date,
    appraisal_until: datetime.date,
    explanation_until: datetime.date,
    publish_by: datetime.date,
    version: SchemeVersion | None = None,
    units: list[Unit] | None = None,
    title: str = "",
) -> Round:
    """Open a round of a scheme version for a year over units of a province (by default every unit
    of the scheme's level in force at the year's end), each unit's sheet prefilled with what the
    product measured."""
    from dxmonitor.catalog.schemes import require_version

    require_organiser(user, province)
    version = version or require_version(scheme)
    problems: list[Problem] = []
    if version.scheme_id != scheme.pk:
        problems.append(
            Problem("version", "the version is of another scheme", "Phiên bản thuộc bộ chỉ số khác")
        )
    if not 2000 <= year <= 2100:
        problems.append(Problem("year", "give a year such as 2025", "Cần ghi năm, ví dụ 2025"))
    days = [self_until, appraisal_until, explanation_until, publish_by]
    if any(a > b for a, b in itertools.pairwise(days)):
        problems.append(
            Problem(
                "deadlines",
                "deadlines must follow each other: self-assessment, appraisal, explanation, publication",
                "Các hạn phải theo thứ tự: tự đánh giá, thẩm định, giải trình, công bố",
            )
        )
    if problems:
        raise InvalidInput(problems)
    if units is None:
        end = datetime.date(year, 12, 31)
        day = min(end, province.valid_to) if province.valid_to else end
        units = list(
            Unit.objects.filter(valid_on(day), level=scheme.level, path__startswith=province.path)
            .exclude(pk=province.pk)
            .order_by("code")
        )
    outside = [u.name for u in units if not u.path.startswith(province.path) or u.level != scheme.level]
    if outside or not units:
        raise DomainError(
            f"units not of level {scheme.level} in {province.name}: {', '.join(outside[:5]) or 'none'}",
            f"Đơn vị không thuộc cấp {scheme.level} của {province.name}: {', '.join(outside[:5]) or 'không'}",
            field="units",
        )
    measured = measured_figures(version=version, unit_ids=[u.pk for u in units], year=year)
    components = list(version.components.order_by("position"))
    with transaction.atomic():
        round_ = Round.objects.create(
            scheme=scheme,
            version=version,
            year=year,
            province=province,
            title=title.strip()[:300] or f"Đánh giá {scheme.name_vi.lower()} năm {year} — {province.name}",
            self_until=self_until,
            appraisal_until=appraisal_until,
            explanation_until=explanation_until,
            publish_by=publish_by,
            created_by=user,
        )
        for unit in units:
            sheet = Sheet.objects.create(round=round_, unit=unit)
            entries = []
            for component in components:
                figure, source = measured.get((unit.pk, component.code), (None, ""))
                entries.append(
                    Entry(
                        sheet=sheet,
                        component=component,
                        system_figure=figure,
                        system_source=source,
                        figure=figure,
                        measured=figure is not None,
                        self_points=points_of(component, figure),
                    )
                )
            Entry.objects.bulk_create(entries)
        record(
            round_,
            "opened",
            actor=user,
            scheme=scheme.code,
            version=version.number,
            year=year,
            units=len(units),
            deadlines=[d.isoformat() for d in days],
        )
    return round_


def get_round(round_id: int) -> Round:
    found = Round.objects.select_related("scheme", "version", "province")
    round_ = found.filter(pk=round_id).first() if is_id(round_id) else None
    if round_ is None:
        raise NotFound(f"assessment round {round_id} does not exist", f"Không có đợt đánh giá {round_id}")
    return round_


def get_sheet(round_: Round, unit_id: int) -> Sheet:
    found = Sheet.objects.select_related("unit")
    sheet = found.filter(round=round_, unit_id=unit_id).first() if is_id(unit_id) else None
    if sheet is None:
        raise NotFound(
            f"unit {unit_id} is not assessed in round {round_.pk}",
            f"Đơn vị {unit_id} không thuộc đợt đánh giá {round_.pk}",
            field="unit",
        )
    return sheet


def get_entry(sheet: Sheet, code: str) -> Entry:
    entry = (
        Entry.objects.select_related("component", "sheet__unit", "sheet__round__province")
        .filter(sheet=sheet, component__code=(code or "")[:32])
        .first()
    )
    if entry is None:
        raise NotFound(
            f"no component {code} in this round", f"Không có tiêu chí {code} trong đợt này", field="component"
        )
    return entry


# --- self-assessment ----------------------------------------------------------------------


def _may_change(entry: Entry) -> None:
    """A unit changes its answer while its sheet is a draft, or where the appraiser asked it to."""
    round_ = entry.sheet.round
    if entry.review == Review.ASKED:
        require_open(round_, Stage.SELF, Stage.APPRAISAL)
        return
    require_open(round_, Stage.SELF)
    if entry.sheet.status == SheetStatus.SUBMITTED:
        raise DomainError(
            f"{entry.sheet.unit.name} has submitted; it changes only where the appraiser asks",
            f"{entry.sheet.unit.name} đã gửi bản tự đánh giá; chỉ sửa được tiêu chí người thẩm định yêu cầu",
            field="component",
        )
    require_before(round_.self_until, what_en="self-assessment", what_vi="tự đánh giá", field="round")


def save_entry(
    *,
    entry: Entry,
    user: AnyUser,
    figure: str | float | None = None,
    comment: str | None = None,
    use_measured: bool = False,
) -> Entry:
    """Enter a component's figure (or go back to the system's measurement) and a comment."""
    require_unit_role(user, entry.sheet.unit)
    _may_change(entry)
    value = entry.system_figure if use_measured else read_figure(figure)
    if use_measured and value is None:
        raise DomainError(
            f"the system measured no figure for {entry.component.code}",
            f"Hệ thống chưa đo được số liệu cho tiêu chí {entry.component.code}",
            field="figure",
        )
    with transaction.atomic():
        entry = Entry.objects.select_for_update().select_related("component", "sheet__unit").get(pk=entry.pk)
        old = entry.figure
        entry.figure = value
        entry.measured = use_measured or (
            value is not None and value == entry.system_figure and entry.measured
        )
        entry.self_points = points_of(entry.component, value)
        if comment is not None:
            entry.comment = comment.strip()[:4000]
        entry.save()
        record(
            entry.sheet.round,
            "figure",
            actor=user,
            unit=entry.sheet.unit,
            component=entry.component.code,
            old=old,
            new=value,
            measured=entry.measured,
            points=entry.self_points,
        )
    return entry


def add_evidence(
    *,
    entry: Entry,
    user: AnyUser,
    number: str = "",
    issued_on: datetime.date | None = None,
    issuer: str = "",
    abstract: str = "",
    link: str = "",
    file_name: str = "",
    data: bytes | None = None,
    public: bool = False,
) -> Evidence:
    """Attach a document to a component: its number, date, issuer and abstract, a file or a link."""
    require_unit_role(user, entry.sheet.unit)
    round_ = entry.sheet.round
    if round_.stage == Stage.EXPLANATION and entry.explanation in ("", "filed"):
        require_open(round_, Stage.EXPLANATION)
        require_before(round_.explanation_until, what_en="explanations", what_vi="giải trình", field="round")
        stage = Stage.EXPLANATION
    else:
        _may_change(entry)
        stage = round_.stage
    problems = []
    if not (number.strip() or abstract.strip()):
        problems.append(
            Problem("number", "give the document's number or abstract", "Cần ghi số hoặc trích yếu văn bản")
        )
    if data is None and not link.strip():
        problems.append(
            Problem("file", "attach a file or give a link", "Cần đính kèm tệp hoặc ghi đường dẫn")
        )
    if link.strip() and not link.strip().lower().startswith(("http://", "https://")):
        problems.append(
            Problem("link", "a link starts with https://", "Đường dẫn phải bắt đầu bằng https://")
        )
    if problems:
        raise InvalidInput(problems)
    name, content_type = check_file(name=file_name, data=data) if data is not None else ("", "")
    with transaction.atomic():
        evidence = Evidence.objects.create(
            entry=entry,
            number=number.strip()[:80],
            issued_on=issued_on,
            issuer=issuer.strip()[:200],
            abstract=abstract.strip()[:4000],
            link=link.strip()[:500],
            file_name=name,
            content_type=content_type,
            size=len(data or b""),
            data=data,
            sha256=hashlib.sha256(data).hexdigest() if data else "",
            public=public,
            stage=stage,
            added_by=user,
        )
        record(
            round_,
            "evidence",
            actor=user,
            unit=entry.sheet.unit,
            component=entry.component.code,
            evidence=evidence.pk,
            number=evidence.number,
            file=name,
            sha256=evidence.sha256,
            link=evidence.link,
        )
    return evidence


def missing_components(sheet: Sheet) -> list[Problem]:
    """What keeps a sheet from being submitted: components without a figure, and entered figures
    without evidence (the system's own measurements need none)."""
    problems = []
    with_evidence = set(Evidence.objects.filter(entry__sheet=sheet).values_list("entry_id", flat=True))
    for entry in sheet.entries.select_related("component").order_by("component__position"):
        code = entry.component.code
        if entry.figure is None:
            problems.append(
                Problem(
                    code,
                    f"{code} {entry.component.name_en}: no figure",
                    f"{code} {entry.component.name_vi}: chưa có số liệu",
                )
            )
        elif not entry.measured and entry.pk not in with_evidence:
            problems.append(
                Problem(
                    code,
                    f"{code} {entry.component.name_en}: an entered figure needs its evidence",
                    f"{code} {entry.component.name_vi}: số liệu tự nhập cần có minh chứng",
                )
            )
    return problems


def submit_sheet(*, sheet: Sheet, user: AnyUser) -> Sheet:
    """The unit's approver sends the self-assessment for appraisal; refused listing what is missing."""
    require_unit_role(user, sheet.unit, submit=True)
    require_open(sheet.round, Stage.SELF)
    require_before(sheet.round.self_until, what_en="self-assessment", what_vi="tự đánh giá", field="round")
    if sheet.status == SheetStatus.SUBMITTED:
        raise DomainError(
            f"{sheet.unit.name} has already submitted",
            f"{sheet.unit.name} đã gửi bản tự đánh giá",
            field="unit",
        )
    problems = missing_components(sheet)
    if problems:
        raise InvalidInput(problems)
    with transaction.atomic():
        sheet.status = SheetStatus.SUBMITTED
        sheet.submitted_at = timezone.now()
        sheet.submitted_by = user
        sheet.save(update_fields=["status", "submitted_at", "submitted_by"])
        points = sum(e.self_points or 0 for e in sheet.entries.all())
        record(sheet.round, "submitted", actor=user, unit=sheet.unit, points=round(points, 6))
    return sheet


def answer_question(*, entry: Entry, user: AnyUser, answer: str) -> Entry:
    """The unit answers the appraiser's request for evidence; the component goes back to appraisal."""
    require_unit_role(user, entry.sheet.unit)
    require_open(entry.sheet.round, Stage.SELF, Stage.APPRAISAL)
    if entry.review != Review.ASKED:
        raise DomainError(
            f"no question waits on {entry.component.code}",
            f"Không có yêu cầu bổ sung nào ở tiêu chí {entry.component.code}",
            field="component",
        )
    if not answer.strip():
        raise DomainError("write the answer", "Cần ghi nội dung trả lời", field="answer")
    with transaction.atomic():
        entry.review = Review.ANSWERED
        entry.answer = answer.strip()[:4000]
        entry.save(update_fields=["review", "answer"])
        record(
            entry.sheet.round,
            "answered",
            actor=user,
            unit=entry.sheet.unit,
            component=entry.component.code,
            reason=entry.answer,
        )
    return entry
