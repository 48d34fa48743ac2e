"""Signing keys for the demo accounts, made by the demo's own certification authority."""

from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model

from dxmonitor.accounts.models import Role, RoleAssignment
from dxmonitor.geo.models import Unit

from .actions import DemoPki, create_demo_pki

# The demo accounts (dxmonitor.demo.entry.ACCOUNTS) and the names on their demo certificates,
# labelled as simulated like every other piece of demo data.
DEMO_SIGNERS = [
    ("pheduyet.laichau", "Người phê duyệt tỉnh Lai Châu (mô phỏng)"),
    ("canbo.thanuyen", "Cán bộ xã Than Uyên (mô phỏng)"),
]
UNIT_KEY_HOLDER = "pheduyet.laichau"


def demo_directory() -> Path:
    return Path(settings.VAR_DIR) / "demo-pki"


def create_demo_signing_keys(*, directory: Path | None = None) -> DemoPki:
    """The demo CA (trusted), a personal key for each demo account that exists, and a unit key for
    each unit the demo approver approves for (tỉnh Lai Châu). Running it again creates nothing."""
    users = get_user_model().objects.filter(username__in=[name for name, _ in DEMO_SIGNERS])
    present = set(users.values_list("username", flat=True))
    people = [(name, full) for name, full in DEMO_SIGNERS if name in present]
    units = list(
        Unit.objects.filter(
            pk__in=RoleAssignment.objects.filter(
                user__username=UNIT_KEY_HOLDER, role=Role.APPROVER, unit__isnull=False
            ).values("unit_id")
        ).order_by("path")
    )
    return create_demo_pki(directory=directory or demo_directory(), people=people, units=units)
