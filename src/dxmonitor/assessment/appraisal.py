"""The second half of the cycle: the departments' appraisal, the provisional ranking and the
units' explanations, the council's decision and publication. Each function checks who may do it,
owns its transaction and writes an `Event`."""

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from dxmonitor.common.errors import DomainError, InvalidInput, Problem
from dxmonitor.common.users import AnyUser

from .access import (
    department_of,
    departments_of,
    require_appraiser,
    require_before,
    require_open,
    require_organiser,
    require_unit_role,
)
from .actions import record
from .measure import points_of, read_figure, read_points
from .models import Entry, Explanation, Review, Round, Sheet, SheetStatus, Stage

ACCEPT, ADJUST, ASK = "accept", "adjust", "ask"


def appraise(
    *,
    entry: Entry,
    user: AnyUser,
    decision: str,
    figure: str | float | None = None,
    points: str | float | None = None,
    reason: str = "",
) -> Entry:
    """Accept a submitted component, adjust it (a new figure or points, with the reason) or ask the
    unit for more evidence (the reason is the question)."""
    round_ = entry.sheet.round
    require_appraiser(user, round_, entry.component)
    require_open(round_, Stage.SELF, Stage.APPRAISAL)
    if entry.sheet.status != SheetStatus.SUBMITTED:
        raise DomainError(
            f"{entry.sheet.unit.name} has not submitted its self-assessment yet",
            f"{entry.sheet.unit.name} chưa gửi bản tự đánh giá",
            field="unit",
        )
    if decision not in (ACCEPT, ADJUST, ASK):
        raise DomainError(
            "the decision is accept, adjust or ask",
            "Quyết định phải là chấp nhận, điều chỉnh hoặc yêu cầu bổ sung",
            field="decision",
        )
    reason = reason.strip()[:4000]
    new_points = entry.self_points
    new_figure = entry.figure
    if decision == ADJUST:
        new_figure = read_figure(figure) if figure not in (None, "") else None
        given = read_points(points, entry.component) if points not in (None, "") else None
        problems = []
        if new_figure is None and given is None:
            problems.append(
                Problem("figure", "give the new figure or points", "Cần ghi số liệu hoặc số điểm mới")
            )
        if not reason:
            problems.append(Problem("reason", "an adjustment needs its reason", "Điều chỉnh cần ghi lý do"))
        if problems:
            raise InvalidInput(problems)
        new_points = given if given is not None else points_of(entry.component, new_figure)
        new_figure = new_figure if new_figure is not None else entry.figure
    if decision == ASK and not reason:
        raise DomainError("write what evidence is needed", "Cần ghi nội dung yêu cầu bổ sung", field="reason")
    with transaction.atomic():
        entry = (
            Entry.objects.select_for_update()
            .select_related("component", "sheet__unit", "sheet__round")
            .get(pk=entry.pk)
        )
        old = {"review": entry.review, "points": entry.appraised_points}
        if decision == ASK:
            entry.review, entry.reason, entry.answer = Review.ASKED, reason, ""
            entry.appraised_points = entry.appraised_figure = None
        else:
            entry.review = Review.ACCEPTED if decision == ACCEPT else Review.ADJUSTED
            entry.appraised_figure = new_figure
            entry.appraised_points = new_points
            entry.reason = reason
        entry.appraised_by, entry.appraised_at = user, timezone.now()
        entry.save()
        record(
            round_,
            decision,
            actor=user,
            unit=entry.sheet.unit,
            component=entry.component.code,
            reason=reason,
            old=old,
            figure=entry.appraised_figure,
            points=entry.appraised_points,
        )
    return entry


def accept_rest(*, sheet: Sheet, user: AnyUser) -> int:
    """Accept, as self-assessed, every component of the user's departments on a submitted sheet
    that waits for appraisal (not those where evidence was asked); each acceptance is an event."""
    from .access import appraised_departments

    mine = {d.pk for d in appraised_departments(user, sheet.round)}
    departments = departments_of(sheet.round)
    waiting = [
        e
        for e in sheet.entries.select_related("component", "sheet__unit", "sheet__round__province")
        .filter(review__in=[Review.PENDING, Review.ANSWERED])
        .order_by("component__position")
        if (owner := department_of(e.component, departments)) is not None and owner.pk in mine
    ]
    if not mine:
        require_appraiser(user, sheet.round, sheet.entries.first().component)
    for entry in waiting:
        appraise(entry=entry, user=user, decision=ACCEPT)
    return len(waiting)


def progress(round_: Round) -> dict:
    """How far the appraisal is: per department and per unit, components done out of all."""
    departments = departments_of(round_)
    entries = Entry.objects.filter(sheet__round=round_).select_related("component", "sheet__unit")
    per_department: dict[str, dict] = {
        d.code: {"department": d, "done": 0, "asked": 0, "total": 0} for d in departments
    }
    per_department[""] = {"department": None, "done": 0, "asked": 0, "total": 0}
    owner_of: dict[int, str] = {}
    for entry in entries:
        if entry.component_id not in owner_of:
            owner = department_of(entry.component, departments)
            owner_of[entry.component_id] = owner.code if owner else ""
        row = per_department[owner_of[entry.component_id]]
        row["total"] += 1
        row["done"] += entry.review in (Review.ACCEPTED, Review.ADJUSTED)
        row["asked"] += entry.review == Review.ASKED
    units = (
        Sheet.objects.filter(round=round_)
        .select_related("unit")
        .annotate(
            total=Count("entries"),
            done=Count("entries", filter=Q(entries__review__in=[Review.ACCEPTED, Review.ADJUSTED])),
            asked=Count("entries", filter=Q(entries__review=Review.ASKED)),
        )
        .order_by("unit__code")
    )
    return {
        "departments": [r for r in per_department.values() if r["total"]],
        "units": list(units),
    }


def close_appraisal(*, round_: Round, user: AnyUser) -> Round:
    """Close appraisal and publish the provisional ranking to the units for their explanations."""
    require_organiser(user, round_.province)
    require_open(round_, Stage.SELF, Stage.APPRAISAL)
    drafts = list(round_.sheets.filter(status=SheetStatus.DRAFT).select_related("unit")[:20])
    waiting = (
        Entry.objects.filter(sheet__round=round_, sheet__status=SheetStatus.SUBMITTED)
        .exclude(review__in=[Review.ACCEPTED, Review.ADJUSTED])
        .select_related("sheet__unit", "component")
    )
    problems = [
        Problem("unit", f"{s.unit.name} has not submitted", f"{s.unit.name} chưa gửi bản tự đánh giá")
        for s in drafts
    ]
    problems += [
        Problem(
            e.component.code,
            f"{e.sheet.unit.name} {e.component.code}: not appraised yet",
            f"{e.sheet.unit.name} {e.component.code}: chưa thẩm định xong",
        )
        for e in waiting[:50]
    ]
    if problems:
        raise InvalidInput(problems)
    with transaction.atomic():
        round_.stage = Stage.EXPLANATION
        round_.save(update_fields=["stage"])
        record(round_, "provisional", actor=user)
    return round_


def explain(*, entry: Entry, user: AnyUser, text: str) -> Entry:
    """A unit explains a component of its provisional result, before the explanation deadline."""
    round_ = entry.sheet.round
    require_unit_role(user, entry.sheet.unit)
    require_open(round_, Stage.EXPLANATION)
    require_before(round_.explanation_until, what_en="explanations", what_vi="giải trình", field="round")
    if not text.strip():
        raise DomainError("write the explanation", "Cần ghi nội dung giải trình", field="text")
    if entry.explanation in (Explanation.ACCEPTED, Explanation.REJECTED):
        raise DomainError(
            f"the explanation of {entry.component.code} was already answered",
            f"Giải trình tiêu chí {entry.component.code} đã được trả lời",
            field="component",
        )
    with transaction.atomic():
        entry.explanation = Explanation.FILED
        entry.explanation_text = text.strip()[:4000]
        entry.save(update_fields=["explanation", "explanation_text"])
        record(
            round_,
            "explained",
            actor=user,
            unit=entry.sheet.unit,
            component=entry.component.code,
            reason=entry.explanation_text,
        )
    return entry


def reply_explanation(
    *,
    entry: Entry,
    user: AnyUser,
    accept: bool,
    reply: str,
    figure: str | float | None = None,
    points: str | float | None = None,
) -> Entry:
    """The appraiser answers an explanation: accepted (the self-assessed points, or those given),
    or rejected with the reason."""
    round_ = entry.sheet.round
    require_appraiser(user, round_, entry.component)
    require_open(round_, Stage.EXPLANATION)
    if entry.explanation != Explanation.FILED:
        raise DomainError(
            f"no explanation waits on {entry.component.code}",
            f"Không có giải trình nào chờ ở tiêu chí {entry.component.code}",
            field="component",
        )
    if not reply.strip():
        raise DomainError("write the answer", "Cần ghi nội dung trả lời", field="reply")
    new_points = entry.appraised_points
    new_figure = entry.appraised_figure
    if accept:
        given = read_points(points, entry.component) if points not in (None, "") else None
        typed = read_figure(figure) if figure not in (None, "") else None
        if given is not None:
            new_points = given
        elif typed is not None:
            new_points, new_figure = points_of(entry.component, typed), typed
        else:
            new_points, new_figure = entry.self_points, entry.figure
    with transaction.atomic():
        old = entry.appraised_points
        entry.explanation = Explanation.ACCEPTED if accept else Explanation.REJECTED
        entry.explanation_reply = reply.strip()[:4000]
        entry.appraised_points, entry.appraised_figure = new_points, new_figure
        entry.save(update_fields=["explanation", "explanation_reply", "appraised_points", "appraised_figure"])
        record(
            round_,
            "explanation_accepted" if accept else "explanation_rejected",
            actor=user,
            unit=entry.sheet.unit,
            component=entry.component.code,
            reason=entry.explanation_reply,
            old=old,
            points=new_points,
        )
    return entry


def publish(*, round_: Round, user: AnyUser, decision: str, signer_name: str) -> Round:
    """The council's decision closes the round: final points fixed, the ranking published, the
    round locked, and its result made an official report of the province to be signed."""
    from .report import issue_round_report

    require_organiser(user, round_.province)
    require_open(round_, Stage.EXPLANATION)
    waiting = Entry.objects.filter(sheet__round=round_, explanation=Explanation.FILED).select_related(
        "sheet__unit", "component"
    )
    problems = [
        Problem(
            e.component.code,
            f"{e.sheet.unit.name} {e.component.code}: the explanation waits for its answer",
            f"{e.sheet.unit.name} {e.component.code}: giải trình chưa được trả lời",
        )
        for e in waiting[:50]
    ]
    if not decision.strip():
        problems.append(Problem("decision", "write the council's decision", "Cần ghi kết luận của Hội đồng"))
    if not signer_name.strip():
        problems.append(Problem("signer_name", "give the signer's name", "Cần ghi họ tên người ký"))
    if problems:
        raise InvalidInput(problems)
    with transaction.atomic():
        round_ = (
            Round.objects.select_for_update()
            .select_related("province", "scheme", "version")
            .get(pk=round_.pk)
        )
        require_open(round_, Stage.EXPLANATION)
        for entry in Entry.objects.filter(sheet__round=round_):
            entry.final_points = (
                entry.appraised_points if entry.appraised_points is not None else entry.self_points
            )
            entry.save(update_fields=["final_points"])
        round_.decision = decision.strip()[:4000]
        round_.stage = Stage.PUBLISHED
        round_.published_at = timezone.now()
        round_.report = issue_round_report(round_=round_, user=user, signer_name=signer_name.strip())
        round_.save(update_fields=["decision", "stage", "published_at", "report"])
        record(round_, "published", actor=user, reason=round_.decision, report=round_.report_id)
    return round_
