"""The audit trail page: every change to the figures a user may read."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from dxmonitor.geo.queries import get_unit

from . import queries
from .models import SourceType

PAGE_SIZE = 50


@login_required
def audit_trail(request: HttpRequest) -> HttpResponse:
    within = get_unit(int(request.GET["within"])) if request.GET.get("within", "").isdigit() else None
    since = None
    if raw := request.GET.get("since", ""):
        try:
            since = datetime.date.fromisoformat(raw)
        except ValueError:
            messages.error(request, _("“%(text)s” is not a date; showing every change.") % {"text": raw[:40]})
    username = (request.GET.get("user") or "").strip()[:150]
    source_type = (
        request.GET.get("source_type") if request.GET.get("source_type") in SourceType.values else ""
    )
    changes = queries.audit(
        viewer=request.user,
        within=within,
        username=username or None,
        source_type=source_type or None,
        since=since,
    )
    page = Paginator(changes, PAGE_SIZE).get_page(request.GET.get("page"))
    filters = {
        "within": within.pk if within else "",
        "user": username,
        "source_type": source_type,
        "since": since.isoformat() if since else "",
    }
    twin = {
        k: v
        for k, v in {**filters, "limit": PAGE_SIZE, "offset": (page.number - 1) * PAGE_SIZE}.items()
        if v != ""
    }
    return render(
        request,
        "web/audit.html",
        {
            "page": page,
            "within": within,
            "filters": filters,
            "source_types": SourceType.choices,
            "api_url": reverse("api:audit") + "?" + urlencode(twin),
        },
    )
