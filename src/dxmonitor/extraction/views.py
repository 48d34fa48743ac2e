"""The review queue: read a report, then accept, correct or reject what the extractor proposes."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dxmonitor.catalog.models import Indicator
from dxmonitor.collection.models import Comparator, ValueKind
from dxmonitor.common.errors import DomainError
from dxmonitor.common.language import current_language
from dxmonitor.geo.queries import search_units

from . import actions, queries
from .models import FactStatus
from .reading import MAX_BYTES

PAGE_SIZE = 30
_FIELDS = ("indicator", "unit_id", "value", "comparator", "kind", "period", "numerator", "denominator")


def _message(exc: DomainError) -> str:
    return exc.message(current_language())


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    documents = Paginator(queries.review_documents(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "extraction/queue.html",
        {
            "page": documents,
            "max_mb": MAX_BYTES // 1_000_000,
            "api_url": reverse("api:extraction_documents"),
        },
    )


@login_required
@require_POST
def read(request: HttpRequest) -> HttpResponse:
    upload = request.FILES.get("file")
    text = request.POST.get("text", "")
    title = request.POST.get("title", "").strip()[:500]
    try:
        if upload is not None:
            data = upload.read(MAX_BYTES + 1)
            result = actions.read_upload(
                name=upload.name or "upload.txt", data=data, title=title, user=request.user
            )
        elif text.strip():
            result = actions.read_text(text=text, title=title, user=request.user)
        else:
            messages.error(request, _("Choose a file or paste the text of a report."))
            return redirect("extraction:queue")
    except DomainError as exc:
        messages.error(request, _message(exc))
        return redirect("extraction:queue")
    count = len(result.facts)
    if count:
        messages.success(
            request, _("%(count)s facts proposed; check each against the text.") % {"count": count}
        )
    else:
        messages.warning(request, _("No indicator facts were found in this text."))
    return redirect("extraction:document", document_id=result.document.pk)


@login_required
def document(request: HttpRequest, document_id: int) -> HttpResponse:
    doc = queries.get_document(document_id)
    if doc is None:
        raise Http404(_("No such document."))
    facts = list(queries.document_facts(doc))
    pieces = queries.highlighted(doc.text, facts)
    anchors = {pk: f"ev{p['start']}" for p in pieces for pk in p["facts"]}
    for fact in facts:
        fact.anchor = anchors.get(fact.pk, "")
        fact.unit_choices = _unit_choices(fact) if fact.status == FactStatus.PENDING else []
    counts = {s: sum(1 for f in facts if f.status == s) for s in FactStatus.values}
    return render(
        request,
        "extraction/review.html",
        {
            "document": doc,
            "facts": facts,
            "pieces": pieces,
            "counts": counts,
            "indicators": Indicator.objects.filter(is_active=True).order_by("code"),
            "comparators": Comparator.choices,
            "kinds": ValueKind.choices,
            "api_url": reverse("api:extraction_document", args=[doc.pk]),
        },
    )


def _unit_choices(fact) -> list:
    found = search_units(q=fact.locality, limit=8) if fact.locality else []
    if fact.unit is not None and all(u.pk != fact.unit_id for u in found):
        found.insert(0, fact.unit)
    return found


def _changes(request: HttpRequest) -> dict:
    changes = {}
    for name in _FIELDS:
        if name in request.POST:
            raw = request.POST[name].strip()
            if name == "unit_id":
                changes[name] = int(raw) if raw.isdigit() else None
            else:
                changes[name] = raw
    return changes


def _back(fact) -> HttpResponse:
    return redirect(reverse("extraction:document", args=[fact.document_id]) + f"#fact{fact.pk}")


@login_required
@require_POST
def decide(request: HttpRequest, fact_id: int, decision: str) -> HttpResponse:
    fact = queries.get_fact(fact_id)
    if fact is None:
        raise Http404(_("No such fact."))
    try:
        if decision == "accept":
            actions.accept_fact(fact=fact, user=request.user)
            messages.success(request, _("Accepted: the figure is recorded with this document as its source."))
        elif decision == "reject":
            actions.reject_fact(fact=fact, user=request.user)
            messages.info(request, _("Rejected."))
        else:
            changes = _changes(request)
            if request.POST.get("then") == "accept":
                actions.accept_fact(fact=fact, changes=changes, user=request.user)
                messages.success(
                    request,
                    _("Corrected and accepted: the figure is recorded with this document as its source."),
                )
            else:
                actions.edit_fact(fact=fact, changes=changes, user=request.user)
                messages.success(request, _("Correction saved."))
    except DomainError as exc:
        messages.error(request, _message(exc))
    return _back(fact)


@login_required
@require_POST
def accept_all(request: HttpRequest, document_id: int) -> HttpResponse:
    doc = queries.get_document(document_id)
    if doc is None:
        raise Http404(_("No such document."))
    result = actions.accept_all(document=doc, user=request.user)
    messages.success(request, _("%(count)s facts accepted.") % {"count": result.accepted})
    if result.refused:
        messages.warning(
            request,
            _("%(count)s facts could not be accepted; the reason is shown on each.")
            % {"count": len(result.refused)},
        )
    return redirect("extraction:document", document_id=doc.pk)
