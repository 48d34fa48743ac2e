"""Reads of the signing app: the keys a user may sign with, the trusted authorities, and the
verification of a signed PDF.

Verification never goes to the network: no OCSP or CRL is fetched, revocation is checked only
from what the file itself carries ("soft-fail"). The signing time is the one the signer's software
wrote into the signature (no time-stamping authority is used), and the certificate chain is
judged at that time: a document signed while its certificate was in force stays valid after the
certificate expires.
"""

import datetime
import hashlib
import io
import logging
from dataclasses import asdict, dataclass, field

from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives.serialization import Encoding
from django.db.models import Q, QuerySet
from django.utils import timezone
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from dxmonitor.accounts.permissions import APPROVE, grants
from dxmonitor.common.errors import Problem
from dxmonitor.common.users import AnyUser

from .certificates import facts_of, from_asn1, load_certificate_text
from .models import Credential, TrustedRoot
from .pdfsign import not_a_pdf

logger = logging.getLogger(__name__)

# Problems, each in English and Vietnamese.
MODIFIED = ("the document was modified after signing", "Tài liệu đã bị sửa sau khi ký")
NOT_INTACT = (
    "the signed content does not match the signature (the file was altered)",
    "Nội dung đã ký không khớp với chữ ký (tệp đã bị thay đổi)",
)
UNTRUSTED = (
    "the certificate was not issued by a trusted certification authority",
    "Chứng thư số không do tổ chức chứng thực được tin cậy cấp",
)
EXPIRED = (
    "the certificate had expired at the signing time",
    "Chứng thư số đã hết hạn vào thời điểm ký",
)
NOT_YET_VALID = (
    "the certificate was not yet valid at the signing time",
    "Chứng thư số chưa có hiệu lực vào thời điểm ký",
)
REVOKED = ("the certificate was revoked", "Chứng thư số đã bị thu hồi")
UNREADABLE = (
    "the signature cannot be read",
    "Không đọc được chữ ký",
)
UNSIGNED = ("the document carries no digital signature", "Tài liệu không có chữ ký số")
NO_TIME = (
    "the signature states no signing time",
    "Chữ ký không ghi thời điểm ký",
)


def _problem(pair: tuple[str, str], field_name: str = "") -> Problem:
    return Problem(field_name, pair[0], pair[1])


@dataclass(frozen=True)
class SignatureResult:
    field_name: str
    signer: str
    organisation: str
    issuer: str
    serial: str
    certificate_not_before: datetime.datetime | None
    certificate_not_after: datetime.datetime | None
    signing_time: datetime.datetime | None
    reason: str
    location: str
    valid: bool
    intact: bool
    trusted: bool
    covers_whole_file: bool
    modified_after_signing: bool
    modification: str
    expired_at_signing: bool
    not_yet_valid_at_signing: bool
    problems: tuple[Problem, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict:
        data = asdict(self)
        for key in ("certificate_not_before", "certificate_not_after", "signing_time"):
            value = getattr(self, key)
            data[key] = value.isoformat() if value else None
        data["problems"] = [p.as_dict() for p in self.problems]
        return data


@dataclass(frozen=True)
class Verification:
    sha256: str
    signed: bool
    valid: bool
    signatures: tuple[SignatureResult, ...]
    problems: tuple[Problem, ...]

    def as_dict(self) -> dict:
        return {
            "sha256": self.sha256,
            "signed": self.signed,
            "valid": self.valid,
            "signatures": [s.as_dict() for s in self.signatures],
            "problems": [p.as_dict() for p in self.problems],
        }


def trusted_roots(*, active_only: bool = False) -> QuerySet[TrustedRoot]:
    roots = TrustedRoot.objects.select_related("added_by")
    return roots.filter(is_active=True) if active_only else roots


def units_approved_by(user: AnyUser | None) -> list:
    """The units a user holds an approver's (or administrator's) role on: those they may keep a key for."""
    from dxmonitor.accounts.models import Role, RoleAssignment
    from dxmonitor.geo.models import Unit

    if user is None or not user.is_authenticated:
        return []
    held = RoleAssignment.objects.filter(user=user, role__in=[Role.APPROVER, Role.ADMIN], unit__isnull=False)
    return list(Unit.objects.filter(pk__in=held.values("unit_id")).order_by("path"))


def credentials_for(user: AnyUser | None) -> QuerySet[Credential]:
    """The user's own keys and the keys of the units they approve for (with their subtrees)."""
    if user is None or not user.is_authenticated:
        return Credential.objects.none()
    units = Q(unit__isnull=False) & grants(user).unit_filter(APPROVE, prefix="unit__")
    return Credential.objects.filter(Q(owner=user) | units).select_related("unit", "owner")


def _trust_anchors() -> list[asn1_x509.Certificate]:
    anchors = []
    for root in trusted_roots(active_only=True):
        certificate = load_certificate_text(root.certificate_pem)
        anchors.append(asn1_x509.Certificate.load(certificate.public_bytes(Encoding.DER)))
    return anchors


def _judge_at(signing_time: datetime.datetime, start: datetime.datetime, end: datetime.datetime):
    """The moment the chain is judged at: the signing time, or, when the certificate was not in
    force then, the nearest moment it was, so that trust and validity dates are told apart."""
    if signing_time < start:
        return start + datetime.timedelta(seconds=1)
    if signing_time > end:
        return end - datetime.timedelta(seconds=1)
    return signing_time


def _text(sig: EmbeddedPdfSignature, key: str) -> str:
    value = sig.sig_object.get(key)
    return str(value) if value is not None else ""


def _check_one(sig: EmbeddedPdfSignature, anchors: list) -> SignatureResult:
    problems: list[Problem] = []
    certificate = from_asn1(sig.signer_cert)
    facts = facts_of(certificate)
    reported = sig.self_reported_timestamp
    signing_time = reported or timezone.now()
    if reported is None:
        problems.append(_problem(NO_TIME))
    expired = signing_time > facts.not_after
    early = signing_time < facts.not_before
    context = ValidationContext(
        trust_roots=anchors,
        allow_fetching=False,
        revocation_mode="soft-fail",
        moment=_judge_at(signing_time, facts.not_before, facts.not_after),
    )
    try:
        status = validate_pdf_signature(sig, signer_validation_context=context)
    except Exception as exc:
        # A signature pyHanko cannot even evaluate (broken CMS, byte range outside the file) is
        # reported as not intact rather than as an error page.
        logger.info("signature %s unreadable: %s", sig.field_name, exc)
        return SignatureResult(
            field_name=str(sig.field_name or ""),
            signer=facts.common_name,
            organisation=facts.organisation,
            issuer=facts.issuer,
            serial=facts.serial,
            certificate_not_before=facts.not_before,
            certificate_not_after=facts.not_after,
            signing_time=reported,
            reason=_text(sig, "/Reason"),
            location=_text(sig, "/Location"),
            valid=False,
            intact=False,
            trusted=False,
            covers_whole_file=False,
            modified_after_signing=True,
            modification="unknown",
            expired_at_signing=expired,
            not_yet_valid_at_signing=early,
            problems=(*problems, _problem(UNREADABLE), _problem(NOT_INTACT)),
        )
    intact = bool(status.intact and status.valid)
    trusted = bool(status.trusted)
    whole = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    level = status.modification_level
    # Later signatures and form filling are what PAdES allows after a signature; anything else
    # (new page content, a byte range that skips part of its revision) counts as a modification.
    allowed = (
        status.coverage is not None
        and status.coverage >= SignatureCoverageLevel.ENTIRE_REVISION
        and level is not None
        and level <= ModificationLevel.FORM_FILLING
        and status.docmdp_ok is not False
    )
    modified = not whole and not allowed
    if not intact:
        problems.append(_problem(NOT_INTACT))
    if modified:
        problems.append(_problem(MODIFIED))
    if status.revoked:
        problems.append(_problem(REVOKED))
    elif not trusted:
        problems.append(_problem(UNTRUSTED))
    if expired:
        problems.append(_problem(EXPIRED))
    if early:
        problems.append(_problem(NOT_YET_VALID))
    valid = intact and trusted and not modified and not expired and not early and reported is not None
    return SignatureResult(
        field_name=str(sig.field_name or ""),
        signer=facts.common_name,
        organisation=facts.organisation,
        issuer=facts.issuer,
        serial=facts.serial,
        certificate_not_before=facts.not_before,
        certificate_not_after=facts.not_after,
        signing_time=timezone.localtime(reported) if reported else None,
        reason=_text(sig, "/Reason"),
        location=_text(sig, "/Location"),
        valid=valid,
        intact=intact,
        trusted=trusted,
        covers_whole_file=whole,
        modified_after_signing=modified,
        modification=level.name.lower() if level is not None else "unknown",
        expired_at_signing=expired,
        not_yet_valid_at_signing=early,
        problems=tuple(problems),
    )


def verify_pdf(*, pdf: bytes) -> Verification:
    """Every signature of a PDF: intact, trusted, in force at signing time, and whether the file
    changed after it. A file that is not a PDF is refused with a DomainError."""
    digest = hashlib.sha256(pdf).hexdigest()
    if not pdf.lstrip()[:5] == b"%PDF-":
        raise not_a_pdf()
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        embedded = list(reader.embedded_regular_signatures)
    except (PdfError, ValueError, KeyError, IndexError, TypeError) as exc:
        raise not_a_pdf(str(exc)) from exc
    if not embedded:
        return Verification(digest, False, False, (), (_problem(UNSIGNED),))
    anchors = _trust_anchors()
    results = tuple(_check_one(sig, anchors) for sig in embedded)
    problems: list[Problem] = []
    for result in results:
        for problem in result.problems:
            if problem not in problems:
                problems.append(problem)
    valid = all(r.valid for r in results)
    return Verification(digest, True, valid, results, tuple(problems))
