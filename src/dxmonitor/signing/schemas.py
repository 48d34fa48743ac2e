"""The JSON shapes of the signing API."""

import datetime

from ninja import Schema
from pydantic import Field

from dxmonitor.common.api import ProblemOut

from .models import Credential, TrustedRoot


class CredentialOut(Schema):
    id: int
    label: str
    holder: str = Field(description="personal (the user's own key) or unit (a unit's key)")
    unit_id: int | None
    unit_name: str
    subject_name: str
    organisation: str
    issuer_name: str
    serial: str
    not_before: datetime.datetime
    not_after: datetime.datetime
    fingerprint: str
    is_active: bool
    in_force: bool


def credential_out(credential: Credential, *, now: datetime.datetime) -> dict:
    return {
        "id": credential.pk,
        "label": credential.label,
        "holder": "unit" if credential.unit_id else "personal",
        "unit_id": credential.unit_id,
        "unit_name": credential.unit.name if credential.unit_id else "",
        "subject_name": credential.subject_name,
        "organisation": credential.organisation,
        "issuer_name": credential.issuer_name,
        "serial": credential.serial,
        "not_before": credential.not_before,
        "not_after": credential.not_after,
        "fingerprint": credential.fingerprint,
        "is_active": credential.is_active,
        "in_force": credential.not_before <= now <= credential.not_after,
    }


class RootOut(Schema):
    id: int
    name: str
    subject_name: str
    not_after: datetime.datetime | None
    fingerprint: str
    is_active: bool
    added_at: datetime.datetime
    certificate_pem: str


def root_out(root: TrustedRoot) -> dict:
    return {
        "id": root.pk,
        "name": root.name,
        "subject_name": root.subject_name,
        "not_after": root.not_after,
        "fingerprint": root.fingerprint,
        "is_active": root.is_active,
        "added_at": root.added_at,
        "certificate_pem": root.certificate_pem,
    }


class SignatureOut(Schema):
    field_name: str
    signer: str = Field(description="the certificate's common name")
    organisation: str
    issuer: str
    serial: str = Field(description="certificate serial number, hexadecimal")
    certificate_not_before: datetime.datetime | None
    certificate_not_after: datetime.datetime | None
    signing_time: datetime.datetime | None = Field(description="as written by the signer, local time")
    reason: str
    location: str
    valid: bool = Field(description="intact, trusted, in force at signing time and not modified since")
    intact: bool
    trusted: bool
    covers_whole_file: bool
    modified_after_signing: bool
    modification: str = Field(
        description="what changed after the signature: none, lta_updates, form_filling, annotations, "
        "other or unknown"
    )
    expired_at_signing: bool
    not_yet_valid_at_signing: bool
    problems: list[ProblemOut]


class VerificationOut(Schema):
    sha256: str
    signed: bool
    valid: bool
    signatures: list[SignatureOut]
    problems: list[ProblemOut]
