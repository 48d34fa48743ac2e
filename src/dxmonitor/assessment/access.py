"""Who may do what in a round. Organisers administer the round's province; a unit's specialists
(data entry) fill its sheet and its approvers submit it; appraisers act on their department's
components for the units of their province only."""

from django.utils import timezone

from dxmonitor.accounts.permissions import ADMINISTER, APPROVE, ENTER, READ, can, grants
from dxmonitor.catalog.models import SchemeComponent
from dxmonitor.common.errors import DomainError, Forbidden
from dxmonitor.common.users import AnyUser
from dxmonitor.geo.models import Unit

from .models import Appraiser, Department, Round, Stage


class Locked(DomainError):
    """The round is published (or past the stage the step belongs to)."""

    status = 409


def _who(user: AnyUser | None) -> str:
    return user.get_username() if user is not None else "anonymous"


def require_organiser(user: AnyUser | None, province: Unit) -> None:
    if not can(user, ADMINISTER, province):
        raise Forbidden(
            f"{_who(user)} may not organise assessments of {province.name}: its administrators may",
            f"Tài khoản {_who(user)} không được tổ chức đánh giá của {province.name}; "
            "chỉ quản trị viên của tỉnh được làm",
            field="round",
        )


def require_unit_role(user: AnyUser | None, unit: Unit, *, submit: bool = False) -> None:
    action = APPROVE if submit else ENTER
    if not can(user, action, unit):
        if submit:
            raise Forbidden(
                f"{_who(user)} may not submit the self-assessment of {unit.name}: its approvers may",
                f"Tài khoản {_who(user)} không được gửi bản tự đánh giá của {unit.name}; "
                "chỉ người phê duyệt của đơn vị được gửi",
                field="unit",
            )
        raise Forbidden(
            f"{_who(user)} may not fill the self-assessment of {unit.name}",
            f"Tài khoản {_who(user)} không được nhập bản tự đánh giá của {unit.name}",
            field="unit",
        )


def department_of(component: SchemeComponent, departments: list[Department]) -> Department | None:
    """The department whose longest prefix the component's code starts with."""
    best, length = None, -1
    for department in departments:
        for prefix in department.prefixes:
            if (component.code == prefix or component.code.startswith(prefix + ".")) and len(prefix) > length:
                best, length = department, len(prefix)
    return best


def departments_of(round_: Round) -> list[Department]:
    return list(Department.objects.filter(scheme_id=round_.scheme_id).order_by("code"))


def appraised_departments(user: AnyUser | None, round_: Round) -> list[Department]:
    """The departments whose components the user appraises in this round."""
    if user is None or not user.is_authenticated:
        return []
    if user.is_superuser:
        return departments_of(round_)
    ids = Appraiser.objects.filter(
        user=user, department__scheme_id=round_.scheme_id, province_id=round_.province_id
    ).values_list("department_id", flat=True)
    return list(Department.objects.filter(pk__in=list(ids)).order_by("code"))


def require_appraiser(user: AnyUser | None, round_: Round, component: SchemeComponent) -> Department:
    departments = departments_of(round_)
    owner = department_of(component, departments)
    mine = {d.pk for d in appraised_departments(user, round_)}
    if owner is None or owner.pk not in mine:
        where = owner.name_en if owner else "no department"
        where_vi = owner.name_vi if owner else "chưa giao sở, ngành nào"
        raise Forbidden(
            f"{_who(user)} does not appraise component {component.code} of {round_.province.name} "
            f"({where} does)",
            f"Tài khoản {_who(user)} không thẩm định tiêu chí {component.code} của {round_.province.name} "
            f"({where_vi} thẩm định)",
            field="component",
        )
    return owner


def may_read_round(user: AnyUser | None, round_: Round) -> bool:
    if round_.stage == Stage.PUBLISHED:
        return True
    found = grants(user)
    if found.everything or can(user, READ, round_.province):
        return True
    if appraised_departments(user, round_):
        return True
    return any(path.startswith(round_.province.path) for path in found.paths(READ))


def may_read_sheet(user: AnyUser | None, round_: Round, unit: Unit) -> bool:
    return can(user, READ, unit) or bool(appraised_departments(user, round_))


def require_open(round_: Round, *stages: str) -> None:
    """Refuse a step on a published round, or outside the stages it belongs to."""
    if round_.stage == Stage.PUBLISHED:
        raise Locked(
            f"round {round_.pk} is published and locked; nothing in it can change",
            f"Đợt đánh giá {round_.pk} đã công bố và bị khóa; không thể thay đổi",
            field="round",
        )
    if stages and round_.stage not in stages:
        labels = ", ".join(Stage(s).label for s in stages)
        raise Locked(
            f"round {round_.pk} is at {Stage(round_.stage).label}; this step belongs to {labels}",
            f"Đợt đánh giá {round_.pk} đang ở giai đoạn {STAGE_VI[round_.stage]}; "
            f"bước này thuộc giai đoạn {', '.join(STAGE_VI[s] for s in stages)}",
            field="round",
        )


def require_before(day, *, what_en: str, what_vi: str, field: str) -> None:
    today = timezone.localdate()
    if today > day:
        raise DomainError(
            f"the deadline for {what_en} was {day:%d/%m/%Y}",
            f"Đã quá hạn {what_vi} ({day:%d/%m/%Y})",
            field=field,
        )


STAGE_VI = {
    Stage.SELF: "tự đánh giá",
    Stage.APPRAISAL: "thẩm định",
    Stage.EXPLANATION: "công bố kết quả tạm thời và giải trình",
    Stage.PUBLISHED: "đã công bố",
}
