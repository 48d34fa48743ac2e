"""Figures typed into the entry form without a connection and sent later from the device's queue.

Each queued figure carries the version of the value the form showed when it was typed (its
base). It is applied only while that base is still current, or when every later version is
the sender's own; otherwise someone else changed the figure meanwhile and nothing is written:
the answer is a conflict with their figure, who and when, and the officer chooses. Keeping
their own figure writes it as the next version; keeping the other figure writes the queued
figure and then the other again, so the history holds both and says who chose what.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from dxmonitor.catalog.models import Indicator
from dxmonitor.common.errors import DomainError, InvalidInput
from dxmonitor.common.users import AnyUser
from dxmonitor.geo.models import Unit

from .actions import Provenance, Recorded, delete_value, record_value, snapshot
from .models import SourceType, Value, ValueChange, ValueKind
from .schemas import check_value

MINE = "mine"
THEIRS = "theirs"
# A device's clock can be wrong; a moment this far back is kept as typed, a later one is not.
OLDEST_OFFLINE = datetime.timedelta(days=366)


@dataclass(frozen=True)
class Newer:
    """The version someone else wrote after the queued figure's base."""

    version: int
    by: str
    at: datetime.datetime
    content: dict | None  # None: they deleted the figure


class QueuedConflict(DomainError):
    """Someone else changed the figure after the version the queued figure was based on."""

    status = 409

    def __init__(self, newer: Newer, unit: Unit, indicator: Indicator) -> None:
        when = timezone.localtime(newer.at).strftime("%H:%M %d/%m/%Y")
        super().__init__(
            f"{newer.by} changed {indicator.code} of {unit.name} at {when} after your figure was typed; "
            "choose which figure to keep",
            f"{newer.by} đã sửa số liệu này lúc {when}, sau khi bạn nhập; hãy chọn giữ số liệu nào",
            field="value",
        )
        self.newer = newer


def _who(user: AnyUser | None) -> str:
    if user is None:
        return "hệ thống"
    return user.get_full_name() or user.get_username()


def newer_change(current: Value | None, base_version: int, user: AnyUser) -> Newer | None:
    """The latest version after `base_version` written by someone other than `user`, if any."""
    if current is None or current.version <= base_version:
        return None
    last = (
        ValueChange.objects.filter(value=current, version__gt=base_version)
        .exclude(changed_by=user)
        .select_related("changed_by")
        .order_by("-version")
        .first()
    )
    if last is None:
        return None  # only the sender's own later saves, from another tab or device
    content = snapshot(current)
    return Newer(
        version=current.version,
        by=_who(last.changed_by),
        at=last.changed_at,
        content=None if content.get("is_deleted") else content,
    )


def _offline_moment(moment: datetime.datetime | None) -> datetime.datetime | None:
    if moment is None:
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    now = timezone.now()
    return min(max(moment, now - OLDEST_OFFLINE), now)


def _same(content: dict | None, clean) -> bool:
    if content is None:
        return False
    if clean.numerator is not None and clean.denominator is not None:
        return content.get("numerator") == clean.numerator and content.get("denominator") == clean.denominator
    return content.get("value") == clean.value and content.get("numerator") is None


def record_queued_value(
    *,
    unit: Unit,
    indicator: Indicator,
    period: str,
    value=None,
    numerator=None,
    denominator=None,
    base_version: int,
    entered_offline_at: datetime.datetime | None = None,
    keep: str | None = None,
    user: AnyUser,
) -> Recorded:
    """Apply one queued figure if its base is current; else raise QueuedConflict, unless the
    officer already chose (`keep` = "mine" or "theirs"). Every other check is that of any write
    (role and subtree, open period, unlocked report, the single-value checks)."""
    clean, problems = check_value(
        unit=unit,
        indicator=indicator,
        period=period,
        kind=ValueKind.ACTUAL,
        value=value,
        numerator=numerator,
        denominator=denominator,
    )
    if problems:
        raise InvalidInput(problems)
    assert clean is not None
    provenance = Provenance(
        source_type=SourceType.FORM, entered_offline_at=_offline_moment(entered_offline_at)
    )
    key = {"unit": unit, "indicator": indicator, "period": clean.period.code, "kind": ValueKind.ACTUAL}
    with transaction.atomic():
        current = Value.objects.select_for_update().filter(**key).select_related("indicator").first()
        newer = newer_change(current, base_version, user)
        if newer is not None and keep not in (MINE, THEIRS) and not _same(newer.content, clean):
            raise QueuedConflict(newer, unit, indicator)
        reason = f"kept over the figure {newer.by} entered" if newer is not None and keep == MINE else ""
        recorded = record_value(
            unit=unit,
            indicator=indicator,
            period=clean.period.code,
            value=value,
            numerator=numerator,
            denominator=denominator,
            provenance=provenance,
            user=user,
            reason=reason,
        )
        if newer is None or keep != THEIRS or _same(newer.content, clean):
            return recorded
        # The officer keeps the other figure: theirs becomes current again, after the queued one.
        why = f"the figure {newer.by} entered was kept over the one typed offline"
        form = Provenance(source_type=SourceType.FORM)
        if newer.content is None:
            return delete_value(value=recorded.value, provenance=form, user=user, reason=why)
        return record_value(
            unit=unit,
            indicator=indicator,
            period=clean.period.code,
            value=newer.content["value"],
            numerator=newer.content["numerator"],
            denominator=newer.content["denominator"],
            comparator=newer.content["comparator"],
            note=newer.content["note"],
            provenance=form,
            user=user,
            reason=why,
        )
