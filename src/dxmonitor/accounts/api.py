"""Authentication for the JSON API: a bearer token for machines, the session for browsers."""

from ninja import Query, Router, Status
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth

from dxmonitor.common.api import WRITE_ERRORS
from dxmonitor.common.errors import Forbidden, NotFound
from dxmonitor.common.users import ApiRequest

from .queries import user_for_token
from .schemas import RoleIn, UserOut, user_out


def challenge(request: ApiRequest, scheme: str) -> None:
    """Remember a scheme the operation accepts, for the WWW-Authenticate of its 401."""
    tried = request.__dict__.setdefault("auth_challenges", [])
    if scheme not in tried:
        tried.append(scheme)


class TokenAuth(HttpBearer):
    def __call__(self, request: ApiRequest):
        challenge(request, "Bearer")
        return super().__call__(request)

    def authenticate(self, request: ApiRequest, token: str):
        found = user_for_token(token)
        if found is None:
            return None
        user, api_token = found
        request.user = user
        request.api_client = api_token.name  # type: ignore[attr-defined]
        return user


class SessionAuth(NinjaSessionAuth):
    """The browser's session, with its CSRF check on writes (a page in another tab cannot post as
    the user). A request that brings an Authorization header is judged by it alone, and one without
    a signed-in session has nothing for the CSRF check to protect: both fall through to 401 with a
    challenge, instead of the CSRF check's 403 for what is a wrong or missing credential."""

    def __call__(self, request: ApiRequest):
        user = getattr(request, "user", None)
        if request.headers.get("Authorization") or user is None or not user.is_authenticated:
            return None
        return super().__call__(request)


WRITE_AUTH = [TokenAuth(), SessionAuth()]


def requester(request: ApiRequest):
    """Who is asking on an operation open to everyone: a signed-in user, a token's user, or None."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        found = user_for_token(header[7:].strip())
        if found is not None:
            return found[0]
    return None


def is_signed_in(request: ApiRequest) -> bool:
    """Names of people and API clients are shown to signed-in users and machine clients only."""
    return requester(request) is not None


def api_client_of(request: ApiRequest) -> str:
    return getattr(request, "api_client", "") or "session"


# Users and their roles: administrators only.
router = Router(tags=["users"])


def _admin(request: ApiRequest):
    from .queries import can_administer

    if not can_administer(request.auth):
        raise Forbidden(
            "only administrators manage users and roles", "Chỉ quản trị viên quản lý tài khoản và vai trò"
        )


def _user(username: str):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username=username[:150]).first()
    if user is None:
        raise NotFound(f"no user {username}", f"Không có tài khoản {username}", field="username")
    return user


def _unit(payload):
    from django.utils import timezone

    from dxmonitor.geo.queries import get_unit, unit_for_code

    if payload.unit_id is not None:
        unit = get_unit(payload.unit_id)
        if unit is None:
            raise NotFound(f"unit {payload.unit_id} does not exist", f"Không có đơn vị {payload.unit_id}")
        return unit
    if payload.unit_code:
        return unit_for_code(code=payload.unit_code, on=payload.as_of or timezone.localdate())
    return None


@router.get("/users", response={200: list[UserOut], **WRITE_ERRORS}, auth=WRITE_AUTH, url_name="users")
def list_users(request: ApiRequest):
    """Every account with its roles (twin of the users page)."""
    from .queries import users_with_roles

    _admin(request)
    return [user_out(u, active_tokens=u.active_tokens) for u in users_with_roles()]


@router.post(
    "/users/{username}/roles", response={201: UserOut, **WRITE_ERRORS}, auth=WRITE_AUTH, url_name="grant_role"
)
def add_role(request: ApiRequest, username: str, payload: RoleIn):
    """Give a user a role over a unit's subtree; no unit means the whole country."""
    from .actions import grant_role
    from .queries import users_with_roles

    _admin(request)
    user = _user(username)
    grant_role(user=user, role=payload.role, unit=_unit(payload), granted_by=request.auth)
    fresh = users_with_roles().get(pk=user.pk)
    return Status(201, user_out(fresh, active_tokens=fresh.active_tokens))


@router.delete(
    "/users/{username}/roles",
    response={200: UserOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    url_name="revoke_role",
)
def remove_role(request: ApiRequest, username: str, payload: Query[RoleIn]):
    """Take a role back (the same fields as granting it, in the query string)."""
    from .actions import revoke_role
    from .queries import users_with_roles

    _admin(request)
    user = _user(username)
    if not revoke_role(user=user, role=payload.role, unit=_unit(payload)):
        raise NotFound("the user has no such role", "Tài khoản không có vai trò này", field="role")
    fresh = users_with_roles().get(pk=user.pk)
    return user_out(fresh, active_tokens=fresh.active_tokens)
