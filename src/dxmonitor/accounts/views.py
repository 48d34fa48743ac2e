"""The accounts page: who may do what where. National administrators only."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import user_passes_test
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dxmonitor.common.errors import DomainError
from dxmonitor.common.language import current_language
from dxmonitor.geo.queries import get_unit, unit_for_code

from .actions import grant_role, revoke_role
from .models import Role
from .queries import can_administer, users_with_roles


@user_passes_test(can_administer)
def users_index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "web/users.html",
        {"users": users_with_roles(), "roles": Role.choices, "api_url": reverse("api:users")},
    )


@require_POST
@user_passes_test(can_administer)
def change_role(request: HttpRequest) -> HttpResponse:
    language = current_language()
    user = get_user_model().objects.filter(username=request.POST.get("username", "")[:150]).first()
    role = request.POST.get("role", "")
    try:
        if user is None:
            raise DomainError("no such user", "Không có tài khoản này", field="username")
        code = (request.POST.get("unit_code") or "").strip()
        unit_id = request.POST.get("unit_id", "")
        unit = get_unit(int(unit_id)) if unit_id.isdigit() else None
        if unit is None and code:
            unit = unit_for_code(code=code[:24], on=timezone.localdate())
        if request.POST.get("action") == "revoke":
            revoke_role(user=user, role=role, unit=unit)
            messages.success(request, _("Role taken back."))
        else:
            grant_role(user=user, role=role, unit=unit, granted_by=request.user)
            messages.success(request, _("Role given."))
    except DomainError as exc:
        messages.error(request, exc.message(language))
    return redirect("web:users")
