"""Users and API tokens: every change goes through these functions."""

import secrets

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from dxmonitor.common.errors import DomainError, InvalidInput, Problem
from dxmonitor.common.users import AnyUser
from dxmonitor.geo.models import Unit

from .models import ApiToken, Role, RoleAssignment, hash_token
from .permissions import forget

TOKEN_PREFIX = "dxm_"


def create_token(*, user: AnyUser, name: str) -> tuple[ApiToken, str]:
    """Create a token for a machine client; the plain token is returned once and never stored."""
    if not name.strip():
        raise DomainError("a token needs a name", "Cần đặt tên cho mã truy cập", field="name")
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, name=name.strip(), prefix=plain[:12], key_hash=hash_token(plain)
        )
    return token, plain


def revoke_token(*, token: ApiToken) -> ApiToken:
    with transaction.atomic():
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
    return token


def ensure_user(
    *, username: str, password: str | None = None, is_admin: bool = False, email: str = ""
) -> tuple[AnyUser, bool]:
    """Create a user, or update the password and administrator flag of an existing one."""
    if not username.strip():
        raise DomainError("a user needs a name", "Cần nhập tên đăng nhập", field="username")
    User = get_user_model()
    with transaction.atomic():
        user, created = User.objects.get_or_create(username=username, defaults={"email": email})
        if password:
            check_password(password=password, user=user)
            user.set_password(password)
        elif created:
            user.set_unusable_password()
        user.is_staff = is_admin or user.is_staff
        user.is_superuser = is_admin or user.is_superuser
        user.save()
    return user, created


def check_password(*, password: str, user: AnyUser | None = None) -> None:
    """Django's password validators (AUTH_PASSWORD_VALIDATORS), for every path that sets a
    password; each complaint in English and Vietnamese."""
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise InvalidInput([_password_problem(error) for error in exc.error_list]) from None


def _password_problem(error: ValidationError) -> Problem:
    params = error.params or {}
    if error.code == "password_too_short":
        least = params.get("min_length", "")
        return Problem(
            "password",
            f"the password is too short: it needs at least {least} characters",
            f"Mật khẩu quá ngắn: cần ít nhất {least} ký tự",
        )
    known = {
        "password_too_common": ("the password is too common", "Mật khẩu này quá phổ biến"),
        "password_entirely_numeric": ("the password is only digits", "Mật khẩu không được chỉ gồm chữ số"),
        "password_too_similar": (
            "the password is too close to the user's name or e-mail",
            "Mật khẩu quá giống tên đăng nhập hoặc thư điện tử",
        ),
    }
    if error.code in known:
        return Problem("password", *known[error.code])
    text = " ".join(error.messages)
    return Problem("password", text, text)


def grant_role(
    *, user: AnyUser, role: str, unit: Unit | None, granted_by: AnyUser | None = None
) -> RoleAssignment:
    """Give a user a role over a unit's subtree (or the whole country when `unit` is None)."""
    if role not in Role.values:
        raise DomainError(
            f"unknown role {role!r}; use one of {', '.join(Role.values)}",
            f"Vai trò {role!r} không hợp lệ; dùng một trong {', '.join(Role.values)}",
            field="role",
        )
    if unit is not None and unit.level == "village" and role != Role.DATA_ENTRY:
        raise DomainError(
            "a village can only be given data entry",
            "Cấp thôn, bản chỉ được giao vai trò nhập liệu",
            field="unit",
        )
    with transaction.atomic():
        assignment, _ = RoleAssignment.objects.get_or_create(
            user=user, role=role, unit=unit, defaults={"granted_by": granted_by}
        )
    forget(user)
    return assignment


def revoke_role(*, user: AnyUser, role: str, unit: Unit | None) -> int:
    with transaction.atomic():
        removed, _ = RoleAssignment.objects.filter(user=user, role=role, unit=unit).delete()
    forget(user)
    return removed
