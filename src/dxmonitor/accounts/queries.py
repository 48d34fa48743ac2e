"""Who is asking: token lookup for the API."""

from django.utils import timezone

from dxmonitor.common.users import AnyUser

from .models import ApiToken, hash_token


def user_for_token(token: str) -> tuple[AnyUser, ApiToken] | None:
    found = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_token(token), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if found is None:
        return None
    # Touch at most once a minute: a busy client should not write on every call.
    now = timezone.now()
    if found.last_used_at is None or (now - found.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
    return found.user, found


def can_administer(user: AnyUser | None) -> bool:
    """National administration: the catalogue, units, roles."""
    from .permissions import is_national_admin

    return is_national_admin(user)


def users_with_roles():
    from django.contrib.auth import get_user_model
    from django.db.models import Count, Prefetch, Q

    from .models import RoleAssignment

    return (
        get_user_model()
        .objects.annotate(active_tokens=Count("api_tokens", filter=Q(api_tokens__revoked_at__isnull=True)))
        .prefetch_related(Prefetch("roles", queryset=RoleAssignment.objects.select_related("unit")))
        .order_by("username")
    )
