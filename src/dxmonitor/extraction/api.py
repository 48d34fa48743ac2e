"""JSON API of the review queue: the twin of the pages under /extract/."""

from ninja import File, Query, Router
from ninja.files import UploadedFile
from pydantic import ValidationError

from dxmonitor.accounts.api import WRITE_AUTH
from dxmonitor.common import bounded_json
from dxmonitor.common.api import WRITE_ERRORS, Paging, page
from dxmonitor.common.errors import DomainError, NotFound
from dxmonitor.common.language import current_language
from dxmonitor.common.users import ApiRequest

from . import actions, queries
from .reading import MAX_BYTES
from .schemas import (
    BulkOut,
    FactChanges,
    FactOut,
    ReadIn,
    ReviewDetailOut,
    ReviewDocumentPage,
    fact_out,
    review_document_out,
)

router = Router(tags=["extraction"])


def _document(document_id: int):
    document = queries.review_documents().filter(pk=document_id).first() if document_id < 2**63 else None
    if document is None:
        document = queries.get_document(document_id)
    if document is None:
        raise NotFound(f"document {document_id} does not exist", f"Không có tài liệu {document_id}")
    return document


def _fact(fact_id: int):
    fact = queries.get_fact(fact_id)
    if fact is None:
        raise NotFound(f"proposed fact {fact_id} does not exist", f"Không có dữ kiện {fact_id}")
    return fact


def detail_out(document) -> dict:
    facts = list(queries.document_facts(document))
    counts = {s: sum(1 for f in facts if f.status == s) for s in ("pending", "accepted", "rejected")}
    out = review_document_out(document)
    out.update(counts, proposed=len(facts), text=document.text)
    out["facts"] = [fact_out(f, current_language()) for f in facts]
    return out


@router.get(
    "/extraction/documents",
    response={200: ReviewDocumentPage, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    url_name="extraction_documents",
)
def review_queue(request: ApiRequest, paging: Query[Paging]):
    """Documents with proposed facts, those with most left to review first."""
    count, items = page(queries.review_documents(), limit=paging.limit, offset=paging.offset)
    return {"count": count, "items": [review_document_out(d) for d in items]}


@router.get(
    "/extraction/documents/{document_id}",
    response={200: ReviewDetailOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    url_name="extraction_document",
)
def review_document(request: ApiRequest, document_id: int):
    """One document's text and its proposed facts, each with its evidence span (`start`, `end`)."""
    return detail_out(_document(document_id))


@router.post(
    "/extraction/read",
    response={200: ReviewDetailOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    url_name="extraction_read",
)
def read_text(request: ApiRequest, body: ReadIn):
    """Read pasted text: it is stored as a document and its facts are proposed for review."""
    result = actions.read_text(text=body.text, title=body.title, user=request.auth)
    return detail_out(_document(result.document.pk))


@router.post(
    "/extraction/upload",
    response={200: ReviewDetailOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    url_name="extraction_upload",
)
def read_upload(request: ApiRequest, file: File[UploadedFile]):
    """Read a .txt, .docx or .pdf file (multipart field `file`, at most 5 MB)."""
    data = file.read(MAX_BYTES + 1)
    result = actions.read_upload(name=file.name or "upload.txt", data=data, user=request.auth)
    return detail_out(_document(result.document.pk))


@router.patch(
    "/extraction/facts/{fact_id}",
    response={200: FactOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    url_name="extraction_fact",
)
def edit_fact(request: ApiRequest, fact_id: int, body: FactChanges):
    """Correct a proposed fact before accepting it; only the fields given change."""
    changes = body.dict(exclude_unset=True)
    fact = actions.edit_fact(fact=_fact(fact_id), changes=changes, user=request.auth)
    return fact_out(fact, current_language())


@router.post(
    "/extraction/facts/{fact_id}/accept",
    response={200: FactOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    url_name="extraction_accept",
)
def accept_fact(request: ApiRequest, fact_id: int):
    """Accept a fact: it is recorded as a value whose source is the document, through the same
    validation as any value. An optional JSON body with the fields of the PATCH corrects it first."""
    fact = _fact(fact_id)
    changes = None
    if request.content_type == "application/json" and request.body.strip():
        try:
            changes = FactChanges.model_validate(bounded_json.loads(request.body)).dict(exclude_unset=True)
        except (ValueError, ValidationError) as exc:
            raise DomainError(
                f"the body must be a JSON object of corrections ({str(exc)[:200]})",
                "Nội dung gửi kèm phải là một đối tượng JSON gồm các trường cần sửa",
            ) from None
    fact = actions.accept_fact(fact=fact, changes=changes, user=request.auth)
    return fact_out(fact, current_language())


@router.post(
    "/extraction/facts/{fact_id}/reject",
    response={200: FactOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    url_name="extraction_reject",
)
def reject_fact(request: ApiRequest, fact_id: int):
    """Reject a proposed fact; it stays, marked rejected, and is not proposed again."""
    return fact_out(actions.reject_fact(fact=_fact(fact_id), user=request.auth), current_language())


@router.post(
    "/extraction/documents/{document_id}/accept",
    response={200: BulkOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    url_name="extraction_accept_all",
)
def accept_all(request: ApiRequest, document_id: int):
    """Accept every pending fact of a document; facts that fail validation stay pending with the
    reason, and are listed in `refused`."""
    result = actions.accept_all(document=_document(document_id), user=request.auth)
    return {
        "accepted": result.accepted,
        "refused": [
            {"id": pk, "message": exc.message_en, "message_vi": exc.message_vi} for pk, exc in result.refused
        ],
    }
