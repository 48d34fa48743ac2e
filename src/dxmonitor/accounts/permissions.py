"""Who may do what where. Every read of collected data and every write asks here.

A role covers a unit and its whole subtree (a commune's villages, a province's communes).
Superusers and national administrators may do everything. Checks are prefix tests on the
units' materialised paths, so they cost nothing once a user's roles are loaded.
"""

from dataclasses import dataclass

from django.db.models import Q

from dxmonitor.common.users import AnyUser
from dxmonitor.geo.models import Unit

from .models import Role, RoleAssignment

ENTER = "enter"
APPROVE = "approve"
READ = "read"
ADMINISTER = "administer"
# Computing scores writes derived data only: analysts, who read and compare, may do it.
SCORE = "score"

# Which roles allow which action.
ALLOWED: dict[str, set[str]] = {
    READ: {Role.DATA_ENTRY, Role.APPROVER, Role.ANALYST, Role.ADMIN},
    ENTER: {Role.DATA_ENTRY, Role.APPROVER, Role.ADMIN},
    APPROVE: {Role.APPROVER, Role.ADMIN},
    ADMINISTER: {Role.ADMIN},
    SCORE: {Role.ANALYST, Role.ADMIN},
}


@dataclass(frozen=True)
class Grants:
    """A user's roles, as (role, path) pairs; path "" is the whole country."""

    everything: bool
    pairs: tuple[tuple[str, str], ...]

    def paths(self, action: str) -> list[str]:
        return [path for role, path in self.pairs if role in ALLOWED[action]]

    def covers(self, action: str, unit: Unit) -> bool:
        if self.everything:
            return True
        return any(unit.path.startswith(path) for path in self.paths(action))

    def unit_filter(self, action: str, prefix: str = "") -> Q:
        """A filter on units (or, with `prefix="unit__"`, on rows that point at a unit)."""
        if self.everything or "" in self.paths(action):
            return Q()
        paths = self.paths(action)
        if not paths:
            return Q(pk__in=[])
        condition = Q()
        for path in paths:
            condition |= Q(**{f"{prefix}path__startswith": path})
        return condition

    @property
    def any(self) -> bool:
        return self.everything or bool(self.pairs)


NOBODY = Grants(False, ())


def grants(user: AnyUser | None) -> Grants:
    """The user's grants, loaded once per user object (so once per request)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NOBODY
    cached = getattr(user, "_dxm_grants", None)
    if cached is not None:
        return cached
    everything = bool(user.is_superuser)
    pairs = tuple(
        (a.role, a.unit.path if a.unit_id else "")
        for a in RoleAssignment.objects.filter(user=user).select_related("unit")
    )
    if user.is_staff and not pairs:
        # Staff accounts made before roles existed administer the whole country.
        pairs = ((Role.ADMIN, ""),)
    result = Grants(everything, pairs)
    user._dxm_grants = result  # type: ignore[attr-defined]
    return result


def can(user: AnyUser | None, action: str, unit: Unit) -> bool:
    return grants(user).covers(action, unit)


def is_national_admin(user: AnyUser | None) -> bool:
    found = grants(user)
    return found.everything or "" in found.paths(ADMINISTER)


def forget(user: AnyUser) -> None:
    """Drop the cached grants after a role change."""
    if hasattr(user, "_dxm_grants"):
        del user._dxm_grants
