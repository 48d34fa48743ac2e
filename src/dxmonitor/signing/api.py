"""JSON twins of the signing pages: one's signing keys, the trusted authorities, verification.

Everything here needs a signed-in user or a bearer token. Signing itself happens where a document
is made (official reports), not through a bare upload.
"""

from django.utils import timezone
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile

from dxmonitor.accounts.api import WRITE_AUTH
from dxmonitor.common.api import ErrorOut
from dxmonitor.common.users import ApiRequest

from . import actions, queries
from .schemas import CredentialOut, RootOut, VerificationOut, credential_out, root_out
from .uploads import read_pdf_upload, read_pkcs12_upload

router = Router(tags=["signing"])

ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 413: ErrorOut}


@router.get(
    "/signing/credentials",
    response={200: list[CredentialOut], **ERRORS},
    auth=WRITE_AUTH,
    url_name="signing_credentials",
)
def list_credentials(request: ApiRequest):
    """The caller's own signing keys and the keys of the units they approve for (twin of /signing/)."""
    now = timezone.now()
    return [credential_out(c, now=now) for c in queries.credentials_for(request.auth)]


@router.post(
    "/signing/credentials",
    response={201: CredentialOut, **ERRORS},
    auth=WRITE_AUTH,
    url_name="signing_upload_credential",
)
def upload_credential(
    request: ApiRequest, file: File[UploadedFile], password: Form[str] = "", label: Form[str] = ""
):
    """Keep a personal signing key: multipart `file` (.p12/.pfx) and `password`, optional `label`.
    The password is checked and never stored; the same certificate again answers the kept key."""
    credential = actions.upload_credential(
        user=request.auth, pkcs12=read_pkcs12_upload(file), password=password, label=label[:200]
    )
    return Status(201, credential_out(credential, now=timezone.now()))


@router.post(
    "/signing/unit-keys",
    response={201: CredentialOut, **ERRORS},
    auth=WRITE_AUTH,
    url_name="signing_unit_key",
)
def keep_unit_key(
    request: ApiRequest,
    unit_id: Form[int],
    file: File[UploadedFile],
    password: Form[str] = "",
    label: Form[str] = "",
):
    """Keep a signing key for a unit the caller approves for: multipart `unit_id`, `file`,
    `password`, optional `label`. The password is kept encrypted so the unit's approvers sign
    without it."""
    from dxmonitor.geo.api import get_unit

    credential = actions.create_unit_credential(
        unit=get_unit(unit_id),
        pkcs12=read_pkcs12_upload(file),
        password=password,
        label=label[:200],
        by=request.auth,
    )
    return Status(201, credential_out(credential, now=timezone.now()))


@router.post(
    "/signing/credentials/{credential_id}/stop",
    response={200: CredentialOut, **ERRORS},
    auth=WRITE_AUTH,
    url_name="signing_stop_key",
)
def stop_key(request: ApiRequest, credential_id: int):
    """Stop using one of the caller's keys; signatures made with it stay verifiable."""
    credential = actions.get_credential(credential_id=credential_id, user=request.auth)
    return credential_out(
        actions.deactivate_credential(credential=credential, by=request.auth), now=timezone.now()
    )


@router.get(
    "/signing/roots", response={200: list[RootOut], **ERRORS}, auth=WRITE_AUTH, url_name="signing_roots"
)
def list_roots(request: ApiRequest):
    """The certification authorities verification trusts (and those no longer trusted)."""
    return [root_out(r) for r in queries.trusted_roots()]


@router.post(
    "/signing/verify", response={200: VerificationOut, **ERRORS}, auth=WRITE_AUTH, url_name="signing_verify"
)
def verify(request: ApiRequest, file: File[UploadedFile]):
    """Check every signature of a PDF (multipart `file`); the answer is the verification. Nothing is
    fetched from the network."""
    data = read_pdf_upload(file)
    result = queries.verify_pdf(pdf=data)
    summary = result.as_dict()
    actions.record_check(file_name=file.name or "", sha256=result.sha256, summary=summary, by=request.auth)
    return summary
