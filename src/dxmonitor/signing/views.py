"""Pages of the signing app: one's signing keys and the trusted authorities, and the verification
of a signed PDF. Each parses input and calls an action or a query; the twins are in `api.py`."""

import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dxmonitor.accounts.permissions import is_national_admin
from dxmonitor.common.errors import DomainError
from dxmonitor.common.language import current_language

from . import actions, queries
from .models import TrustedRoot
from .uploads import max_pdf_bytes, read_certificate_upload, read_pdf_upload, read_pkcs12_upload


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    """The user's signing keys, the form to add one, and the trusted certification authorities."""
    return render(
        request,
        "signing/overview.html",
        {
            "credentials": queries.credentials_for(request.user),
            "approved_units": queries.units_approved_by(request.user),
            "roots": queries.trusted_roots(),
            "is_admin": is_national_admin(request.user),
            "api_url": reverse("api:openapi-view") + "#/signing",
        },
    )


@require_POST
@login_required
def upload_credential(request: HttpRequest) -> HttpResponse:
    try:
        data = read_pkcs12_upload(request.FILES.get("file"))
        credential = actions.upload_credential(
            user=request.user,
            pkcs12=data,
            password=request.POST.get("password", ""),
            label=request.POST.get("label", "").strip()[:200],
        )
    except DomainError as exc:
        messages.error(request, exc.message(current_language()))
        return redirect("signing:overview")
    messages.success(request, _("Signing key kept: %(name)s") % {"name": credential.subject_name})
    return redirect("signing:overview")


@require_POST
@login_required
def add_unit_key(request: HttpRequest) -> HttpResponse:
    """Keep a key for a unit the user approves for; its approvers then sign without a password."""
    from dxmonitor.geo.models import Unit

    chosen = request.POST.get("unit", "")
    unit = Unit.objects.filter(pk=int(chosen)).first() if chosen.isdigit() else None
    try:
        if unit is None:
            raise DomainError("choose a unit", "Hãy chọn đơn vị")
        credential = actions.create_unit_credential(
            unit=unit,
            pkcs12=read_pkcs12_upload(request.FILES.get("file")),
            password=request.POST.get("password", ""),
            label=request.POST.get("label", "").strip()[:200],
            by=request.user,
        )
    except DomainError as exc:
        messages.error(request, exc.message(current_language()))
        return redirect("signing:overview")
    messages.success(
        request, _("Key of %(unit)s kept: %(name)s") % {"unit": unit.name, "name": credential.subject_name}
    )
    return redirect("signing:overview")


@require_POST
@login_required
def stop_key(request: HttpRequest, credential_id: int) -> HttpResponse:
    """Stop using a key; what was signed with it stays verifiable."""
    try:
        credential = actions.get_credential(credential_id=credential_id, user=request.user)
        actions.deactivate_credential(credential=credential, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message(current_language()))
        return redirect("signing:overview")
    messages.success(request, _("The key is no longer used: %(name)s") % {"name": credential.subject_name})
    return redirect("signing:overview")


@require_POST
@login_required
def add_root(request: HttpRequest) -> HttpResponse:
    try:
        text = read_certificate_upload(request.FILES.get("file"))
        root = actions.add_trusted_root(
            certificate_pem=text, name=request.POST.get("name", "").strip()[:200], by=request.user
        )
    except DomainError as exc:
        messages.error(request, exc.message(current_language()))
        return redirect("signing:overview")
    messages.success(request, _("Trusted certification authority: %(name)s") % {"name": root.name})
    return redirect("signing:overview")


@require_POST
@login_required
def remove_root(request: HttpRequest, root_id: int) -> HttpResponse:
    root = TrustedRoot.objects.filter(pk=root_id).first()
    if root is not None:
        try:
            actions.remove_trusted_root(root=root, by=request.user)
        except DomainError as exc:
            messages.error(request, exc.message(current_language()))
    return redirect("signing:overview")


@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """Upload a signed PDF and see whether its signatures hold."""
    context: dict = {"max_mb": max_pdf_bytes() // (1024 * 1024), "result": None}
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            data = read_pdf_upload(upload)
            result = queries.verify_pdf(pdf=data)
        except DomainError as exc:
            messages.error(request, exc.message(current_language()))
            return render(request, "signing/verify.html", context, status=400)
        actions.record_check(
            file_name=upload.name or "",
            sha256=hashlib.sha256(data).hexdigest(),
            summary=result.as_dict(),
            by=request.user,
        )
        context.update(result=result, file_name=upload.name or "")
    return render(request, "signing/verify.html", context)
