"""Reads of official reports."""

from dxmonitor.geo.models import Unit

from .models import OfficialReport


def has_signed_report(*, unit: Unit, period: str) -> bool:
    """Whether the unit has a digitally signed official report of the period."""
    return OfficialReport.objects.filter(unit=unit, period=period, signed_at__isnull=False).exists()
