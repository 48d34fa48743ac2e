"""The DHIS2 mappings page for administrators; its twin is GET /api/v1/dhis2/mappings."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from dxmonitor.accounts.queries import can_administer
from dxmonitor.collection.dhis2_mappings import mappings

PAGE_SIZE = 100


@login_required
def dhis2_mappings(request: HttpRequest) -> HttpResponse:
    if not can_administer(request.user):
        raise PermissionDenied
    kind = request.GET.get("kind") or None
    page = Paginator(mappings(kind=kind), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "web/dhis2_mappings.html",
        {"page": page, "kind": kind or "", "api_url": reverse("api:dhis2_mappings")},
    )
