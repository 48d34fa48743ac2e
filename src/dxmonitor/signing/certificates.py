"""What a certificate says about its holder, read once the same way for keys, roots and signatures."""

import datetime
import hashlib
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID

from dxmonitor.common.errors import DomainError


@dataclass(frozen=True)
class Facts:
    common_name: str
    organisation: str
    issuer: str
    serial: str
    not_before: datetime.datetime
    not_after: datetime.datetime
    fingerprint: str
    pem: str


def _attribute(name: x509.Name, oid) -> str:
    values = name.get_attributes_for_oid(oid)
    return str(values[0].value) if values else ""


def readable_name(name: x509.Name) -> str:
    """The common name, else the organisation, else the whole distinguished name."""
    return (
        _attribute(name, NameOID.COMMON_NAME)
        or _attribute(name, NameOID.ORGANIZATION_NAME)
        or name.rfc4514_string()
    )


def facts_of(certificate: x509.Certificate) -> Facts:
    der = certificate.public_bytes(serialization.Encoding.DER)
    return Facts(
        common_name=readable_name(certificate.subject),
        organisation=_attribute(certificate.subject, NameOID.ORGANIZATION_NAME),
        issuer=readable_name(certificate.issuer),
        serial=format(certificate.serial_number, "x"),
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
        fingerprint=hashlib.sha256(der).hexdigest(),
        pem=certificate.public_bytes(serialization.Encoding.PEM).decode("ascii"),
    )


def load_certificate_text(data: str | bytes) -> x509.Certificate:
    """A certificate from a .pem, .crt or .cer file, PEM or DER."""
    raw = data.encode("utf-8", "replace") if isinstance(data, str) else bytes(data)
    try:
        if b"-----BEGIN CERTIFICATE-----" in raw:
            return x509.load_pem_x509_certificate(raw[raw.index(b"-----BEGIN CERTIFICATE-----") :])
        return x509.load_der_x509_certificate(raw)
    except ValueError as exc:
        raise DomainError(
            "the file is not a certificate (.pem, .crt or .cer)",
            "Tệp không phải chứng thư số (.pem, .crt hoặc .cer)",
            field="file",
        ) from exc


def from_asn1(certificate) -> x509.Certificate:
    """pyHanko hands certificates over as asn1crypto objects."""
    return x509.load_der_x509_certificate(certificate.dump())
