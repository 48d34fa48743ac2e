"""Reads of official reports, confined to the units the reader may see."""

from django.db.models import QuerySet

from dxmonitor.accounts.permissions import READ, grants
from dxmonitor.common.errors import NotFound
from dxmonitor.common.users import AnyUser
from dxmonitor.geo.models import Unit

from .models import OfficialReport

LIGHT_FIELDS = ("pdf", "docx", "signed_pdf")


def has_signed_report(*, unit: Unit, period: str) -> bool:
    """Whether the unit has a digitally signed official report of the period."""
    return OfficialReport.objects.filter(unit=unit, period=period, signed_at__isnull=False).exists()


def reports_for(user: AnyUser | None) -> QuerySet[OfficialReport]:
    """Reports of the units the user may read, newest first, without their files."""
    return (
        OfficialReport.objects.filter(grants(user).unit_filter(READ, prefix="unit__"))
        .select_related("unit", "dataset", "generated_by", "signed_by")
        .defer(*LIGHT_FIELDS)
    )


def get_report(*, report_id: int, user: AnyUser | None) -> OfficialReport:
    found = (
        OfficialReport.objects.filter(grants(user).unit_filter(READ, prefix="unit__"))
        .select_related("unit", "dataset", "generated_by", "signed_by")
        .filter(pk=report_id)
        .first()
    )
    if found is None:
        raise NotFound(f"no report {report_id}", f"Không có báo cáo {report_id}")
    return found
